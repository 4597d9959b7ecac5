"""Plugin settings: declared by each plugin (``register_settings``), read through the context,
checked when the platform starts, never read from ``os.environ`` by a plugin."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from ipgov.api import PluginSetting, PluginSettingError, UndeclaredSetting
from ipgov.settings import PluginConfig, Settings
from ipgov.startup import build_platform
from tests.deploy.common import SETTING_NAMES, first_party_settings

ROOT = Path(__file__).resolve().parents[2]
UPLOAD = "IPGOV_PATENT_UPLOAD_MAX_BYTES"


async def _built(tmp_path: Path, **extra: str):
    settings = Settings(data_dir=tmp_path, extra=extra)
    platform = build_platform(settings)
    return platform


async def test_declared_settings_read_through_the_context_with_their_defaults(tmp_path,
                                                                              monkeypatch):
    monkeypatch.delenv(UPLOAD, raising=False)
    platform = await _built(tmp_path)
    try:
        patents = platform.plugin_settings("patent_search")
        assert patents.upload_max_bytes == 64 * 1024 * 1024  # = IPGOV_MAX_UPLOAD_BYTES
        assert patents.upload_max_bytes == platform.settings.max_upload_bytes
        assert patents.search_index == "ipgov-patents"
        assert platform.plugin_settings("data_governance").checks_per_minute == 6
        declared = patents.declared["upload_max_bytes"]
        assert (declared.type, declared.variable) == (int, UPLOAD) and declared.description
        assert platform.plugin_settings("ip_governance").evidence_scan_command == ""
    finally:
        await platform.close()


async def test_the_environment_and_settings_override_a_default(tmp_path, monkeypatch):
    monkeypatch.setenv(UPLOAD, "2048")
    monkeypatch.setenv("IPGOV_PUBLICATION_CHECKS_PER_DAY", "9")
    platform = await _built(tmp_path, IPGOV_PUBLICATION_CHECKS_PER_DAY="12")
    try:
        assert platform.plugin_settings("patent_search").upload_max_bytes == 2048
        # Settings.extra wins over the process environment (embedding, tests)
        assert platform.plugin_settings("data_governance").checks_per_day == 12
    finally:
        await platform.close()


@pytest.mark.parametrize(("variable", "raw", "plugin", "setting"), [
    (UPLOAD, "lots", "patent_search", "upload_max_bytes"),
    (UPLOAD, "0", "patent_search", "upload_max_bytes"),
    ("IPGOV_PUBLICATION_CHECKS_PER_MINUTE", "-3", "data_governance", "checks_per_minute"),
])
def test_a_bad_value_stops_start_up_naming_plugin_setting_and_variable(tmp_path, variable, raw,
                                                                       plugin, setting):
    with pytest.raises(PluginSettingError) as refused:
        build_platform(Settings(data_dir=tmp_path, extra={variable: raw}))
    message = str(refused.value)
    assert f"plugin {plugin}" in message and f"setting {setting}" in message
    assert variable in message and repr(raw) in message or raw in message


def test_the_command_line_refuses_to_start_with_a_bad_plugin_setting(tmp_path):
    import subprocess
    import sys

    env = {"IPGOV_DATA_DIR": str(tmp_path), UPLOAD: "lots", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "ipgov.cli.main", "tenant", "list"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode != 0
    assert "patent_search" in done.stderr and UPLOAD in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr


async def test_reading_an_undeclared_setting_is_refused(platform):
    patents = platform.plugin_settings("patent_search")
    with pytest.raises(UndeclaredSetting, match="plugin patent_search declares no setting "
                                                "'upload_max_byte'"):
        patents.upload_max_byte  # noqa: B018
    with pytest.raises(PluginSettingError, match="plugin acme_docket declares no setting"):
        platform.plugin_settings("acme_docket").get("anything")
    with pytest.raises(AttributeError):
        getattr(patents, "nope")
    with pytest.raises(PluginSettingError, match="expected int"):
        platform.plugin_config.replace("patent_search", upload_max_bytes="10")


@pytest.mark.parametrize(("declaration", "why"), [
    (PluginSetting("limit", list, [], "a list"), "type must be"),
    (PluginSetting("limit", int, "ten", "bad default"), "bad default"),
    (PluginSetting("limit", int, 1, "core", env="IPGOV_PORT"), "core setting"),
    (PluginSetting("limit", int, 1, "no prefix", env="LIMIT"), "must start with IPGOV_"),
    (PluginSetting("limit", int, 1, ""), "describe it"),
    (PluginSetting("not-a-name", int, 1, "x"), "identifier"),
])
def test_a_bad_declaration_names_the_plugin_and_the_setting(declaration, why):
    with pytest.raises(PluginSettingError, match=why) as refused:
        PluginConfig.resolve({"acme_docket": [declaration]}, {})
    assert f"plugin acme_docket, setting {declaration.name}" in str(refused.value)


def test_two_plugins_cannot_read_one_variable():
    first = PluginSetting("url", str, "", "x", env="IPGOV_DOCKET_URL")
    with pytest.raises(PluginSettingError, match="acme_a.url already reads"):
        PluginConfig.resolve({"acme_a": [first], "acme_b": [dataclasses.replace(first)]}, {})


def test_default_variable_and_types():
    config = PluginConfig.resolve({"acme_docket": [
        PluginSetting("reminder_days", int, 30, "Days before a deadline"),
        PluginSetting("ratio", float, 1, "A ratio"),
        PluginSetting("strict", bool, False, "Strict mode"),
        PluginSetting("folder", Path, Path("/tmp"), "A folder"),
    ]}, {"IPGOV_REMINDER_DAYS": "7", "IPGOV_RATIO": "0.5", "IPGOV_STRICT": "yes",
         "IPGOV_FOLDER": "/srv"})
    docket = config.of("acme_docket")
    assert (docket.reminder_days, docket.ratio, docket.strict, docket.folder) == (
        7, 0.5, True, Path("/srv"))


def test_first_party_plugins_declare_every_variable_they_name():
    declared = {item.variable for _plugin, item in first_party_settings()}
    assert {UPLOAD, "IPGOV_PATENT_IMPORT_DIRS", "IPGOV_SEARCH_URL",
            "IPGOV_PUBLICATION_CHECKS_PER_MINUTE"} <= declared
    import re

    named = set()
    for source in (ROOT / "plugins").rglob("*.py"):
        named.update(re.findall(r"\bIPGOV_[A-Z0-9_]*[A-Z0-9]\b", source.read_text()))
    assert not named - declared - SETTING_NAMES, "plugins name variables nobody declares"


def _environment_reads(source: Path) -> list[str]:
    """``os.environ`` / ``os.getenv`` / ``from os import environ, getenv`` in one module."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb",
                                                               "putenv"}:
            found.append(f"{source.relative_to(ROOT)}:{node.lineno} .{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                a.name in {"environ", "getenv", "environb"} for a in node.names):
            found.append(f"{source.relative_to(ROOT)}:{node.lineno} from os import")
    return found


def test_no_plugin_reads_the_environment():
    sources = [*(ROOT / "plugins").rglob("*.py"), *(ROOT / "examples").rglob("*.py")]
    assert len(sources) > 50
    reads = [read for source in sources for read in _environment_reads(source)]
    assert not reads, f"declare a setting (register_settings) instead: {reads}"


def test_the_environment_read_detector_finds_every_spelling(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom os import getenv\na = os.environ.get('X')\n"
                     "b = os.getenv('Y')\n")
    original = ROOT
    globals()["ROOT"] = tmp_path
    try:
        assert len(_environment_reads(probe)) == 3
    finally:
        globals()["ROOT"] = original


def test_the_operations_guide_gives_each_declared_default():
    import re

    rows = dict(re.findall(r"^\| `(IPGOV_[A-Z0-9_]+)` \| ([^|]*) \|",
                           (ROOT / "docs" / "operations.md").read_text(), re.MULTILINE))
    for plugin, item in first_party_settings():
        shown = rows[item.variable]
        expected = f"`{item.default}`" if item.default not in ("", None) else "empty"
        assert shown.startswith(expected), (plugin, item.name, shown)
