from django.urls import path

from analysis.collections import views as collection_views
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
    path("media/<uuid:pk>/label/", collection_views.item_label, name="item-label"),
    path("collections/", collection_views.collection_list, name="collections"),
    path("collections/<uuid:pk>/", collection_views.collection_detail, name="collection"),
    path("collections/<uuid:pk>/delete/", collection_views.collection_delete, name="collection-delete"),
    path("collections/<uuid:pk>/archive/", collection_views.collection_archive, name="collection-archive"),
    path("collections/<uuid:pk>/labels/", collection_views.collection_labels, name="collection-labels"),
    path("live/", live_views.live_page, name="live"),
    path("live/save/", live_views.save_recording, name="live-save"),
]
