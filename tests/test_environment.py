"""environment.yml (conda users) must list exactly what pyproject.toml declares, its extras
(test, lab) included."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return set(project["dependencies"]).union(*extras.values())


def _environment_requirements() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {r for r in pip if r != "-e ."}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    missing = _pyproject_requirements() - _environment_requirements()
    extra = _environment_requirements() - _pyproject_requirements()
    assert not missing, f"add to environment.yml: {sorted(missing)}"
    assert not extra, f"remove from environment.yml or add to pyproject.toml: {sorted(extra)}"


def test_environment_yml_pins_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
