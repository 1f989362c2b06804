"""The profile page's webhooks: add (the secret shown once), send a test event, delete."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from analysis import activity, webhooks
from analysis.models import WebhookEndpoint
from analysis.webhook_models import WebhookEvent


class WebhookForm(forms.Form):
    url = forms.URLField(max_length=2000, label="URL", assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEvent.MEDIA_DONE, WebhookEvent.MEDIA_FAILED],
    )


def profile_context(user, form: WebhookForm | None = None, new_endpoint: WebhookEndpoint | None = None) -> dict:
    """What the profile page shows of webhooks: each endpoint with its recent attempts, and the form."""
    endpoints = list(WebhookEndpoint.objects.for_user(user))
    return {
        "webhook_endpoints": [(endpoint, webhooks.recent_deliveries(endpoint)) for endpoint in endpoints],
        "webhook_form": form or WebhookForm(),
        "new_endpoint": new_endpoint,
    }


@login_required
@require_POST
def add_webhook(request):
    # Imported here: accounts.views imports this module for the page's context.
    from accounts.views import render_profile

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
    return render_profile(request, form=form, status=400)


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
