"""The virus-scan hook of uploads: a command named by ``IPGOV_EVIDENCE_SCAN_COMMAND`` (e.g.
``clamdscan --no-summary --fdpass``) run with the file's path appended. Exit 0 is clean, 1 is
infected (the upload is refused), anything else is a scanner error (refused too: a file the
platform was told to scan is never stored unscanned). With no command set, a file is stored
as ``not_scanned`` and says so."""

from __future__ import annotations

import asyncio
import shlex
from dataclasses import dataclass
from pathlib import Path

from ipgov.api import InvalidInput

__all__ = ["ScanResult", "scan_file"]

TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class ScanResult:
    """``status`` is ``clean`` or ``not_scanned``; ``detail`` what the scanner said."""

    status: str
    detail: str = ""


async def scan_file(command: str, path: Path) -> ScanResult:
    """Scan ``path``; ``InvalidInput`` (``EVIDENCE_INFECTED`` or ``EVIDENCE_SCAN_FAILED``)
    when the file must not be stored."""
    if not command.strip():
        return ScanResult("not_scanned", "no virus scanner is configured")
    argv = [*shlex.split(command), str(path)]
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), TIMEOUT_SECONDS)
    except (OSError, TimeoutError) as exc:
        raise InvalidInput(f"the virus scanner could not run: {exc}",
                           code="EVIDENCE_SCAN_FAILED") from None
    said = out.decode("utf-8", "replace").strip().replace(str(path), "<file>")[:500]
    if proc.returncode == 0:
        return ScanResult("clean", said)
    if proc.returncode == 1:
        raise InvalidInput(f"the virus scanner refused the file: {said}",
                           code="EVIDENCE_INFECTED")
    raise InvalidInput(f"the virus scanner failed (exit {proc.returncode}): {said}",
                       code="EVIDENCE_SCAN_FAILED")
