"""Dependencies point one way: nothing imports the task module, and only it imports the worker side."""

import ast
from pathlib import Path

import pytest

from tests.celery_worker import REPO_ROOT

TASK_MODULE = "analysis.tasks"
# What only a worker runs; the task module is the one way in.
WORKER_MODULES = {
    "analysis.analyses",
    "analysis.annotating",
    "analysis.anonymizing",
    "analysis.exporting",
    "analysis.sweeper",
    "analysis.live_frames",
    "analysis.webhook_delivery",
}


def module_name(path: Path, root: Path = REPO_ROOT) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def imported_modules(path: Path, root: Path = REPO_ROOT) -> set[str]:
    """Every module a file imports, at any depth (inside functions too), relative imports resolved."""
    package = module_name(path, root).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            # `from analysis import tasks` imports analysis.tasks too.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def analysis_files() -> list[Path]:
    return sorted(path for path in (REPO_ROOT / "analysis").rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("path", analysis_files(), ids=module_name)
def test_no_module_but_the_task_module_imports_the_task_module(path):
    assert TASK_MODULE not in imported_modules(path)


@pytest.mark.parametrize("path", analysis_files(), ids=module_name)
def test_only_the_task_module_imports_the_worker_side(path):
    if module_name(path) != TASK_MODULE:
        assert not imported_modules(path) & WORKER_MODULES


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    from analysis import tasks\n",
        "def f():\n    from .tasks import annotate_clip_task\n",
        "import analysis.tasks\n",
        "from analysis.tasks import analyze_media_task\n",
    ],
)
def test_the_check_sees_every_way_of_importing_the_task_module(tmp_path, source):
    path = tmp_path / "analysis" / "example.py"
    path.parent.mkdir()
    path.write_text(source)

    assert TASK_MODULE in imported_modules(path, root=tmp_path)


def test_no_module_in_analysis_is_over_400_lines():
    lengths = {module_name(path): len(path.read_text().splitlines()) for path in analysis_files()}

    assert {name: n for name, n in lengths.items() if n > 400} == {}
