"""The demo consultation, built from the real seed document through the importer.

The plan draft is one document: our English text (written from the seed's facts) is the
original, and the seed's Chinese text is stored as its Chinese version.

One story, whatever day it is loaded: the seed's path to May 2024 and its six consultations
are history with their real dates; the drafting round is the present (the zero draft was
released some days ago and its comment window is open); the next draft, the Executive Board
and the adoption lie ahead. Dates from the drafting round on are illustrative.
"""

from pathlib import Path

from sqlalchemy import select

from consult.auth.services import create_user, organization_by_code
from consult.comments.proposed_answers import share_answers
from consult.comments.services import create_comment, record_disposition
from consult.demo.process import DraftingRound, load_process
from consult.drafts.services import create_consultation, import_document, publish_release
from consult.drafts.translations import import_translation
from consult.extensions import db
from consult.models import Consultation, User

DATA = Path(__file__).resolve().parent / "data"
SLUG = "strategic-plan-2026-2029"
DEMO_PASSWORD = "consult-demo-2026"
PLAN_TITLE = "Update on the preparation of the UN-Habitat strategic plan for the period 2026–2029 (HSP/EB.2024/5)"

# (e-mail, name, role, organization code, preferred language)
DEMO_ACCOUNTS = [
    ("admin@consult.example", "Ada Admin", "admin", None, "en"),
    ("secretariat@consult.example", "Samira Secretariat", "secretariat", "UNH", "en"),
    ("editor@consult.example", "Erik Editor", "editor", "UNH", "en"),
    ("focal.ken@consult.example", "Wanjiru Focal (Kenya)", "focal_point", "KEN", "en"),
    ("delegate.ken@consult.example", "Otieno Delegate (Kenya)", "delegate", "KEN", "en"),
    ("focal.fra@consult.example", "Claire Focal (France)", "focal_point", "FRA", "fr"),
    ("delegate.fra@consult.example", "Louis Delegate (France)", "delegate", "FRA", "fr"),
    ("focal.chn@consult.example", "王芳 (China)", "focal_point", "CHN", "zh"),
    ("focal.bra@consult.example", "Ana Focal (Brazil)", "focal_point", "BRA", "es"),
    ("focal.egy@consult.example", "Omar Focal (Egypt)", "focal_point", "EGY", "ar"),
    ("observer@consult.example", "Olga Observer", "observer", None, "ru"),
]

# (author e-mail, paragraph, kind, language written in, body, submit). Delegations comment on the
# one plan document in the language they work in; only a focal point's comments are submitted.
DEMO_COMMENTS = [
    (
        "focal.chn@consult.example",
        "9",
        "general",
        "zh",
        "【演示数据】中方支持五项指导原则，建议在(b)项中明确优先事项的数量上限，以便于衡量。",
        True,
    ),
    (
        "focal.ken@consult.example",
        "9",
        "amendment",
        "zh",
        "【演示数据】肯尼亚建议在原则(d)中将国家统计局列为证据来源之一。",
        True,
    ),
    (
        "focal.fra@consult.example",
        "9",
        "general",
        "fr",
        "[Données de démonstration] La France appuie les principes proposés et souhaite que "
        "le principe (e) précise comment les progrès seront mesurés.",
        True,
    ),
    (
        "delegate.ken@consult.example",
        "9",
        "general",
        "en",
        "[Demo data] Draft for our focal point: principle (c) should mention that the plan "
        "can be reviewed at mid-term.",
        False,
    ),
    (
        "focal.bra@consult.example",
        "23",
        "amendment",
        "es",
        "[Datos de demostración] Brasil propone mencionar explícitamente los asentamientos "
        "informales en el punto de entrada (a).",
        True,
    ),
    (
        "focal.egy@consult.example",
        "26",
        "question",
        "ar",
        "[بيانات تجريبية] هل ستُعقد مشاورة إقليمية مخصصة للدول العربية قبل المنتدى الحضري العالمي؟",
        True,
    ),
]

# What each demo amendment changes in the released English paragraph: (paragraph, passage, replacement).
AMENDMENTS = {
    "9": (
        "informed by data and scientific research",
        "informed by data from national statistical offices and by scientific research",
    ),
    "23": (
        "including universal access to housing, infrastructure and basic services",
        "including universal access to housing, infrastructure and basic services and the upgrading of "
        "informal settlements",
    ),
}


def _proposed_text(section) -> str:
    passage, replacement = AMENDMENTS[section.number]
    body = section.versions[-1].body
    if passage not in body:
        raise ValueError(f"Paragraph {section.number} of the demo text no longer says “{passage}”.")
    return body.replace(passage, replacement, 1)


def load_demo() -> bool:
    """Load everything once; return False when the demo consultation is already there (in whatever shape)."""
    if db.session.scalar(select(Consultation.id).where(Consultation.slug == SLUG)):
        return False
    users = {}
    for email, name, role, code, locale in DEMO_ACCOUNTS:
        users[email] = db.session.scalar(select(User).where(User.email == email)) or create_user(
            None,
            email=email,
            name=name,
            role=role,
            password=DEMO_PASSWORD,
            organization=organization_by_code(code),
            locale=locale,
        )
    secretariat = users["secretariat@consult.example"]
    consultation = create_consultation(
        None,
        slug=SLUG,
        title="UN-Habitat Strategic Plan 2026–2029",
        description=(
            "Open and inclusive consultation with member States on the UN-Habitat strategic "
            "plan for the period 2026–2029 (see HSP/EB.2024/5). Demo data: the path to the "
            "Executive Board's first session of 2024 and the six consultations of 2024 follow "
            "HSP/EB.2024/5 with their real dates; the drafting round under way and the steps "
            "after it are illustrative, dated from the day the demo was loaded."
        ),
    )
    plan = import_document(
        None,
        consultation,
        title=PLAN_TITLE,
        text=(DATA / "hsp_eb_2024_5_en.md").read_text(encoding="utf-8"),
        language="en",
    )
    import_translation(
        secretariat, plan, language="zh", text=(DATA / "hsp_eb_2024_5_zh.txt").read_text(encoding="utf-8")
    )
    drafting_round = DraftingRound.from_now()
    zero_draft = publish_release(
        secretariat,
        plan,
        label="Zero draft",
        comments_open_at=drafting_round.opened_at,
        comments_close_at=drafting_round.closes_at,
        propose_answers=True,
    )
    drafting_round.backdate(zero_draft)
    paragraphs = {section.number: section for section in plan.sections}
    made = {}
    for email, number, kind, language, body, submit in DEMO_COMMENTS:
        author = users[email]
        made[email, number] = create_comment(
            author,
            paragraphs[number],
            kind=kind,
            body=body,
            proposed_text=_proposed_text(paragraphs[number]) if kind == "amendment" else None,
            submit=submit,
            language=language,
        )
    _propose_answers(zero_draft, made, secretariat, users["editor@consult.example"])
    load_process(consultation, plan, secretariat, users["editor@consult.example"], drafting_round)
    return True


def _propose_answers(release, made: dict, secretariat, editor) -> None:
    """The task force has begun answering: China's comment has an answer shared with China for its
    reaction, France's one still with the staff."""
    record_disposition(
        editor,
        made["focal.chn@consult.example", "9"],
        disposition="taken_into_account",
        rationale="[Demo data] The measures of each priority will be counted in the results framework.",
    )
    share_answers(secretariat, release)
    record_disposition(
        editor,
        made["focal.fra@consult.example", "9"],
        disposition="accepted_in_part",
        rationale="[Demo data] Principle (e) will say how progress is measured; the indicators follow in the annex.",
    )
