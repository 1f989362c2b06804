"""The evaluation's numbers against a confusion matrix worked out by hand: accuracy, per-class precision,
recall, F1 and support, macro F1; a photo's prediction is its largest face's, a clip's its dominant emotion."""

import pytest

from analysis.collections.summary import evaluate
from analysis.models import Media
from tests.analysis.helpers import add_photo_faces, probabilities

# Ten labelled items (expected, predicted):
#   happy: 4 items, predicted happy 3, sad 1        sad: 3 items, predicted sad 2, neutral 1
#   neutral: 2 items, predicted neutral 1, happy 1   angry: 1 item, predicted happy 1
PAIRS = (
    [("happy", "happy")] * 3
    + [("happy", "sad")]
    + [("sad", "sad")] * 2
    + [("sad", "neutral")]
    + [("neutral", "neutral"), ("neutral", "happy")]
    + [("angry", "happy")]
)


def test_the_confusion_matrix_and_scores_match_the_hand_computed_ones():
    result = evaluate(PAIRS)

    # Rows expected, columns predicted, in ml.EMOTIONS order: angry disgust fear happy sad surprise neutral.
    assert result["confusion"] == [
        [0, 0, 0, 1, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 3, 1, 0, 0],
        [0, 0, 0, 0, 2, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 1, 0, 0, 1],
    ]
    assert result["n_scored"] == 10
    assert result["accuracy"] == pytest.approx(6 / 10)
    classes = result["per_class"]
    # happy: predicted 5 times (3 right), expected 4 times.
    assert classes["happy"] == pytest.approx({"precision": 3 / 5, "recall": 3 / 4, "f1": 2 / 3, "support": 4})
    # sad: predicted 3 times (2 right), expected 3 times.
    assert classes["sad"] == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "support": 3})
    # neutral: predicted 2 times (1 right), expected 2 times.
    assert classes["neutral"] == pytest.approx({"precision": 1 / 2, "recall": 1 / 2, "f1": 1 / 2, "support": 2})
    # angry: expected once, never predicted.
    assert classes["angry"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert classes["fear"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    # Macro F1 over the four classes that occur: (2/3 + 2/3 + 1/2 + 0) / 4.
    assert result["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 2 + 0) / 4)


def test_with_nothing_scored_accuracy_and_macro_f1_are_null():
    result = evaluate([])

    assert result["accuracy"] is None and result["macro_f1"] is None
    assert result["confusion"] == [[0] * 7 for _ in range(7)]


def _photo(user, collection, expected, faces):
    media = Media.objects.create(
        user=user, collection=collection, expected_emotion=expected, file="x.jpg", status="done", face_count=len(faces)
    )
    add_photo_faces(media, *faces)
    return media


def test_the_summary_scores_the_largest_face_of_a_photo_and_the_dominant_emotion_of_a_clip(alice, study, api):
    small, large = (10, 10, 40, 40), (100, 10, 90, 90)
    _photo(alice, study, "happy", [(small, probabilities("sad", 0.9)), (large, probabilities("happy", 0.6))])
    _photo(alice, study, "sad", [(large, probabilities("angry", 0.5)), ((300, 10, 20, 20), probabilities("sad", 0.9))])
    _photo(alice, study, "fear", [])  # done, no face
    Media.objects.create(
        user=alice, collection=study, kind="video", file="c.mp4", status="done", expected_emotion="sad",
        dominant_emotion="sad", face_count=1, people=1,
    )  # fmt: skip
    Media.objects.create(user=alice, collection=study, file="q.jpg", status="queued", expected_emotion="happy")
    Media.objects.create(user=alice, collection=study, file="u.jpg", status="done", face_count=0)  # unlabelled

    evaluation = api(alice).get(f"/api/collections/{study.pk}/summary/").json()["evaluation"]

    assert evaluation["n_labelled"] == 5
    assert evaluation["n_scored"] == 3
    assert evaluation["no_face"] == 1
    assert evaluation["unfinished"] == 1
    assert evaluation["accuracy"] == pytest.approx(2 / 3)
    confusion = evaluation["confusion"]
    assert confusion[3][3] == 1  # happy -> happy (the large face, not the small sad one)
    assert confusion[4][0] == 1  # sad -> angry (the large face)
    assert confusion[4][4] == 1  # the clip: sad -> sad
    assert sum(map(sum, confusion)) == 3


def test_without_a_label_the_evaluation_is_null(alice, study, api):
    Media.objects.create(user=alice, collection=study, file="u.jpg", status="done", face_count=0)

    body = api(alice).get(f"/api/collections/{study.pk}/summary/").json()

    assert body["evaluation"] is None
    assert body["items"]["total"] == 1 and body["items"]["by_status"]["done"] == 1
