"""The profile page's webhooks: add (the secret shown once), send a test event, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.profile import render_profile
from analysis.privacy import activity
from analysis.webhooks import services as webhooks
from analysis.webhooks.models import WebhookEndpoint
from analysis.webhooks.profile import WebhookForm


@login_required
@require_POST
def add_webhook(request):
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            endpoint = webhooks.create_endpoint(request.user, form.cleaned_data["url"], form.cleaned_data["events"])
        except webhooks.WebhookRejected as exc:
            form.add_error("url", str(exc))
        else:
            activity.record(request, activity.Action.WEBHOOK_CREATED, str(endpoint.pk))
            # Rendered, not redirected: the secret is shown this once and never stored in a cookie.
            return render_profile(request, new_endpoint=endpoint)
    return render_profile(request, webhook_form=form, status=400)


@login_required
@require_POST
def test_webhook(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint.objects.for_user(request.user), pk=pk)
    try:
        webhooks.send_test(endpoint)
    except webhooks.WebhookRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"A test event is on its way to {endpoint.url}; its attempt is listed below.")
    return redirect("accounts:profile")


@login_required
@require_POST
def delete_webhook(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint.objects.for_user(request.user), pk=pk)
    webhooks.delete_endpoint(endpoint)
    activity.record(request, activity.Action.WEBHOOK_DELETED, str(pk))
    messages.success(request, f"The webhook to {endpoint.url} was deleted.")
    return redirect("accounts:profile")
