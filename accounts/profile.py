"""The profile page, rendered from context providers: the API token here, and one section per concern
(analysis.webhooks.profile, analysis.privacy.profile). A section's view that must show the page again
(a form with errors) calls render_profile with its own keyword; each provider takes the ones it knows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from analysis.privacy import activity
from analysis.privacy import profile as privacy_profile
from analysis.webhooks import profile as webhooks_profile

PROVIDERS = (webhooks_profile.profile_context, privacy_profile.profile_context)


def token_context(user, **_others) -> dict:
    return {"token": Token.objects.filter(user=user).first()}


def render_profile(request, *, status: int = 200, **sections):
    """The profile page; ``sections`` reach every provider (``keep_form``, ``webhook_form``, ``new_endpoint``)."""
    context = token_context(request.user)
    for provider in PROVIDERS:
        context.update(provider(request.user, **sections))
    return render(request, "accounts/profile.html", context, status=status)


@login_required
def profile(request):
    return render_profile(request, new_endpoint=webhooks_profile.take_new_endpoint(request))


@login_required
@require_POST
def rotate_token(request):
    # Delete-then-create in one transaction: the old key stops working in the same commit that makes
    # the new one, and a concurrent request cannot leave the user with two tokens (user is unique).
    with transaction.atomic():
        existed = Token.objects.filter(user=request.user).delete()[0] > 0
        Token.objects.create(user=request.user)
        activity.record(request, activity.Action.TOKEN_ROTATED if existed else activity.Action.TOKEN_CREATED)
    if existed:
        messages.success(request, "A new API token was created. The old one no longer works.")
    else:
        messages.success(request, "Your API token was created.")
    return redirect("accounts:profile")
