"""Clip analysis speed and memory on one pinned core: ``python bench/video.py``.

Test clips are made here, never downloaded. Each frame is skimage's ``coffee()`` photo (public domain)
scaled to the frame as a still background, with two heads from skimage's ``astronaut()`` (public
domain), 1/4 of the frame high, moving on crossing diagonals. Frames are encoded with PyAV's
libx264 (H.264 High, yuv420p, preset "medium", CRF 23, keyframe every 250 frames, MP4), as a phone
or screen recorder would; the 10-minute memory clip uses preset "ultrafast" only to be quick to make.

What is timed is what the worker runs per clip: ``ml.video.analyze_video`` (decode every frame,
sample, detect, classify in batches, track) together with the browser-playable copy (these H.264
clips are copied without encoding, ``ml.annotate_video.remux``), and analysis alone beside it.
Speed is clip duration / wall time. Memory is the peak RSS of a fresh process analysing a
30-second and a 10-minute clip.

Pinned to core 0 with one thread everywhere. ``--pause-training`` stops a background ``ml.training``
while it runs (off by default: the figures are then taken beside niced training).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)
import numpy as np

HERE = Path(__file__).resolve().parent


def make_clip(path: Path, width: int, height: int, seconds: float, fps: int = 30, preset: str = "medium") -> Path:
    import av
    import cv2
    from skimage import data

    background = cv2.resize(data.coffee(), (width, height), interpolation=cv2.INTER_AREA)
    side = height // 4
    head = cv2.resize(data.astronaut()[20:240, 120:300], (round(side * 180 / 220), side), interpolation=cv2.INTER_AREA)
    hh, hw = head.shape[:2]
    frames = round(seconds * fps)
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": preset, "crf": "23", "g": "250"}
        for i in range(frames):
            # Back and forth every 10 s, so long clips keep faces moving across the frame.
            t = (i / fps % 20) / 10
            t = t if t <= 1 else 2 - t
            frame = background.copy()
            for (x0, y0), (x1, y1) in (((0, 0), (width - hw, height - hh)), ((width - hw, 0), (0, height - hh))):
                x, y = round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t)
                frame[y : y + hh, x : x + hw] = head
            video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
            video_frame.pts = i
            for packet in stream.encode(video_frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def run_once(path: Path, sample_fps: float | None, playable: bool) -> dict:
    """Analyse ``path`` as the worker does; returns seconds, rows and people."""
    from ml import video
    from ml.annotate_video import Mp4Writer, plays_in_browsers, remux
    from ml.summary import Summary
    from ml.video_io import probe

    info = probe(path)
    summary, rows = Summary(), 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        # As the worker: an H.264 clip is copied into the player's MP4, anything else encoded.
        copy = playable and plays_in_browsers(path)
        writer = Mp4Writer(Path(folder) / "play.mp4", info.width, info.height) if playable and not copy else None
        for chunk in video.analyze_video(path, sample_fps=sample_fps, on_frame=writer.write if writer else None):
            summary.add(chunk.rows)
            rows += len(chunk.rows)
        if writer:
            writer.close()
        if copy:
            remux(path, Path(folder) / "play.mp4")
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "clip_s": info.duration_ms / 1000,
        "x_real_time": round(info.duration_ms / 1000 / seconds, 2),
        "rows": rows,
        "people": summary.clip()["people"],
    }


def warm() -> None:
    from ml.pipeline import warm_up

    warm_up()


def speed(folder: Path, name: str, size: tuple[int, int], seconds: float, sample_fps: float | None) -> dict:
    path = make_clip(folder / f"{name}.mp4", *size, seconds)
    sampling = f"{sample_fps:g} fps" if sample_fps else "every frame"
    figures = {"size": f"{size[0]}x{size[1]}", "clip_s": seconds, "clip_mb": path.stat().st_size / 1e6}
    figures["sample_fps"] = sample_fps  # null: every frame
    for playable in (False, True):
        result = run_once(path, sample_fps, playable)
        what = "analysis + playable copy" if playable else "analysis alone"
        figures["analysis_and_playable_copy" if playable else "analysis"] = {
            key: result[key] for key in ("seconds", "x_real_time", "rows", "people")
        }
        print(
            f"{name} ({size[0]}x{size[1]} 30 fps H.264, {seconds:g} s, {path.stat().st_size / 1e6:.1f} MB), "
            f"sampling {sampling}, {what}: {result['seconds']} s = {result['x_real_time']}x real time "
            f"({result['rows']} rows, {result['people']} people)",
            flush=True,
        )
    return figures


def memory(folder: Path, minutes_long: float) -> dict:
    """Peak RSS of fresh processes analysing a 30-second and a long clip (480p30, default sampling)."""
    results, figures = {}, {}
    for label, key, seconds, preset in (
        ("30 s", "clip_30s", 30, "medium"),
        (f"{minutes_long:g} min", "clip_long", minutes_long * 60, "ultrafast"),
    ):
        path = make_clip(folder / f"mem-{seconds:g}.mp4", 854, 480, seconds, preset=preset)
        done = subprocess.run(
            [sys.executable, str(HERE / "video.py"), "--child", str(path)], capture_output=True, text=True, check=True
        )
        results[label] = json.loads(done.stdout.strip().splitlines()[-1])
        figures[key] = {
            "clip_s": seconds,
            "clip_mb": path.stat().st_size / 1e6,
            "peak_rss_mb": results[label]["peak_rss_mb"],
            "x_real_time": results[label]["x_real_time"],
        }
        print(
            f"memory, {label} clip (854x480 30 fps H.264, {path.stat().st_size / 1e6:.1f} MB), analysis + playable "
            f"copy: peak RSS {results[label]['peak_rss_mb']:.0f} MB ({results[label]['x_real_time']}x real time)",
            flush=True,
        )
    short, long = (results[key]["peak_rss_mb"] for key in results)
    print(f"memory growth from 30 s to {minutes_long:g} min: {long - short:+.0f} MB (target: within 50 MB)")
    figures.update(growth_mb=long - short, target_growth_mb=50)
    return figures


def child(path: str) -> None:
    import resource

    _common.pin_to_one_core()
    warm()
    result = run_once(Path(path), 5.0, True)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))  # for the parent, which reads the last line


def main() -> None:
    parser = _common.parser(__doc__)
    parser.add_argument("--seconds", type=float, default=30, help="length of the speed clips")
    parser.add_argument("--long-minutes", type=float, default=10, help="length of the long memory clip")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--pause-training", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    figures = _common.Figures(__file__, enabled=args.json)
    _common.pin_to_one_core()
    np.random.seed(0)
    pause = _common.training_paused() if args.pause_training else _nothing()
    with pause, tempfile.TemporaryDirectory() as folder:
        warm()
        if not args.skip_speed:
            figures.section("speed")["720p30"] = speed(Path(folder), "720p30", (1280, 720), args.seconds, 5.0)
            figures.section("speed")["480p30"] = speed(Path(folder), "480p30", (854, 480), args.seconds, None)
        if not args.skip_memory:
            figures["memory"] = memory(Path(folder), args.long_minutes)
    figures.finish()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


if __name__ == "__main__":
    main()
