"""ml.detect.detect_near: the search around tracked faces a clip's analysis runs between whole-frame searches."""


def test_a_local_search_finds_the_faces_a_whole_frame_search_finds(tmp_path):
    from ml.detect import detect_faces, detect_near
    from ml.video_io import decode
    from tests.videos import clip_file

    path = clip_file(tmp_path, crossing=True, seconds=1)
    greys = [grey for _, _, grey in decode(path) if grey is not None]

    for grey in greys:
        whole = detect_faces(grey)
        near = detect_near(grey, [(x + 10, y - 10, w, h) for x, y, w, h in whole])  # predictions a little off
        assert len(near) == len(whole)
        for a, b in zip(near, whole):
            assert max(abs(p - q) for p, q in zip(a, b)) <= 12, (near, whole)
