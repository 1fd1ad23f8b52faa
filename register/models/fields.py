"""The register's own model fields."""

from __future__ import annotations

import orjson
from django.db import models


class CodeListField(models.JSONField):
    """A list of codes (languages, sexes, care types, needs), stored as JSON, as Django's JSONField.

    Read with orjson: a page of 50 families holds 200 of these lists, and the json module's cost per
    call was about a tenth of the whole request's CPU (issue 18); orjson reads them in a sixth of
    the time. It reads the same values the json module does (but for an integer wider than 64 bits,
    which it reads as a float, and which no list of codes holds); what it refuses (a NaN, a lone
    surrogate, or the text of a key looked up on SQLite) is read Django's own way."""

    def from_db_value(self, value, expression, connection):
        if isinstance(value, str) and self.decoder is None:
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return super().from_db_value(value, expression, connection)
