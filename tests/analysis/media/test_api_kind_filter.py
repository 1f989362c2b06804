"""The list's kind filter takes "clip", as the pages say, beside the API's "video"; an unknown value of
any choice filter is a 400 that lists the valid ones (issue 24, item 9)."""

from analysis.models import Media
from tests.analysis.clips import api_client


def make(user, kind: str) -> Media:
    return Media.objects.create(user=user, kind=kind, original_name=f"{kind}.bin", status="done")


def test_kind_clip_lists_the_callers_clips_as_kind_video_does(alice, bob):
    clip, _photo, _live = make(alice, "video"), make(alice, "photo"), make(alice, "live")
    make(bob, "video")  # never in alice's list
    client = api_client(alice)

    as_clip = client.get("/api/media/?kind=clip")
    as_video = client.get("/api/media/?kind=video")

    assert as_clip.status_code == 200
    assert [item["id"] for item in as_clip.json()["results"]] == [str(clip.pk)]
    assert as_clip.json()["results"] == as_video.json()["results"]


def test_an_unknown_kind_is_a_400_that_lists_the_valid_values(alice):
    response = api_client(alice).get("/api/media/?kind=gif")

    assert response.status_code == 400
    assert response.json() == {"kind": ["gif is not one of the valid values: photo, video, live, clip."]}


def test_an_unknown_status_or_emotion_lists_the_valid_values_too(alice):
    body = api_client(alice).get("/api/media/?status=finished&emotion=joy").json()

    assert body["status"] == ["finished is not one of the valid values: queued, processing, done, failed, cancelled."]
    assert body["emotion"][0].startswith("joy is not one of the valid values: angry, disgust, fear, happy,")
