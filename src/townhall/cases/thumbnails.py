"""Small JPEG thumbnails of photos residents sent, for the case page and
(where a service publishes photos) its public report.

Made with Pillow (ADR 0035), defensively: only the image types the upload
question accepts are opened, an image larger than `MAX_PIXELS` is refused
before it is decoded (no decompression bombs), any decoding error means "no
thumbnail" rather than a 500, and the result is re-encoded from pixels alone,
so nothing the file carried (EXIF, with its GPS position and camera serial
numbers, or anything hidden after the image) reaches the browser. Thumbnails
are small and quick to make, so they are made when asked for and cached by
the browser (privately), not stored."""

from __future__ import annotations

import io
import logging
import warnings

from townhall.cases.models import Attachment
from townhall.cases.public import IMAGE_TYPES

logger = logging.getLogger(__name__)

FORMATS = ["JPEG", "PNG", "GIF", "WEBP"]
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; phones take 12 to 48
SIZE = (320, 320)


def is_image(content_type: str) -> bool:
    return content_type in IMAGE_TYPES


def thumbnail_bytes(attachment: Attachment, *, size: tuple[int, int] = SIZE) -> bytes | None:
    """A JPEG no larger than `size`, or None if the file is not an image
    Pillow can safely read."""
    from PIL import Image, ImageOps

    try:
        with attachment.file.open("rb") as stored, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(stored, formats=FORMATS)
            width, height = opened.size
            if width * height > MAX_PIXELS:
                return None
            opened.draft("RGB", size)  # JPEG: decode at a fraction of full size
            image = ImageOps.exif_transpose(opened)
            image.thumbnail(size)
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=80)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as error:
        logger.info("No thumbnail for attachment %s: %s", attachment.pk, type(error).__name__)
        return None
    return out.getvalue()
