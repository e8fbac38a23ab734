"""German (Deutsch), addressed as Sie.

"Guten Tag {first_name}," is polite and needs no "Herr/Frau" (no guessing the
tenant's gender). After the comma of the greeting the letter goes on in lower
case, so the first paragraph of every reply starts with a small letter ("vielen
Dank", "es tut uns leid", "wir haben"); the phrases that can open a letter are
written that way. "Mit freundlichen Grüßen" takes no comma. Money: 1.234,56.

For translators: every {label} (the request) is a feminine noun with no
adjective ("Ihre Reparaturmeldung", "als separate Anfrage"); every {team} is
neuter or feminine ("unser Bereitschaftsteam", "unsere Buchhaltung") and is
used only where nominative and accusative are the same; {arrange} is a "zu"
infinitive ("einen Termin zu vereinbaren") after "um" or "darum,"; {services}
and {gas} sit in "rufen Sie … an".
"""

from __future__ import annotations

from core.phrasebook.phrases import Phrases

PHRASES = Phrases(
    code="de",
    decimal_mark=",",
    thousands_separator=".",
    # The letter
    greeting="Guten Tag {first_name},",
    greeting_unknown="Guten Tag,",
    signature="Mit freundlichen Grüßen\nIhre Hausverwaltung",
    unit_fallback="Wohnung {unit_id}",
    copied="Ich habe {people} bei dieser E-Mail in Kopie gesetzt.",
    and_word="und",
    # First reply (opening paragraphs start in lower case)
    lockout_alerted=(
        "es tut uns leid, dass Sie nicht in Ihre Wohnung kommen ({unit}). Wir haben unser "
        "Bereitschaftsteam verständigt, das sich mit Ihnen in Verbindung setzen wird, um den "
        "Zugang zu organisieren."
    ),
    lockout_keep_phone=(
        "Bitte halten Sie Ihr Telefon bereit, damit wir Sie erreichen können, und antworten Sie "
        "auf diese E-Mail, falls sich etwas ändert."
    ),
    lockout_keep_phone_at=(
        "Bitte halten Sie Ihr Telefon bereit, damit wir Sie unter {phone} erreichen können, und "
        "antworten Sie auf diese E-Mail, falls sich etwas ändert."
    ),
    maintenance_urgent=(
        "vielen Dank, dass Sie uns sofort Bescheid gegeben haben. Wir haben dies als dringende "
        "Meldung für {unit} erfasst und unser Bereitschaftsteam verständigt."
    ),
    maintenance_logged=(
        "vielen Dank für Ihre Meldung. Wir haben eine Reparaturmeldung für {unit} erfasst, und "
        "unser Wartungsteam wird sich mit Ihnen in Verbindung setzen, um einen Termin zu "
        "vereinbaren."
    ),
    maintenance_if_worse=(
        "Sollte sich das Problem in der Zwischenzeit verschlimmern, antworten Sie bitte auf "
        "diese E-Mail."
    ),
    rent_balance=(
        "vielen Dank für Ihre Nachricht zu Ihrer Miete. Laut unseren Unterlagen ist für {unit} "
        "derzeit ein Betrag von {amount} offen."
    ),
    rent_no_balance=(
        "vielen Dank für Ihre Nachricht zu Ihrer Miete. Laut unseren Unterlagen ist für {unit} "
        "derzeit kein Betrag offen."
    ),
    rent_accounts=(
        "Unsere Buchhaltung wird Ihre Frage prüfen und Ihnen die Einzelheiten bestätigen."
    ),
    general_urgent=(
        "vielen Dank, dass Sie uns sofort Bescheid gegeben haben. Wir haben unser "
        "Bereitschaftsteam verständigt."
    ),
    general_received=(
        "vielen Dank für Ihre Nachricht. Wir haben sie erhalten und melden uns in Kürze bei Ihnen."
    ),
    unknown_not_matched=(
        "vielen Dank für Ihre Nachricht. Wir konnten Ihre E-Mail-Adresse keinem Eintrag in "
        "unseren Mieterdaten zuordnen und können daher per E-Mail keine Angaben zu "
        "Mietverhältnissen oder Konten machen."
    ),
    unknown_verify=(
        "Wenn Sie bei uns wohnen, schreiben Sie uns bitte von der E-Mail-Adresse, die bei uns "
        "hinterlegt ist, oder antworten Sie mit Ihrem vollständigen Namen und Ihrer Wohnung, "
        "damit wir Ihre Identität prüfen können."
    ),
    # Follow-ups
    label_locked_out="Meldung zum Zugangsproblem",
    label_maintenance="Reparaturmeldung",
    label_rent="Anfrage zur Miete",
    label_general="Anfrage",
    team_locked_out="unser Bereitschaftsteam",
    team_maintenance="unser Wartungsteam",
    team_rent="unsere Buchhaltung",
    team_general="unser Büro",
    arrange_locked_out="den Zugang zu organisieren",
    arrange_maintenance="einen Termin zu vereinbaren",
    arrange_rent="Ihnen zu antworten",
    arrange_general="Ihnen zu antworten",
    reopened=(
        "es tut mir leid, dass das Problem wieder aufgetreten ist. Ich habe Ihre {label} für "
        "{unit} wieder aufgenommen und {team} gebeten, sich mit Ihnen in Verbindung zu setzen, "
        "um {arrange}."
    ),
    reopened_next=(
        "Bitte antworten Sie auf diese E-Mail, falls sich in der Zwischenzeit etwas ändert."
    ),
    update=(
        "vielen Dank für die neuen Informationen. Ich habe sie Ihrer {label} für {unit} "
        "hinzugefügt, und {team} hat sie erhalten."
    ),
    update_next=(
        "Wir melden uns wegen des nächsten Schritts bei Ihnen; bitte antworten Sie auf diese "
        "E-Mail, falls sich in der Zwischenzeit etwas ändert."
    ),
    update_again=(
        "vielen Dank, das hilft uns weiter. Die neuen Informationen sind jetzt in Ihrer {label} "
        "für {unit} vermerkt, und {team} hat sie erhalten."
    ),
    update_again_next="Wir geben Ihnen Bescheid, sobald der nächste Schritt vereinbart ist.",
    chaser=(
        "es tut mir leid, dass Sie noch immer warten. Ich habe Ihre {label} für {unit} als "
        "vorrangig markiert und {team} gebeten, sich so schnell wie möglich mit Ihnen in "
        "Verbindung zu setzen, um {arrange}."
    ),
    chaser_next="Wir bestätigen es Ihnen per E-Mail, sobald alles vereinbart ist.",
    chaser_again=(
        "ich bitte nochmals um Entschuldigung für die Wartezeit. Um Ihre {label} für {unit} "
        "kümmern sich jetzt die Verwaltungsleitung und {team}, und wir bemühen uns "
        "vordringlich darum, {arrange}."
    ),
    chaser_again_next="Sie hören per E-Mail von uns, sobald alles vereinbart ist.",
    resolved=(
        "vielen Dank für Ihre Nachricht, dass sich die Sache erledigt hat. Wir haben den "
        "Vorgang abgeschlossen."
    ),
    resolved_next="Wir beantworten Ihre Frage in Kürze.",
    closing="vielen Dank für Ihre Nachricht. Wir melden uns in Kürze bei Ihnen.",
    new_request=(
        "vielen Dank, dass Sie uns auch darauf hinweisen. Wir haben dies als separate {label} "
        "für {unit} erfasst, und {team} wird sich mit Ihnen in Verbindung setzen, um {arrange}."
    ),
    new_request_next=(
        "Falls sich in der Zwischenzeit etwas ändert, antworten Sie bitte auf diese E-Mail."
    ),
    # Emergencies
    generic_services="die örtliche Notrufnummer",
    life_gas=(
        "Wenn Sie Gas riechen: Betätigen Sie keine Lichtschalter und benutzen Sie kein offenes "
        "Feuer und keine Elektrogeräte; verlassen Sie das Gebäude und rufen Sie von draußen "
        "{gas} an."
    ),
    life_co=(
        "Wenn ein Kohlenmonoxid-Melder Alarm gibt oder jemand Kopfschmerzen, Schwindel oder "
        "Übelkeit hat: Bringen Sie sofort alle an die frische Luft, lassen Sie die Tür hinter "
        "sich offen und rufen Sie {services} an."
    ),
    life_fire=(
        "Bei Feuer oder Rauch: Verlassen Sie das Gebäude, schließen Sie die Türen hinter sich "
        "und rufen Sie {services} an."
    ),
    life_electrical=(
        "Halten Sie Abstand zur Steckdose oder zu den Leitungen; wenn es gefahrlos möglich ist, "
        "schalten Sie diesen Stromkreis an der Sicherung ab. Bei Rauch oder Brandgeruch gehen "
        "Sie hinaus und rufen Sie {services} an."
    ),
    life_structural=(
        "Halten Sie alle von dem Bereich fern, der herabstürzen könnte, und rufen Sie "
        "{services} an, wenn jemand verletzt ist oder sich im Gefahrenbereich befindet."
    ),
    life_person=(
        "Wenn jemand verletzt, eingeschlossen oder in Gefahr ist, rufen Sie sofort {services} an."
    ),
    property_water=(
        "Wenn Sie gefahrlos herankommen, drehen Sie das Wasser am Absperrventil ab (unter der "
        "Spüle oder am Hauptabsperrhahn, wo das Wasser ins Haus kommt). Halten Sie Abstand zu "
        "Steckdosen, Schaltern und Lampen, die das Wasser erreicht."
    ),
    property_sewage=(
        "Bitte benutzen Sie Wasserhähne, Toiletten und Abflüsse nicht mehr, bis sich jemand "
        "darum gekümmert hat, und halten Sie Kinder und Haustiere vom Wasser fern."
    ),
    property_insecure=(
        "Wenn Sie sich nicht sicher fühlen, bleiben Sie bei Nachbarn oder Freunden, bis alles "
        "gesichert ist."
    ),
    property_cold=(
        "Halten Sie sich in einem einzigen Raum mit geschlossener Tür warm; heizen Sie die "
        "Wohnung niemals mit dem Backofen oder einem Gas- oder Holzkohleofen."
    ),
    property_no_water=(
        "Bitte halten Sie die Wasserhähne geschlossen, damit nichts überläuft, wenn das Wasser "
        "zurückkommt."
    ),
    maintenance_line=(
        "Unser Reparatur-Notdienst ist unter {line} erreichbar; rufen Sie dort an, wenn es "
        "schlimmer wird."
    ),
    no_maintenance_line=(
        "Wenn es schlimmer wird, antworten Sie auf diese E-Mail und schreiben Sie das ganz "
        "oben hin."
    ),
    locksmith="Unseren Schlüsseldienst erreichen Sie unter {locksmith}.",
    # The holding reply (its first paragraph starts in lower case too)
    holding_greeting="Guten Tag {first_name},",
    holding_alerted_life=(
        "wir haben Ihre Nachricht erhalten und unser Bereitschaftsteam verständigt."
    ),
    holding_alerted_property=(
        "wir haben Ihre Nachricht erhalten und unseren Reparatur-Bereitschaftsdienst verständigt."
    ),
    holding_if_changes="Wenn sich etwas ändert, antworten Sie auf diese E-Mail.",
    holding_automatic=(
        "Dies ist eine automatische Nachricht; eine Person wird Ihre E-Mail beantworten."
    ),
)
