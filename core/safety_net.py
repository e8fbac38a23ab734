"""The safety net: a recall-first screen for danger, on every email, whatever drafted it.

It reads the writer's own words for danger to people or property — someone
trapped, hurt or vulnerable, fire, smoke, gas, carbon monoxide, sparks,
water through ceilings or into electrics, sewage, no heat or water in
dangerous weather, things falling down, break-ins, threats — in English and
the other languages tenants write in. It errs toward "a person looks":

- `fires`: danger is described; the item is an emergency (reviewed, never
  auto-sent, its ticket filed at once), whatever a model said;
- `unsure`: danger words appear only denied, hypothetical or past ("no smell
  of gas", "what should I do if there's a fire", "the leak last week"); the
  item goes to review with the reason, but is not paged as an emergency.

Each finding carries the words it matched, so the operator sees why.
Pure functions; the danger patterns are data, in `core.dangers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.dangers import DANGERS, FLAGS, VULNERABLE

# Words near a danger word that deny it, put it in the past, or make it hypothetical.
HEDGE = re.compile(
    r"\b(no|not|never|nothing|without|isn'?t|wasn'?t|aren'?t|don'?t|doesn'?t|didn'?t|"
    r"no longer|any more|anymore|if|in case|whether|would|should|could|ever|hypothetical|"
    r"test(ing)?|drill|last (week|month|year|time)|used to|years? ago|bill|invoice|"
    r"no emergency|not (an )?(emergency|urgent)|nothing urgent|no rush|theoretical\w*|"
    r"hypothetic\w*|théorique|hypothétique|s'il|si jamais|'d (love|like)|"
    r"sin|sans|kein|keine|nicht|sem|senza|bez|không|nie|ni|jamais|nunca|mai|"
    r"si|se|wenn|falls|caso|gdyby|nếu|en cas|en caso|im (brand|not)fall|em caso|in caso|"
    r"w razie|trong trường hợp)\b",
    FLAGS,
)
# Anywhere in the sentence: the danger is over, or was never there.
OVER = re.compile(
    r"\b(false alarm|all clear|already (cleared|out|fixed|mopped|cleaned|sorted|gone|over)|"
    r"(was|were|got|been|has been|have been) (fixed|repaired|sorted|resolved|replaced|put out|"
    r"cleaned up|mopped up)|turned out|was nothing|briefly|then (it )?(started|moved|carried on|"
    r"went on)|no harm|nobody (was )?hurt|everyone('s| is) (fine|ok|okay)|"
    r"(video )?games?|gaming|on (the )?tv|in a movie|videos?|youtube|film|incense|nhang|hương|"
    r"sounds worse than it is|(joking|kidding)|carried on|started (again|moving)|"
    r"for (about )?a (minute|moment|few (seconds|minutes))|that was (us|me))\b",
    FLAGS,
)
# A question that reports nothing happening now ("are there smoke detectors?", "what is
# the number to call for a burst pipe?") is asked, not reported.
QUESTION = re.compile(r"\?\s*$")
HAPPENING = re.compile(
    r"\b(now|right now|currently|at the moment|started|starting|is (coming|pouring|leaking|"
    r"going|getting)|are (coming|stuck|trapped)|keeps|won'?t stop|can'?t|cannot|help|"
    r"smell|see|hear|ahora|maintenant|jetzt|agora|adesso|teraz|bây giờ)\b",
    FLAGS,
)
# Harmless uses of danger words, taken out before screening.
HARMLESS = re.compile(
    r"\b(fire (drill|alarm test|extinguisher|safety|door|exit|place|pit|works?)|"
    r"fireplace|wood ?stove|chimney|fireworks|turkey fryer|barbecue|bbq|fire[- ]safe\w*|"
    r"sprinklers?|fire alarm(?!s? (is |are |keeps |has been |just )?(going off|went off|"
    r"ringing|sounding|blaring|won't stop))|simulacro|exercice (d'évacuation|incendie)|"
    r"(brand|feuer)schutzübung|simulação|esercitazione|ćwiczeni\w*|diễn tập|"
    r"smoke (detector|alarm)s?(?!,? (is |are |keeps |has been |just )?(going off|went off|"
    r"ringing|sounding|blaring|won't stop|and (i|we) (smell|see)))|"
    r"smoke (detector|alarm)s?\b.{0,60}\b(chirp\w*|beep\w*|battery|batteries|test\w*|light|"
    r"blink\w*|flash\w*|status|cook\w*|toast|steam|shower|sear\w*|fry\w*|sensitive|bacon)|"
    r"(co|carbon monoxide) (detector|alarm)s?\b.{0,60}\b(chirp\w*|battery|batteries|low|"
    r"test\w*)|(chirp\w*|battery|batteries)\b.{0,60}\b(smoke|co|carbon monoxide) "
    r"(detector|alarm)|smoke[- ]free|no[- ]smoking|"
    r"gas (bill|stove|cooker|hob|oven|station|prices?|company (called|said))|"
    r"heat(ing)? (bill|cost)|dying to|killing me|killer|to die for|flood of|"
    r"a fire under|fired from|fire(d)? (him|her|them)|lit candles?|candle|"
    r"trapped in (this|my|a|the) (lease|contract|job|situation|loop)|"
    r"bleed(ing)? (the )?radiators?|radiators? (need|needs|needed) (bleeding|to be bled)|"
    r"bled the radiators?|(car|vehicle|bike|bicycle|storage locker|mailbox|locker) (was |got )?"
    r"broken into|broke into (my|the|a|our) (car|vehicle|bike|locker)|"
    r"police (report|station) (for|about) (a )?(parcel|package|bike)|the police came by|"
    r"burning (question|issue|desire)s?|flood ?lights?|floodlit|flooded with (?!water|sewage)\w+|"
    r"(key|keys|card|fob|clé|clef|schlüssel|llave|chave|chiave|klucz)\b.{0,30}\b(stuck|snapped|"
    r"broke\w*|jammed|coincé\w*|bloqué\w*|steckt|atascad\w*|bloccat\w*|utknął|pres[ao])( in)?|"
    r"locked in(to)? (a|an|my|our|the)\b.{0,20}\b(lease|contract|rate|price|deal|tenancy)|"
    r"stuck in (the )?(corridor|hallway|hall|traffic|queue|line|lock|keyhole|door))\b",
    FLAGS,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


# Someone smoking: "smoke" here is a nuisance, not a fire.
TOBACCO = re.compile(
    r"\b(cigarettes?|cigars?|vap(e|es|ing)|weed|smoker|smokes|second-?hand smoke|smoking (on|in|"
    r"outside|near|at)|tabac|zigarett|cigarro|sigaret|papieros|thuốc lá)\b",
    FLAGS,
)


NOT_AN_EMERGENCY = re.compile(
    r"\b(not an? (emergency|urgent)|no emergency|nothing urgent|not urgent|no urgencia|"
    r"pas une urgence|pas urgent|kein notfall|nicht dringend|não é (uma )?emergência|"
    r"non è (un'?)?emergenza|non urgente|to nie (jest )?nagłe|không khẩn cấp)\b",
    FLAGS,
)


@dataclass(frozen=True)
class Finding:
    kind: str
    reason: str
    words: str  # what it matched, as written
    certain: bool  # False: only denied, hypothetical or past


@dataclass(frozen=True)
class Screening:
    findings: tuple[Finding, ...] = ()

    @property
    def fires(self) -> bool:
        return any(f.certain for f in self.findings)

    @property
    def unsure(self) -> bool:
        return bool(self.findings) and not self.fires

    def reason(self) -> str:
        """ "a person may be trapped: 'stuck in the lift'" (the first certain finding first)."""
        ordered = sorted(self.findings, key=lambda f: not f.certain)
        return "; ".join(f"{f.reason}: '{f.words}'" for f in ordered[:2])

    @property
    def kind(self) -> str:
        certain = [f for f in self.findings if f.certain]
        return (certain or list(self.findings) or [Finding("", "", "", False)])[0].kind


NO_DANGER = Screening()


def _hedged(sentence: str, start: int) -> bool:
    """Denied, hypothetical, past or over, or asked about rather than reported."""
    asked = QUESTION.search(sentence) and not HAPPENING.search(sentence)
    return bool(HEDGE.search(sentence[:start]) or OVER.search(sentence) or asked)


# Danger that takes two facts anywhere in a message: no heat and a cold reading (or
# someone frail), no water and someone frail or a heat wave, a CO alarm and headaches.
_COLD = (
    r"freez\w*|below (zero|freezing)|minus \d+|-\d+ ?°|frost|frozen|snow\w*|\bicy\b|"
    r"\b([0-9]|1[0-2]) ?(°|degrees? c|º)|\b([0-9]|1[0-2]) ?°? ?c\b|\b([3-4]\d|5[0-4]) ?(°|degrees?)"
    r" ?f?\b|\b([0-9]|1[0-2]) (stopni|grad|grados|degrés|gradi|graus|độ)\b|eiskalt|"
    r"einfrier|zamarz\w*|congel\w*|gel(é|ée|ent)|gelo|ghiacc\w*|đóng băng|cold (night|snap)"
)
NO_HEAT = re.compile(
    r"\bno heat(ing)?\b|\bwithout heat\b|\bheat(ing|er)?\b.{0,30}\b(off|out|not working|broken|"
    r"gone|stopped|died|dead)\b|\bradiators?\b.{0,40}\b(cold|freezing|off|not (working|warm)|"
    r"ice)\b|\bboiler\b.{0,30}\b(off|broken|out|dead|not working|stopped)\b|"
    r"sin calefacción|no (hay|funciona la) calefacción|sans chauffage|pas de chauffage|"
    r"chauffage (en panne|coupé|ne marche)|keine heizung|heizung\b.{0,30}\b(aus|kaputt|"
    r"ausgefallen|funktioniert nicht)|heizkörper\b.{0,20}\b(kalt|eiskalt)|sem aquecimento|"
    r"aquecimento (avariado|desligado)|senza riscaldamento|riscaldamento (rotto|spento|guasto)|"
    r"bez ogrzewania|nie ma ogrzewania|ogrzewanie nie działa|không có (sưởi|lò sưởi)|"
    r"(máy|lò) sưởi (hỏng|không chạy)",
    FLAGS,
)
NO_WATER = re.compile(
    r"\bno (running |hot or cold |cold or hot )?water\b|\bwithout water\b|\bwater\b.{0,20}"
    r"\b(off|cut off|shut off|stopped)\b|sin agua|no (hay|tengo) agua|sans eau|pas d'eau|"
    r"kein wasser|sem água|senza acqua|non ha più acqua|bez wody|nie ma wody|không có nước",
    FLAGS,
)
_HOT = r"heat ?wave|heat ?stroke|boiling|scalding|\b(3\d|4\d) ?°? ?c\b|\b(9\d|1[01]\d) ?°? ?f\b"
_SYMPTOMS = (
    r"headache|head ache|nause\w*|dizz\w*|feel(ing)? (sick|faint|sleepy)|vomit\w*|"
    r"drowsy|mal de tête|kopfschmerz|dolor de cabeza|dor de cabeça|mal di testa|ból głowy|"
    r"đau đầu|buồn nôn"
)
CO_WORDS = re.compile(
    r"carbon monoxide|\bco (alarm|detector)|monóxido|monoxyde|kohlenmonoxid|co-melder|"
    r"monossido|czad|khí co",
    FLAGS,
)
CONDITIONS = (
    ("no_heat", "no heat in dangerous cold", NO_HEAT, re.compile(f"{_COLD}|{VULNERABLE}", FLAGS)),
    (
        "no_water",
        "no water for someone frail, or in a heat wave",
        NO_WATER,
        re.compile(f"{_HOT}|{VULNERABLE}|since yesterday|\\d+ days|24 ?h", FLAGS),
    ),
    ("co", "a carbon-monoxide alarm with symptoms", CO_WORDS, re.compile(_SYMPTOMS, FLAGS)),
)


def _conditions(text: str) -> list[Finding]:
    found = []
    for kind, reason, first, second in CONDITIONS:
        for sentence in _SENTENCE.findall(text):
            match = first.search(HARMLESS.sub(" ", sentence))
            if match and second.search(text):
                words = " ".join(match.group(0).split())[:60]
                certain = not _hedged(sentence, match.start())
                found.append(Finding(kind, reason, words, certain))
                break
    return found


def screen(subject: str, text: str) -> Screening:
    """Danger in a subject and the writer's own words (quotes already removed)."""
    whole = f"{subject}.\n{text}"
    # The writer says it is not an emergency, or the smoke is someone smoking: a person
    # still looks, but nobody is paged.
    denied = bool(NOT_AN_EMERGENCY.search(whole))
    tobacco = bool(TOBACCO.search(whole))
    findings: dict[str, Finding] = {}
    for sentence in _SENTENCE.findall(whole):
        cleaned = HARMLESS.sub(" ", sentence)
        for danger in DANGERS:
            if danger.kind == "smoke" and TOBACCO.search(cleaned):
                continue
            mild = denied or (tobacco and danger.kind == "smoke")
            for match in danger.pattern.finditer(cleaned):
                certain = not mild and not _hedged(cleaned, match.start())
                known = findings.get(danger.kind)
                if known is None or (certain and not known.certain):
                    words = " ".join(match.group(0).split())[:60]
                    findings[danger.kind] = Finding(danger.kind, danger.reason, words, certain)
    for finding in _conditions(whole):
        if denied:
            finding = Finding(finding.kind, finding.reason, finding.words, False)
        known = findings.get(finding.kind)
        if known is None or (finding.certain and not known.certain):
            findings[finding.kind] = finding
    return Screening(tuple(findings.values()))
