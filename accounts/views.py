import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from analysis.privacy.services import erase_account

from . import ratelimit
from .forms import PasswordConfirmForm, RateLimitedAuthenticationForm, SignUpForm

logger = logging.getLogger(__name__)


def signup(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # The one configured backend (settings.AUTHENTICATION_BACKENDS) holds the session.
        login(request, user)
        messages.success(request, f"Welcome, {user.username}. Upload a photo to get started.")
        return redirect("analysis:upload")
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = RateLimitedAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.rate_limited:
            # 429 lets scripts and monitoring tell throttling from a wrong password.
            response.status_code = 429
            username = form.cleaned_data.get("username") or ""
            response["Retry-After"] = str(ratelimit.retry_after_s(username, ratelimit.client_address(self.request)))
        return response


class LogoutView(auth_views.LogoutView):
    """POST logs out (Django's view). GET shows a page with the log-out button instead of an empty 405:
    it must not log out by itself, or a link or an <img> on another site could."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "accounts/logout.html")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def delete_account(request):
    form = PasswordConfirmForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        # One transaction: media rows go through the one service that knows where their files live,
        # then the user row, whose deletion cascades to the API token so it stops authenticating in
        # the same commit. Files, and the tasks still waiting about the rows, go only once that commit
        # succeeded; the audit line (no name: analysis.privacy.services) is written then.
        with transaction.atomic():
            logout(request)
            erase_account(user)
        messages.success(request, "Your account, your photos and all results were deleted.")
        return redirect("analysis:home")
    return render(request, "accounts/delete.html", {"form": form})
