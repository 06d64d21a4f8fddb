"""Stamps that tell whether a rendered page kept by a worker still shows the database, and what
each model declares about the kept pages a change to one of its rows makes stale."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import BigInteger, String, inspect
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db

GLOBAL = "global"


def section_scope(section_id: int) -> str:
    """Pages about one section (and, through its document, the document's pages)."""
    return f"section:{section_id}"


def document_scope(document_id: int) -> str:
    return f"document:{document_id}"


def comments_scope(section_id: int, audience: str) -> str:
    """The comments on one section that an audience may read (see permissions.comment_audiences):
    a comment submitted while the window is open changes the pages of its delegation and of the
    staff, and nobody else's."""
    return f"comments:{section_id}:{audience}"


def counts_scope(document_id: int, audience: str) -> str:
    """An audience's comment counts on a document's page."""
    return f"counts:{document_id}:{audience}"


@dataclass(frozen=True, eq=False)
class ReadersOf:
    """The kept pages of whoever may read ``comment`` (and of ``co_signer_id``, a delegation invited
    to co-sign it): the page store resolves it with the permission rules, which models may not import."""

    comment: object
    co_signer_id: int | None = None


def shown_on(rule: Callable[[object, str], Iterable[str]]):
    """Class decorator: ``rule(row, change)`` names the scopes of the kept pages that show a row of
    this model; ``change`` is "new", "changed" or "deleted".

    A model without the declaration makes every kept page stale when one of its rows changes
    (the safe default); ``shown_on(nowhere)`` declares that no kept page shows the model.
    """

    def declare(model):
        model.__shown_on__ = staticmethod(rule)
        return model

    return declare


def nowhere(_row, _change) -> tuple[str, ...]:
    return ()


def on_its_section(row, _change) -> list[str]:
    return [section_scope(row.section_id)]


def to_its_readers(comment, _change) -> list[ReadersOf]:
    return [ReadersOf(comment)]


def to_its_comments_readers(row, _change) -> list[ReadersOf]:
    return [ReadersOf(row.comment)]


def to_the_invited_and_its_comments_readers(co_signature, _change) -> list[ReadersOf]:
    return [ReadersOf(co_signature.comment, co_signature.organization_id)]


def everywhere_if_changed(*attributes: str, when_new: bool = True) -> Callable[[object, str], list[str]]:
    """Every page when the row is gone, when one of ``attributes`` changed (none named: any column),
    and when it is new, unless ``when_new`` is false (no page shows it before it changes)."""

    def rule(row, change: str) -> list[str]:
        if change == "deleted" or (change == "new" and when_new):
            return [GLOBAL]
        if change == "new":
            return []
        state = inspect(row)
        names = attributes or [column.key for column in state.mapper.column_attrs]
        return [GLOBAL] if any(state.attrs[name].history.has_changes() for name in names) else []

    return rule


def scopes_shown(row, change: str) -> Iterable[str]:
    rule = getattr(type(row), "__shown_on__", None)
    return rule(row, change) if rule is not None else (GLOBAL,)


@shown_on(nowhere)
class PageStamp(db.Model):
    """A random value, replaced in the same transaction as any change shown under its scope.

    Scopes: ``global``, ``document:<id>``, ``section:<id>``, ``comments:<section id>:<audience>``,
    ``counts:<document id>:<audience>``. A missing row reads as 0.
    """

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
