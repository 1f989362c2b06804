"""Serving stays light: what web and worker machines run never reaches training, TensorFlow, Keras,
matplotlib or Django, whether imported at module level or inside a function, directly or through
other modules."""

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.import_graph import REPO_ROOT as ROOT
from tests.import_graph import imported_modules as imports_of
from tests.import_graph import module_name

HEAVY = ("tensorflow", "keras", "matplotlib")
# Where TensorFlow, Keras and matplotlib may be imported (the "training side").
TRAINING_SIDE = ("ml.training", "ml.experiments", "bench", "tests")


@cache
def project_modules(root: Path = ROOT) -> dict[str, Path]:
    skip = {".venv", "node_modules", "migrations", ".git"}
    return {module_name(p, root): p for p in root.rglob("*.py") if not skip & set(p.relative_to(root).parts)}


def reachable(start: str, modules: dict[str, Path], root: Path = ROOT) -> set[str]:
    """Every module reachable from ``start`` through imports (project modules are followed, with their
    parent packages; outside modules are recorded, not followed)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in modules:
            for imported in imports_of(modules[name], root):
                parts = imported.split(".")
                todo.extend(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return seen


def on_training_side(name: str) -> bool:
    return any(name == side or name.startswith(side + ".") for side in TRAINING_SIDE)


def serving_modules() -> list[str]:
    """ml/'s own modules (its subpackages hold training, evaluation and experiments)."""
    return sorted(n for n, path in project_modules().items() if path.parent == ROOT / "ml")


def platform_and_evaluation_modules() -> list[str]:
    return sorted(n for n in project_modules() if not on_training_side(n))


def heavy(names: set[str]) -> set[str]:
    return {n for n in names if n.split(".")[0] in HEAVY}


@pytest.mark.parametrize("name", serving_modules())
def test_serving_never_reaches_training_or_django(name):
    found = reachable(name, project_modules())

    assert {n for n in found if on_training_side(n) or n.split(".")[0] == "django"} == set()


@pytest.mark.parametrize("name", platform_and_evaluation_modules())
def test_nothing_outside_training_reaches_tensorflow_keras_or_matplotlib(name):
    assert heavy(reachable(name, project_modules())) == set()


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    import tensorflow as tf\n",
        "from keras import layers\n",
        "def f():\n    from ml.training import model\n",
        "from .helper import g\n",
    ],
)
def test_the_check_sees_nested_relative_and_indirect_imports(tmp_path, source):
    (tmp_path / "ml" / "training").mkdir(parents=True)
    (tmp_path / "ml" / "__init__.py").write_text("")
    (tmp_path / "ml" / "training" / "__init__.py").write_text("")
    (tmp_path / "ml" / "training" / "model.py").write_text("import keras\n")
    (tmp_path / "ml" / "helper.py").write_text("def g():\n    import matplotlib\n")
    (tmp_path / "ml" / "serving.py").write_text(source)
    modules = project_modules.__wrapped__(tmp_path)

    assert heavy(reachable("ml.serving", modules, tmp_path))


def test_importing_every_serving_module_loads_no_django_tensorflow_or_training():
    code = (
        "import importlib, sys;"
        f"[importlib.import_module(m) for m in {serving_modules()!r}];"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'tensorflow', 'keras', 'matplotlib')"
        " or m.startswith('ml.training')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
