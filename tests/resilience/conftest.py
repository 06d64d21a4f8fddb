"""Fixtures: a gunicorn server on the test's database, and a consultation open for comment."""

from dataclasses import dataclass

import pytest

from consult.extensions import db
from tests.resilience.helpers import Server

DELEGATIONS = ("KEN", "FRA", "CHN", "BRA", "EGY", "IND", "MEX", "NOR")


@dataclass
class Consultation:
    document_id: int
    section_ids: list[int]
    focal_points: list[tuple[int, dict]]  # (user id, auth headers), one per delegation
    secretariat: dict
    editors: list[dict]

    def clients(self) -> list[tuple[dict, int]]:
        """One client per delegation, spread over the sections."""
        return [
            (auth, self.section_ids[index % len(self.section_ids)])
            for index, (_user_id, auth) in enumerate(self.focal_points)
        ]


@pytest.fixture
def consultation(world) -> Consultation:
    """A released document and the focal points, Secretariat and editors who use it, with API tokens."""
    document = world.document()
    world.release(document)
    focal_points = [world.user("focal_point", code) for code in DELEGATIONS]
    secretariat = world.user("secretariat", "UNH")
    editors = [world.user("editor", "UNH", key=f"editor-{number}") for number in (1, 2)]
    result = Consultation(
        document_id=document.id,
        section_ids=[section.id for section in document.sections],
        focal_points=[(user.id, world.token(user)) for user in focal_points],
        secretariat=world.token(secretariat),
        editors=[world.token(editor) for editor in editors],
    )
    db.session.commit()
    return result


@pytest.fixture
def server(database_url, tmp_path):
    """The app under gunicorn on this test's database; killed at the end of the test."""
    server = Server(database_url, tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def busy_server(database_url, tmp_path):
    """Four workers, so that racing requests meet in different processes; a traceback in the
    server's log fails the test."""
    server = Server(database_url, tmp_path, workers=4)
    server.start()
    yield server
    server.stop()
    assert "Traceback" not in server.log.read_text(errors="replace"), server.log_tail()
