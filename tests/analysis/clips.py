"""Clips analysed in the test process (no worker) for API, page and export tests."""

from rest_framework.test import APIClient

from analysis.media.analyses import analyze_media
from analysis.media.services import create_media
from analysis.models import Media
from tests.videos import clip_file, clip_upload


def api_client(user) -> APIClient:
    """Authenticated for the API and, through a session, for the owner-checked /files/ views."""
    client = APIClient()
    client.force_authenticate(user)
    client.force_login(user)
    return client


def analysed_clip(user, tmp_path, **clip) -> Media:
    """A clip of ``user`` (two crossing faces, then a second without a face) analysed in-process."""
    clip = {"crossing": True, "seconds": 2, "blank_seconds": 1, **clip}
    media = create_media(user, clip_upload(clip_file(tmp_path, **clip)))
    analyze_media(media.pk)
    media.refresh_from_db()
    return media
