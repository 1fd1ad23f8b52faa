"""Search keys of people's names (issue 14): one row per word a person can be found by.

A carer is found by the primary carer's names in both scripts, the household name, the phone and the
reference; a child by their names in both scripts, the reference and partner systems' ids. Each is
stored as its canonical words (register.rules.names: Khmer in one character order, no zero-width
characters, case and accents folded) and the phonetic keys of its romanised words, written by the
services on every change. A search looks each typed word up by prefix or phonetic key on the indexed
`key`, so it never reads the whole register.
"""

from django.db import models

KEY_LENGTH = 100


class CarerSearchKey(models.Model):
    carer = models.ForeignKey("register.Carer", on_delete=models.CASCADE, related_name="search_keys")
    # db_index: on PostgreSQL Django adds a varchar_pattern_ops index too, which serves `LIKE 'word%'`.
    key = models.CharField(max_length=KEY_LENGTH, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["carer", "key"], name="carer_search_key_once")]
        # A typed word's families read from the index alone (PostgreSQL: an index-only scan of the prefix).
        indexes = [
            models.Index(
                fields=["key", "carer"], name="carer_key_prefix", opclasses=["varchar_pattern_ops", "uuid_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.key


class ChildSearchKey(models.Model):
    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="search_keys")
    key = models.CharField(max_length=KEY_LENGTH, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "key"], name="child_search_key_once")]
        indexes = [
            models.Index(
                fields=["key", "child"], name="child_key_prefix", opclasses=["varchar_pattern_ops", "uuid_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.key
