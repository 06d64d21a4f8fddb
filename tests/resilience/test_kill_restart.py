"""SIGKILL the server in the middle of a burst of submissions: no acknowledged comment is lost."""

from sqlalchemy import text

from consult.extensions import db
from tests.resilience.helpers import WORKERS, Burst, assert_audited, assert_complete_and_once, stored_comments

# Acknowledged submissions in each round before the kill; one round per entry.
KILL_AFTER = (10, 25, 40)
FINISH = 2  # submissions per client once the server is back


def test_acknowledged_comments_survive_sigkill_of_every_process(server, consultation):
    acknowledged: list[tuple[int, str]] = []
    cut_off: list[str] = []
    for round_number, kill_after in enumerate(KILL_AFTER, start=1):
        burst = Burst(server, consultation.clients(), f"round {round_number}").start()
        assert burst.wait_for(kill_after), f"the burst stalled:\n{server.log_tail()}"
        assert server.kill() == 1 + WORKERS  # the master and both workers, while requests are in flight
        burst.stop()
        assert not burst.failures, burst.failures[:5]
        acknowledged += burst.acknowledged
        cut_off += burst.cut_off

        server.start()
        finish = Burst(server, consultation.clients(), f"after round {round_number}", per_client=FINISH).start()
        finish.join()
        assert not finish.failures and not finish.cut_off
        assert len(finish.acknowledged) == FINISH * len(consultation.clients())
        acknowledged += finish.acknowledged

        db.session.rollback()  # read what the server committed, in a fresh transaction
        connection = db.session.connection()
        rows = stored_comments(connection)
        assert_complete_and_once(rows, acknowledged, cut_off)
        assert_audited(connection, [row.id for row in rows])
        if connection.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    # At least one request of some round was in flight when its server died.
    assert cut_off
    print(
        f"\nkill-restart: {len(KILL_AFTER)} rounds survived, {len(acknowledged)} acknowledged comments checked, "
        f"{len(cut_off)} requests cut off by the kill"
    )
