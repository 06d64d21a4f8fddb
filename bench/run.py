"""The benchmark against one database: ``python -m bench.run sqlite|postgresql``.

``postgresql`` creates a fresh database on the server $DATABASE_URL points at (run it
under scripts/with-postgres). Prints the results and writes bench/results/<time>-<db>.json.
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench import dataset, ipcc, queries
from bench.ceiling import create_table as create_ceiling_table
from bench.dataset import database
from bench.exports import matrix_exports
from bench.load import WrkResult, WrkSettings, deadline_burst, expect, request, sequential, sign_in, wrk
from bench.servers import ROOT, WORKERS, Gunicorn
from consult.models import Comment

RESULTS = ROOT / "bench" / "results"

# What we compare against (see bench/README.md); the app is measured as it is, not tuned.
TARGETS = {
    "section_page": "≥ 0.25× hello",
    "submit_comment_api": "≥ 0.10× hello, p99 ≤ 250 ms, 0 errors",
    "deadline_burst": "0 errors, every acknowledged comment stored once",
    "scaling": "time(10,000) ≤ 1.5× time(10)",
    "reads_during_submissions": "≥ 0.5× reads alone, p99 ≤ 250 ms, 0 errors",
    "submissions_alone": "≥ 0.6× the one-row write ceiling, p99 ≤ 250 ms, 0 errors",
    "two_servers": "0 errors, every acknowledged comment stored once, fresh on the other server",
}
EXPORT_TARGET = {"format": "xlsx", "seconds": 10, "peak_rss_mib": 300}


def _run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=False, **kwargs)  # noqa: S603  (fixed commands of our own)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    apt_get = shutil.which("apt-get")
    if os.geteuid() != 0 or apt_get is None:
        sys.exit("wrk is not installed: sudo apt-get install -y wrk (Debian, Ubuntu)")
    print("installing wrk (apt-get install -y wrk)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if _run(apt_get, "install", "-y", "-qq", "wrk", env=env).returncode != 0:
        _run(apt_get, "update", "-qq", env=env)  # a fresh image has no package lists yet
        if _run(apt_get, "install", "-y", "-qq", "wrk", env=env).returncode != 0:
            sys.exit("could not install wrk: apt-get install -y wrk")


def machine(database_version: str) -> dict:
    def output(*command: str) -> str:
        completed = _run(*command, cwd=ROOT, capture_output=True, text=True)
        return (completed.stdout or completed.stderr).strip()

    meminfo = Path("/proc/meminfo").read_text()
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(int(re.search(r"MemTotal:\s+(\d+)", meminfo)[1]) / 1024**2, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "database": database_version,
        "wrk": output("wrk", "-v").splitlines()[0],
        "git_commit": output("git", "rev-parse", "HEAD"),
        # Others edit the tree while benchmarks run: say whether the commit is the whole story.
        "git_dirty": bool(output("git", "status", "--porcelain")),
        "gunicorn_workers": WORKERS,
    }


def verify_burst(url: str, burst, tag: str) -> dict:
    """Every acknowledged comment is in the database exactly once, as submitted."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Comment.id, Comment.body, Comment.status).where(Comment.body.like(f"[burst {tag} %"))
            ).all()
    finally:
        engine.dispose()
    marker_of = {row.id: row.body.split("]", 1)[0] + "]" for row in rows}
    copies = Counter(marker_of.values())
    missing = [cid for cid, marker in burst.acknowledged.items() if marker_of.get(cid) != marker]
    not_submitted = [row.id for row in rows if row.id in burst.acknowledged and row.status != "submitted"]
    return {
        "stored_rows": len(rows),
        "acknowledged_missing": len(missing),
        "acknowledged_not_submitted": len(not_submitted),
        "stored_twice": sum(1 for count in copies.values() if count > 1),
        "stored_without_acknowledgement": sum(1 for cid in marker_of if cid not in burst.acknowledged),
        "exactly_once": not missing
        and not not_submitted
        and all(copies[marker] == 1 for marker in burst.acknowledged.values())
        and burst.duplicate_acknowledgements == 0,
    }


def drive(app: Gunicorn, hello: Gunicorn, data, settings: WrkSettings, directory: Path, url: str) -> dict:
    """Every scenario against the running servers; the hello ceiling with the same wrk settings."""
    reader = {"Cookie": sign_in(app.port, data.reader_email, data.password)}
    editor = {"Cookie": sign_in(app.port, data.editor_email, data.password)}
    editor_api = {"Authorization": f"Bearer {data.editor_token}"}
    tokens_file = directory / "focal-tokens.txt"
    tokens_file.write_text("\n".join(data.focal_tokens.values()) + "\n")
    gets = {
        "document_page": ("document page (300 sections)", f"/documents/{data.document_id}", reader),
        "section_page": ("section page, 500 comments", f"/sections/{data.hot_section_id}", editor),
        "comment_list_api": ("comment list API", f"/api/v1/sections/{data.hot_section_id}/comments", editor_api),
    }
    for _, path, headers in gets.values():
        expect(app.port, "GET", path, 200, headers=headers)
    submit_path = f"/api/v1/sections/{data.submit_section_id}/comments"
    focal_api = {"Authorization": f"Bearer {data.focal_tokens['KEN']}", "Content-Type": "application/json"}
    sample = json.dumps({"body": "Check before the load.", "submit": True})
    expect(app.port, "POST", submit_path, 201, headers=focal_api, body=sample)
    results: dict = {"scenarios": {}}

    def step(message: str) -> None:
        print(f"  {message} …", flush=True)

    step("hello ceiling, GET")
    results["hello_get"] = vars(wrk(settings, hello.port, "/"))
    for name, (label, path, headers) in gets.items():
        step(label)
        results["scenarios"][name] = {
            "label": label,
            "path": path,
            **vars(wrk(settings, app.port, path, headers=headers)),
        }
    step("hello ceiling, POST")
    results["hello_post"] = vars(wrk(settings, hello.port, "/", tokens_file=tokens_file))
    step("submitting comments through the API")
    results["scenarios"]["submit_comment_api"] = {
        "label": f"submit comment API, {settings.connections} conn.",
        "path": submit_path,
        **vars(wrk(settings, app.port, submit_path, expected_status=201, tokens_file=tokens_file)),
    }

    step("section page as its comments grow")
    scaling = {
        count: vars(sequential(app.port, f"/sections/{section_id}", headers=editor))
        for count, section_id in data.scaling_section_ids.items()
    }
    median = {count: timing["median_ms"] for count, timing in scaling.items()}
    results["scaling"] = {
        "sections": scaling,
        "ratio": round(median[10_000] / median[10], 2),
        # The page shows 50 comments at most, so from 100 on it renders the same amount:
        # this ratio isolates what the database and paging add.
        "ratio_full_pages": round(median[10_000] / median[100], 2),
    }

    step(f"deadline burst: {len(data.focal_tokens)} delegations × 10 comments at once")
    tag = secrets.token_hex(4)
    paths = [f"/api/v1/sections/{section_id}/comments" for section_id in data.burst_section_ids]
    burst = deadline_burst([app.port], data.focal_tokens, paths, tag)
    results["burst"] = {**burst.summary(), **verify_burst(url, burst, tag)}
    results["hello_burst"] = deadline_burst([hello.port], data.focal_tokens, ["/"], tag, expected_status=200).summary()
    return results


# The deadline hour (bench/README.md): delegations read while others submit.
READERS = 24  # connections reading, each request as one of 24 delegations' focal points
SUBMITTERS = 8  # connections submitting, as the 193 delegations in turn
PARAGRAPHS_FOLLOWED = 12  # each reading delegation follows 12 paragraphs, and the document page
WARM_UP_ROUNDS = 4  # each reader's page requested 4 times: both workers keep it, but for 1 page in 8


def _submitted_so_far(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count(Comment.id)).where(Comment.body.like("Load test %")))
    finally:
        engine.dispose()


def deadline_hour(app: Gunicorn, bare: dict[str, Gunicorn], data, settings: WrkSettings, directory: Path, url) -> dict:
    """Reads alone, submissions alone, both at once; the bare one-row write ceiling, and the floor
    (a submission's rows written by hand, bench/floor.py) measured the same way."""
    rng = random.Random(17)  # noqa: S311  (a reproducible mix, not secrets)
    reads = []
    for code in rng.sample(sorted(data.focal_tokens), READERS):
        cookie = sign_in(app.port, f"focal.{code.lower()}@bench.example", data.password)
        reads += [
            f"/sections/{section_id}\t{cookie}" for section_id in rng.sample(data.section_ids, PARAGRAPHS_FOLLOWED)
        ]
        reads.append(f"/documents/{data.document_id}\t{cookie}")
    reads_file, paths_file = directory / "reads.txt", directory / "submit-paths.txt"
    reads_file.write_text("\n".join(reads) + "\n")
    paths_file.write_text("".join(f"/api/v1/sections/{section_id}/comments\n" for section_id in data.section_ids))
    tokens_file = directory / "focal-tokens.txt"
    readers, writers = replace(settings, connections=READERS), replace(settings, connections=SUBMITTERS)

    def read() -> WrkResult:
        return wrk(readers, app.port, "/", reads_file=reads_file)

    def submit() -> WrkResult:
        return wrk(writers, app.port, "/", expected_status=201, tokens_file=tokens_file, paths_file=paths_file)

    print("  deadline hour: warming the readers' pages", flush=True)
    warm_up(app.port, reads, rng)
    print("  deadline hour: reads alone, submissions alone, the write ceiling, both at once", flush=True)
    results = {"reads_alone": vars(read())}
    before = _submitted_so_far(url)
    results["submissions_alone"] = vars(submit())
    results["ceiling"] = vars(wrk(writers, bare["ceiling"].port, "/", expected_status=201, tokens_file=tokens_file))
    with ThreadPoolExecutor(max_workers=2) as pool:
        reading, submitting = pool.submit(read), pool.submit(submit)
        results["reads_during_submissions"], results["submissions_during_reads"] = (
            vars(reading.result()),
            vars(submitting.result()),
        )
    acknowledged = sum(
        results[name]["statuses"].get("201", 0) for name in ("submissions_alone", "submissions_during_reads")
    )
    # wrk drops the answers still in flight when it stops: those comments are stored, not counted.
    results["submissions_stored"] = {"acknowledged": acknowledged, "stored": _submitted_so_far(url) - before}
    # After the count: the floor stores the same comments, with nothing Consult adds.
    results["floor"] = vars(
        wrk(writers, bare["floor"].port, "/", expected_status=201, tokens_file=tokens_file, paths_file=paths_file)
    )
    return results


def warm_up(port: int, reads: list[str], rng: random.Random) -> None:
    """Every reader's page requested a few times, 8 at a time: the figures are those of the hour,
    not of the first minute after a restart (each worker keeps the pages it rendered)."""
    requests = [line.split("\t") for line in reads] * WARM_UP_ROUNDS
    rng.shuffle(requests)

    def get(path_and_cookie: list[str]) -> None:
        path, cookie = path_and_cookie
        status, _, _ = request(port, "GET", path, headers={"Cookie": cookie})
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status} while warming up")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(get, requests))


def two_servers(app: Gunicorn, directory: Path, data, url: str) -> dict:
    """The burst spread over two Consult servers on one database; then the second server's kept
    page of a paragraph shows at once the comment Kenya submitted to it (the page stamps are shared)."""
    same_settings = {name: app.env[name] for name in ("DATABASE_URL", "SECRET_KEY", "CONSULT_CONFIG")}
    second = Gunicorn("consult-2", "wsgi:app", directory, **same_settings)
    second.start()
    try:
        second.wait_ready("/healthz")
        tag = secrets.token_hex(4)
        paths = [f"/api/v1/sections/{section_id}/comments" for section_id in data.burst_section_ids]
        # Kenya's first comment of the burst goes to this paragraph, through either server.
        kenya = sorted(data.focal_tokens).index("KEN")
        page = f"/sections/{data.burst_section_ids[kenya % len(paths)]}"
        reader = {"Cookie": sign_in(second.port, data.reader_email, data.password)}
        before = {_comment_count(second.port, page, reader) for _ in range(WARM_UP_ROUNDS)}  # kept by both workers
        burst = deadline_burst([app.port, second.port], data.focal_tokens, paths, tag)
        after = {_comment_count(second.port, page, reader) for _ in range(WARM_UP_ROUNDS)}
        kenya_first = f"[burst {tag} KEN 0]" in burst.acknowledged.values()
        return {
            **burst.summary(),
            **verify_burst(url, burst, tag),
            "fresh_across_servers": len(before) == 1 and kenya_first and after == {before.pop() + 1},
        }
    finally:
        second.stop()


def _comment_count(port: int, path: str, headers: dict) -> int | None:
    """The number in the page's "Comments (N)" heading, as the reader sees it."""
    status, _, body = request(port, "GET", path, headers=headers)
    found = re.search(rb'<span class="count">\(([\d,]+)\)</span>', body)
    return int(found[1].replace(b",", b"")) if status == 200 and found else None


def ratios(results: dict) -> None:
    """Each scenario's throughput as a share of hello's under the same load; targets met or not."""
    for name, scenario in results["scenarios"].items():
        ceiling = results["hello_post" if name == "submit_comment_api" else "hello_get"]["rps"]
        scenario["ratio_to_hello"] = round(scenario["rps"] / ceiling, 3) if ceiling else None
    burst = results["burst"]
    burst["ratio_to_hello"] = round(burst["rps"] / results["hello_burst"]["rps"], 3)
    section, submit = results["scenarios"]["section_page"], results["scenarios"]["submit_comment_api"]
    section["target"], section["met"] = TARGETS["section_page"], section["ratio_to_hello"] >= 0.25
    submit["target"] = TARGETS["submit_comment_api"]
    submit["met"] = submit["ratio_to_hello"] >= 0.10 and submit["p99_ms"] <= 250 and submit["errors"] == 0
    burst["target"], burst["met"] = TARGETS["deadline_burst"], burst["errors"] == 0 and burst["exactly_once"]
    scaling = results["scaling"]
    scaling["target"], scaling["met"] = TARGETS["scaling"], scaling["ratio"] <= 1.5
    hour = results["deadline_hour"]
    reads, submissions = hour["reads_during_submissions"], hour["submissions_alone"]
    reads["ratio"] = round(reads["rps"] / hour["reads_alone"]["rps"], 3)
    reads["target"] = TARGETS["reads_during_submissions"]
    reads["met"] = reads["ratio"] >= 0.5 and reads["p99_ms"] <= 250 and reads["errors"] == 0
    for name in ("submissions_alone", "submissions_during_reads", "floor"):
        hour[name]["ratio"] = round(hour[name]["rps"] / hour["ceiling"]["rps"], 3)
    submissions["target"] = TARGETS["submissions_alone"]
    submissions["met"] = submissions["ratio"] >= 0.6 and submissions["p99_ms"] <= 250 and submissions["errors"] == 0
    if "two_servers" in results:
        both = results["two_servers"]
        both["target"] = TARGETS["two_servers"]
        both["met"] = both["errors"] == 0 and both["exactly_once"] and both["fresh_across_servers"]


def _verdict(item: dict) -> str:
    if "met" not in item:
        return ""
    return f"{item['target']}: {'met' if item['met'] else 'MISSED'}"


def report(results: dict) -> str:
    m = results["machine"]
    lines = [
        "",
        f"Consult benchmark — {m['database']} — {m['cores']} cores, Python {m['python']}, "
        f"gunicorn {m['gunicorn_workers']} sync workers — commit {m['git_commit'][:10]}"
        f"{' (+ uncommitted changes)' if m['git_dirty'] else ''} — {results['started_at']}",
        f"wrk -t{results['wrk']['threads']} -c{results['wrk']['connections']} -d{results['wrk']['duration']}s; "
        f"data set: {results['dataset']['counts']['comments']:,} comments on "
        f"{results['dataset']['counts']['sections']} sections, built in {results['dataset']['seconds']} s",
        *(
            [f"warning: the load average was {m['load_average_at_start']} at the start: other processes shared the CPU"]
            if m["load_average_at_start"] >= 0.5
            else []
        ),
        "",
        f"{'scenario':<34}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'× hello':>9}{'SQL/req':>9}  target",
    ]

    def row(label, item, sql="", ratio=None):
        ratio = item.get("ratio_to_hello") if ratio is None else ratio
        lines.append(
            f"{label:<34}{item['rps']:>8.1f}{item['p50_ms']:>9.1f}{item['p99_ms']:>9.1f}{item['errors']:>8}"
            f"{ratio:>9.3f}{sql!s:>9}  {_verdict(item)}".rstrip()
        )

    row("hello ceiling (GET)", results["hello_get"], ratio=1.0)
    for name, scenario in results["scenarios"].items():
        if name == "submit_comment_api":
            row("hello ceiling (POST)", results["hello_post"], ratio=1.0)
        row(scenario["label"], scenario, results["sql_statements"].get(name, ""))
    burst = results["burst"]
    row(f"hello, burst of {results['hello_burst']['requests']:,} requests", results["hello_burst"], ratio=1.0)
    row(f"deadline burst, {burst['requests']:,} POSTs", burst)
    lines.append(
        f"  burst: {burst['acknowledged']:,} acknowledged, {burst['stored_rows']:,} stored, "
        f"{burst['acknowledged_missing']} acknowledged but missing, {burst['stored_twice']} stored twice, "
        f"{burst['stored_without_acknowledgement']} stored without acknowledgement; failures: "
        f"{burst['failures'] or 'none'}; {burst['seconds']} s"
    )
    hour = results["deadline_hour"]
    lines += [
        "",
        f"deadline hour: {READERS} connections read (each request as one of {READERS} delegations, "
        f"{PARAGRAPHS_FOLLOWED} paragraphs and the document page each); {SUBMITTERS} connections submit",
        f"{'':<34}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>9}  target",
    ]
    for label, name, ratio in (
        ("reads alone", "reads_alone", 1.0),
        ("reads during submissions", "reads_during_submissions", None),
        ("one-row write ceiling", "ceiling", 1.0),
        ("submissions alone", "submissions_alone", None),
        ("submissions during reads", "submissions_during_reads", None),
        ("the floor: its rows by hand", "floor", None),
    ):
        item = hour[name]
        lines.append(
            f"{label:<34}{item['rps']:>8.1f}{item['p50_ms']:>9.1f}{item['p99_ms']:>9.1f}{item['errors']:>8}"
            f"{item['ratio'] if ratio is None else ratio:>9.3f}  {_verdict(item)}".rstrip()
        )
    stored = hour["submissions_stored"]
    lines.append(
        f"  reads: ratio to reads alone; submissions: ratio to the write ceiling. {stored['acknowledged']:,} "
        f"submissions acknowledged, {stored['stored']:,} stored (wrk drops the answers in flight when it stops)"
    )
    if "two_servers" in results:
        both = results["two_servers"]
        lines.append(
            f"two Consult servers, one database: burst of {both['requests']:,} POSTs, {both['rps']:.1f}/s, p99 "
            f"{both['p99_ms']} ms, {both['errors']} errors, {both['acknowledged']:,} acknowledged, "
            f"{both['stored_rows']:,} stored, {both['stored_twice']} twice; fresh on the other server: "
            f"{'yes' if both['fresh_across_servers'] else 'NO'} — {_verdict(both)}"
        )
    lines += [
        "",
        f"{'section page, comments':<34}{'median ms':>10}{'p90 ms':>9}{'× 10':>8}{'SQL/req':>9}"
        f"{'render ms':>11}{'× 10':>8}",
    ]
    scaling, rendering = results["scaling"], results["render_ms"]
    base = scaling["sections"][min(scaling["sections"])]["median_ms"]
    render_base = rendering[str(min(scaling["sections"]))]
    for count, timing in scaling["sections"].items():
        sql = results["sql_statements"].get(f"section_page_{count}", "")
        render = rendering[str(count)]
        lines.append(
            f"{count:<34,}{timing['median_ms']:>10.1f}{timing['p90_ms']:>9.1f}{timing['median_ms'] / base:>8.2f}"
            f"{sql!s:>9}{render:>11.1f}{render / render_base:>8.2f}"
            f"{'  errors: ' + str(timing['errors']) if timing['errors'] else ''}"
        )
    lines.append(f"  time(10,000) / time(10) = {scaling['ratio']:.2f} — {_verdict(scaling)}")
    lines.append(f"  time(10,000) / time(100) = {scaling['ratio_full_pages']:.2f} (both pages show 50 comments)")
    lines.append(
        "  render ms: the page rendered in full, page store off, in-process (what the first reader after a change"
        " waits for)"
    )
    amendments = results["amendment_pages"]
    lines += ["", f"{'paragraph with 20 amendments':<34}{'write ms':>10}{'1st view':>10}{'render ms':>11}"]
    for kind in ("ordinary", "pathological"):
        figures = amendments[kind]
        lines.append(
            f"{kind:<34}{figures['write_ms']:>10.1f}{figures['first_view_ms']:>10.1f}{figures['render_ms']:>11.1f}"
        )
    lines.append(f"  render(pathological) / render(ordinary) = {amendments['ratio']:.2f}; diffs stored when written")
    lines += ["", "memory after the scenarios (per worker: RSS now / peak, MiB)"]
    for name, memory in results["memory"].items():
        workers = ", ".join(f"{w['rss_mib']:.0f} / {w['peak_rss_mib']:.0f}" for w in memory["workers"])
        lines.append(f"  {name:<10}{workers}   ({memory['worker_boots']} workers started during the run)")
    exceptions = results["server_exceptions"]
    lines.append(f"server log: {sum(exceptions.values())} exceptions")
    lines += [f"  {count:>6} × {message}" for message, count in exceptions.items()]
    lines += ["", f"{'matrix export, 20,000 comments':<34}{'seconds':>9}{'peak MiB':>10}{'MiB out':>9}  target"]
    for item in results["exports"]:
        if "refused" in item:
            lines.append(f"{item['format']:<34}  refused: {item['refused']}")
            continue
        lines.append(
            f"{item['format']:<34}{item['seconds']:>9.1f}{item['peak_rss_mib']:>10.0f}"
            f"{item['bytes'] / 2**20:>9.1f}  {_verdict(item) if 'target' in item else ''}".rstrip()
        )
    lines.append(f"total {results['elapsed_seconds']:.0f} s")
    return "\n".join(lines)


def bench(kind: str, settings: WrkSettings) -> dict:
    """Data set, servers, scenarios on one fresh database; the results without ratios."""
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as tmp, database(kind, Path(tmp)) as (url, version):
        directory = Path(tmp)
        # Before anything runs: the commit and the tree are what the servers will load.
        host = machine(version)
        data = dataset.build(url)
        print(f"  data set built in {data.seconds} s: {data.counts}", flush=True)
        # The matrix of the data set as built, before the scenarios add their comments.
        exports = matrix_exports(url, data.document_id, data.editor_email, EXPORT_TARGET)
        sql = queries.statements_per_request(url, data)
        rendering = queries.render_times(url, data)
        amendments = queries.amendment_pages(url, data)
        consult = Gunicorn(
            "consult",
            "wsgi:app",
            directory,
            DATABASE_URL=url,
            SECRET_KEY=secrets.token_hex(32),
            CONSULT_CONFIG="development",
        )
        hello = Gunicorn("hello", "bench.hello:app", directory)
        create_ceiling_table(url)
        bare = {
            "ceiling": Gunicorn("ceiling", "bench.ceiling:app", directory, DATABASE_URL=url),
            "floor": Gunicorn("floor", "bench.floor:app", directory, DATABASE_URL=url),
        }
        servers = (consult, hello, *bare.values())
        try:
            for server in servers:
                server.start()
            consult.wait_ready("/healthz")
            hello.wait_ready("/")
            for server in bare.values():
                server.wait_ready("/healthz")
            results = drive(consult, hello, data, settings, directory, url)
            results["deadline_hour"] = deadline_hour(consult, bare, data, settings, directory, url)
            if kind == "postgresql":
                print("  two Consult servers on one database: the burst through both", flush=True)
                results["two_servers"] = two_servers(consult, directory, data, url)
            results["memory"] = {
                server.name: {"workers": server.memory(), "worker_boots": server.worker_boots()}
                for server in (consult, hello)
            }
            results["server_exceptions"] = consult.exceptions()
        finally:
            for server in servers:
                server.stop()
        results["exports"] = exports
    results.update(
        machine=host,
        dataset={"counts": data.counts, "seconds": data.seconds},
        sql_statements=sql,
        render_ms=rendering,
        amendment_pages=amendments,
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", choices=("sqlite", "postgresql"))
    parser.add_argument("--duration", type=int, default=15, help="seconds of each wrk run (default 15)")
    args = parser.parse_args(argv)
    # make and CI stop with SIGTERM: turn it into an exception so that the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_wrk()
    # Anything else running takes CPU from the servers: note how busy the machine was.
    load_at_start = os.getloadavg()[0]
    began = time.monotonic()
    started_at = datetime.now(UTC)
    settings = WrkSettings(duration=args.duration)
    print(f"== benchmark on {args.database}", flush=True)
    results = bench(args.database, settings)
    results.update(
        database=args.database,
        started_at=started_at.strftime("%Y-%m-%d %H:%M UTC"),
        wrk=vars(settings),
        elapsed_seconds=round(time.monotonic() - began, 1),
    )
    results["machine"]["load_average_at_start"] = round(load_at_start, 2)
    ratios(results)
    results["ipcc_round"] = ipcc.run(args.database)
    results["elapsed_seconds"] = round(time.monotonic() - began, 1)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started_at.strftime('%Y%m%dT%H%M%SZ')}-{args.database}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(report(results))
    print(ipcc.report(results["ipcc_round"]))
    print(f"results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
