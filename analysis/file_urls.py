from django.urls import path

from analysis.media import files
from analysis.privacy import files as export_files

app_name = "files"

urlpatterns = [
    path("<uuid:pk>/original/", files.original, name="original"),
    path("<uuid:pk>/thumbnail/", files.thumbnail, name="thumbnail"),
    path("<uuid:pk>/playable/", files.playable, name="playable"),
    path("<uuid:pk>/annotated/", files.annotated, name="annotated"),
    path("<uuid:pk>/anonymized/", files.anonymized, name="anonymized"),
    path("exports/<uuid:pk>/", export_files.export, name="export"),
]
