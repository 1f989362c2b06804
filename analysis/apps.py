from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "analysis"
    verbose_name = "Emotion analysis"

    def ready(self):
        # Connects the job_finished receivers: webhook events, and retention's deletion of media.
        from analysis import retention, webhooks  # noqa: F401
