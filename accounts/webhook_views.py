"""The profile page's webhooks: add (the secret shown once), send a test event, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.profile import render_profile
from analysis.privacy import activity
from analysis.web import limits
from analysis.webhooks import services as webhooks
from analysis.webhooks.models import WebhookEndpoint
from analysis.webhooks.profile import WebhookForm, remember_new_endpoint


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
            # Post/redirect/get, so a reload does not add it again; the next page shows its secret once.
            remember_new_endpoint(request, endpoint)
            return redirect(f"{reverse('accounts:profile')}#new-webhook")
    return render_profile(request, webhook_form=form, status=400)


@login_required
@require_POST
def test_webhook(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint.objects.for_user(request.user), pk=pk)
    # The API's budget (analysis.webhooks.api.WebhookSendThrottle), counted in the same cache entry.
    wait = limits.wait_s(request, "webhook-sends", "FER_WEBHOOK_SEND_RATE")
    if wait is not None:
        messages.error(request, f"Too many test events in a short time; try again in {limits.retry_text(wait)}.")
        response = render_profile(request, status=429)
        response["Retry-After"] = str(wait)
        return response
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
