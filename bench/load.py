"""Traffic to 127.0.0.1 only: wrk runs, sequential timings, the deadline burst, signing in."""

import http.client
import json
import os
import re
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
# Flask-Login's "strong" session protection ties the session to the User-Agent, so the
# sign-in and every later request (wrk's too) must send the same one.
USER_AGENT = "consult-bench"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"


def request(port: int, method: str, path: str, *, headers=None, body=None, timeout: float = 60):
    """One request on a fresh connection (gunicorn's sync workers close it anyway)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def _cookies(headers, jar: dict[str, str]) -> dict[str, str]:
    for header in headers.get_all("Set-Cookie") or []:
        jar.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
    return jar


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the login form; the Cookie header of the signed-in session."""
    status, headers, body = request(port, "GET", "/auth/login")
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if status != 200 or match is None:
        raise RuntimeError(f"GET /auth/login answered {status} without a CSRF token")
    jar = _cookies(headers, {})
    form = urlencode({"csrf_token": match[1].decode(), "email": email, "password": password})
    status, headers, _ = request(
        port,
        "POST",
        "/auth/login",
        headers={"Cookie": _cookie_header(jar), "Content-Type": "application/x-www-form-urlencoded"},
        body=form,
    )
    if status != 302:
        raise RuntimeError(f"signing in as {email} answered {status}, not 302")
    return _cookie_header(_cookies(headers, jar))


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def expect(port: int, method: str, path: str, status: int, **kwargs) -> None:
    """Check a scenario's request before loading it, so a wrong cookie cannot pass as speed."""
    got, _, body = request(port, method, path, **kwargs)
    if got != status:
        raise RuntimeError(f"{method} {path} answered {got}, expected {status}: {body[:300]!r}")


# -- wrk ----------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    expected_status: int
    errors: int = 0

    def __post_init__(self):
        unexpected = sum(count for status, count in self.statuses.items() if int(status) != self.expected_status)
        self.errors = unexpected + sum(self.socket_errors.values())


def _latency_ms(text: str, percentile: int) -> float:
    match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no {percentile}% latency in wrk's output:\n{text}")
    return round(float(match[1]) * _UNITS_MS[match[2]], 2)


def parse_wrk(text: str, expected_status: int) -> WrkResult:
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in", text, re.MULTILINE)
    statuses = re.search(r"^BENCH-STATUSES (\{.*\})$", text, re.MULTILINE)
    if rps is None or total is None or statuses is None:
        raise RuntimeError(f"cannot read wrk's output:\n{text}")
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    names = ("connect", "read", "write", "timeout")
    return WrkResult(
        requests=int(total[1]),
        rps=round(float(rps[1]), 1),
        p50_ms=_latency_ms(text, 50),
        p99_ms=_latency_ms(text, 99),
        statuses=json.loads(statuses[1]),
        socket_errors=dict(zip(names, map(int, sockets.groups()), strict=True)) if sockets else dict.fromkeys(names, 0),
        expected_status=expected_status,
    )


@dataclass
class WrkSettings:
    threads: int = 2
    connections: int = 32
    duration: int = 15
    # wrk's default of 2 s would turn slow answers into "timeouts" instead of measuring them.
    timeout: int = 10


def wrk(
    settings: WrkSettings,
    port: int,
    path: str,
    *,
    expected_status: int = 200,
    headers: dict[str, str] | None = None,
    tokens_file: Path | None = None,
    paths_file: Path | None = None,
    reads_file: Path | None = None,
) -> WrkResult:
    command = [
        "wrk",
        f"-t{settings.threads}",
        f"-c{settings.connections}",
        f"-d{settings.duration}s",
        f"--timeout={settings.timeout}s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        "-H",
        f"User-Agent: {USER_AGENT}",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://{HOST}:{port}{path}")
    files = {"BENCH_TOKENS": tokens_file, "BENCH_PATHS": paths_file, "BENCH_READS": reads_file}
    env = {key: value for key, value in os.environ.items() if key not in files}
    env.update({name: str(file) for name, file in files.items() if file is not None})
    completed = subprocess.run(  # noqa: S603  (wrk with arguments of our own)
        command, env=env, capture_output=True, text=True, timeout=settings.duration + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse_wrk(completed.stdout, expected_status)


# -- sequential timing ----------------------------------------------------------------------


@dataclass
class Timing:
    median_ms: float
    p90_ms: float
    errors: int
    samples: int


def sequential(port: int, path: str, *, headers: dict[str, str], count: int = 30, warmup: int = 5) -> Timing:
    """One request at a time: the page's own time, without queueing behind other requests."""
    times, errors = [], 0
    for index in range(warmup + count):
        started = time.perf_counter()
        status, _, _ = request(port, "GET", path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= warmup:
            times.append(elapsed)
            errors += status != 200
    times.sort()
    return Timing(
        median_ms=round(statistics.median(times), 2),
        p90_ms=round(times[int(len(times) * 0.9) - 1], 2),
        errors=errors,
        samples=count,
    )


# -- the deadline burst ---------------------------------------------------------------------


@dataclass
class Burst:
    requests: int
    acknowledged: dict[int, str] = field(default_factory=dict)  # comment id → its marker
    duplicate_acknowledgements: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # status or exception → count
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict:
        latencies = sorted(self.latencies_ms)
        data = asdict(self)
        data.pop("acknowledged")
        data.pop("latencies_ms")
        data.update(
            acknowledged=len(self.acknowledged),
            errors=sum(self.failures.values()),
            p50_ms=round(statistics.median(latencies), 1) if latencies else None,
            p99_ms=round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 1) if latencies else None,
            rps=round(self.requests / self.seconds, 1) if self.seconds else None,
        )
        return data


def deadline_burst(
    ports: list[int],
    tokens: dict[str, str],
    paths: list[str],
    tag: str,
    *,
    expected_status: int = 201,
    per_delegation: int = 10,
) -> Burst:
    """Every delegation's focal point submits ``per_delegation`` comments, all at once (the
    delegations spread over the servers listening on ``ports``).

    One thread per delegation sends its comments back to back, all threads released
    together; each body carries a unique marker so the database check can match rows.
    A 201 answer is an acknowledgement: its comment id is kept for that check.
    """
    burst = Burst(requests=len(tokens) * per_delegation)
    lock = threading.Lock()
    start = threading.Barrier(len(tokens))
    deadline = time.monotonic() + 600  # bounded even if the server stalls

    def delegation(index: int, code: str, token: str) -> None:
        start.wait()
        for number in range(per_delegation):
            marker = f"[burst {tag} {code} {number}]"
            body = json.dumps(
                {"body": f"{marker} Before the deadline, {code} asks that the plan report on progress.", "submit": True}
            )
            path = paths[(index + number) % len(paths)]
            if time.monotonic() > deadline:
                with lock:
                    burst.failures["not sent (time limit)"] = burst.failures.get("not sent (time limit)", 0) + 1
                continue
            started = time.perf_counter()
            try:
                status, _, payload = request(
                    ports[index % len(ports)],
                    "POST",
                    path,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    body=body,
                    timeout=120,
                )
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
            else:
                outcome = None if status == expected_status else f"HTTP {status}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                burst.latencies_ms.append(elapsed)
                if outcome is not None:
                    burst.failures[outcome] = burst.failures.get(outcome, 0) + 1
                    continue
                if status != 201:
                    continue
                comment_id = json.loads(payload)["id"]
                if comment_id in burst.acknowledged:
                    burst.duplicate_acknowledgements += 1
                burst.acknowledged[comment_id] = marker

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        futures = [
            pool.submit(delegation, index, code, token) for index, (code, token) in enumerate(sorted(tokens.items()))
        ]
        for future in futures:
            future.result()
    burst.seconds = round(time.monotonic() - began, 2)
    return burst
