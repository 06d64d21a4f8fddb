"""Stamps that tell whether a rendered page kept by a worker still shows the database."""

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db


class PageStamp(db.Model):
    """A random value, replaced in the same transaction as any change shown under its scope.

    Scopes: ``global``, ``document:<id>``, ``section:<id>``. A missing row reads as 0.
    """

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
