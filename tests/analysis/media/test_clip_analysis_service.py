"""analyze_media on a stored clip: rows per sampled frame and face, tracks, summary, playable copy."""

from analysis.media.analyses import analyze_media
from analysis.media.services import cancel_media, create_media
from analysis.models import Media
from ml import video
from tests.analysis.clips import analysed_clip
from tests.videos import clip_file, clip_upload, faststart_h264


def test_it_stores_a_row_per_sampled_frame_and_face_with_tracks(alice, tmp_path):
    media = analysed_clip(alice, tmp_path)

    assert media.status == Media.Status.DONE, media.error
    assert media.progress == 1.0
    assert media.people == 2 and media.face_count == 2
    rows = list(media.detections.order_by("frame", "track"))
    # 3 s at 10 fps sampled at 5 fps: frames 0, 2, ... 28; the last second has no face.
    assert sorted({row.frame for row in rows}) == list(range(0, 30, 2))
    assert all(row.timestamp_ms == row.frame * 100 for row in rows)
    blank = [row for row in rows if row.timestamp_ms >= 2000]
    assert len(blank) == 5 and all(row.track is None and row.box is None for row in blank)
    assert {row.track for row in rows if row.track} == {1, 2}
    assert [track["track"] for track in media.tracks] == [1, 2]
    assert set(media.tracks[0]) == set(video.TRACK_FIELDS)
    assert media.dominant_emotion == media.tracks[0]["dominant_emotion"]


def test_it_makes_a_poster_thumbnail_and_an_h264_copy(alice, tmp_path):
    media = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)

    assert media.thumbnail and media.thumbnail.name.endswith(".jpg")
    copy = video.probe(media.playable.path)
    assert (copy.container, copy.codec) == ("mp4", "h264")


def test_every_frame_sampling_analyses_every_frame(alice, tmp_path):
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)), sample_fps=0)

    analyze_media(media.pk)

    assert sorted(set(media.detections.values_list("frame", flat=True))) == list(range(10))


def test_a_truncated_clip_fails_with_a_reason(alice, tmp_path):
    from tests.videos import faststart_h264, truncated

    whole = faststart_h264(clip_file(tmp_path, seconds=2), tmp_path / "h264.mp4")
    media = create_media(alice, clip_upload(truncated(whole, tmp_path / "cut.mp4")))

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.FAILED
    assert "damaged" in media.error or "truncated" in media.error


def test_a_clip_over_the_frame_budget_fails_with_a_reason(alice, tmp_path, settings):
    settings.FER_VIDEO_MAX_FRAMES = 5
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)))

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.FAILED
    assert "more than 5 frames" in media.error


def test_a_clip_that_fails_part_way_keeps_its_rows_and_says_they_are_partial(alice, tmp_path, settings, monkeypatch):
    settings.FER_VIDEO_MAX_FRAMES = 25
    monkeypatch.setattr("ml.video.BATCH_FACES", 1)  # rows stored as they come, before the budget runs out
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=4)))

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.FAILED and "more than 25 frames" in media.error
    assert media.detections.exists() and media.partial


def test_a_clip_that_fails_before_any_row_is_not_partial(alice, tmp_path, settings):
    settings.FER_VIDEO_MAX_FRAMES = 1
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)))

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.FAILED
    assert not media.detections.exists() and not media.partial


def test_deleting_the_owner_while_a_clip_runs_stops_the_worker_quietly(alice, tmp_path, monkeypatch, caplog):
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=4)))
    original = Media.report_progress

    def delete_owner_then_report(self, fraction):
        type(alice).objects.filter(pk=alice.pk).delete()  # the account goes, and its items with it
        return original(self, fraction)

    monkeypatch.setattr(Media, "report_progress", delete_owner_then_report)
    monkeypatch.setattr("ml.video.BATCH_FACES", 1)

    with caplog.at_level("INFO", logger="analysis"):
        analyze_media(media.pk)

    assert not Media.objects.filter(pk=media.pk).exists()
    assert not [r for r in caplog.records if r.levelno >= 40], [r.getMessage() for r in caplog.records]


def test_cancel_stops_the_work_and_keeps_the_partial_result(alice, tmp_path, monkeypatch):
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=4)))
    reports = []
    original = Media.report_progress

    def report_then_cancel(self, fraction):
        reports.append(fraction)
        if len(reports) == 2:
            cancel_media(Media.objects.get(pk=self.pk))
        return original(self, fraction)

    monkeypatch.setattr(Media, "report_progress", report_then_cancel)
    # A chunk after every frame, so the cancel lands early in the clip.
    monkeypatch.setattr("ml.video.BATCH_FACES", 1)

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.CANCELLED and media.partial
    assert len(reports) == 2  # it stopped at the first report after the cancel
    frames = set(media.detections.values_list("frame", flat=True))
    assert frames and max(frames) < 20
    assert media.people == 1 and media.tracks


def test_an_h264_clip_is_copied_for_the_player_without_encoding_again(alice, tmp_path):
    from tests.videos import faststart_h264

    source = faststart_h264(clip_file(tmp_path, seconds=1), tmp_path / "h264.mp4")
    media = create_media(alice, clip_upload(source))

    analyze_media(media.pk)

    media.refresh_from_db()
    copy = video.probe(media.playable.path)
    assert (copy.codec, copy.frame_count, copy.duration_ms) == ("h264", 10, 1000)


def test_a_phone_clip_is_stored_and_shown_upright(alice, tmp_path):
    from tests.videos import moving_faces, phone_clip

    clip = phone_clip(tmp_path / "phone.mp4", moving_faces(seconds=1, size=(360, 640)), rotation=90)
    media = create_media(alice, clip_upload(clip))
    analyze_media(media.pk)
    media.refresh_from_db()

    assert media.status == Media.Status.DONE, media.error
    assert (media.width, media.height) == (360, 640)
    assert media.face_count == 1 and media.detections.exclude(box=None).count() == 5
    copy = video.probe(media.playable.path)
    assert (copy.width, copy.height, copy.rotation) == (360, 640, 0)


def _count_reads(monkeypatch) -> list[str]:
    """Every file PyAV opens for reading, from now on."""
    import av

    real_open, reads = av.open, []

    def counting_open(file, mode="r", *args, **kwargs):
        if mode == "r":
            reads.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(av, "open", counting_open)
    return reads


def test_the_worker_decodes_a_clip_once_with_the_probe_stored_at_upload(alice, tmp_path, monkeypatch):
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1, blank_seconds=0)))
    assert media.video_info() == video.probe(clip_file(tmp_path, seconds=1, blank_seconds=0))
    reads = _count_reads(monkeypatch)

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.DONE, media.error
    # The poster, the playable copy (encoded: MPEG-4 part 2 is not for browsers) and the rows come
    # from one pass: no probe, no second decode for the poster.
    assert len(reads) == 1 and media.thumbnail and media.playable


def test_an_h264_clip_is_opened_once_to_decode_and_once_to_copy_its_stream(alice, tmp_path, monkeypatch):
    h264 = faststart_h264(clip_file(tmp_path, seconds=1, blank_seconds=0), tmp_path / "h264.mp4")
    media = create_media(alice, clip_upload(h264))
    reads = _count_reads(monkeypatch)

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.DONE, media.error
    assert len(reads) == 2 and media.video_info().plays_in_browsers
