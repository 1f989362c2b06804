"""What the owner of a photo or clip reads when its analysis or copy fails in an expected way."""


def explain(exc: Exception) -> str | None:
    """The owner's message for a damaged image or clip; None for a failure nobody expected."""
    # Imported here: ml.pipeline is the worker's, and this runs only where a job failed.
    from ml import video
    from ml.pipeline import InvalidImage

    if isinstance(exc, InvalidImage):
        return f"This image could not be analysed: {exc}"
    if isinstance(exc, video.InvalidVideo):
        return str(exc)
    return None
