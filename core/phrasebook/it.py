"""Italian (italiano), addressed as Lei, with the courtesy capitals of a business letter
(Lei, La, Le, Suo, Sua, "poterLa").

"Gentile {first_name}," is the same for a woman and a man; words that would
agree with the tenant are avoided ("al sicuro", "stia lontano"). Money: 1.234,56.

For translators: every {label} (the request) is a feminine noun ("la Sua
richiesta…", "come prioritaria", "separata"); every {team} is masculine and
starts with "il nostro" and is used only as a subject ("che {team} La
contatti", "sia il … sia {team}"), so that no preposition has to merge with its
article; {arrange} follows "per" (an infinitive: "concordare una visita");
{unit} follows "per" or sits in brackets; {services} and {gas} follow "il"
("chiami il 911", "chiami il numero di emergenza locale").
"""

from __future__ import annotations

from core.phrasebook.phrases import Phrases

PHRASES = Phrases(
    code="it",
    decimal_mark=",",
    thousands_separator=".",
    # The letter
    greeting="Gentile {first_name},",
    greeting_unknown="Buongiorno,",
    signature="Cordiali saluti,\nL'ufficio di gestione immobiliare",
    unit_fallback="l'unità {unit_id}",
    copied="Ho messo in copia {people} in questa e-mail.",
    and_word="e",
    # First reply
    lockout_alerted=(
        "Ci dispiace che non riesca a entrare in casa ({unit}). Abbiamo allertato il nostro "
        "servizio di reperibilità, che La contatterà per organizzare l'accesso."
    ),
    lockout_keep_phone=(
        "La preghiamo di tenere il telefono a portata di mano, così da poterLa contattare, e di "
        "rispondere a questa e-mail se qualcosa cambia."
    ),
    lockout_keep_phone_at=(
        "La preghiamo di tenere il telefono a portata di mano, così da poterLa contattare al "
        "numero {phone}, e di rispondere a questa e-mail se qualcosa cambia."
    ),
    maintenance_urgent=(
        "Grazie per averci avvisato subito. Abbiamo registrato la segnalazione come richiesta "
        "urgente per {unit} e allertato il nostro servizio di reperibilità."
    ),
    maintenance_logged=(
        "Grazie per la segnalazione. Abbiamo registrato una richiesta di manutenzione per "
        "{unit}, e il nostro servizio di manutenzione La contatterà per concordare una visita."
    ),
    maintenance_if_worse=(
        "Se nel frattempo il problema dovesse peggiorare, La preghiamo di rispondere a questa "
        "e-mail."
    ),
    rent_balance=(
        "Grazie per il Suo messaggio riguardo all'affitto. Dai nostri registri risulta "
        "attualmente un importo dovuto di {amount} per {unit}."
    ),
    rent_no_balance=(
        "Grazie per il Suo messaggio riguardo all'affitto. Dai nostri registri non risulta "
        "attualmente alcun importo dovuto per {unit}."
    ),
    rent_accounts=(
        "Il nostro ufficio contabilità esaminerà la Sua domanda e Le confermerà i dettagli."
    ),
    general_urgent=(
        "Grazie per averci avvisato subito. Abbiamo allertato il nostro servizio di reperibilità."
    ),
    general_received=(
        "Grazie per il Suo messaggio. Lo abbiamo ricevuto e Le risponderemo a breve."
    ),
    unknown_not_matched=(
        "Grazie per il Suo messaggio. Non siamo riusciti ad associare il Suo indirizzo e-mail "
        "ai nostri registri dei residenti, quindi non possiamo trattare per e-mail alcun "
        "dettaglio relativo a contratti di locazione o a posizioni contabili."
    ),
    unknown_verify=(
        "Se abita in uno dei nostri immobili, La preghiamo di scriverci dall'indirizzo e-mail "
        "registrato presso di noi, oppure di rispondere indicando nome, cognome e unità "
        "abitativa, così da poter verificare la Sua identità."
    ),
    # Follow-ups
    label_locked_out="segnalazione di mancato accesso",
    label_maintenance="richiesta di manutenzione",
    label_rent="domanda sull'affitto",
    label_general="richiesta di informazioni",
    team_locked_out="il nostro servizio di reperibilità",
    team_maintenance="il nostro servizio di manutenzione",
    team_rent="il nostro ufficio contabilità",
    team_general="il nostro ufficio",
    arrange_locked_out="organizzare l'accesso",
    arrange_maintenance="concordare una visita",
    arrange_rent="darLe una risposta",
    arrange_general="darLe una risposta",
    reopened=(
        "Mi dispiace che il problema si sia ripresentato. Ho riaperto la Sua {label} per "
        "{unit} e ho chiesto che {team} La contatti per {arrange}."
    ),
    reopened_next="La preghiamo di rispondere a questa e-mail se nel frattempo qualcosa cambia.",
    update=(
        "Grazie per l'aggiornamento. L'ho aggiunto alla Sua {label} per {unit}, e {team} lo ha "
        "già ricevuto."
    ),
    update_next=(
        "La ricontatteremo per il passo successivo; se nel frattempo qualcosa cambia, La "
        "preghiamo di rispondere a questa e-mail."
    ),
    update_again=(
        "Grazie, ci è molto utile. Le nuove informazioni sono ora nella Sua {label} per "
        "{unit}, e {team} le ha già ricevute."
    ),
    update_again_next="Le faremo sapere non appena il prossimo passo sarà organizzato.",
    chaser=(
        "Mi dispiace che stia ancora aspettando. Ho contrassegnato come prioritaria la Sua "
        "{label} per {unit} e ho chiesto che {team} La contatti il prima possibile per "
        "{arrange}."
    ),
    chaser_next="Le daremo conferma per e-mail non appena sarà tutto organizzato.",
    chaser_again=(
        "Mi scuso ancora per l'attesa. Della Sua {label} per {unit} si occupano ora sia "
        "l'amministratore sia {team}, e ci stiamo adoperando con urgenza per {arrange}."
    ),
    chaser_again_next="Avrà nostre notizie per e-mail non appena sarà tutto organizzato.",
    resolved=(
        "Grazie per averci comunicato che il problema è stato risolto. Abbiamo chiuso la richiesta."
    ),
    resolved_next="Risponderemo a breve alla Sua domanda.",
    closing="Grazie per il Suo messaggio. Le risponderemo a breve.",
    new_request=(
        "Grazie per averci segnalato anche questo. L'abbiamo registrato come {label} separata "
        "per {unit}, e {team} La contatterà per {arrange}."
    ),
    new_request_next=(
        "Se nel frattempo qualcosa cambia, La preghiamo di rispondere a questa e-mail."
    ),
    # Emergencies
    generic_services="numero di emergenza locale",
    life_gas=(
        "Se sente odore di gas: non usi interruttori della luce, fiamme o apparecchi elettrici; "
        "esca dall'edificio e, una volta fuori, chiami il {gas}."
    ),
    life_co=(
        "Se suona un rilevatore di monossido di carbonio o qualcuno ha mal di testa, vertigini "
        "o nausea: porti subito tutti all'aria aperta, lasci la porta aperta dietro di sé e "
        "chiami il {services}."
    ),
    life_fire=(
        "In caso di fuoco o fumo: esca dall'edificio, chiuda le porte dietro di sé e chiami il "
        "{services}."
    ),
    life_electrical=(
        "Stia lontano dalla presa o dai cavi; se può farlo in sicurezza, stacchi quel circuito "
        "dal quadro elettrico. In presenza di fumo o odore di bruciato, esca e chiami il "
        "{services}."
    ),
    life_structural=(
        "Tenga tutti lontano dalla zona che potrebbe cadere, e chiami il {services} se "
        "qualcuno è ferito o si trova nella traiettoria."
    ),
    life_person="Se qualcuno è ferito, intrappolato o in pericolo, chiami subito il {services}.",
    property_water=(
        "Se può raggiungerlo in sicurezza, chiuda l'acqua dal rubinetto di arresto (sotto il "
        "lavello, oppure la valvola generale nel punto in cui entra l'acqua). Stia lontano da "
        "prese, interruttori e luci raggiunti dall'acqua."
    ),
    property_sewage=(
        "La preghiamo di non usare rubinetti, WC e scarichi finché il problema non sarà stato "
        "verificato, e di tenere bambini e animali domestici lontano dall'acqua."
    ),
    property_insecure=(
        "Se non si sente al sicuro, resti da un vicino o da un amico finché tutto non sarà "
        "messo in sicurezza."
    ),
    property_cold=(
        "Resti al caldo in una sola stanza con la porta chiusa; non usi mai il forno né stufe a "
        "gas o a carbone per riscaldare la casa."
    ),
    property_no_water=(
        "La preghiamo di tenere i rubinetti chiusi, così che nulla trabocchi quando tornerà "
        "l'acqua."
    ),
    maintenance_line=(
        "Il nostro numero per la manutenzione urgente è {line}; lo chiami se la situazione "
        "peggiora."
    ),
    no_maintenance_line=(
        "Se la situazione peggiora, risponda a questa e-mail scrivendolo all'inizio del messaggio."
    ),
    locksmith="Il nostro fabbro è raggiungibile al numero {locksmith}.",
    # The holding reply
    holding_greeting="Gentile {first_name},",
    holding_alerted_life=(
        "Abbiamo ricevuto il Suo messaggio e allertato il nostro servizio di reperibilità."
    ),
    holding_alerted_property=(
        "Abbiamo ricevuto il Suo messaggio e allertato il nostro servizio di manutenzione in "
        "reperibilità."
    ),
    holding_if_changes="Se qualcosa cambia, risponda a questa e-mail.",
    holding_automatic="Questo è un messaggio automatico; una persona risponderà alla Sua e-mail.",
)
