"""The layer contract of pyproject.toml ([tool.importlinter], docs/architecture.md) holds, and
`lint-imports` does fail when a lower layer imports a higher one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed (pip install -e .[test])")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the package under ``tree/src`` with the project's contract."""
    env = {"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([str(LINT_IMPORTS), str(tree / "pyproject.toml"), "--no-cache"],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=300)


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "src" / "computegrid", tmp_path / "src" / "computegrid",
                    ignore=shutil.ignore_patterns("__pycache__", "data", "static", "*.parquet", "*.gz"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layer_contract_is_kept(tmp_path):
    out = _lint(_copy(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    tree = _copy(tmp_path)
    results = tree / "src" / "computegrid" / "grid" / "results.py"
    # the model layer reaching up into the use cases
    results.write_text(results.read_text() + "\nfrom computegrid.services.plan import pipeline  # noqa\n")
    out = _lint(tree)
    assert out.returncode != 0
    assert "BROKEN" in out.stdout
    assert "computegrid.grid.results -> computegrid.services.plan.pipeline" in out.stdout


def test_sources_are_cited_in_the_code_not_as_a_file_outside_the_repository():
    package = ROOT / "src" / "computegrid"
    citing = [p.relative_to(package).as_posix() for p in package.rglob("*")
              if p.is_file() and p.suffix in (".py", ".yaml", ".csv", ".txt", ".md")
              and "REFERENCES" in p.read_text(encoding="utf-8", errors="ignore")]
    assert citing == []


def _docstring_code_lines(node) -> int:
    import ast

    first = node.body[0]
    doc = (first.end_lineno - first.lineno + 1) if (isinstance(first, ast.Expr) and isinstance(
        getattr(first, "value", None), ast.Constant) and isinstance(first.value.value, str)) else 0
    return node.end_lineno - node.lineno + 1 - doc


def test_long_functions_and_files_say_why():
    """No function has more than 60 lines of code (its numpydoc docstring not counted) and no module
    more than 400 lines, unless the docstring says why."""
    import ast

    package = ROOT / "src" / "computegrid"
    long_functions, long_files = [], []
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        if len(text.splitlines()) > 400 and "one model family" not in (ast.get_docstring(tree) or ""):
            long_files.append(path.relative_to(package).as_posix())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _docstring_code_lines(node) > 60:
                if "Longer than 60 lines" not in (ast.get_docstring(node) or ""):
                    long_functions.append(f"{path.relative_to(package).as_posix()}:{node.name}")
    assert long_files == []
    assert long_functions == []
