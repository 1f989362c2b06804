"""Upload validation: what a photo or a clip must be before it is stored (web side, no model)."""

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from analysis.media.images import ACCEPTED_FORMATS, load_within
from ml import video


class UploadRejected(Exception):
    """An upload that cannot be accepted; str(exc) is a message meant for the person uploading."""


def check_size(uploaded_file) -> int:
    """The upload's size in bytes; UploadRejected when it is empty."""
    size = uploaded_file.size
    if not size:
        raise UploadRejected("The file is empty.")
    return size


def is_image(uploaded_file) -> bool:
    """Whether Pillow recognises one of the accepted photo formats (from the header only)."""
    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file, formats=ACCEPTED_FORMATS):
            return True
    except UnidentifiedImageError:
        return False
    except Exception:  # a recognised but damaged or huge image: the photo path explains why
        return True
    finally:
        uploaded_file.seek(0)


def size_text(size: int) -> str:
    """A byte count as the README writes the limits: binary units, whole where whole ("20 MB",
    "1 GB", "20.5 MB"), so a 20 x 1024 x 1024 limit never reads "21 MB"."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if abs(value - round(value)) < 0.05 else f"{value:.1f} {unit}"
    return f"{size} bytes"


def read_photo(uploaded_file, size: int) -> tuple[Image.Image, str]:
    """The upload as an upright RGB image (reduced to FER_MAX_STORED_PIXELS) and its format, or
    UploadRejected.

    Only the header is read before the checks, so a tiny file cannot claim gigabytes. The upload is
    closed once decoded (Pillow's close releases the full-size pixels and the file together).
    """
    if size > settings.FER_MAX_UPLOAD_BYTES:
        raise UploadRejected(f"The file is {size_text(size)}; the limit is {size_text(settings.FER_MAX_UPLOAD_BYTES)}.")
    uploaded_file.seek(0)
    try:
        image = Image.open(uploaded_file, formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise UploadRejected("This is not a JPEG, PNG or WebP image.") from None
    except Image.DecompressionBombError:
        raise UploadRejected(_too_many_pixels_message()) from None
    source_format = image.format
    if image.width * image.height > settings.FER_MAX_IMAGE_PIXELS:
        raise UploadRejected(_too_many_pixels_message(image.width, image.height))
    try:
        # Over FER_MAX_STORED_PIXELS, decoded reduced: what is stored and analysed has at most that many.
        return load_within(image, settings.FER_MAX_STORED_PIXELS), source_format
    except Image.DecompressionBombError:
        raise UploadRejected(_too_many_pixels_message()) from None
    except (OSError, SyntaxError, ValueError) as exc:
        # Pillow reports truncated and corrupt data as OSError (or SyntaxError for broken PNG chunks).
        raise UploadRejected(f"The image data is damaged or incomplete ({exc}).") from None


def _too_many_pixels_message(width=None, height=None) -> str:
    limit = f"{settings.FER_MAX_IMAGE_PIXELS / 1e6:.0f} megapixels"
    if width is None:
        return f"The image has too many pixels; the limit is {limit}."
    return f"The image is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); the limit is {limit}."


def probe_clip(uploaded_file, size: int) -> video.VideoInfo:
    """What the clip's header says, once it is within the size, duration and picture limits."""
    if size > settings.FER_MAX_VIDEO_BYTES:
        raise UploadRejected(
            f"The file is {size_text(size)}; the limit for clips is {size_text(settings.FER_MAX_VIDEO_BYTES)}."
        )
    uploaded_file.seek(0)
    # Django keeps large uploads in a temporary file (FFmpeg reads it by path) and small ones in memory.
    source = uploaded_file.temporary_file_path() if hasattr(uploaded_file, "temporary_file_path") else uploaded_file
    long_side, short_side = settings.FER_MAX_VIDEO_LONG_SIDE, settings.FER_MAX_VIDEO_SHORT_SIDE
    try:
        # The picture size is checked from the stream's header, before a frame is decoded.
        info = video.probe(source, max_sides=(long_side, short_side))
    except video.NotAVideo:
        # Neither an accepted photo (checked first) nor a clip: say what both may be.
        raise UploadRejected("This is not a JPEG, PNG or WebP image. Clips must be MP4, MOV, WebM or AVI.") from None
    except video.InvalidVideo as exc:
        raise UploadRejected(str(exc)) from None
    finally:
        uploaded_file.seek(0)
    limit_s = settings.FER_MAX_VIDEO_SECONDS
    if info.duration_ms > limit_s * 1000:
        raise UploadRejected(
            f"The clip lasts {video.duration_text(info.duration_ms / 1000)}; "
            f"the limit is {video.duration_text(limit_s)}."
        )
    return info
