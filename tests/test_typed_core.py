"""No public function returns an untyped `dict[str, Any]` across a module boundary (issue 10).

The package is read with `ast`: every public function or method whose return annotation mentions
`dict[str, Any]` — directly or through a module-level alias such as `Record = dict[str, Any]`, defined
in the module or imported from another — must be in `ALLOWED` below, with the reason it is still loose.
A new one fails the test; an entry that no longer matches a loose function must be removed, so the list
only shrinks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from alliances.schemas import AllianceFilters
from alliances.store.db import Database

PACKAGE = Path(__file__).resolve().parents[1] / "alliances"
LOOSE = re.compile(r"\bdict\[str, Any\]")

# JSON documents handed on unchanged (Plotly.js objects): an alias that says so is the honest type.
JSON_ALIASES = {"alliances.web.charts.PlotlyJson"}

ALLOWED: dict[str, str] = {
    # empty: every public function returns a model, a TypedDict or a precise type (issue 10)
}


def _module(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _aliases(tree: ast.Module) -> set[str]:
    """Module-level names bound to a type that mentions dict[str, Any] (`Record = dict[str, Any]`)."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            target, value = node.target.id, node.value
        else:
            continue
        if LOOSE.search(ast.unparse(value)):
            names.add(target)
    return names


def _public_functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Module functions and methods of module classes whose names do not start with `_`."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("_"):
                    found.append((f"{node.name}.{item.name}", item))
    return found


def loose_functions(sources: dict[str, str]) -> set[str]:
    """`module.function` of every public function returning dict[str, Any], from module name -> source."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    aliases = {name: _aliases(tree) for name, tree in trees.items()}
    found = set()
    for name, tree in trees.items():
        local = {a for a in aliases[name] if f"{name}.{a}" not in JSON_ALIASES}
        for node in tree.body:  # aliases imported from another module of the package
            if isinstance(node, ast.ImportFrom) and node.module in aliases:
                for imported in node.names:
                    qualified = f"{node.module}.{imported.name}"
                    if imported.name in aliases[node.module] and qualified not in JSON_ALIASES:
                        local.add(imported.asname or imported.name)
        for qualname, func in _public_functions(tree):
            if func.returns is None:
                continue
            returns = ast.unparse(func.returns)
            named = set(re.findall(r"\b\w+\b", returns))
            if LOOSE.search(returns) or named & local:
                found.add(f"{name}.{qualname}")
    return found


def package_sources() -> dict[str, str]:
    return {_module(p, PACKAGE): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_new_function_returns_an_untyped_dict() -> None:
    new = sorted(loose_functions(package_sources()) - set(ALLOWED))
    assert not new, (
        "these public functions return dict[str, Any]; return a pydantic model (alliances/schemas.py or "
        f"a schemas module next to the capability) or a TypedDict for JSON passed through: {new}"
    )


def test_allow_list_only_names_functions_still_loose() -> None:
    stale = sorted(set(ALLOWED) - loose_functions(package_sources()))
    assert not stale, f"typed now (or gone): remove them from ALLOWED in tests/test_typed_core.py: {stale}"


def test_the_walk_sees_direct_nested_and_aliased_returns() -> None:
    sources = {
        "pkg.types": "from typing import Any\nRecord = dict[str, Any]\n",
        "pkg.store": (
            "from typing import Any, Iterator\n"
            "from pkg.types import Record\n"
            "def rows() -> list[dict[str, Any]]: ...\n"
            "def one() -> Record: ...\n"
            "def many() -> Iterator[tuple[str, Record]]: ...\n"
            "def _private() -> dict[str, Any]: ...\n"
            "def typed() -> dict[str, int]: ...\n"
            "class Repo:\n"
            "    def get(self) -> dict[str, Any]: ...\n"
        ),
    }
    assert loose_functions(sources) == {
        "pkg.store.rows",
        "pkg.store.one",
        "pkg.store.many",
        "pkg.store.Repo.get",
    }


def test_models_replace_the_dicts_of_the_review_queue_and_maturity() -> None:
    """Spot-check the conversions: these return models now, read by attribute in CLI and pages."""
    from typing import get_type_hints

    from alliances.maturity import service
    from alliances.maturity.schemas import Assessment
    from alliances.schemas import Accepted, CandidatePublic, CandidateSummaryPage
    from alliances.store import candidates, maturity

    assert get_type_hints(candidates.candidate_page)["return"] is CandidateSummaryPage
    assert get_type_hints(candidates.show_candidate)["return"] is CandidatePublic
    assert get_type_hints(candidates.accept_candidate)["return"] is Accepted
    assert get_type_hints(maturity.get_assessment)["return"] is Assessment
    assert get_type_hints(service.results)["return"] is service.Results


def test_built_records_are_what_model_construct_makes(bundled_db: Database) -> None:
    """`store.queries.built` (the fast construction of page rows) gives the very object
    `model_construct` gives: same fields, same defaults, same set fields, same dump."""
    from alliances.schemas import AllianceSummary, Amount, PartyPublic, SummarySource
    from alliances.store.queries import built, list_alliances

    with bundled_db.session() as s:
        page = list_alliances(s, AllianceFilters(per_page=50))
    checked = 0
    for summary in page.items:
        for model, record in [(AllianceSummary, summary), *((PartyPublic, p) for p in summary.parties)]:
            values = {name: getattr(record, name) for name in record.model_fields_set}
            slow, fast = model.model_construct(**values), built(model, **values)
            assert fast.__dict__ == slow.__dict__ and fast.model_fields_set == slow.model_fields_set
            assert fast.model_dump() == slow.model_dump() and fast == slow
            checked += 1
    for model, values in [
        (Amount, {"value": 1.5, "currency": "EUR", "kind": None}),
        (SummarySource, {"url": None, "title": "T", "path": None}),
        (PartyPublic, {"id": 1, "name": "A"}),  # defaults filled as model_construct fills them
    ]:
        assert built(model, **values).__dict__ == model.model_construct(**values).__dict__
    assert checked > 100
