"""The package's shape: stages import downwards only, no import circles, no private names used
across modules, and one home for what is shared (one atomic_write)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "parbrief"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def test_stages_import_downwards_only_and_no_module_imports_a_circle():
    """import-linter's contracts in pyproject.toml: the layers of the stages and acyclic
    siblings inside each stage."""
    lint = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in out.stdout


def _private_uses(path: Path, modules: dict[str, Path]) -> list[str]:
    """``from parbrief.x import _name`` and ``module._name`` where ``module`` is a parbrief
    module imported under that name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("parbrief"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in modules:
                    aliases[alias.asname or alias.name] = full
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno}: from {node.module} import "
                                 f"{alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in aliases and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            found.append(f"{path.name}:{node.lineno}: {aliases[node.value.id]}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    modules = _modules()
    found = [use for path in modules.values() for use in _private_uses(path, modules)]
    assert found == []


def test_the_check_for_private_names_finds_one(tmp_path):
    """The check above can fail: a module reaching into another's private name is found."""
    module = tmp_path / "example.py"
    module.write_text("from parbrief.core import files\nfrom parbrief.core.files import _x\n"
                      "files._hidden()\n", encoding="utf-8")
    assert _private_uses(module, _modules()) == [
        "example.py:2: from parbrief.core.files import _x",
        "example.py:3: parbrief.core.files._hidden"]


def test_one_atomic_write():
    """Every write that must not be seen half-done goes through core.files.atomic_write."""
    defined = [f"{name}" for name, path in _modules().items()
               if "def atomic_write(" in path.read_text(encoding="utf-8")]
    assert defined == ["parbrief.core.files"]


def test_ruff_passes():
    """The lint rules of pyproject.toml hold for the package, the tests and the benchmarks."""
    ruff = Path(sys.executable).parent / "ruff"
    out = subprocess.run([str(ruff), "check", "src", "tests", "bench"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:]
