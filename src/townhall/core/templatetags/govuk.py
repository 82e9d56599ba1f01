"""Small helpers for GOV.UK Frontend markup in templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

from townhall.core.service_text import render_html

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`{{ errors|get_item:question.id }}`: look a key up in a dict."""
    if hasattr(mapping, "get"):
        return mapping.get(key)
    return None


@register.filter
def entries(mapping: Any) -> list[tuple[Any, Any]]:
    """`{% for key, value in errors|entries %}`: a dict's pairs. Django's own
    `errors.items` would look up a key named "items" first, and question ids
    such as `items`, `keys` or `values` are allowed."""
    return list(mapping.items()) if hasattr(mapping, "items") else []


@register.filter
def service_text(text: str) -> SafeString:
    """Text a council wrote (safe Markdown) with GOV.UK Frontend's typography."""
    return render_html(text)


@register.filter
def govuk_date(value: dt.date | dt.datetime | None) -> str:
    """A date as GOV.UK writes it: 30 November 2026."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(value, "j F Y")


@register.filter
def govuk_time(value: dt.datetime | dt.time | None) -> str:
    """A time as GOV.UK writes it: 11:52am, 3pm, midday, midnight."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.time()
    return _time_words(value)


def _time_words(value: dt.time) -> str:
    if (value.hour, value.minute) == (0, 0):
        return str(pgettext("a time", "midnight"))
    if (value.hour, value.minute) == (12, 0):
        return str(pgettext("a time", "midday"))
    hour = value.hour % 12 or 12
    suffix = pgettext("a time", "am") if value.hour < 12 else pgettext("a time", "pm")
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{suffix}"


@register.filter
def govuk_datetime(value: dt.datetime | None) -> str:
    """A moment as GOV.UK writes it: 30 November 2026 at 11:52am."""
    if not value:
        return ""
    return str(
        pgettext("a date and time", "%(date)s at %(time)s")
        % {"date": govuk_date(value), "time": govuk_time(value)}
    )
