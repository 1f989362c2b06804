from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError

from . import ratelimit


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=False,
        help_text="Optional. Needed only to reset a forgotten password; never shown to anyone.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class RateLimitedAuthenticationForm(AuthenticationForm):
    """Django's log-in form, refusing to even check the password once the attempt limit is hit."""

    rate_limited = False

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = ratelimit.client_address(self.request)
        if username and ratelimit.is_blocked(username, address):
            self.rate_limited = True
            minutes = max(1, ratelimit.window_s() // 60)
            whom = "from your address" if ratelimit.address_blocked(address) else "for this account from your address"
            raise ValidationError(
                f"Too many failed log-in attempts {whom}. "
                f"Wait {minutes} minutes and try again, or reset your password.",
                code="rate_limited",
            )
        # Counting is done by signal receivers in accounts.ratelimit: a wrong password adds one
        # (user_login_failed), a successful log-in starts afresh (user_logged_in).
        return super().clean()


class PasswordConfirmForm(forms.Form):
    """Asks for the current password before an irreversible action (account deletion)."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password. Nothing was deleted.", code="wrong_password")
        return password
