"""The dashboard counts photos, clips, recordings and faces, and charts the emotions over all of the
user's faces: a photo's face, or a person in a clip or a recording, by the emotion shown most often."""

import pytest
from django.urls import reverse

from analysis.live.recordings import save_recording
from analysis.models import Detection, Media
from tests.analysis.helpers import add_photo_faces, probabilities

pytestmark = pytest.mark.django_db


def _photo_with_faces(user, emotions, status=Media.Status.DONE):
    media = Media.objects.create(
        user=user,
        file=f"users/{user.pk}/x.jpg",
        status=status,
        face_count=len(emotions) if status == Media.Status.DONE else None,
    )
    add_photo_faces(media, *(((10 * i, 0, 5, 5), {e: 1.0}) for i, e in enumerate(emotions)))
    return media


def _clip_with_people(user, per_track: dict[int, list[str]]):
    """A done clip whose track N shows the emotions listed, one sampled frame each, plus a frame
    with no face."""
    media = Media.objects.create(
        user=user, kind=Media.Kind.VIDEO, file=f"users/{user.pk}/c.mp4", status=Media.Status.DONE
    )
    rows = [Detection(media=media, frame=0, timestamp_ms=0)]
    for track, emotions in per_track.items():
        for i, emotion in enumerate(emotions, start=1):
            rows.append(
                Detection(
                    media=media,
                    frame=i,
                    timestamp_ms=200 * i,
                    track=track,
                    box=[40 * track, 0, 30, 30],
                    probabilities=probabilities(emotion, 0.8),
                    emotion=emotion,
                )
            )
    Detection.objects.bulk_create(rows)
    Media.objects.filter(pk=media.pk).update(people=len(per_track), face_count=len(per_track))
    return media


def test_it_counts_photos_faces_and_charts_each_emotion(client, alice):
    _photo_with_faces(alice, ["happy", "happy", "sad"])
    _photo_with_faces(alice, ["happy"])
    _photo_with_faces(alice, [], status=Media.Status.QUEUED)
    client.force_login(alice)

    response = client.get(reverse("analysis:dashboard"))

    counts = response.context["counts"]
    assert (counts["photos"], counts["faces"], counts["active"]) == (3, 4, 1)
    body = response.content.decode()
    assert 'data-emotion="happy" data-count="3"' in body
    assert 'data-emotion="sad" data-count="1"' in body
    assert 'data-emotion="angry" data-count="0"' in body
    assert "most often <strong>happy</strong>" in body
    bars = {bar["emotion"]: bar for bar in response.context["emotions"]["bars"]}
    assert bars["happy"]["w"] > bars["sad"]["w"] > bars["angry"]["w"] == 0


def test_its_counts_agree_with_each_other_for_photos_clips_and_live_recordings(client, alice, bob):
    _photo_with_faces(alice, ["happy", "sad"])
    # Two people: the first mostly surprised, the second angry throughout.
    _clip_with_people(alice, {1: ["surprise", "surprise", "happy"], 2: ["angry", "angry"]})
    seconds = [{"t": t, "faces": 1, "probabilities": probabilities("happy", 0.9)} for t in range(3)]
    save_recording(alice, [*seconds, {"t": 3, "faces": 0, "probabilities": None}])
    _photo_with_faces(bob, ["fear"] * 5)  # another user's faces are not counted
    client.force_login(alice)

    response = client.get(reverse("analysis:dashboard"))

    counts = response.context["counts"]
    assert (counts["photos"], counts["clips"], counts["recordings"], counts["people"]) == (1, 1, 1, 2)
    # 2 photo faces + 2 people in the clip + 1 person in the recording, each counted once.
    bars = {bar["emotion"]: bar["value"] for bar in response.context["emotions"]["bars"]}
    assert counts["faces"] == response.context["face_total"] == sum(bars.values()) == 5
    assert bars == {"angry": 1, "disgust": 0, "fear": 0, "happy": 2, "sad": 1, "surprise": 1, "neutral": 0}
    body = response.content.decode()
    assert 'data-stat="faces">5<' in body and 'data-stat="clips">1<' in body
    assert "No faces analysed yet." not in body


def test_a_new_user_sees_an_empty_state_instead_of_a_chart(client, alice):
    client.force_login(alice)

    body = client.get(reverse("analysis:dashboard")).content.decode()

    assert "No faces analysed yet." in body
    assert 'data-stat="photos">0<' in body


def test_the_landing_page_sends_logged_in_users_to_their_dashboard(client, alice):
    assert client.get(reverse("analysis:home")).status_code == 200
    client.force_login(alice)

    assert client.get(reverse("analysis:home")).url == reverse("analysis:dashboard")


def test_the_activity_chart_has_a_text_summary_and_a_tooltip_per_day(client, alice):
    _photo_with_faces(alice, ["happy"])
    _photo_with_faces(alice, ["sad"])
    client.force_login(alice)

    body = client.get(reverse("analysis:dashboard")).content.decode()

    assert "2 uploads in the last 30 days; the busiest day was" in body
    assert ": 2 uploads</title>" in body and ": 0 uploads</title>" in body
    assert 'class="activity__yaxis"' in body and 'class="activity__xaxis"' in body
