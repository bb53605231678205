"""The matching and compat packages stay pure: no web, database or task-queue imports."""

from __future__ import annotations

import ast
from pathlib import Path

import worker.compat
import worker.matching

FORBIDDEN = ("flask", "sqlalchemy", "celery", "webapp")
PACKAGE = Path(worker.matching.__file__).parent
COMPAT = Path(worker.compat.__file__).parent  # the learned compatibility model (issue 15)


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _forbidden(name: str) -> bool:
    top = name.split(".")[0]
    return top in FORBIDDEN or top.startswith("flask_")


def test_no_module_imports_web_database_or_celery() -> None:
    modules = sorted(PACKAGE.rglob("*.py")) + sorted(COMPAT.rglob("*.py"))
    assert len(modules) > 5 and any(path.parent == COMPAT for path in modules)
    offenders = [
        f"{path.name}: {name}"
        for path in modules
        for name in _imported_modules(path)
        if _forbidden(name)
    ]
    assert offenders == []


def test_the_check_itself_catches_forbidden_imports() -> None:
    assert _forbidden("flask_login")
    assert _forbidden("sqlalchemy.orm")
    assert _forbidden("celery")
    assert _forbidden("webapp.models")
    assert not _forbidden("numpy")
