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


def sentence(code: str, p: dict) -> str:
    """One fact as a sentence. Every code the core can emit has a sentence here (tested)."""
    match code:
        case "kin":
            return _("The family is recorded as kin of the child: kinship care comes first.")
        case "kin_of_some":
            return _("The family is kin of some of the siblings.")
        case "home_distance":
            return _("Lives %(km)s km from the child's home community.") % {"km": p["km"]}
        case "location_unknown":
            return _("The family's location is not known precisely; distance counts as neutral.")
        case "school_distance":
            return _("Lives %(km)s km from the child's school.") % {"km": p["km"]}
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
        case "same_religion":
            return _("Shares the child's religion (%(religion)s).") % {"religion": label("religion", p["religion"])}
        case "different_religion":
            return _("Has a different religion from the child (%(religion)s).") % {
                "religion": label("religion", p["religion"])
            }
        case "same_ethnicity":
            return _("Shares the child's ethnicity (%(ethnicity)s).") % {
                "ethnicity": label("ethnicity", p["ethnicity"])
            }
        case "different_ethnicity":
            return _("Has a different ethnicity from the child (%(ethnicity)s).") % {
                "ethnicity": label("ethnicity", p["ethnicity"])
            }
        case "trained_for_needs":
            return _("Trained for the child's needs: %(needs)s.") % {"needs": labels("need", p["covered"])}
        case "not_trained_for_needs":
            return _("Not yet trained for: %(missing)s.") % {"missing": labels("need", p["missing"])}
        case "no_past_placements":
            return _("No past placements yet.")
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
            return _("Accepts children aged %(age_min)s to %(age_max)s; the child's age: %(ages)s.") % {
                "age_min": p["age_min"],
                "age_max": p["age_max"],
                "ages": ages(p["ages"]),
            }
        case "excluded.not_approved":
            return _("Not approved as a foster family.")
        case "excluded.approval_review_overdue":
            return _("The yearly review of the approval is overdue.")
        case "excluded.no_vacancy":
            return _("Has %(vacancies)s free places for %(children)s children.") % p
        case "excluded.age_out_of_range":
            return _("Accepts ages %(age_min)s to %(age_max)s; the child's age: %(ages)s.") % {
                "age_min": p["age_min"],
                "age_max": p["age_max"],
                "ages": ages(p["ages"]),
            }
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


def sentences(facts: list[dict]) -> list[str]:
    return [sentence(f["code"], f.get("params", {})) for f in facts]


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
