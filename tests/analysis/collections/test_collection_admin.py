"""The admin lists collections and their archive uploads, and shows one, read-only."""

import pytest
from django.contrib.auth import get_user_model

from analysis.models import ArchiveUpload, Collection


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "root-password-1")
    client.force_login(admin)
    return client


def test_the_admin_lists_and_shows_collections_and_archive_uploads(admin_client, alice):
    study = Collection.objects.create(user=alice, name="Pilot study")
    upload = ArchiveUpload.objects.create(collection=study, items=[])

    assert b"Pilot study" in admin_client.get("/admin/analysis/collection/").content
    assert admin_client.get(f"/admin/analysis/collection/{study.pk}/change/").status_code == 200
    assert admin_client.get("/admin/analysis/archiveupload/").status_code == 200
    assert admin_client.get(f"/admin/analysis/archiveupload/{upload.pk}/change/").status_code == 200
    assert admin_client.get("/admin/analysis/collection/add/").status_code == 403
