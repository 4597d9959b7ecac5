"""The plugin guide keeps up with the code: every hook documented, tested and exemplified,
every question a partner asks answered with a runnable example, every public name described.

Modelled on datasette's ``tests/test_docs.py``: adding a hook to ``ipgov.plugins.hookspecs``
without a ``## <hook>`` section in ``docs/plugins.md``, or without a test that names it, fails.
The guide's Python blocks form a plugin package, ``acme_docket``: blocks whose first line names
a file (``# acme_docket/models.py``) are written as that file, every other block becomes a
module of the package, and a fresh interpreter imports them all.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ipgov.api
from ipgov.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"
THIS_FILE = Path(__file__).resolve()

PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
ANY_BLOCK = re.compile(r"^```[a-z]*\n.*?^```", re.MULTILINE | re.DOTALL)
HOOK_HEADING = re.compile(r"^## ([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
GUIDE_HEADING = re.compile(r"^## (.+)$", re.MULTILINE)
FILE_MARK = re.compile(r"^# (acme_docket/[\w/]+\.py)\n")
SINCE = re.compile(r"[Ss]ince (\d+)\.(\d+)")

# What a partner reading only the docs must find answered (issue 29 item 7), by heading start.
PARTNER_TOPICS = [
    "Packaging a plugin",  # versions/ shipped as package data
    "Enabling a plugin per tenant",
    "Tables: TenantScoped and naming conventions",
    "Migrations: a revision file",
    "Autogenerate",
    "Resolvers: the database, the caller, page sizes",
    "Connections and paginate",
    "Mutations: the errors payload",
    "Declaring permissions: requires, tenant getters, dotted paths",
    "Auditing writes",
    "Review checks: CheckContext, synchronous checks, title_zh, object_type, seed_ref",
    "Sessions outside GraphQL: hooks, routes and commands",
    "Absorption: rows that clash",
    "Running the contract tests against your plugin",
    "Command line: tenants, plugins and tokens",
]


def hook_specs() -> dict[str, object]:
    """Every function marked with ``hookspec`` in the spec module, by name."""
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    return {
        name: fn
        for name, fn in vars(hookspecs).items()
        if inspect.isfunction(fn) and hasattr(fn, marker)
    }


def hook_sections() -> dict[str, str]:
    """The text under each ``## <identifier>`` heading of the guide, by heading."""
    text = DOCS.read_text(encoding="utf-8")
    matches = list(HOOK_HEADING.finditer(text))
    sections = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        sections[match.group(1)] = text[match.end() : end]
    return sections


def signature_blocks() -> set[str]:
    """The first Python block of each hook section: the documented signature."""
    blocks = set()
    for body in hook_sections().values():
        first = PYTHON_BLOCK.search(body)
        if first:
            blocks.add(first.group(1))
    return blocks


def example_blocks() -> list[str]:
    """Every Python block of the guide except the signature blocks."""
    signatures = signature_blocks()
    return [
        block
        for block in PYTHON_BLOCK.findall(DOCS.read_text(encoding="utf-8"))
        if block not in signatures
    ]


def _normal(annotation: str) -> str:
    return ast.unparse(ast.parse(annotation, mode="eval"))


def _spec_signature(spec: object) -> tuple[list[tuple[str, str]], str]:
    signature = inspect.signature(spec)  # annotations are strings (postponed evaluation)
    params = [(p.name, _normal(p.annotation)) for p in signature.parameters.values()]
    return params, _normal(signature.return_annotation)


def _documented_signature(body: str) -> tuple[list[tuple[str, str]], str] | None:
    block = PYTHON_BLOCK.search(body)
    if block is None:
        return None
    line = block.group(1).strip()
    if "\n" in line or not line.startswith("def "):
        return None
    fn = ast.parse(line + ": ...").body[0]
    assert isinstance(fn, ast.FunctionDef)
    params = [(a.arg, ast.unparse(a.annotation) if a.annotation else "") for a in fn.args.args]
    return params, ast.unparse(fn.returns) if fn.returns else ""


def test_specs_are_found() -> None:
    assert len(hook_specs()) >= 10


@pytest.mark.parametrize("name", sorted(hook_specs()))
def test_hook_is_documented_with_its_signature(name: str) -> None:
    sections = hook_sections()
    assert name in sections, f"docs/plugins.md has no '## {name}' section"
    documented = _documented_signature(sections[name])
    assert documented is not None, (
        f"'## {name}' must start with a python block holding one line: def {name}(...) -> ..."
    )
    params, returns = _spec_signature(hook_specs()[name])
    assert [p for p, _ in documented[0]] == [p for p, _ in params], "parameter names differ"
    assert documented == (params, returns), "documented annotations differ from the spec"


def test_no_section_documents_a_hook_that_does_not_exist() -> None:
    unknown = sorted(set(hook_sections()) - set(hook_specs()))
    assert not unknown, f"docs/plugins.md documents hooks that are not specs: {unknown}"


def _other_test_sources() -> str:
    files = [
        path
        for path in sorted(TESTS.rglob("*.py"))
        if path.resolve() != THIS_FILE and "docs" not in path.name
    ]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_every_hook_is_exercised_by_a_test() -> None:
    sources = _other_test_sources()
    untested = [name for name in sorted(hook_specs()) if not re.search(rf"\b{name}\b", sources)]
    assert not untested, f"hooks no test under tests/ exercises: {', '.join(untested)}"


def test_examples_exist() -> None:
    assert len(example_blocks()) >= len(hook_specs())


@pytest.mark.parametrize("index", range(len(example_blocks())))
def test_example_compiles(index: int) -> None:
    compile(example_blocks()[index], f"docs/plugins.md example {index + 1}", "exec")


def _ipgov_imports() -> list[tuple[str, str]]:
    found = []
    for block in example_blocks():
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ipgov"):
                found.extend((node.module or "", alias.name) for alias in node.names)
            elif isinstance(node, ast.Import):
                found.extend(
                    (alias.name, "") for alias in node.names if alias.name.startswith("ipgov")
                )
    return found


def test_examples_import_only_the_public_module() -> None:
    private = sorted({module for module, _ in _ipgov_imports() if module != "ipgov.api"})
    assert not private, f"examples import ipgov modules other than ipgov.api: {private}"


def test_names_imported_from_the_public_module_exist() -> None:
    imported = {name for module, name in _ipgov_imports() if module == "ipgov.api"}
    assert imported, "no example imports from ipgov.api"
    missing = sorted(imported - set(ipgov.api.__all__))
    assert not missing, f"examples import names ipgov.api does not export: {missing}"


def _guide_sections() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    matches = list(GUIDE_HEADING.finditer(text))
    return {m.group(1).strip(): text[m.end():(n.start() if n else len(text))]
            for m, n in zip(matches, [*matches[1:], None], strict=True)}


@pytest.mark.parametrize("topic", PARTNER_TOPICS)
def test_every_partner_question_has_a_section_with_an_example(topic: str) -> None:
    sections = {title: body for title, body in _guide_sections().items()
                if title.startswith(topic)}
    assert sections, f"docs/plugins.md has no '## {topic}...' section"
    [body] = sections.values()
    assert ANY_BLOCK.search(body), f"'## {topic}' has no example block"


def test_every_public_name_is_described() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [n for n in ipgov.api.__all__ if f"`{n}`" not in text and f"`{n}(" not in text]
    assert not missing, f"names of ipgov.api that docs/plugins.md never describes: {missing}"


def test_names_the_docs_use_are_defined() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name in ("DocketSettings", "Deadline"):
        assert re.search(rf"^class {name}\(", text, re.MULTILINE), f"{name} used, never defined"


def test_version_labels_do_not_run_ahead_of_the_package() -> None:
    major, minor = (int(p) for p in importlib.metadata.version("ipgov").split(".")[:2])
    sources = {"docs/plugins.md": DOCS.read_text(encoding="utf-8"),
               "hookspecs.py": inspect.getsource(hookspecs),
               "contracts.py": (ROOT / "platform/ipgov/plugins/contracts.py").read_text()}
    ahead = [f"{where}: since {a}.{b}" for where, text in sources.items()
             for a, b in SINCE.findall(text) if (int(a), int(b)) > (major, minor)]
    assert not ahead, f"labels newer than ipgov {major}.{minor}: {ahead}"


def _docs_package(root: Path) -> list[str]:
    """Write the guide's blocks as the ``acme_docket`` package; the module names to import."""
    package = root / "acme_docket"
    package.mkdir()
    (package / "__init__.py").write_text('"""The guide\'s example plugin."""\n')
    modules = []
    for index, block in enumerate(example_blocks(), 1):
        mark = FILE_MARK.match(block)
        relative = mark.group(1) if mark else f"acme_docket/example_{index:02d}.py"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block, encoding="utf-8")
        modules.append(relative[:-3].replace("/", "."))
    return modules


RUNNER = """
import importlib, json, sys, traceback
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        failed[name] = traceback.format_exc(limit=3)
print(json.dumps(failed))
"""


def test_examples_run_as_one_plugin_package(tmp_path: Path) -> None:
    modules = _docs_package(tmp_path)
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(tmp_path), *[p for p in sys.path if p]])}
    result = subprocess.run([sys.executable, "-c", RUNNER, *modules], capture_output=True,
                            text=True, env=env, timeout=300, check=True)
    failed = json.loads(result.stdout.strip().splitlines()[-1])
    assert not failed, "\n".join(f"{name}:\n{trace}" for name, trace in failed.items())
