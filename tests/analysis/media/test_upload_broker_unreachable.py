"""An upload while the broker is unreachable is accepted and kept; the sweeper sends it once the broker is back."""

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from analysis.jobs import dispatch
from analysis.jobs.sweeper import sweep_stale_jobs
from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.clips import api_client
from tests.analysis.helpers import assert_no_orphan_files
from tests.photos import astronaut, encode, upload


@pytest.fixture
def broker(monkeypatch):
    """The broker, down until ``broker["up"] = True``; ``broker["sent"]`` lists the names sent while up."""
    state = {"up": False, "sent": []}

    def send_task(name, args=None, **options):
        if not state["up"]:
            raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")
        state["sent"].append((name, args))

    monkeypatch.setattr(dispatch.app, "send_task", send_task)
    return state


# Real commits: the send runs when the upload's own transaction commits, as in production.
@pytest.mark.django_db(transaction=True)
def test_an_upload_while_the_broker_is_down_is_accepted_queued_and_keeps_its_files(alice, broker):
    response = api_client(alice).post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")

    assert response.status_code == 202
    media = Media.objects.get()
    assert str(media.pk) == response.json()["id"]
    assert (media.status, media.attempts) == ("queued", 0)
    assert media.file and media.thumbnail
    assert_no_orphan_files(alice)


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_sends_it_once_the_broker_is_back(alice, broker, settings):
    api_client(alice).post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")
    media = Media.objects.get()
    broker["up"] = True
    forgotten = timezone.now() - timezone.timedelta(seconds=settings.FER_JOB_QUEUED_SECONDS + 5)
    Media.objects.filter(pk=media.pk).update(heartbeat_at=forgotten)

    assert sweep_stale_jobs() == {"requeued": 1, "failed": 0}

    assert broker["sent"] == [(dispatch.ANALYZE_MEDIA, [str(media.pk)])]
    media.refresh_from_db()
    assert media.status == "queued" and media.mark_processing()


@pytest.mark.django_db(transaction=True)
def test_an_error_after_the_commit_never_deletes_a_committed_items_files(alice, monkeypatch):
    def send_that_fails_after_the_commit(media):
        def fail():
            raise RuntimeError("after the commit")

        transaction.on_commit(fail)

    monkeypatch.setattr(dispatch, "analyze_media", send_that_fails_after_the_commit)

    with pytest.raises(RuntimeError):
        create_media(alice, upload(encode(astronaut())))

    assert Media.objects.get().file
    assert_no_orphan_files(alice)
