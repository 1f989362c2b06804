"""The item page's privacy controls (issue 17): asking for a blurred copy."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from analysis.media import activity, services
from analysis.media.models import Media
from analysis.media.serializers import anonymized_fields


class AnonymizeForm(forms.Form):
    below_confidence = forms.FloatField(required=False, min_value=0.0, max_value=1.0)
    show_emotion = forms.BooleanField(required=False)


def anonymized_context(media: Media, request) -> dict:
    """What the item page shows of its blurred copy (the API's fields, and the name to save it as)."""
    extension = "jpg" if media.kind == Media.Kind.PHOTO else "mp4"
    return {**anonymized_fields(media, request), "name": media.download_name("blurred", extension)}


@login_required
@require_POST
def anonymize(request, pk):
    media = get_object_or_404(Media.objects.for_user(request.user), pk=pk)
    form = AnonymizeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The confidence is a number from 0 to 1.")
        return redirect("analysis:detail", pk=media.pk)
    try:
        asked = services.request_anonymized(media, **form.cleaned_data)
    except services.AnonymizeRefused as exc:
        messages.error(request, str(exc))
    else:
        if asked:
            activity.record(request, activity.Action.COPY_REQUESTED, activity.copy_detail(media, "blurred"))
        messages.success(request, "The blurred copy is being made; this page shows it when it is ready.")
    return redirect("analysis:detail", pk=media.pk)
