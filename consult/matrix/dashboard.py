"""The Secretariat's synthesis dashboard: who commented on what, and what was answered."""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup
from sqlalchemy import Date, case, cast, func, or_, select

from consult.comments import similarity
from consult.extensions import db
from consult.models import Comment, CoSignature, GroupMembership, Organization, Release, ReleaseSection, Section
from consult.models.accounts import organization_sort_key
from consult.models.base import utcnow
from consult.permissions import authorize

BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 6, 220, 640


@dataclass
class SectionStats:
    section: Section
    number: str  # as the release printed it
    comments: int
    delegations: int
    answered: int


@dataclass
class GroupStats:
    group: Organization
    on_its_behalf: int  # comments submitted for the group (or by the group itself)
    members: int  # its members today
    members_taking_part: int  # of those, the delegations that submitted or co-sign a comment


@dataclass
class Dashboard:
    release: Release
    total: int
    answered: int
    by_section: list[SectionStats]
    by_region: list[tuple[str | None, int, int]]  # region, comments, delegations (co-signers included)
    by_group: list[GroupStats]
    campaigns: list[
        tuple[Comment, int, int]
    ]  # a text several delegations sent: its first comment, delegations, comments
    by_kind: list[tuple[str, int]]
    delegations: list[tuple[Organization, int]]
    member_states_total: int
    member_states_commented: int
    by_day: list[tuple[date, int]]


def _utc_day(moment):
    """The UTC calendar day of a stored moment, computed by the database."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.timezone("UTC", moment), Date)
    return func.date(moment)  # SQLite stores UTC moments as ISO text


def dashboard(user, release: Release) -> Dashboard:
    """Counted by the database, whatever the number of comments (50,000 in the IPCC-scale round)."""
    authorize(user, "dashboard.view", release)
    submitted = (Comment.release_id == release.id) & (Comment.status == "submitted")
    answered = func.coalesce(func.sum(case((Comment.answered, 1), else_=0)), 0)
    per_section = {
        row.section_id: row
        for row in db.session.execute(
            select(
                Comment.section_id,
                func.count(Comment.id).label("comments"),
                func.count(func.distinct(Comment.organization_id)).label("delegations"),
                answered.label("answered"),
            )
            .where(submitted)
            .group_by(Comment.section_id)
        )
    }
    by_org = _counted(Comment.organization_id, submitted)
    co_signers = set(
        db.session.scalars(
            select(CoSignature.organization_id)
            .join(Comment, Comment.id == CoSignature.comment_id)
            .where(submitted, CoSignature.status == "signed")
        )
    )
    taking_part = set(by_org) | co_signers
    organizations = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(taking_part)))}
    # Each paragraph once, as the release printed it.
    printed = db.session.execute(
        select(Section, ReleaseSection.number)
        .join(ReleaseSection, ReleaseSection.section_id == Section.id)
        .where(ReleaseSection.release_id == release.id)
        .order_by(ReleaseSection.position)
    ).all()
    by_section = [
        SectionStats(section, number, *(_figures(per_section[section.id]) if section.id in per_section else (0, 0, 0)))
        for section, number in printed
    ]
    region_comments: Counter = Counter()
    region_delegations: dict[str | None, set] = {}
    for organization_id, count in by_org.items():
        region_comments[organizations[organization_id].region] += count
    for organization_id in taking_part:
        region_delegations.setdefault(organizations[organization_id].region, set()).add(organization_id)
    member_states_total = db.session.scalar(
        select(func.count(Organization.id)).where(Organization.kind == "member_state")
    )
    day = _utc_day(Comment.submitted_at)
    days = {
        _as_date(value): count
        for value, count in db.session.execute(
            select(day, func.count(Comment.id)).where(submitted, Comment.submitted_at.is_not(None)).group_by(day)
        )
    }
    by_day = []
    if days:
        current, last = min(days), max(days)
        while current <= last:
            by_day.append((current, days.get(current, 0)))
            current += timedelta(days=1)
    on_behalf = _counted(func.coalesce(Comment.on_behalf_of_id, Comment.organization_id), submitted)
    return Dashboard(
        release=release,
        total=sum(by_org.values()),
        answered=sum(row.answered for row in per_section.values()),
        by_section=by_section,
        by_region=sorted(
            ((region, region_comments[region], len(delegations)) for region, delegations in region_delegations.items()),
            key=lambda item: -item[1],
        ),
        by_group=_by_group(on_behalf, taking_part),
        campaigns=similarity.campaigns(release.id),
        by_kind=[
            tuple(row)
            for row in db.session.execute(
                select(Comment.kind, func.count(Comment.id))
                .where(submitted)
                .group_by(Comment.kind)
                .order_by(func.count(Comment.id).desc(), Comment.kind)
            )
        ],
        delegations=sorted(
            ((organizations[oid], count) for oid, count in by_org.items()),
            key=lambda pair: (-pair[1], organization_sort_key(pair[0])),
        ),
        member_states_total=member_states_total,
        member_states_commented=sum(1 for oid in by_org if organizations[oid].kind == "member_state"),
        by_day=by_day,
    )


def _counted(key, where) -> Counter:
    """The comments matching ``where`` counted by ``key``."""
    return Counter(dict(db.session.execute(select(key, func.count(Comment.id)).where(where).group_by(key)).all()))


def _figures(row) -> tuple[int, int, int]:
    return row.comments, row.delegations, int(row.answered)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _by_group(on_behalf: Counter, taking_part: set[int]) -> list[GroupStats]:
    """Each group of States: the comments made on its behalf (``on_behalf``: organization id → count),
    and how many of its members today submitted or co-sign a comment."""
    today = utcnow().date()
    members: dict[int, set] = {}
    for group_id, member_id in db.session.execute(
        select(GroupMembership.group_id, GroupMembership.member_id).where(
            or_(GroupMembership.valid_from.is_(None), GroupMembership.valid_from <= today),
            or_(GroupMembership.valid_to.is_(None), GroupMembership.valid_to >= today),
        )
    ):
        members.setdefault(group_id, set()).add(member_id)
    groups = db.session.scalars(select(Organization).where(Organization.kind == "group").order_by(Organization.code))
    stats = [
        GroupStats(
            group, on_behalf[group.id], len(members.get(group.id, ())), len(members.get(group.id, set()) & taking_part)
        )
        for group in groups
    ]
    return sorted(
        stats, key=lambda item: (-item.on_its_behalf, -item.members_taking_part, organization_sort_key(item.group))
    )


# Wide (CJK) characters and the rest, at the labels' 13 px: an estimate that errs on the wide side.
_WIDE_CHARACTER, _NARROW_CHARACTER, _LINE_HEIGHT, _MAX_LABEL_LINES = 13.5, 7.6, 16, 2
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_LABEL_TOKENS = re.compile(f"[{_WIDE}]|[^\\s{_WIDE}]+\\s*")


def _text_width(text: str) -> float:
    return sum(_WIDE_CHARACTER if unicodedata.east_asian_width(c) in "WF" else _NARROW_CHARACTER for c in text)


def label_lines(label: str, width: float = LABEL_WIDTH - 12) -> list[str]:
    """The label wrapped into at most two lines that fit beside the bars (between words, or
    between characters in Chinese and Japanese); what still does not fit ends in an ellipsis."""
    lines = [""]
    for token in _LABEL_TOKENS.findall(label):
        if lines[-1] and _text_width((lines[-1] + token).rstrip()) > width:
            lines.append("")
        lines[-1] += token
    lines = [line.strip() for line in lines]
    shown = lines[:_MAX_LABEL_LINES]
    if len(lines) > _MAX_LABEL_LINES or _text_width(shown[-1]) > width:
        last = shown[-1]
        while last and _text_width(last + "…") > width:
            last = last[:-1]
        shown[-1] = last.rstrip() + "…"
    return shown


def bar_chart(chart_id: str, title: str, items: list[tuple[str, int]]) -> Markup:
    """A horizontal bar chart drawn on the server; its <title>/<desc> and the table next to it
    are the text alternative. A long label wraps; one cut short has its full text as a tooltip."""
    if not items:
        return Markup("")
    peak = max(value for _label, value in items) or 1
    bars = []
    y = GAP
    for label, value in items:
        lines = label_lines(label)
        row = max(BAR_HEIGHT, _LINE_HEIGHT * len(lines) + 6)
        middle = y + row / 2
        first_baseline = middle - _LINE_HEIGHT * (len(lines) - 1) / 2 + 5
        width = max(round((CHART_WIDTH - LABEL_WIDTH - 60) * value / peak), 1)
        spans = Markup("").join(
            Markup('<tspan x="{x}" y="{y}">{line}</tspan>').format(
                x=LABEL_WIDTH - 8, y=round(first_baseline + _LINE_HEIGHT * index), line=line
            )
            for index, line in enumerate(lines)
        )
        bars.append(
            Markup(
                '<text text-anchor="end" class="chart__label"><title>{label}</title>{spans}</text>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" class="chart__bar"></rect>'
                '<text x="{vx}" y="{ty}" class="chart__value">{value}</text>'
            ).format(
                label=label,
                spans=spans,
                x=LABEL_WIDTH,
                y=round(middle - BAR_HEIGHT / 2),
                w=width,
                h=BAR_HEIGHT,
                vx=LABEL_WIDTH + width + 6,
                ty=round(middle + 5),
                value=value,
            )
        )
        y += row + GAP
    description = "; ".join(f"{label}: {value}" for label, value in items)
    return Markup(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" aria-labelledby="{id}-title {id}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{bars}</svg>"
    ).format(w=CHART_WIDTH, h=y, id=chart_id, title=title, desc=description, bars=Markup("").join(bars))
