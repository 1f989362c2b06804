"""Shared set-up for benchmarks: one core, one thread, background training paused, one output helper.

Import this module first (``import _common``, as ``python bench/NAME.py`` puts bench/ on sys.path): it
sets the thread counts before NumPy or TensorFlow load and puts the repository root on sys.path, so that
a benchmark then imports ``bench.*``, ``tests.*`` and the project's packages.

Every benchmark takes its parser from :func:`parser` (which adds ``--json``) and records what it prints
in a :class:`Figures`: with ``--json``, stdout ends with one JSON line of those figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import statistics
import sys
import time
from pathlib import Path

for var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
):
    os.environ.setdefault(var, "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if str(Path(__file__).resolve().parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pin_to_one_core(core: int = 0) -> None:
    """Run this process on one core only (the same as ``taskset -c 0``)."""
    os.sched_setaffinity(0, {core})


def training_pids() -> list[int]:
    """PIDs of running ``python -m ml.training.*`` processes (not this one)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            with contextlib.suppress(OSError):
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
                if any(arg.startswith(b"ml.training") for arg in cmd):
                    pids.append(int(proc.name))
    return pids


@contextlib.contextmanager
def training_paused():
    """SIGSTOP any background training for the duration, SIGCONT it afterwards, whatever happens."""
    pids = training_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    if pids:
        print(f"# paused training processes {pids} for the benchmark", file=sys.stderr)
        time.sleep(0.5)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def timed(fn, repeats: int, warmup: int = 3) -> list[float]:
    """Wall seconds of ``repeats`` calls of fn(), after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p90_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1] * 1000 if len(samples) > 1 else samples[0] * 1000


def matmul_peak_gflops(n: int = 2048, repeats: int = 5) -> dict[str, float]:
    """Measured single-thread float32 matmul speed, GFLOP/s: best of a few n x n matmuls (2 n^3
    flops each) through NumPy's BLAS and through TensorFlow's oneDNN.

    Both, because either may lack the core's widest vector unit: the OpenBLAS in NumPy's wheel
    runs its AVX2 (Haswell) kernels on AVX-512 cores, which halves the apparent peak there.
    """
    import numpy as np

    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    b = np.random.default_rng(1).random((n, n), dtype=np.float32)
    speeds = {"numpy": 2 * n**3 / min(timed(lambda: a @ b, repeats, warmup=1)) / 1e9}

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    ta, tb = tf.constant(a), tf.constant(b)
    matmul = tf.function(tf.linalg.matmul)
    speeds["tensorflow"] = 2 * n**3 / min(timed(lambda: matmul(ta, tb).numpy(), repeats, warmup=1)) / 1e9
    return speeds


# --- Output ----------------------------------------------------------------------------------------


def parser(doc: str | None, **kwargs) -> argparse.ArgumentParser:
    """The benchmark's argument parser: described by the first line of ``doc``, with ``--json``."""
    p = argparse.ArgumentParser(description=doc.strip().splitlines()[0] if doc else None, **kwargs)
    p.add_argument("--json", action="store_true", help="end stdout with one JSON line of the figures")
    return p


def cpu_model() -> str:
    """The CPU's ``model name`` from /proc/cpuinfo (the machine type where there is none)."""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    import platform

    return platform.processor() or platform.machine()


def _plain(value):
    """JSON-ready: NumPy scalars as Python numbers, floats to 6 significant digits, NaN and infinities as
    null, containers recursed."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "item") and callable(value.item):  # NumPy scalar
        value = value.item()
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    return value


class Figures(dict):
    """What a benchmark measured, under stable keys, in plain units (``_ms``, ``_s``, ``_per_s``, ``_mb``,
    shares and ratios as fractions). Always holds ``benchmark``, ``cpu`` (the model name) and ``cores``
    (the cores this process may run on when the line is printed, unless the benchmark sets it).

    ``figures = Figures("classifier", enabled=args.json)``; ``figures["median_ms"] = ...`` or
    ``figures.section("served")["median_ms"] = ...`` for a nested group; ``figures.finish()`` last: it
    prints the one JSON line when enabled.
    """

    def __init__(self, benchmark: str, enabled: bool = True):
        super().__init__(benchmark=Path(benchmark).stem, cpu=cpu_model(), cores=None)
        self.enabled = enabled

    def section(self, *keys: str) -> dict:
        """The nested dict at ``keys`` (made when missing)."""
        node: dict = self
        for key in keys:
            node = node.setdefault(key, {})
        return node

    def line(self) -> str:
        if self["cores"] is None:
            self["cores"] = len(os.sched_getaffinity(0))
        return json.dumps(_plain(self), allow_nan=False)

    def finish(self) -> None:
        if self.enabled:
            print(self.line(), flush=True)
