"""The upload page without JavaScript: a plain form POST with several files, each judged on its own."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from analysis.models import Media

pytestmark = pytest.mark.django_db


def _png(name="face.png", size=(80, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _items(response):
    return {r.name: r for r in response.context["results"]}


def test_good_photos_are_accepted_and_a_bad_one_beside_them_is_rejected_with_its_reason(client, alice):
    client.force_login(alice)
    fake = SimpleUploadedFile("notes.jpg", b"this is plain text, not a photo", content_type="image/jpeg")

    response = client.post(reverse("analysis:upload"), {"file": [_png("one.png"), fake, _png("two.png")]})

    assert response.status_code == 200
    results = _items(response)
    assert results["one.png"].accepted and results["two.png"].accepted
    assert not results["notes.jpg"].accepted
    assert "not a JPEG, PNG or WebP" in results["notes.jpg"].message
    body = response.content.decode()
    assert "Rejected: This is not a JPEG, PNG or WebP image." in body
    assert "2 accepted, 1 rejected." in body
    stored = Media.objects.for_user(alice)
    assert sorted(stored.values_list("original_name", flat=True)) == ["one.png", "two.png"]
    for media in stored:
        assert reverse("analysis:detail", args=[media.pk]) in body


def test_an_empty_file_is_rejected_on_its_own_and_the_photo_beside_it_is_kept(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("analysis:upload"), {"file": [SimpleUploadedFile("empty.png", b""), _png("good.png")]}
    )

    results = _items(response)
    assert not results["empty.png"].accepted
    assert results["empty.png"].message == "The file is empty."
    assert results["good.png"].accepted
    assert list(Media.objects.values_list("original_name", flat=True)) == ["good.png"]


def test_an_over_size_file_is_rejected_with_the_limit_in_the_message(client, alice, settings):
    settings.FER_MAX_UPLOAD_BYTES = 100
    client.force_login(alice)

    response = client.post(reverse("analysis:upload"), {"file": [_png("big.png", (300, 300))]})

    result = _items(response)["big.png"]
    assert not result.accepted
    assert "the limit is" in result.message
    assert not Media.objects.exists()


def test_posting_without_a_file_asks_for_one(client, alice):
    client.force_login(alice)

    response = client.post(reverse("analysis:upload"), {})

    assert "Choose at least one photo." in response.content.decode()
    assert not Media.objects.exists()


def test_the_page_wires_the_api_for_per_file_uploads_with_javascript(client, alice):
    client.force_login(alice)

    body = client.get(reverse("analysis:upload")).content.decode()

    assert f'data-api="{reverse("api:media-list")}"' in body
    assert 'enctype="multipart/form-data"' in body
    assert "multiple" in body
    assert "js/upload.js" in body


def test_the_api_that_the_page_script_calls_answers_per_file_with_the_session(alice):
    # upload.js posts each file to /api/media/ with the session cookie and the CSRF header; prove
    # that exact request shape is accepted (CSRF enforced) and that a rejection carries its reason.
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    browser.get(reverse("analysis:upload"))
    token = browser.cookies["csrftoken"].value

    good = browser.post(reverse("api:media-list"), {"file": _png()}, HTTP_X_CSRFTOKEN=token)
    bad = browser.post(
        reverse("api:media-list"), {"file": SimpleUploadedFile("x.jpg", b"GIF89a nope")}, HTTP_X_CSRFTOKEN=token
    )
    no_csrf = browser.post(reverse("api:media-list"), {"file": _png()})

    assert good.status_code == 202
    assert Media.objects.for_user(alice).filter(pk=good.json()["id"]).exists()
    assert bad.status_code == 400
    assert "not a JPEG, PNG or WebP" in bad.json()["file"][0]
    assert no_csrf.status_code == 403
    assert Media.objects.for_user(alice).count() == 1


def test_the_form_shares_the_apis_per_user_upload_limit_and_says_when_to_retry(client, alice, monkeypatch):
    from analysis.media.throttles import UploadThrottle

    monkeypatch.setattr(UploadThrottle, "rate", "2/min", raising=False)
    client.force_login(alice)
    client.post(reverse("api:media-list"), {"file": _png("api.png")})

    response = client.post(reverse("analysis:upload"), {"file": [_png("a.png"), _png("b.png")]})

    results = _items(response)
    assert results["a.png"].accepted
    assert not results["b.png"].accepted
    assert results["b.png"].message.startswith("Too many uploads in a short time; try again in ")
    assert Media.objects.for_user(alice).count() == 2
