from django.urls import path

from analysis import files

app_name = "files"

urlpatterns = [
    path("<uuid:pk>/original/", files.original, name="original"),
    path("<uuid:pk>/thumbnail/", files.thumbnail, name="thumbnail"),
    path("<uuid:pk>/playable/", files.playable, name="playable"),
    path("<uuid:pk>/annotated/", files.annotated, name="annotated"),
    path("<uuid:pk>/anonymized/", files.anonymized, name="anonymized"),
    path("exports/<uuid:pk>/", files.export, name="export"),
]
