"""``scripts/run`` and ``scripts/test`` skip what is up to date (issue 15 item 16).

A second start used to reinstall the package (47 s). ``scripts/_venv.sh`` now runs each
``pip install`` only when the files it depends on (pyproject.toml, the script itself) or its
arguments changed since the last success. The test runs the real shell functions in a copy of
the repository's scripts with a recording ``.venv/bin/python``, so no package is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDER = """#!/bin/sh
echo "$@" >> "$(dirname "$0")/../calls.log"
"""


def _checkout(tmp: Path) -> Path:
    (tmp / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "_venv.sh", tmp / "scripts" / "_venv.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    python = tmp / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(RECORDER)
    python.chmod(0o755)
    return tmp


def _ensure(repo: Path, extras: str = "", **env: str) -> tuple[list[str], str]:
    done = subprocess.run(["bash", "-c", f'set -euo pipefail; source scripts/_venv.sh; '
                                         f'ensure_venv "{extras}"'],
                          cwd=repo, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", **env})
    assert done.returncode == 0, done.stderr
    log = repo / ".venv" / "calls.log"
    calls = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return calls, done.stderr


def test_a_second_start_installs_nothing(tmp_path):
    repo = _checkout(tmp_path)
    first, _ = _ensure(repo)
    assert any("-e ." in c for c in first) and any("setuptools>=77" in c for c in first)
    second, said = _ensure(repo)
    assert second == [], second
    assert "up to date" in said


def test_a_changed_pyproject_or_other_extras_install_again(tmp_path):
    repo = _checkout(tmp_path)
    _ensure(repo)
    with (repo / "pyproject.toml").open("a") as handle:
        handle.write("\n# a new dependency would go here\n")
    again, _ = _ensure(repo)
    assert [c for c in again if "-e ." in c], again
    dev, _ = _ensure(repo, "[dev]")
    assert [c for c in dev if "-e .[dev]" in c], dev
    forced, _ = _ensure(repo, IPGOV_REINSTALL="1")
    assert len(forced) == 2, forced


def test_the_licence_is_an_spdx_expression_with_a_setuptools_that_reads_it():
    """A licence table makes setuptools warn on every install."""
    for path in (ROOT / "pyproject.toml", ROOT / "examples/ipgov-example-partner/pyproject.toml"):
        data = tomllib.loads(path.read_text())
        assert data["project"]["license"] == "Apache-2.0", path
        requires = " ".join(data["build-system"]["requires"])
        assert "setuptools>=77" in requires, path


def test_readme_commands_name_paths_that_exist_in_a_fresh_clone():
    """The README's ingest example pointed at ../shared/data, outside the repository."""
    import re

    readme = (ROOT / "README.md").read_text()
    paths = re.findall(r"ipgov patents ingest\s+(\S+)", readme)
    assert paths, "the README shows an ingest example"
    for path in paths:
        assert not path.startswith(".."), path
        assert (ROOT / path).exists(), path
