"""Two editors save the same section from the same version at the same moment: one wins."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent, Section, SectionVersion

ROUNDS = 50


def test_simultaneous_saves_never_lose_a_version(server, consultation):
    section_id = consultation.section_ids[0]
    barrier = threading.Barrier(2, timeout=60)
    winners: list[str] = []

    def save(editor: int, base: int):
        body = f"Round {base}: the text of editor {editor}."
        barrier.wait()  # both requests leave together
        status, answer = server.request(
            "POST",
            f"/api/v1/sections/{section_id}/versions",
            auth=consultation.editors[editor],
            body={"body": body, "base_version": base, "change_note": f"editor {editor}"},
        )
        return status, answer, body

    with ThreadPoolExecutor(max_workers=2) as pool:
        for base in range(1, ROUNDS + 1):
            results = [future.result(timeout=120) for future in [pool.submit(save, editor, base) for editor in (0, 1)]]
            results.sort(key=lambda result: result[0])
            (won_status, won, won_body), (lost_status, lost, _lost_body) = results
            assert (won_status, lost_status) == (201, 409), results
            assert won["number"] == base + 1
            assert lost["error"]["code"] == "stale_version"
            # The loser is shown the text that won, so that nothing is overwritten unseen.
            assert lost["error"]["details"] == {"current_version": base + 1, "current_body": won_body}
            winners.append(won_body)

    db.session.rollback()
    versions = db.session.execute(
        select(SectionVersion.number, SectionVersion.body)
        .where(SectionVersion.section_id == section_id)
        .order_by(SectionVersion.number)
    ).all()
    assert [number for number, _ in versions] == list(range(1, ROUNDS + 2))  # no gap, no duplicate
    assert [body for _, body in versions[1:]] == winners  # every saved text is the one acknowledged
    assert db.session.scalar(select(Section.latest_version).where(Section.id == section_id)) == ROUNDS + 1
    revisions = select(func.count()).where(
        AuditEvent.action == "section.revise", AuditEvent.object_type == "section", AuditEvent.object_id == section_id
    )
    assert db.session.scalar(revisions) == ROUNDS
    print(f"\nconcurrent saves: {ROUNDS} rounds, one winner and one 409 stale_version each")
