"""Random draws the stages share."""

from __future__ import annotations

import random


def weighted(rng: random.Random, pairs):
    """One value of (value, weight) pairs, drawn by weight."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]
