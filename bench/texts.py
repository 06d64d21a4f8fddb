"""Generated text that reads like a UN strategic-plan draft and delegations' comments.

Everything comes from a seeded random generator, so every run builds the same data set.
Paragraph and comment lengths follow the seed document HSP/EB.2024/5: 50–180 words a
paragraph, some with (a), (b) … sub-items, and about one paragraph in ten in Chinese.
"""

import random

# (subject, plural?): the verb agrees with it.
SUBJECTS = [
    ("The secretariat", False),
    ("Member States", True),
    ("UN-Habitat", False),
    ("The Executive Board", False),
    ("The internal task force", False),
    ("Local and regional governments", True),
    ("The United Nations Habitat Assembly", False),
    ("Partners and stakeholders", True),
    ("National statistical offices", True),
    ("The Executive Director", False),
    ("The regional offices", True),
]
# (singular, plural)
VERBS = [
    ("will strengthen", "will strengthen"),
    ("proposes to align its work with", "propose to align their work with"),
    ("should prioritize", "should prioritize"),
    ("has continued to support", "have continued to support"),
    ("will report on", "will report on"),
    ("recognizes the need to scale up", "recognize the need to scale up"),
    ("intends to monitor", "intend to monitor"),
    ("will mobilize resources for", "will mobilize resources for"),
    ("encourages cooperation on", "encourage cooperation on"),
    ("reaffirms the commitment to", "reaffirm the commitment to"),
]
OBJECTS = [
    "access to adequate and affordable housing",
    "the implementation of the New Urban Agenda",
    "climate action in cities and human settlements",
    "the localization of the Sustainable Development Goals",
    "basic services in informal settlements",
    "urban resilience and disaster risk reduction",
    "integrated spatial planning at all levels",
    "data and evidence on urban poverty",
    "inclusive and participatory urban governance",
    "sustainable urban mobility and public space",
    "municipal finance and land-based revenue",
    "the quadrennial comprehensive policy review",
    "gender equality and the empowerment of women in cities",
    "the prevention of forced evictions",
]
TAILS = [
    "during the period 2026–2029",
    "in line with General Assembly resolution 75/233",
    "with particular attention to the least developed countries",
    "in close cooperation with the United Nations development system",
    "on the basis of lessons learned from the mid-term evaluation",
    "through its regional and country offices",
    "subject to the availability of resources",
    "",
    "",
]

ZH_SUBJECTS = [
    "秘书处",
    "会员国",
    "人居署",
    "执行局",
    "内部工作队",
    "地方和区域政府",
    "联合国人居大会",
    "各伙伴和利益攸关方",
]
ZH_VERBS = ["将加强", "建议优先考虑", "继续支持", "将报告", "认识到需要扩大", "打算监测", "将审查", "重申致力于"]
ZH_OBJECTS = [
    "获得适足和负担得起的住房",
    "《新城市议程》的执行工作",
    "城市和人类住区的气候行动",
    "可持续发展目标的地方化",
    "非正规住区的基本服务",
    "城市韧性和减少灾害风险",
    "各级综合空间规划",
    "关于城市贫困的数据和证据",
    "包容和参与式的城市治理",
]
ZH_TAILS = ["，并在2026–2029年期间予以落实", "，特别关注最不发达国家", "，与联合国发展系统密切合作", "", ""]

CHAPTERS = [
    ("Introduction", 12, []),
    ("Mandate, vision and mission", 20, []),
    ("Global context and megatrends", 45, ["Urban poverty and inequality", "Climate change", "Demographic change"]),
    ("Lessons learned", 35, ["Evaluations", "Partnerships", "Normative and operational work"]),
    ("Guiding principles", 30, ["Principles", "Approach to implementation"]),
    (
        "Strategic priorities and outcomes",
        80,
        ["Adequate housing, land and basic services", "Climate action", "Urban crises", "Localizing the Goals"],
    ),
    ("Implementation modalities", 48, ["Regional presence", "Financing", "Partnerships and coordination"]),
    ("Performance measurement and reporting", 30, ["Results framework", "Reporting to the Executive Board"]),
]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def _sentence(rng: random.Random) -> str:
    subject, plural = rng.choice(SUBJECTS)
    tail = rng.choice(TAILS)
    return f"{subject} {rng.choice(VERBS)[plural]} {rng.choice(OBJECTS)}{', ' + tail if tail else ''}."


def _zh_sentence(rng: random.Random) -> str:
    return f"{rng.choice(ZH_SUBJECTS)}{rng.choice(ZH_VERBS)}{rng.choice(ZH_OBJECTS)}{rng.choice(ZH_TAILS)}。"


def _items(rng: random.Random, chinese: bool) -> list[str]:
    count = rng.randint(3, 6)
    objects = rng.sample(ZH_OBJECTS if chinese else OBJECTS, count)
    items = []
    for index, text in enumerate(objects):
        label = "abcdefg"[index]
        if chinese:
            items.append(f"({label}) {text}{'。' if index == count - 1 else '；'}")
        else:
            tail = rng.choice(TAILS)
            end = "." if index == count - 1 else ("; and" if index == count - 2 else ";")
            items.append(f"({label}) {text[0].upper()}{text[1:]}{', ' + tail if tail else ''}{end}")
    return items


def paragraph(rng: random.Random, chinese: bool) -> str:
    """One numbered paragraph's text (without its number), Markdown blocks separated by blank lines."""
    make = _zh_sentence if chinese else _sentence
    intro = "".join if chinese else " ".join
    if rng.random() < 0.3:
        lead = intro(make(rng) for _ in range(rng.randint(1, 3)))
        lead = lead[:-1] + ("：" if chinese else ":")
        return "\n\n".join([lead, *_items(rng, chinese)])
    return intro(make(rng) for _ in range(rng.randint(3, 7) if not chinese else rng.randint(4, 8)))


def document(rng: random.Random) -> str:
    """A 300-paragraph draft in the layout the importer reads (chapters, A./B. subsections)."""
    lines = [
        "HSP/HA.2/BENCH/1",
        "",
        "Draft strategic plan of the United Nations Human Settlements Programme for the period 2026–2029",
        "",
    ]
    number = 0
    for roman, (title, count, subsections) in zip(ROMAN, CHAPTERS, strict=False):
        lines += [f"{roman}. {title}", ""]
        per_subsection = -(-count // len(subsections)) if subsections else count
        for index in range(count):
            if subsections and index % per_subsection == 0:
                lines += [f"{'ABCDEFGH'[index // per_subsection]}. {subsections[index // per_subsection]}", ""]
            number += 1
            lines += [f"{number}. {paragraph(rng, chinese=number % 10 == 7)}", ""]
    return "\n".join(lines)


GENERAL_OPENINGS = [
    "Our delegation supports the paragraph as drafted.",
    "We welcome the emphasis on {object}.",
    "We appreciate the secretariat's work on this paragraph but find it too general.",
    "The paragraph should refer explicitly to {object}.",
    "We note with concern that {object} is not reflected in the results framework.",
    "Our delegation would like the plan to give more weight to {object}.",
]
GENERAL_FOLLOW_UPS = [
    "The language should be aligned with agreed language from the New Urban Agenda.",
    "We ask that the indicators be disaggregated by sex, age and disability.",
    "Regional specificities, in particular those of small island developing States, deserve mention.",
    "The resource implications of this paragraph should be presented to the Executive Board.",
    "We suggest a cross-reference to the performance measurement framework in chapter VIII.",
    "This is consistent with the outcome of the dialogue held on 31 January 2024.",
]
QUESTIONS = [
    "Could the secretariat clarify how {object} will be measured?",
    "How does this paragraph relate to the mid-term evaluation by the Office of Internal Oversight Services?",
    "Which regional offices will lead on {object}, and with what resources?",
    "Will the secretariat hold an informal briefing on {object} before the next session?",
]
AMENDMENT_REASONS = [
    "We propose the amendment below to make the commitment measurable.",
    "Our delegation proposes to strengthen the text as follows.",
    "The proposed wording reflects agreed language and avoids ambiguity.",
    "We suggest the following text, which keeps the structure of the paragraph.",
]
ZH_COMMENTS = [
    "我国代表团支持本段的案文，并建议更加重视{object}。",
    "建议秘书处说明如何衡量{object}方面的进展。",
    "本段应与《新城市议程》的商定措辞保持一致，并提及{object}。",
]
FR_COMMENTS = [
    "Notre délégation appuie ce paragraphe et souhaite qu'il mentionne le logement convenable et abordable.",
    "Nous proposons d'aligner le libellé sur le Nouveau Programme pour les villes.",
    "Le secrétariat pourrait-il préciser comment les progrès seront mesurés ?",
]


def _english_comment(rng: random.Random, kind: str) -> str:
    if kind == "question":
        first = rng.choice(QUESTIONS)
    elif kind == "amendment":
        first = rng.choice(AMENDMENT_REASONS)
    else:
        first = rng.choice(GENERAL_OPENINGS)
    sentences = [first.format(object=rng.choice(OBJECTS))]
    sentences += rng.sample(GENERAL_FOLLOW_UPS, rng.randint(0, 3))
    text = " ".join(sentences)
    shape = rng.random()
    if shape < 0.15:  # a short list, as delegations often send
        points = rng.sample(OBJECTS, 3)
        text += "\n\nIn particular:\n\n" + "\n".join(f"- {point}" for point in points)
    elif shape < 0.3:
        text += f"\n\n**{rng.choice(GENERAL_FOLLOW_UPS)}**"
    return text


def comment_pool(rng: random.Random) -> list[tuple[str, str, str]]:
    """Distinct (kind, language, body) texts; rows reuse them so each is rendered once."""
    pool = []
    for kind, count in (("general", 300), ("amendment", 100), ("question", 60)):
        pool += [(kind, "en", _english_comment(rng, kind)) for _ in range(count)]
    pool += [("general", "zh", text.format(object=obj)) for text in ZH_COMMENTS for obj in ZH_OBJECTS]
    pool += [("general", "fr", text) for text in FR_COMMENTS]
    return list(dict.fromkeys(pool))  # duplicates would be rendered twice


def amendments(body: str) -> list[str]:
    """Proposed texts for a paragraph: an added sentence, a stronger verb, a dropped sentence."""
    chinese = "。" in body
    added = "秘书处将每年向执行局报告进展情况。" if chinese else "The secretariat will report annually on progress."
    first, _, rest = body.partition("\n\n")
    variants = [f"{first}{'' if chinese else ' '}{added}" + (f"\n\n{rest}" if rest else "")]
    variants.append(body.replace("将", "应", 1) if chinese else body.replace(" will ", " shall ", 1))
    sentences = first.split("。" if chinese else ". ")
    if len(sentences) > 2:
        variants.append(("。" if chinese else ". ").join(sentences[:-2] + sentences[-1:]))
    return [variant for variant in variants if variant != body]


def quote(body: str) -> str:
    """The passage a comment quotes: the paragraph's first sentence."""
    first = body.split("\n\n", 1)[0]
    for stop in ("。", ". ", ":", "："):
        if stop in first:
            return first.split(stop, 1)[0] + stop.strip()
    return first
