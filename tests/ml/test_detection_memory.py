"""A search of a large picture leaves no scan buffers behind, and finds what the shared cascade finds."""

import gc
from pathlib import Path

import cv2
import numpy as np

from ml import detect
from ml.detect import detect_faces
from ml.pipeline import to_grey


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_searching_a_large_picture_leaves_the_workers_memory_as_it_was(astronaut):
    big = np.full((2400, 2400), 110, np.uint8)  # searched at 0.75: 3.2 MP, over the shared cascade's size
    big[1000:1512, 1000:1512] = to_grey(astronaut)
    detect_faces(big[:600, :600])  # the shared cascade loaded and used on a small picture
    gc.collect()
    before = resident_mb()

    boxes = detect_faces(big)

    gc.collect()
    # The shared cascade once kept ~32 bytes a searched pixel (100 MB here) after the search.
    assert resident_mb() - before < 40
    assert boxes


def test_a_cascade_of_its_own_finds_the_same_faces(astronaut, monkeypatch):
    grey = cv2.resize(to_grey(astronaut), (1024, 1024), interpolation=cv2.INTER_CUBIC)
    shared = detect_faces(grey)
    monkeypatch.setattr(detect, "SHARED_CASCADE_MAX_PIXELS", 1000)

    assert detect_faces(grey) == shared
