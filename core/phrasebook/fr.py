"""French (français), addressed as vous.

"Bonjour {first_name}," rather than "Madame/Monsieur", which would need the
tenant's gender; words that would agree with the tenant are avoided ("Si vous
habitez l'un de nos logements" rather than "Si vous êtes résident(e)", "Je
regrette" rather than "Je suis désolé(e)"). Money: 1 234,56 with a no-break
space between the thousands. A plain space before ":" and ";" (an email, not print).

For translators: {label} (the request) follows "votre" or "comme" and nothing
after it agrees with it; {team} ("notre équipe…") follows "à" or "de", or is
the subject of a clause, never the first word of a sentence; {arrange} follows
"pour" (an infinitive: "convenir d'une visite"); {services} and {gas} follow
"le" ("appelez le 911", "appelez le numéro d'urgence local").
"""

from __future__ import annotations

from core.phrasebook.phrases import Phrases

PHRASES = Phrases(
    code="fr",
    decimal_mark=",",
    thousands_separator="\u00a0",  # a no-break space: 1 234,56 never splits across lines
    # The letter
    greeting="Bonjour {first_name},",
    greeting_unknown="Bonjour,",
    signature="Cordialement,\nLe service de gestion locative",
    unit_fallback="votre logement {unit_id}",
    copied="J'ai mis {people} en copie de ce message.",
    and_word="et",
    # First reply
    lockout_alerted=(
        "Nous regrettons que vous ne puissiez pas accéder à {unit}. Nous avons alerté notre "
        "équipe d'astreinte, qui vous contactera pour organiser l'accès."
    ),
    lockout_keep_phone=(
        "Merci de garder votre téléphone sur vous afin que nous puissions vous joindre, et de "
        "répondre à ce message si la situation évolue."
    ),
    lockout_keep_phone_at=(
        "Merci de garder votre téléphone sur vous afin que nous puissions vous joindre au "
        "{phone}, et de répondre à ce message si la situation évolue."
    ),
    maintenance_urgent=(
        "Merci de nous avoir prévenus aussitôt. Nous avons enregistré une demande urgente "
        "concernant {unit} et alerté notre équipe d'astreinte."
    ),
    maintenance_logged=(
        "Merci de nous avoir signalé ce problème. Nous avons enregistré une demande "
        "d'intervention concernant {unit}, et notre équipe de maintenance vous contactera pour "
        "convenir d'une visite."
    ),
    maintenance_if_worse="Si le problème s'aggrave entre-temps, merci de répondre à ce message.",
    rent_balance=(
        "Merci pour votre message concernant votre loyer. D'après nos registres, le solde "
        "actuellement dû pour {unit} s'élève à {amount}."
    ),
    rent_no_balance=(
        "Merci pour votre message concernant votre loyer. D'après nos registres, aucun solde "
        "n'est actuellement dû pour {unit}."
    ),
    rent_accounts=(
        "Notre service comptabilité va examiner votre question et vous confirmer les détails."
    ),
    general_urgent=(
        "Merci de nous avoir prévenus aussitôt. Nous avons alerté notre équipe d'astreinte."
    ),
    general_received=(
        "Merci pour votre message. Nous l'avons bien reçu et vous répondrons sous peu."
    ),
    unknown_not_matched=(
        "Merci pour votre message. Nous n'avons pas pu associer votre adresse e-mail à nos "
        "fichiers de résidents ; nous ne pouvons donc aborder par e-mail aucune question "
        "relative à un bail ou à un compte."
    ),
    unknown_verify=(
        "Si vous habitez l'un de nos logements, merci de nous écrire depuis l'adresse e-mail "
        "enregistrée dans nos fichiers, ou de répondre en indiquant vos nom et prénom ainsi que "
        "votre logement, afin que nous puissions vérifier votre identité."
    ),
    # Follow-ups
    label_locked_out="demande d'ouverture de porte",
    label_maintenance="demande d'intervention",
    label_rent="question sur le loyer",
    label_general="demande de renseignements",
    team_locked_out="notre équipe d'astreinte",
    team_maintenance="notre équipe de maintenance",
    team_rent="notre service comptabilité",
    team_general="notre équipe de gestion",
    arrange_locked_out="organiser l'accès",
    arrange_maintenance="convenir d'une visite",
    arrange_rent="vous apporter une réponse",
    arrange_general="vous apporter une réponse",
    reopened=(
        "Je regrette que le problème soit réapparu. J'ai rouvert votre {label} concernant "
        "{unit} et demandé à {team} de vous contacter pour {arrange}."
    ),
    reopened_next="Merci de répondre à ce message si la situation évolue d'ici là.",
    update=(
        "Merci pour ces précisions. Je les ai ajoutées à votre {label} concernant {unit}, et "
        "{team} les a reçues."
    ),
    update_next=(
        "Nous reviendrons vers vous pour la suite ; merci de répondre à ce message si la "
        "situation évolue d'ici là."
    ),
    update_again=(
        "Merci, ces informations nous sont utiles. Elles sont désormais entre les mains de "
        "{team}, dans votre {label} concernant {unit}."
    ),
    update_again_next="Nous vous préviendrons dès que la prochaine étape sera organisée.",
    chaser=(
        "Je regrette que vous soyez toujours dans l'attente. J'ai marqué votre {label} "
        "concernant {unit} comme prioritaire et demandé à {team} de vous contacter dès que "
        "possible pour {arrange}."
    ),
    chaser_next="Nous vous le confirmerons par e-mail dès que ce sera organisé.",
    chaser_again=(
        "Je vous prie à nouveau de nous excuser pour cette attente. Votre {label} concernant "
        "{unit} est désormais entre les mains du gestionnaire ainsi que de {team}, et nous "
        "faisons le nécessaire en urgence pour {arrange}."
    ),
    chaser_again_next="Vous aurez de nos nouvelles par e-mail dès que ce sera organisé.",
    resolved=(
        "Merci de nous avoir informés que le problème est réglé. Nous avons clôturé la demande."
    ),
    resolved_next="Nous répondrons à votre question sous peu.",
    closing="Merci pour votre message. Nous reviendrons vers vous sous peu.",
    new_request=(
        "Merci de nous avoir également signalé ce point. Nous l'avons enregistré séparément, "
        "comme {label} concernant {unit}, et {team} vous contactera pour {arrange}."
    ),
    new_request_next="Si la situation évolue d'ici là, merci de répondre à ce message.",
    # Emergencies
    generic_services="numéro d'urgence local",
    life_gas=(
        "Si vous sentez une odeur de gaz : n'utilisez ni interrupteurs, ni flammes, ni "
        "appareils électriques ; quittez le bâtiment et appelez le {gas} depuis l'extérieur."
    ),
    life_co=(
        "Si un détecteur de monoxyde de carbone sonne ou si quelqu'un a des maux de tête, des "
        "vertiges ou des nausées : faites sortir tout le monde à l'air libre immédiatement, "
        "laissez la porte ouverte derrière vous et appelez le {services}."
    ),
    life_fire=(
        "En cas de feu ou de fumée : quittez le bâtiment, fermez les portes derrière vous et "
        "appelez le {services}."
    ),
    life_electrical=(
        "Tenez-vous à l'écart de la prise ou des fils électriques ; si vous pouvez le faire sans "
        "danger, coupez ce circuit au disjoncteur. En cas de fumée ou d'odeur de brûlé, sortez "
        "et appelez le {services}."
    ),
    life_structural=(
        "Éloignez tout le monde de la partie qui risque de tomber, et appelez le {services} si "
        "quelqu'un est blessé ou se trouve sur sa trajectoire."
    ),
    life_person=(
        "Si quelqu'un est blessé, coincé ou en danger, appelez le {services} immédiatement."
    ),
    property_water=(
        "Si vous pouvez y accéder sans danger, coupez l'eau au robinet d'arrêt (sous l'évier, "
        "ou le robinet général à l'arrivée d'eau). Tenez-vous à l'écart des prises, "
        "interrupteurs et luminaires atteints par l'eau."
    ),
    property_sewage=(
        "Merci de ne plus utiliser les robinets, les toilettes ni les évacuations tant que le "
        "problème n'a pas été traité, et de tenir les enfants et les animaux à l'écart de l'eau."
    ),
    property_insecure=(
        "Si vous ne vous sentez pas en sécurité, restez chez un voisin ou un ami jusqu'à ce que "
        "tout soit sécurisé."
    ),
    property_cold=(
        "Restez au chaud dans une seule pièce, porte fermée ; n'utilisez jamais le four ni un "
        "chauffage d'appoint au gaz ou au charbon pour chauffer le logement."
    ),
    property_no_water=(
        "Merci de garder les robinets fermés afin que rien ne déborde au retour de l'eau."
    ),
    maintenance_line=(
        "Notre ligne de maintenance d'urgence est le {line} ; appelez-la si la situation s'aggrave."
    ),
    no_maintenance_line=(
        "Si la situation s'aggrave, répondez à ce message en l'indiquant tout en haut."
    ),
    locksmith="Notre serrurier est joignable au {locksmith}.",
    # The holding reply
    holding_greeting="Bonjour {first_name},",
    holding_alerted_life="Nous avons bien reçu votre message et alerté notre équipe d'astreinte.",
    holding_alerted_property=(
        "Nous avons bien reçu votre message et alerté notre équipe de maintenance d'astreinte."
    ),
    holding_if_changes="Si la situation évolue, répondez à ce message.",
    holding_automatic="Ceci est un message automatique ; une personne répondra à votre e-mail.",
)
