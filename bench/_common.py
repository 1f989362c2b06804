"""Shared set-up for benchmarks: one core, one thread, background training paused.

Import this module first: it sets the thread counts before NumPy or TensorFlow load.
"""

from __future__ import annotations

import contextlib
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
