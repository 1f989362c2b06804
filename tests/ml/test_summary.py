"""ml.summary on rows alone: a person's shares and dominant emotion, and the clip's totals."""

import ml
from ml.summary import ROW_FIELDS, TRACK_FIELDS, Row, Summary


def _row(frame, track, emotion, top=0.7):
    rest = (1 - top) / (len(ml.EMOTIONS) - 1)
    probabilities = {name: top if name == emotion else rest for name in ml.EMOTIONS}
    return Row(frame, frame * 200, track, (10, 10, 50, 50), probabilities, emotion)


def test_a_persons_dominant_emotion_is_the_one_most_often_on_top():
    summary = Summary()
    summary.add([_row(0, 1, "happy"), _row(1, 1, "happy"), _row(2, 1, "sad"), Row(3, 600, None, None, None, "")])

    (track,) = summary.tracks()

    assert tuple(track) == TRACK_FIELDS
    assert (track["first_timestamp_ms"], track["last_timestamp_ms"]) == (0, 400)
    assert track["dominant_emotion"] == "happy"
    assert track["shares"]["happy"] == 2 / 3 and track["shares"]["sad"] == 1 / 3


def test_the_clip_counts_people_and_detections_but_not_faceless_frames():
    summary = Summary()
    summary.add([_row(0, 1, "angry"), _row(0, 2, "fear"), _row(1, 2, "fear"), Row(2, 400, None, None, None, "")])

    clip = summary.clip()

    assert (clip["people"], clip["detections"], clip["dominant_emotion"]) == (2, 3, "fear")


def test_a_row_says_its_fields_and_its_confidence():
    row = _row(0, 1, "surprise", top=0.9)
    blank = Row(1, 200, None, None, None, "")

    assert tuple(row.as_dict()) == ROW_FIELDS
    assert row.confidence == 0.9 and blank.confidence == 0.0
