"""The one pattern for control characters, shared by definitions and answers."""

from __future__ import annotations

import re

# Control characters other than tab and line breaks: never shown to anyone, and
# a NUL cannot even be stored by PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
