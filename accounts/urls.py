from django.contrib.auth import views as auth_views
from django.urls import path

from . import privacy_views, profile, views, webhook_views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    # Only a POST logs out, so a link or an <img> on another site cannot log you out; GET shows the button.
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", profile.profile, name="profile"),
    path("token/", profile.rotate_token, name="rotate_token"),
    path("privacy/keep-media/", privacy_views.keep_media, name="keep_media"),
    path("privacy/export/", privacy_views.export, name="export"),
    path("webhooks/", webhook_views.add_webhook, name="add_webhook"),
    path("webhooks/<uuid:pk>/test/", webhook_views.test_webhook, name="test_webhook"),
    path("webhooks/<uuid:pk>/delete/", webhook_views.delete_webhook, name="delete_webhook"),
    path("delete/", views.delete_account, name="delete"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
