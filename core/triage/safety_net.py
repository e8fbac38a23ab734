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
Pure functions; the danger patterns are data, in `core.triage.dangers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from core.triage.circumstances import HEAT_FAILED, VULNERABLE
from core.triage.dangers import DANGERS, FLAGS
from core.triage.prefilter import Prefilter
from core.triage.standing import Standing, goes_on_later, resolved_near, standing_of

# Harmless uses of danger words, taken out before screening.
HARMLESS = re.compile(
    r"\b(fire (drill|alarm test|extinguisher|safety|door|exit|place|pit|works?)|"
    r"fireplace|wood ?stove|chimney|fireworks|turkey fryer|barbecue|bbq|fire[- ]safe\w*|"
    r"\w+-burning|"
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
    # Eggy water from a heater or a drain: sulphur in the water, not gas in the air.
    r"(hot water|tap water|the taps?|drains?|plughole|shower)\b.{0,60}\b(smells?|smelt|smelled|"
    r"stinks?) (of|like) (rotten )?eggs|(smells?|smell) (of|like) (rotten )?eggs\b.{0,30}\b(from|"
    r"in) the (hot water|taps?|drains?|shower|sink)|"
    r"heat(ing)? (bill|cost)|dying to|killing me|killer|to die for|flood of|"
    # "Burning hot" says how hot, not that anything burns: "hot" itself stays to be read.
    r"(burning|scorching|boiling|roasting|baking|blazing)(?=[- ]hot\b)|"
    r"a fire under|fired from|fire(d)? (him|her|them)|lit candles?|candle|"
    r"trapped in (this|my|a|the) (lease|contract|job|situation|loop)|"
    r"bleed(ing)? (the )?radiators?|needs? bleeding|need to be bled|bleeding (it|them)|"
    r"radiators? (need|needs|needed) (bleeding|to be bled)|"
    r"bled the radiators?|(car|vehicle|bike|bicycle|storage locker|mailbox|locker) (was |got )?"
    r"broken into|broke into (my|the|a|our) (car|vehicle|bike|locker)|"
    r"police (report|station) (for|about) (a )?(parcel|package|bike)|the police came by|"
    r"burning (question|issue|desire)s?|flood ?lights?|floodlit|flooded with (?!water|sewage)\w+|"
    r"(key|keys|card|fob|clé|clef|schlüssel|llave|chave|chiave|klucz)\b.{0,30}\b(stuck|snapped|"
    r"broke\w*|jammed|coincé\w*|bloqué\w*|steckt|atascad\w*|bloccat\w*|utknął|pres[ao])( in)?|"
    r"locked in(to)? (a|an|my|our|the)\b.{0,20}\b(lease|contract|rate|price|deal|tenancy)|"
    r"stuck in (the )?(corridor|hallway|hall|traffic|queue|line|lock|keyhole|door)|"
    r"chìa khóa\b.{0,30}\bkẹt|kẹt xe|(atrapad[oa]|atascad[oa]|coincée?|bloccat[oa]|pres[oa]|"
    r"utknął\w*|steck\w*) (en el|no|nel|dans les?|im|w) (tráfico|trânsito|traffico|"
    r"embouteillages?|bouchons?|stau|korku)|"
    r"(heat|glue|nail|staple|caulk\w*|spray|paint|hot glue|nerf|water|toy) guns?|"
    r"(you|you guys|y'?all|team|you'?re|you are|the crew)( are| were)? on fire|"
    r"(pilot|burner|stove|hob|gas|candle) flames?|flames? (is|was|looks?) (on|blue|normal|fine|"
    r"lit|small|steady)|blue flame|"
    r"(work|life|things|the week|my week|business|sales|the market|my inbox|my phone)( has been|"
    r" is| was| has been)? on fire|"
    r"(fault|warning|status|indicator|led|pilot|power|green|red|yellow) (light|lamp)|"
    r"(détecteur|detector|detectores|alarma|alarme|sensor) de (fumée|humo|fumo|fumaça)|"
    r"rauchmelder|(rilevatore|allarme|sensore) (di |del )?fumo|czujnik dymu|"
    r"(máy|chuông|thiết bị) báo (khói|cháy)|báo cháy|phòng cháy|chữa cháy|pccc|"
    r"(bird|birds|pigeon|squirrel|mouse|mice|bat|cat|clothes|laundry|washing|drawer|"
    r"zip(per)?|car|ball|toy|frisbee)s? (is |are |was |got )?(stuck|trapped))\b",
    FLAGS,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


# Someone smoking, grilling or burning incense: "smoke" here is a nuisance, not a fire.
TOBACCO = re.compile(
    r"\b(cigarettes?|cigars?|vap(e|es|ing)|weed|smoker|smokes|second-?hand smoke|smoking (on|in|"
    r"outside|near|at)|tabac|zigarett|cigarro|sigaret|papieros|thuốc lá|grill\w*|barbecue|bbq|"
    r"incense|wood ?(smoke|burning|stove)|fireplace|chimney|bonfire|cooking|"
    r"burn(t|ed) (the |my |some )?(toast|food|dinner|pan|pancakes|rice|popcorn|bacon)|"
    r"cocinando|cocinar|tostadas?|se me quemó (la|el) (comida|cena|sartén)|cuisson|"
    r"crêpes?|brûlé (mes|mon|ma|le|la|les) \w+|kochen|gekocht|angebrannt|toast|cozinhando|"
    r"cozinhar|torradas?|queimei (a|o) (comida|jantar)|cucinando|cucinare|pane tostato|"
    r"bruciato (la|il) \w+|gotując|gotowa(ł|łam|łem|nie)|przypali\w+|tosty?|nấu ăn|"
    r"nướng bánh|bếp nướng|nướng than|nướng thịt|parrilla|barbacoa|asador|churrasc\w*|"
    r"griglia\w*|"
    r"fumo di sigaretta|humo de (cigarr\w*|tabaco)|fumée de (cigarette|tabac)|zigarettenrauch|"
    r"fumo de cigarro|dym papierosowy|raucht|rauchen|raucher\w*|fuma|fumar|fume|fumer|fumare|"
    r"pali (papierosy|na)|hút thuốc|vàng mã|nhang|đốt hương|(people|residents|neighbou?rs?|"
    r"tenants|someone|they|he|"
    r"she) smokes? (on|in|outside|at|out)|butts?)\b",
    FLAGS,
)
# A detector's battery or end of life: a chirp, not an alarm.
BATTERY = re.compile(
    r"\b(batter(y|ies)|low[- ]batt\w*|chirp\w*|end of (its )?life|expired|replace(ment)? date|"
    r"pila|pilas|pile|piles|batterie\w*|bateria\w*|batteria|baterii|bateri\w*|akku|pin yếu|"
    r"hết pin|\"?end\"?|lebensdauer|fin de vie|vida útil|durata)\b",
    FLAGS,
)
DETECTED = frozenset({"smoke", "co"})  # dangers a detector reports
# The writer says it is not an emergency. They can judge an inconvenience (water, cold,
# a door, being stuck somewhere safe), not a hidden danger (gas, smoke, wiring, a fall).
NOT_AN_EMERGENCY = re.compile(
    r"\b(not an? (emergency|urgent)|no emergency|not an emergency|nothing urgent|no urgencia|"
    r"pas une urgence|kein notfall|não é (uma )?emergência|non è (un'?)?emergenza|"
    r"to nie (jest )?nagłe|không khẩn cấp)\b",
    FLAGS,
)
# The body says the headline's danger is not there: "nothing is leaking, I checked".
ALL_CLEAR = re.compile(
    r"\b(nothing (is |was |'s )?(leaking|burning|on fire|smoking|flooding)|there'?s no (leak|fire)"
    r"|(is|was|it'?s) not (a |from a )?(leak|fire)|nada (se )?(está )?(quemando|goteando)|"
    r"rien ne (brûle|fuit)|nichts (brennt|leckt|tropft)|nada (está )?(a )?(queimar|vazar)|"
    r"niente (brucia|perde)|nic (się )?nie (pali|cieknie)|không có gì (cháy|rò rỉ|bị rò))\b",
    FLAGS,
)
# The writer looked and says nobody is in there: "there's nobody in it", "nobody was
# stuck". (Not "nobody was hurt" or "everyone is out": said of real fires and floods.)
# It weighs against the model's score for a danger to life, never against a pattern.
NOBODY_IN_DANGER = re.compile(
    r"\b((nobody|no one|no-one) (is |was |'s |got )?(in it|inside|in there|stuck|trapped)|"
    r"there'?s (nobody|no one) (in it|inside|in there)|nadie (está |estaba |quedó )?(dentro|"
    r"atrapad[oa])|no hay nadie dentro|personne n'(est|était) (à l'intérieur|coincée?|bloquée?)|"
    r"il n'y a personne (dedans|à l'intérieur)|niemand (ist |war )?(drin|darin|eingeschlossen)|"
    r"ninguém (está |estava |ficou )?(dentro|pres[oa])|nessuno (è |era |è rimasto )?(dentro|"
    r"bloccat[oa]|intrappolat[oa])|nikogo (nie ma |nie było )?w środku|nikt nie (jest|był|"
    r"została?) uwięzion\w*|không có ai (bên trong|ở trong|bị kẹt))\b",
    FLAGS,
)
WRITER_CAN_JUDGE = frozenset({"flooding", "no_heat", "no_water", "insecure", "trapped", "sewage"})


@dataclass(frozen=True)
class Finding:
    kind: str
    reason: str
    words: str  # what it matched, as written
    certain: bool  # False: only denied, hypothetical, asked about, over or elsewhere
    standing: Standing = Standing.PRESENT
    context: str = ""  # the sentence it was found in, with its neighbours
    sentence: str = ""  # the sentence it was found in
    # Two facts found apart about the place or the people (no heat, and the cold; a child,
    # and a door shut on them): no one sentence shows the danger whole.
    corroborated: bool = False
    explained: bool = False  # a harmless cause is named: tobacco, a detector's battery


@dataclass(frozen=True)
class Screening:
    findings: tuple[Finding, ...] = ()
    declined: bool = False  # the writer says it is not urgent
    all_clear: bool = False  # the writer says nothing leaks or burns
    nobody_in_danger: bool = False  # the writer looked and says no person is in danger

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


# Failures that last until they are mended: when they began is not when they ended.
LASTING = frozenset({"no_heat", "no_water", "insecure"})


def _standing(sentences: list[str], index: int, start: int, kind: str) -> Standing:
    """How the danger at `start` of sentence `index` stands (see `core.triage.standing`)."""
    found = standing_of(sentences[index], start, lasting=kind in LASTING)
    if found is Standing.PRESENT and resolved_near(sentences, index):
        return Standing.OVER
    if found is Standing.OVER and goes_on_later(sentences, index):
        return Standing.PRESENT
    return found


# Danger that takes two facts anywhere in a message: no heat and a cold reading (or
# someone frail), no water and someone frail or a heat wave, a CO alarm and headaches.
_SYMPTOMS = (
    r"headache|head ache|nause\w*|dizz\w*|feel(ing)? (sick|faint|sleepy|unwell|ill)|vomit\w*|"
    r"threw up|thrown up|drowsy|mal de tête|mal à la tête|kopfschmerz|schwindel|übel|"
    r"dolor de cabeza|mare(ad|o)|dor de cabeça|tontura|mal di testa|nausea|ból głowy|zawrot|"
    r"mdłości|đau đầu|buồn nôn|chóng mặt"
)
_COLD = (
    r"freez\w*|below (zero|freezing)|minus \d+|-\d+ ?°|(?<![\w-])-\d{1,2}\b|frost|frozen|"
    r"snow\w*|\bicy\b|\b([0-9]|[12]\d|3[0-2]) (degrees? )?(out(side)?|tonight|overnight)\b|"
    r"\b([0-9]|1[0-2]) ?(°|degrees? c|º)|\b([0-9]|1[0-2]) ?°? ?c\b|\b([3-4]\d|5[0-4]) ?(°|degrees?)"
    r" ?f?\b|\b([0-9]|1[0-2]) (stopni|grad|grados|degrés|gradi|graus|độ)\b|eiskalt|"
    r"einfrier|zamarz\w*|congel\w*|gel(é|ée|ent)|gelo|ghiacc\w*|đóng băng|cold (night|snap)"
)
NO_HEAT = re.compile(
    r"\bno heat(ing)?\b|\bwithout heat\b|\bheat(ing|er)?\b.{0,30}\b(off|out|not working|broken|"
    r"gone|stopped|died|dead)\b|\bradiators?\b.{0,40}\b(cold|freezing|off|not (working|warm)|"
    r"ice)\b|\bboiler\b.{0,30}\b(off|broken|out|dead|not working|stopped)\b|"
    r"sin calefacción|no (hay|funciona la) calefacción|sans chauffage|pas de chauffage|"
    r"keine heizung|sem aquecimento|senza riscaldamento|bez ogrzewania|nie ma ogrzewania|"
    r"không có (sưởi|lò sưởi)|" + HEAT_FAILED,
    FLAGS,
)
NO_WATER = re.compile(
    r"\bno (running |hot or cold |cold or hot )?water\b|\bwithout water\b|\bwater\b.{0,20}"
    r"\b(off|cut off|shut off|stopped)\b|sin agua|no (hay|tengo) agua|sans eau|pas d'eau|"
    r"kein wasser|sem água|senza acqua|non ha più acqua|bez wody|nie ma wody|không có nước",
    FLAGS,
)
_HOT = r"heat ?wave|heat ?stroke|boiling|scalding|\b(3\d|4\d) ?°? ?c\b|\b(9\d|1[01]\d) ?°? ?f\b"
# Someone who cannot get back in, or is shut in alone: with a child or a frail person,
# a danger to life (outside in the cold, or alone behind a door).
SHUT_OUT = re.compile(
    r"\b(locked out|can'?t get (back )?in|cannot get (back )?in|won'?t open|shut (behind|on) "
    r"(her|him|me|us|them)|swung shut|locked (her|him|them)(self|selves)? in|alone (inside|in "
    r"the (flat|apartment|bathroom|room))|by (herself|himself) inside|sitting (on|in) the "
    r"(floor|steps|stairs|corridor|hallway)|outside in|no puede entrar|sola? en el pasillo|"
    r"ne peut pas (entrer|rentrer)|seule? (dehors|à l'intérieur)|kommt nicht (rein|herein)|"
    r"hat sich\b.{0,30}\b(eingeschlossen|eingesperrt)|não consegue entrar|sozinh[oa] (dentro|"
    r"fora)|non riesce a entrare|da sol[oa] (dentro|fuori)|nie może wejść|sam[ao]? w (domu|"
    r"środku)|không vào được|ở một mình)",
    FLAGS,
)
CO_WORDS = re.compile(
    r"carbon monoxide|\bco (alarm|detector)|monóxido|monoxyde|kohlenmonoxid|co-melder|"
    r"monossido|czad|khí co|\b[1-9]\d{1,3} ?ppm|\b(alarm|detector|it)\b.{0,20}\b(went off|goes off|"
    r"going off|keeps (beeping|going)|(loud )?beeps)|"
    # What a burner that makes carbon monoxide looks like: soot, a yellow flame.
    r"\b(soot\w*|ruß\w*|suie|hollín|fuligem|fuliggine|sadz[aąy]|muội\w*)|\b(flame|flamme|llama|"
    r"chama|fiamma|płomień|ngọn lửa)\b.{0,50}\b(yellow|orange|gelb|jaune|amarill[ao]|amarel[ao]|"
    r"giall[ao]|żółt\w*|vàng)\b",
    FLAGS,
)
CRACK = re.compile(
    r"\b(cracks?|cracked|fissures?|grietas?|fissure|risse?|rachaduras?|crepe?|crepa|"
    r"pęknięci\w*|rysy|vết nứt)\b",
    FLAGS,
)
# Said apart from the crack: it grows, or the building shows it ("past the pencil marks").
GROWING = re.compile(
    r"\b(wider|longer|bigger|grow(s|ing|n)|widen\w*|spread(s|ing)|past (the|both|my|our) "
    r"(\w+ )?marks?|plaster dust|crumbl\w*|más (grande|ancha|larga)|plus (grande|large|longue)|"
    r"größer|breiter|länger|maior|mais (larga|comprida)|più (grande|larga|lunga)|większ\w*|"
    r"szersz\w*|dłuższ\w*|to hơn|rộng hơn|dài hơn)\b",
    FLAGS,
)
CONDITIONS = (
    (
        "vulnerable",
        "a child or a frail person shut out in the cold, or alone behind a door",
        SHUT_OUT,
        re.compile(
            VULNERABLE + r"|\b(my|our|her|his) (son|daughter|child|kid|little one|mother|mum|mom|"
            r"father|dad)\b.{0,40}\b([1-9]|1[0-2]|[6-9]\d)\b|\(\d\)|\b([1-9]|1[0-2]) ?(year|yr)s?"
            r"[- ]old|confused|dementia|in (his|her) (dressing gown|slippers|pyjamas|a thin)|"
            r"(hija|hijo|fille|fils|tochter|sohn|filh[oa]|figli[oa]|córka|syn|con) (de )?"
            r"(\d|\(\d)",
            FLAGS,
        ),
    ),
    ("no_heat", "no heat in dangerous cold", NO_HEAT, re.compile(f"{_COLD}|{VULNERABLE}", FLAGS)),
    (
        "no_water",
        "no water for someone frail, or in a heat wave",
        NO_WATER,
        re.compile(f"{_HOT}|{VULNERABLE}|since yesterday|\\d+ days|24 ?h", FLAGS),
    ),
    ("co", "a carbon-monoxide alarm with symptoms", CO_WORDS, re.compile(_SYMPTOMS, FLAGS)),
    ("structural", "a crack that is growing", CRACK, GROWING),
)


# The second facts that are circumstances (the weather, who is there), not a second
# description of the danger: a symptom list in a leaflet corroborates nothing.
CIRCUMSTANCES = frozenset({"vulnerable", "no_heat", "no_water"})


def _conditions(sentences: list[str], cleaned: list[str], text: str) -> list[Finding]:
    found = []
    for kind, reason, first, second in CONDITIONS:
        for index, sentence in enumerate(cleaned):
            match = first.search(sentence)
            if match and second.search(text):
                words = " ".join(match.group(0).split())[:60]
                standing = _standing(sentences, index, match.start(), kind)
                context = " ".join(sentences[max(0, index - 1) : index + 2])
                certain = standing is Standing.PRESENT
                found.append(
                    Finding(
                        kind,
                        reason,
                        words,
                        certain,
                        standing,
                        context,
                        sentences[index],
                        corroborated=kind in CIRCUMSTANCES,
                    )
                )
                break
    return found


@lru_cache(maxsize=512)  # pure: triage, the judgement and the pages read the same email
def screen(subject: str, text: str) -> Screening:
    """Danger in a subject and the writer's own words (quotes already removed).

    The body tells how a danger stands; a subject counts only for dangers the
    body does not mention at all, and the subject of a reply or a forward ("Re:
    gas smell") is someone's earlier words: a person looks, nobody is paged. A
    subject's finding is read in the light of the whole body, not of the subject alone;
    a body that says the danger is not there ("nothing is leaking") takes its page away.
    """
    findings = _findings(text)
    # Someone's earlier words, or a headline the body takes back: a person looks.
    all_clear = bool(ALL_CLEAR.search(text))
    inherited = bool(REPLY_PREFIX.match(subject)) or all_clear
    for kind, finding in _findings(subject, cues=text).items():
        finding = replace(finding, context="", sentence="")
        findings.setdefault(kind, replace(finding, certain=False) if inherited else finding)
    nobody = bool(NOBODY_IN_DANGER.search(text))
    declined = bool(NOT_AN_EMERGENCY.search(text))
    return Screening(tuple(findings.values()), declined, all_clear, nobody)


REPLY_PREFIX = re.compile(r"\s*(re|aw|sv|vs|fwd?|wg|tr|rv|rif|odp|ynt)\s*(\[\d+\])?\s*:", FLAGS)


_QUICK_HARMLESS = Prefilter(HARMLESS)


def _harmless_blanked(sentence: str) -> str:
    if not _QUICK_HARMLESS.might_match(sentence.casefold()):
        return sentence
    return HARMLESS.sub(_blank, sentence)


def _blank(match: re.Match[str]) -> str:
    """Harmless words become spaces, so positions in the sentence stay the same."""
    return " " * len(match.group(0))


# Vietnamese puts a tone mark on either vowel of "oa", "oe", "uy" at a word's end ("khoá",
# "khóa"); the patterns are written in one style, so the other is brought to it.
_OLD_STYLE = re.compile(r"([oOuU])([áàảãạéèẻẽẹýỳỷỹỵ])(?!\w)")
_MARKED = dict(zip("áàảãạéèẻẽẹýỳỷỹỵ", "aaaaaeeeeeyyyyy", strict=True))
_MOVED = {"o": "óòỏõọóòỏõọ", "u": "úùủũụúùủũụ"}


def _one_style(text: str) -> str:
    """ "khoá" as "khóa": the same length, so positions in the text stay the same."""
    if not _OLD_STYLE.search(text):
        return text

    def moved(match: re.Match[str]) -> str:
        first, marked = match.group(1), match.group(2)
        mark = "áàảãạéèẻẽẹýỳỷỹỵ".index(marked) % 5
        vowel = _MOVED[first.lower()][mark]
        return (vowel.upper() if first.isupper() else vowel) + _MARKED[marked]

    return _OLD_STYLE.sub(moved, text)


def _findings(text: str, cues: str = "") -> dict[str, Finding]:
    """The findings in `text`, judged with the harmless causes named in it or in `cues`
    (the body, for a subject's findings)."""
    text = _one_style(text)
    told = f"{text}\n{cues}"
    # Smoke from someone smoking, a barbecue or incense is a nuisance, not a fire; a
    # detector that chirps for its battery is not an alarm (unless someone feels ill).
    tobacco = bool(TOBACCO.search(told))
    declined = bool(NOT_AN_EMERGENCY.search(told))
    indicator = bool(BATTERY.search(told)) and not re.search(_SYMPTOMS, told, FLAGS)
    findings: dict[str, Finding] = {}
    sentences = _SENTENCE.findall(text)

    def around(index: int) -> str:
        return " ".join(sentences[max(0, index - 1) : index + 2])

    blanked = [_harmless_blanked(sentence) for sentence in sentences]
    # Only the dangers whose words the text has at all are looked for, sentence by sentence.
    whole = " ".join(blanked).casefold()
    present = [danger for danger in DANGERS if danger.quick.might_match(whole)]
    for index, cleaned in enumerate(blanked):
        folded = cleaned.casefold()
        for danger in present:
            if not danger.quick.might_match(folded):
                continue
            if danger.kind == "smoke" and TOBACCO.search(cleaned):
                continue
            mild = (
                (tobacco and danger.kind == "smoke")
                or (indicator and danger.kind in DETECTED)
                or (declined and danger.kind in WRITER_CAN_JUDGE)
            )
            for match in danger.pattern.finditer(cleaned):
                standing = _standing(sentences, index, match.start(), danger.kind)
                certain = not mild and standing is Standing.PRESENT
                known = findings.get(danger.kind)
                if known is None or (certain and not known.certain):
                    words = " ".join(match.group(0).split())[:60]
                    findings[danger.kind] = Finding(
                        danger.kind,
                        danger.reason,
                        words,
                        certain,
                        standing,
                        around(index),
                        sentences[index],
                        explained=mild,
                    )
    for finding in _conditions(sentences, blanked, text):
        if declined and finding.kind in WRITER_CAN_JUDGE:
            finding = replace(finding, certain=False)
        known = findings.get(finding.kind)
        if known is None or (finding.certain and not known.certain):
            findings[finding.kind] = finding
    return findings
