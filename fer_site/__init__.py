# Load the Celery app with Django so that shared tasks bind to it and `delay` reaches the broker.
from fer_site.celery import app as celery_app

__all__ = ("celery_app",)
