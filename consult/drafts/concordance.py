"""What changed between two releases of a document: new, retired, moved and revised paragraphs,
and the concordance of their numbers (number in release N → number in release M)."""

from bisect import bisect_left
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.drafts.translations import newest_translations
from consult.errors import ValidationFailed
from consult.extensions import db
from consult.models import Release, ReleaseSection, Section
from consult.text import AMENDMENT_DIFF_BUDGET, reading_diff_html

KEPT, NEW, RETIRED = "kept", "new", "retired"

# What happened to a paragraph between two releases; a kept one can be moved, revised and renumbered at once.
CHANGE_STATUSES = {
    NEW: _l("new"),
    RETIRED: _l("retired"),
    "moved": _l("moved"),
    "revised": _l("revised"),
    "renumbered": _l("renumbered"),
    "unchanged": _l("unchanged"),
}


@dataclass
class Change:
    """One section across two releases."""

    section: Section
    before: ReleaseSection | None
    after: ReleaseSection | None
    moved: bool = False
    html: str = ""  # the word diff of its text, where it changed

    @property
    def status(self) -> str:
        return KEPT if self.before and self.after else (NEW if self.after else RETIRED)

    @property
    def text_changed(self) -> bool:
        return self.before is None or self.after is None or self.before.version_id != self.after.version_id

    @property
    def from_number(self) -> str | None:
        return self.before.number if self.before else None

    @property
    def to_number(self) -> str | None:
        return self.after.number if self.after else None

    @property
    def renumbered(self) -> bool:
        return self.status == KEPT and self.from_number != self.to_number

    @property
    def statuses(self) -> list[str]:
        """Keys of CHANGE_STATUSES: new, retired, or what happened to a kept paragraph (else unchanged)."""
        if self.status != KEPT:
            return [self.status]
        flags = (("moved", self.moved), ("revised", self.text_changed), ("renumbered", self.renumbered))
        return [name for name, flag in flags if flag] or ["unchanged"]


def _printed(release: Release) -> dict[int, ReleaseSection]:
    rows = db.session.scalars(
        select(ReleaseSection)
        .where(ReleaseSection.release_id == release.id)
        .options(selectinload(ReleaseSection.version), selectinload(ReleaseSection.section))
    )
    return {row.section_id: row for row in rows}


def _moved(kept: list[tuple[int, int, int]]) -> set[int]:
    """Of (section id, old position, new position), those whose place among the others changed:
    the ones outside a longest run that keeps its order."""
    kept = sorted(kept, key=lambda item: item[1])
    tails: list[int] = []  # tails[k]: index in ``kept`` of the smallest end of a run of length k + 1
    previous: list[int | None] = [None] * len(kept)
    for index, (_id, _old, new) in enumerate(kept):
        k = bisect_left([kept[tail][2] for tail in tails], new)
        previous[index] = tails[k - 1] if k else None
        if k == len(tails):
            tails.append(index)
        else:
            tails[k] = index
    in_order, index = set(), tails[-1] if tails else None
    while index is not None:
        in_order.add(kept[index][0])
        index = previous[index]
    return {section_id for section_id, _old, _new in kept} - in_order


def compare(old: Release, new: Release, language: str | None = None, *, diffs: bool = True) -> list[Change]:
    """Every section in either release, in the later release's order (retired ones where they stood).

    The text compared is the one read in ``language`` (the original when it has no translation).
    """
    if old.document_id != new.document_id:
        raise ValidationFailed(_l("Both releases must belong to the same document."))
    before, after = _printed(old), _printed(new)
    changes = {
        section_id: Change(
            (after.get(section_id) or before.get(section_id)).section, before.get(section_id), after.get(section_id)
        )
        for section_id in before.keys() | after.keys()
    }
    kept = [(sid, before[sid].position, after[sid].position) for sid in before.keys() & after.keys()]
    for section_id in _moved(kept):
        changes[section_id].moved = True
    if diffs:
        _diff(changes, old, new, language)

    def place(change: Change) -> tuple[float, float]:
        # Retired sections stand just after the section that preceded them in the earlier release.
        if change.after is not None:
            return (change.after.position, 0)
        preceding = [c for c in changes.values() if c.after and c.before and c.before.position < change.before.position]
        anchor = max(preceding, key=lambda c: c.before.position, default=None)
        return ((anchor.after.position if anchor else 0) + 0.5, change.before.position)

    return sorted(changes.values(), key=place)


def _diff(changes: dict[int, Change], old: Release, new: Release, language: str | None) -> None:
    translated = language and language != old.document.language
    old_texts = newest_translations(changes, language, _versions(changes, "before")) if translated else {}
    new_texts = newest_translations(changes, language, _versions(changes, "after")) if translated else {}
    for section_id, change in changes.items():
        if not change.text_changed and not translated:
            continue
        first = old_texts.get(section_id) or (change.before.version if change.before else None)
        second = new_texts.get(section_id) or (change.after.version if change.after else None)
        if first is not None and second is not None and first.body == second.body:
            continue
        # Every delegation reads this page: each diff is bounded, whatever the texts.
        before, after = first.body if first else "", second.body if second else ""
        change.html = str(reading_diff_html(before, after, AMENDMENT_DIFF_BUDGET))


def _versions(changes: dict[int, Change], side: str) -> dict:
    return {sid: getattr(change, side).version for sid, change in changes.items() if getattr(change, side)}
