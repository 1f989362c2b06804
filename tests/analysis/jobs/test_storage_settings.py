"""The AWS_* variables switch kept files to a bucket; without them MEDIA_ROOT stays the default."""

from fer_site import object_storage
from tests.analysis.test_settings_from_environment import setting

BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "facet-media",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    "AWS_ACCESS_KEY_ID": "key",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_S3_REGION_NAME": "eu-west-1",
}


def test_without_a_bucket_files_stay_in_the_local_folder():
    assert setting("STORAGES['default']", DJANGO_DEBUG="True") == repr(object_storage.LOCAL)


def test_the_five_variables_configure_the_s3_backend():
    assert setting("STORAGES['default']['BACKEND']", DJANGO_DEBUG="True", **BUCKET) == repr(object_storage.S3_BACKEND)

    options = object_storage.default_storage(BUCKET)["OPTIONS"]

    assert options["bucket_name"] == "facet-media" and options["endpoint_url"] == "http://127.0.0.1:9000"
    assert (options["access_key"], options["secret_key"], options["region_name"]) == ("key", "secret", "eu-west-1")
    assert options["default_acl"] is None and options["querystring_auth"] is True
    # A custom endpoint (MinIO, Ceph, moto) is addressed by path.
    assert options["client_config"].s3 == {"addressing_style": "path"}


def test_presigned_urls_never_last_longer_than_five_minutes():
    assert object_storage.default_storage(BUCKET)["OPTIONS"]["querystring_expire"] == 300
    longer = object_storage.default_storage({**BUCKET, "FER_FILE_URL_SECONDS": "3600"})
    assert longer["OPTIONS"]["querystring_expire"] == 300
    shorter = object_storage.default_storage({**BUCKET, "FER_FILE_URL_SECONDS": "60"})
    assert shorter["OPTIONS"]["querystring_expire"] == 60
