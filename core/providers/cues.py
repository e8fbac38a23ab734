"""The offline classifier's knowledge: weighted cues for each intent and for emergencies.

Each cue is a regular expression with a weight. Cues are written for English
first, with the most common words of a few other languages; text in other
languages gets a low confidence rather than a guess dressed up as certainty.
Everything here is data; `core.providers.offline` does the scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.models import Intent


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    label: str


def cue(regex: str, weight: float, label: str = "") -> Cue:
    return Cue(re.compile(regex, re.IGNORECASE), weight, label or regex)


_LOCK = r"(lock(ed)?|locks)"

INTENT_CUES: dict[Intent, tuple[Cue, ...]] = {
    Intent.LOCKED_OUT: (
        cue(r"\block\w*\s*(myself\s+|ourselves\s+|him\s*self\s+|her\s*self\s+|me\s+)?out\b", 4),
        cue(r"\b(door|it)\s+(locked|shut|closed|slammed)\s+behind\s+(me|us|him|her|them)\b", 4),
        cue(
            r"\b(keys?|key ?card|fob|badge|access card|card|code)\b[^.!?\n]{0,40}"
            r"\b(stopped|no longer|won'?t|doesn'?t|does not|will not|isn'?t)\s+"
            r"(open\w*|work\w*|unlock\w*|fit\w*|turn\w*)\b",
            3,
        ),
        cue(
            r"\b(smart ?lock|keypad|door code|entry code)\b[^.!?\n]{0,60}\b(dead|not responding|"
            r"isn'?t responding|not working|blank|shows nothing|battery)\b",
            4,
        ),
        cue(r"\b(need|send|get)\s+(someone|somebody|you)\s+(to\s+)?(open|unlock|let me in)\b", 3),
        cue(r"\bchanged?\s+(the\s+|my\s+)?locks?\b", 2),
        cue(r"\bdoor\b[^.!?\n]{0,20}\b(swung|slammed|blew|blown|fell)\s+(shut|closed)\b", 4),
        cue(r"\b(shut|closed) and (latched|locked)\b", 3),
        cue(r"\b(someone|somebody|anyone) with a (key|master key|spare)\b", 3),
        cue(r"\bdoor\b[^.!?\n]{0,30}\b(stays|stayed|remains|remained) (shut|closed|locked)\b", 4),
        cue(r"\bwon'?t (open|unlock|let me in) with (my|the|a) (fob|key ?card|key|card|code)\b", 4),
        cue(r"\b(can'?t|cannot|couldn'?t) (get|fit|put) (my |the )?key (in|into)\b", 4),
        cue(r"\b(get|go|got) back (in|into)\b|\bstuck in (the )?(stairwell|stairs|hallway)\b", 3),
        cue(r"\bout here\b", 1),
        cue(r"\b(keys?)\b", 1),
        cue(r"\block-?out\b", 3),
        cue(
            r"\b(can'?t|cannot|can not|unable to|couldn'?t|could not|won'?t let me)\s+"
            r"(get|go|come)\s+(back\s+)?(in|inside|into)\b",
            3,
        ),
        cue(
            r"\b(lost|lose|misplaced|forgot|left|dropped|stolen|broke|snapped)\b[^.!?\n]{0,30}"
            r"\b(keys?|key ?card|fob|badge|access card)\b",
            3,
        ),
        cue(
            r"\b(keys?|fob|key ?card|access card|badge)\b[^.!?\n]{0,40}\b(lost|missing|stolen|"
            r"not working|doesn'?t work|stopped working|won'?t work|broken|snapped|stuck|"
            r"deactivated|dead)\b",
            3,
        ),
        cue(
            r"\b(door|lock|deadbolt)\b[^.!?\n]{0,40}\b(jammed|stuck|won'?t (open|unlock|turn)|"
            r"will not (open|unlock|turn)|doesn'?t (open|unlock)|broke|broken)\b",
            2,
        ),
        cue(
            r"\bkey\b[^.!?\n]{0,20}\b(won'?t turn|doesn'?t turn|broke( off)?|snapped|stuck in)\b", 3
        ),
        cue(
            r"\b(outside|in the hall(way)?|on the doorstep|stranded|stuck outside|out front|"
            r"in the lobby|by the mailboxes)\b",
            1,
        ),
        cue(
            r"\b(locksmith|spare key|master key|let me in|let us in|unlock (my|the|our) door)\b", 2
        ),
        cue(r"\blocked\s+(him|her|them|my|our)?\s*(self|selves)?\s*(in|inside)\b", 3),
        cue(r"\b(llaves?|cerradura|no puedo entrar|afuera)\b", 3, "es"),
        cue(r"\b(schl[üu]ssel|ausgesperrt|t[üu]r (geht|klemmt))\b", 3, "de"),
        cue(r"\b(cl[ée]s?|clef|enferm[ée]e? dehors|serrure)\b", 3, "fr"),
        cue(r"\b(chave|chaves|trancad[oa]|fechadura)\b", 3, "pt"),
        cue(r"\b(chiavi|chiave|serratura|chius[oa] fuori)\b", 3, "it"),
        cue(r"\b(sleutels?|buitengesloten|slot)\b", 3, "nl"),
        cue(r"\b(klucz\w*|zatrza[sś]\w*|zamek|nie mog[eę] wej[sś][cć])\b", 3, "pl"),
        cue(r"\b(anahtar\w*|kilitl\w*|kap[ıi] a[çc][ıi]lm\w*)\b", 3, "tr"),
        cue(r"(chìa khóa|không vào được|không mở được|khóa cửa)", 3, "vi"),
        cue(r"\b(lo[ck]{1,2}e?d|lokced|lcoked|loked)\s+out\b", 4, "typo"),
    ),
    Intent.MAINTENANCE: (
        cue(r"\b(leak(s|ing|ed|y)?|drip(s|ping)?|puddle|water damage|damp|moisture)\b", 3),
        cue(
            r"\b(broken|broke|not working|doesn'?t work|stopped working|won'?t (start|turn on|"
            r"drain|flush|close|open)|isn'?t working|out of order|malfunction\w*|faulty)\b",
            2,
        ),
        cue(
            r"\b(repair|fix|replace|service|technician|plumber|electrician|handyman|"
            r"maintenance|work order|inspect)\w*\b",
            2,
        ),
        cue(
            r"\b(heat(ing|er)?|radiator|boiler|furnace|thermostat|a/?c|air ?con\w*|hvac|"
            r"hot water|water heater|no water|water pressure)\b",
            3,
        ),
        cue(
            r"\b(toilet|sink|faucet|tap|shower|bath ?tub|drain|pipe|plumbing|clog\w*|"
            r"block(ed|age)|overflow\w*|sewage)\b",
            3,
        ),
        cue(
            r"\b(dishwasher|washing machine|washer|dryer|fridge|refrigerator|freezer|oven|stove|"
            r"cooktop|microwave|disposal|appliance|extractor|fan)\b",
            2,
        ),
        cue(r"\b(outlet|socket|breaker|fuse|wiring|electric\w*|power|lights?|bulb|spark\w*)\b", 2),
        cue(
            r"\b(mou?ld|mildew|pests?|mice|mouse|rats?|roach\w*|cockroach\w*|bed ?bugs?|ants|"
            r"termites?|wasps?|infest\w*)\b",
            3,
        ),
        cue(r"\b(window|ceiling|wall|floor|carpet|tiles?|crack\w*|hole|paint|peeling)\b", 1),
        cue(
            r"\b(door|window|drawer|cabinet|cupboard)\b[^.!?\n]{0,40}\b(sticks|sticking|scrap\w+|"
            r"hinges?|hard to (open|close|shut)|won'?t (close|shut|latch)|"
            r"doesn'?t (close|shut|latch)|off (its|the) (track|rail)|draught\w*|draft\w*)\b",
            3,
        ),
        cue(
            r"\b(before it gets worse|getting worse|take a look|have a look|come (and|to) "
            r"(look|check|fix|see|adjust))\b",
            2,
        ),
        cue(r"\b(smoke (alarm|detector)|carbon monoxide|co detector|chirp\w*)\b", 3),
        cue(
            r"\b(elevator|lift|intercom|buzzer|garage door|gate|doorbell)\b[^.!?\n]{0,40}"
            r"\b(broken|stuck|not working|out|down|doesn'?t ring|not ringing|never rings|"
            r"doesn'?t work|stopped working)\b",
            3,
        ),
        cue(r"\b(gas|smoke|fire|flood\w*|burst|sparks?)\b", 2),
        cue(
            r"\b(fuga|gotera|calefacci[óo]n|agua caliente|aver[íi]a|reparar|arreglar|inodoro|"
            r"manguera|grifo|tuber[íi]a|inundad[oa]|lavadora|nevera|no cierra|no abre|roto|rota|"
            r"riel|bisagra|puerta del balc[óo]n)\b",
            3,
            "es",
        ),
        cue(
            r"\b(heizung|wasserschaden|undicht|kaputt|reparatur|warmwasser|tropft|steckdose|"
            r"sicherung|rauch|schimmel|funktioniert nicht|heizk[öo]rper|hausmeister|nicht warm|"
            r"wasser|decke|durchn[äa]sst)\b",
            3,
            "de",
        ),
        cue(
            r"\b(fuite|chauffage|panne|r[ée]parer|r[ée]paration|eau chaude|cass[ée]e?|"
            r"ne marche plus|ne fonctionne plus|moisissure|prise)\b",
            3,
            "fr",
        ),
        cue(r"\b(vazamento|aquecimento|conserto|consertar|quebrad[oa])\b", 3, "pt"),
        cue(r"\b(lekkage|lekt|verwarming|kapot|reparatie|storing)\b", 3, "nl"),
        cue(r"\b(wyciek|cieknie|ogrzewanie|zepsut\w*|naprawa|naprawi\w*|awaria)\b", 3, "pl"),
        cue(r"\b(s[ıi]z[ıi]nt[ıi]|kalorifer|[ıi]s[ıi]tma|bozuk|tamir|ar[ıi]za)\b", 3, "tr"),
        cue(r"(rò rỉ|sửa chữa|bị hỏng|máy sưởi|nước nóng)", 3, "vi"),
        cue(
            r"\b(perdita|riscaldamento|guasto|riparare|rott[oa]|finestra|maniglia|rubinetto|"
            r"lavatrice|lavastoviglie|frigorifero|perde|pozza|scarico|muffa|"
            r"caldaia|non funziona|non si chiude|sistemar\w*)\b",
            3,
            "it",
        ),
    ),
    Intent.RENT: (
        cue(r"\b(rent|rental payment)\b", 3),
        cue(
            r"\b(pay(ment|ments|ing|ed)?|paid|pay ?pal|zelle|venmo|cheque|check|money order|"
            r"bank transfer|wire|direct debit|autopay|auto-?pay|standing order|e-?transfer)\b",
            2,
        ),
        cue(
            r"\b(balance|owe|owing|outstanding|overdue|arrears|late fee|late charge|fee|charged?|"
            r"invoice|statement|ledger|receipt|refund|credit|debit)\b",
            2,
        ),
        cue(r"\bsecurity deposit\b|\bdeposit (back|return\w*|refund\w*)\b", 4),
        cue(r"\b(due date|grace period|due on the)\b", 3),
        cue(r"\b(sent|transferred|paid|wired)\b (you )?(the |my )?[$€£]?\d{3,}", 3),
        cue(
            r"\b(deposit|security deposit|proration|prorated|rent increase|increase|renewal|"
            r"lease (renewal|terms|agreement)|payment plan|installments?|extension)\b",
            2,
        ),
        cue(r"[$€£]\s?\d|\b\d+(\.\d\d)?\s?(dollars|usd|eur|euros)\b", 2),
        cue(r"\b(alquiler|renta|pago|pagar|dep[óo]sito)\b", 3, "es"),
        cue(r"\b(miete|zahlung|bezahlt|überweisung|kaution|mahnung)\b", 3, "de"),
        cue(r"\b(loyer|paiement|pay[ée]|virement|caution|quittance)\b", 3, "fr"),
        cue(r"\b(aluguel|pagamento|cau[çc][ãa]o)\b", 3, "pt"),
        cue(r"\b(affitto|pagamento|canone|caparra)\b", 3, "it"),
        cue(r"\b(huur|betaling|betaald|borg)\b", 3, "nl"),
        cue(r"\b(czynsz\w*|op[łl]at\w*|kaucj\w*|przelew\w*)\b", 3, "pl"),
        cue(r"\b(kira|[öo]deme\w*|depozito)\b", 3, "tr"),
        cue(r"(tiền thuê|thanh toán|tiền cọc)", 3, "vi"),
    ),
    Intent.GENERAL: (
        cue(r"\b(parking|park(ed)?|car|vehicle|garage space|permit|tow(ed)?|bike|bicycle)\b", 3),
        cue(r"\b(extra|additional|duplicate|second|cop(y|ies) of)\b[^.!?\n]{0,25}\bkeys?\b", 3),
        cue(r"\bkeys? cop(y|ies)\b", 3),
        cue(
            r"\b(thanks?|thank you)\b[^.!?]{0,80}\b(fix(ed|ing)?|came|repair(ed)?|sorted|"
            r"replaced)\b",
            6,
        ),
        cue(r"\b(works?|working) (well|perfectly|fine|great) now\b|\bno more (water|leak\w*)\b", 3),
        cue(
            r"\b(notice|schedule|what time|when is|when will|announcement|newsletter|"
            r"notifications?|portal|unsubscribe)\b",
            2,
        ),
        cue(
            r"\b(would it be|is it) (ok|okay|alright|fine|possible)\b|\bmay i\b|"
            r"\bdo i need (permission|approval)\b",
            2,
        ),
        cue(
            r"\b(am i|are we|is it|are tenants|can i|could i)\s+(allowed|permitted|ok|okay|able)\b",
            2,
        ),
        cue(r"\b(noise|noisy|loud|music|party|parties|barking|neighbou?rs?|quiet hours)\b", 2),
        cue(r"\b(package|parcel|delivery|mail ?room|mailbox|courier|parcel locker)\b", 3),
        cue(r"\b(wi-?fi|internet|password|pw|lounge)\b", 2),
        cue(r"\b(move|moving|move-?out|move-?in|notice to vacate|vacate|sublet|roommate)\b", 2),
        cue(r"\b(pets?|dogs?|cats?|puppy|kitten)\b", 2),
        cue(
            r"\b(gym|pool|laundry room|amenit\w+|clubhouse|rooftop|bbq|grill|storage|book(ing)?"
            r"|reserv\w+)\b",
            2,
        ),
        cue(
            r"\b(trash|garbage|recycling|bins?|smoking|complain\w*|question|wondering|"
            r"information|info)\b",
            1,
        ),
        cue(r"\b(aparcamiento|ruido|vecinos?|paquete|mudanza)\b", 2, "es"),
        cue(r"\b(parkplatz|lärm|nachbarn?|paket|umzug)\b", 2, "de"),
        cue(r"\b(stationnement|bruit|voisins?|colis|d[ée]m[ée]nagement)\b", 2, "fr"),
    ),
}

# Words that turn a maintenance or lockout cue into something else ("gas bill",
# "locked into a lease", "heated argument"): cancelled before scoring.
MASKS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bgas (bill|company|meter reading|charges?|payment|usage|account)\b",
        r"\b(electric(ity)?|water|utility|utilities) (bill|charges?|payment|account)\b",
        r"\blocked (in|into) (a|my|the|our|this) (\d+[- ]month )?(lease|contract|agreement)\b",
        r"\b(heated|heat of the) (argument|discussion|debate|exchange)\b",
        r"\bkey (question|point|issue|date|dates|thing|concern)\b",
        r"\b(data|information|privacy|personal info\w*) (leak|breach)\w*\b",
        r"\bleak(ed|ing)? (my|our|his|her|their) (personal|private) ",
        r"\bflood of (complaints|emails|messages|calls)\b",
        r"\bflood ?lights?\b",
        r"\blocked out of (?:[\w-]+ ){0,3}(account|portal|website|app|login|system|e-?mail)\b",
        r"\bllave de paso\b",
        r"\b(fire|smoke) alarm test(ing|s)?\b",
        r"\bflooded with (mail|letters|e-?mails|calls|messages|complaints|catalogu?es|junk|spam|"
        r"requests|post|parcels|packages)\b",
        r"\b(gas|propane|charcoal|electric) (grill|bbq|barbecue)s?\b",
        r"\bfire (rules?|code|regulations?|safety)\b",
        r"\bfire (drill|inspection|extinguisher inspection|safety notice)\b",
        r"\bfired (me|from)\b",
        r"\bsmoking (policy|area|ban)\b",
    )
)

EMERGENCY_CUES: tuple[Cue, ...] = (
    cue(
        r"\b(smell\w*|smelt|odou?r|stink\w*)\b[^.!?\n]{0,30}\b(gas|propane|rotten eggs?)\b",
        1,
        "smell of gas",
    ),
    cue(r"\bgas (leak\w*|smell\w*)\b|\brotten[- ]eggs?\b", 1, "smell of gas"),
    cue(
        r"\b(panel|breaker\w*|fuse ?box|outlet|socket|switch|wiring|plug|cord)\b[^.!?\n]{0,60}"
        r"\b(hot to the touch|buzzing|melting|melted|scorch\w*|sizzl\w*)\b|"
        r"\bsmell\w*[^.!?\n]{0,30}\bburn\w*|\bburn(ing|t) (plastic|rubber|wire\w*)\b",
        1,
        "fire or smoke",
    ),
    cue(
        r"\b(flood(ed|ing)?|flooded|water (is )?(pouring|gushing|streaming|flowing|coming) "
        r"(in|through|down|out|from)|burst pipe|pipe (has )?burst|ankle[- ]deep|"
        r"water everywhere|ceiling (is )?(collaps\w+|caving))\b",
        1,
        "flooding",
    ),
    cue(
        r"\boverflow(ed|ing|s)?\b(?=[\s\S]{0,150}\bwater\b)|\bwater\b[^.!?\n]{0,40}"
        r"\b(all over|everywhere|still coming|won'?t stop|under the door|into the hall\w*)\b",
        1,
        "flooding",
    ),
    cue(
        r"\b(on fire|caught fire|fire in|a fire|flames?|smoke (is )?(coming|pouring|filling)|"
        r"full of smoke|smell\w* (of )?(burning|smoke)|burning smell|smoke everywhere)\b",
        1,
        "fire or smoke",
    ),
    cue(
        r"\b(spark(s|ing|ed)?|exposed wir\w*|live wires?|wires? (are )?(exposed|hanging)|"
        r"(outlet|socket|switch|panel) (is )?(smoking|melting|burning|scorched|sizzling))\b",
        1,
        "sparking or exposed wiring",
    ),
    cue(
        r"\b(no heat|heat(ing)? (is )?(off|out|not working|broken|dead)|without heat|"
        r"furnace (is )?(off|out|dead|broken|not working)|boiler (is )?(off|out|dead|broken))\b"
        r"(?=[\s\S]{0,200}\b(freez\w*|below (zero|freezing)|sub-?zero|minus \d+|-\d+ ?°|"
        r"\d+ ?°?f\b|ice|icy|snow\w*|frigid|bitter(ly)? cold)\b)",
        1,
        "no heat in freezing weather",
    ),
    cue(
        r"\b(freez\w*|below (zero|freezing)|sub-?zero|frigid)\b(?=[\s\S]{0,200}\b(no heat|"
        r"heat(ing)? (is )?(off|out|not working|broken)|without heat)\b)",
        1,
        "no heat in freezing weather",
    ),
    cue(
        r"\b(baby|infant|toddler|child|children|kid|kids|son|daughter|newborn)\b[^.!?\n]{0,60}"
        r"\b(locked\s+(him|her|them|it)?\s*(self|selves)?\s*(in|inside)|inside alone|"
        r"alone inside|trapped)\b",
        1,
        "child locked in",
    ),
    cue(
        r"\b(locked (in|out))\b[^.!?\n]{0,60}\b(baby|infant|toddler|child|kid|son|daughter|"
        r"elderly|grandm\w+|grandf\w+|grandparent|disabled|wheelchair|medication|insulin|"
        r"oxygen)\b",
        1,
        "vulnerable person locked in or out",
    ),
    cue(
        r"\b(elderly|grandm\w+|grandf\w+|grandparent|disabled|wheelchair|pregnant)\b"
        r"[^.!?\n]{0,80}\b(locked out|stuck outside|can'?t get in|cannot get in)\b",
        1,
        "vulnerable person locked in or out",
    ),
    cue(
        r"\b(chauffage|heizung|calefacci[óo]n|riscaldamento|aquecimento)\b[^.!?\n]{0,60}"
        r"\b(ne marche|ne fonctionne|marche plus|funktioniert nicht|kaputt|ausgefallen|"
        r"no funciona|non funziona|n[ãa]o funciona)"
        r"(?=[\s\S]{0,200}(-\s?\d+|minus \d+|gel|frost|helada|gelo|glacial|eiskalt))",
        1,
        "no heat in freezing weather",
    ),
    cue(
        r"\b(rauch|verbrannt|brennt|fum[ée]e|br[ûu]l[ée]|humo|quemado|fumo|bruciato)\b",
        1,
        "fire or smoke",
    ),
    cue(
        r"\b(huele a gas|olor a gas|inundaci[óo]n|inundad[oa]|agua por todas partes|"
        r"much[íi]sima agua|überflutet|unter wasser|inond[ée]e?|allagat[oa]|"
        r"zapach gazu|wyciek gazu|gaslucht|ruik gas|gaslukt|luktar gas|"
        r"wasser (l[äa]uft|kommt|str[öo]mt|tropft) aus der decke|aus der decke|"
        r"incendio|fuego|gasgeruch|riecht nach gas|"
        r"überschwemm\w*|feuer|brand|odeur de gaz|inondation|incendie|cheiro de gás|"
        r"inunda[çc][ãa]o|odore di gas|allagamento|incendio)\b",
        1,
        "emergency (non-English)",
    ),
)

# Heating that does not work; an emergency when it is freezing (see `offline._freezing`).
NO_HEAT = re.compile(
    r"\b(no heat(ing)?|heat(ing|er)? (is |has )?(off|out|gone|not working|broken|dead|died|"
    r"stopped)|"
    r"without heat(ing)?|(furnace|boiler|radiators?) (is |are |has )?(off|out|dead|broken|cold|"
    r"not working|stopped|died)|keine heizung|heizung (ist )?(aus|kaputt|ausgefallen)|"
    r"pas de chauffage|plus de chauffage|sin calefacci[óo]n|senza riscaldamento|"
    r"sem aquecimento|geen verwarming|brak ogrzewania)\b",
    re.IGNORECASE,
)
FREEZING_WORDS = re.compile(
    r"\b(freez\w*|below (zero|freezing)|sub-?zero|frigid|frost\w*|icy|ice on|snow\w*|"
    r"bitter(ly)? cold|gel\w*|helad\w*|eiskalt|frio intenso|mróz|donduruc\w*)\b",
    re.IGNORECASE,
)
TEMPERATURE = re.compile(
    r"(?<![\w.])(?P<sign>-|−|minus\s?)?(?P<value>\d{1,3})\s?(?:°|º|degrees?\b|deg\b)\s?"
    r"(?P<unit>[cf]\b)?|(?P<bare>-|−)(?P<bare_value>\d{1,2})\b",
    re.IGNORECASE,
)

# Someone who cannot wait outside, or must not stay shut in, when a lockout happens.
VULNERABLE = re.compile(
    r"\b(baby|babies|infant|toddler|newborn|child|children|kids?|son|daughter|"
    r"\d+[- ](year|month|yr)s?[- ]old|elderly|dementia|grand(ma|pa|mother|father|parent)s?|"
    r"wheelchair|disabled|disability|pregnant|b[ée]b[ée]|fille|fils|enfant|niñ[oa]|hij[oa]|"
    r"tochter|sohn|bambin[oa]|figli[oa]|crian[çc]a|dziecko|syn|córka|çocuk\w*|"
    r"heart condition|walks with a (frame|cane|stick|walker)|frail|"
    r"(mum|mom|mother|dad|father|grandm\w+|grandf\w+)\b[^.!?]{0,40}\b(8\d|9\d)\b|"
    r"medical condition|diabet\w*|seizures?|alzheimer\w*|oxygen|"
    r"(she|he)(['’]s| is) (6[5-9]|[7-9]\d)|(6[5-9]|[7-9]\d)[- ]?(year|yr)s?[- ]old)\b"
    r"|con trai|con gái|con tôi|cháu",
    re.IGNORECASE,
)

# Phrases that describe a harmless situation and must not raise an emergency.
EMERGENCY_MASKS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bsmoke (alarm|detector)s?\b[^.!?\n]{0,40}\b(chirp\w*|beep\w*|battery|batteries|test)\w*",
        r"\b(chirp\w*|beep\w*)\b[^.!?\n]{0,40}\bsmoke (alarm|detector)s?\b",
        r"\bfire (drill|inspection|alarm test|extinguisher)\b",
        r"\bgas (bill|company|meter|stove|oven|cooktop|charges?)\b(?![^.!?\n]{0,20}smell)",
        r"\bflood(ed)? (of|with)\b",
        r"\bflood ?lights?\b",
        r"\b(no|not any|without|nor)\s+(sign of |smell of |trace of )?(fire|smoke|gas|sparks?|"
        r"flooding|burning|heat issues?)( smell)?\b",
        r"\bnothing (hot|burning|smoking)\b",
        r"\b(cigarette|cigar|tobacco|weed|cannabis|marijuana|vape|vaping|second-?hand|bbq|"
        r"barbecue|grill|cooking|incense|candle) smoke\b",
        r"\b(not|isn'?t|wasn'?t|no longer) (an )?emergency\b",
    )
)

FOREIGN_WORDS = frozenset(
    # Spanish, German, French, Portuguese, Italian, Polish, Vietnamese function words.
    (
        "el la los las de del que y en un una por para con es está están mi mis su hola gracias "
        "der die das und ist nicht ich mein meine wir sie mit von zu bitte danke hallo "
        "le les des et est je mon ma mes nous vous avec pour pas bonjour merci "
        "o os as um uma não eu meu minha com obrigado olá "
        "il gli che è non io mio mia sono grazie ciao "
        "nie jest się na w z że mój moja dziękuję dzień "
        "tôi không của và là có cho với xin cảm ơn chào"
    ).split()
)

ENGLISH_WORDS = frozenset(
    (
        "the a an and or but is are was were be been my our your i we you it this that to of in "
        "on for with at from have has had not no can could would will please thanks thank hi "
        "hello there here since when what which who how do does did just still again"
    ).split()
)
