from django.urls import path

from analysis.live import views as live_views
from analysis.media import anonymize, views

app_name = "analysis"

urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("gallery/", views.gallery, name="gallery"),
    path("media/<uuid:pk>/", views.detail, name="detail"),
    path("media/<uuid:pk>/delete/", views.delete, name="delete"),
    path("media/<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("media/<uuid:pk>/annotate/", views.annotate, name="annotate"),
    path("media/<uuid:pk>/anonymize/", anonymize.anonymize, name="anonymize"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("live/", live_views.live_page, name="live"),
    path("live/save/", live_views.save_recording, name="live-save"),
]
