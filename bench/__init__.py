"""Townhall's benchmarks: `make bench` runs them. They are not part of the test suite."""
