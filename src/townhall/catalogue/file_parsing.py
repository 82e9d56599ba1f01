"""YAML and JSON text read into plain data, safely: safe YAML only, a key written
twice refused, merges and aliases that would explode refused, and no exception
from any scalar (dates, numbers of thousands of digits, malformed `!!int`): such
a value is read as an `Unreadable`, which a definition's first check
(`engine.plain_data`) names by its path."""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from django.utils.translation import gettext as _

from townhall.catalogue.engine.plain_data import (
    MAX_VALUES,
    Unreadable,
    date_problem,
    number_too_large,
    shown,
    too_large,
    whole_number_too_large,
)


class ParseError(ValueError):
    """Text that is not valid YAML or JSON; `problems` says why, and where."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _TooLarge(yaml.YAMLError):
    """YAML merge keys that would grow a mapping beyond any real definition."""


# Digits, beyond leading zeros, of the longest whole number worth reading:
# anything longer is far beyond MAX_NUMBER, and may be too long even to print.
_MAX_DIGITS = 64
# What PyYAML's own constructors raise on a scalar they cannot read.
_CONSTRUCTOR_FAILURES = (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError)


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses a key written twice, where plain YAML keeps the last,
    and reads every scalar without an exception: a value that cannot become plain
    data (a date, a number of thousands of digits, `!!int x`) becomes an
    `Unreadable`, which the definition's first check names by its path."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        # `!!set [a]` or `!!omap {a: 1}` can bring other nodes here: PyYAML refuses those.
        pairs = node.value if isinstance(node, yaml.MappingNode) else []
        for key_node, _value_node in pairs:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str":
                if key_node.value in seen:
                    message = _("'%(key)s' is written twice") % {"key": shown(key_node.value)}
                    raise yaml.constructor.ConstructorError(
                        None, None, message, key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # Merge keys copy pairs, so ten merges of ten merges... are a billion.
        super().flatten_mapping(node)
        if len(node.value) > MAX_VALUES:
            raise _TooLarge

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except _CONSTRUCTOR_FAILURES as error:
            # A constructor's own failure: say where, as for any other bad YAML.
            self.recursive_objects.pop(node, None)
            raise yaml.constructor.ConstructorError(
                None, None, _("this value cannot be read"), node.start_mark
            ) from error

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        written = self.construct_scalar(node)
        digits = written.replace("_", "").lstrip("+-")
        digits = digits[2:] if digits[:2] in ("0b", "0x") else digits
        if len(digits.replace(":", "").lstrip("0")) > _MAX_DIGITS:
            return Unreadable(shown(written), whole_number_too_large())
        try:
            return super().construct_yaml_int(node)
        except (ValueError, IndexError):
            message = _("%(value)s is not a whole number") % {"value": repr(shown(written))}
            return Unreadable(shown(written), message)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
        written = self.construct_scalar(node)
        try:
            value = super().construct_yaml_float(node)
        except (ValueError, IndexError):
            message = _("%(value)s is not a number") % {"value": repr(shown(written))}
            return Unreadable(shown(written), message)
        if math.isinf(value) and "inf" not in written.lower():
            return Unreadable(shown(written), number_too_large())
        return value

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> Any:
        written = self.construct_scalar(node)
        try:
            return super().construct_yaml_bool(node)
        except KeyError:
            message = _("%(value)s is not true or false") % {"value": repr(shown(written))}
            return Unreadable(shown(written), message)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # Never stored, so never built: 2026-02-30 is refused like 2026-02-28.
        written = self.construct_scalar(node)
        match = self.timestamp_regexp.match(written)
        return Unreadable(shown(written), date_problem(with_time=bool(match and match["hour"])))


for _tag in ("int", "float", "bool", "timestamp"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", getattr(_Loader, f"construct_yaml_{_tag}"))


def _yaml_load(text: str) -> Any:
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except _CONSTRUCTOR_FAILURES as error:
        # From the scanner (a \U escape beyond Unicode), or a constructor run
        # after the whole document was read: the reader's place is all there is.
        raise yaml.MarkedYAMLError(
            problem=_("a character or value here cannot be read"), problem_mark=loader.get_mark()
        ) from error
    finally:
        loader.dispose()


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(_("'%(key)s' is written twice") % {"key": shown(key)})
        data[key] = value
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(_("%(name)s is not a number a definition can hold") % {"name": name})


def _json_int(written: str) -> Any:
    if len(written.lstrip("-").lstrip("0")) > _MAX_DIGITS:
        return Unreadable(shown(written), whole_number_too_large())
    return int(written)


def _json_float(written: str) -> Any:
    value = float(written)
    return value if math.isfinite(value) else Unreadable(shown(written), number_too_large())


def parse_text(text: str, *, suffix: str) -> Any:
    """The data in `text`, JSON if `suffix` is ".json", otherwise YAML. Raises
    ParseError saying what is wrong and on which line; RecursionError when the
    text nests deeper than Python can read."""
    if suffix == ".json":
        try:
            return json.loads(
                text,
                object_pairs_hook=_json_pairs,
                parse_constant=_refuse_constant,
                parse_int=_json_int,
                parse_float=_json_float,
            )
        except json.JSONDecodeError as error:
            message = _("not valid JSON: %(problem)s (line %(line)d, column %(column)d)")
            values = {"problem": error.msg, "line": error.lineno, "column": error.colno}
            raise ParseError([message % values]) from error
        except ValueError as error:
            raise ParseError([_("not valid JSON: %(problem)s") % {"problem": error}]) from error
    try:
        return _yaml_load(text)
    except _TooLarge as error:
        raise ParseError([too_large()]) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context
        if mark is None:
            raise ParseError([_("not valid YAML: %(problem)s") % {"problem": problem}]) from error
        message = _("not valid YAML: %(problem)s (line %(line)d, column %(column)d)")
        values = {"problem": problem, "line": mark.line + 1, "column": mark.column + 1}
        raise ParseError([message % values]) from error
    except yaml.YAMLError as error:
        raise ParseError([_("not valid YAML: %(problem)s") % {"problem": error}]) from error
