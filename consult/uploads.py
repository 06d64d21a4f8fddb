"""Office files (.xlsx, .docx) sent by users: checked before any parser opens them.

An Office file is a ZIP archive of XML parts. A few kilobytes can inflate to gigabytes (a
zip bomb), hold a million parts, or declare XML entities that expand without end. Every
reader of an upload therefore goes through ``check_office_zip`` first: it inflates each
part once, counting the bytes it really produces rather than the sizes the archive
declares, and refuses the file as soon as the parts or their total size pass the limits,
whatever the compression ratio. It also refuses any part that declares a document type
(a DTD): Office never writes one, and without one no entity can be declared, so none can
be expanded and no parser is sent to fetch anything over the network.

Parsing then runs in a child process (``run_isolated``) that is killed at the deadline and
may use only so much memory: within the size limit a part can still hold millions of
empty elements, and a parser building a tree of them in C code would otherwise hold the
worker, and gigabytes of its memory, for as long as it takes.

Pure functions on bytes, no Flask: callers translate ``UploadRefused.code``.
"""

from __future__ import annotations

import contextlib
import io
import math
import multiprocessing
import resource
import signal
import time
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

# What a refused upload is: each code has a message in the callers' catalogues.
REFUSALS = ("not_zip", "unreadable", "too_many_parts", "too_large", "too_complex", "doctype", "too_slow")
# Refusals that mean "too much", for callers that answer 413 rather than 422.
TOO_LARGE = frozenset({"too_many_parts", "too_large", "too_complex"})

_CHUNK = 1024 * 1024
# "<!DOCTYPE" in each encoding an XML parser recognizes from the first bytes (UTF-8 covers
# ASCII and the ISO 8859 family; cp037 and cp500 the EBCDIC ones libxml2 reads).
_DOCTYPE = tuple(
    "<!DOCTYPE".encode(encoding)
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp037", "cp500")
)
_OVERLAP = max(len(pattern) for pattern in _DOCTYPE) - 1
# What zipfile, zlib, bz2 and lzma raise on a damaged or unsupported archive.
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError)
_UNSUPPORTED = (NotImplementedError, RuntimeError)  # e.g. an unknown compression method, an encrypted part


class UploadRefused(Exception):
    """The upload cannot be read; ``code`` is one of ``REFUSALS``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class UploadLimits:
    max_parts: int = 1000
    max_uncompressed: int = 100 * 1024 * 1024  # bytes, all parts together
    seconds: float = 20.0  # for checking and parsing together
    max_memory: int = 1024 * 1024 * 1024  # bytes the parsing process may add to the worker's size

    @classmethod
    def from_config(cls, config: Mapping) -> UploadLimits:
        return cls(
            max_parts=config["MAX_UPLOAD_PARTS"],
            max_uncompressed=config["MAX_UPLOAD_UNCOMPRESSED_MB"] * 1024 * 1024,
            seconds=config["MAX_UPLOAD_PARSE_SECONDS"],
            max_memory=config["MAX_UPLOAD_PARSE_MEMORY_MB"] * 1024 * 1024,
        )


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.ends_at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.ends_at - time.monotonic())

    def check(self) -> None:
        if time.monotonic() > self.ends_at:
            raise UploadRefused("too_slow")


def check_office_zip(data: bytes, limits: UploadLimits, deadline: Deadline) -> frozenset[str]:
    """The names of the parts of an Office file that is safe to parse; raise ``UploadRefused`` if it is not.

    Sizes declared by the archive are used only to refuse early; every part is inflated and
    counted, so an archive that understates them cannot get past the limit either (zipfile
    stops at the declared size, and the checksum then fails).
    """
    if not data.startswith(b"PK"):
        raise UploadRefused("not_zip")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > limits.max_parts:
                raise UploadRefused("too_many_parts")
            if sum(part.file_size for part in parts) > limits.max_uncompressed:
                raise UploadRefused("too_large")
            total = 0
            for part in parts:
                total = _inflate(archive, part, total, limits, deadline)
    except _ARCHIVE_ERRORS + _UNSUPPORTED as error:
        raise UploadRefused("unreadable") from error
    return frozenset(part.filename for part in parts)


def _inflate(
    archive: zipfile.ZipFile, part: zipfile.ZipInfo, total: int, limits: UploadLimits, deadline: Deadline
) -> int:
    """Read one part to its end in bounded chunks; the running total of bytes inflated so far."""
    produced = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            produced += len(chunk)
            total += len(chunk)
            if produced > part.file_size or total > limits.max_uncompressed:
                raise UploadRefused("too_large")
            window = tail + chunk
            if any(pattern in window for pattern in _DOCTYPE):
                raise UploadRefused("doctype")
            tail = window[-_OVERLAP:]
            deadline.check()
    return total


Result = TypeVar("Result")


def run_isolated(work: Callable[[], Result], deadline: Deadline, max_memory: int) -> Result:
    """What ``work`` returns or raises, computed in a forked child that is killed at the deadline
    (``too_slow``) and may grow by ``max_memory`` bytes at most (``too_complex``).

    Whatever ``work`` returns or raises must pickle. The child has its own copy of memory, so
    nothing it changes reaches this process.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_isolated, args=(work, sender, deadline.remaining(), max_memory), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(deadline.remaining()):
            raise UploadRefused("too_slow")
        succeeded, value = receiver.recv()
    except EOFError:  # the child died without an answer: killed by its limits
        child.join()
        raise UploadRefused("too_slow" if child.exitcode == -signal.SIGXCPU else "too_complex") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if succeeded:
        return value
    raise value


def _isolated(work: Callable[[], object], sender, seconds: float, max_memory: int) -> None:
    _limit_this_process(seconds, max_memory)
    try:
        outcome = (True, work())
    except MemoryError:
        outcome = (False, UploadRefused("too_complex"))
    except Exception as error:  # handed to the parent, which raises it
        outcome = (False, error)
    try:
        sender.send(outcome)
    except Exception:  # an answer that does not pickle
        sender.send((False, UploadRefused("unreadable")))


def _limit_this_process(seconds: float, max_memory: int) -> None:
    """CPU time and address space for a child: the kernel ends it even if its parent is gone."""
    cpu = math.ceil(seconds) + 1
    with contextlib.suppress(OSError, ValueError):  # a lower limit already set stays
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    with contextlib.suppress(OSError, ValueError):  # /proc is Linux's: elsewhere only the deadline holds
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        size = pages * resource.getpagesize() + max_memory
        resource.setrlimit(resource.RLIMIT_AS, (size, size))


def refusal_message(code: str, limits: UploadLimits) -> str | None:
    """What to tell the person whose upload passed a limit (in their language); None for other codes."""
    from flask_babel import gettext as _  # the checks above also run in a process without Flask

    if code == "too_large":
        return _(
            "The file is too large once uncompressed to be imported (at most %(size)s MB). "
            "Split it into several files and upload them one by one.",
            size=limits.max_uncompressed // (1024 * 1024),
        )
    if code == "too_many_parts":
        return _(
            "The file is made of too many parts to be imported (at most %(parts)s). "
            "Save it again as .xlsx or .docx without images or embedded objects and upload it.",
            parts=limits.max_parts,
        )
    if code == "too_slow":
        return _(
            "Reading the file took too long (more than %(seconds)s seconds). "
            "Split it into several files and upload them one by one.",
            seconds=f"{limits.seconds:g}",
        )
    return None
