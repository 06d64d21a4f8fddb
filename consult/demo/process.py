"""Demo data of the consultation process, from the facts of HSP/EB.2024/5.

Where the document gives only a month, the milestone spans that month rather than
inventing a day. Principles and priority statements are taken from the plan's English
paragraphs, each with the seed's Chinese text of the same sub-item as its Chinese version.

The seed's path (to the Executive Board's first session of 2024) and the six consultations it
lists are history with their real dates. The drafting round is the present whatever day the demo
is loaded, and what follows it is ahead: those dates are illustrative and say so.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from consult.dialogues.services import create_dialogue, publish_outcome, save_outcome
from consult.drafts.services import default_close_time, publish_release
from consult.drafts.translations import newest_translations, store_translation
from consult.items.services import add_item, link_sections
from consult.models import Consultation, Document, Release, Section
from consult.models.base import utcnow
from consult.roadmap.services import create_milestone

NAIROBI = ZoneInfo("Africa/Nairobi")
NEW_YORK = ZoneInfo("America/New_York")

# (title, kind, first day, last day, place, description)
HISTORY = [
    (
        "Second session of the UN-Habitat Assembly: strategic plan 2020–2023 extended to 2025",
        "assembly",
        date(2023, 6, 5),
        date(2023, 6, 9),
        "Nairobi",
        "Member States extended the plan to 2025 and decided to resume the session in 2025 to adopt the plan "
        "for 2026–2029.",
    ),
    (
        "Executive Board, third session of 2023",
        "board_session",
        date(2023, 11, 1),
        date(2023, 11, 30),
        "Nairobi",
        "Took note of the report on the preparation of the strategic plan for 2026–2029 (November 2023).",
    ),
    (
        "Internal task force formed to guide the drafting",
        "internal",
        date(2024, 1, 1),
        date(2024, 1, 31),
        "",
        "Representing all regions and divisions; refined the roadmap and identified priorities (January 2024).",
    ),
    (
        "OIOS mid-term evaluation of the strategic plan 2020–2025",
        "internal",
        date(2024, 1, 1),
        date(2024, 1, 31),
        "",
        "The Office of Internal Oversight Services shared its draft report (January 2024).",
    ),
    (
        "Executive Board, first session of 2024",
        "board_session",
        date(2024, 5, 6),
        date(2024, 5, 8),
        "Nairobi",
        "Update on the preparation of the strategic plan (HSP/EB.2024/5).",
    ),
]

ILLUSTRATIVE = "Illustrative date: counted from the day the demo was loaded."

# The present: the zero draft went out some days ago and its comment window is still open.
ROUND_OPENED_DAYS_AGO = 9
ROUND_WINDOW_DAYS = 30


@dataclass(frozen=True)
class DraftingRound:
    """The drafting round under way, the same whatever day the demo is loaded."""

    opened_at: datetime
    closes_at: datetime

    @classmethod
    def from_now(cls) -> "DraftingRound":
        opened_at = (utcnow() - timedelta(days=ROUND_OPENED_DAYS_AGO)).replace(minute=0, second=0, microsecond=0)
        return cls(opened_at, default_close_time(ROUND_WINDOW_DAYS - ROUND_OPENED_DAYS_AGO))

    def backdate(self, release: Release) -> Release:
        """Released when its window opened: publishing stamps the release with the current time."""
        release.published_at = self.opened_at
        return release

    def ahead(self) -> list[tuple]:
        """The steps after the round, in the shape of HISTORY, counted from the day its window closes."""
        closes_on = self.closes_at.date()
        board = closes_on + timedelta(weeks=12)
        adoption = closes_on + timedelta(weeks=24)
        return [
            (
                "Revised draft of the strategic plan released for comment",
                "release",
                closes_on + timedelta(weeks=4),
                None,
                "",
                "The secretariat answers the comments on the zero draft and releases a revised draft. " + ILLUSTRATIVE,
            ),
            (
                "Executive Board session to consider the draft strategic plan",
                "board_session",
                board,
                board + timedelta(days=2),
                "Nairobi",
                ILLUSTRATIVE,
            ),
            (
                "Adoption of the strategic plan 2026–2029 at the resumed second session of the UN-Habitat Assembly",
                "assembly",
                adoption,
                adoption + timedelta(days=1),
                "Nairobi",
                "The Assembly resumes the session it adjourned in June 2023 to adopt the plan. " + ILLUSTRATIVE,
            ),
        ]


PRIORITY_TITLES = {
    ("10", "a"): "Adequate, safe and affordable housing for all",
    ("10", "b"): "Inclusive urban prosperity and finance",
    ("10", "c"): "Effective climate action and environmental sustainability",
    ("10", "d"): "Multilevel governance and localization of the SDGs",
    ("10", "e"): "Effective urban crisis response and recovery",
    ("23", "a"): "Equitable prosperity through urbanization",
    ("23", "b"): "Living in harmony with nature",
    ("23", "c"): "Migration, displacement and building back better",
    ("24", "a"): "National policies and governance frameworks for territorial planning",
    ("24", "b"): "Integrated planning and multilevel governance",
    ("24", "c"): "Evidence-based decision-making and people-centred digital systems",
}
# The seed gives no titles to these sub-items: short ones in its own words.
PRIORITY_TITLES_ZH = {
    ("10", "a"): "人人获得适足、安全和负担得起的住房",
    ("10", "b"): "包容性城市繁荣和金融",
    ("10", "c"): "有效的气候行动和环境可持续性",
    ("10", "d"): "可持续发展目标的多级治理和地方化",
    ("10", "e"): "有效的城市危机应对和恢复",
    ("23", "a"): "利用城市化的力量促进公平繁荣",
    ("23", "b"): "与自然环境和谐相处",
    ("23", "c"): "移徙、流离失所和重建地更好",
    ("24", "a"): "国土规划的国家政策和治理框架",
    ("24", "b"): "综合规划系统和多级治理",
    ("24", "c"): "循证决策和以人为本的数字系统",
}
PRIORITY_GROUPS = {"10": "current_framework", "17": "considerations", "23": "entry_points", "24": "approaches"}

SUB_ITEM = re.compile(r"^\((?P<letter>[a-z])\)\s+(?:\*\*(?P<title>[^*]+?):\*\*\s*)?(?P<text>.+)$")
# The Chinese edition sets some titles in bold and some not; a title ends at the first full-width colon.
SUB_ITEM_ZH = re.compile(r"^\((?P<letter>[a-z])\)\s*(?P<text>.+)$")

DIALOGUES = [
    {
        "title": "First dialogue with Member States on the strategic plan 2026–2029",
        "constituency": "member_states",
        "format": "hybrid",
        "starts_at": datetime(2024, 1, 31, 10, tzinfo=NAIROBI),
        "hours": 4,
        "place": "UN-Habitat headquarters, Nairobi",
        "participants": ["KEN", "FRA", "CHN", "BRA", "EGY", "DEU", "USA", "IND", "ZAF", "MEX", "JPN", "SWE", "NGA"],
        "agenda": [
            ("Roadmap for the preparation of the strategic plan", "para", "3"),
            ("Proposed guiding principles", "principles", None),
            ("Emerging priorities", "priorities", None),
        ],
        "outcome": {
            "summary": (
                "[Demo data] Member States welcomed the open and inclusive process and the proposed roadmap. "
                "They asked for a **focused** plan with a manageable number of priorities, for continuity with "
                "the proven work of UN-Habitat, and for measurable results."
            ),
            "conclusions": [
                (
                    "The plan should address a reasonable and manageable number of priorities rather than cover "
                    "every topic.",
                    ["principle-b"],
                ),
                (
                    "Objectives and targets should be measurable and supported by a clear results framework.",
                    ["principle-e"],
                ),
                ("The plan should build on the proven impact and capacities of UN-Habitat.", ["priority-17(a)"]),
            ],
        },
    },
    {
        "title": "Consultation at the UN Civil Society Conference",
        "constituency": "major_stakeholders",
        "format": "in_person",
        "starts_at": datetime(2024, 5, 9, 14, tzinfo=NAIROBI),
        "hours": 2,
        "place": "Nairobi",
        "participants": ["SDI", "HIC", "ISOCARP", "UCLG"],
        "agenda": [("Emerging priorities and entry points", "priorities", None)],
    },
    {
        "title": "Consultation at the Africa Urban Forum",
        "constituency": "member_states",
        "format": "in_person",
        "starts_at": datetime(2024, 9, 4, 10, tzinfo=ZoneInfo("Africa/Addis_Ababa")),
        "hours": 3,
        "place": "Addis Ababa",
        "participants": ["ETH", "KEN", "NGA", "ZAF", "SEN", "AG"],
        "agenda": [("Priorities for Africa's cities", "priorities", None)],
    },
    {
        "title": "Consultation on the margins of the high-level political forum on sustainable development",
        "constituency": "member_states",
        "format": "hybrid",
        # The seed gives September 2024 for the forum; the day is ours.
        "starts_at": datetime(2024, 9, 17, 10, tzinfo=NEW_YORK),
        "hours": 2,
        "place": "United Nations Headquarters, New York",
        "participants": ["KEN", "FRA", "CHN", "BRA", "EGY", "USA", "IND", "MEX", "JPN", "SWE"],
        "agenda": [("The plan and the final years of the 2030 Agenda", "priorities", None)],
        "outcome": {
            "summary": (
                "[Demo data] Member States asked that the plan show how UN-Habitat advances Sustainable "
                "Development Goal 11 and the urban targets of the other Goals in the final years of the 2030 "
                "Agenda, and that it report its results in a form the **voluntary national and local reviews** "
                "can use."
            ),
            "conclusions": [
                (
                    "Results should be reported in a form that voluntary national and local reviews can use.",
                    ["principle-e"],
                ),
                (
                    "Localizing the Sustainable Development Goals should remain a priority of the plan.",
                    ["priority-10(d)"],
                ),
            ],
        },
    },
    {
        "title": "Consultation on the margins of the Summit of the Future",
        "constituency": "un_system",
        "format": "hybrid",
        "starts_at": datetime(2024, 9, 21, 10, tzinfo=NEW_YORK),
        "hours": 2,
        "place": "New York",
        "participants": ["UNEP", "UNDP", "UNHCR", "OHCHR", "UNDRR"],
        "agenda": [("The Pact for the Future and synergies with the United Nations system", "para", "17")],
        "outcome": {
            "summary": (
                "[Demo data] United Nations entities welcomed a plan framed by the **Pact for the Future** and "
                "asked UN-Habitat to say where it leads and where it contributes to the joint work of the system."
            ),
            "conclusions": [
                (
                    "The plan should say where UN-Habitat leads and where it contributes to joint work of the "
                    "United Nations system.",
                    ["priority-17(b)"],
                ),
                (
                    "Climate action and disaster risk reduction should be planned with the entities that lead on them.",
                    ["priority-10(c)"],
                ),
            ],
        },
    },
    {
        "title": "Consultation at the twelfth session of the World Urban Forum",
        "constituency": "major_stakeholders",
        "format": "hybrid",
        "starts_at": datetime(2024, 11, 5, 11, tzinfo=ZoneInfo("Africa/Cairo")),
        "hours": 3,
        "place": "Cairo",
        "participants": ["EGY", "SDI", "HIC", "UCLG", "ISOCARP"],
        "agenda": [("Draft priorities and approaches", "priorities", None)],
        "outcome": {
            "summary": (
                "[Demo data] Civil society, local governments and professional associations asked that the plan "
                "name **informal settlements** and the people who live in them, and that local and regional "
                "governments take part in carrying it out."
            ),
            "conclusions": [
                (
                    "Informal settlements and their upgrading should be named among the housing priorities.",
                    ["priority-10(a)", "priority-23(a)"],
                ),
                ("Local and regional governments should take part in carrying out the plan.", ["priority-24(b)"]),
            ],
        },
    },
]


def _sub_items(body: str):
    for block in body.split("\n\n"):
        match = SUB_ITEM.match(block.strip())
        if match:
            yield match["letter"], match["title"], match["text"]


def _chinese_sub_items(body: str) -> dict[str, str]:
    """Letter → the Chinese text of each sub-item, its title (if any) still in front."""
    found = {}
    for block in body.split("\n\n"):
        match = SUB_ITEM_ZH.match(block.strip())
        if match:
            found[match["letter"]] = match["text"].replace("**", "").strip()
    return found


def _translate_item(translator, item: Section, chinese: str, title: str | None) -> None:
    """The seed's Chinese sub-item as the item's Chinese version. Without a title of ours, the
    seed's own title is the text before the first colon."""
    if title is None:
        title, _, chinese = chinese.partition("：")
    store_translation(
        translator, item, language="zh", body=chinese.strip(), base_version=item.latest_version, heading=title.strip()
    )


def load_process(
    consultation: Consultation, plan: Document, secretariat, editor, drafting_round: DraftingRound
) -> None:
    """Roadmap milestones, principles, priorities and dialogues for the demo consultation."""
    for title, kind, starts_on, ends_on, place, description in HISTORY + drafting_round.ahead():
        create_milestone(
            secretariat,
            consultation,
            {
                "title": title,
                "kind": kind,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "place": place,
                "description": description,
            },
        )
    paragraphs = {section.number: section for section in plan.sections}
    chinese = {
        section_id: _chinese_sub_items(translation.body)
        for section_id, translation in newest_translations([s.id for s in plan.sections], "zh").items()
    }
    items: dict[str, Section] = {}
    for letter, title, text in _sub_items(paragraphs["9"].versions[0].body):
        item = add_item(secretariat, consultation, kind="guiding_principles", number=letter, title=title, body=text)
        _translate_item(secretariat, item, chinese[paragraphs["9"].id][letter], None)
        items[f"principle-{letter}"] = item
    for number, group in PRIORITY_GROUPS.items():
        for letter, title, text in _sub_items(paragraphs[number].versions[0].body):
            item = add_item(
                secretariat,
                consultation,
                kind="priority_statements",
                number=f"{number}({letter})",
                title=title or PRIORITY_TITLES[(number, letter)],
                body=text,
                group=group,
            )
            _translate_item(
                secretariat, item, chinese[paragraphs[number].id][letter], PRIORITY_TITLES_ZH.get((number, letter))
            )
            link_sections(editor, item, [paragraphs[number].id])
            items[f"priority-{number}({letter})"] = item
    for document in {item.document for item in items.values()}:
        drafting_round.backdate(
            publish_release(
                secretariat,
                document,
                label="For comment",
                comments_open_at=drafting_round.opened_at,
                comments_close_at=drafting_round.closes_at,
            )
        )

    def agenda_sections(target, number):
        if target == "para":
            return [paragraphs[number].id]
        prefix = "principle-" if target == "principles" else "priority-"
        return [item.id for key, item in items.items() if key.startswith(prefix)]

    for spec in DIALOGUES:
        starts_at = spec["starts_at"].astimezone(UTC)
        dialogue = create_dialogue(
            secretariat,
            consultation,
            {
                "title": spec["title"],
                "constituency": spec["constituency"],
                "format": spec["format"],
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=spec["hours"]),
                "timezone": spec["starts_at"].tzinfo.key,
                "place": spec["place"],
                "participants": spec["participants"],
                "agenda": [
                    {"title": title, "section_ids": agenda_sections(target, number)}
                    for title, target, number in spec["agenda"]
                ],
            },
        )
        if "outcome" in spec:
            save_outcome(
                secretariat,
                dialogue,
                summary=spec["outcome"]["summary"],
                conclusions=[
                    {"text": text, "section_ids": [items[key].id for key in keys]}
                    for text, keys in spec["outcome"]["conclusions"]
                ],
            )
            # Published two weeks after the dialogue, as the secretariat did.
            publish_outcome(secretariat, dialogue).published_at = starts_at + timedelta(days=14)
