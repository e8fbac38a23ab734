"""The safety net's danger words: what each danger looks like, in the tenants' languages.

Data for `core.triage.safety_net`, which decides what a match means (denied, past,
asked about). Each `Danger` is one kind, its reason in the operator's words,
and one pattern made of alternatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.triage.circumstances import HEAT_FAILED, VULNERABLE
from core.triage.other_scripts import OTHER_SCRIPTS
from core.triage.prefilter import Prefilter

FLAGS = re.IGNORECASE | re.UNICODE  # every pattern: any case, any script


@dataclass(frozen=True)
class Danger:
    kind: str  # trapped, injured, vulnerable, fire, smoke, gas, co, electrical, …
    reason: str  # what a person must know: "a person may be trapped"
    pattern: re.Pattern[str]
    quick: Prefilter  # rules the pattern out of most sentences before it runs


# A gap between two parts of a danger ("the outlet … is hot") never spans a denial:
# "the switch isn't warm" describes no danger.
_DENIAL = (
    r"\b(?:not|no|isn'?t|wasn'?t|aren'?t|never|nothing|without|kein\w*|nicht|pas|sin|sem|"
    r"senza|non|nie|không)\b"
)
_GAP = re.compile(r"\.\{0,(\d+)\}")


def _d(kind: str, reason: str, *parts: str) -> Danger:
    pattern = _GAP.sub(lambda m: f"(?:(?!{_DENIAL}).){{0,{m.group(1)}}}", "|".join(parts))
    compiled = re.compile(pattern, FLAGS)
    return Danger(kind, reason, compiled, Prefilter(compiled))


DANGERS = (
    _d(
        "trapped",
        "a person may be trapped",
        r"\b(i|i'?m|i am|we|we'?re|we are|he|he'?s|she|she'?s|they|they'?re|someone|somebody|"
        r"people|person|child|kid|baby|son|daughter|man|woman|neighbou?r|resident|mum|mom|dad|"
        r"grand\w+|friend|husband|wife|partner)\b( \w+){0,2} (is |are |was |got |been |still )?"
        r"(trapped|stuck|shut|locked) (in|inside|between)\b(?! (traffic|a meeting|work|the office|"
        r"a (lease|contract|loop)|my (ways|head)))",
        r"\b(stuck|trapped) in (the |an |our |my )?(lift|elevator)\b",
        r"\b(lift|elevator)\b.{0,40}\b(stuck|stopped|trapped)\b.{0,40}\b(inside|people|person|"
        r"someone|me|us|with|between floors)\b",
        r"\b(i|we|he|she|they|someone|somebody|my \w+|the \w+)( still)? (can'?t|cannot|couldn'?t|"
        r"is unable to|are unable to) (get|come) out\b(?! (with|of (bed|the (car|drive\w*))))",
        r"\b(stuck|locked( out)?) on (the|my|our) balcony\b",
        r"\b(lift|elevator)\b.{0,60}\b(won'?t (move|open)|hasn'?t moved|not moving|stopped between|"
        r"doors? (won'?t|don'?t|will not|do not) open)\b.{0,80}\b(inside|in it|in there|i'?m|we|"
        r"someone|people|person|kid|child|he|she|they|my)\b",
        r"\b(i'?m|we'?re|someone'?s|someone is|people are|kids? (is|are)|he'?s|she'?s) "
        r"(writing (this )?from )?(inside|in) the (lift|elevator)",
        r"\bbalcony\b.{0,60}\b(shut|closed|clicked|locked) behind\b|\bcan'?t (open|get) (it|back "
        r"in) from (outside|the balcony)",
        r"\b(i|we|he|she|they|someone|child|kid|baby|son|daughter)\b( \w+){0,2} (is |are |was |"
        r"got )?locked (in|inside)\b(?! (a|the) (contract|lease))",
        # In the other languages: a person (a verb in the first person, or someone named)
        # shut in, never a key, a car or a drawer.
        r"\b(estoy|estamos|está|están|quedó|quedaron|quedé|quedamos)\b( \w+){0,2} "
        r"(atrapad|encerrad)[oa]s?\b(?! en el (tráfico|trabajo))|\bno (puedo|podemos) salir\b",
        r"\b(je suis|on est|nous sommes|il est|elle est|ils sont|elles sont|est resté\w*)\b"
        r"( \w+){0,2} (coincé|bloqué|enfermé)[es]*\b(?! dans (les )?(embouteillages?|bouchons?))|"
        r"\bne (peux|pouvons|peut) pas sortir\b",
        r"\b(ich|wir|er|sie|jemand)\b( \w+){0,2} (stecke|stecken|steckt|bin|sind|ist)\b( \w+){0,3} "
        r"(fest|eingeschlossen|eingesperrt)\b|\b(komme|kommen|kommt) nicht (raus|heraus)\b",
        r"\b(estou|estamos|está|estão|ficou|fiquei|ficamos)\b( \w+){0,2} (pres[oa]s?|"
        r"trancad[oa]s?)\b|\bnão (consigo|conseguimos|consegue) sair\b(?! com o carro)",
        r"\b(sono|siamo|sono rimast[oi]|(mio|mia) \w+ è( rimast[oa])?)\b( \w+){0,2} (bloccat|"
        r"intrappolat|chius)[oaie]\b|\bnon (riesco|riusciamo|"
        r"riesce) (a )?uscire\b(?! con la macchina)",
        r"\b(jestem|jesteśmy|jest)\b( \w+){0,2} (uwięzion|zamknięt)\w*|\butknął\w*|\butknęł\w*|"
        r"\bnie mo(gę|żemy|że) wyjść\b",
        r"\b(tôi|chúng tôi|con tôi|con|ai đó|bà|ông|mẹ)\b( \S+){0,2} (bị kẹt|mắc kẹt)|"
        r"\bkhông ra được\b",
    ),
    _d(
        "injured",
        "someone may be hurt or unwell",
        r"\b(i|he|she|we|they|mum|mom|mother|dad|father|grand\w+|neighbou?r|someone|somebody|"
        r"(my|our|the) (son|daughter|child|kid|husband|wife|partner|friend|tenant)|man|woman|"
        r"lady|child)( has| had| just| have)? (fell|fallen|slipped and fell|had a (bad )?fall)\b",
        r"\b(fell (down|from|off) the (stairs|steps|balcony|ladder))\b",
        r"\b(collapsed|unconscious|passed out|fainted|not breathing|can'?t breathe|"
        r"cannot breathe|bleeding|blood everywhere|broke (his|her|my) (arm|leg|hip|wrist)|"
        r"hit (his|her|my) head|chest pain|seizure|overdose|ambulance|paramedics|injured|"
        r"hurt (badly|bad|himself|herself|myself)|burned (himself|herself|myself|his|her|my))\b",
        r"\b(se cayó|me caí|sangr|inconsciente|herid[oa]|ambulancia|no (puede|puedo) respirar)",
        r"\b(broken|broke|twisted|sprained) (my |his |her |an? )?(ankle|leg|arm|wrist|hip)|"
        r"can'?t (put (any )?weight|stand up|get up|move (my|his|her) (leg|arm))|(lying|lay) "
        r"(on|at) the (floor|ground|bottom|landing)|went down the (last )?(few )?(steps|stairs)",
        r"\b(haven'?t|have not|nobody has|no one has) (seen|heard) (him|her|them|from (him|her))\b"
        r".{0,60}\b(days|since|week)|\b(newspapers|post|mail|papers)\b.{0,30}\bpiling up|"
        r"\b(not|isn'?t|wasn'?t) answering (the|his|her|my) (door|phone)\b.{0,80}\b(alone|"
        r"elderly|days|worried|eighties|nineties|8\d|9\d)",
        r"\b((est|suis|sont|sommes) tombée?s?\b(?! en panne)|une chute|s'est évanouie?|"
        r"inconsciente?|saigne\w*|blessée?s?|ambulance)",
        r"\b(gestürzt|bewusstlos|blutet|verletzt|krankenwagen|atmet nicht)",
        r"\b(caiu|desmaiou|inconsciente|sangr|ferid[oa]|ambulância)",
        r"\b(caduto|caduta|svenut[oa]|sanguin|ferit[oa]|ambulanza|non respira)",
        r"\b(upadł|upadła|zemdlał|krwawi|rann[ya]|karetk|nie oddycha)",
        r"\b(bị ngã|ngất|chảy máu|bị thương|cấp cứu|khó thở)",
    ),
    _d(
        "vulnerable",
        "a child or vulnerable person may be in danger",
        r"\b(baby|toddler|infant|newborn|(little|small|young|\d+[- ]?(year|yr)[- ]?old) "
        r"(boy|girl|child|kid|son|daughter|brother|sister)|my (son|daughter|child|kid|kids|"
        r"children)|children|elderly|old lady|old man|grandm\w*|grandfather|grandpa|grandma|"
        r"disabled|wheelchair|dementia|alzheimer|insulin|oxygen|pregnant|"
        r"\b[89]\d[- ]?(year|yr)s?[- ]?old)\b.{0,80}\b(alone (inside|in the)|locked (in|inside|"
        r"out)|stuck|trapped|freezing|no heat|no water|can'?t (get (in|out)|breathe|reach)|"
        r"outside in the cold|out in the cold)",
        r"\b(alone|locked (in|inside|out)|outside in the cold|shut (in|out))\b.{0,60}\b(baby|"
        r"toddler|infant|child|kid|son|daughter|elderly|mother|mum|mom|father|dad|grandm\w*|"
        r"disabled|wheelchair|medication|medicine|insulin)\b",
        r"\b(dementia|alzheimer\w*)\b.{0,80}\b(alone|outside|wander\w*|missing|locked|lost|cold)|"
        r"\b(sozinh\w* .{0,20}dentro|alone inside|sola (dentro|adentro)|"
        r"seule? (à l'intérieur|dedans)|allein (drinnen|in der wohnung))\b",
        # A cooker left on: on by mistake and nobody turning it off, not merely on.
        r"\b(stove|oven|hob|cooker|fogão|estufa|cocina|four|herd|fornello|kuchenk\w*|bếp)\b"
        r"( \w+){0,3} (is |was |has been |been )?(left on|still on|on all (day|night)|(resté|"
        r"laissé|encore|toujours) allumée?|(dejad[oa]|sigue|todavía) encendid[oa]|(noch|immer "
        r"noch) an|angelassen|(deixad[oa]|ainda) ligad[oa]|(lasciat[oa]|ancora) acces[oa]|"
        r"(zostawi\w*|nadal|wciąż) włączon\w*|(vẫn|để) (đang )?bật)\b|\bleft (the |her |his |my |"
        r"our )?(stove|oven|hob|cooker|gas)( \w+)? on\b",
        r"\b(lift|elevator|ascensor|ascenseur|aufzug|elevador|ascensore|winda|thang máy)\b.{0,80}\b"
        + VULNERABLE,
        r"\b(bebé|niñ[oa]|hij[oa]|mi (madre|padre|abuel[oa])|ancian[oa]|silla de ruedas|"
        r"medicamento|insulina)\b.{0,60}\b(sol[oa]|dentro|afuera|encerrad|frío)",
        r"\b(bébé|enfant|(ma|mon) (fille|fils|mère|père|grand-mère)|âgée?|fauteuil roulant|"
        r"médicament)\b.{0,60}\b(seul[e]?|dedans|dehors|enfermé|froid)",
        r"\b(baby|kind|tochter|sohn|mutter|vater|oma|opa|rollstuhl|medikament)\b.{0,60}\b"
        r"(allein|drinnen|draußen|eingesperrt|kalt)",
        r"\b(bebê|criança|filh[oa]|(minha|meu) (mãe|pai|avó|avô)|idos[oa]|cadeira de rodas|"
        r"remédio)\b.{0,60}\b(sozinh|dentro|fora|pres[oa]|frio)",
        r"\b(bambin[oa]|neonato|figli[oa]|(mia|mio) (madre|padre|nonna|nonno)|anzian[oa]|"
        r"sedia a rotelle|farmac)\w*\b.{0,60}\b(sol[oa]|dentro|fuori|chius|freddo)",
        r"\b(dziecko|niemowlę|córka|syn|mama|tata|babcia|dziadek|wózek|lek)\w*\b.{0,60}\b"
        r"(sam[aoy]?|w środku|na zewnątrz|zamknięt|zimno)",
        r"\b(em bé|con (tôi|gái|trai)|cháu|mẹ tôi|bà|ông|người già|xe lăn|thuốc)\b.{0,60}\b"
        r"(một mình|bị nhốt|lạnh cóng|ngoài trời lạnh)",
    ),
    _d(
        "fire",
        "there may be a fire",
        r"\b(fire|flames?|on fire|burning|caught fire|blaze)\b(?! (drill|alarm test|escape|"
        r"extinguisher|safety|exit|door|department|brigade|station|hydrant|pit|place|work(s)?|"
        r"fighters?|marshal|code|inspection|insurance|risk))",
        r"\b(fuego|incendio|llamas|se quema|quemando)\b",
        r"\b(feu|incendie|flammes|brûle)\b",
        r"\b(feuer|brand(?![- ](new|name))|brennt|flammen)\b",
        r"\b(fogo|incêndio|chamas|pegou fogo|queimando)\b",
        r"\b(fuoco|incendio|fiamme|brucia)\b",
        r"\b(pożar|ogień|płonie|pali się)\b",
        r"\b(cháy|lửa|hỏa hoạn)\b",
    ),
    _d(
        "smoke",
        "there may be smoke",
        r"\b(smoke|smoky|smoking)\b(?! (detector|alarm) (chirp|beep|battery|low|test))",
        r"\b(smell(s|ing)? of (burning|smoke)|burning smell|smells? (like )?burn(ing|t))\b",
        r"\bsmell\w* (like |of )?(\w+ ){0,2}(scorch\w*|burnt|singed|melting|hot plastic|"
        r"electrical)|\b(wall|floor|ceiling|switch|socket|outlet|plug|cable|wire|flue|panel)\b.{0,50}"
        r"\b(too hot to (touch|keep|hold)|hot to the touch|(hot|warm)\b.{0,30}\bpaint\b.{0,20}"
        r"\bbubbl\w*)",
        r"\b(humo|olor a quemado)\b|\b(fumée|odeur de brûlé)\b|\b(rauch|verbrannt riecht|"
        r"brandgeruch)\b|\b(fumaça|fumo|cheiro de queimado)\b|\b(fumo|odore di bruciato)\b",
        r"\b(dym|swąd|zapach spalenizny)\b|\b(khói|mùi khét)\b",
        # Smoke told by how it looks, gathering where smoke gathers.
        r"\b(grey|gray|blue|bluish|black|thin) haze\b|\bhaze\b.{0,30}\b(by|near|under|along|at) "
        r"the ceiling\b",
    ),
    _d(
        "gas",
        "there may be a gas leak",
        r"\b(smell\w* (of |like )?gas|gas (smell|leak|odou?r)|leaking gas|rotten eggs?|"
        r"sulph?ur smell|hissing (sound |noise )?(from|near|at) the (gas|stove|meter|pipe))\b",
        r"\bgas\b.{0,40}\b(smell\w*|stink\w*|odou?r|hiss\w*)\b",
        r"\b(smell\w*|stink\w*|whiff|odou?r)\b.{0,30}\bgas\b(?! (bill|meter reading|price))",
        r"\b(olor a gas|fuga de gas|huele a gas)\b|\b(odeur de gaz|fuite de gaz|ça sent le gaz)\b",
        r"\b(gasgeruch|riecht nach gas|gasleck|gas riecht)\b|\b(cheiro de gás|vazamento de gás|"
        r"fuga de gás)\b|\b(odore di gas|puzza di gas|fuga di gas)\b",
        r"\b(zapach gazu|czuć gaz|wyciek gazu|śmierdzi gazem)\b",
        r"\b(sulph?ur|sulfur|rotten[- ]egg)\w*\b|\b(huele\w*|olor|olía) (mucho |muy |"
        r"fuerte )?a gas|"
        r"\b(sent|sentait|odeur)\w* (fort |très fort )?(le |de )?gaz|\briecht\w* (stark |"
        r"nach )+gas|"
        r"\b(cheir\w*) (forte )?a gás|\b(puzza|odore|sento) (forte )?(di )?gas|\bczuć\w* gaz|"
        r"\bmùi (khí )?ga",
        r"\b(mùi gas|mùi ga|rò rỉ (khí )?ga)\b",
        # Rotten eggs: how gas smells to people who do not name it.
        r"\b(huevos? podridos?|œufs? pourris?|oeufs? pourris?|faule[nm]? eier[n]?|ovos? podres?|"
        r"uova marce|uovo marcio|zgniłych jaj\w*|zgniłe jaja|trứng thối|trứng ung)\b",
        r"\b(smell\w*|stink\w*|odou?r|whiff)\b.{0,30}\b(like|of)\b.{0,20}\b(eggs|cabbage)\b|"
        r"\b(rotten|rotting) cabbage\b|\b(huele\w*|olor) a (huevos?|col)\b|\b(sent\w*|odeur) "
        r"(l'|d'|de l')?(œufs?|oeufs?|chou)\b|\briecht\w* nach (eiern|kohl)\b|\bcheir\w* a (ovos?|"
        r"repolho)\b|\b(puzza|odore) di (uova|cavolo)\b|\b(śmierdzi|zapach) (jaj|kapust)\w*|"
        r"\bmùi (như )?trứng\b",
        # A hiss where gas comes in, told by someone who does not know it is gas.
        r"\b(cooker|stove|hob|gas meter|gas pipe|boiler)\b.{0,40}\bhiss\w*|\bhiss\w*\b.{0,40}"
        r"\b(behind|under|from|near|at|by) (the |my |our )?(cooker|stove|hob|gas meter|gas pipe)\b",
    ),
    _d(
        "co",
        "a carbon-monoxide alarm may be going off",
        r"\b(carbon monoxide|co2?|monoxide) (alarm|detector|monitor|sensor)s?\b.{0,40}\b(going off|"
        r"went off|goes off|sounding|sounded|beeping|beeps|ringing|screaming|alarm(ing)?|"
        r"reading|reads|shows|showing) (?!(0|zero)\b)",
        r"\b(smell|leak|high levels?|poisoning|reading) (of )?(carbon monoxide|\bco\b)",
        r"\b(detector|alarma|alarme|melder|allarme|czujnik|máy báo) (de |di |)?(monóxido|"
        r"monoxyde|co|kohlenmonoxid|monossido|czadu|khí co)\w*\b.{0,40}\b(suena|pita|sonne|"
        r"bipe|sonnt|schlägt|piept (dauernd|ununterbrochen|laut)|alarm|apita|dispara|suona|"
        r"piszczy|wyje|kêu|báo động)",
        r"\b(co-melder|czujnik czadu)\b.{0,40}\b(schlägt|alarm|piszczy|wyje)",
        r"\b(yellow|orange|lazy|flickering) flame|flamme (jaune|orange)|llama (amarilla|naranja)|"
        r"gelbe flamme|chama amarela|fiamma gialla|żółty płomień|\b(soot|sooty|black marks?|"
        r"traces noires|ruß)\b.{0,40}\b(heater|boiler|furnace|chauffe-eau|above|au-dessus)",
        # The flame told apart from its colour: "the flame … is yellow instead of blue".
        r"\b(flame|flamme|llama|chama|fiamma|płomień|ngọn lửa)\b.{0,50}\b(yellow|orange|gelb|"
        r"jaune|amarill[ao]|amarel[ao]|giall[ao]|żółt\w*|vàng)\b.{0,20}\b(instead of|statt|au "
        r"lieu d|en (vez|lugar) de|em vez de|invece d|zamiast|thay vì)\b",
        r"\b(intoxicación|intoxication|vergiftung|intoxicação|intossicazione|zatrucie|ngộ độc)\b"
        r".{0,30}\b(monóxido|monoxyde|kohlenmonoxid|co|monossido|czadem|khí co)\b",
    ),
    _d(
        "electrical",
        "there may be sparks, burning or live wiring",
        r"\b(spark(s|ing|ed)?|arcing|exposed wir(e|es|ing)|scorch(ing|ed)? (smell|marks?)|"
        r"smell of (scorching|melting|burning plastic)|melt(ing|ed) (plastic|wires?|insulation|"
        r"cables?|cords?)|(plastic|insulation|cables?|cords?|wires?|plugs?) (is |are |was )?"
        r"(melting|melted|scorch\w*)|"
        r"live wire|electric shock|got a shock|shocked me|buzzing (panel|breaker|outlet)|"
        r"(outlet|socket|switch|panel|breaker|plug)\b.{0,80}\b(hot|warm|smok|burn|crackl\w*|pop|"
        r"brown|black|discolou?r\w*|scorch\w*|melt\w*))\b",
        r"\b(chispas|chispea|cortocircuito|enchufe quemado|descarga eléctrica)\b",
        r"\b(étincelles|court-circuit|prise (brûlée|chaude|qui grésille)|décharge électrique)\b",
        r"\b(funken|kurzschluss|steckdose (schmort|heiß|verbrannt)|stromschlag)\b",
        r"\b(faíscas|curto-circuito|tomada (queimada|quente)|choque elétrico)\b",
        r"\b(scintille|cortocircuito|presa (bruciata|calda)|scossa)\b",
        r"\b(iskr|zwarcie|gniazdko (się )?(pali|grzeje|topi)|porażenie)\b",
        r"\b(tia lửa|chập điện|ổ cắm (cháy|nóng)|điện giật)\b",
        r"\b(bare|live|exposed) (copper|wires?|cables?)|wires? (hanging|sticking|dangling) (out|"
        r"down|from)|(hanging|dangling) (by|from) (the |its )?(wires?|cables?)",
    ),
    _d(
        "electrical",
        "water may be reaching wiring or a light",
        r"\b(water|leak\w*|drip\w*)\b.{0,50}\b(into|onto|on|through|in|near|reaching|around|"
        r"from|out of|behind) (the |a |my |our )?(\w+ ){0,2}(light|lamp|fitting|fixture|outlet|"
        r"socket|electric\w*|wiring|fuse|breaker)s?\b",
    ),
    _d(
        "flooding",
        "water may be flooding in",
        r"\b(flood(ed|ing)?|water (is )?(pouring|gushing|pouring in|everywhere|coming "
        r"(through|in|down|out)|dripping (from|through) the (ceiling|light))|burst (pipe|main)|"
        r"pipe (burst|has burst)|ceiling (is )?(leaking|dripping|soaked|bulging)|"
        r"water (is )?(dripping|pouring|coming|running|"
        r"leaking) (through|from|out of) the (\w+ )?ceiling|standing water.{0,30}(inches|cm|"
        r"deep))\b",
        r"\b(inundación|inundad[oa]|se inunda|cae agua del techo|tubería reventada|agua por todas "
        r"partes)\b",
        r"\b(inondation|inondé[es]?|dégât des eaux|l'eau (coule|tombe) du plafond|tuyau (a )?"
        r"éclaté)\b",
        r"\b(überschwemm|wasserschaden|wasser (tropft|läuft|kommt) (aus der|durch die) decke|"
        r"rohrbruch)\w*\b",
        r"\b(inundação|inundad[oa]|água (caindo|escorrendo|pingando) do teto|cano (estourou|"
        r"rebentou))\b",
        r"\b(allagat[oa]|allagamento|acqua (che scende|dal soffitto)|tubo (rotto|scoppiato))\b",
        r"\b(zalan[eay]|zalewa|woda (leje się|cieknie) z sufitu|pęknięta rura)\b",
        r"\b(ngập nước|bị ngập|ngập (nhà|phòng|sàn|tầng|hầm)|nước (chảy|tràn|rò) (từ trần|khắp)|"
        r"vỡ ống)\b",
        # Water where it should not be, and spreading: what people see before they say "flood".
        r"\bwater\b.{0,40}\b(all over|everywhere|across the (floor|hall\w*)|spreading|running down|"
        r"streaming|spraying|squirting|gushing|pouring|coming (in|out|up|down|under|through)|"
        r"going (under|into|through)|under (my|the) (front )?door|into the (hall\w*|bedroom|"
        r"flat|apartment|living room|kitchen))",
        r"\b(spray\w*|gush\w*|pour\w*|stream\w*) (water|from (a|the) pipe)|"
        r"(towels|buckets?|mop\w*)\b.{0,40}\b(soaked|aren'?t (doing|keeping|helping)|"
        r"can'?t keep up|"
        r"full)|(inch(es)?|cm|centimet\w+) of water (on|in|across) the (floor|hall\w*|basement|"
        r"kitchen|flat|apartment)|puddle\b.{0,30}\b(spread\w*|growing|bigger)",
        r"\b(sale|entra|cae|corre)\w* (mucha |un montón de )?agua|agua (en|por) (el suelo|todo|"
        r"la pared|el pasillo|debajo)|fuga (grande|enorme|fuerte)",
        r"\b(de )?l'eau (coule|gicle|entre|ruisselle|partout|sur le sol|sous la porte|jaillit)|"
        r"fuite (importante|énorme)",
        r"\bwasser\b.{0,30}\b(läuft|spritzt|kommt|steht|überall|auf dem boden|dringt|unter der "
        r"tür|sprudelt)",
        r"\bágua\b.{0,30}\b(escorre|jorra|entra|a entrar|por todo|no chão|pela parede|debaixo)|"
        r"vazamento (grande|forte)",
        r"\bacqua\b.{0,30}\b(dappertutto|per terra|entra|esce|scende|sul pavimento|sotto la porta)",
        r"\bwod[ay]\b.{0,30}\b(leje|cieknie|tryska|wszędzie|na podłodze|wlewa|pod drzwi)",
        r"\bnước\b.{0,30}\b(chảy|tràn|phun|ngập|khắp|vào nhà|dưới cửa)",
        # Dripping or running from the ceiling, or down a wall, said without "water".
        r"\b(tropft|läuft|rinnt|kommt)( es| wasser)? (aus|von|durch) der decke|\b(läuft|rinnt)\b"
        r".{0,40}\bdie wand (runter|herunter|hinunter)|\b(gotea|chorrea|cae) (agua )?(del|por el) "
        r"techo|\b(ça )?(coule|goutte|dégouline) (du|par le) plafond|\b(gocciola|cola|scende) "
        r"(acqua )?(dal|dal soffitto|giù dal) soffitto|\b(pinga|escorre|cai) (água )?(do|pelo) "
        r"teto|\b(kapie|cieknie|leci) (woda )?(z|po) sufi(tu|cie)|\b(dột|nhỏ giọt|rỉ) (từ )?trần",
        r"\baus der decke (tropft|läuft|rinnt|kommt)|\bdel techo (gotea|chorrea|cae)|\bdu plafond "
        r"(coule|goutte|dégouline|tombe)|\bdal soffitto (gocciola|cola|scende|cade)|\bdo teto "
        r"(pinga|escorre|cai)|\bz sufitu (kap|ciek|lec|leje|spływ)\w*|\btừ trần (nhà )?(nhỏ giọt|"
        r"chảy|rỉ)",
    ),
    _d(
        "insecure",
        "the home or the building cannot be secured",
        r"\b(door|front door|entrance|main door|latch|lock|deadbolt|bolt|gate)\b.{0,40}\b"
        r"(won'?t|doesn'?t|does not|will not|can'?t|cannot|isn'?t able to|no longer) "
        r"(lock|latch|catch|be locked|be secured)",
        r"\b(front|entrance|main|building|street|apartment|flat|back) door\b.{0,40}\b(won'?t|"
        r"doesn'?t|does not|will not|can'?t|cannot|no longer) (close|shut|stay (shut|closed))",
        r"\b(window|door)\b.{0,40}\b(won'?t|doesn'?t|will not|can'?t|cannot) (close|shut|stay "
        r"(shut|closed))\b.{0,80}\b(ground floor|street|alley|anyone|anybody|someone could|"
        r"climb in|intruder|burglar|break in)",
        r"\b(can'?t|cannot|unable to|no way to) (lock|secure|close|shut) (it|the|my|our|the front)"
        r"( \w+)?( door| window)?",
        r"\b(front|entrance|main|building|street|back) door\b.{0,40}\b(stuck|jammed|wedged|"
        r"blowing|swings?|swinging|wide) open\b|\b(lock|bolt|key|cylinder) (just )?spins|anyone\b"
        r".{0,40}\b(can|could|will be able to) (walk|come|get|climb|wander) in(?!\s+(to|touch|on|"
        r"for|at|person|time|early|late|today|tomorrow|the (morning|afternoon|evening)))|"
        r"hole big enough "
        r"(for|to)",
        r"\bpuerta (de (la )?(entrada|calle|casa|piso)|principal)\b.{0,30}\bno (cierra|se cierra|"
        r"se puede cerrar)|no (puedo|podemos) cerrar con llave|cerradura\b.{0,20}\bno (cierra|"
        r"funciona)",
        r"\bporte\b.{0,30}\bne (ferme|se ferme|se verrouille) plus|impossible de "
        r"(fermer|verrouiller) (la porte|à clé)",
        r"\b(haustür|wohnungstür|eingangstür|tür)\b.{0,40}\b(schließt nicht|lässt sich nicht "
        r"(mehr )?(ab)?schließen|geht nicht (mehr )?zu|steht offen)",
        r"\bporta\b.{0,30}\bnão (fecha|tranca)|\bporta\b.{0,30}\bnon si (chiude|blocca)",
        r"\bdrzwi\b.{0,30}\bnie (da się )?(zamyk|zamkn)\w*|\bcửa( chính| ra vào)?\b.{0,80}\bkhông "
        r"(khóa|đóng) được|\b(chìa|khóa|ổ khóa)\b.{0,30}\bquay (vòng|tròn)",
    ),
    _d(
        "sewage",
        "sewage may be backing up",
        r"\b(sewage|sewer (backup|backing up)|raw sewage|(toilet|drain|tub|bathtub|shower)\b.{0,40}"
        r"\b(overflow(ing|ed)?|backing up|coming up)|feces|faeces|excrement)\b",
        r"\b(aguas negras|aguas residuales|desagüe (rebosa|se sale))\b|\b(eaux usées|égouts?|"
        r"d'égout)\b|\b(abwasser|fäkalien|kanalisation (läuft|drückt) über)\b",
        r"\b(esgoto|água de esgoto)\b|\b(liquame|fogna (che )?(risale|trabocca))\b|\b(ścieki|"
        r"szambo|kanalizacja (się )?cofa)\b|\b(nước thải|cống (trào|tràn))\b",
    ),
    _d(
        "no_heat",
        "no heat or no water in dangerous weather",
        r"\b(no heat|heat(ing)? (is )?(off|out|not working|broken|gone|stopped)|boiler "
        r"(is )?(off|broken|out|dead|not working)|radiators? (are |is )?(cold|off|ice))\b.{0,160}("
        r"freez\w*|below (zero|freezing)|-\d+|minus|frost|snow|\bice\b|icy|\b([0-9]|1[0-2]) ?(°|"
        r"degrees?|c\b)|\b([0-4]\d|5[0-5]) ?°? ?f\b|cold (night|snap)|frozen|" + VULNERABLE + ")",
        r"\b(freez\w*|below (zero|freezing)|minus \d+|-\d+ ?°|frost|snowing)\b.{0,120}\b(no heat|"
        r"heat(ing)? (is )?(off|out|not working|broken)|boiler|radiators? (cold|off))",
        r"\b(sin calefacción|no hay calefacción|sans chauffage|pas de chauffage|keine heizung|"
        r"heizung (ist )?(aus|kaputt)|sem aquecimento|senza riscaldamento|bez ogrzewania|"
        r"không có (sưởi|lò sưởi))\b",
        # Heat gone entirely (not merely weak), in winter.
        r"\b(no heat (at all|anywhere|whatsoever)|heat(ing)? (is |has )?(completely|totally|"
        r"entirely) (out|off|gone|dead)|(all|every|each) (the )?radiators? (are |is )?(ice[- ])?"
        r"cold|radiators? (are |is |have been |has been )?(all )?(ice|stone)[- ]cold|(furnace|"
        r"boiler|heating|heat) "
        r"(has )?(died|dead|quit|packed up|gone out)( again| completely)?|heat(ing)? (is |has )?"
        r"(gone|out|off) again)\b",
        r"\b(mất sưởi|" + HEAT_FAILED + ")",
    ),
    _d(
        "no_water",
        "no water in dangerous conditions",
        r"\b(no (running )?water|without water|water (is |has been )?(off|cut off|shut off))\b"
        r".{0,200}(days|since yesterday|24 ?h|heat ?wave|heat stroke|\d{2,3} ?°|"
        + VULNERABLE
        + ")",
        r"\b(heat ?wave|heatstroke|heat stroke)\b.{0,80}\b(no (water|air ?con|ac)|water (is )?off)",
        r"\b(sin agua|sans eau|pas d'eau|kein wasser|sem água|senza acqua|non ha più acqua|"
        r"bez wody|không có nước)\b.{0,200}(calor|chaleur|hitze|calore|upał|nắng nóng|"
        + VULNERABLE
        + ")",
        # No water at all, for the whole home or building.
        r"\b(no (running )?water (at all|in (the )?(whole|entire) (building|flat|house|"
        r"apartment))|(nothing|no water) (comes |is coming |came )?(out )?(of|from) (any|the|my|"
        r"our) (taps?|faucets?)|(comes|coming|came) no water|(whole|"
        r"entire) building\b.{0,40}"
        r"\bno water|no water\b.{0,40}\b(whole|entire) building|pipes? (are |is )?frozen)\b",
        r"\b(no (sale|hay) (nada de )?agua|plus (une goutte )?d'eau|kein (tropfen )?wasser mehr|"
        r"não (sai|há) água|non (esce|c'è) acqua(?! fuori)|nie ma (w ogóle )?wody|không có nước)\b"
        r".{0,80}\b(todo el edificio|tout l'immeuble|ganze haus|prédio|palazzo|cały (blok|budynek)|"
        r"cả tòa|desde|depuis|seit|desde|da|od)\b",
    ),
    _d(
        "structural",
        "something may be falling down",
        r"\b(ceiling (has )?(collapsed|caved|fell|falling|came down|is (sagging|bulging|coming "
        r"down))|(balcony|railing|stairs?|staircase|steps|floor|wall|roof)\b.{0,40}\b(collaps\w*|"
        r"caved|gave way|giving way|loose|coming (off|away|down)|crack(ed|ing) (open|wide)|"
        r"falling)|chunks? of (plaster|ceiling|concrete)|(plaster|concrete|bricks?) fell)\b",
        r"\bceiling\b.{0,80}\b(bulg\w*|sag\w*|belly|balloon|fall\w*|fell|collaps\w*|came down|"
        r"come down|coming down)",
        r"\bcrack\w*\b.{0,40}\b(widen\w*|bigger|grow\w*|opened up|with a bang|spreading)",
        r"\b(hanging down|ballooning|swollen|bellying|sagging|bulging|lower than)\b.{0,60}\b("
        r"ceiling|plaster|paint|drywall)|\b(could|might|may|about to|going to|looks like it will) "
        r"(fall|come down|collapse|give way)\b|\b(bricks?|masonry|stones?|tiles?|slates?|chunks?|"
        r"pieces?|bits) of\b.{0,30}\b(fell|falling|came down|coming down|dropped|dropping)|"
        r"\b(bricks?|masonry|slates?|roof tiles?|plaster|chunks?) (have |has )?(fell|fallen|"
        r"come down|came down|dropped|dropping|falling|loose)",
        r"\b(afraid|scared|worried) (it|the ceiling|the balcony) (will|might|is going to) "
        r"(fall|collapse|give way)",
        r"\b(techo (se )?(cayó|derrumbó|hundió)|balcón (se mueve|suelto)|se derrumb)\w*\b",
        r"\b(plafond (s'est )?(effondré|tombé)|balcon (branlant|qui bouge)|s'effondre)\b",
        r"\b(decke (ist )?(eingestürzt|herunter|abgefallen)|balkon(geländer)? (wackelt|lose)|"
        r"einsturz)\w*\b",
        r"\b(teto (caiu|desabou)|varanda (solta|a cair)|desab)\w*\b|\b(soffitto (crollato|"
        r"caduto)|balcone (traballa|pericolante)|crollo)\b",
        r"\b(sufit (się )?(zawalił|spadł)|balkon (się )?(rusza|chwieje)|zawal)\w*\b|\b(trần nhà "
        r"(sập|rơi)|ban công (lung lay|sập)|sập)\b",
    ),
    _d(
        "break_in",
        "there may have been a break-in",
        r"\b(break[- ]in|broke in|broken into|burglar\w*|intruder|someone (is |was )?(in|inside) "
        r"(my|the) (flat|apartment|home)|door (was )?(kicked|forced|pried) (in|open)|"
        r"(somebody|someone|a man|a stranger|strangers?) (came|come|got|broke) (in|inside|into)|"
        r"(kicking|banging on|forcing|trying (to open|the handle of)) (my|the|our) (front )?door|"
        r"trying to (get|break) in|(window|door|glass) (is |was )?(broken|smashed)\b.{0,60}"
        r"\b(can'?t|cannot|won'?t) (close|lock)|"
        r"(lock|door)\b.{0,30}\b(broken|forced|smashed)\b.{0,40}\b(can'?t|won'?t|doesn'?t) lock|"
        r"(can'?t|cannot|won'?t) (lock|secure) (the|my) (front )?door)\b",
        r"\b(robo|ladrón|ladrones|forzaron la puerta|entraron a robar|cambriol|effraction|"
        r"einbruch|eingebrochen|assalto|arrombad|arrombar|arrombaram|furto|ladri|włamanie|włamał|"
        r"trộm|đột nhập|chut\w* a porta|patea\w* la puerta|tritt gegen die tür)\w*\b",
    ),
    _d(
        "afraid",
        "someone is frightened for their safety",
        r"\b(i am|i'm|we are|we're|she is|she's|he is|he's)\s+(very |so |really )?(scared|"
        r"frightened|terrified|afraid for)\b|\b(don'?t|do not) feel safe\b|\bhelp us\b|"
        r"\b(called|calling|phoned|call) (the )?(police|911|999|112)\b|\b(liguei|llamé|j'ai appelé|"
        r"ho chiamato|zadzwoniłem|zadzwoniłam|habe die polizei|đã gọi) .{0,10}(pol|911|112)\w*",
    ),
    _d(
        "violence",
        "someone may be threatened or hurt by another person",
        r"\b(threaten(ed|ing)?|knife|gun|weapon|attacked|assault(ed)?|hitting (her|him|"
        r"me)|beating (her|him)|domestic (violence|abuse)|screaming for help|"
        r"(kill|hurt) (me|you|her|him|us)|called the police|police (are|were) (here|on))\b",
        r"\b(amenaz\w*|cuchillo|pistola|armas?|agredi\w*|golpeando|violencia)\b",
        r"\b(following|followed) me\b|\b(knows|know) where i live\b|\b(he|she|they|someone|a man|"
        r"a stranger|a guy|the man)\b( \w+){0,3} wait(ing|s)? for me\b|"
        r"\b(trying|tried|turning|turned|rattling|jiggling) (my|the|our) (front )?(door ?handle|"
        r"handle|door|lock)\b|\bsomeone\b.{0,30}\b(at|outside) (my|the|our) (door|window)\b.{0,60}"
        r"\b(won'?t (leave|go)|keeps|banging|shouting)|\b(stop,? please stop|please stop|"
        r"screaming|crying for help|a woman (crying|screaming))\b.{0,80}\b(crash|thrown|hit|"
        r"shout\w*|scream\w*|bang)|\b(crash|thrown|smash\w*)\b.{0,80}\b(crying|screaming|"
        r"please stop|stop,? please)",
        r"\b(menac|couteau|arme|agress|frappe|violence)\w*\b",
        r"\b(bedroh|messer|waffe|angegriffen|schlägt|gewalt)\w*\b",
        r"\b(ameaç\w*|faca|armas?|agredi\w*|batendo|violência)\b",
        r"\b(minacc\w*|coltello|pistola|armi|arma|aggredi\w*|picchia\w*|violenza)\b",
        r"\b(grozi|nóż|broń|napad|bije|przemoc)\w*\b",
        r"\b(đe dọa|dao|súng|tấn công|đánh|bạo lực)\b",
    ),
    *(_d(kind, reason, pattern) for kind, reason, pattern in OTHER_SCRIPTS),
)
