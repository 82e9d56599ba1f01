"""Test support shared by the suite (pytest plugins and helpers)."""
