"""Putting plugin distributions on the test path without installing them in the environment.

The contract tests hold for every loaded plugin. A partner points ``IPGOV_CONTRACT_PLUGINS``
at his distribution's source directory (several: separated by ``os.pathsep``); this module
builds each one (from a copy, so no build files land in his tree), installs it with pip into a
temporary directory only, and puts that directory first on ``sys.path`` for the test session.
Nothing is installed into, or removed from, the active environment. Without the variable, the
example partner (``examples/ipgov-example-partner``) is used the same way unless it is
installed already.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ipgov-example-partner"
ENV = "IPGOV_CONTRACT_PLUGINS"

__all__ = ["EXAMPLE", "install_isolated", "requested_distributions"]


def requested_distributions() -> list[Path]:
    """The distributions to test: ``IPGOV_CONTRACT_PLUGINS``, else the example if missing."""
    listed = [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]
    if listed:
        return listed
    try:
        importlib.metadata.distribution("ipgov-example-partner")
    except importlib.metadata.PackageNotFoundError:
        return [EXAMPLE]
    return []


def install_isolated(distribution: Path, target: Path) -> Path:
    """Build ``distribution`` and install it (no dependencies) into ``target`` only."""
    source = target.parent / f"src-{distribution.name}"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(distribution, source,
                    ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__"))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(source)],
        capture_output=True, text=True, check=False, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"cannot build {distribution} into {target}:\n{result.stderr[-2000:]}")
    return target


def put_first_on_path(target: Path) -> None:
    """Make ``target``'s packages and entry points visible to this process."""
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
