"""`phone`: a UK phone number the council can call back, stored in its national
form as digits only (07700900982), however it was written.

Whether a number exists is decided by Google's libphonenumber (the
`phonenumberslite` package: its metadata without the geocoding and carrier
data, which Townhall does not use). A number must be written as people in the
UK write one: starting 0, +44 or 0044, with spaces, brackets or hyphens as they
like (+44 (0)20 ... too). Numbers that cost the council more than an ordinary
call (premium rate, including 084 and 087, and 070 personal numbers) and
pagers are refused, as are numbers from outside the UK.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.utils.translation import gettext_lazy
from phonenumbers import PhoneNumberType

from townhall.catalogue.engine.types.base import FormData, QuestionType, single
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

SEPARATORS = re.compile(r"[\s()-]")
# As written in the UK, once the separators are gone; the length is checked
# by libphonenumber, this only keeps absurd input away from it.
UK_PHONE = re.compile(r"(\+44|0044|0)[0-9]{6,12}")
# What is stored: the national form. (Shorter numbers, such as 0800 1111,
# are helplines, not a resident's own.)
STORED = re.compile(r"0[0-9]{9,10}")
CALLABLE = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.TOLL_FREE,  # 080
        PhoneNumberType.UAN,  # 03
        PhoneNumberType.VOIP,  # 056
    }
)
# Ofcom keeps 01632 960xxx and 07700 900xxx for drama and examples, as
# Townhall's own messages use them; libphonenumber calls them unallocated.
DRAMA = ("1632960", "7700900")


def uk_phone_number(text: str) -> str | None:
    """The national form (07700900982) of a UK phone number the council can
    call, as people write one, or None when `text` is not one."""
    compact = SEPARATORS.sub("", text)
    if not UK_PHONE.fullmatch(compact):
        return None
    try:
        number = phonenumbers.parse(compact, "GB")
    except phonenumbers.NumberParseException:
        return None
    stored = f"0{number.national_number}"
    if number.country_code != 44 or number.extension or not STORED.fullmatch(stored):
        return None
    if stored.startswith(DRAMA, 1):
        return stored
    if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in CALLABLE:
        return stored
    return None


@register
class PhoneType(QuestionType):
    name = "phone"
    api_datatype = "string"
    in_groups = True
    messages = {
        "required": gettext_lazy("Enter a phone number"),
        "invalid": gettext_lazy("Enter a UK phone number, like 01632 960 001 or 07700 900 982"),
    }
    named_messages = {"required": gettext_lazy("Enter %(what)s")}

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        typed = single(data, question.id)
        # Not a number: kept as typed (less its separators) for the check to refuse.
        return uk_phone_number(typed) or SEPARATORS.sub("", typed)

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, str) or not STORED.fullmatch(value):
            return self.message(question, "invalid")
        if uk_phone_number(value) != value:
            return self.message(question, "invalid")
        return None
