from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "analysis"
    verbose_name = "Emotion analysis"

    def ready(self):
        # Connects the job_finished receiver that records webhook events.
        from analysis import webhooks  # noqa: F401
