"""Time and peak memory of the comment-response matrix exports, one format per process.

    python -m bench.exports DATABASE_URL DOCUMENT_ID EDITOR_EMAIL FORMAT

Prints one JSON line: format, rows, seconds, bytes, peak RSS (MiB) and RSS before the export.
A process per format keeps each peak apart from the others'.
"""

import json
import resource
import subprocess
import sys
import time

from flask_login import login_user

from consult import create_app
from consult.errors import ValidationFailed
from consult.extensions import db
from consult.models import Document, User


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str, document_id: int, editor_email: str, extension: str) -> dict:
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.test_request_context(f"/documents/{document_id}/matrix.{extension}"):
        from consult.matrix.downloads import matrix_file
        from consult.matrix.services import matrix_release

        editor = db.session.scalar(db.select(User).where(User.email == editor_email))
        login_user(editor)
        document = db.session.get(Document, document_id)
        release = matrix_release(document, None)
        before = _peak_mib()
        started = time.perf_counter()
        try:
            response = matrix_file(document, release, extension, editor)
        except ValidationFailed as refusal:  # a Word table of too many comments
            return {"format": extension, "refused": str(refusal), "seconds": round(time.perf_counter() - started, 2)}
        response.direct_passthrough = False
        size = sum(len(chunk) for chunk in response.response)
        seconds = time.perf_counter() - started
        response.close()
        rows = db.session.scalar(
            db.text("SELECT count(*) FROM comment WHERE release_id = :r AND status = 'submitted'"), {"r": release.id}
        )
    return {
        "format": extension,
        "rows": rows,
        "seconds": round(seconds, 2),
        "bytes": size,
        "peak_rss_mib": round(_peak_mib(), 1),
        "rss_before_mib": round(before, 1),
    }


def matrix_exports(url: str, document_id: int, editor_email: str, target: dict) -> list[dict]:
    """The matrix of the document's current release in each format, each in its own process;
    ``target`` (format, seconds, peak_rss_mib) is judged on its format."""
    figures = []
    for extension in ("xlsx", "docx", "csv"):
        print(f"  matrix export: {extension}", flush=True)
        done = subprocess.run(  # noqa: S603  (this module, our arguments)
            [sys.executable, "-m", "bench.exports", url, str(document_id), editor_email, extension],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"the {extension} export failed:\n{done.stderr}")
        figures.append(json.loads(done.stdout.strip().splitlines()[-1]))
    judged = next(item for item in figures if item["format"] == target["format"])
    judged["target"] = f"≤ {target['seconds']} s and ≤ {target['peak_rss_mib']} MB peak"
    judged["met"] = judged["seconds"] <= target["seconds"] and judged["peak_rss_mib"] <= target["peak_rss_mib"]
    return figures


if __name__ == "__main__":
    url, document_id, editor_email, extension = sys.argv[1:5]
    print(json.dumps(measure(url, int(document_id), editor_email, extension)))
