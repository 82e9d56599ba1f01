"""Reading what staff type into a search box, and the index full-text search uses."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from townhall.cases import search
from townhall.cases.models import Case


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("Someone@Example.COM ", "email", "someone@example.com"),
        ("07700 900982", "phone", "07700900982"),
        ("+44 (0)7700 900982", "phone", "07700900982"),
        ("0044 7700-900-982", "phone", "07700900982"),
        ("sw1a2aa", "postcode", "SW1A 2AA"),
        ("Ada Lovelace", "text", None),
        ("7700", "text", None),
    ],
)
def test_a_search_is_read_as_what_it_looks_like(typed, kind, value):
    understood = search.understand(typed)
    assert understood is not None and understood.kind == kind
    if value is not None:
        assert understood.condition is not None
        assert value in str(understood.condition)


def test_nothing_worth_searching_is_none():
    assert search.understand(" ") is None
    assert search.understand("a") is None


@given(st.text(max_size=200))
def test_any_text_is_understood_without_error(typed):
    understood = search.understand(typed)
    if understood is not None:
        assert understood.kind in {"email", "phone", "postcode", "text"}
        assert len(understood.text) <= 100


@given(st.text(alphabet="0123456789 +()-", max_size=30))
def test_a_phone_number_is_national_digits_or_nothing(typed):
    phone = search.normalise_phone(typed)
    assert phone == "" or (phone.startswith("0") and phone.isdigit() and 10 <= len(phone) <= 11)


@pytest.mark.django_db
def test_full_text_search_uses_the_gin_index():
    if connection.vendor != "postgresql":
        pytest.skip("GIN indexes are PostgreSQL's")
    found = search.understand("mattress sofa")
    assert found is not None
    query = search.apply(Case.objects.all(), found)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_search_text" in plan
