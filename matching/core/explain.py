"""Why a family ranks where it does, or why it is left out, as structured facts.

A fact is a code and its parameters (no sentences here: the core knows no language). The Django layer
turns each code into a sentence in Khmer or English. Every fact about a factor names the family's own
value beside the child's (or the sibling group's: `children` says how many are placed together), so a
sentence never leaves the reader to guess whose value is in brackets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .ranking import Ranking
from .types import COMPONENTS, Unit


@dataclass(frozen=True)
class Fact:
    code: str
    params: dict = field(default_factory=dict)


def _names(mask: int, vocab: tuple[str, ...]) -> list[str]:
    return [name for i, name in enumerate(vocab) if mask & (1 << i)]


def _name(index: int, vocab: tuple[str, ...]) -> str:
    return vocab[index] if 0 <= index < len(vocab) else ""


def _same_or_different(kind: str, family: int, child: int, vocab: dict, children: int) -> Fact:
    """`same_<kind>` or `different_<kind>` (religion, ethnicity), naming the family's and the child's."""
    names = vocab.get(kind, ())
    code = f"same_{kind}" if family == child else f"different_{kind}"
    return Fact(code, {"family": _name(family, names), "child": _name(child, names), "children": children})


def exclusion_facts(ranking: Ranking, unit: Unit, index: int) -> list[Fact]:
    """One fact per hard filter family `index` fails (none when it is eligible)."""
    c = ranking.carers
    vocab = c.vocab
    details = {
        "no_vacancy": {"vacancies": int(c.vacancies[index]), "children": unit.size},
        "age_out_of_range": {
            "age_min": int(c.age_min[index]),
            "age_max": int(c.age_max[index]),
            "ages": sorted(ch.age for ch in unit.children),
            "children": unit.size,
        },
        "sibling_group_too_large": {"max": int(c.max_sibling_group[index]), "children": unit.size},
        "need_not_supported": {"needs": _names(unit.needs & ~int(c.needs_supported[index]), vocab.get("need", ()))},
        "care_type_not_offered": {"care_type": _name(unit.care_type, vocab.get("care_type", ()))},
    }
    return [Fact(f"excluded.{code}", details.get(code, {})) for code in ranking.reasons_of(index)]


def factor_facts(ranking: Ranking, unit: Unit, index: int) -> dict[str, Fact]:
    """For an eligible family: one fact per score component that applies, keyed by component."""
    c = ranking.carers
    ev = ranking.evaluation
    vocab = c.vocab
    n = unit.size
    facts: dict[str, Fact] = {}

    if ev.is_kin[index]:
        facts["kinship"] = Fact("kin", {"children": n})
    elif unit.kin_partial and c.ids[index] in unit.kin_partial:
        facts["kinship"] = Fact("kin_of_some", {"children": n})
    else:
        facts["kinship"] = Fact("not_kin", {"children": n})

    home = ev.home_km[index]
    facts["home_proximity"] = (
        Fact("location_unknown", {"children": n})
        if np.isnan(home)
        else Fact("home_distance", {"km": round(float(home), 1), "children": n})
    )
    school = ev.school_km[index]
    facts["school_proximity"] = (
        Fact("school_distance_unknown", {"children": n})
        if np.isnan(school)
        else Fact("school_distance", {"km": round(float(school), 1), "children": n})
    )

    lang_vocab = vocab.get("language", ())
    if unit.languages:
        first = unit.languages[0]
        spoken = int(c.languages[index])
        params = {"language": _name(first, lang_vocab), "spoken": _names(spoken, lang_vocab), "children": n}
        if spoken & (1 << first):
            facts["language"] = Fact("speaks_first_language", params)
        elif any(spoken & (1 << lang) for lang in unit.languages):
            facts["language"] = Fact("speaks_other_language", params)
        else:
            facts["language"] = Fact("no_common_language", params)

    facts["religion"] = _same_or_different("religion", int(c.religion[index]), unit.religion, vocab, n)
    facts["ethnicity"] = _same_or_different("ethnicity", int(c.ethnicity[index]), unit.ethnicity, vocab, n)

    if unit.needs:
        need_vocab = vocab.get("need", ())
        trained = int(c.trained_needs[index])
        covered = _names(unit.needs & trained, need_vocab)
        missing = _names(unit.needs & ~trained, need_vocab)
        facts["skills"] = Fact(
            "trained_for_needs" if not missing else "not_trained_for_needs",
            {"covered": covered, "missing": missing, "children": n},
        )

    placed, broke = int(c.past_placements[index]), int(c.breakdowns[index])
    facts["experience"] = (
        Fact("no_past_placements")
        if placed == 0
        else Fact("past_placements", {"placements": placed, "breakdowns": broke})
    )

    facts["age_fit"] = Fact(
        "age_range",
        {
            "age_min": int(c.age_min[index]),
            "age_max": int(c.age_max[index]),
            "ages": sorted(ch.age for ch in unit.children),
            "children": n,
        },
    )
    return {name: facts[name] for name, applies in zip(COMPONENTS, ev.applicable, strict=True) if applies}


def explain_candidate(ranking: Ranking, unit: Unit, index: int) -> list[Fact]:
    """The facts behind family `index`'s place: its exclusions if it has any, else one fact per factor
    that applies, in the components' order (kinship, distances, culture, skills, experience, age): the
    same facts, and so the same sentences, as its contributions."""
    if ranking.reasons_of(index):
        return exclusion_facts(ranking, unit, index)
    return list(factor_facts(ranking, unit, index).values())
