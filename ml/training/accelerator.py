"""The prepared accelerator run: pack here, train there in one call, finish here.

1. Here: ``python -m ml.training.accelerator pack`` writes ``.accel/`` (git-ignored): FER2013's
   training and validation faces as JPEG mosaics (quality 90: 31 MB, under the 64 MiB a device call
   carries with the work tree) with labels and FER+ votes, and the wheels the device lacks (Keras and two of
   its needs; the device has JAX but no TensorFlow or Keras).
2. There, one call of the device tool, ``carry: [".accel"]``, timeout 600 s::

     python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .accel/wheels/*.whl \\
       && PYTHONPATH=/tmp/site:. KERAS_BACKEND=jax python3 -m ml.training.accelerator train --out $OUT

   It trains the teachers side by side (one process each, sharing the GPU), scores their ensemble,
   distils the student from them, and leaves in ``$OUT`` at most 8 files: ``summary.json`` (every
   run's recipe, epochs, validation scores, history), ``log.txt``, ``student.npz`` and one
   ``teacher-<arch>-<seed>.npz`` each. Every stage is bounded by ``--budget`` seconds in all.

   Or two calls on the same machine, the second within the 30 s it stays warm: ``train --stage
   teachers --budget 520`` (the teachers get all of it, written to ``.accel-work/``, which the device
   keeps between calls because it is ignored and not carried), then ``train --stage student --budget
   240`` (ensemble and student from those teachers). The teachers get 1.65 times the time of one call
   for about 850 s of the session's 900. If the machine was given back in between, the second call
   finds no teachers and says so; the first call's ``$OUT`` still holds them.
3. Here: ``python -m ml.training.accelerator finish --results DIR --version NAME`` exports the student
   as int8 LiteRT (the parity check included), refits calibration and scores it on validation.

The same code runs on a CPU (slowly): ``tests/ml/training/test_accelerator_run.py`` runs all three
stages for one epoch on a few hundred faces.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / ".accel"
PACK_FILE = PACK_DIR / "fer2013-q90.npz"
# Git-ignored and never carried: the device keeps it between two calls on the same warm machine.
WORK_DIR = ROOT / ".accel-work"
# What the device lacks of Keras' needs (it has numpy, h5py, absl-py, rich, ml-dtypes, packaging).
WHEELS = ("keras", "namex", "optree")
DEFAULT_TEACHERS = "vgg:1,resnet:2,vgg:3"
MAX_RETURNED_FILES = 8
MAX_RETURNED_BYTES = 16 * 2**20
# The same top class on at least this share of validation faces, across backends and after export.
PARITY_REQUIRED = 0.999
TRAVEL_LIMIT = 64 * 2**20


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# Faces travel as JPEG mosaics of MOSAIC x MOSAIC faces: 48 is a multiple of JPEG's 8x8 blocks, so a
# grey mosaic decodes to exactly the pixels of one JPEG per face, without a header (tables, markers)
# for every face: 72% of the bytes (42.3 -> 30.7 MB at quality 90), which keeps the work tree, the
# faces and the wheels under what a device call carries.
MOSAIC = 16


def encode(faces: np.ndarray, quality: int) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (N,48,48) -> (the JPEG bytes of every mosaic as uint8 (M,), offsets int64 (mosaics + 1,))."""
    from PIL import Image

    blobs = []
    per = MOSAIC * MOSAIC
    for start in range(0, len(faces), per):
        tiles = np.zeros((per, *faces.shape[1:]), np.uint8)
        chunk = faces[start : start + per]
        tiles[: len(chunk)] = chunk
        buf = io.BytesIO()
        Image.fromarray(mosaic(tiles)).save(buf, "JPEG", quality=quality, optimize=True)
        blobs.append(buf.getvalue())
    offsets = np.cumsum([0, *map(len, blobs)]).astype(np.int64)
    return np.frombuffer(b"".join(blobs), np.uint8), offsets


def mosaic(tiles: np.ndarray) -> np.ndarray:
    """(MOSAIC**2, h, w) -> one (MOSAIC*h, MOSAIC*w) picture, row by row."""
    _, h, w = tiles.shape
    return tiles.reshape(MOSAIC, MOSAIC, h, w).transpose(0, 2, 1, 3).reshape(MOSAIC * h, MOSAIC * w)


def tiles_of(picture: np.ndarray, size: int) -> np.ndarray:
    """The inverse of ``mosaic``."""
    return picture.reshape(MOSAIC, size, MOSAIC, size).transpose(0, 2, 1, 3).reshape(-1, size, size)


def decode(blob: np.ndarray, offsets: np.ndarray, count: int, size: int = 48) -> np.ndarray:
    """The first ``count`` faces of the mosaics ``encode`` wrote."""
    from PIL import Image

    raw = blob.tobytes()
    parts = [
        tiles_of(np.asarray(Image.open(io.BytesIO(raw[a:b])).convert("L")), size)
        for a, b in zip(offsets[:-1], offsets[1:])
    ]
    return np.concatenate(parts)[:count].astype(np.uint8)


def pack(data: str | None, out: Path, quality: int = 90, limit: int | None = None) -> dict[str, Any]:
    """Write the faces of FER2013's training and validation splits, as JPEG, with labels and votes."""
    from ml.evaluation import fer2013

    arrays: dict[str, np.ndarray] = {"quality": np.array(quality)}
    for split in ("train", "val"):
        x, y = fer2013.load_split(data, split)
        votes = fer2013.load_votes(data, split)
        if votes is None:
            votes = np.full((len(y), 10), -1, np.int8)
        if limit:
            x, y, votes = x[:limit], y[:limit], votes[:limit]
        arrays[f"jpeg_{split}"], arrays[f"offsets_{split}"] = encode(x, quality)
        arrays[f"y_{split}"], arrays[f"votes_{split}"] = y.astype(np.uint8), votes.astype(np.int8)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, **arrays)  # type: ignore[arg-type]  # numpy's stub: ** fills allow_pickle
    return {"file": str(out), "bytes": out.stat().st_size, "train": len(arrays["y_train"]), "val": len(arrays["y_val"])}


def load_pack(path: Path, splits: Sequence[str] = ("train", "val")) -> dict[str, np.ndarray]:
    """The packed faces of ``splits`` decoded: ``x_<split>``, ``y_<split>`` (int64), ``votes_<split>``."""
    with np.load(path, allow_pickle=False) as npz:
        out = {}
        for split in splits:
            count = len(npz[f"y_{split}"])
            out[f"x_{split}"] = decode(npz[f"jpeg_{split}"], npz[f"offsets_{split}"], count)
            out[f"y_{split}"] = npz[f"y_{split}"].astype(np.int64)
            out[f"votes_{split}"] = npz[f"votes_{split}"]
    return out


def travelling_bytes(extra: Path) -> int:
    """What a device call would carry: the work tree's tracked and untracked-not-ignored files plus ``extra``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True
    ).stdout.split(b"\0")
    tree = sum((ROOT / name.decode()).stat().st_size for name in listed if name and (ROOT / name.decode()).is_file())
    return tree + sum(p.stat().st_size for p in extra.rglob("*") if p.is_file())


def download_wheels(folder: Path) -> list[str]:
    """The wheels for the device's Python 3.12 (versions as installed here), by pip download."""
    from importlib.metadata import version

    folder.mkdir(parents=True, exist_ok=True)
    platforms = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "-q",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.12",
    ]
    cmd += ["--implementation", "cp", *[f"--platform={p}" for p in platforms], "-d", str(folder)]
    subprocess.run([*cmd, *[f"{name}=={version(name)}" for name in WHEELS]], check=True)
    return sorted(p.name for p in folder.glob("*.whl"))


def child_env(memory_share: float) -> dict[str, str]:
    env = dict(os.environ, KERAS_BACKEND="jax", PYTHONUNBUFFERED="1")
    # Several processes share one GPU: each takes what it needs, up to its share.
    env.update(XLA_PYTHON_CLIENT_PREALLOCATE="false", XLA_PYTHON_CLIENT_MEM_FRACTION=f"{memory_share:.2f}")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def distill_cmd(role: str, data: Path, out: Path, extra: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "ml.training.distill", role, "--data", str(data), "--out", str(out), *extra]


def run_all(procs: list[tuple[str, list[str], Path]], memory_share: float, timeout: float) -> dict[str, int]:
    """Start every command at once (each logging to its file), wait for all; exit codes by name."""
    running = []
    for name, cmd, logfile in procs:
        log(f"start {name}: {' '.join(cmd[2:])}")
        handle = logfile.open("w")
        running.append(
            (name, subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, env=child_env(memory_share)), handle)
        )
    codes = {}
    deadline = time.monotonic() + timeout
    for name, proc, handle in running:
        try:
            codes[name] = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes[name] = proc.wait()
        handle.close()
        log(f"{name} ended with exit code {codes[name]}")
    return codes


def train_all(args: argparse.Namespace) -> int:
    """Teachers side by side, their ensemble, then the student; results in ``args.out``.

    ``--stage teachers`` gives the teachers the whole budget and stops; ``--stage student`` takes the
    teachers already in ``--work`` (a second call on the same warm machine) for the ensemble and the
    student. Two calls give the teachers nearly twice the time one 10-minute call allows."""
    t0 = time.monotonic()
    out, work, data = Path(args.out), Path(args.work), Path(args.data)
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    specs = [s.split(":") for s in args.teachers.split(",") if s]
    common = ["--epochs", str(args.epochs)] + (["--limit", str(args.limit)] if args.limit else [])
    usable = args.budget - args.reserve

    def folder_of(arch: str, seed: str) -> Path:
        return work / f"teacher-{arch}-{seed}"

    def start_teachers(which: list[list[str]], budget: float, precision: list[str]) -> dict[str, int]:
        procs = []
        for arch, seed in which:
            folder = folder_of(arch, seed)
            extra = ["--arch", arch, "--seed", seed, "--budget", f"{budget:.0f}", *common, *precision]
            procs.append((folder.name, distill_cmd("teacher", data, folder, extra), work / f"{folder.name}.log"))
        return run_all(procs, min(0.9 / max(1, len(procs)), 0.45), budget + 120)

    precision: list[str] = []
    if args.stage == "student":
        teachers = [folder_of(*spec) for spec in specs if (folder_of(*spec) / "weights.npz").exists()]
        if not teachers:
            log(f"no trained teachers in {work}: run --stage teachers first, on the same machine")
        if any(json.loads((t / "run.json").read_text())["precision"] == "float32" for t in teachers):
            precision = ["--precision", "float32"]  # they had to fall back: so will the student
    else:
        teacher_budget = usable * (args.teacher_share if args.stage == "all" else 1.0)
        codes = start_teachers(specs, teacher_budget, precision)
        failed = [spec for spec in specs if codes[folder_of(*spec).name] != 0]
        left = teacher_budget - (time.monotonic() - t0)
        if failed and left > teacher_budget / 2:
            # Failed early (bfloat16 unsupported, say): once more in float32 with the time that is left.
            log(f"{len(failed)} teacher(s) failed after {teacher_budget - left:.0f} s: again in float32")
            precision = ["--precision", "float32"]
            codes.update(start_teachers(failed, left, precision))
        teachers = [work / name for name, code in codes.items() if code == 0 and (work / name / "weights.npz").exists()]
    if args.stage == "teachers":
        collect(work, out, time.monotonic() - t0)
        return 0 if teachers else 1
    if teachers:
        ens = [
            (
                "ensemble",
                distill_cmd("ensemble", data, work / "ensemble", ["--teachers", *map(str, teachers)]),
                work / "ensemble.log",
            )
        ]
        run_all(ens, 0.9, 120)
        student_budget = usable - (time.monotonic() - t0)
        if student_budget > 30:
            extra = ["--arch", args.student, "--seed", "1", "--budget", f"{student_budget:.0f}", *common, *precision]
            extra += ["--teachers", *map(str, teachers)]
            student = [("student", distill_cmd("student", data, work / "student", extra), work / "student.log")]
            run_all(student, 0.9, student_budget + 90)
        else:
            log(f"no time left for the student ({student_budget:.0f} s)")
    return collect(work, out, time.monotonic() - t0)


def collect(work: Path, out: Path, seconds: float) -> int:
    """At most 8 files of 16 MiB into ``out``: summary.json, log.txt, the student's and teachers' weights."""
    summary: dict[str, Any] = {"seconds": round(seconds, 1), "runs": {}}
    for run in sorted(work.glob("*/run.json")):
        entry = json.loads(run.read_text())
        entry["history"] = (run.parent / "history.csv").read_text() if (run.parent / "history.csv").exists() else ""
        summary["runs"][run.parent.name] = entry
    if (work / "ensemble" / "ensemble.json").exists():
        summary["ensemble"] = json.loads((work / "ensemble" / "ensemble.json").read_text())
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    with (out / "log.txt").open("w") as f:
        for part in sorted(work.glob("*.log")):
            f.write(f"==> {part.name}\n{part.read_text()[-200_000:]}\n")
    returned = 2
    ordered = sorted(work.glob("*/weights.npz"), key=lambda p: p.parent.name != "student")
    for weights in ordered:
        size = weights.stat().st_size
        if returned >= MAX_RETURNED_FILES or size > MAX_RETURNED_BYTES:
            log(f"not returned: {weights} ({size} bytes)")
            continue
        shutil.copy(weights, out / f"{weights.parent.name}.npz")
        returned += 1
    log(f"done in {seconds:.0f} s: {sorted(p.name for p in out.iterdir())}")
    return 0 if (work / "student" / "weights.npz").exists() else 1


def backend_parity(results: Path, arch: str, pack_file: Path) -> dict[str, float]:
    """How closely the network rebuilt here (TensorFlow) from the returned float16 weights reproduces
    the probabilities the training backend (JAX) computed from the same weights on the same validation
    faces: top-1 agreement and the largest difference of a probability."""
    from ml.faces import to_model_input
    from ml.training import model as models

    run = json.loads((results / "summary.json").read_text())["runs"]["student"]
    trained = np.asarray(run["val_probabilities"], np.float32)
    faces = load_pack(pack_file, ("val",))["x_val"][: len(trained)]
    net = models.build(arch)
    models.load_compact(net, results / "student.npz")
    here = net.predict(to_model_input(faces), batch_size=256, verbose=0)
    return {
        "top1_agreement": float((here.argmax(1) == trained.argmax(1)).mean()),
        "max_abs_difference": float(np.abs(here - trained).max()),
        "faces": len(trained),
    }


def finish(args: argparse.Namespace) -> int:
    """Check the returned student computes here what it computed there, export it as the served model,
    refit calibration, score it (subprocesses: each step reads the served manifest afresh)."""
    results = Path(args.results)
    parity = backend_parity(results, args.arch, Path(args.pack))
    log(f"JAX -> TensorFlow: {parity}")
    if parity["top1_agreement"] < PARITY_REQUIRED:
        raise SystemExit(f"the rebuilt network disagrees with the trained one: {parity}")
    weights = str(results / "student.npz")
    steps = [
        ["ml.training.export", "--weights", weights, "--arch", args.arch, "--version", args.version],
        ["ml.training.calibrate", "--write"],
        ["ml.evaluate", "--split", "val", "--json"],
    ]
    if args.data:
        steps = [[*step, "--data", args.data] for step in steps]
    for step in steps:
        log(f"python -m {' '.join(step)}")
        subprocess.run([sys.executable, "-m", *step], check=True, cwd=ROOT)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.training.accelerator", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    pk = sub.add_parser("pack", help="faces and wheels into .accel/ (here)")
    pk.add_argument("--data", help="FER2013 npz (default $FER_DATA or ../shared/data/fer2013.npz)")
    pk.add_argument("--out", default=str(PACK_FILE))
    pk.add_argument("--quality", type=int, default=90)
    pk.add_argument("--limit", type=int, help="only the first N faces of each split (tests)")
    pk.add_argument("--no-wheels", action="store_true")
    tr = sub.add_parser("train", help="teachers, ensemble, student (on the accelerator)")
    tr.add_argument("--data", default=str(PACK_FILE))
    tr.add_argument("--out", required=True, help="where the results go ($OUT on the device)")
    tr.add_argument("--work", default=str(WORK_DIR), help="folder for every run (kept between calls)")
    tr.add_argument(
        "--stage",
        choices=["all", "teachers", "student"],
        default="all",
        help="everything in one call, or the teachers in one call and the student in the next",
    )
    tr.add_argument("--budget", type=float, default=540, help="seconds for everything, start to results")
    tr.add_argument("--reserve", type=float, default=45, help="seconds kept for start-up, ensemble and collection")
    tr.add_argument("--teacher-share", type=float, default=0.58, help="share of the budget for the teachers")
    tr.add_argument("--teachers", default=DEFAULT_TEACHERS, help="arch:seed,... trained side by side")
    tr.add_argument("--student", default="student")
    # 300: the VGG teachers ran 1.5 s an epoch three side by side, so the two-call plan's 520 s would end
    # their schedules at 200 epochs (about 350 s) and leave the rest of the budget unused.
    tr.add_argument("--epochs", type=int, default=300, help="at most, per run")
    tr.add_argument("--limit", type=int, help="only the first N training faces (tests)")
    fi = sub.add_parser("finish", help="export, calibrate and score the returned student (here)")
    fi.add_argument("--results", required=True, help="folder holding student.npz")
    fi.add_argument("--version", required=True)
    fi.add_argument("--arch", default="student")
    fi.add_argument("--data", help="FER2013 npz for the export's parity check, calibration and scoring")
    fi.add_argument("--pack", default=str(PACK_FILE), help="the packed faces the run trained on")
    args = p.parse_args(argv)
    if args.command == "pack":
        info = pack(args.data, Path(args.out), args.quality, args.limit)
        if not args.no_wheels:
            info["wheels"] = download_wheels(Path(args.out).parent / "wheels")
        info["travelling_bytes"] = travelling_bytes(Path(args.out).parent)
        print(json.dumps(info))
        if info["travelling_bytes"] > TRAVEL_LIMIT:
            # The device tool would refuse the call: say so now, before anyone waits for a machine.
            log(f"the work tree and {Path(args.out).parent} exceed what a device call carries (64 MiB)")
            return 1
        return 0
    if args.command == "train":
        return train_all(args)
    return finish(args)


if __name__ == "__main__":
    sys.exit(main())
