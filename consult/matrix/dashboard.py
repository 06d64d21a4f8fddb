"""The Secretariat's synthesis dashboard: who commented on what, and what was answered."""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup
from sqlalchemy import func, or_, select

from consult.comments import similarity
from consult.extensions import db
from consult.models import Comment, CoSignature, GroupMembership, Organization, Release, ReleaseSection, Section
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


def dashboard(user, release: Release) -> Dashboard:
    authorize(user, "dashboard.view", release)
    submitted = (Comment.release_id == release.id) & (Comment.status == "submitted")
    rows = db.session.execute(
        select(
            Comment.section_id,
            Comment.organization_id,
            Comment.on_behalf_of_id,
            Comment.kind,
            Comment.answered,
            Comment.submitted_at,
        ).where(submitted)
    ).all()
    co_signers = set(
        db.session.scalars(
            select(CoSignature.organization_id)
            .join(Comment, Comment.id == CoSignature.comment_id)
            .where(submitted, CoSignature.status == "signed")
        )
    )
    taking_part = {row.organization_id for row in rows} | co_signers
    organizations = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(taking_part)))}
    # Each paragraph once, as the release printed it.
    printed = db.session.execute(
        select(Section, ReleaseSection.number)
        .join(ReleaseSection, ReleaseSection.section_id == Section.id)
        .where(ReleaseSection.release_id == release.id)
        .order_by(ReleaseSection.position)
    ).all()
    per_section: dict[int, list] = {}
    for row in rows:
        per_section.setdefault(row.section_id, []).append(row)
    by_section = [
        SectionStats(
            section,
            number,
            len(per_section.get(section.id, [])),
            len({r.organization_id for r in per_section.get(section.id, [])}),
            sum(1 for r in per_section.get(section.id, []) if r.answered),
        )
        for section, number in printed
    ]
    region_comments: Counter = Counter()
    region_delegations: dict[str | None, set] = {}
    for row in rows:
        region_comments[organizations[row.organization_id].region] += 1
    for organization_id in taking_part:
        region_delegations.setdefault(organizations[organization_id].region, set()).add(organization_id)
    by_org = Counter(row.organization_id for row in rows)
    member_states_total = db.session.scalar(
        select(func.count(Organization.id)).where(Organization.kind == "member_state")
    )
    days = Counter(row.submitted_at.date() for row in rows if row.submitted_at)
    by_day = []
    if days:
        day, last = min(days), max(days)
        while day <= last:
            by_day.append((day, days.get(day, 0)))
            day += timedelta(days=1)
    return Dashboard(
        release=release,
        total=len(rows),
        answered=sum(1 for row in rows if row.answered),
        by_section=by_section,
        by_region=sorted(
            ((region, region_comments[region], len(delegations)) for region, delegations in region_delegations.items()),
            key=lambda item: -item[1],
        ),
        by_group=_by_group(rows, taking_part),
        campaigns=similarity.campaigns(release.id),
        by_kind=Counter(row.kind for row in rows).most_common(),
        delegations=sorted(((organizations[oid], count) for oid, count in by_org.items()), key=lambda p: -p[1]),
        member_states_total=member_states_total,
        member_states_commented=sum(1 for oid in by_org if organizations[oid].kind == "member_state"),
        by_day=by_day,
    )


def _by_group(rows, taking_part: set[int]) -> list[GroupStats]:
    """Each group of States: the comments made on its behalf, and how many of its members today
    submitted or co-sign a comment."""
    on_behalf = Counter(row.on_behalf_of_id or row.organization_id for row in rows)
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
    return sorted(stats, key=lambda item: (-item.on_its_behalf, -item.members_taking_part, item.group.code))


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
