"""environment.yml (conda users) lists exactly what pyproject.toml declares, and
requirements.lock (what `make` installs, each file checked against its sha256) pins every
one of them within its range; the venv the tests run in holds exactly the locked versions."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements() -> set[str]:
    """What pip installs in the conda environment: the dependencies and every extra but
    ``quarto`` (conda-forge ships Quarto itself; PyPI's quarto-cli downloads it)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = {k: v for k, v in project["optional-dependencies"].items() if k != "quarto"}
    return set(project["dependencies"]).union(*extras.values())


def test_environment_yml_installs_quarto_from_conda_forge():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert any(d == "quarto" or d.startswith("quarto") for d in conda)


def _environment_requirements() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return {r for r in pip if r != "-e ."}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    missing = _pyproject_requirements() - _environment_requirements()
    extra = _environment_requirements() - _pyproject_requirements()
    assert not missing, f"add to environment.yml: {sorted(missing)}"
    assert not extra, f"remove from environment.yml or add to pyproject.toml: {sorted(extra)}"


def _locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {canonicalize_name(m.group(1)): m.group(2)
            for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, re.MULTILINE)}


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in
            project["dependencies"] + extras["test"] + extras.get("lab", [])]


def test_the_lock_pins_every_declared_dependency_within_its_range():
    locked = _locked()
    assert len(locked) > 100
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is declared but not locked: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), \
            f"{name} {locked[name]} is outside {requirement}: run make lock"
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.findall(r"^[A-Za-z0-9_.\-]+==.*?(?=^[A-Za-z0-9_.\-]+==|\Z)", text,
                         re.MULTILINE | re.DOTALL)
    assert all("--hash=sha256:" in entry for entry in entries)


def test_the_tests_run_with_exactly_the_locked_versions():
    locked = _locked()
    different = {name: (version, metadata.version(name)) for name, version in locked.items()
                 if metadata.version(name) != version}
    assert different == {}, "the venv differs from requirements.lock: make setup"


def test_environment_yml_pins_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
