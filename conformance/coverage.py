"""Which tests verify which requirement, read from the suites' source (no import, no network):
for `langgraph-conformance explain` and the coverage statement."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

SUITES_DIR = Path(__file__).resolve().parent / "suites"


@lru_cache(maxsize=1)
def requirement_tests() -> dict[str, list[str]]:
    """{requirement id: ["test_03_auth.py::test_...", ...]} from `@pytest.mark.requirement(...)`."""
    found: dict[str, list[str]] = {}
    for path in sorted(SUITES_DIR.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test_"):
                continue
            for decorator in node.decorator_list:
                if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                        and decorator.func.attr == "requirement"):
                    for arg in decorator.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            found.setdefault(arg.value, []).append(f"{path.name}::{node.name}")
                        elif isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name):
                            for rid in _constant_tuple(tree, arg.value.id):
                                found.setdefault(rid, []).append(f"{path.name}::{node.name}")
    return found


def _constant_tuple(tree: ast.Module, name: str) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            if isinstance(node.value, (ast.Tuple, ast.List)):
                return [e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def tests_of(requirement: str) -> list[str]:
    return requirement_tests().get(requirement, [])
