"""Why a family ranks where it does, or why it is left out, as structured facts.

A fact is a code and its parameters (no sentences here: the core knows no language). The Django layer
turns each code into a sentence in Khmer or English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .ranking import Ranking
from .types import Unit


@dataclass(frozen=True)
class Fact:
    code: str
    params: dict = field(default_factory=dict)


def _names(mask: int, vocab: tuple[str, ...]) -> list[str]:
    return [name for i, name in enumerate(vocab) if mask & (1 << i)]


def _name(index: int, vocab: tuple[str, ...]) -> str:
    return vocab[index] if 0 <= index < len(vocab) else ""


def _same_or_different(kind: str, family: int, child: int, vocab: dict) -> Fact:
    """`same_<kind>` or `different_<kind>` (religion, ethnicity), naming the child's."""
    code = f"same_{kind}" if family == child else f"different_{kind}"
    return Fact(code, {kind: _name(child, vocab.get(kind, ()))})


def explain_candidate(ranking: Ranking, unit: Unit, index: int) -> list[Fact]:
    """The facts behind family `index`'s place: its exclusions if it has any, else its strengths and
    weaknesses, strongest reasons first (kinship, distance, then culture, then skills)."""
    c = ranking.carers
    ev = ranking.evaluation
    vocab = c.vocab
    facts: list[Fact] = []

    reasons = ranking.reasons_of(index)
    if reasons:
        details = {
            "no_vacancy": {"vacancies": int(c.vacancies[index]), "children": unit.size},
            "age_out_of_range": {
                "age_min": int(c.age_min[index]),
                "age_max": int(c.age_max[index]),
                "ages": sorted(ch.age for ch in unit.children),
            },
            "sibling_group_too_large": {"max": int(c.max_sibling_group[index]), "children": unit.size},
            "need_not_supported": {"needs": _names(unit.needs & ~int(c.needs_supported[index]), vocab.get("need", ()))},
            "care_type_not_offered": {"care_type": _name(unit.care_type, vocab.get("care_type", ()))},
        }
        return [Fact(f"excluded.{code}", details.get(code, {})) for code in reasons]

    if ev.is_kin[index]:
        facts.append(Fact("kin"))
    elif unit.kin_partial and c.ids[index] in unit.kin_partial:
        facts.append(Fact("kin_of_some"))

    home = ev.home_km[index]
    if np.isnan(home):
        facts.append(Fact("location_unknown"))
    else:
        facts.append(Fact("home_distance", {"km": round(float(home), 1)}))
    school = ev.school_km[index]
    if not np.isnan(school):
        facts.append(Fact("school_distance", {"km": round(float(school), 1)}))

    lang_vocab = vocab.get("language", ())
    if unit.languages:
        first = unit.languages[0]
        spoken = int(c.languages[index])
        if spoken & (1 << first):
            facts.append(Fact("speaks_first_language", {"language": lang_vocab[first]}))
        elif any(spoken & (1 << lang) for lang in unit.languages):
            facts.append(Fact("speaks_other_language", {"language": lang_vocab[first]}))
        else:
            facts.append(Fact("no_common_language", {"language": lang_vocab[first]}))

    facts.append(_same_or_different("religion", int(c.religion[index]), unit.religion, vocab))
    facts.append(_same_or_different("ethnicity", int(c.ethnicity[index]), unit.ethnicity, vocab))

    if unit.needs:
        need_vocab = vocab.get("need", ())
        trained = int(c.trained_needs[index])
        covered = _names(unit.needs & trained, need_vocab)
        missing = _names(unit.needs & ~trained, need_vocab)
        facts.append(
            Fact(
                "trained_for_needs" if not missing else "not_trained_for_needs",
                {"covered": covered, "missing": missing},
            )
        )

    placed, broke = int(c.past_placements[index]), int(c.breakdowns[index])
    if placed == 0:
        facts.append(Fact("no_past_placements"))
    else:
        facts.append(Fact("past_placements", {"placements": placed, "breakdowns": broke}))

    facts.append(
        Fact(
            "age_range",
            {
                "age_min": int(c.age_min[index]),
                "age_max": int(c.age_max[index]),
                "ages": sorted(ch.age for ch in unit.children),
            },
        )
    )
    return facts
