"""Spanish (español): neutral Spanish readable in Spain and Latin America, addressed as usted.

Greeting "Hola, {first_name}:" with a colon, as Spanish letters have it; the
office writes as "nosotros" and a follow-up as "yo" (no gender in either).
Adjectives that would agree with the tenant ("seguro/a", "alejado/a") are
avoided ("a salvo", "lejos"). Money: 1.234,56.

For translators: {label} (the request) follows "su" or "como" and nothing
agrees with it; {team} follows "a", "de" or starts a clause as its subject
("nuestro equipo…"), never the sentence; {arrange} follows "para" (an
infinitive: "concertar una visita"); {services} and {gas} follow "al".
"""

from __future__ import annotations

from core.phrasebook.phrases import Phrases

PHRASES = Phrases(
    code="es",
    decimal_mark=",",
    thousands_separator=".",
    # The letter
    greeting="Hola, {first_name}:",
    greeting_unknown="Buenos días:",
    signature="Saludos cordiales,\nAdministración de la propiedad",
    unit_fallback="la unidad {unit_id}",
    copied="He puesto en copia de este correo a {people}.",
    and_word="y",
    # First reply
    lockout_alerted=(
        "Lamentamos que no pueda acceder a {unit}. Hemos avisado a nuestro equipo de guardia, "
        "que se pondrá en contacto con usted para coordinar el acceso."
    ),
    lockout_keep_phone=(
        "Le rogamos que tenga el teléfono a mano para que podamos comunicarnos con usted, y que "
        "responda a este correo si algo cambia."
    ),
    lockout_keep_phone_at=(
        "Le rogamos que tenga el teléfono a mano para que podamos comunicarnos con usted en el "
        "{phone}, y que responda a este correo si algo cambia."
    ),
    maintenance_urgent=(
        "Gracias por avisarnos de inmediato. Lo hemos registrado como una solicitud urgente para "
        "{unit} y hemos avisado a nuestro equipo de guardia."
    ),
    maintenance_logged=(
        "Gracias por comunicárnoslo. Hemos registrado una solicitud de mantenimiento para "
        "{unit}, y nuestro equipo de mantenimiento se pondrá en contacto con usted para "
        "concertar una visita."
    ),
    maintenance_if_worse=(
        "Si mientras tanto el problema empeora, le rogamos que responda a este correo."
    ),
    rent_balance=(
        "Gracias por su mensaje sobre el alquiler. Según nuestros registros, actualmente hay un "
        "saldo pendiente de {amount} para {unit}."
    ),
    rent_no_balance=(
        "Gracias por su mensaje sobre el alquiler. Según nuestros registros, actualmente no hay "
        "ningún saldo pendiente para {unit}."
    ),
    rent_accounts=(
        "Nuestro departamento de contabilidad revisará su consulta y le confirmará los detalles."
    ),
    general_urgent=(
        "Gracias por avisarnos de inmediato. Hemos avisado a nuestro equipo de guardia."
    ),
    general_received="Gracias por su mensaje. Lo hemos recibido y le responderemos en breve.",
    unknown_not_matched=(
        "Gracias por su mensaje. No hemos podido encontrar su dirección de correo electrónico "
        "en nuestro registro de residentes, por lo que no podemos tratar por correo electrónico "
        "ningún detalle de contratos de alquiler ni de cuentas."
    ),
    unknown_verify=(
        "Si usted reside en una de nuestras viviendas, escríbanos desde la dirección de correo "
        "electrónico que figura en nuestros registros, o responda indicando su nombre completo y "
        "su unidad para que podamos verificar su identidad."
    ),
    # Follow-ups
    label_locked_out="incidencia de acceso",
    label_maintenance="solicitud de mantenimiento",
    label_rent="consulta sobre el alquiler",
    label_general="consulta general",
    team_locked_out="nuestro equipo de guardia",
    team_maintenance="nuestro equipo de mantenimiento",
    team_rent="nuestro departamento de contabilidad",
    team_general="nuestra oficina",
    arrange_locked_out="coordinar el acceso",
    arrange_maintenance="concertar una visita",
    arrange_rent="darle una respuesta",
    arrange_general="darle una respuesta",
    reopened=(
        "Lamento que el problema haya vuelto a aparecer. He reabierto su {label} para {unit} y "
        "he pedido a {team} que se ponga en contacto con usted para {arrange}."
    ),
    reopened_next="Si mientras tanto algo cambia, le rogamos que responda a este correo.",
    update=(
        "Gracias por la información. La he añadido a su {label} para {unit}, y {team} ya la tiene."
    ),
    update_next=(
        "Nos pondremos en contacto con usted sobre el siguiente paso; si mientras tanto algo "
        "cambia, le rogamos que responda a este correo."
    ),
    update_again=(
        "Gracias, nos resulta de gran ayuda. La nueva información ya está en manos de {team}, "
        "en su {label} para {unit}."
    ),
    update_again_next="Le avisaremos en cuanto el siguiente paso esté organizado.",
    chaser=(
        "Lamento que siga esperando. He dado prioridad a su {label} para {unit} y he pedido a "
        "{team} que se ponga en contacto con usted lo antes posible para {arrange}."
    ),
    chaser_next="Se lo confirmaremos por correo electrónico en cuanto esté organizado.",
    chaser_again=(
        "Le pido disculpas de nuevo por la espera. Su {label} para {unit} está ahora en manos "
        "del administrador, además de {team}, y estamos trabajando con carácter urgente para "
        "{arrange}."
    ),
    chaser_again_next=(
        "Recibirá noticias nuestras por correo electrónico en cuanto esté organizado."
    ),
    resolved="Gracias por informarnos de que ya se ha solucionado. Hemos cerrado la solicitud.",
    resolved_next="Responderemos a su pregunta en breve.",
    closing="Gracias por su mensaje. Le responderemos en breve.",
    new_request=(
        "Gracias por informarnos también de esto. Lo hemos registrado como {label} aparte para "
        "{unit}, y {team} se pondrá en contacto con usted para {arrange}."
    ),
    new_request_next="Si mientras tanto algo cambia, le rogamos que responda a este correo.",
    # Emergencies
    generic_services="número de emergencias local",
    life_gas=(
        "Si huele a gas: no use interruptores de la luz, llamas ni aparatos eléctricos; salga "
        "del edificio y, ya fuera, llame al {gas}."
    ),
    life_co=(
        "Si suena una alarma de monóxido de carbono o alguien tiene dolor de cabeza, mareos o "
        "náuseas: lleve a todos al aire libre ahora mismo, deje la puerta abierta al salir y "
        "llame al {services}."
    ),
    life_fire=(
        "Si hay fuego o humo: salga del edificio, cierre las puertas al salir y llame al "
        "{services}."
    ),
    life_electrical=(
        "No se acerque al enchufe ni al cableado; si puede hacerlo sin riesgo, corte ese "
        "circuito en el panel eléctrico. Si hay humo u olor a quemado, salga y llame al "
        "{services}."
    ),
    life_structural=(
        "Mantenga a todas las personas lejos de la zona que podría caerse, y llame al "
        "{services} si alguien está herido o en su trayectoria."
    ),
    life_person="Si alguien está herido, atrapado o en peligro, llame al {services} ahora mismo.",
    property_water=(
        "Si puede llegar sin riesgo, cierre el agua en la llave de paso (debajo del fregadero o "
        "del lavabo, o la llave general por donde entra el agua). No se acerque a los enchufes, "
        "interruptores ni lámparas a los que llegue el agua."
    ),
    property_sewage=(
        "Le rogamos que deje de usar grifos, inodoros y desagües hasta que lo hayan revisado, y "
        "que mantenga a los niños y a las mascotas lejos del agua."
    ),
    property_insecure=(
        "Si no se siente a salvo, quédese con un vecino o un amigo hasta que todo quede asegurado."
    ),
    property_cold=(
        "Abríguese y permanezca en una sola habitación con la puerta cerrada; no use nunca el "
        "horno ni una estufa de gas o de carbón para calentar la vivienda."
    ),
    property_no_water=(
        "Le rogamos que mantenga los grifos cerrados para que nada se desborde cuando vuelva el "
        "agua."
    ),
    maintenance_line=(
        "Nuestra línea de mantenimiento de urgencia es el {line}; llame a ese número si la "
        "situación empeora."
    ),
    no_maintenance_line=(
        "Si la situación empeora, responda a este correo indicándolo al principio del mensaje."
    ),
    locksmith="Puede comunicarse con nuestro cerrajero en el {locksmith}.",
    # The holding reply
    holding_greeting="Hola, {first_name}:",
    holding_alerted_life="Hemos recibido su mensaje y hemos avisado a nuestro equipo de guardia.",
    holding_alerted_property=(
        "Hemos recibido su mensaje y hemos avisado a nuestro equipo de mantenimiento de guardia."
    ),
    holding_if_changes="Si algo cambia, responda a este correo.",
    holding_automatic="Este es un mensaje automático; una persona responderá a su correo.",
)
