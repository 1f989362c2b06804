"""Pages: the list of collections and a collection's page (tiles, filters, the summary with its
confusion matrix), its archive and labels uploads, deletion, and an item's label and collection.

Every read starts from Collection.objects.for_user(request.user), so another user's collection is a 404
on every page. Changes go through analysis.collections.services, as the API's do.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

import ml
from analysis.collections import services, summary
from analysis.collections.archives import LABELS_MAX_BYTES, parse_labels
from analysis.collections.forms import ArchiveForm, CollectionForm, DeleteCollectionForm, ItemLabelForm, LabelsForm
from analysis.collections.models import Collection
from analysis.collections.throttles import MemberThrottle
from analysis.media import activity
from analysis.media import services as media_services
from analysis.media.forms import GalleryFilterForm
from analysis.media.models import Media

# As the gallery: 24 tiles fill whole rows of 2, 3, 4 and 6 columns.
PAGE_SIZE = 24
TILE_FIELDS = ("id", "kind", "status", "original_name", "thumbnail", "created_at", "face_count", "dominant_emotion")
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"


def _mine(request, pk) -> Collection:
    return get_object_or_404(Collection.objects.for_user(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def collection_list(request):
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        collection = services.create_collection(
            request.user, form.cleaned_data["name"], form.cleaned_data["description"]
        )
        messages.success(request, f"{collection.name} was created; add photos and clips to it.")
        return redirect("analysis:collection", pk=collection.pk)
    collections = Collection.objects.for_user(request.user).with_counts().order_by("-last_change", "-id")
    return render(request, "collections/list.html", {"form": form, "collections": collections})


def _heat_level(count: int, top: int) -> int:
    # Six steps of one hue; the template's classes keep the count's text readable on each.
    return 0 if not count else 1 + min(4, int(5 * count / top - 1e-9)) if top else 0


def _matrix(collection: Collection, evaluation: dict) -> dict:
    """The confusion matrix as the page draws it: a row per expected emotion, a link per cell."""
    confusion = evaluation["confusion"]
    top = max((n for row in confusion for n in row), default=0)
    base = reverse("analysis:collection", args=[collection.pk])
    rows = []
    for i, expected in enumerate(ml.EMOTIONS):
        cells = [
            {
                "predicted": predicted,
                "n": confusion[i][j],
                "level": _heat_level(confusion[i][j], top),
                "diagonal": i == j,
                "url": f"{base}?expected={expected}&predicted={predicted}#tiles",
            }
            for j, predicted in enumerate(ml.EMOTIONS)
        ]
        rows.append({"expected": expected, "cells": cells, "support": evaluation["per_class"][expected]["support"]})
    return {"rows": rows, "emotions": list(ml.EMOTIONS)}


def summary_context(collection: Collection, evaluation: summary.Evaluation) -> dict:
    data = summary.summarize(collection, evaluation)
    faces = data["faces"]
    bars = [
        {"emotion": name, "percent": 100 * data["emotions"][name] / faces if faces else 0, "n": data["emotions"][name]}
        for name in ml.EMOTIONS
    ]
    context = {"summary": data, "bars": bars}
    if data["evaluation"]:
        context["matrix"] = _matrix(collection, data["evaluation"])
        context["recall"] = [
            {
                "emotion": name,
                **data["evaluation"]["per_class"][name],
                "percent": 100 * data["evaluation"]["per_class"][name]["recall"],
            }
            for name in ml.EMOTIONS
        ]
    return context


@login_required
@require_http_methods(["GET", "POST"])
def collection_detail(request, pk):
    collection = _mine(request, pk)
    edit = CollectionForm(request.POST or None, instance=collection if request.method == "GET" else None)
    if request.method == "POST":
        if edit.is_valid():
            services.update_collection(
                collection, name=edit.cleaned_data["name"], description=edit.cleaned_data["description"]
            )
            messages.success(request, "The collection was saved.")
            return redirect("analysis:collection", pk=collection.pk)
    items = Media.objects.for_user(request.user).filter(collection=collection)
    evaluation = summary.evaluation_of(items)
    query = request.GET.copy()
    cell = (query.pop("expected", [""])[0], query.pop("predicted", [""])[0])
    no_face = query.pop("no_face", [""])[0]
    query.pop("page", None)
    form = GalleryFilterForm.from_query(query)
    tiles = form.apply(items)
    cell_title = ""
    if cell[0] in ml.EMOTIONS and cell[1] in ml.EMOTIONS:
        tiles = tiles.filter(pk__in=evaluation.cells.get(cell, []))
        cell_title = f"expected {cell[0]}, predicted {cell[1]}"
    elif no_face:
        tiles = tiles.filter(pk__in=evaluation.no_face)
        cell_title = "labelled, no face found"
    page = Paginator(tiles.only(*TILE_FIELDS).order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "collection": collection,
        "edit": edit,
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "cell_title": cell_title,
        "api_template": reverse("api:media-detail", args=[PLACEHOLDER_ID]),
        "archive_form": ArchiveForm(),
        "labels_form": LabelsForm(),
        "delete_form": DeleteCollectionForm(),
        "archive_api": reverse("api:collection-archive", args=[collection.pk]),
        "exports": {
            "csv": reverse("api:collection-export-csv", args=[collection.pk]),
            "json": reverse("api:collection-export-json", args=[collection.pk]),
        },
        **summary_context(collection, evaluation),
    }
    return render(request, "collections/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collection_delete(request, pk):
    collection = _mine(request, pk)
    # An unticked box posts nothing: bound whenever it is a POST.
    form = DeleteCollectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = collection.name
        deleted = services.delete_collection(collection, delete_items=form.cleaned_data["delete_items"])
        activity.record(request, activity.Action.COLLECTION_DELETED, services.deletion_detail(pk, deleted))
        kept = "" if form.cleaned_data["delete_items"] else " Its items are still in your gallery."
        messages.success(request, f"{name} was deleted.{kept}")
        return redirect("analysis:collections")
    return render(request, "collections/delete.html", {"collection": collection, "form": form})


@login_required
@require_POST
def collection_archive(request, pk):
    """Without JavaScript the archive form posts here; the API's archive endpoint does the same."""
    collection = _mine(request, pk)
    form = ArchiveForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a ZIP archive.")
        return redirect("analysis:collection", pk=pk)
    throttle = MemberThrottle()
    try:
        result = services.accept_archive(
            request.user, collection, form.cleaned_data["file"], admit=lambda count: throttle.admit(request, count)
        )
    except services.ArchiveRejected as exc:
        messages.error(request, f"The archive was refused, nothing was stored: {exc}")
        return redirect("analysis:collection", pk=pk)
    except services.ArchiveThrottled:
        messages.error(request, "Too many uploads in a short time (each member counts); try again later.")
        return redirect("analysis:collection", pk=pk)
    activity.record(request, activity.Action.ARCHIVE_UPLOADED, result.activity_detail())
    messages.success(request, f"{len(result.items)} item{'s' if len(result.items) != 1 else ''} queued for analysis.")
    for entry in result.rejected[:20]:
        messages.warning(request, f"{entry['name']}: {entry['reason']}")
    return redirect("analysis:collection", pk=pk)


@login_required
@require_POST
def collection_labels(request, pk):
    collection = _mine(request, pk)
    form = LabelsForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a labels.csv file.")
        return redirect("analysis:collection", pk=pk)
    try:
        labels = parse_labels(form.cleaned_data["file"].read(LABELS_MAX_BYTES + 1))
    except services.LabelsRejected as exc:
        messages.error(request, f"labels.csv: {exc}")
        return redirect("analysis:collection", pk=pk)
    labelled, unmatched = services.set_labels(collection, labels)
    text = f"{labelled} item{'s' if labelled != 1 else ''} labelled."
    if unmatched:
        text += (
            f" {len(unmatched)} line{'s' if len(unmatched) != 1 else ''} named no item ({', '.join(unmatched[:5])})."
        )
    messages.success(request, text)
    return redirect("analysis:collection", pk=pk)


@login_required
@require_POST
def item_label(request, pk):
    """The item page's form: its expected emotion and its collection."""
    media = get_object_or_404(Media.objects.for_user(request.user), pk=pk)
    form = ItemLabelForm(request.POST, user=request.user)
    if form.is_valid():
        media_services.update_media(
            media, expected_emotion=form.cleaned_data["expected_emotion"], collection=form.cleaned_data["collection"]
        )
        messages.success(request, "The label and collection were saved.")
    else:
        messages.error(request, "Choose one of the seven emotions and one of your collections.")
    return redirect("analysis:detail", pk=media.pk)
