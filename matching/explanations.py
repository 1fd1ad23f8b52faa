"""Turns the core's facts (codes with parameters) into sentences in the reader's language."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from register.choices import CareType, Ethnicity, Language, Need, Religion

_LABELS = {
    "language": dict(Language.choices),
    "religion": dict(Religion.choices),
    "ethnicity": dict(Ethnicity.choices),
    "need": dict(Need.choices),
    "care_type": dict(CareType.choices),
}


def label(kind: str, value: str) -> str:
    return str(_LABELS[kind].get(value, value))


def labels(kind: str, values) -> str:
    return ", ".join(label(kind, v) for v in values)


def ages(values) -> str:
    return ", ".join(str(a) for a in values)


def _several(p: dict) -> bool:
    """True when the fact is about a sibling group placed together (older runs did not say: one child)."""
    return p.get("children", 1) > 1


def _or_unrecorded(kind: str, value: str) -> str:
    return label(kind, value) if value else _("not recorded")


def sentence(code: str, p: dict) -> str:
    """One fact as a sentence. Every code the core can emit has a sentence here (tested). A sentence
    about a factor names the family's value beside the child's, and a sibling group as such."""
    several = _several(p)
    match code:
        case "kin":
            if several:
                return _("The family is recorded as kin of every sibling: kinship care comes first.")
            return _("The family is recorded as kin of the child: kinship care comes first.")
        case "kin_of_some":
            return _("The family is kin of some of the siblings.")
        case "not_kin":
            if several:
                return _("The family is not recorded as kin of the siblings.")
            return _("The family is not recorded as kin of the child.")
        case "home_distance":
            if several:
                return _("Lives %(km)s km from the siblings' home community.") % {"km": p["km"]}
            return _("Lives %(km)s km from the child's home community.") % {"km": p["km"]}
        case "location_unknown":
            return _("The family's location is not known precisely; distance counts as neutral.")
        case "school_distance":
            if several:
                return _("Lives %(km)s km from the siblings' school.") % {"km": p["km"]}
            return _("Lives %(km)s km from the child's school.") % {"km": p["km"]}
        case "school_distance_unknown":
            return _("The family's location is not known precisely; distance to the school counts as neutral.")
        case "speaks_first_language" | "speaks_other_language" | "no_common_language" if "spoken" in p:
            values = {
                "spoken": _or_unrecorded_list("language", p["spoken"]),
                "language": label("language", p["language"]),
            }
            if several:
                return _("Speaks %(spoken)s; the siblings' first language is %(language)s.") % values
            return _("Speaks %(spoken)s; the child's first language is %(language)s.") % values
        case "speaks_first_language":
            return _("Speaks the child's first language (%(language)s).") % {
                "language": label("language", p["language"])
            }
        case "speaks_other_language":
            return _("Speaks one of the child's languages, but not the first (%(language)s).") % {
                "language": label("language", p["language"])
            }
        case "no_common_language":
            return _("Speaks none of the child's languages (first language: %(language)s).") % {
                "language": label("language", p["language"])
            }
        case "same_religion" | "different_religion" if "family" in p:
            values = {
                "family": _or_unrecorded("religion", p["family"]),
                "child": _or_unrecorded("religion", p["child"]),
            }
            if several:
                return _("The family's religion: %(family)s; the siblings': %(child)s.") % values
            return _("The family's religion: %(family)s; the child's: %(child)s.") % values
        case "same_ethnicity" | "different_ethnicity" if "family" in p:
            values = {
                "family": _or_unrecorded("ethnicity", p["family"]),
                "child": _or_unrecorded("ethnicity", p["child"]),
            }
            if several:
                return _("The family's ethnicity: %(family)s; the siblings': %(child)s.") % values
            return _("The family's ethnicity: %(family)s; the child's: %(child)s.") % values
        # Runs stored before the family's own value was kept name only the child's.
        case "same_religion":
            return _("Shares the child's religion (%(religion)s).") % {"religion": label("religion", p["religion"])}
        case "different_religion":
            return _("The family's religion differs from the child's (%(religion)s).") % {
                "religion": label("religion", p["religion"])
            }
        case "same_ethnicity":
            return _("Shares the child's ethnicity (%(ethnicity)s).") % {
                "ethnicity": label("ethnicity", p["ethnicity"])
            }
        case "different_ethnicity":
            return _("The family's ethnicity differs from the child's (%(ethnicity)s).") % {
                "ethnicity": label("ethnicity", p["ethnicity"])
            }
        case "trained_for_needs":
            if several:
                return _("Trained for the siblings' needs: %(needs)s.") % {"needs": labels("need", p["covered"])}
            return _("Trained for the child's needs: %(needs)s.") % {"needs": labels("need", p["covered"])}
        case "not_trained_for_needs":
            if p.get("covered"):
                return _("Trained for %(covered)s; not yet for %(missing)s.") % {
                    "covered": labels("need", p["covered"]),
                    "missing": labels("need", p["missing"]),
                }
            return _("Not yet trained for: %(missing)s.") % {"missing": labels("need", p["missing"])}
        case "no_past_placements":
            return _("No past placements yet: experience counts as neither for nor against.")
        case "past_placements":
            return (
                ngettext(
                    "%(placements)s past placement, %(breakdowns)s ended in breakdown.",
                    "%(placements)s past placements, %(breakdowns)s ended in breakdown.",
                    p["placements"],
                )
                % p
            )
        case "age_range":
            values = {"age_min": p["age_min"], "age_max": p["age_max"], "ages": ages(p["ages"])}
            if several:
                return _("Accepts children aged %(age_min)s to %(age_max)s; the siblings' ages: %(ages)s.") % values
            return _("Accepts children aged %(age_min)s to %(age_max)s; the child's age: %(ages)s.") % values
        case "excluded.not_approved":
            return _("Not approved as a foster family.")
        case "excluded.approval_review_overdue":
            return _("The yearly review of the approval is overdue.")
        case "excluded.no_vacancy":
            if several:
                return ngettext(
                    "Has %(vacancies)s free place for a group of %(children)s siblings.",
                    "Has %(vacancies)s free places for a group of %(children)s siblings.",
                    p["vacancies"],
                ) % {"vacancies": p["vacancies"], "children": p["children"]}
            return _("Has no free place.")
        case "excluded.age_out_of_range":
            values = {"age_min": p["age_min"], "age_max": p["age_max"], "ages": ages(p["ages"])}
            if several:
                return _("Accepts ages %(age_min)s to %(age_max)s; the siblings' ages: %(ages)s.") % values
            return _("Accepts ages %(age_min)s to %(age_max)s; the child's age: %(ages)s.") % values
        case "excluded.sex_not_accepted":
            return _("Does not accept a child of this sex.")
        case "excluded.sibling_group_too_large":
            return _("Takes sibling groups of up to %(max)s; this group has %(children)s.") % p
        case "excluded.need_not_supported":
            return _("Cannot support: %(needs)s.") % {"needs": labels("need", p["needs"])}
        case "excluded.care_type_not_offered":
            return _("Does not offer %(care_type)s.") % {"care_type": label("care_type", p["care_type"])}
        case "excluded.safeguarding_concern":
            return _("Has an open safeguarding concern.")
        case "excluded.excluded_for_child":
            return _("Recorded as not to be considered for this child.")
    return code


def _or_unrecorded_list(kind: str, values) -> str:
    return labels(kind, values) if values else _("no language recorded")


def sentences(facts: list[dict]) -> list[str]:
    return [sentence(f["code"], f.get("params", {})) for f in facts]


def contributions(stored: list[dict]) -> list[dict]:
    """A candidate's stored contributions as the API and the pages give them: the fact becomes its
    sentence in the reader's language."""
    return [
        {
            "factor": c["factor"],
            "value": c["value"],
            "weight": c["weight"],
            "points": c["points"],
            "effect": c["effect"],
            "text": sentence(c["fact"]["code"], c["fact"].get("params", {})),
        }
        for c in stored
    ]


def explanation(candidate: dict) -> list[str]:
    """A stored candidate's reasons: one sentence per contribution (runs made before contributions
    were kept stored their facts instead)."""
    return in_words(candidate)[1]


def in_words(candidate: dict) -> tuple[list[dict], list[str]]:
    """A stored candidate's contributions and explanation, each sentence rendered once: the
    explanation is the contributions' sentences, in their order (or, for a run made before
    contributions were kept, its facts' sentences and no contributions)."""
    if "contributions" not in candidate:
        return [], sentences(candidate.get("facts", []))
    rendered = contributions(candidate["contributions"])
    return rendered, [c["text"] for c in rendered]


# Names of score components, for pages and the API documentation.
COMPONENT_LABELS = {
    "kinship": gettext_lazy("kinship"),
    "home_proximity": gettext_lazy("near home"),
    "school_proximity": gettext_lazy("near school"),
    "language": gettext_lazy("language"),
    "religion": gettext_lazy("religion"),
    "ethnicity": gettext_lazy("ethnicity"),
    "skills": gettext_lazy("skills for the child's needs"),
    "experience": gettext_lazy("experience and stability"),
    "age_fit": gettext_lazy("age fit"),
}
EXCLUSION_LABELS = {
    "not_approved": gettext_lazy("not approved"),
    "approval_review_overdue": gettext_lazy("review overdue"),
    "no_vacancy": gettext_lazy("no free place"),
    "age_out_of_range": gettext_lazy("age outside the family's range"),
    "sex_not_accepted": gettext_lazy("sex not accepted"),
    "sibling_group_too_large": gettext_lazy("sibling group too large"),
    "need_not_supported": gettext_lazy("needs not supported"),
    "care_type_not_offered": gettext_lazy("care type not offered"),
    "safeguarding_concern": gettext_lazy("open safeguarding concern"),
    "excluded_for_child": gettext_lazy("excluded for this child"),
}
