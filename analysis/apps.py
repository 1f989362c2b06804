from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "analysis"
    verbose_name = "Emotion analysis"

    def ready(self):
        # Connects the receivers: webhook events and retention's deletion of media (job_finished), log-ins.
        from analysis import activity, retention, webhooks  # noqa: F401
