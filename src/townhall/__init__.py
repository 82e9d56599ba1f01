"""Townhall: an open-source digital front door for UK local councils."""
