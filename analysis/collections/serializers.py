"""The API's shapes of a collection: the collection itself, what changes it, an archive upload's answer,
the summary and its evaluation."""

from django.urls import reverse
from rest_framework import serializers

import ml
from analysis.collections.models import Collection
from analysis.jobs.lifecycle import JobStatus


class CollectionSerializer(serializers.ModelSerializer):
    """A collection; the list's counts come from the queryset's annotations (CollectionViewSet)."""

    item_count = serializers.IntegerField(read_only=True, help_text="Items in the collection.")
    status = serializers.SerializerMethodField(help_text='"empty", "active" while an item is analysed, or "done".')
    last_change = serializers.DateTimeField(read_only=True, help_text="The latest change, upload or analysis end.")
    urls = serializers.SerializerMethodField()

    class Meta:
        model = Collection
        fields = [
            "id",
            "name",
            "description",
            "created_at",
            "updated_at",
            "item_count",
            "status",
            "last_change",
            "urls",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_status(self, collection) -> str:
        if not getattr(collection, "item_count", 0):
            return "empty"
        return "active" if getattr(collection, "active_count", 0) else "done"

    def get_urls(self, collection) -> dict[str, str]:
        request = self.context.get("request")

        def url(name: str) -> str:
            path = reverse(f"api:collection-{name}", args=[collection.pk])
            return request.build_absolute_uri(path) if request is not None else path

        names = {"summary": "summary", "items": "items", "archive": "archive", "labels": "labels"}
        links = {key: url(name) for key, name in names.items()}
        links.update({"export_csv": url("export-csv"), "export_json": url("export-json")})
        page = reverse("analysis:collection", args=[collection.pk])
        links["page"] = request.build_absolute_uri(page) if request is not None else page
        return links


class CollectionUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class MoveSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.UUIDField(), allow_empty=False, max_length=1000)


class ArchiveUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A ZIP of photos and clips, and optionally labels.csv (file,emotion).")
    keep_media = serializers.CharField(required=False, help_text="The items' retention; default: your own.")
    sample_fps = serializers.FloatField(required=False, min_value=0.1, max_value=120, help_text="Clips: default 5.")
    every_frame = serializers.BooleanField(required=False, default=False, help_text="Clips: analyse every frame.")


class CreatedItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class RejectedMemberSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The member's path in the archive.")
    reason = serializers.CharField()


class ArchiveAcceptedSerializer(serializers.Serializer):
    archive = serializers.UUIDField()
    items = CreatedItemSerializer(many=True)
    rejected = RejectedMemberSerializer(many=True)


class ClassScoreSerializer(serializers.Serializer):
    precision = serializers.FloatField()
    recall = serializers.FloatField()
    f1 = serializers.FloatField()
    support = serializers.IntegerField()


class EvaluationSerializer(serializers.Serializer):
    n_labelled = serializers.IntegerField(help_text="Items with an expected emotion.")
    n_scored = serializers.IntegerField(help_text="Labelled items that are done and have a face.")
    no_face = serializers.IntegerField(help_text="Labelled items, done, where no face was found.")
    unfinished = serializers.IntegerField(help_text="Labelled items still queued or being analysed.")
    failed = serializers.IntegerField(help_text="Labelled items that failed or were cancelled.")
    accuracy = serializers.FloatField(allow_null=True, help_text="Over n_scored; null when it is 0.")
    macro_f1 = serializers.FloatField(allow_null=True)
    per_class = serializers.DictField(child=ClassScoreSerializer())
    labels = serializers.ListField(child=serializers.ChoiceField(choices=list(ml.EMOTIONS)))
    confusion = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="7x7: rows the expected emotion, columns the predicted, in the order of labels.",
    )


class ItemCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text=", ".join(JobStatus.values))
    by_kind = serializers.DictField(child=serializers.IntegerField())


class CollectionSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    items = ItemCountsSerializer()
    faces = serializers.IntegerField(help_text="A photo's face once, a person in a clip once.")
    emotions = serializers.DictField(child=serializers.IntegerField(), help_text="Faces by the emotion shown most.")
    dominant_emotions = serializers.DictField(child=serializers.IntegerField(), help_text="Items by dominant emotion.")
    evaluation = EvaluationSerializer(allow_null=True, help_text="null when no item carries an expected emotion.")


class LabelsResultSerializer(serializers.Serializer):
    labelled = serializers.IntegerField()
    unmatched = serializers.ListField(child=serializers.CharField(), help_text="Files that named no item.")
