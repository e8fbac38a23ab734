"""How a danger stands in the writer's words: happening now, or over, denied, asked about…

The safety net finds danger words; this module judges the situation they
describe. A danger is `PRESENT` unless its own clause or sentence says that it
is denied ("no smell of gas"), conditional ("if there is ever a fire"), asked
about rather than reported ("who do I call for a gas leak?"), planned (a drill,
an inspection, a forecast), over ("the leak last week, all dry now"), or
somewhere else (a friend's building, the news). The markers of each kind are
written once for every language the net reads (English, Spanish, French,
German, Portuguese, Italian, Polish, Vietnamese), so a new danger word is
judged the same way as the old ones. Present-tense markers ("now", "again",
"still") outweigh the past. Pure functions.
"""

from __future__ import annotations

import re
from enum import Enum

_FLAGS = re.IGNORECASE | re.UNICODE


class Standing(str, Enum):
    PRESENT = "present"
    DENIED = "denied"
    CONDITIONAL = "conditional"
    ASKED = "asked"
    PLANNED = "planned"
    OVER = "over"
    ELSEWHERE = "elsewhere"


# A word's edge: not inside another word, except in Chinese, written without spaces.
_EDGE_BEFORE = r"(?<![^\W\u3400-\u9fff])"
_EDGE_AFTER = r"(?![^\W\u3400-\u9fff])"


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(_EDGE_BEFORE + "(" + "|".join(alternatives) + ")" + _EDGE_AFTER, _FLAGS)


# Words that deny what follows within a few words: "no smell of gas", "didn't see any smoke".
NEGATORS = (
    r"no|not|never|nothing|none|without|nor|zero|isn'?t|wasn'?t|aren'?t|weren'?t|don'?t|"
    r"doesn'?t|didn'?t|hasn'?t|haven'?t|hadn'?t|no longer|nobody|no one|"
    r"sin|ningún|ninguna|ningun|nada de|nunca|ni|"
    r"pas|sans|aucune?|jamais|"
    r"kein(e|en|er|em)?|nicht|ohne|nie|niemand|"
    r"não|sem|nenhuma?|"
    r"non|senza|nessun[oa]?|mai|personne|nadie|niemand|ninguém|nessuno|nikt|không ai|"
    r"bez|żadn\w*|nic|"
    r"không|chẳng|chưa|"
    r"مش|ليس|لا يوجد|ما في|مافي|ما عم|ما كان|لم|بدون"
)
_NEGATED = re.compile(
    r"(?<!\w)(" + NEGATORS + r")(?!\w)(\W+[\w'’-]+){0,3}\W*$"
    # Chinese: a negation a few characters before ("没有着火": no fire).
    r"|(没有|没|未|无|并没有|不是)[^，。！？,.!?\s]{0,4}$",
    _FLAGS,
)
# Doubt is not denial: "not sure if it's gas" still reports a smell.
_DOUBT = _words(
    r"not (sure|certain|100 ?%)|no idea|(don'?t|do not|didn'?t) know|no sé|pas sûre?|"
    r"je ne sais pas|nicht sicher|weiß nicht|não sei|non so|nie wiem|không biết|"
    r"not (just|only)|no (solo|sólo)|pas seulement|nicht nur|não só|non solo|nie tylko"
)

# A clause that makes what follows conditional.
_CONDITIONAL = _words(
    r"if|in case|what if|whether|in the event|should (there|it|a|the|anything)|suppose|"
    r"imagine|just in case|god forbid|(might|may|could) have been|will there be|"
    r"is there going to be|would there be|"
    r"so that|in order to|(could|might|may|would|will) (start|cause|lead to|end in|"
    r"turn into|become)|(can|could) (go up|catch)|waiting to happen|risk of|(fire|safety) "
    r"(risk|hazard)|worried (it|that|about)|afraid (it|that)|in the future|one day|someday|"
    r"si (hay|se|algún|alguna|pasa|ocurre|hubiera|tuviera|"
    r"llega|huele)|en caso de|por si|si jamais|si un jour|s'il|si (il|ça|on|le|la|un|une)|"
    r"au cas où|en cas d[e']|wenn|falls|im (falle?|notfall)|für den fall|caso (haja|aconteça)|"
    r"em caso de|se (houver|acontecer|tiver|for|der|um dia)|nel caso|in caso di|se (c'è|ci "
    r"fosse|dovesse|succede|mai)|jeśli|jeżeli|gdyby|w razie|na wypadek|nếu|trong trường hợp|lỡ|"
    r"如果|万一|要是|假如|إذا|اذا|لو|في حال"
)

# A question that reports nothing happening: asked about, not reported.
_QUESTION_END = re.compile(r"[?？؟]\s*$")
_REPORTING = _words(
    r"now|right now|currently|at the moment|just now|tonight|this (morning|evening|minute)|"
    r"(is|are) (coming|pouring|leaking|dripping|spreading|getting|going off|beeping|sounding)|"
    r"keeps|won'?t stop|still|again|(i|we) (can )?(smell|see|hear)|smells?|there'?s|there is|"
    r"ahora|todavía|sigue|huele|maintenant|encore|ça sent|jetzt|gerade|immer noch|riecht|"
    r"agora|ainda|cheira|adesso|ancora|puzza|teraz|nadal|czuć|bây giờ|vẫn|đang|có mùi|"
    r"现在|还在|正在|一直|هلق|هلأ|الآن|لسا|لسه|عم"
)

# A topic of paperwork or policy: insurance, a claim, a bill, a letter about it.
_PAPERWORK = _words(
    r"insurance|insurer|coverage|claim|policy|policies|invoice|bill|receipt|inventory|"
    r"deposit|certificate|letter|paperwork|report for|rules|allowed|permitted|regulations?|"
    r"seguro|factura|assurance|sinistre|attestation|versicherung|rechnung|bestätigung|"
    r"assicurazione|fattura|ubezpieczen\w*|rachunek|zaświadczeni\w*|bảo hiểm|hóa đơn|conta|"
    r"cuenta|bolletta|quy định|reglamento|règlement|hausordnung|regulamento|regolamento|"
    r"regulamin"
)

# Planned or announced, not happening: drills, tests, inspections, forecasts.
_PLANNED = _words(
    r"drills?|fire drill|tests?|testing|test button|inspections?|inspect|exercises?|"
    r"rehearsals?|forecast\w*|predict\w*|warning|weather service|scheduled|planned|notice|"
    r"announcement|maintenance window|"
    r"simulacros?|prueba|inspección|pronóstico|exercice|essai|inspection|prévisions?|"
    r"übung|probealarm|prüfung|wartung|vorhersage|simulação|teste|inspeção|previsão|"
    r"esercitazione|prova|ispezione|previsioni|ćwiczeni\w*|próbn\w*|przegląd|prognoz\w*|"
    r"simulado|simulacro|aviso|avis|hinweis|avviso|ogłoszeni\w*|thông báo|"
    r"diễn tập|kiểm tra|dự báo"
)

# The danger is over, or happened in the past and is not said to go on.
_RESOLVED = _words(
    r"(has|have|is|are|it'?s)( now| all| completely)? gone( away)?(?=\s*[.!,;]|\s*$|\s+and\b)|"
    r"(seems?|looks?|appears?|seemed)( to be)?( now| all)? (gone|fine|ok|okay|normal|dry)|"
    r"(has|have|had|was|were|is|are|got|been)( (now|all|completely|finally|since))? ("
    r"cleared|fixed|repaired|sorted|resolved|put out|mopped up|cleaned up|dried( out)?|"
    r"replaced|tightened|sealed)|(leak|water|drip\w*|smoke|alarm|noise|smell|fire|"
    r"sparking|flooding)( has| had)?( now| completely| finally)? stopped|stopped (completely|now)|"
    r"all (good|fine|clear|safe|ok|okay)"
    r"( now)?|(is|are|it'?s|everything'?s?) (fine|ok|okay|dry|safe|normal) now|"
    r"back to normal|false alarm|all clear|turned out|was nothing|no harm|no damage|"
    r"nobody (was )?hurt|no one (was )?hurt|everyone('s| is| was) (fine|ok|okay|safe)|"
    r"carried on|started (moving|again) (by itself|on its own)|for (just )?(a (moment|second|"
    r"few seconds)|a minute or two)|went out( by itself)?|"
    r"was out|got (her|him|them|us|me) out|since then|ever since|"
    r"(has|have|had) been (fine|ok|okay|dry|normal|good|quiet|working|perfect)|"
    r"(had|got) (it|them) (stopped|fixed|sorted|under control|out)|"
    r"(is|'s|are|'re) (home|back home|fine|ok|okay|well|better|safe|secure|secured)( now| again|"
    r" for now)?|"
    r"doing (well|fine|better)|(it'?s|it is|was|is) (cool|fine|normal) (again|now)?|"
    r"(and )?nothing (since|happened|more|else)|no sign of|(haven'?t|have not) seen (it|"
    r"anything|any) (again|since)|long since|the year before|before my time|previous tenant|"
    r"(no|not an?|kein|pas d'|ningún|nenhum|nessun|żadnego) (alarm|alarme|alarma|allarme)|"
    r"which is fine|that'?s fine|(0|zero) ?ppm|(reading|reads|shows) (zero|0)\b|green light|"
    r"längst|sửa xong|hoạt động bình thường|đã .{0,8}sửa|behoben|erledigt|"
    r"résolu|resuelto|resolvido|risolto|rozwiązan\w*|"
    r"ya (pasó|está (bien|arreglad\w*|reparad\w*))|se arregló|arreglad[oa]s?|"
    r"c'est (fini|réglé|réparé)|a été (réparé|réglé)|tout va bien|plus de (fuite|fumée|odeur)|"
    r"(ist|war|wurde) (aus|vorbei|repariert|behoben)|alles in ordnung|niemand verletzt|"
    r"já (passou|está (bem|resolvid\w*|consertad\w*))|foi (consertad|resolvid)\w*|"
    r"(è|è stato|è stata) (riparat|sistemat|risolt)\w*|tutto (bene|a posto)|"
    r"(został|zostało|została) (naprawion|usunięt)\w*|wszystko (w porządku|ok)|"
    r"đã (sửa|hết|ổn|khỏe)|mọi người đều (ổn|khỏe)|"
    r"修好了|已经好了|没事了|解决了|已经停了|تصلح\w*|انحلت|كل شي تمام|ما صار شي"
)
_PAST = _words(
    r"yesterday|last (night|week|weekend|month|year|time|winter|spring|summer|fall|autumn|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)|\d+ (days|weeks|months|years) "
    r"ago|(a|one|two|three|few|couple of) (days|weeks|months|years) ago|years ago|"
    r"in (january|february|march|april|may|june|july|august|september|october|november)|"
    r"(back )?in the (spring|summer|autumn|fall)|when i (moved|first moved) in|used to|"
    r"ayer|anoche|la semana pasada|el (mes|año) pasado|hace \d+ (días|semanas|meses)|"
    r"hier|la semaine dernière|le mois dernier|l'an dernier|il y a \d+ (jours|semaines|mois)|"
    r"gestern|letzte woche|letzten (monat|winter)|letztes jahr|vor \d+ (tagen|wochen|monaten)|"
    r"ontem|(na )?semana passada|(no )?mês passado|há \d+ (dias|semanas|meses)|"
    r"ieri|la settimana scorsa|il mese scorso|l'anno scorso|\d+ (giorni|settimane|mesi) fa|"
    r"l'année (dernière|passée)|l'an passé|(o |no )?ano passado|"
    r"wczoraj|w zeszłym (tygodniu|miesiącu|roku)|\d+ (dni|tygodni|miesięcy) temu|"
    r"there (was|were|had been)|hôm qua|tối qua|đêm qua|tuần trước|tháng trước|năm ngoái|"
    r"\d+ (ngày|tuần|tháng) trước|昨天|前天|上周|上个月|去年|مبارح|امبارح|أمس|"
    r"الأسبوع الماضي|الشهر الماضي|السنة الماضية|"
    r"(en|de|im|vom|von|em|de|a|w|we|trong) (enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|octubre|noviembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
    r"octobre|novembre|januar|februar|märz|april|juni|juli|august|oktober|janeiro|fevereiro|"
    r"março|maio|junho|julho|setembro|outubro|gennaio|febbraio|aprile|maggio|giugno|luglio|"
    r"settembre|ottobre|styczniu|lutym|marcu|kwietniu|maju|czerwcu|lipcu|sierpniu|wrześniu|"
    r"październiku|listopadzie)|earlier this (week|month|year)|when i lived|where i used to live"
)
_NOW = _words(
    r"now|right now|currently|at the moment|still|again|keeps|tonight|as we speak|"
    r"this (minute|second)|just (started|now)|started again|is back|came back|since|"
    # Minutes or hours ago: it has only just begun.
    r"(\d+|a few|few|ten|fifteen|twenty|thirty|forty|five|an?|half an?|couple of) (minutes?|"
    r"mins?|hours?|hrs?) ago|hace (unos |unas )?(\d+|pocos|pocas|media) (minutos|horas?)|"
    r"il y a (\d+|quelques|une demi-) ?(minutes?|heures?)|vor (\d+|ein paar|einer|einer halben) "
    r"(minuten|stunden?)|há (\d+|uns|umas|meia) (minutos|horas?)|(\d+|pochi|mezz'ora|un'ora) "
    r"(minuti |ore )?fa|(\d+|kilka) (minut|godzin\w*) temu|(\d+|vài) (phút|tiếng) trước|"
    r"(haven'?t|hasn'?t|has not|have not|still not|not yet) (come back|returned|been fixed|"
    r"come on|stopped)|seit|desde|depuis|od (wczoraj|rana|wieczora)|từ (hôm qua|sáng|tối)|"
    r"da (ieri|stamattina|stasera)|jest teraz|ist jetzt|est maintenant|"
    r"(is|are) (coming|pouring|leaking|dripping|spreading|getting worse)|"
    r"ahora|todavía|sigue|otra vez|de nuevo|maintenant|encore|toujours|en ce moment|"
    r"jetzt|immer noch|wieder|gerade|agora|ainda|de novo|outra vez|adesso|ora|ancora|"
    r"di nuovo|teraz|nadal|wciąż|znowu|ciągle|bây giờ|vẫn|lại|đang|"
    r"现在|还在|正在|一直|仍然|هلق|هلأ|الآن|لسا|لسه|عم"
)

# When a danger began, said in the sentence that tells it.
_BEGAN = _words(
    r"tonight|this (evening|morning|afternoon)|(\d+|a few|few|ten|fifteen|twenty|thirty|forty|"
    r"five|an?|half an?|couple of) (minutes?|mins?|hours?|hrs?) ago"
)

# A failure that began this recently may well go on (see `standing_of`'s `lasting`).
_RECENT = _words(
    r"yesterday( (morning|afternoon|evening))?|last night|overnight|"
    r"ayer( por la (mañana|tarde|noche))?|anoche|hier( soir| matin)?|cette nuit|gestern( abend|"
    r" morgen)?|heute nacht|ontem( à noite)?|esta noite|ieri( sera| mattina)?|stanotte|"
    r"wczoraj( wieczorem)?|w nocy|hôm qua|tối qua|đêm qua|昨天|昨晚|مبارح|امبارح|أمس"
)

# A story told in the past tense (English; the other languages mark it with a time).
_PAST_TENSE = _words(
    r"was|were|had|came|went|got|happened|caught|started|broke|burst|fell|flooded|leaked|"
    r"sparked|smelt|smelled|reported"
)

# Someone else's home or past, the news: not in the writer's home or building.
_ELSEWHERE = _words(
    r"(my|our|a) (friend|sister|brother|mother|mom|mum|dad|father|parents|cousin|aunt|uncle|"
    r"colleague|coworker|co-worker|boss|daughter|son|in-laws)('s|s'|s)( \w+)? (building|"
    r"apartment|flat|house|place|home|street)|(my|our) (last|old|previous|former|other) "
    r"(building|apartment|flat|place|house|landlord|job)|on the news|in the news|news (about|"
    r"report)|an article|read (about|an article|that)|saw (a|the|some) (video|report|post)|"
    r"videos?|youtube|on tv|tiktok|movie|film|across town|another building|other building|"
    r"the building (on|across|down|near|next door to)|(on|in) (the )?\w+ (street|st|avenue|ave|"
    r"road|rd)\b|in (another|a different) (city|town|building|neighbourhood|neighborhood)|"
    r"de mi (amig[oa]|herman[oa]|madre|padre|prim[oa])|mi (antiguo|anterior) (piso|"
    r"apartamento|edificio)|en las noticias|en la tele|de mon (ami|frère|père|ancien)|"
    r"de ma (sœur|mère|amie|cousine)|aux (infos|informations)|dans le journal|à la télé|"
    r"bei (meiner|meinem) (schwester|freundin|freund|mutter|bruder|vater)|"
    r"in den nachrichten|im fernsehen|in der zeitung|da minha (irmã|amiga|mãe)|"
    r"do meu (amigo|irmão|pai)|no jornal|na (televisão|tv)|nas notícias|"
    r"di mia (sorella|madre|amica)|del mio (amico|fratello)|al telegiornale|sul giornale|"
    r"u (mojej|mojego) (siostry|mamy|koleżanki|kolegi|brata|taty)|w wiadomościach|"
    r"w telewizji|nhà (bạn|chị|anh|em|mẹ) tôi|trên (tin tức|tivi|báo)|khu khác|"
    r"(building|house|block) (next door|across|opposite|on the corner|nearby)|"
    r"(her|his|their) (building|house|apartment|flat|place|home|furnace|boiler|basement)|"
    r"(above|below|at|under) (hers|his|theirs)|"
    r"(my|her|his|their) (office|work|workplace|school|gym|place)|at (work|the (mall|office|"
    r"station|shop|store|school|gym|hospital|airport))|not (ours|in our building|here)|"
    r"(her|his|their) place|my (friend|family|relatives|parents)\b|a friend|"
    r"un amig[oa]|una amiga|un ami|une amie|ein(e)? freund(in)?|um amigo|uma amiga|"
    r"un amico|un'amica|przyjaciel\w*|znajom\w*|rodzin\w+|mi familia|ma famille|meine familie|"
    r"minha família|la mia famiglia|gia đình (bạn|tôi ở)|(mi|mon|mein|meu|il mio|moje|mój) "
    r"(oficina|trabajo|bureau|travail|büro|arbeit|escritório|trabalho|ufficio|lavoro|biuro|praca)|"
    r"ufficio|bureau|büro|escritório|oficina|biuro|(?<!chào )(?<!gửi )văn phòng(?! quản lý)|"
    r"nachbarstraße|nachbarhaus|"
    r"calle de al lado|rue d'à côté|rua ao lado|via accanto|sąsiedniej ulicy|"
    r"(mio|mia|mi|mon|ma|mein|meine|meu|minha|mój|moja) (cugin[oa]|zi[oa]|prim[oa]|cousine?|"
    r"cousin|tante|onkel|tia|tio|kuzyn\w*|ciocia|wujek|amic[oa]|amig[oa]|ami|amie|freund\w*|"
    r"fratello|sorella|hermano|hermana|frère|sœur|bruder|schwester|irmão|irmã|brat|siostra)|"
    r"in un altro|en otro|dans un autre|in einem anderen|em outro|w innym|ở (một )?(khu|chung cư|"
    r"tòa|nhà) khác|chung cư khác|tin tức|auf der arbeit|bei der arbeit|im büro|en el trabajo|"
    r"au travail|au bureau|no trabalho|al lavoro|w pracy|ở công ty|ở chỗ làm"
)

# A danger named as a landmark in time ("after the break-in", "during the flood") is past.
_LANDMARK = re.compile(
    r"(?<!\w)(after|before|during|following|después de|antes de|durante|après|avant|pendant|"
    r"nach|vor|während|depois d[eoa]|dopo|prima d[ie]|po|przed|podczas|sau|trước|suite (à|au|aux)|"
    r"tras|a raíz de|in seguito a|infolge|sau khi)\W+"
    r"(the|that|this|our|last|el|la|los|las|le|les|l'|dem|der|den|o|a|il|lo|la)?\W*$",
    _FLAGS,
)
# A fright the writer took back: "the first night I thought someone was trying to get in".
_MISTAKEN = re.compile(
    r"(?<!\w)(at first|the first (night|time|day)|for a (moment|second|minute)|initially|"
    r"au début|d'abord|al principio|primero|zuerst|anfangs|no início|all'inizio|najpierw|"
    r"na początku|lúc đầu)\W+(\w+\W+){0,3}(thought|was sure|were sure|assumed|feared|cru|"
    r"pensé|creí|dachte|pensei|achei|pensavo|credevo|myślał\w*|tưởng)\b\W+(\w+\W+){0,6}$",
    _FLAGS,
)
# Someone reminds us of what they reported before: "you may remember", "I had reported".
_REMINDER = _words(
    r"wie sie wissen|como (sabe|saben|sabem)|comme vous (le )?savez|come (sa|sapete)|"
    r"jak (pan|pani|państwo) wie\w*|như anh chị (đã )?biết|"
    r"(you|u) (may|might|will|would)? ?remember|as you (know|remember)|i (reported|mentioned|"
    r"told you|wrote)|had been|you (tell|told|ask|asked) us to|the (rule|instructions?) (is|are|"
    r"says?)|tell us to"
)
# Said to be like danger, not danger: "it sounds like someone is trapped inside it".
_LIKENESS = re.compile(
    r"(?<!\w)(as if|as though|(sounds?|sounded|it'?s|was|were) (just )?like)\W*$", _FLAGS
)

# Where a clause ends: punctuation, or a conjunction that starts a new statement.
_CLAUSE_BREAK = re.compile(
    r"[,;:–—()]|\b(but|and then|though|although|however|pero|mais|aber|mas|ma|ale|nhưng)\b",
    _FLAGS,
)


def standing_of(sentence: str, start: int, *, lasting: bool = False) -> Standing:
    """How the danger matched at `start` in `sentence` stands.

    The order matters: a denial or a condition in the danger's own clause
    decides first; then a plan, a question that reports nothing, the danger
    being over (unless the sentence says it goes on), and someone else's place.
    A `lasting` danger is a failure that goes on until it is mended (no heat, no
    water, a door that will not lock): when it began ("the heat went off last
    night") is not its end; only words that say it was mended, or a time long past
    ("last month"), are.
    """
    before = sentence[:start]
    clause = _CLAUSE_BREAK.split(before)[-1] if before else ""
    clause_before = _DOUBT.sub(" ", clause)
    if _NEGATED.search(clause_before):
        return Standing.DENIED
    if _LANDMARK.search(before):
        return Standing.OVER
    if _MISTAKEN.search(before):
        return Standing.DENIED
    if _LIKENESS.search(clause):
        return Standing.CONDITIONAL
    if _CONDITIONAL.search(_DOUBT.sub(" ", before)):
        return Standing.CONDITIONAL
    if _affirmed(_PLANNED, sentence):
        return Standing.PLANNED
    if _QUESTION_END.search(sentence) and not _REPORTING.search(sentence):
        return Standing.ASKED
    if (_PAPERWORK.search(sentence) or _REMINDER.search(sentence)) and not _STILL.search(sentence):
        return Standing.ASKED
    goes_on = _NOW.search(_RESOLVED.sub(" ", sentence))
    past = _PAST.search(_RECENT.sub(" ", sentence) if lasting else sentence)
    if not goes_on and (_RESOLVED.search(sentence) or past):
        return Standing.OVER
    if _ELSEWHERE.search(sentence):
        return Standing.ELSEWHERE
    return Standing.PRESENT


def _affirmed(pattern: re.Pattern[str], sentence: str) -> bool:
    """A marker the sentence says, not one it denies ("I didn't see any notice")."""
    for match in pattern.finditer(sentence):
        clause = _CLAUSE_BREAK.split(sentence[: match.start()])[-1]
        if not _NEGATED.search(_DOUBT.sub(" ", clause)):
            return True
    return False


def resolved_near(sentences: list[str], index: int) -> bool:
    """A sentence next to it says it is over ("it has completely stopped", "the lift seems
    fine now"), a past tense tells it, and no sentence around says it goes on."""
    near = [*sentences[max(0, index - 2) : index], *sentences[index + 1 : index + 3]]
    sentence = sentences[index]
    # When it began ("tonight") is not a word that it goes on: a later sentence may end it.
    if any(_STILL.search(s) for s in [sentence, *near]) or _NOW.search(_BEGAN.sub(" ", sentence)):
        return False
    later = sentences[index + 1 : index + 3]
    if any(_RESOLVED.search(s) for s in later) and not any(_NOW.search(s) for s in later):
        return True
    # An earlier sentence's ending is another story's when this one just began.
    if _NOW.search(sentence):
        return False
    return any(_RESOLVED.search(s) for s in near) and bool(_PAST_TENSE.search(sentence))


# Stronger than "now": the situation itself goes on.
_STILL = _words(
    r"still|is now|it'?s now|are now|right now|at the moment|currently|keeps|getting worse|"
    r"(nobody|no one|no-one) has (come|called|answered)|(haven'?t|hasn'?t) (come back|come on|"
    r"been fixed|stopped)|todavía|sigue|aún|encore|toujours|immer noch|noch immer|weiterhin|"
    r"ainda|continua|ancora|nadal|wciąż|ciągle|vẫn|jest teraz|ist jetzt|est maintenant"
)


# Told as going on while the writer writes: "someone has been turning the handle",
# "he is banging on the door" (the other languages mark it with `_NOW`'s words).
_ONGOING = re.compile(
    r"\b(is|are|am|i'?m|he'?s|she'?s|it'?s|they'?re|we'?re|you'?re|has been|have been|"
    r"keeps?( on)?)\s+\w+ing\b",
    re.IGNORECASE,
)


def told_as_now(sentence: str) -> bool:
    """The sentence says its matter goes on now, not only that it happened."""
    return bool(_ONGOING.search(sentence) or _NOW.search(sentence))


def goes_on_later(sentences: list[str], index: int) -> bool:
    """A danger told in the past ("yesterday the heating stopped") that a later sentence says
    goes on ("it is still 9 degrees in here"), without saying it is over."""
    if _RESOLVED.search(sentences[index]):
        return False
    later = sentences[index + 1 : index + 3]
    return any(_STILL.search(s) for s in later) and not any(_RESOLVED.search(s) for s in later)
