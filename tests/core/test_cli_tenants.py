"""The command line for tenants, users and plugins: what GraphQL can do, and clear errors.

``ipgov tenant onboard`` takes ``--plugins`` as ``onboardSubsidiary`` does, ``ipgov tenant
set-mode --preview`` shows a mode change's effect and changes nothing, and a command run
against a data directory that was never migrated says so in one line with exit code 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IPGOV_DATA_DIR": str(data_dir),
           "IPGOV_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'ipgov.db'}",
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([sys.executable, "-m", "ipgov.cli.main", *args], capture_output=True,
                          text=True, env=env, timeout=300, check=False)


@pytest.fixture
def migrated(tmp_path: Path, sqlite_template: Path) -> Path:
    shutil.copy(sqlite_template, tmp_path / "ipgov.db")
    return tmp_path


@pytest.mark.parametrize("args", [("user", "token", "li.wei@hanwei.example"),
                                  ("tenant", "list")])
def test_unmigrated_data_directory_is_one_clear_line(tmp_path: Path, args: tuple[str, ...]):
    result = _cli(tmp_path / "fresh", *args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "has no ipgov schema yet" in line and "ipgov migrate" in line


def test_onboard_takes_plugins_like_graphql(migrated: Path):
    assert _cli(migrated, "tenant", "create-group", "acme", "--name", "Acme").returncode == 0
    ok = _cli(migrated, "tenant", "onboard", "acme", "acme-lab", "--name", "Lab",
              "--plugins", "data_governance")
    assert ok.returncode == 0, ok.stderr
    plugins = _cli(migrated, "plugin", "list")
    assert "data_governance" in plugins.stdout
    bad = _cli(migrated, "tenant", "onboard", "acme", "acme-x", "--name", "X",
               "--plugins", "data_governance,no_such_plugin")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "UNKNOWN_PLUGIN" in bad.stderr and "no_such_plugin" in bad.stderr
    # the lab has data_governance only: disabling it works, disabling another is refused
    off = _cli(migrated, "plugin", "disable", "acme-lab", "data_governance")
    assert off.returncode == 0 and "data_governance disabled for acme-lab" in off.stdout
    none = _cli(migrated, "plugin", "disable", "acme-lab", "patent_search")
    assert none.returncode == 1 and "PLUGIN_NOT_ENABLED" in none.stderr


def test_set_mode_preview_changes_nothing(migrated: Path):
    _cli(migrated, "tenant", "create-group", "acme", "--name", "Acme")
    _cli(migrated, "tenant", "onboard", "acme", "acme-a", "--name", "A")
    _cli(migrated, "user", "create", "li@acme.example", "--name", "Li")
    _cli(migrated, "user", "grant", "li@acme.example", "acme", "group_admin")
    preview = _cli(migrated, "tenant", "set-mode", "acme", "decentralized", "--preview")
    assert preview.returncode == 0, preview.stderr
    assert "acme: hybrid -> decentralized" in preview.stdout
    assert "group_admin@acme (1: li@acme.example)" in preview.stdout
    assert "loses: " in preview.stdout and "(preview: nothing was changed)" in preview.stdout
    assert "hybrid" in _cli(migrated, "tenant", "list").stdout.splitlines()[1]
    applied = _cli(migrated, "tenant", "set-mode", "acme", "decentralized")
    assert applied.returncode == 0 and "supervision view kept: yes" in applied.stdout
    assert "decentralized" in _cli(migrated, "tenant", "list").stdout.splitlines()[1]
