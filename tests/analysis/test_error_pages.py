"""With DEBUG off, 404 and 500 are pages in the site's style; the 500 page needs no request context."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_404_page_in_the_sites_style(client, alice, settings):
    settings.DEBUG = False
    client.force_login(alice)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "/no/such/page/" in body
    assert 'class="brand"' in body and "Log out" in body  # base.html, with the logged-in header


def test_another_users_item_is_the_same_404_page(client, alice, bob, settings):
    from tests.analysis.helpers import finished_photo

    settings.DEBUG = False
    media = finished_photo(alice)
    client.force_login(bob)

    response = client.get(f"/media/{media.pk}/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_page_renders_in_the_sites_style_without_a_request_context(django_assert_num_queries):
    request = RequestFactory().get("/")  # no session, no user: the middleware never ran

    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert 'class="brand"' in body and "Log in" in body  # base.html, with the logged-out header
    assert "Server Error (500)" not in body  # Django's bare fallback when 500.html is missing


def test_an_unhandled_error_answers_the_500_page(client, alice, settings, monkeypatch):
    from analysis.media import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    settings.DEBUG = False
    monkeypatch.setattr(views, "render", broken)
    client.raise_request_exception = False
    client.force_login(alice)

    response = client.get("/gallery/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
