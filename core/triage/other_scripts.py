"""The danger words of the languages the net reads that are not written in Latin letters.

Chinese and Arabic (standard and spoken forms): the commonest ways each danger is
told, as (kind, reason, pattern) for `core.triage.dangers`, which compiles them with
the others. Chinese is written without spaces, so its words have no boundaries to match.
"""

from __future__ import annotations

OTHER_SCRIPTS: tuple[tuple[str, str, str], ...] = (
    (
        "fire",
        "there may be a fire",
        r"着火|起火|失火|火灾|烧起来|火苗|冒火|\b(حريق|حريقة|ولعت|اشتعل\w*|عم تحترق|نار)\b",
    ),
    ("smoke", "there may be smoke", r"冒烟|浓烟|烟雾|有烟|全是烟|烧焦味|糊味|\b(دخان|دخنة)\b"),
    (
        "gas",
        "there may be a gas leak",
        r"(煤气|燃气|天然气)(味|泄漏|漏了)|漏气|闻到.{0,4}(煤气|燃气|天然气)|"
        r"\b(ريحة|رائحة|ريحه|تسرب|تسريب) (ال)?غاز\b",
    ),
    ("co", "a carbon-monoxide alarm may be going off", r"一氧化碳|煤气中毒|\bأول أكسيد الكربون\b"),
    (
        "flooding",
        "water may be flooding in",
        r"漏水|渗水|淹水|进水|积水|水管(爆|裂|破)|爆管|(天花板|屋顶|墙).{0,6}(漏|滴|流)水|"
        r"水.{0,6}(从|往).{0,6}(天花板|屋顶|墙|外)|"
        r"\b(ال)?(مي|ماء|مياه|موية)\b.{0,30}\b(نازل\w*|تنزل|ينزل|عم تنزل|يتسرب|تتسرب|يتدفق|"
        r"طايف\w*|طافت|بتنقط|عم تنقط)|\b(تسرب|تسريب|فيضان|طوفان|غرق\w*)\b",
    ),
    (
        "trapped",
        "a person may be trapped",
        r"困在|被困|出不来|卡在电梯|关在(里面|电梯)|\b(عالق|عالقة|عالقين|محبوس\w*|علقت|علقان\w*)\b",
    ),
    (
        "injured",
        "someone may be hurt or unwell",
        r"摔倒|摔伤|受伤|昏倒|晕倒|流血|救护车|喘不过气|"
        r"\b((وقع|وقعت) (على الأرض|عالأرض|عن الدرج|عالدرج)|انجرح\w*|مجروح\w*|نزيف|إسعاف|"
        r"اسعاف|فقد الوعي|أغمي|مغمى)\b",
    ),
    (
        "electrical",
        "there may be sparks, burning or live wiring",
        r"火花|短路|插座.{0,4}(烧|冒烟|发烫|发热)|触电|漏电|"
        r"\b(شرارة|شرار|ماس كهربائي|ماس كهربا|صعقة|كهربا مكشوفة)\b",
    ),
    (
        "insecure",
        "the home or the building cannot be secured",
        r"(门|锁).{0,6}(锁不上|关不上|关不了|锁不了|坏了)|"
        r"\b(الباب|القفل|الغال)\b.{0,30}\b(ما بيسكر|ما عم يتسكر|ما بينقفل|لا يقفل|مكسور|"
        r"ما بيتسكر)",
    ),
    (
        "sewage",
        "sewage may be backing up",
        r"污水|下水道.{0,4}(返|冒|溢|堵)|粪水|\b(مجاري|المجاري|صرف صحي|الصرف الصحي)\b",
    ),
    (
        "no_heat",
        "no heat or no water in dangerous weather",
        r"(没有|没)暖气|暖气.{0,4}(坏|不热|停|不工作)|"
        r"\b(ما في تدفئة|مافي تدفئة|التدفئة (معطلة|مقطوعة|خربانة|واقفة)|الشوفاج (معطل|خربان))\b",
    ),
    (
        "structural",
        "something may be falling down",
        r"(天花板|屋顶|墙|阳台).{0,4}(塌|掉下|裂开|倒)|倒塌|"
        r"\b(السقف|الحيط|البلكون)\b.{0,20}\b(وقع|انهار|عم يوقع|متشقق|عم يتشقق)|\bانهيار\b",
    ),
    (
        "break_in",
        "there may have been a break-in",
        r"(有人|小偷).{0,6}(闯入|撬|进了|进来)|入室盗窃|被撬|"
        r"\b(حرامي|حرامية|سرقة|كسروا الباب|اقتحم\w*|اقتحام)\b",
    ),
    (
        "violence",
        "someone may be threatened or hurt by another person",
        r"威胁|打人|拿刀|家暴|\b(تهديد|هددني|هددنا|سكين|عم يضرب|عنف)\b",
    ),
)
