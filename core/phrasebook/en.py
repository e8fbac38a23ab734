"""English: the reference every other language translates.

Written to a tenant: first name in the greeting, "we" for the office and "I" for
the person answering a follow-up.
"""

from __future__ import annotations

from core.phrasebook.phrases import Phrases

PHRASES = Phrases(
    code="en",
    decimal_mark=".",
    thousands_separator=",",
    # The letter
    greeting="Hi {first_name},",
    greeting_unknown="Hello,",
    signature="Best regards,\nProperty Management",
    unit_fallback="unit {unit_id}",
    copied="I have copied {people} on this email.",
    and_word="and",
    # First reply
    lockout_alerted=(
        "We are sorry you cannot get into {unit}. We have alerted our on-call team, who will "
        "contact you to arrange access."
    ),
    lockout_keep_phone=(
        "Please keep your phone with you so we can reach you, and reply to this email if "
        "anything changes."
    ),
    lockout_keep_phone_at=(
        "Please keep your phone with you so we can reach you at {phone}, and reply to this "
        "email if anything changes."
    ),
    maintenance_urgent=(
        "Thank you for telling us straight away. We have logged this as an urgent request for "
        "{unit} and alerted our on-call team."
    ),
    maintenance_logged=(
        "Thank you for reporting this. We have logged a maintenance request for {unit}, and "
        "our maintenance team will contact you to arrange a visit."
    ),
    maintenance_if_worse="If the problem gets worse in the meantime, please reply to this email.",
    rent_balance=(
        "Thank you for your message about your rent. Our records currently show a balance of "
        "{amount} due for {unit}."
    ),
    rent_no_balance=(
        "Thank you for your message about your rent. Our records currently show no balance due "
        "for {unit}."
    ),
    rent_accounts="Our accounts team will look into your question and confirm the details.",
    general_urgent="Thank you for telling us straight away. We have alerted our on-call team.",
    general_received=(
        "Thank you for your message. We have received it and will get back to you shortly."
    ),
    unknown_not_matched=(
        "Thank you for your message. We could not match your email address to our resident "
        "records, so we cannot discuss any tenancy or account details by email."
    ),
    unknown_verify=(
        "If you are a resident, please write to us from the email address we have on file, "
        "or reply with your full name and unit so we can verify you."
    ),
    # Follow-ups: "your {label} for {unit}", "{team} will contact you to arrange {arrange}"
    label_locked_out="lockout",
    label_maintenance="maintenance request",
    label_rent="rent question",
    label_general="general enquiry",
    team_locked_out="our on-call team",
    team_maintenance="our maintenance team",
    team_rent="our accounts team",
    team_general="the office",
    arrange_locked_out="access",
    arrange_maintenance="a visit",
    arrange_rent="an answer",
    arrange_general="an answer",
    reopened=(
        "I am sorry to hear the problem is back. I have reopened your {label} for {unit} and "
        "asked {team} to contact you to arrange {arrange}."
    ),
    reopened_next="Please reply to this email if anything changes in the meantime.",
    update=(
        "Thank you for the update. I have added it to your {label} for {unit}, and {team} has it."
    ),
    update_next=(
        "We will be in touch about the next step; please reply to this email if anything "
        "changes in the meantime."
    ),
    update_again=(
        "Thank you, that is helpful. The new information is now with {team}, on your {label} "
        "for {unit}."
    ),
    update_again_next="We will let you know as soon as the next step is arranged.",
    chaser=(
        "I am sorry that you are still waiting. I have marked your {label} for {unit} as a "
        "priority and asked {team} to contact you as soon as possible to arrange {arrange}."
    ),
    chaser_next="We will confirm with you by email once it is arranged.",
    chaser_again=(
        "I apologise again for the wait. Your {label} for {unit} is now with the manager as "
        "well as {team}, and we are arranging {arrange} as a matter of urgency."
    ),
    chaser_again_next="You will hear from us by email as soon as it is arranged.",
    resolved="Thank you for letting us know it has been sorted out. We have closed the request.",
    resolved_next="We will reply to your question shortly.",
    closing="Thank you for your message. We will get back to you shortly.",
    new_request=(
        "Thank you for letting us know about this as well. We have logged it as a separate "
        "{label} for {unit}, and {team} will contact you to arrange {arrange}."
    ),
    new_request_next="If anything changes in the meantime, please reply to this email.",
    # Emergencies
    generic_services="your local emergency number",
    life_gas=(
        "If you smell gas: do not use light switches, flames or electrical appliances; "
        "leave the building and call {gas} from outside."
    ),
    life_co=(
        "If a carbon monoxide alarm sounds or anyone has headaches, dizziness or nausea: "
        "get everyone into fresh air now, leave the door open behind you and call {services}."
    ),
    life_fire=(
        "If there is fire or smoke: leave the building, close the doors behind you "
        "and call {services}."
    ),
    life_electrical=(
        "Keep away from the outlet or wiring; if you can do it safely, switch that circuit off "
        "at the breaker. If there is smoke or a burning smell, leave and call {services}."
    ),
    life_structural=(
        "Keep everyone away from the area that may fall, and call {services} "
        "if anyone is hurt or in its way."
    ),
    life_person="If someone is hurt, trapped or in danger, call {services} now.",
    property_water=(
        "If you can reach it safely, turn off the water at the shut-off valve (under the sink, "
        "or the main valve where the water comes in). Keep away from sockets, switches and "
        "lights the water reaches."
    ),
    property_sewage=(
        "Please stop using taps, toilets and drains until it has been seen to, and keep "
        "children and pets away from the water."
    ),
    property_insecure="If you feel unsafe, stay with a neighbour or friend until it is secured.",
    property_cold=(
        "Keep warm in one room with the door closed; never use an oven or a gas or charcoal "
        "heater to heat the home."
    ),
    property_no_water="Please keep taps closed so that nothing overflows when the water returns.",
    maintenance_line="Our emergency maintenance line is {line}; call it if things get worse.",
    no_maintenance_line="If things get worse, reply to this email and say so at the top.",
    locksmith="Our locksmith can be reached at {locksmith}.",
    # The holding reply
    holding_greeting="Hello {first_name},",
    holding_alerted_life="We have received your message and alerted our on-call team.",
    holding_alerted_property=(
        "We have received your message and alerted our on-call maintenance team."
    ),
    holding_if_changes="If anything changes, reply to this email.",
    holding_automatic="This is an automatic message; a person will answer your email.",
)
