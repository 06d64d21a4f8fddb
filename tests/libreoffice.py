"""LibreOffice, headless, as an independent reader of the Word files Consult writes: it opens a
file, accepts or rejects all its tracked changes as a user would (the same commands as the menu)
and saves the text; or converts it to another format.

LibreOffice comes from Debian (libreoffice-writer-nogui, see scripts/system-packages); without it
these tests fail, never skip. Each test session has a profile of its own, holding the macro.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
_TIMEOUT = 120

# Opens a file hidden, runs one command of the Edit › Track Changes menu on it, saves its text.
_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub Resolve(inPath As String, outPath As String, action As String)
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = &quot;Hidden&quot;
  load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(inPath), &quot;_blank&quot;, 0, load())
  If action &lt;&gt; &quot;&quot; Then
    dispatcher = createUnoService(&quot;com.sun.star.frame.DispatchHelper&quot;)
    dispatcher.executeDispatch(doc.CurrentController.Frame, &quot;.uno:&quot; &amp; action, &quot;&quot;, 0, Array())
  End If
  Dim store(1) As New com.sun.star.beans.PropertyValue
  store(0).Name = &quot;FilterName&quot;
  store(0).Value = &quot;Text (encoded)&quot;
  store(1).Name = &quot;FilterOptions&quot;
  store(1).Value = &quot;UTF8,LF&quot;
  doc.storeToURL(ConvertToURL(outPath), store())
  doc.close(True)
End Sub
</script:module>
"""


class LibreOffice:
    def __init__(self, directory: Path) -> None:
        if not Path(SOFFICE).exists():
            raise RuntimeError("LibreOffice is missing: run scripts/system-packages (libreoffice-writer-nogui).")
        self.directory = directory
        self.profile = f"-env:UserInstallation={(directory / 'profile').as_uri()}"
        self._run("--terminate_after_init")
        (directory / "profile" / "user" / "basic" / "Standard" / "Module1.xba").write_text(_MACRO, encoding="utf-8")
        self.count = 0

    def _run(self, *arguments: str) -> None:
        subprocess.run(  # noqa: S603 - our own arguments
            [SOFFICE, self.profile, "--headless", "--norestore", *arguments],
            check=True,
            capture_output=True,
            timeout=_TIMEOUT,
        )

    def _file(self, data: bytes, suffix: str) -> Path:
        self.count += 1
        path = self.directory / f"file-{self.count}{suffix}"
        path.write_bytes(data)
        return path

    def text(self, data: bytes, action: str = "") -> str:
        """The text of a Word file as LibreOffice reads it, after ``action`` (AcceptAllTrackedChanges,
        RejectAllTrackedChanges) if given: one line a paragraph."""
        source = self._file(data, ".docx")
        target = source.with_suffix(".txt")
        self._run(f'macro:///Standard.Module1.Resolve("{source}","{target}","{action}")')
        return target.read_text(encoding="utf-8-sig")

    def accepted(self, data: bytes) -> str:
        return self.text(data, "AcceptAllTrackedChanges")

    def rejected(self, data: bytes) -> str:
        return self.text(data, "RejectAllTrackedChanges")

    def convert(self, data: bytes, suffix: str, target_format: str) -> bytes:
        """The file converted by LibreOffice (``fodt``, ``pdf`` …)."""
        source = self._file(data, suffix)
        self._run("--convert-to", target_format, "--outdir", str(self.directory), str(source))
        return source.with_suffix(f".{target_format.split(':')[0]}").read_bytes()


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    """A LibreOffice for the session (imported by the conftest of the folders whose tests use it)."""
    return LibreOffice(tmp_path_factory.mktemp("libreoffice"))
