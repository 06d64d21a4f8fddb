"""The demo consultation, built from the real seed document through the importer."""

from pathlib import Path

from sqlalchemy import select

from consult.auth.services import create_user, organization_by_code
from consult.comments.services import create_comment
from consult.demo.process import load_process
from consult.drafts.services import (
    create_consultation,
    default_close_time,
    import_document,
    publish_release,
)
from consult.extensions import db
from consult.models import Consultation, Section, User

DATA = Path(__file__).resolve().parent / "data"
SLUG = "strategic-plan-2026-2029"
DEMO_PASSWORD = "consult-demo-2026"

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

# (author e-mail, section number, kind, body, proposed text, submit) — on the Chinese draft
DEMO_COMMENTS_ZH = [
    (
        "focal.chn@consult.example",
        "9",
        "general",
        "【演示数据】中方支持五项指导原则，建议在(b)项中明确优先事项的数量上限，以便于衡量。",
        None,
        True,
    ),
    (
        "focal.ken@consult.example",
        "9",
        "amendment",
        "[Demo data] Kenya proposes that principle (d) name national statistical offices "
        "among the sources of evidence.",
        None,
        True,
    ),
    (
        "focal.egy@consult.example",
        "26",
        "question",
        "[بيانات تجريبية] هل ستُعقد مشاورة إقليمية مخصصة للدول العربية قبل المنتدى الحضري العالمي؟",
        None,
        True,
    ),
]

# On the English text
DEMO_COMMENTS_EN = [
    (
        "focal.fra@consult.example",
        "9",
        "general",
        "[Données de démonstration] La France appuie les principes proposés et souhaite que "
        "le principe (e) précise comment les progrès seront mesurés.",
        None,
        True,
    ),
    (
        "focal.bra@consult.example",
        "23",
        "amendment",
        "[Datos de demostración] Brasil propone mencionar explícitamente los asentamientos "
        "informales en el punto de entrada (a).",
        None,
        True,
    ),
    (
        "delegate.ken@consult.example",
        "9",
        "general",
        "[Demo data] Draft for our focal point: principle (c) should mention that the plan "
        "can be reviewed at mid-term.",
        None,
        False,
    ),
]


def _paragraph_nine_amendment(document_id: int) -> str:
    """Kenya's demo amendment proposes a changed paragraph 9(d)."""
    body = (
        db.session.scalar(select(Section).where(Section.document_id == document_id, Section.number == "9"))
        .versions[-1]
        .body
    )
    return body.replace("以数据和科学研究", "以国家统计局的数据和科学研究", 1)


def load_demo() -> bool:
    """Load everything once; return False when the demo is already there."""
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
    consultation = create_consultation(
        None,
        slug=SLUG,
        title="UN-Habitat Strategic Plan 2026–2029",
        description=(
            "Open and inclusive consultation with member States on the UN-Habitat strategic "
            "plan for the period 2026–2029 (see HSP/EB.2024/5). Demo data."
        ),
    )
    chinese = import_document(
        None,
        consultation,
        title="人居署 2026–2029 年期间战略计划编写工作的最新情况 (HSP/EB.2024/5)",
        text=(DATA / "hsp_eb_2024_5_zh.txt").read_text(encoding="utf-8"),
        language="zh",
    )
    english = import_document(
        None,
        consultation,
        title="Update on the preparation of the UN-Habitat strategic plan 2026–2029 (English text)",
        text=(DATA / "hsp_eb_2024_5_en.md").read_text(encoding="utf-8"),
        language="en",
    )
    secretariat = users["secretariat@consult.example"]
    closes_at = default_close_time(30)
    for document, comments in ((chinese, DEMO_COMMENTS_ZH), (english, DEMO_COMMENTS_EN)):
        publish_release(secretariat, document, label="Zero draft", comments_close_at=closes_at)
        sections = {section.number: section for section in document.sections}
        for email, number, kind, body, proposed, submit in comments:
            if kind == "amendment" and proposed is None:
                proposed = (
                    _paragraph_nine_amendment(document.id)
                    if number == "9"
                    else sections[number].versions[-1].body + "\n\n(d) informal settlements."
                )
            author = users[email]
            create_comment(
                author,
                sections[number],
                kind=kind,
                body=body,
                proposed_text=proposed,
                submit=submit and author.role == "focal_point",
                language=author.locale,
            )
    load_process(consultation, english, chinese, secretariat, users["editor@consult.example"])
    return True
