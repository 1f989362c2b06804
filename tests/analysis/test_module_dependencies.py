"""Dependencies point one way, checked on the import graph (imports inside functions count too):
jobs < media < {live, webhooks, ops} < collections < privacy < accounts, a lower layer never importing a
higher one;
only the task module imports the worker side, and nothing imports the task module."""

from pathlib import Path

import pytest

from tests.import_graph import REPO_ROOT, imported_modules, module_name

TASK_MODULE = "analysis.tasks"
# Each package's layer: a module may import its own layer's packages and lower ones, never higher.
LAYERS = {
    "analysis.jobs": 0,
    # What every request-facing package shares (client address, fail-open cache, limits, JSON errors).
    "analysis.web": 0,
    "analysis.media": 1,
    "analysis.live": 2,
    "analysis.webhooks": 2,
    "analysis.ops": 2,
    # Collections group items and send their own webhook event; privacy exports and erases them.
    "analysis.collections": 3,
    "analysis.privacy": 4,
    "accounts": 5,
}
# The app's wiring (models re-exported for Django, urls, admin, tasks, commands): above every layer.
WIRING = 6
# What only a worker runs; the task module is the one way in.
WORKER_MODULES = {
    "analysis.jobs.sweeper",
    "analysis.jobs.worker",
    "analysis.jobs.runner",
    "analysis.media.analyses",
    "analysis.media.annotating",
    "analysis.media.anonymizing",
    "analysis.live.worker",
    "analysis.privacy.account_export",
    "analysis.privacy.sweep",
    "analysis.webhooks.delivery",
}
# The runner is the worker side's own: the copy jobs (worker modules themselves) use it.
WORKER_SHARED = {"analysis.jobs.runner"}


def layer_of(module: str) -> int | None:
    """The layer of one of our modules; None for what is not ours to rank (Django, ml, fer_site)."""
    for package, layer in LAYERS.items():
        if module == package or module.startswith(package + "."):
            return layer
    if module.startswith("analysis.") or module == "analysis":
        return None if module == "analysis" else WIRING
    return None


def layer_violations(path: Path, root: Path = REPO_ROOT) -> set[str]:
    """The modules ``path`` imports from a higher layer than its own."""
    own = layer_of(module_name(path, root))
    if own is None or own == WIRING:
        return set()
    return {module for module in imported_modules(path, root) if (layer_of(module) or 0) > own}


def source_files() -> list[Path]:
    files = [*(REPO_ROOT / "analysis").rglob("*.py"), *(REPO_ROOT / "accounts").rglob("*.py")]
    return sorted(path for path in files if "migrations" not in path.parts)


def files_under(package: str) -> list[Path]:
    return [path for path in source_files() if module_name(path).startswith(package + ".")]


@pytest.mark.parametrize("path", source_files(), ids=module_name)
def test_no_module_imports_a_higher_layer(path):
    assert layer_violations(path) == set()


@pytest.mark.parametrize("path", source_files(), ids=module_name)
def test_no_module_but_the_task_module_imports_the_task_module(path):
    assert TASK_MODULE not in imported_modules(path)


@pytest.mark.parametrize("path", source_files(), ids=module_name)
def test_only_the_task_module_imports_the_worker_side(path):
    name = module_name(path)
    if name == TASK_MODULE:
        return
    allowed = WORKER_SHARED if name in WORKER_MODULES else set()
    assert imported_modules(path) & WORKER_MODULES <= allowed


def test_the_jobs_package_imports_no_sibling_package():
    siblings = {package for package in LAYERS if package.startswith("analysis.") and package != "analysis.jobs"}
    imported = {module for path in files_under("analysis.jobs") for module in imported_modules(path)}

    assert {module for module in imported for package in siblings if module.startswith(package)} == set()


def test_every_worker_module_exists():
    names = {module_name(path) for path in source_files()}

    assert WORKER_MODULES <= names


def test_no_top_level_module_in_analysis_is_named_with_a_feature_prefix():
    names = [path.stem for path in (REPO_ROOT / "analysis").glob("*.py")]

    assert [name for name in names if name.startswith(("webhook", "privacy", "live"))] == []


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    from analysis import tasks\n",
        "def f():\n    from ..tasks import annotate_clip_task\n",
        "import analysis.tasks\n",
        "from analysis.tasks import analyze_media_task\n",
    ],
)
def test_the_check_sees_every_way_of_importing_the_task_module(tmp_path, source):
    path = tmp_path / "analysis" / "media" / "example.py"
    path.parent.mkdir(parents=True)
    path.write_text(source)

    assert TASK_MODULE in imported_modules(path, root=tmp_path)


@pytest.mark.parametrize(
    ("where", "source", "higher"),
    [
        ("analysis/jobs/example.py", "from analysis.media.models import Media\n", "analysis.media.models"),
        ("analysis/media/example.py", "def f():\n    from analysis.privacy import services\n", "analysis.privacy"),
        ("analysis/media/example.py", "from ..webhooks import services\n", "analysis.webhooks"),
        ("analysis/webhooks/example.py", "import accounts.views\n", "accounts.views"),
        ("analysis/webhooks/example.py", "from analysis.collections import services\n", "analysis.collections"),
        ("analysis/collections/example.py", "from analysis.privacy import services\n", "analysis.privacy"),
        ("analysis/privacy/example.py", "from analysis import models\n", "analysis.models"),
    ],
)
def test_the_layer_check_sees_a_planted_import_of_a_higher_layer(tmp_path, where, source, higher):
    path = tmp_path / where
    path.parent.mkdir(parents=True)
    path.write_text(source)

    assert higher in layer_violations(path, root=tmp_path)


def test_the_layer_check_lets_a_higher_layer_import_a_lower_one(tmp_path):
    path = tmp_path / "analysis" / "privacy" / "example.py"
    path.parent.mkdir(parents=True)
    path.write_text("from analysis.media.models import Media\nfrom analysis.jobs import dispatch\n")

    assert layer_violations(path, root=tmp_path) == set()
