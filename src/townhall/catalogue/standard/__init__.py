"""The standard catalogue: service definitions any council can import unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

STANDARD_DIR = Path(__file__).parent


def load_definition_file(path: Path) -> Any:
    """Read one YAML or JSON definition file."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def standard_definitions() -> list[tuple[Path, Any]]:
    return [(path, load_definition_file(path)) for path in sorted(STANDARD_DIR.glob("*.yaml"))]
