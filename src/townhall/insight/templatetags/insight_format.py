"""Show insight's numbers: pounds from pence, percentages, counts."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from townhall.insight.report import Kind, Value

register = template.Library()


@register.filter
def figure(value: Value, kind: str) -> str:
    """`value` as a reader expects a figure of `kind`: "£1,234.56", "81.2%"."""
    if value is None:
        return _("not known")
    if kind == Kind.PENCE and isinstance(value, int | float):
        pounds = number_format(round(value / 100, 2), decimal_pos=2, force_grouping=True)
        return f"-£{pounds[1:]}" if pounds.startswith("-") else f"£{pounds}"
    if kind == Kind.SHARE and isinstance(value, int | float):
        return number_format(round(100 * value, 1), decimal_pos=1) + "%"
    if kind == Kind.COUNT and isinstance(value, int | float):
        return number_format(round(value), force_grouping=True)
    if kind == Kind.DAYS and isinstance(value, int | float):
        return number_format(value, decimal_pos=1)
    return str(value)


@register.filter
def cells(row: list[Value], columns: list[object]) -> list[tuple[Value, object]]:
    return list(zip(row, columns, strict=True))


ROW_HEIGHT = 28  # SVG units a chart row takes
BAR_SPACE = 660  # SVG units the longest bar fills, after a 320-unit label


@register.filter
def chart_height(rows: int) -> int:
    return max(rows, 1) * ROW_HEIGHT


@register.filter
def chart_y(index: int, offset: int) -> int:
    return index * ROW_HEIGHT + offset


@register.filter
def chart_width(percent: float) -> str:
    return f"{max(percent, 0) * BAR_SPACE / 100:.1f}"
