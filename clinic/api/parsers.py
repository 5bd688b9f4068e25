"""The API's JSON parser: plain JSON, but never a 500 from its shape.

Python's decoder recurses once per nesting level, so `'[' * 100000` raises
RecursionError (a 500 before any view runs), and a body just under the limit
would recurse again in the serializers. A lone surrogate (`"\\ud800"`) decodes
fine but cannot be encoded back to UTF-8, so the 400 that echoes it would
itself fail. Both are refused here, once, for every endpoint.
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

# Deeper than any request of this API (a plan with nested lists is 3 levels).
MAX_DEPTH = 20


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_json(data) -> None:
    """Refuse nesting deeper than MAX_DEPTH (400) and strings that are not
    valid Unicode text (400 naming the field, e.g. `massage_components.0.technique`)."""
    stack = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep.")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and _has_surrogate(key):
                    raise ValidationError({"non_field_errors": ["A key is not valid text."]})
                stack.append((item, depth + 1, name))
        elif isinstance(value, str) and _has_surrogate(value):
            raise ValidationError(
                {path or "non_field_errors": ["Contains a character that is not valid text."]}
            )


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep.") from exc
        check_json(data)
        return data
