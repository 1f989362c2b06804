"""The profile page's webhooks section: each endpoint with its recent attempts, and the form to add one
(a context provider of accounts.profile)."""

from django import forms
from django.conf import settings

from analysis.webhooks import services as webhooks
from analysis.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def url_help() -> str:
    """What the URL field allows on this site, and how to allow http:// and private addresses."""
    allowed = "http:// or https://" if settings.FER_WEBHOOK_ALLOW_HTTP else "https://"
    where = "any address" if settings.FER_WEBHOOK_ALLOW_PRIVATE else "a public address"
    text = f"{allowed} URLs to {where}."
    if not (settings.FER_WEBHOOK_ALLOW_HTTP and settings.FER_WEBHOOK_ALLOW_PRIVATE):
        text += (
            " For local development, start the site with FER_WEBHOOK_ALLOW_HTTP=True (http://) and"
            " FER_WEBHOOK_ALLOW_PRIVATE=True (127.0.0.1, localhost and private networks)."
        )
    return text


class WebhookForm(forms.Form):
    url = forms.URLField(max_length=2000, label="URL", assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[WebhookEvent.MEDIA_DONE, WebhookEvent.MEDIA_FAILED],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].help_text = url_help()  # read at each request: the settings may change


# Where a just-added endpoint's id waits for the next page (post/redirect/get). The session is kept on
# the server (its cookie holds a key only), so the secret itself never travels in a cookie.
NEW_ENDPOINT_KEY = "new_webhook"


def remember_new_endpoint(request, endpoint: WebhookEndpoint) -> None:
    request.session[NEW_ENDPOINT_KEY] = str(endpoint.pk)


def take_new_endpoint(request) -> WebhookEndpoint | None:
    """The endpoint added just before, once (its secret is shown this once); None otherwise."""
    pk = request.session.pop(NEW_ENDPOINT_KEY, None)
    return WebhookEndpoint.objects.for_user(request.user).filter(pk=pk).first() if pk else None


def last_failure(deliveries: list[WebhookDelivery]) -> WebhookDelivery | None:
    """The newest attempt when it failed (the endpoint is failing now), else None."""
    return deliveries[0] if deliveries and not deliveries[0].succeeded else None


def profile_context(
    user, *, webhook_form: WebhookForm | None = None, new_endpoint: WebhookEndpoint | None = None, **_others
) -> dict:
    """What the profile page shows of webhooks (``webhook_form``: one that failed to validate;
    ``new_endpoint``: one just made, whose secret is shown this once): each endpoint with its recent
    attempts and its last failure, when its newest attempt failed."""
    endpoints = list(WebhookEndpoint.objects.for_user(user))
    rows = []
    for endpoint in endpoints:
        deliveries = webhooks.recent_deliveries(endpoint)
        rows.append((endpoint, deliveries, last_failure(deliveries)))
    return {
        "webhook_endpoints": rows,
        "webhook_form": webhook_form or WebhookForm(),
        "new_endpoint": new_endpoint,
    }
