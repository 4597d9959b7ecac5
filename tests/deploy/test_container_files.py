"""deploy/: the Dockerfile, compose file, .env example and collector config, checked statically.

There is no Docker daemon in CI, so the image is not built here; these tests read the files
the way Docker and Compose would and check what the issue promises: a multi-stage build, a
final stage without build tools that runs as a numeric non-root user with a health check,
and a compose topology (api x2, worker x2, scheduler, migrate, PostgreSQL, Redis,
OpenTelemetry collector) whose every ``${VAR}`` is documented in ``.env.example``.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from yamllint import linter

from tests.deploy.common import KNOWN_VARIABLES, YAMLLINT

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BUILD_TOOLS = re.compile(r"\b(apt-get install|apk add|gcc|g\+\+|clang|make|build-essential|"
                         r"python3?-dev|libpq-dev|cargo|rustc|pip install)\b")
RUNTIME_PACKAGES = re.compile(r"apt-get install -y --no-install-recommends xmlsec1\b")
"""Debian packages the final image may install: programs ipgov runs (pysaml2's xmlsec1),
no compiler or headers."""
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}")


# --------------------------------------------------------------------------- Dockerfile


@dataclasses.dataclass
class Stage:
    """One ``FROM`` stage: its base, its name, and its instructions (keyword, arguments)."""

    base: str
    name: str
    instructions: list[tuple[str, str]]

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Split a Dockerfile into stages, joining continuation lines and dropping comments."""
    logical, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        current += " " + line.rstrip("\\").strip() if current else line.rstrip("\\").strip()
        if not line.endswith("\\"):
            logical.append(current)
            current = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else ""
            stages.append(Stage(parts[0], name, []))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile((DEPLOY / "Dockerfile").read_text())


def test_dockerfile_is_multi_stage_and_copies_only_the_environment(stages):
    assert len(stages) >= 2
    final = stages[-1]
    names = {s.name for s in stages[:-1]}
    copies = final.all("COPY")
    assert copies and all(c.startswith("--from=") for c in copies), copies
    assert {c.split()[0].removeprefix("--from=") for c in copies} <= names
    assert all(c.split()[1] == "/opt/ipgov" for c in copies), "only the virtualenv is copied"


def test_final_stage_has_no_build_tools(stages):
    for run in stages[-1].all("RUN"):
        assert not BUILD_TOOLS.search(RUNTIME_PACKAGES.sub("", run)), (
            f"build tooling in the final image: {run}")
    assert any(BUILD_TOOLS.search(r) for s in stages[:-1] for r in s.all("RUN")), (
        "the build stage should be where packages are installed")


def test_final_stage_runs_as_numeric_non_root_user(stages):
    users = stages[-1].all("USER")
    assert users, "no USER in the final stage"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) > 0, users[-1]
    assert not gid or (gid.isdigit() and int(gid) > 0), users[-1]
    assert any(f"--uid {uid}" in r for r in stages[-1].all("RUN")), "the user is created"


def test_final_stage_has_a_healthcheck_on_healthz_and_runs_ipgov(stages):
    final = stages[-1]
    checks = final.all("HEALTHCHECK")
    assert len(checks) == 1 and "/healthz" in checks[0] and "CMD" in checks[0], checks
    assert final.all("ENTRYPOINT") == ['["ipgov"]']
    assert final.all("CMD") == ['["serve", "--no-migrate"]']
    env = " ".join(final.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env, "a read-only root filesystem needs it"
    assert "IPGOV_DATA_DIR=/var/lib/ipgov" in env


def test_image_installs_extras_the_project_declares(stages):
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    installs = [r for s in stages[:-1] for r in s.all("RUN") if "pip install" in r]
    wanted = re.search(r'"\.\[([a-z,]+)\]"', " ".join(installs))
    assert wanted, installs
    asked = set(wanted.group(1).split(","))
    assert {"postgres", "redis"} <= asked <= set(extras), (asked, sorted(extras))


def test_dockerignore_keeps_the_sources_the_build_copies(stages):
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    kept = {line[1:].split("/")[0] for line in ignore if line.startswith("!")}
    copied = {c.split()[0] for s in stages[:-1] for c in s.all("COPY")}
    assert copied <= kept, copied - kept


def _build_input(path: Path) -> bool:
    """Sources of the workspace build (a plugin's ``web/src``, the build's digest stamp): the
    package ships what they build (``web/dist``, ``static/workspace``), not them."""
    if path.name == ".source-digest":
        return True
    return "web" in path.parts and "src" in path.parts[path.parts.index("web"):]


def test_the_files_the_build_copies_install_every_runtime_file(stages, tmp_path):
    """The image installs a wheel (not the editable dev install): nothing may be left out."""
    context = tmp_path / "context"
    for copy in (c.split() for s in stages[:-1] for c in s.all("COPY")):
        for source in copy[:-1]:
            target = context / source
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, target,
                                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, target)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "wheel"), str(context)],
        capture_output=True, text=True, timeout=300, cwd=context)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((tmp_path / "wheel").glob("ipgov-*.whl"))
    packaged = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(
        str(path.relative_to(context / top))
        for top in ("platform", "plugins")
        for path in (context / top).rglob("*")
        if path.is_file() and str(path.relative_to(context / top)) not in packaged
        and not _build_input(path.relative_to(context / top)))
    assert not missing, f"left out of the image (add a package-data pattern): {missing}"


def test_dockerfile_parser_sees_a_planted_root_user_and_compiler():
    stages = parse_dockerfile("FROM a AS build\nRUN pip install x\n"
                              "FROM b\nRUN apt-get update && \\\n    apt-get install -y gcc\n"
                              "USER root\n")
    assert [s.base for s in stages] == ["a", "b"]
    assert BUILD_TOOLS.search(stages[1].all("RUN")[0])
    assert stages[1].all("USER") == ["root"]


# --------------------------------------------------------------------------- compose


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_compose_has_the_production_topology(compose):
    services = compose["services"]
    assert {"api", "worker", "scheduler", "migrate", "postgres", "redis",
            "otel-collector"} <= set(services)
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["scheduler"].get("deploy", {}).get("replicas", 1) == 1
    assert services["migrate"]["command"][0] == "migrate"
    assert services["migrate"]["restart"] == "no"
    for name in ("api", "worker", "scheduler"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert services[name]["read_only"] is True, name
    assert services["api"]["command"] == ["serve", "--no-migrate"]


def test_every_compose_variable_is_documented_in_env_example(compose):
    text = (DEPLOY / "compose.yaml").read_text()
    used = set(VARIABLE.findall(text))
    documented = _env_example()
    assert used <= set(documented), f"not in .env.example: {sorted(used - set(documented))}"
    assert set(documented) <= used, f"unused in compose: {sorted(set(documented) - used)}"
    lines = (DEPLOY / ".env.example").read_text().splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert any(lines[j].startswith("# ") for j in range(max(0, i - 3), i)), (
                f".env.example: {line.split('=')[0]} has no explanation above it")


def test_compose_environment_wires_real_settings_to_real_services(compose):
    env = _env_example()
    services = compose["services"]
    for name in ("api", "worker", "scheduler", "migrate"):
        variables = services[name]["environment"]
        unknown = {k for k in variables if k.startswith("IPGOV_")} - KNOWN_VARIABLES
        assert not unknown, f"{name} sets variables ipgov does not read: {unknown}"
        for key in ("IPGOV_APP_DATABASE_URL", "IPGOV_BROKER_URL", "IPGOV_OTLP_ENDPOINT",
                    "IPGOV_RATE_LIMIT_STORAGE"):
            url = urlsplit(_interpolate(variables[key], env))
            assert url.hostname in services, f"{name}: {key} points at {url.hostname}"
    assert "IPGOV_DATABASE_URL" in services["migrate"]["environment"]
    assert "IPGOV_DATABASE_URL" not in services["api"]["environment"], (
        "only the migration connects as the database owner")


def test_worker_stop_grace_period_exceeds_its_shutdown_timeout(compose):
    worker = compose["services"]["worker"]
    args = worker["command"]
    timeout_ms = int(args[args.index("--worker-shutdown-timeout") + 1])
    grace = re.fullmatch(r"(\d+)s", worker["stop_grace_period"])
    assert grace and int(grace.group(1)) * 1000 > timeout_ms
    assert worker["entrypoint"][-6:] == ["ipgov.reviews.entry", "--queues", "ipgov-reviews",
                                         "ipgov-jobs", "ipgov-events", "ipgov-notify"]


def test_collector_receives_otlp_http_where_ipgov_sends_it(compose):
    collector = compose["services"]["otel-collector"]
    mounted = collector["volumes"][0].split(":")[0]
    config = yaml.safe_load((DEPLOY / mounted).read_text())
    http = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    endpoint = compose["services"]["api"]["environment"]["IPGOV_OTLP_ENDPOINT"]
    assert http.rsplit(":", 1)[1] == str(urlsplit(endpoint).port)
    assert "otlp" in config["service"]["pipelines"]["traces"]["receivers"]


@pytest.mark.parametrize("name", ["compose.yaml", "otel-collector.yaml"])
def test_deploy_yaml_passes_yamllint(name):
    path = DEPLOY / name
    problems = list(linter.run(path.read_text(), YAMLLINT, str(path)))
    assert not problems, "\n".join(f"{name}:{p.line}:{p.column} {p.message}"
                                   for p in problems)


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` with ``env``."""
    def one(match: re.Match[str]) -> str:
        name, rest = match.group(1), match.group(0)[len(match.group(1)) + 2:-1]
        if env.get(name):
            return env[name]
        if rest.startswith(":-"):
            return rest[2:]
        pytest.fail(f"{name} is required but empty in .env.example")
    return VARIABLE.sub(one, value)
