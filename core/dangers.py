"""The safety net's danger words: what each danger looks like, in the tenants' languages.

Data for `core.safety_net`, which decides what a match means (denied, past,
asked about). Each `Danger` is one kind, its reason in the operator's words,
and one pattern made of alternatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FLAGS = re.IGNORECASE | re.UNICODE  # every pattern: any case, any script


@dataclass(frozen=True)
class Danger:
    kind: str  # trapped, injured, vulnerable, fire, smoke, gas, co, electrical, …
    reason: str  # what a person must know: "a person may be trapped"
    pattern: re.Pattern[str]


# People for whom cold, heat, no water or a broken lift is dangerous.
VULNERABLE = (
    r"(baby|babies|newborn|infant|toddler|elderly|frail|pregnant|dementia|alzheimer|wheelchair|"
    r"dialysis|oxygen|heart (condition|patient|problem)|surgery|disabled|medication|medicine|"
    r"\b[6-9]\d[- ]?(years?|yrs?|yo)\b|\([6-9]\d\)|\b[6-9]\d (anni|años|ans|jahre|anos|lat|tuổi)"
    r"|bebé|bebê|bébé|anzian|ancian|idos[oa]|âgée?|älter|starsz|người già|niemowl|neonat|"
    r"medicin|medicamento|médicament|medikament|lekarstw|thuốc)"
)


def _d(kind: str, reason: str, *parts: str) -> Danger:
    return Danger(kind, reason, re.compile("|".join(parts), FLAGS))


DANGERS = (
    _d(
        "trapped",
        "a person may be trapped",
        r"\b(trapped|stuck|shut) (in|inside|between)\b(?! (traffic|a meeting|work|the office))",
        r"\b(stuck|trapped) in (the |an |our |my )?(lift|elevator)\b",
        r"\b(lift|elevator)\b.{0,40}\b(stuck|stopped|trapped)\b.{0,40}\b(inside|people|person|"
        r"someone|me|us|with|between floors)\b",
        r"\bcan'?t (get|come) out\b|\bcannot (get|come) out\b|\bunable to get out\b",
        r"\b(stuck|locked( out)?) on (the|my|our) balcony\b",
        r"\blocked (in|inside)\b(?! (a|the) (contract|lease))",
        r"\batrapad[oa]s?\b|\bencerrad[oa]s?\b|\bno (puedo|podemos) salir\b",
        r"\bcoincé[es]?\b|\bbloqué[es]? dans\b|\benfermé[es]?\b|\bne (peux|pouvons) pas sortir\b",
        r"\beingeschlossen\b|\bsteck(e|en|t) (im|in|fest)\b|\bkomm(e|en) nicht (raus|heraus)\b",
        r"\bpres[oa]s? (no|na|dentro)\b|\bnão (consigo|conseguimos) sair\b",
        r"\bbloccat[oia]\b|\bintrappolat[oia]\b|\bnon (riesco|riusciamo) (a )?uscire\b",
        r"\buwięzion|\butknął|\butknęła|\bnie mo(gę|żemy) wyjść\b|\bzamknięt[aey] w\b",
        r"\bbị kẹt\b|\bmắc kẹt\b|\bkhông ra được\b",
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
        r"\b(tombé[es]?|s'est évanoui|inconscient|saign|blessé[es]?|ambulance)",
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
        r"\b(alone|locked (in|inside|out)|outside|stuck|trapped)\b.{0,60}\b(baby|toddler|"
        r"infant|child|kid|son|daughter|elderly|mother|mum|mom|father|dad|grandm\w*|"
        r"disabled|wheelchair|medication|medicine|insulin)\b",
        r"\b(dementia|alzheimer|sozinh\w* .{0,20}dentro|alone inside|sola (dentro|adentro)|"
        r"seule? (à l'intérieur|dedans)|allein (drinnen|in der wohnung))\b",
        r"\b(stove|oven|hob|fogão|estufa|cocina|four|herd|fornello|kuchenk|bếp)\b.{0,30}\b(on|left "
        r"on|ligad|encendid|allumé|an\b|acces|włączon|đang bật)",
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
        r"(một mình|bên trong|bên ngoài|bị nhốt|lạnh)",
    ),
    _d(
        "fire",
        "there may be a fire",
        r"\b(fire|flames?|on fire|burning|caught fire|blaze)\b(?! (drill|alarm test|escape|"
        r"extinguisher|safety|exit|door|department|brigade|station|hydrant|pit|place|work(s)?|"
        r"fighters?|marshal|code|inspection|insurance|risk))",
        r"\b(fuego|incendio|llamas|se quema|quemando)\b",
        r"\b(feu|incendie|flammes|brûle)\b",
        r"\b(feuer|brand|brennt|flammen)\b",
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
        r"\b(humo|olor a quemado)\b|\b(fumée|odeur de brûlé)\b|\b(rauch|verbrannt riecht|"
        r"brandgeruch)\b|\b(fumaça|fumo|cheiro de queimado)\b|\b(fumo|odore di bruciato)\b",
        r"\b(dym|swąd|zapach spalenizny)\b|\b(khói|mùi khét)\b",
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
        r"\b(mùi gas|mùi ga|rò rỉ (khí )?ga)\b",
    ),
    _d(
        "co",
        "a carbon-monoxide alarm may be going off",
        r"\b(carbon monoxide|co (alarm|detector)|co2? alarm)\b(?!.{0,40}\b(battery|batteries|"
        r"test\w*|chirp\w*|low))",
        r"\b(monóxido de carbono|monoxyde de carbone|kohlenmonoxid|co-melder|monóxido de carbono|"
        r"monossido di carbonio|czad|tlenek węgla|khí co)\b",
    ),
    _d(
        "electrical",
        "there may be sparks, burning or live wiring",
        r"\b(spark(s|ing|ed)?|arcing|scorch(ed|marks?)?|melt(ed|ing)|exposed wir(e|es|ing)|"
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
    ),
    _d(
        "flooding",
        "water may be flooding or reaching electrics",
        r"\b(flood(ed|ing)?|water (is )?(pouring|gushing|pouring in|everywhere|coming "
        r"(through|in|down|out)|dripping (from|through) the (ceiling|light))|burst (pipe|main)|"
        r"pipe (burst|has burst)|ceiling (is )?(leaking|dripping|soaked|bulging)|"
        r"(water|leak)\b.{0,50}\b(light|lamp|fitting|fixture|outlet|socket|electric\w*|wiring|"
        r"fuse|breaker)|standing water.{0,30}(inches|cm|deep))\b",
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
        r"\b(ngập|nước (chảy|tràn|rò) (từ trần|khắp)|vỡ ống)\b",
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
        r"\b(amenaz|cuchillo|pistola|arma|agredi|golpeando|violencia)\w*\b",
        r"\b(menac|couteau|arme|agress|frappe|violence)\w*\b",
        r"\b(bedroh|messer|waffe|angegriffen|schlägt|gewalt)\w*\b",
        r"\b(ameaç|faca|arma|agredi|batendo|violência)\w*\b",
        r"\b(minacc|coltello|pistola|arma|aggredi|picchia|violenza)\w*\b",
        r"\b(grozi|nóż|broń|napad|bije|przemoc)\w*\b",
        r"\b(đe dọa|dao|súng|tấn công|đánh|bạo lực)\b",
    ),
)
