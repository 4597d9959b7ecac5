"""The plugin guide keeps up with the hook specs: every hook documented, tested and exemplified.

Modelled on datasette's ``tests/test_docs.py``: adding a hook to ``ipgov.plugins.hookspecs``
without a ``## <hook>`` section in ``docs/plugins.md``, or without a test that names it, fails.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import ipgov.api
from ipgov.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"
THIS_FILE = Path(__file__).resolve()

PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
HOOK_HEADING = re.compile(r"^## ([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


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
