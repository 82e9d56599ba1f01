"""`address`: two address lines, a town or city and a postcode. The stored
answer has `line1`, `line2`, `town` and `postcode`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from townhall.catalogue.engine.types.base import FormData, QuestionType, single
from townhall.catalogue.engine.types.postcode import NOT_A_POSTCODE, is_postcode, normalise_postcode
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

# (part, its label, what browsers fill it with)
ADDRESS_FIELDS = (
    ("line1", gettext_lazy("Address line 1"), "address-line1"),
    ("line2", gettext_lazy("Address line 2 (optional)"), "address-line2"),
    ("town", gettext_lazy("Town or city"), "address-level2"),
    ("postcode", gettext_lazy("Postcode"), "postal-code"),
)
ADDRESS_PARTS = tuple(part for part, _label, _autocomplete in ADDRESS_FIELDS)


@register
class AddressType(QuestionType):
    name = "address"
    fieldset = True
    grouped_inputs = True
    is_place = True
    messages = {
        "required": gettext_lazy("Enter an address"),
        "malformed": gettext_lazy("Enter the address"),
        "too_long": gettext_lazy("Each line of the address must be 200 characters or fewer"),
        "no_line1": gettext_lazy("Enter the first line of the address"),
        "no_town": gettext_lazy("Enter the town or city"),
        "postcode": NOT_A_POSTCODE,
    }
    named_messages = {
        "required": gettext_lazy("Enter %(what)s"),
        "malformed": gettext_lazy("Enter %(what)s"),
        "too_long": gettext_lazy("Each line of %(what)s must be 200 characters or less"),
        "no_line1": gettext_lazy("Enter the first line of %(what)s"),
    }

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        parts = {part: single(data, f"{question.id}-{part}") for part in ADDRESS_PARTS}
        if not any(parts.values()):
            return ""
        return {**parts, "postcode": normalise_postcode(parts["postcode"])}

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, dict) or set(value) != set(ADDRESS_PARTS):
            return self.message(question, "malformed")
        if not all(isinstance(v, str) and len(v) <= 200 for v in value.values()):
            return self.message(question, "too_long")
        if not value["line1"]:
            return self.message(question, "no_line1")
        if not value["town"]:
            return self.message(question, "no_town")
        if not is_postcode(value["postcode"]):
            return self.message(question, "postcode")
        return None

    def display(self, question: Question, value: Any) -> str:
        return "\n".join(value[part] for part in ADDRESS_PARTS if value.get(part))

    def export(self, question: Question, value: Any) -> Any:
        return {part: value.get(part, "") for part in ADDRESS_PARTS}

    def anchor(self, question: Question) -> str:
        return f"{question.id}-line1"

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        """Each box as (its id, label, autocomplete, what to show in it)."""
        stored = answer if isinstance(answer, dict) else {}
        fields = []
        for part, label, autocomplete in ADDRESS_FIELDS:
            key = f"{question.id}-{part}"
            shown = raw.get(key, "") if raw else stored.get(part, "")
            fields.append((key, label, autocomplete, str(shown)))
        return {"address_fields": fields}
