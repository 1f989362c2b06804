"""The profile page's webhooks section: each endpoint with its recent attempts, and the form to add one
(a context provider of accounts.profile)."""

from django import forms

from analysis.webhooks import services as webhooks
from analysis.webhooks.models import WebhookEndpoint, WebhookEvent


class WebhookForm(forms.Form):
    url = forms.URLField(max_length=2000, label="URL", assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEvent.MEDIA_DONE, WebhookEvent.MEDIA_FAILED],
    )


def profile_context(
    user, *, webhook_form: WebhookForm | None = None, new_endpoint: WebhookEndpoint | None = None, **_others
) -> dict:
    """What the profile page shows of webhooks (``webhook_form``: one that failed to validate;
    ``new_endpoint``: one just made, whose secret is shown this once)."""
    endpoints = list(WebhookEndpoint.objects.for_user(user))
    return {
        "webhook_endpoints": [(endpoint, webhooks.recent_deliveries(endpoint)) for endpoint in endpoints],
        "webhook_form": webhook_form or WebhookForm(),
        "new_endpoint": new_endpoint,
    }
