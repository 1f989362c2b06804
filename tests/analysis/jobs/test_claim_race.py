"""Of many deliveries of the same task claiming one job at the same moment, exactly one wins."""

import threading

import pytest
from django.db import connection

from analysis.media.services import create_media
from analysis.models import Media
from tests.photos import astronaut, encode, upload


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_many_simultaneous_claims_wins(alice, monkeypatch):
    from analysis.jobs import dispatch

    monkeypatch.setattr(dispatch, "analyze_media", lambda media: None)
    media = create_media(alice, upload(encode(astronaut()[:64, :64])))
    contenders = 6
    start = threading.Barrier(contenders)
    results = []

    def claim():
        try:
            copy = Media.objects.get(pk=media.pk)  # each thread has its own connection
            start.wait()
            results.append(copy.mark_processing())
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * (contenders - 1) + [True]
    media.refresh_from_db()
    assert media.status == Media.Status.PROCESSING
    assert media.attempts == 1
