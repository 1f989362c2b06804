from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "analysis"
    verbose_name = "Emotion analysis"

    def ready(self):
        # Connects the receivers: webhook events, collection.done and retention's deletion of media
        # (job_finished), the activity log (what pages and APIs record, log-ins).
        from analysis.collections import services as collections  # noqa: F401
        from analysis.media import retention  # noqa: F401
        from analysis.privacy import activity  # noqa: F401
        from analysis.webhooks import services  # noqa: F401
