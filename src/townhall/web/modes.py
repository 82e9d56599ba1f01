"""Who is going through a service's pages: a resident online, or a member of
staff recording a phone or face-to-face contact. The same views, form engine
and templates serve both; the mode says where links point and who acts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mode:
    namespace: str  # URL namespace of the journey's views
    base_template: str
    staff: bool


RESIDENT = Mode(namespace="web", base_template="base.html", staff=False)
ASSISTED = Mode(namespace="assisted", base_template="backoffice/base.html", staff=True)
