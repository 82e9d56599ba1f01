"""Question types: form input in, stored answer checked, answer shown back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from townhall.catalogue.engine.definition import Option, Question
from townhall.catalogue.engine.inputs import AnswerError, NewFiles, parse_input, sniff_content_type
from townhall.catalogue.engine.questions import check_answer, display_answer, export_value, is_empty

TODAY = dt.date(2026, 3, 27)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """Date rules are checked against a fixed day, not the day the tests run."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def q(kind: str = "text", label: str = "Your name", **extra) -> Question:
    return Question(id="answer", type=kind, label=label, **extra)


def parse(question: Question, value=None, **fields):
    data = {question.id: value} if value is not None else {}
    data.update(fields)
    return parse_input(question, data, {})


def parse_files(question: Question, *uploads):
    files = MultiValueDict({question.id: list(uploads)})
    return parse_input(question, {}, files)


COLOURS = (
    Option("red", "Red"),
    Option("green", "Green", hint="Like grass"),
    Option("blue", "Blue"),
)


# ---- missing answers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (q("text", "Your name"), "Enter an answer"),
        (q("email", "Your email address?"), "Enter an email address"),
        (q("date", "When did you see it?"), "Enter a date"),
        (q("radios", "Your favourite colour?", options=COLOURS), "Select an option"),
        (q("select", "Your council", options=COLOURS), "Select an option"),
        (q("yes_no", "Is it blocking the road?"), "Select yes or no"),
        (q("checkboxes", "Which colours?", options=COLOURS), "Select at least one option"),
        (q("file", "Upload a photo"), "Select a file"),
    ],
)
@pytest.mark.parametrize("empty", [None, "", []])
def test_a_required_question_left_empty_says_what_to_do(question, message, empty):
    assert check_answer(question, empty) == message


@pytest.mark.parametrize(
    "kind", ["text", "textarea", "email", "phone", "postcode", "number", "date", "location"]
)
def test_an_optional_question_may_be_left_empty(kind):
    question = q(kind, required=False)
    assert parse(question, "   ") == ""
    assert check_answer(question, "") is None
    assert display_answer(question, "") == "Not provided"


def test_emptiness():
    assert is_empty(None) and is_empty("") and is_empty([])
    assert not is_empty(0) and not is_empty(False) and not is_empty("0")


# ---- text ------------------------------------------------------------------------


def test_text_is_stripped_of_surrounding_space():
    assert parse(q(), "  Ada Lovelace \n") == "Ada Lovelace"


def test_text_that_is_not_a_string_is_treated_as_no_answer():
    assert parse(q(), ["a", "list"]) == ""


def test_text_defaults_to_500_characters_and_textarea_to_5000():
    assert check_answer(q("text"), "x" * 500) is None
    assert check_answer(q("text"), "x" * 501) == "The answer must be 500 characters or fewer"
    assert check_answer(q("location", "Where is it?"), "x" * 501) == (
        "The answer must be 500 characters or fewer"
    )
    assert check_answer(q("textarea", "Details"), "x" * 5000) is None
    assert check_answer(q("textarea", "Details"), "x" * 5001) == (
        "The answer must be 5000 characters or fewer"
    )


def test_text_length_limits_from_the_definition():
    question = q("text", "Column number", min_length=2, max_length=4)
    assert check_answer(question, "A") == "The answer must be 2 characters or more"
    assert check_answer(question, "AB") is None
    assert check_answer(question, "ABCD") is None
    assert check_answer(question, "ABCDE") == "The answer must be 4 characters or fewer"


def test_a_stored_text_answer_must_be_text():
    assert check_answer(q("text", "Your name"), 42) == "The answer must be text"
    assert check_answer(q("textarea", "Details"), {"a": 1}) == "The answer must be text"


def test_text_is_shown_as_given():
    assert display_answer(q(), "Ada") == "Ada"


# ---- email -----------------------------------------------------------------------


def test_an_email_address_is_stripped_and_lowercased():
    assert parse(q("email"), "  Ada@Example.COM ") == "ada@example.com"


@pytest.mark.parametrize(
    "address", ["ada@example.com", "ada.lovelace+council@mail.example.co.uk", "a@b.gov.uk"]
)
def test_valid_email_addresses_are_accepted(address):
    assert check_answer(q("email"), parse(q("email"), address)) is None


@pytest.mark.parametrize(
    "address",
    ["ada", "ada@", "@example.com", "ada@example", "ada @example.com", "ada@@example.com",
     "a" * 250 + "@example.com", 7],
)  # fmt: skip
def test_invalid_email_addresses_are_refused(address):
    assert check_answer(q("email"), address) == (
        "Enter an email address in the correct format, like name@example.com"
    )


# ---- postcode --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sw1a2aa", "SW1A 2AA"),
        ("  sw1a   2aa ", "SW1A 2AA"),
        ("SW1A 2AA", "SW1A 2AA"),
        ("m11ae", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("Cr2 6xH", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
        ("ec1a 1bb", "EC1A 1BB"),
    ],
)
def test_a_postcode_is_normalised_to_capitals_with_one_space(typed, stored):
    question = q("postcode", "Postcode")
    assert parse(question, typed) == stored
    assert check_answer(question, stored) is None


@pytest.mark.parametrize("typed", ["SW1A", "12345", "SW1A 2A", "SW1A 2AAA", "ZZZZ 1ZZ", "sw1a-2aa"])
def test_a_postcode_that_is_not_a_full_uk_postcode_is_refused(typed):
    question = q("postcode", "Postcode")
    assert check_answer(question, parse(question, typed)) == (
        "Enter a full UK postcode, like SW1A 2AA"
    )


@pytest.mark.parametrize("stored", ["SW1A 2AA\n", " SW1A 2AA", "sw1a 2aa", 12345])
def test_a_stored_postcode_must_be_exactly_a_postcode(stored):
    assert check_answer(q("postcode", "Postcode"), stored) == (
        "Enter a full UK postcode, like SW1A 2AA"
    )


# ---- phone -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900 982", "07700900982"),
        ("07700-900-982", "07700900982"),
        ("(01632) 960 001", "01632960001"),
        ("+44 7700 900982", "07700900982"),
        ("0044 7700 900982", "07700900982"),
        ("020 7946 0000", "02079460000"),
        ("+44 (0)20 7946 0000", "02079460000"),
        ("+44 1632 960001", "01632960001"),
        ("07624 123456", "07624123456"),  # the Isle of Man shares +44
        ("0800 123 4567", "08001234567"),
        ("0300 123 4567", "03001234567"),
        ("016977 3123", "0169773123"),  # a 10-digit number
    ],
)
def test_a_uk_phone_number_is_accepted_without_its_punctuation(typed, stored):
    question = q("phone", "Phone number")
    assert parse(question, typed) == stored
    assert check_answer(question, stored) is None


@pytest.mark.parametrize(
    "typed",
    ["12345", "077009009", "077009009821234", "+1 202 555 0100", "O77OO 9OO 982",
     "07700.900.982", "7700900982",
     "00000000000", "01000000000",  # no such numbers
     "0909 879 0000", "0845 123 4567", "0871 123 4567",  # premium rate: the council pays
     "0700 000 0000",  # a personal number, charged like premium rate
     "07600 123456",  # a pager
     "0800 1111",  # a helpline's short number
     "44 20 7946 0000", "+44 20 7946 0000 ext 12", "tel:02079460000",
     "\uff10\uff12\uff10\uff17\uff19\uff14\uff16\uff10\uff10\uff10\uff10",  # full-width
     "+353 1 234 5678"],
)  # fmt: skip
def test_a_number_that_is_not_a_uk_phone_number_is_refused(typed):
    question = q("phone", "Phone number")
    assert check_answer(question, parse(question, typed)) == (
        "Enter a UK phone number, like 01632 960 001 or 07700 900 982"
    )


@pytest.mark.parametrize("stored", ["07700900982\n", 7700900982])
def test_a_stored_phone_number_must_be_exactly_a_phone_number(stored):
    assert check_answer(q("phone", "Phone number"), stored) is not None


@pytest.mark.parametrize("stored", ["+447700900982", "07700 900982", "00000000000"])
def test_a_phone_number_is_stored_only_in_its_national_form(stored):
    assert check_answer(q("phone", "Phone number"), stored) is not None


def test_a_phone_number_is_shown_and_exported_as_stored():
    question = q("phone", "Phone number")
    stored = parse(question, "+44 (0)7700 900 982")
    assert display_answer(question, stored) == export_value(question, stored) == "07700900982"


# ---- number ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("3", 3), (" 42 ", 42), ("1,000", 1000), ("3.5", 3.5), ("-2", -2), ("2.0", 2), ("1e3", 1000)],
)
def test_a_number_is_stored_as_a_number(typed, stored):
    value = parse(q("number", "How many bags?"), typed)
    assert value == stored
    assert type(value) is type(stored)


@pytest.mark.parametrize(
    "typed", ["three", "3 bags", "£5", "1.2.3", "nan", "inf", "-Infinity", "1e400"]
)
def test_something_that_is_not_a_number_is_refused(typed):
    with pytest.raises(AnswerError, match=r"^The answer must be a number$"):
        parse(q("number", "How many bags?"), typed)


def test_an_empty_number_is_no_answer():
    assert parse(q("number", "How many bags?"), "") == ""


def test_a_number_must_be_within_the_definitions_range():
    question = q("number", "How many bags?", min=1, max=10)
    assert check_answer(question, 0) == "The number must be 1 or more"
    assert check_answer(question, 1) is None
    assert check_answer(question, 10) is None
    assert check_answer(question, 10.5) == "The number must be 10 or less"


def test_zero_is_an_answer_not_a_missing_one():
    assert check_answer(q("number", "Depth", min=0), 0) is None


@pytest.mark.parametrize(
    "stored", ["3", True, False, [3], float("nan"), float("inf"), float("-inf")]
)
def test_a_stored_number_must_be_a_real_number(stored):
    assert check_answer(q("number", "Depth", min=0, max=100), stored) == (
        "The answer must be a number"
    )


def test_numbers_are_shown_without_needless_decimals():
    question = q("number", "Depth")
    assert display_answer(question, 3) == "3"
    assert display_answer(question, 2.5) == "2.5"
    assert display_answer(question, 0) == "0"


# ---- dates -----------------------------------------------------------------------


def date_fields(day="", month="", year=""):
    return {"answer-day": day, "answer-month": month, "answer-year": year}


def test_a_date_is_stored_in_iso_format():
    question = q("date", "When did you see it?")
    assert parse_input(question, date_fields(" 5", "1 ", "2026"), {}) == "2026-01-05"
    assert parse_input(question, date_fields("29", "2", "2024"), {}) == "2024-02-29"


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("31", "2", "2025"), ("29", "2", "2025"), ("31", "4", "2026"), ("0", "1", "2026"),
     ("1", "13", "2026"), ("x", "1", "2026"), ("1", "January", "2026"), ("-1", "1", "2026"),
     ("1", "1", "10000"), ("1", "1", "99999999999999999999")],
)  # fmt: skip
def test_an_impossible_date_is_refused(day, month, year):
    with pytest.raises(AnswerError, match=r"^The date must be a real date$"):
        parse_input(q("date", "When did you see it?"), date_fields(day, month, year), {})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (date_fields("5"), "The date must include a month and year"),
        (date_fields("5", "1"), "The date must include a year"),
        (date_fields(month="1", year="2026"), "The date must include a day"),
        (date_fields(day="5", year="2026"), "The date must include a month"),
        (date_fields(month="1"), "The date must include a day and year"),
        (date_fields(year="2026"), "The date must include a day and month"),
    ],
)
def test_a_partial_date_says_what_is_missing(fields, message):
    with pytest.raises(AnswerError) as caught:
        parse_input(q("date", "When did you see it?"), fields, {})
    assert str(caught.value) == message


def test_a_two_digit_year_asks_for_four():
    with pytest.raises(AnswerError) as caught:
        parse_input(q("date", "When did you see it?"), date_fields("5", "1", "26"), {})
    assert str(caught.value) == "The year must include 4 numbers"


def test_an_empty_date_is_no_answer():
    assert parse_input(q("date", "When?"), date_fields(" ", "", ""), {}) == ""


def test_a_past_date_rule_allows_today_and_earlier():
    question = q("date", "When did you see it?", date="past")
    assert check_answer(question, "2026-03-26") is None
    assert check_answer(question, TODAY.isoformat()) is None
    assert check_answer(question, "2026-03-28") == "The date must be today or in the past"


def test_a_future_date_rule_allows_today_and_later():
    question = q("date", "When should we collect it?", date="future")
    assert check_answer(question, "2026-03-28") is None
    assert check_answer(question, TODAY.isoformat()) is None
    assert check_answer(question, "2026-03-26") == "The date must be today or in the future"


def test_any_date_rule_allows_past_and_future():
    question = q("date", "Date")
    assert check_answer(question, "1900-01-01") is None
    assert check_answer(question, "2100-12-31") is None


@pytest.mark.parametrize(
    "stored", ["2026-02-31", "yesterday", "05/01/2026", 20260105, ["2026-01-05"]]
)
def test_a_stored_date_must_be_a_real_date(stored):
    assert check_answer(q("date", "Date"), stored) == "The date must be a real date"


def test_a_date_is_shown_in_words():
    assert display_answer(q("date", "Date"), "2026-01-05") == "5 January 2026"


# ---- radios and select ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["radios", "select"])
def test_a_single_choice_must_be_one_of_the_options(kind):
    question = q(kind, "Favourite colour", options=COLOURS)
    assert parse(question, "green") == "green"
    assert check_answer(question, "green") is None
    assert check_answer(question, "purple") == "Select an option"
    assert check_answer(question, "Green") == "Select an option"
    assert display_answer(question, "green") == "Green"


@pytest.mark.parametrize("stored", [["red"], {"red": True}, 1, True])
def test_a_stored_single_choice_that_is_not_a_value_is_refused(stored):
    question = q("radios", "Favourite colour", options=COLOURS)
    assert check_answer(question, stored) == "Select an option"


# ---- checkboxes ------------------------------------------------------------------


def test_checkboxes_read_every_ticked_box_from_a_form():
    question = q("checkboxes", "Which colours?", options=COLOURS)
    data = QueryDict(mutable=True)
    data.setlist("answer", ["red", "", "blue"])
    assert parse_input(question, data, {}) == ["red", "blue"]


def test_checkboxes_from_plain_data():
    question = q("checkboxes", "Which colours?", options=COLOURS)
    assert parse_input(question, {"answer": ["red", "blue"]}, {}) == ["red", "blue"]
    assert parse_input(question, {"answer": "green"}, {}) == ["green"]
    assert parse_input(question, {}, {}) == []


def test_checkboxes_accept_any_ticked_options():
    question = q("checkboxes", "Which colours?", options=COLOURS)
    assert check_answer(question, ["blue"]) is None
    assert check_answer(question, ["red", "green", "blue"]) is None
    assert display_answer(question, ["red", "blue"]) == "Red, Blue"


@pytest.mark.parametrize(
    "stored", [["red", "purple"], ["purple"], ["red", "red"], "red", [["red"]], [{"red": 1}], [1]]
)
def test_checkbox_values_outside_the_options_are_refused(stored):
    question = q("checkboxes", "Which colours?", options=COLOURS)
    assert check_answer(question, stored) == "Select at least one option"


def test_optional_checkboxes_may_be_left_unticked():
    question = q("checkboxes", "Which colours?", options=COLOURS, required=False)
    assert check_answer(question, parse_input(question, QueryDict(), {})) is None


# ---- yes or no -------------------------------------------------------------------


def test_yes_and_no_are_stored_as_booleans():
    question = q("yes_no", "Is it blocking the road?")
    assert parse(question, "yes") is True
    assert parse(question, "no") is False
    assert check_answer(question, True) is None
    assert check_answer(question, False) is None
    assert display_answer(question, True) == "Yes"
    assert display_answer(question, False) == "No"


@pytest.mark.parametrize("typed", ["maybe", "YES", "1", "true"])
def test_anything_but_yes_or_no_is_refused(typed):
    question = q("yes_no", "Is it blocking the road?")
    assert check_answer(question, parse(question, typed)) == "Select yes or no"


# ---- files -----------------------------------------------------------------------


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (PDF, "application/pdf"),
     (WEBP, "image/webp"), (b"GIF87a" + b"\x00" * 8, "image/gif")],
)  # fmt: skip
def test_a_files_type_is_read_from_its_first_bytes(content, kind):
    assert sniff_content_type(upload("anything.bin", content, "text/plain")) == kind


@pytest.mark.parametrize(
    "content", [b"just some text", b"", b"<svg></svg>", b"RIFF\x00\x00\x00\x00WAVE"]
)
def test_a_file_of_no_known_type_is_not_given_one(content):
    assert sniff_content_type(upload("photo.png", content)) is None


def test_sniffing_leaves_the_file_ready_to_store_from_the_start():
    photo = upload("photo.png", PNG)
    photo.read(5)
    sniff_content_type(photo)
    assert photo.read() == PNG


def test_an_accepted_upload_is_returned_for_storing():
    question = q("file", "Upload a photo", accept=("image/jpeg", "image/png"))
    photo = upload("photo.png", PNG)
    assert parse_files(question, photo) == NewFiles((photo,))


def test_a_text_file_named_png_is_refused():
    question = q("file", "Upload a photo", accept=("image/jpeg", "image/png"))
    with pytest.raises(AnswerError) as caught:
        parse_files(question, upload("photo.png", b"not really a picture", "image/png"))
    assert str(caught.value) == "The file photo.png must be a JPG or PNG"


def test_a_real_image_of_a_type_the_question_does_not_accept_is_refused():
    question = q("file", "Upload a photo", accept=("image/jpeg", "image/png"))
    with pytest.raises(AnswerError, match=r"^The file animation.gif must be a JPG or PNG$"):
        parse_files(question, upload("animation.gif", GIF, "image/gif"))


def test_without_an_accept_list_any_known_type_is_allowed():
    question = q("file", "Upload evidence")
    assert isinstance(parse_files(question, upload("letter.pdf", PDF, "application/pdf")), NewFiles)
    with pytest.raises(AnswerError, match=r"must be a JPG, PNG, GIF or PDF$"):
        parse_files(question, upload("letter.txt", b"hello"))


def test_an_oversize_file_is_refused():
    question = q("file", "Upload a photo", max_size_mb=1)
    limit = 1024 * 1024
    assert isinstance(parse_files(question, upload("ok.png", PNG.ljust(limit, b"\0"))), NewFiles)
    with pytest.raises(AnswerError) as caught:
        parse_files(question, upload("big.png", PNG.ljust(limit + 1, b"\0")))
    assert str(caught.value) == "The file big.png must be smaller than 1MB"


def test_too_many_files_are_refused():
    question = q("file", "Upload photos", max_files=2)
    photos = [upload(f"{n}.png", PNG) for n in range(3)]
    with pytest.raises(AnswerError, match=r"^Select up to 2 files$"):
        parse_files(question, *photos)
    assert parse_files(question, *photos[:2]) == NewFiles(tuple(photos[:2]))


def test_no_upload_and_empty_uploads_are_no_answer():
    question = q("file", "Upload a photo", required=False)
    assert parse_input(question, {}, {}) == ""
    assert parse_files(question, upload("empty.png", b"")) == ""


def file_record(name="photo.png", size=1000, kind="image/png"):
    return {"id": "0b4f0d5e", "name": name, "size": size, "type": kind}


def test_stored_file_records_are_checked_against_the_question():
    question = q("file", "Upload photos", accept=("image/png",), max_size_mb=1, max_files=2)
    assert check_answer(question, [file_record()]) is None
    assert check_answer(question, [file_record(), file_record("b.png")]) is None
    assert check_answer(question, [file_record()] * 3) == "Select up to 2 files"
    assert check_answer(question, [file_record(kind="image/gif")]) == (
        "The selected file must be a PNG"
    )
    assert check_answer(question, [file_record(size=1024 * 1024 + 1)]) == (
        "Each file must be smaller than 1MB"
    )
    assert check_answer(question, "photo.png") == "Select up to 2 files"


@pytest.mark.parametrize(
    "record",
    ["photo.png", {"name": "photo.png", "type": "image/png", "size": "big"}, {"type": "image/png"}],
)
def test_a_malformed_stored_file_record_is_refused(record):
    question = q("file", "Upload photos", accept=("image/png",))
    assert check_answer(question, [record]) is not None


def test_files_are_shown_by_name():
    question = q("file", "Upload photos", max_files=2)
    assert display_answer(question, [file_record("a.png"), file_record("b.jpg")]) == "a.png, b.jpg"


# ---- the author's own words ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        (q("text", required_message="Enter your name"), "", "Enter your name"),
        (q("text", max_length=3, extra={"too_long_message": "Too long"}), "abcd", "Too long"),
        (q("text", min_length=3, extra={"too_short_message": "Too short"}), "ab", "Too short"),
        (q("text", pattern="[a-z]+", pattern_message="Letters only"), "123", "Letters only"),
        (q("number", extra={"invalid_message": "Bags must be a number"}), "x", None),
        (q("number", min=1, extra={"too_small_message": "At least 1 bag"}), 0, "At least 1 bag"),
        (q("number", max=9, extra={"too_large_message": "At most 9 bags"}), 10, "At most 9 bags"),
        (q("date", extra={"invalid_message": "Not a date"}), "2026-02-31", "Not a date"),
        (q("date", date="past", extra={"too_late_message": "In the past"}), "2027-01-01",
         "In the past"),
        (q("date", date="future", extra={"too_early_message": "Not yet"}), "2020-01-01",
         "Not yet"),
        (q("radios", options=COLOURS, required_message="Pick a colour"), "purple",
         "Pick a colour"),
    ],
)  # fmt: skip
def test_an_authors_own_message_replaces_the_generic_one(question, value, message):
    if message is None:  # a number that cannot be read is refused as it is read
        with pytest.raises(AnswerError, match=r"^Bags must be a number$"):
            parse(question, value)
    else:
        assert check_answer(question, value) == message


def test_limits_of_one_are_written_in_the_singular():
    assert check_answer(q("text", max_length=1), "ab") == "The answer must be 1 character or fewer"
    with pytest.raises(AnswerError, match=r"^Select up to 1 file$"):
        parse_files(q("file"), upload("a.png", PNG), upload("b.png", PNG))


def test_large_limits_are_written_out_in_full():
    question = q("number", "Savings", max=100_000_000, min=0.5)
    assert check_answer(question, 100_000_001) == "The number must be 100000000 or less"
    assert check_answer(question, 0.25) == "The number must be 0.5 or more"
    assert display_answer(question, 1234567.5) == "1234567.5"


# ---- addresses -------------------------------------------------------------------------


def address_fields(line1="1 High Street", line2="", town="Exampleton", postcode="ex1 1aa"):
    return {"answer-line1": line1, "answer-line2": line2, "answer-town": town,
            "answer-postcode": postcode}  # fmt: skip


def test_an_address_is_stored_with_its_postcode_normalised():
    question = q("address", "Home address")
    stored = parse_input(question, address_fields(), {})
    assert stored == {"line1": "1 High Street", "line2": "", "town": "Exampleton",
                      "postcode": "EX1 1AA"}  # fmt: skip
    assert check_answer(question, stored) is None
    assert display_answer(question, stored) == "1 High Street\nExampleton\nEX1 1AA"
    assert parse_input(question, address_fields("", "", "", ""), {}) == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (address_fields(line1=""), "Enter the first line of the address"),
        (address_fields(town=""), "Enter the town or city"),
        (address_fields(postcode="nowhere"), "Enter a full UK postcode, like SW1A 2AA"),
        (
            address_fields(line2="x" * 201),
            "Each line of the address must be 200 characters or fewer",
        ),
    ],
)
def test_an_incomplete_address_says_what_is_missing(fields, message):
    question = q("address", "Home address")
    assert check_answer(question, parse_input(question, fields, {})) == message


# ---- groups ------------------------------------------------------------------------


MEMBERS = (
    Question(id="name", type="name", label="Name"),
    Question(id="age", type="number", label="Age", min=0, max=120, required=False),
)


def group(**extra):
    return q("group", "Who lives with you?", questions=MEMBERS, max_items=2, **extra)


def test_a_groups_items_are_read_checked_and_shown_by_their_title():
    question = group(extra={"item_title": "Household member"})
    form = {"answer-items": "3", "answer-0-name": "Bob", "answer-0-age": "12",
            "answer-1-name": "", "answer-1-age": "", "answer-2-name": "Cy"}  # fmt: skip
    stored = parse_input(question, form, {})
    assert stored == [{"name": "Bob", "age": 12}]  # a blank item is dropped; 2 shown at most
    assert check_answer(question, stored) is None
    assert check_answer(question, [{"name": "Bob", "age": 130}]) == (
        "Household member 1: The number must be 120 or less"
    )
    assert display_answer(question, [{"name": "Bob", "age": 12}, {"name": "Cy", "age": ""}]) == (
        "Household member 1: Bob, 12\nHousehold member 2: Cy"
    )


def test_a_group_without_a_title_numbers_its_items():
    question = group()
    assert check_answer(question, [{"name": ""}]) == "Item 1: Enter a name"
    with pytest.raises(AnswerError, match=r"^Item 1: The answer must be a number$"):
        parse_input(question, {"answer-items": "1", "answer-0-age": "old"}, {})


def test_a_group_counts_its_items():
    assert check_answer(group(), []) == "Add at least 1 item"
    assert check_answer(group(min_items=2), [{"name": "A"}]) == "Add at least 2 items"
    assert check_answer(group(), [{"name": "A"}] * 3) == "You can add up to 2 items"
    assert check_answer(group(extra={"too_many_message": "Two people at most"}),
                        [{"name": "A"}] * 3) == "Two people at most"  # fmt: skip
    assert check_answer(group(), [{"name": "A", "shoe_size": 9}]) == "Item 1: unexpected answers"


# ---- exporting answers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value", "exported"),
    [
        (q("text"), "Ada", "Ada"),
        (q("number"), 2.5, 2.5),
        (q("date"), "2026-01-05", "2026-01-05"),
        (q("radios", options=COLOURS), "green", "green"),
        (q("select", options=COLOURS), "green", "green"),
        (q("checkboxes", options=COLOURS), ["red", "blue"], ["red", "blue"]),
        (q("yes_no"), False, False),
        (q("declaration"), True, True),
        (q("file", max_files=2), [file_record("a.png"), file_record("b.jpg")], ["a.png", "b.jpg"]),
        (q("address"), {"line1": "1 High St", "line2": "", "town": "Town", "postcode": "EX1 1AA"},
         {"line1": "1 High St", "line2": "", "town": "Town", "postcode": "EX1 1AA"}),
        (group(), [{"name": "Bob", "age": 12}, {"name": "Cy"}],
         [{"name": "Bob", "age": 12}, {"name": "Cy", "age": None}]),
        (q("text"), "", None),
        (q("checkboxes", options=COLOURS), [], None),
    ],
)  # fmt: skip
def test_every_answer_exports_as_a_plain_value(question, value, exported):
    assert export_value(question, value) == exported
