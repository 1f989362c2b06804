from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import ratelimit

        user_login_failed.connect(ratelimit.count_failed_login, dispatch_uid="accounts.count_failed_login")
        user_logged_in.connect(ratelimit.clear_after_login, dispatch_uid="accounts.clear_after_login")
