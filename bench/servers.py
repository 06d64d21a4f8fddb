"""gunicorn servers for the benchmark: started in their own process group, always stopped."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

from bench.load import request

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py APP`` with the settings of production, on loopback."""

    def __init__(self, name: str, app: str, log_dir: Path, **env: str):
        self.name = name
        self.app = app
        self.port = free_port()
        self.log = log_dir / f"{name}.log"
        self.env = {
            **os.environ,
            "WEB_CONCURRENCY": str(WORKERS),
            "BIND": f"127.0.0.1:{self.port}",
            # Access logging to stdout would cost more than some of the pages measured.
            "GUNICORN_ACCESS_LOG": "/dev/null",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603  (our gunicorn, our arguments)
                [str(GUNICORN), "-c", "gunicorn.conf.py", self.app],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so that stop() reaches the workers
            )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if request(self.port, "GET", path, timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {path} within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def workers(self) -> list[int]:
        """The master's children, found through /proc."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # The command name in field 2 may hold spaces; the fields after ")" do not.
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)

    def memory(self) -> list[dict]:
        """Each worker's resident memory now (VmRSS) and at its peak (VmHWM), in MiB."""
        result = []
        for pid in self.workers():
            status = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
            )
            result.append(
                {
                    "pid": pid,
                    "rss_mib": round(int(status["VmRSS"].split()[0]) / 1024, 1),
                    "peak_rss_mib": round(int(status["VmHWM"].split()[0]) / 1024, 1),
                }
            )
        return result

    def worker_boots(self) -> int:
        """Workers started so far: gunicorn recycles one after max_requests (gunicorn.conf.py)."""
        return self.log.read_text(errors="replace").count("Booting worker with pid")

    def exceptions(self) -> dict[str, int]:
        """Exceptions the workers logged (each traceback's last line), most frequent first."""
        found = re.findall(r"^([\w.]+(?:Error|Exception)\b.*)$", self.log.read_text(errors="replace"), re.MULTILINE)
        return dict(Counter(message[:160] for message in found).most_common())

    def stop(self) -> None:
        if self.process is None:
            return
        group = self.process.pid  # start_new_session made the master its group's leader
        if self.process.poll() is None:
            os.killpg(group, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=40)  # gunicorn's graceful_timeout is 30 s
        # Workers that outlived their master would keep the port and the database busy.
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=10)
