from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html

from analysis.jobs import dispatch
from analysis.media import services
from analysis.models import (
    ActivityEntry,
    AnnotatedCopy,
    AnonymizedCopy,
    ArchiveUpload,
    Collection,
    DataExport,
    Detection,
    Media,
    WebhookDelivery,
    WebhookEndpoint,
)


class DetectionInline(admin.TabularInline):
    """A photo's faces on its page; a clip's thousands of rows are left to the detections list."""

    model = Detection
    extra = 0
    can_delete = False
    fields = ["track", "emotion", "confidence", "box", "probabilities"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "status", "face_count", "dominant_emotion", "attempts", "created_at"]
    list_filter = ["status", "kind", "dominant_emotion", "created_at"]
    search_fields = ["id", "user__username", "original_name"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    inlines = [DetectionInline]
    # Results come from the worker, files from services.create_media: the admin only looks and deletes.
    readonly_fields = [
        "id", "user", "kind", "status", "preview", "file", "thumbnail", "original_name", "content_type",
        "width", "height", "bytes", "created_at", "started_at", "finished_at", "heartbeat_at", "attempts",
        "progress", "error", "face_count", "dominant_emotion", "model_version", "timings",
    ]  # fmt: skip
    actions = ["requeue"]

    def has_add_permission(self, request):
        return False

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None and obj.kind == Media.Kind.PHOTO else []

    @admin.display(description="Thumbnail")
    def preview(self, obj):
        if not obj.thumbnail:
            return "-"
        # The owner-checked view would 404 for an admin who is not the owner; the admin sees the path.
        return format_html("<code>{}</code>", obj.thumbnail.name)

    @admin.action(description="Re-queue the selected items for analysis")
    def requeue(self, request, queryset):
        self.message_user(request, f"Re-queued {requeue(queryset, dispatch.analyze_media)} item(s).")

    def delete_model(self, request, obj):
        services.delete_media(obj)

    def delete_queryset(self, request, queryset):
        for media in queryset:
            services.delete_media(media)


@admin.register(Detection)
class DetectionAdmin(admin.ModelAdmin):
    list_display = ["id", "media", "frame", "timestamp_ms", "track", "emotion", "confidence", "box"]
    list_filter = ["emotion", "media__kind"]
    list_select_related = ["media"]
    readonly_fields = ["media", "frame", "timestamp_ms", "track", "box", "probabilities", "emotion", "confidence"]

    def has_add_permission(self, request):
        return False


@admin.register(AnnotatedCopy)
class AnnotatedCopyAdmin(admin.ModelAdmin):
    list_display = ["media", "status", "attempts", "heartbeat_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["media"]
    readonly_fields = [
        "media",
        "file",
        "status",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "attempts",
        "progress",
        "error",
    ]
    actions = ["requeue"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Make the selected annotated copies again")
    def requeue(self, request, queryset):
        count = requeue(queryset, lambda copy: dispatch.annotate_clip(copy.pk))
        self.message_user(request, f"Re-queued {count} annotated cop(ies).")


JOB_FIELDS = ["status", "started_at", "finished_at", "heartbeat_at", "attempts", "progress", "error"]


@admin.register(AnonymizedCopy)
class AnonymizedCopyAdmin(admin.ModelAdmin):
    list_display = ["media", "status", "attempts", "heartbeat_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["media"]
    readonly_fields = ["media", "file", "below_confidence", "show_emotion", *JOB_FIELDS]

    def has_add_permission(self, request):
        return False


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    readonly_fields = ["user", "include_media", "file", "created_at", "expires_at", *JOB_FIELDS]

    def has_add_permission(self, request):
        return False


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    """Collections are their owners' (pages, API): the admin looks, and may delete (items stay)."""

    list_display = ["name", "user", "created_at", "updated_at"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "name", "description", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ArchiveUpload)
class ArchiveUploadAdmin(admin.ModelAdmin):
    list_display = ["id", "collection", "created_at", "accepted_at", "done_at"]
    readonly_fields = ["collection", "items", "created_at", "accepted_at", "done_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ActivityEntry)
class ActivityEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "action", "at", "ip"]
    list_filter = ["action"]
    readonly_fields = ["user", "action", "at", "ip", "detail"]

    def has_add_permission(self, request):
        return False


def requeue(jobs, send) -> int:
    """Restart each job through its model (attempts reset) and send it once that commits."""
    count = 0
    for job in jobs:
        with transaction.atomic():
            if job.restart():
                send(job)
                count += 1
    return count


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Endpoints are their owners' (profile page, API): the admin looks, and may delete or disable."""

    list_display = ["url", "user", "events", "enabled", "failing_since", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "user__username"]
    list_select_related = ["user"]
    exclude = ["secret"]
    readonly_fields = ["user", "url", "events", "disabled_reason", "failing_since", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "attempt", "status_code", "duration_ms", "error", "next_retry_at"]
    list_select_related = ["endpoint"]
    search_fields = ["endpoint__url", "message__webhook_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
