"""Erasing an account leaves nothing of the user in the database, the media storage, the broker's queues
or the result backend, and writes one audit line with the user's id and counts and no personal data."""

import base64
import json
import logging
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from analysis.jobs import broker as broker_state
from analysis.jobs import dispatch
from analysis.media.anonymizing import make_anonymized
from analysis.media.services import create_media
from analysis.models import AnonymizedCopy, DataExport, Media, WebhookEndpoint, WebhookMessage
from analysis.privacy import services as privacy
from analysis.privacy.account_export import make_export
from fer_site.celery import app
from tests.analysis.clips import api_client
from tests.analysis.helpers import finished_photo
from tests.photos import astronaut, encode, upload

PASSWORD = "correct horse battery staple"


def everything_of(user, capture) -> dict:
    """Give ``user`` one of each thing the platform stores about a person; the ids tasks carry."""
    done = finished_photo(user)
    AnonymizedCopy.ask(done)
    make_anonymized(done.pk)
    privacy.set_keep_media(user, "days:30")
    Token.objects.create(user=user)
    endpoint = WebhookEndpoint.objects.create(user=user, url="https://example.com/hook", events=["media.done"])
    message = WebhookMessage.objects.create(endpoint=endpoint, event="media.done", body="{}")
    with capture(execute=True):
        queued = create_media(user, upload(encode(astronaut())))  # its task waits in the broker
        export = privacy.request_export(user)
    make_export(export.pk)
    return {"media": {done.pk, queued.pk}, "endpoints": {endpoint.pk}, "messages": {message.pk}, "exports": {export.pk}}


def rows_referring_to(user, ids: dict) -> list[str]:
    """Every row, in every model, that is the user's or points at one of their rows."""
    targets = {
        get_user_model(): {user.pk},
        Media: ids["media"],
        WebhookEndpoint: ids["endpoints"],
        WebhookMessage: ids["messages"],
        DataExport: ids["exports"],
    }
    found = []
    for model in apps.get_models():
        if model in targets and model._default_manager.filter(pk__in=targets[model]).exists():
            found.append(f"{model._meta.label} itself")
        for field in model._meta.concrete_fields:
            related = field.related_model if field.is_relation else None
            if related in targets and model._default_manager.filter(**{f"{field.name}__in": targets[related]}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    from django.contrib.sessions.models import Session

    if any(s.get_decoded().get("_auth_user_id") == str(user.pk) for s in Session.objects.all()):
        found.append("a session")
    return found


def waiting_task_args() -> list[str]:
    """The arguments of every task waiting in the broker: the folder's files, or Redis's lists (CI)."""
    if broker_state.uses_folder():
        payloads = [path.read_bytes() for path in broker_state._queue_folder().glob("*.msg")]
    else:
        client = broker_state.redis_client()
        payloads = [raw for key in client.keys("*") if client.type(key) == b"list" for raw in client.lrange(key, 0, -1)]
    args = []
    for payload in payloads:
        message = json.loads(payload)
        args += [str(arg) for arg in json.loads(base64.b64decode(message["body"]))[0]]
    return args


def results_mentioning(ids) -> list[str]:
    """Results kept by the result backend (the folder's files, or Redis's keys) that name one of ``ids``."""
    if broker_state.uses_folder():
        return mentions(broker_state._queue_folder().parent / "results", ids)
    client = broker_state.redis_client()
    texts = {str(value).encode() for value in ids}
    return [
        key.decode() for key in client.keys("celery-task-meta-*") if any(t in (client.get(key) or b"") for t in texts)
    ]


def mentions(folder: Path, ids) -> list[str]:
    texts = {str(value) for value in ids} | {value.hex for value in ids if hasattr(value, "hex")}
    hits = []
    for path in folder.rglob("*") if folder.exists() else []:
        if path.is_file():
            content = path.read_bytes()
            hits += [f"{path.name}: {text}" for text in texts if text.encode() in content]
    return hits


@pytest.fixture
def erase_through_the_page(client, django_capture_on_commit_callbacks):
    def erase(user):
        client.force_login(user)
        api_client(user)  # a second, API session: erased too
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/delete/", {"password": PASSWORD})
        assert response.status_code == 302

    return erase


def test_nothing_of_the_user_remains_in_the_database_storage_queues_or_results(
    alice, bob, media_root, caplog, erase_through_the_page, django_capture_on_commit_callbacks
):
    ids = everything_of(alice, django_capture_on_commit_callbacks)
    bobs = everything_of(bob, django_capture_on_commit_callbacks)
    assert set(map(str, ids["media"])) & set(waiting_task_args())  # there was something to drop
    assert (Path(media_root) / f"users/{alice.pk}").is_dir()
    alice_id = alice.pk

    with caplog.at_level(logging.INFO, logger="facet.audit"):
        erase_through_the_page(alice)

    alice.pk = alice_id
    assert rows_referring_to(alice, ids) == []
    assert not (Path(media_root) / f"users/{alice_id}").exists()
    assert mentions(Path(media_root), ids["media"] | ids["exports"]) == []
    assert not {str(value) for values in ids.values() for value in values} & set(waiting_task_args())
    assert results_mentioning(ids["media"] | ids["exports"] | ids["messages"]) == []
    # Bob keeps all of his, waiting task included.
    assert Media.objects.filter(user=bob).count() == 2 and (Path(media_root) / f"users/{bob.pk}").is_dir()
    assert set(map(str, bobs["media"])) & set(waiting_task_args())

    (line,) = [r.getMessage() for r in caplog.records if r.name == "facet.audit"]
    assert f"user_id={alice_id} " in line and " at=" in line
    removed = json.loads(line.split("removed=", 1)[1].split(" tasks_dropped=", 1)[0])
    assert removed["analysis.Media"] == 2 and removed["authtoken.Token"] == 1
    assert removed["analysis.DataExport"] == 1 and removed["analysis.AnonymizedCopy"] == 1
    assert int(line.split("tasks_dropped=")[1].split()[0]) >= 1
    assert "alice" not in line.lower() and "example.com" not in line


def test_the_tasks_waiting_in_redis_about_the_user_are_dropped(alice, bob, private_redis):
    url = django_settings.CELERY_BROKER_URL
    mine, theirs = create_media(alice, upload(encode(astronaut()))), create_media(bob, upload(encode(astronaut())))
    with app.connection_for_write(url) as connection:
        for media in (mine, theirs):
            app.send_task(dispatch.ANALYZE_MEDIA, args=[str(media.pk)], connection=connection)
    client = broker_state.redis_client()
    assert client.llen("celery") == 2

    dropped = broker_state.drop_messages([mine.pk], broker_state.queues())

    assert dropped == 1
    left = [json.loads(payload) for payload in client.lrange("celery", 0, -1)]
    assert [json.loads(base64.b64decode(m["body"]))[0] for m in left] == [[str(theirs.pk)]]
    assert not [key for key in client.keys("*") if str(mine.pk).encode() in (client.dump(key) or b"")]
