import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from rest_framework.authtoken.models import Token

from analysis.privacy.services import erase_account
from analysis.web import limits

from . import ratelimit
from .forms import PasswordConfirmForm, RateLimitedAuthenticationForm, SignUpForm

logger = logging.getLogger(__name__)


def signup(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Per address (FER_SIGNUP_RATE): every quota is per user, so accounts would multiply them.
        wait = limits.wait_s(request, "signup", "FER_SIGNUP_RATE")
        if wait is not None:
            form.add_error(
                None, f"Too many accounts were made from your address. Try again in {limits.retry_text(wait)}."
            )
            response = render(request, "accounts/signup.html", {"form": form}, status=429)
            response["Retry-After"] = str(wait)
            return response
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


def end_api_token(request, user) -> None:
    """A new password ends the API token too (sessions end already): whoever had the old password may
    have taken the token with it. The person is told on the next page."""
    if Token.objects.filter(user=user).delete()[0]:
        messages.info(
            request,
            "Your API token was deleted with your old password. Make a new one on your profile page "
            "(or POST /api/auth/token/) and give it to your scripts.",
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        end_api_token(self.request, form.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Per address (429, FER_PASSWORD_RESET_RATE); per e-mail address the mail is silently not sent
        # past FER_PASSWORD_RESET_EMAIL_RATE, so a mailbox cannot be flooded from many addresses, and
        # the answer still does not tell whether the address has an account.
        wait = limits.wait_s(self.request, "password-reset", "FER_PASSWORD_RESET_RATE")
        if wait is not None:
            form.add_error(
                None, f"Too many password resets were asked from your address. Try again in {limits.retry_text(wait)}."
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        email = form.cleaned_data["email"]
        if limits.wait_s(self.request, "password-reset-mail", "FER_PASSWORD_RESET_EMAIL_RATE", ident=email) is not None:
            logger.warning("Password reset mail not sent: too many asked for one address in a short time")
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        end_api_token(self.request, form.user)
        return response


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
