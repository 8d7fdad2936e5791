"""The layers of ``src/bouclier``, read from the import statements of its source (no import runs).

The core packages (banks, cases, likeness, notices, signals, hashing, index, media, storage) sit
below the presentation layers (the API, the web pages, the CLI) and never import them, so a store
can be used from any of them and tested without one; ``cases`` and ``likeness`` do not import each
other in a cycle. Every import counts, those inside functions included: a lazy import still ties
one package to the other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "bouclier"
PRESENTATION = ("bouclier.api", "bouclier.web", "bouclier.cli")
CORE = (
    "banks",
    "cases",
    "likeness",
    "notices",
    "signals",
    "hashing",
    "index",
    "media",
    "storage",
)


def module_name(path: Path) -> str:
    parts = ("bouclier", *path.relative_to(SOURCE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[str]:
    """Every module ``path`` imports; for ``from a import b``, both ``a`` and ``a.b`` (``b`` may
    be a module). Relative imports are resolved against the module's package."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


@cache
def imports() -> dict[str, frozenset[str]]:
    """Each module of ``src/bouclier`` and the ``bouclier`` modules it imports."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        found[module_name(path)] = frozenset(
            m for m in imported(path) if m == "bouclier" or m.startswith("bouclier.")
        )
    return found


def top_package(module: str) -> str | None:
    """``cases`` for ``bouclier.cases.store``; None for ``bouclier`` itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def package_graph() -> dict[str, set[str]]:
    """Which top-level packages (or modules) of bouclier import which others."""
    graph: dict[str, set[str]] = {}
    for module, targets in imports().items():
        source = top_package(module)
        if source is None:
            continue
        edges = graph.setdefault(source, set())
        edges.update(t for m in targets if (t := top_package(m)) is not None and t != source)
    return graph


def reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph.get(todo.pop(), set()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_import_reader_sees_every_kind_of_import() -> None:
    graph = imports()
    assert "bouclier.cases.store" in graph
    assert "bouclier.banks.store" in graph["bouclier.cases.store"]  # from a import b
    assert "bouclier.cases.credentials" in graph["bouclier.likeness.enrolments"]  # in a function
    assert "bouclier.web.common" in graph["bouclier.web.portal"]  # from bouclier.web import common


@pytest.mark.parametrize("package", CORE)
def test_core_packages_never_import_the_presentation_layers(package: str) -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in imports().items()
        if under(module, f"bouclier.{package}")
        for target in targets
        if any(under(target, layer) for layer in PRESENTATION)
    )
    assert wrong == []


@pytest.mark.parametrize("follower", ["bouclier.api", "bouclier.webhooks"])
def test_banks_never_import_their_followers(follower: str) -> None:
    """The API's matcher and the webhooks follow the banks' change log; the banks know neither."""
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in imports().items()
        if under(module, "bouclier.banks")
        for target in targets
        if under(target, follower)
    )
    assert wrong == []


def test_no_import_cycle_between_cases_and_likeness() -> None:
    graph = package_graph()
    assert not (reaches(graph, "cases", "likeness") and reaches(graph, "likeness", "cases"))


def test_the_stores_live_below_the_presentation_layers() -> None:
    """API keys, analysts' accounts and web sessions are stores, not pages or routes."""
    modules = imports()
    for moved in ("bouclier.api.keys", "bouclier.web.analysts"):
        assert moved not in modules
    for module in ("bouclier.accounts.api_keys", "bouclier.accounts.analysts"):
        assert module in modules
        assert not any(under(t, layer) for t in modules[module] for layer in PRESENTATION), module


@pytest.mark.parametrize("page", ["portal", "portal_entry", "common", "sessions", "headers"])
def test_the_portal_goes_through_the_stores_never_the_database(page: str) -> None:
    """The victim's pages read and write through the case store and the session store: no
    transaction, query or model of their own."""
    path = SOURCE / "web" / f"{page}.py"
    modules = set(imported(path))
    assert not any(under(m, "sqlalchemy") or under(m, "bouclier.storage") for m in modules)
    assert "transaction(" not in path.read_text(encoding="utf-8")
