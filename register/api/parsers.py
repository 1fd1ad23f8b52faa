"""JSON bodies read with a bound on their nesting.

Python's json module recurses once per level of `[` or `{`: about a thousand levels (2 KB of
brackets, no login needed) raise RecursionError, which DRF does not catch, and a body a little less
deep would still reach serializers, error rendering and the database nested that deep. No request
of the API needs more than a few levels, so a body deeper than MAX_DEPTH is refused with DRF's
ParseError (400 `parse_error`, API.md's error shape) before it is decoded.
"""

from __future__ import annotations

import codecs
import json
import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32  # the deepest body of API.md (a child with kin, a batch plan) has 3 or 4

# A JSON string (brackets inside one do not nest) or a bracket.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether `text`, read as JSON, opens more than `limit` objects or lists inside one another.
    Counted without recursion, so that any depth can be measured."""
    if text.count("[") + text.count("{") <= limit:
        return False  # too few brackets in all to go that deep: nearly every body
    depth = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece in "[{":
            depth += 1
            if depth > limit:
                return True
        elif piece in "]}":
            depth -= 1
    return False


def too_deep_message() -> str:
    return _("The request body is nested too deeply: at most %(depth)d levels of objects and lists.") % {
        "depth": MAX_DEPTH
    }


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the nesting bound; the API's default (REST_FRAMEWORK) and the one a
    view naming its parsers should name."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as exc:
            raise ParseError(_("The request body is not valid %(encoding)s.") % {"encoding": encoding}) from exc
        if json_depth_exceeds(text):
            raise ParseError(too_deep_message())
        try:
            return json.loads(text, parse_constant=strict_constant if self.strict else None)
        except RecursionError:  # belt and braces: the count above should make this unreachable
            raise ParseError(too_deep_message()) from None
        except json.JSONDecodeError as exc:
            raise ParseError(
                _("The request body is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from None
        except ValueError:  # NaN or Infinity, which JSON does not have
            raise ParseError(_("The request body is not valid JSON.")) from None
