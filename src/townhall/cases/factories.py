from __future__ import annotations

from typing import Any

from townhall.cases import services
from townhall.cases.models import Case, Channel
from townhall.catalogue.models import Service

FLY_TIPPING_ANSWERS: dict[str, Any] = {
    "waste_type": "furniture",
    "size": "small_van",
    "location": "Behind the shops on Castle Street, OX1 1AA",
    "seen_on": "2026-01-05",
    "description": "",
    "photos": "",
    "email": "resident@example.com",
}


def submitted_case(
    service: Service, answers: dict[str, Any] | None = None, *, channel: str = Channel.WEB
) -> Case:
    """A case made the way residents make them: a draft, answered, submitted."""
    version = service.published_version
    if version is None:
        raise ValueError(f"{service} has no published version")
    draft = services.draft_start(service_version=version, channel=channel)
    services.draft_save_answers(draft=draft, answers=answers or FLY_TIPPING_ANSWERS)
    return services.case_submit(draft=draft)


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image, for tests of photos and their thumbnails."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()
