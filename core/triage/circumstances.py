"""Circumstances that make a failure dangerous, as patterns for the safety net: who is
there (a baby, someone frail or ill), and heating that has failed, in the languages
besides English. Shared by the danger words (`core.triage.dangers`), the conditions
that take two facts (`core.triage.safety_net`) and the judgement.
"""

from __future__ import annotations

# People for whom cold, heat, no water or a broken lift is dangerous.
VULNERABLE = (
    r"(baby|babies|newborn|infant|toddler|elderly|frail|pregnant|dementia|alzheimer|wheelchair|"
    r"dialysis|oxygen|heart (condition|patient|problem|trouble|disease|pills|failure)|surgery|"
    r"disabled|medication|medicine|(pills|tablets|medicine) for (my|his|her) heart|bad heart|"
    r"pacemaker|copd|emphysema|chemo\w*|asthma\w*|"
    r"\b[6-9]\d[- ]?(years?|yrs?|yo)\b|\([6-9]\d\)|\b[6-9]\d (anni|años|ans|jahre|anos|lat|tuổi)"
    r"|bebé|bebê|bébé|anzian|ancian|idos[oa]|âgée?|älter|starsz|người già|niemowl|neonat|"
    r"em bé|trẻ sơ sinh|tháng tuổi|months? old|monate alt|mesi di vita|meses de (edad|vida)|"
    r"medicin|medicamento|médicament|medikament|lekarstw|thuốc)"
)


# The heating has failed, in the languages besides English: the heating, the boiler or
# every radiator named, then (a few words on) what became of it.
HEAT_FAILED = (
    r"calefacci[oó]n\b.{0,30}\b(no (funciona|anda|calienta)|dej[oó] de funcionar|se (apag[oó]|"
    r"estrope[oó]|par[oó])|apagada|averiada|rota)|radiadores?\b.{0,30}\bfr[ií]os?\b|"
    r"chauffage\b.{0,30}\b(en panne|coupé|ne (marche|fonctionne|chauffe) plus|s'est arrêté|"
    r"arrêté)|radiateurs?\b.{0,30}\b(froids?|glacés?)\b|chaudière\b.{0,30}\b(en panne|arrêtée)|"
    r"heizung\b.{0,30}\b(aus|kaputt|ausgefallen|funktioniert nicht|geht nicht)\b|heizkörper\b"
    r".{0,30}\b(kalt|eiskalt)\b|(heizkessel|therme)\b.{0,30}\b(aus|kaputt|ausgefallen)\b|"
    r"aquecimento\b.{0,30}\b(avariad\w|desligad\w|não funciona|parou|deixou de funcionar)|"
    r"aquecedor(es)?\b.{0,30}\b(avariad\w|não funciona|parou)|caldeira\b.{0,30}\b(avariada|"
    r"não funciona|parou)|riscaldamento\b.{0,30}\b(rotto|spento|guasto|non funziona|si è "
    r"(fermato|spento|rotto))|(termosifon\w*|calorifer\w*|radiator\w*)\b.{0,30}\bfredd\w*|"
    r"caldaia\b.{0,30}\b(rotta|guasta|spenta|non funziona|in blocco)|ogrzewani\w*\b.{0,30}"
    r"\b(nie działa|wysiadło|padło|wyłączone|zepsute)|kaloryfer\w*\b.{0,30}\bzimn\w*|"
    r"(máy|lò) sưởi\b.{0,30}(hỏng|không (chạy|hoạt động)|ngừng (chạy|hoạt động)|tắt|lạnh)"
)
