"""Photos' Face rows become Detection rows, the one result shape: frame 0 at time 0, the track the
face's number counted left to right (the order the page lists them in)."""

from django.db import migrations


def faces_to_detections(apps, schema_editor):
    Face = apps.get_model("analysis", "Face")
    Detection = apps.get_model("analysis", "Detection")
    batch, media_id, number = [], None, 0
    for face in Face.objects.order_by("media_id", "x", "y", "id").iterator(chunk_size=2000):
        number = number + 1 if face.media_id == media_id else 1
        media_id = face.media_id
        batch.append(
            Detection(
                media_id=face.media_id,
                frame=0,
                timestamp_ms=0,
                track=number,
                box=[face.x, face.y, face.w, face.h],
                probabilities=face.probabilities,
                emotion=face.emotion,
            )
        )
        if len(batch) >= 2000:
            Detection.objects.bulk_create(batch)
            batch = []
    Detection.objects.bulk_create(batch)


def detections_to_faces(apps, schema_editor):
    Face = apps.get_model("analysis", "Face")
    Detection = apps.get_model("analysis", "Detection")
    photos = Detection.objects.filter(media__kind="photo").exclude(track=None)
    Face.objects.bulk_create(
        Face(
            media_id=d.media_id,
            x=d.box[0],
            y=d.box[1],
            w=d.box[2],
            h=d.box[3],
            probabilities=d.probabilities,
            emotion=d.emotion,
            confidence=d.probabilities.get(d.emotion, 0.0),
        )
        for d in photos.iterator(chunk_size=2000)
    )
    photos.delete()


class Migration(migrations.Migration):
    dependencies = [("analysis", "0003_annotated_copy_job")]

    operations = [migrations.RunPython(faces_to_detections, detections_to_faces)]
