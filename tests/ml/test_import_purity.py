import re
import subprocess
import sys
from pathlib import Path

ML = Path(__file__).resolve().parents[2] / "ml"


def test_importing_ml_does_not_import_django_or_tensorflow():
    code = (
        "import sys, ml, ml.data, ml.detect, ml.pipeline, ml.classify, ml.metrics, ml.video, ml.video_io,"
        " ml.tracking, ml.summary, ml.draw, ml.annotate_video, ml.predict;"
        "bad = [m for m in ('django', 'tensorflow', 'keras') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ML.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_under_ml_imports_django():
    pattern = re.compile(r"^\s*(import|from)\s+django\b", re.MULTILINE)
    offenders = [p.name for p in ML.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
