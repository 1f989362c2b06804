"""Every model of the ``analysis`` app, imported where Django looks for them.

The models live with their concern (analysis.media, analysis.webhooks, analysis.collections,
analysis.privacy); this module only re-exports them, so that one app label keeps the tables, the
migrations and the content types.
Code inside the packages imports the concern's own module, never this one.
"""

from analysis.collections.models import ArchiveUpload, Collection
from analysis.jobs.storage import user_folder
from analysis.media.idempotency import IdempotentUpload
from analysis.media.keep_media import PrivacySettings
from analysis.media.models import (
    AnnotatedCopy,
    AnonymizedCopy,
    Media,
    MediaQuerySet,
    annotated_name,
    anonymized_name,
)
from analysis.media.results import Detection, DetectionQuerySet
from analysis.privacy.models import ActivityEntry, DataExport
from analysis.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage

__all__ = [
    "ActivityEntry",
    "AnnotatedCopy",
    "AnonymizedCopy",
    "ArchiveUpload",
    "Collection",
    "DataExport",
    "Detection",
    "DetectionQuerySet",
    "IdempotentUpload",
    "Media",
    "MediaQuerySet",
    "PrivacySettings",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookMessage",
    "annotated_name",
    "anonymized_name",
    "user_folder",
]
