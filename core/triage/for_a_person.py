"""Mail that a person answers, whatever the draft says: disputes over money, legal
threats, and requests for someone else's details.

A reply drafted for these can be polite and still wrong: agreeing to waive a
charge, arguing with a tenant who has called a lawyer, or telling a neighbour
who lives upstairs. The office decides them, so the assistant holds them for
review with the reason, in every language the safety net reads. Pure functions
of the subject and the writer's own words (quotes removed).
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE | re.UNICODE

# Money the office asked for: a charge, a fee, a balance, the deposit.
_MONEY = (
    r"charges?|charged|fees?|(a|the) fine|fined|balance|bill(ed)?|invoice\w*|deposit|arrears|"
    r"late (fee|charge)s?|cargos?|multa|saldo|factura|frais|amende|solde|facture|caution|"
    r"gebühr\w*|kosten|rechnung|kaution|mahnung|taxa|cobrança|fatura|caução|"
    r"spese|addebit\w*|bolletta|cauzione|opłat\w*|kar[ay]|faktur\w*|kaucj\w*|"
    r"phí|tiền phạt|hóa đơn|tiền cọc"
)
# Saying the money is not owed.
_DISPUTED = (
    r"disput\w*|contest\w*|challeng\w*|(don'?t|do not|doesn'?t|does not) (agree|think i owe|"
    r"owe)|disagree|(not|isn'?t|is not) (fair|right|correct|mine|my fault)|unfair|unjust\w*|"
    r"wrongly|mistaken(ly)?|in error|overcharg\w*|should(n'?t| not) (have to )?pay|"
    r"refuse to pay|won'?t pay|not (going|willing) to pay|already paid|"
    r"no estoy de acuerdo|injust\w*|ya (lo )?pagu[eé]|no (me )?corresponde|reclam\w*|"
    r"pas d'accord|conteste\w*|injuste|déjà payé|je ne dois pas|"
    r"nicht einverstanden|widersprech\w*|widerspruch|ungerecht\w*|bereits bezahlt|schon bezahlt|"
    r"não concordo|já paguei|"
    r"non sono d'accordo|ingiust\w*|già pagat\w*|"
    r"nie zgadzam|niesprawiedliw\w*|już zapłaci\w*|odwołuj\w*|"
    r"không đồng ý|đã trả|đã thanh toán|vô lý"
)
MONEY_DISPUTE = re.compile(
    rf"\b({_DISPUTED})\b.{{0,80}}\b({_MONEY})\b|\b({_MONEY})\b.{{0,80}}\b({_DISPUTED})\b",
    _FLAGS,
)
LEGAL = re.compile(
    r"\b(lawyer|attorney|solicitor|legal (action|advice|aid)|take (you|this|it) to court|"
    r"small claims|sue (you|the)|tenants?'? union|tenancy (board|tribunal)|rent (board|"
    r"tribunal)|housing (court|tribunal|authority)|ombudsman|abogad[oa]|demanda|avocat|"
    r"tribunal|anwalt|anwältin|gericht|mieterverein|advogad[oa]|avvocat[oa]|tribunale|"
    r"adwokat\w*|prawnik\w*|sąd\w*|luật sư|tòa án|khởi kiện)\b",
    _FLAGS,
)
# Someone else's details: a request for the phone, email, name or insurance of a
# neighbour, another tenant or "everyone".
_ASK = (
    r"give|share|send|pass( on)?|forward|tell|let me (know|have)|provide|could (i|we) "
    r"(have|get)|can (i|we) (have|get)|i need|we need|i'?d like|what is|what'?s|who is|"
    r"dar(me|nos)?|pasar(me)?|envi(ar|e)|donner|communiquer|transmettre|geben|mitteilen|"
    r"schicken|passar|enviar|dare|mandare|inviare|podać|przesłać|cho (tôi|em|mình) xin"
)
_DETAILS = (
    r"phone( number)?s?|(mobile|cell) (number)?|numbers?|e-?mails?( address(es)?)?|contact "
    r"(details|info\w*|number)|names?|surname|insurance( details| company| policy)?|"
    r"address(es)?|unit( number)?|flat number|teléfono|número|correo|nombre|seguro|"
    r"téléphone|numéro|courriel|nom|assurance|telefon\w*|nummer|namen?|versicherung|"
    r"telefone|nome|telefono|numero|assicurazione|numer|nazwisk\w*|ubezpieczen\w*|"
    r"số điện thoại|tên|bảo hiểm"
)
_OTHERS = (
    r"neighbou?rs?|(the )?(other )?tenants?|residents?|(upstairs|downstairs|next door)|"
    r"owner|the person|the people|who (lives|complained|parks)|all (the )?tenants|everyone|"
    r"every (tenant|flat|unit)|vecin[oa]s?|inquilin[oa]s?|voisin\w*|locataires?|nachbar\w*|"
    r"mieter\w*|vizinh[oa]s?|vicin[oa]|vicini|inquilin[io]|sąsiad\w*|"
    r"lokator\w*|hàng xóm|người thuê"
)
OTHERS_DETAILS = re.compile(
    rf"\b({_ASK})\b.{{0,60}}\b({_DETAILS})\b.{{0,40}}\b({_OTHERS})\b|"
    rf"\b({_ASK})\b.{{0,40}}\b({_OTHERS})('s|'|s')?\b.{{0,30}}\b({_DETAILS})\b",
    _FLAGS,
)


def needs_a_person(subject: str, words: str) -> str:
    """Why a person answers this email rather than the assistant; "" when nothing says so."""
    text = f"{subject}\n{words}"
    if LEGAL.search(text):
        return "speaks of lawyers, a tribunal or a tenants' union: a person answers"
    if MONEY_DISPUTE.search(text):
        return "disputes money the office asked for: a person decides"
    if OTHERS_DETAILS.search(text):
        return "asks for someone else's details: a person decides what may be shared"
    return ""
