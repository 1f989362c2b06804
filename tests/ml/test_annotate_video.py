"""ml.annotate_video: the browser-playable copy and the annotated MP4 are H.264 MP4s."""

from ml.annotate_video import Mp4Writer, annotate_clip
from ml.video import analyze_video
from ml.video_io import probe
from tests.videos import clip_file


def test_the_playable_copy_is_h264_with_every_frame(tmp_path):
    source = clip_file(tmp_path, "clip.avi", fourcc="MJPG", seconds=1)
    info = probe(source)

    with Mp4Writer(tmp_path / "play.mp4", info.width, info.height) as writer:
        rows = [row for chunk in analyze_video(source, on_frame=writer.write) for row in chunk.rows]
    copy = probe(tmp_path / "play.mp4")

    assert (copy.container, copy.codec, copy.frame_count) == ("mp4", "h264", 10)
    assert annotate_clip(source, tmp_path / "annotated.mp4", rows) == 10
    assert probe(tmp_path / "annotated.mp4").codec == "h264"
