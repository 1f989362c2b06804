from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from . import ratelimit


class RateLimitedModelBackend(ModelBackend):
    """Django's model backend that refuses, without checking the password, once the limit is hit.

    This is what makes the limit hold on every path into authenticate() (the admin's log-in, the API's
    token endpoint), not only on the log-in page, which also explains the refusal to the person.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is not None and username and ratelimit.is_blocked(username, ratelimit.client_address(request)):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
