"""The page of a saved live recording: its per-second timeline (analysis.media.views.detail).

A recording is an item like any other once saved (analysis.live.recordings); its page is the items'.
"""

from django.shortcuts import render

import ml
from analysis.media.models import Media


def top_emotion(probabilities: dict) -> str:
    """The most probable emotion of one second's probabilities."""
    return max(ml.EMOTIONS, key=lambda name: probabilities[name])


def recording_timeline(media: Media, width: int = 600, height: int = 90) -> dict:
    """SVG path data per emotion for a live recording's per-second rows, drawn like a clip's timeline."""
    rows = list(media.detections.order_by("frame").values_list("timestamp_ms", "probabilities"))
    total = max(media.duration_ms or 0, 1)
    lines = []
    for name in ml.EMOTIONS:
        path, last = [], None
        for timestamp, probabilities in rows:
            if not probabilities:
                last = None  # a gap where no face was seen
                continue
            command = "L" if last is not None and timestamp - last <= 1000 else "M"
            x = width * (timestamp + 500) / total
            y = height - 4 - (height - 8) * probabilities[name]
            path.append(f"{command}{x:.1f},{y:.1f}")
            last = timestamp
        lines.append({"emotion": name, "d": "".join(path)})
    seen = [probabilities for _, probabilities in rows if probabilities]
    shares = [
        {"emotion": name, "percent": 100 * sum(p[name] for p in seen) / len(seen) if seen else 0.0}
        for name in ml.EMOTIONS
    ]
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "shares": shares,
        "seconds": len(rows),
        "seconds_with_face": len(seen),
    }


def recording_detail(request, media):
    """The detail page of a saved live recording: its per-second timeline."""
    return render(request, "analysis/live_recording.html", {"media": media, "timeline": recording_timeline(media)})
