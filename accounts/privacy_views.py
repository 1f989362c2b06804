"""The profile page's privacy controls: retention (issue 17)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.profile import render_profile
from analysis.media.forms import KeepMediaForm
from analysis.media.keep_media import describe_keep_media
from analysis.privacy import activity
from analysis.privacy import services as privacy


@login_required
@require_POST
def export(request):
    export = privacy.request_export(request.user, include_media=request.POST.get("include_media") == "true")
    activity.record(request, activity.Action.EXPORT_REQUESTED, str(export.pk))
    messages.success(request, "Your export is being made; this page shows its progress and then a download link.")
    return redirect(f"{reverse('accounts:profile')}#export")


@login_required
@require_POST
def keep_media(request):
    form = KeepMediaForm(request.POST)
    if not form.is_valid():
        return render_profile(request, status=400, keep_form=form)
    chosen = privacy.set_keep_media(request.user, form.cleaned_data["keep_media"])
    activity.record(request, activity.Action.RETENTION_CHANGED, chosen)
    described = describe_keep_media(chosen)
    messages.success(request, f"Retention saved: {described}. It applies to what you upload from now on.")
    return redirect("accounts:profile")
