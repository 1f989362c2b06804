"""The whole live path with a real worker: a real face photo gets its faces back, and nothing is kept.

One worker serves the whole module (`shared_celery_worker`)."""

import base64
import logging
import time

import pytest
from django.apps import apps

import ml
from tests.analysis.live.frames import face_frame, post_frame

pytestmark = pytest.mark.worker


def _post_until_answered(client, content, worker, tries: int = 20):
    # The worker's pool process may still be loading the model when the worker reports ready.
    for _ in range(tries):
        response = post_frame(client, content)
        if response.status_code != 503:
            return response
        time.sleep(0.5)
    raise AssertionError(f"Still busy after {tries} tries.\nWorker output:\n{worker.output()[-5000:]}")


def _row_counts() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_a_real_face_gets_its_faces_back_and_nothing_is_stored(
    alice_api, face_jpeg, shared_celery_worker, settings, caplog
):
    worker, media_root = shared_celery_worker, shared_celery_worker.media_root
    # Generous: the first frame may wait for the model to load on a busy test machine.
    settings.FER_LIVE_DEADLINE_MS = 10_000
    rows_before, files_before = _row_counts(), _files(media_root)
    caplog.set_level(logging.DEBUG)

    response = _post_until_answered(alice_api, face_jpeg, worker)

    assert response.status_code == 200, response.content
    body = response.json()
    (face,) = body["faces"]
    assert set(face) == {"box", "probabilities", "emotion", "confidence", "uncertain"}
    x, y, w, h = face["box"]
    assert all(isinstance(value, int) for value in face["box"])
    # The astronaut's face is in the upper middle of the 320 x 240 frame.
    assert 100 < x + w / 2 < 220 and 20 < y + h / 2 < 140, face["box"]
    assert set(face["probabilities"]) == set(ml.EMOTIONS)
    assert face["emotion"] == max(face["probabilities"], key=face["probabilities"].get)
    assert face["confidence"] == pytest.approx(face["probabilities"][face["emotion"]])
    assert {"round_trip_ms", "worker_ms"} <= set(body["timings_ms"])

    # A second frame, at a new size, is answered too (the worker is warm now).
    second = _post_until_answered(alice_api, face_frame(640, 480), worker)
    assert second.status_code == 200 and len(second.json()["faces"]) == 1

    # Nothing stored: no row anywhere, no file under MEDIA_ROOT, no log line with the frame's bytes.
    assert _row_counts() == rows_before
    assert _files(media_root) == files_before
    fragment = base64.b64encode(face_jpeg).decode()[100:160]
    assert fragment not in caplog.text
    worker.wait_idle()  # every frame it received is logged as ended: its log is complete for them
    assert fragment not in worker.output()
    assert "analysis.tasks.analyze_live_frame" in worker.output()


def test_an_image_without_faces_gets_an_empty_list(alice_api, shared_celery_worker, settings):
    import numpy as np

    from tests.photos import encode

    worker = shared_celery_worker
    settings.FER_LIVE_DEADLINE_MS = 10_000

    response = _post_until_answered(alice_api, encode(np.full((240, 320, 3), 128, np.uint8)), worker)

    assert response.status_code == 200
    assert response.json()["faces"] == []
