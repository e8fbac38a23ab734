"""What an answer in a conversation is: an update, a chaser, "fixed", "thanks", a new problem.

The offline provider's reading of follow-ups, by cues in the writer's own words
(quotes removed) in English first and the common phrasing of the other
languages tenants write in. The order matters: "nobody came" beats everything
(something went wrong), "still leaking" beats "the plumber came", and a short
"thanks" with nothing else in it is a closing message. Pure functions.
"""

from __future__ import annotations

import re

from core.models import FollowUp
from core.triage.prefilter import Prefilter

_FLAGS = re.IGNORECASE | re.UNICODE

CHASER = re.compile(
    # Nobody came, called or answered; nothing has happened.
    r"\b(nobody|no ?one|no-one|no one)\b.{0,30}\b(came|come|showed|turned up|been|contacted|"
    r"called|got back|answered|replied|responded|reached out|has come|arrived|has\b|knew)"
    r"|\b(still|yet)\b.{0,20}\b(waiting|heard nothing|no (word|reply|response|answer|news|one))"
    r"|\b(still )?(haven'?t|have not|hasn'?t|has not|didn'?t|did not)\s+(\w+\s+){0,3}(heard|"
    r"come|came|showed|turned up|arrived|received|seen anyone|had (a|any) (call|reply|answer|"
    r"response|word)|got (a|an|any) (reply|response|answer|call)|been (contacted|told|in touch)|"
    r"contacted|called|replied|responded|got back)"
    r"|\bnever (came|showed|turned up|arrived|heard|got back|called|got (a|an) (reply|answer))"
    r"|\bnothing (has )?(arrived|happened|came)|\b(no|a) (no-?show|show)\b|\bno-?show\b"
    r"|\bno (\w+, )?(call|phone call|reply|response|answer|email|word|news|visit)\b.{0,30}\b(no|"
    r"nothing|and)\b|\b(came|come) and went\b"
    # Asked whether we got it, or whether anyone is there.
    r"|\b(did|have) you (get|got|receive|received|see|seen) my\b|\bchecking (you|that you) got\b"
    r"|\b(is|are) (anyone|anybody|someone|there (an actual|a) person)\b.{0,30}\b(reading|there|"
    r"coming|listening|handling)|\bhello\?\s*$|\b(please|can someone|could someone) "
    r"(please )?(respond|reply|answer|get back)\b"
    # The words of chasing.
    r"|\bbump(ing)?\b|\b(just )?following up\b|\bfollowing up (again|on)\b|\bchecking "
    r"(back|in|on the status)\b|\bany (update|news|progress|eta|word)\b|\bwhat'?s (happening|"
    r"going on|the status)\b|\bstatus (of|on) (my|the)\b|\b(gentle|friendly|another) "
    r"reminder\b|\bwaiting (on|for) (your|a) (reply|answer|response)\b|\b(sorry|apologies) "
    r"(to|for) (chase|chasing|bother you again|bug you again|be a pest|keep asking)"
    r"|\b(second|third|2nd|3rd|fourth) (email|request|message|reminder)\b"
    r"|\b(second|third|2nd|3rd|fourth) time (i'?ve|i have|we'?ve|we have|i'?m|i am) (written|"
    r"writing|asked|asking|emailed|emailing|reported|reporting)\b"
    r"|\b(writing|asking|emailing|reminding you) (again|once more)\b"
    r"|\bi'?ve (sent|written|emailed) (you )?(two|three|four|several|\d+) (messages|emails|times)"
    # A promise that passed: "you said Friday", "we were told the plumber would call".
    r"|(?<!like )(?<!as )\byou (said|promised|told me|told us)\b(?! (to|i should))|\b(i|we) (was|"
    r"were) (told|promised)\b.{0,60}\b"
    r"(would|will|by)\b|\bwas (supposed|meant|due) to (come|be|fix|call|arrive)"
    r"|\b(appointment|visit) was (for|at|on)\b.{0,40}\b(still|nobody|no one|no-one)"
    # Time gone by: "it's been eight days", "that was a week ago".
    r"|\b(it'?s|it has|it'?s now|that was|it has now) (been )?(over |more than |almost )?(a|one|"
    r"two|three|several|eight|ten|\d+) (days?|weeks?|fortnight|months?)\b(?!.{0,20}\bago\b)"
    r"|\bit'?s been a fortnight|\bthat was (a week|two weeks|\w+ days) ago"
    r"|\b(\d+|two|three|four|five|several|many) (days|weeks) (now|already|and counting)\b"
    r"|\b(since|over|more than) (a|one|two|three) (weeks?|months?) (since|ago)\b"
    r"|\bheard nothing since\b|\bstill no\b|\bstill nothing\b"
    r"|\b(i|we) (emailed|wrote|wrote to you|reported this|sent)\b.{0,40}\b(ago|last (week|month)|"
    r"days ago|on (the )?\d|on (monday|tuesday|wednesday|thursday|friday|saturday|sunday))"
    # Spanish, French, German, Portuguese, Italian, Polish, Vietnamese
    r"|\bnadie (vino|ha venido|llegó|ha llamado|me ha|se ha comunicado)|\bsigo esperando"
    r"|\btodav[ií]a (no|espero|estoy esperando|nadie)|\bninguna respuesta|\bno vino\b"
    r"|\b(recibieron|recibió|han recibido) mi (correo|mensaje|email)|\bno he sabido nada"
    r"|\bhace (dos|tres|\d+) (semanas|días)\b|\balguna novedad"
    r"|\bpersonne (n'est|ne m'a|n'a)|\btoujours (rien|pas (de|eu|reçu)|en attente)"
    r"|\bj'attends toujours|\baucune (réponse|nouvelle)|\bcela fait (maintenant )?\w+ (jours|"
    r"semaines)|\brelancer\b|\bn'est (pas )?venu"
    r"|\bniemand (ist|kam|hat|war)|\b(immer noch|noch immer) (keine?|nichts|warte)"
    r"|\bwarte (immer noch|noch immer|seit)|\bkeine (antwort|rückmeldung)|\bist niemand gekommen"
    r"|\bnichts (mehr )?(von ihnen )?gehört|\bgibt es (schon )?(etwas )?neues"
    r"|\bningu[eé]m (veio|apareceu|ligou)|\bainda (estou [àa] espera|espero|nada|sem resposta|"
    r"estou aguardando|aguardo)|\bnão veio\b|\b(vocês|você) receberam? meu|\bjá se passaram"
    r"|\bnessuno (è|e') (venuto|passato)|\bnon è venuto nessuno|\bsto ancora aspettando"
    r"|\bancora (niente|nessuna)|\bnon ho ancora ricevuto|\bscusate se insisto|\bci sono novità"
    r"|\bnikt (nie )?(przyszedł|przyjechał|odpowiedział|nie)|\b(nadal|wciąż|ciągle) (czekam|"
    r"się nie)"
    r"|\bbrak odpowiedzi|\bnie przyszedł\b|\bminął (tydzień|miesiąc)|\bminęły"
    r"|\bchưa (có )?ai (đến|tới|liên lạc)|\bvẫn (đang )?chờ|\bvẫn chưa (có|ai|nhận)"
    r"|\bkhông có ai (đến|tới)|\bđã nhận được email .{0,20}chưa",
    _FLAGS,
)

# The problem is still there (after a visit, or after we were told it was fixed).
NOT_FIXED = re.compile(
    r"\b(still|again)\b.{0,25}\b(leak|drip|broken|not working|doesn'?t work|won'?t|cold|"
    r"no (heat|hot water|water|power)|blocked|clogged|stuck|same)"
    r"|\b(leaking|dripping|broken|blocked|clogged|stopped working|not working|cold) "
    r"(again|once more)\b"
    r"|\b(leak|drip|noise|smell|mou?ld|problem|issue|it)\w*('s| is| has) (back|returned|"
    r"come back|started again)\b(?! on)"
    r"|\b(happening|started|doing it|going on|at it|leaking|dripping|blocked) again\b"
    r"|\b(didn'?t|did not|hasn'?t|has not|doesn'?t|not) (fix|fixed|solve|solved|help|work)"
    r"|\b(worse|getting worse)\b"
    r"|\bsigue (goteando|sin|igual|roto)|\b(gotea|se sale|no funciona) (otra vez|de nuevo)"
    r"|\btoujours (cassé|en panne|pareil|froid)|\b(fuit|coule|en panne) (à nouveau|encore)"
    r"|\bimmer noch (kaputt|kalt|undicht)|\bwieder (kaputt|undicht|defekt|kalt)"
    r"|\bcontinua (a pingar|avariad|igual)|\b(pinga|vaza) (outra vez|de novo)"
    r"|\bancora (rott|guast)|\b(perde|non funziona) di nuovo"
    r"|\bznowu (cieknie|nie działa)|\bnadal (nie działa|cieknie)|\bvẫn (còn|bị|hỏng|rò)",
    _FLAGS,
)

RESOLVED = re.compile(
    r"\b(works|working|opens|closes|drains|heats( up)?|runs|running|cools|holding)\b.{0,20}\b(fine|"
    r"smoothly|properly|perfectly|well|normally)( again| now)?\b|\bdid the trick\b"
    r"|\b(haven'?t|have not) (seen|had|heard) (a|any|one|a single)\b.{0,30}\b(since|in \d+|"
    r"for)\b|\b(hasn'?t|has not) (tripped|leaked|dripped|happened|come back)\b"
    r"|\b(is|'s|are|'re) (free|dry|gone|settled|sorted|fine) now\b|\bsorted\.?\s*$"
    r"|\ball settled\b|\b(has|have) been (refunded|credited|removed|completely dry)\b"
    r"|\blooks fixed\b|\breceived the (deposit|refund|credit)|\b(chirping|noise|leak|smell) "
    r"has stopped\b|\b(tengo|hay) \w+( \w+)? otra vez\b|\bfonctionne de nouveau\b"
    r"|\bwurde (entfernt|behoben|ersetzt)|\bjuż nie (cieknie|przecieka)|\bsửa xong"
    r"|\bchạy (mát|tốt|bình thường)|"
    r"\b(has been|have been|was|were|got|is|are|all|now|been)\b.{0,15}\b(fixed|repaired|"
    r"sorted|resolved|replaced|unblocked|unclogged|cleared|solved|done)\b"
    r"|\b(fixed|repaired|sorted|solved|replaced|changed|swapped|unblocked|unclogged|bled|sealed|"
    r"tightened|sprayed|treated|installed|reset) (it|them|the|a|an|my|our|everything)\b"
    r"|\b(works|working|running) (again|now|fine|perfectly|great|properly|normally)\b"
    r"|('s|\bis|\bare) (back on|on again|working again|back to normal)\b"
    r"|\ball (good|set|sorted|fine)( now)?\b|\bno (more )?(leak|leaks|drip|dripping)\b"
    r"|\b(haven'?t|have not) seen any (since|more)|\bnever mind\b|\bno need to (send|come)"
    r"|\bfound (it|them)\b|\b(you can|please) (ignore|disregard) (this|my)|\bthanks anyway\b"
    r"|\bplease (ignore|disregard) my (previous|last|earlier)|\bafter all\b"
    r"|\b(it'?s|it has) stopped\b"
    r"|\b(problem|issue)\b.{0,15}\b(gone|solved|resolved|fixed|sorted)\b"
    r"|\bno longer (leak|drip|broken|blocked|a problem)"
    r"|\bstopped (leaking|dripping)\b"
    r"|\b(got|am|i'?m|we'?re) (back )?in\b(?! the)|\bfound (my|the) keys?\b|\bmanaged to get in"
    r"|\b(payment|transfer|rent) (went through|has cleared|cleared|arrived|was received)"
    r"|\b(ya )?funciona\b|\b(está|quedó|fue) (arreglad|reparad|resuelt)|\blo (arreglaron|repararon)"
    r"|\bya (cierra|entramos|entré|tengo|tenemos|hay|está|abre)\b|\b(cambió|arregló|reparó)\b"
    r"|\b(est|a été|c'est) (réparé|réglé|résolu)|\bça (marche|fonctionne)\b"
    r"|\bil n'y a plus de|\bplus de fuite|\b(a|ont) (changé|réparé|remplacé)\b"
    r"|\b(ist|wurde|wurden) (repariert|behoben|erledigt|gelöst)|\bfunktioniert (wieder|jetzt)\b"
    r"|\bläuft wieder\b|\b(getauscht|ausgetauscht|repariert)\b|\bfunktioniert\b.{0,15}\bdanke"
    r"|\b(foi|está|ficou) (consertad|reparad|resolvid)|\b(já|voltou a) funcion"
    r"|\b(trocou|consertou|já temos|já está)\b"
    r"|\b(è stato|è stata|è) (riparat|sistemat|risolt)|\bfunziona di nuovo"
    r"|\bnaprawion|\b(już )?działa\b(?! nie)|\brozwiązan|\b(wymienił|naprawił)"
    r"|\bđã (được )?sửa|\bhoạt động (lại|bình thường)|\bđã có (nước|điện)|\bđã thay",
    _FLAGS,
)

# A different matter announced as such ("another thing", "by the way").
NEW_TOPIC = re.compile(
    r"\b(another (thing|issue|problem|question)|one more thing|separately|separate (issue|"
    r"problem|matter)|on (a|another) (different|separate) note|something else|unrelated|"
    r"by the way|btw|while i have you|while (you'?re|they'?re|someone is) (here|at it|coming)|"
    r"different (issue|problem|matter)|otra cosa|aparte de eso|autre chose|autre problème|"
    r"par ailleurs|außerdem|noch etwas|ein anderes problem|outra coisa|além disso|"
    r"un'altra cosa|inoltre|jeszcze jedno|poza tym|ngoài ra|một việc khác|separate thing|"
    r"new (issue|question|problem|thing|request)|different question|in addition|"
    r"additionally|(can|could|would) (you|i|he|she|someone) also|i'?d also like|"
    r"i also (want|need|wanted|would like|have)|aproveitando|(mam|jest) (jeszcze )?(inną|"
    r"jedną) sprawę|inna sprawa|otra pregunta|autre question|noch eine frage|altra domanda)\b"
    r"|\(was: ",
    _FLAGS,
)
# Things in a home that break, and the words for breaking: "also, the fan stopped working"
# is a new problem when the conversation never mentioned a fan.
FIXTURE = re.compile(
    r"\b(faucet|tap|sink|toilet|shower|bath(tub)?|tub|drain|pipe|fan|extractor|heater|"
    r"radiator|boiler|thermostat|heating|dishwasher|fridge|refrigerator|freezer|oven|stove|"
    r"cooker|hob|microwave|washer|washing machine|dryer|disposal|window|door|lock|latch|key|"
    r"fob|buzzer|intercom|light|bulb|outlet|socket|switch|breaker|ceiling|roof|gutter|"
    r"elevator|lift|garage|gate|smoke (detector|alarm)|detector|blind|shutter|cabinet|drawer)s?\b",
    re.IGNORECASE,
)
BROKEN = re.compile(
    r"\b(stopped working|not working|doesn'?t work|won'?t (work|open|close|lock|turn|start)|"
    r"broken|broke|dead|leak(s|ing)?|drip(s|ping)?|clogged|blocked|stuck|cracked|"
    r"making (a|an) \w* ?noise|grinding|buzzing|flicker(s|ing)?|out)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+")

# "Also" and "too" only announce a new matter when the topic differs.
ALSO = re.compile(r"\b(also|too|as well|además|aussi|auch|também|anche|też|cũng)\b", _FLAGS)

THANKS = re.compile(
    r"\b(thanks?|thank you|thx|ty|cheers|appreciated?|much appreciated|ok(ay)?|great|perfect|"
    r"wonderful|brilliant|awesome|sounds good|will do|noted|got it|understood|see you|"
    r"that works|works for me|passt|das passt|bis dann|à bientôt|hasta luego|até logo|"
    r"have a (good|nice|great) (day|weekend|evening)|gracias|vale|perfecto|merci|parfait|"
    r"d'accord|danke|vielen dank|alles klar|prima|obrigad[oa]|grazie|perfetto|dziękuję|"
    r"dzięki|super|cảm ơn|xin cảm ơn)\b|[👍🙏😊]",
    _FLAGS,
)
ASKS = re.compile(
    r"\?|\b(could|can|would|will) you\b|\bplease (let me know|confirm|tell|send|advise)\b"
    r"|\bwhen (will|can|is|are|do)\b|\b(how|what|where|who) (do|does|should|can|will)\b",
    _FLAGS,
)
GREETING = re.compile(
    r"\b(hi|hello|hey|dear|good (morning|afternoon|evening)|best|regards|kind regards|cheers|"
    r"hola|bonjour|hallo|olá|ciao|cześć|chào|so much|very much|a lot|lots|again|all|for|your|"
    r"the|help|you|everyone|team|muchas|beaucoup|sehr|muito|mille|bardzo|rất nhiều|so|"
    r"quick|fast|reply|answer|response|schnelle|antwort|happy|enjoy|nice|good|great|"
    r"schönes|schöne|weekend|wochenende|holidays?|thanksgiving|feiertage|day|evening)\b",
    _FLAGS,
)
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
CLOSING_REST = 6  # words left beside thanks and greetings in a pure acknowledgement


def classify_followup(
    own_text: str,
    subject: str = "",
    *,
    problem: bool = False,
    other_topic: bool = False,
    earlier: str = "",
) -> FollowUp:
    """What a message that answers an earlier one is, from the writer's own words.

    `problem` says the text reports something that needs doing; `other_topic`
    that it reads as another intent than the conversation's (the caller
    compares them); `earlier` is what the conversation has been about so far.
    """
    text = f"{_strip_reply_prefix(subject)}\n{own_text}"
    if _QUICK_CHASER.found(text):
        return FollowUp.CHASER
    if NOT_FIXED.search(own_text):
        return FollowUp.UPDATE
    if NEW_TOPIC.search(text) or (problem and other_topic and ALSO.search(text)):
        return FollowUp.NEW_REQUEST
    if _another_thing_broken(text, earlier):
        return FollowUp.NEW_REQUEST
    if RESOLVED.search(own_text):
        return FollowUp.RESOLVED
    if problem and other_topic:
        return FollowUp.NEW_REQUEST
    if is_closing(own_text):
        return FollowUp.CLOSING
    return FollowUp.UPDATE


def _another_thing_broken(text: str, earlier: str) -> bool:
    """ "Also, the bathroom fan stopped working": something broken the conversation never named."""
    named = {m.group(0).lower().rstrip("s") for m in FIXTURE.finditer(earlier)}
    for sentence in _SENTENCE.findall(text):
        if not (ALSO.search(sentence) and BROKEN.search(sentence)):
            continue
        things = {m.group(0).lower().rstrip("s") for m in FIXTURE.finditer(sentence)}
        if things and not things & named:
            return True
    return False


_QUICK_CHASER = Prefilter(CHASER)


def is_chaser(subject: str, own_text: str) -> bool:
    """A message (even a first one) saying an earlier request got no answer."""
    return _QUICK_CHASER.found(f"{_strip_reply_prefix(subject)}\n{own_text}")


def is_closing(own_text: str) -> bool:
    """A short acknowledgement that asks nothing: "thanks!", "ok, see you Tuesday".

    What is left once thanks, greetings and the signature are taken out must be
    a few words at most: "any weekday after 10 is fine, thx" is an update.
    """
    if ASKS.search(own_text) or not THANKS.search(own_text):
        return False
    lines = [line for line in own_text.strip().splitlines() if line.strip()]
    if len(lines) > 1 and len(_WORDS.findall(lines[-1])) <= 3:
        lines = lines[:-1]  # a signature: "Rob", "José Álvarez"
    rest = THANKS.sub(" ", " ".join(lines))
    rest = GREETING.sub(" ", rest)
    return len(_WORDS.findall(rest)) <= CLOSING_REST


def asks_something(own_text: str) -> bool:
    return bool(ASKS.search(own_text))


def _strip_reply_prefix(subject: str) -> str:
    # Only the writer's own subject words count ("Still waiting!!"), not "Re: …".
    return re.sub(r"^\s*((re|aw|sv|fwd?|wg|tr|rv)\s*:\s*)+", "", subject, flags=_FLAGS)
