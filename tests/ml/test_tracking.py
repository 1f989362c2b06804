"""ml.tracking.Tracker on boxes alone."""

from ml.tracking import Tracker


def test_a_face_moving_steadily_keeps_one_track():
    tracker = Tracker()
    numbers = [tracker.update([(10 + 20 * i, 50, 60, 60)], 200 * i) for i in range(10)]
    assert numbers == [[1]] * 10


def test_crossing_faces_missed_while_they_overlap_keep_their_tracks():
    tracker = Tracker()
    for i in range(5):
        assert tracker.update([(100 + 30 * i, 100, 60, 60), (400 - 30 * i, 110, 60, 60)], 200 * i) == [1, 2]
    tracker.update([], 1000)  # overlapping: neither detected
    # Now past each other: the left box is face 2 (moving left), the right box face 1.
    assert tracker.update([(220, 110, 60, 60), (280, 100, 60, 60)], 1200) == [2, 1]


def test_a_face_gone_longer_than_the_gap_comes_back_as_a_new_track():
    tracker = Tracker(max_gap_ms=500)
    tracker.update([(10, 10, 50, 50)], 0)
    assert tracker.update([(10, 10, 50, 50)], 2000) == [2]
