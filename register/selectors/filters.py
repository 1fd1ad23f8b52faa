"""The register's FilterSets: how a list is filtered by query parameters, shared by the API's
views (through django-filter's DRF backend) and the pages (which filter with the same classes), so
the two cannot drift apart. Plain django-filter: nothing here knows of the API.

Every FilterSet derives from StrictFilterSet, whose boolean filters refuse a value they would
otherwise ignore: django-filter reads anything but true/false (and 1/0) as "no filter", so
`?has_vacancy=yes` quietly listed every family. The API answers 400 naming the parameter; a page
ignores the value, as it ignores any other malformed filter."""

from __future__ import annotations

import copy

import django_filters as filters
from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.widgets import BooleanWidget

from register.choices import CareType, Need
from register.models import (
    Carer,
    Child,
    Commune,
    District,
    DuplicatePair,
    Institution,
    Placement,
    Province,
    SiblingGroup,
    TrainingModule,
    Village,
    Visit,
)
from register.rules.visits import VISIT_STATUS_CHOICES
from register.selectors import carers as carer_selectors
from register.selectors.names import children_named

BOOLEAN_VALUES = frozenset({"true", "false", "1", "0"})
BOOLEAN_MESSAGE = _("Use true or false.")
INVALID_BOOLEAN = "invalid_boolean"  # the error code StrictFilterSet gives a boolean filter's bad value


class BooleanFilter(filters.BooleanFilter):
    """true/false (and 1/0), any case, as the API documents its boolean parameters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", BooleanWidget)
        super().__init__(*args, **kwargs)


class StrictFilterSet(filters.FilterSet):
    FILTER_DEFAULTS = copy.deepcopy(FILTER_FOR_DBFIELD_DEFAULTS)
    FILTER_DEFAULTS.update({models.BooleanField: {"filter_class": BooleanFilter}})

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter deep-copies every filter for each FilterSet, their choices and labels with
        # them: 0.14 ms of CPU on every list of families (issue 18). What a filter holds of one
        # FilterSet is its parent and model, set on a shallow copy of each; and its `extra`, where a
        # filter taking its queryset from the request writes it, copied too.
        self.base_filters = {}  # nothing for django-filter to deep-copy
        try:
            super().__init__(data, queryset, request=request, prefix=prefix)
        finally:
            del self.base_filters  # the class's own again
        self.filters = {name: self._bound_copy(f) for name, f in self.base_filters.items()}

    def _bound_copy(self, filter_):
        copied = copy.copy(filter_)
        copied.extra = dict(filter_.extra)
        copied.method = filter_.method  # its FilterMethod, if any, calls this FilterSet's method
        copied.model = self.queryset.model
        copied.parent = self
        return copied

    def get_form_class(self):
        # Built once per FilterSet class, not per request (django-filter builds a new form class, and
        # each of its fields, on every request): the form depends only on the declared filters, as no
        # filter here takes a queryset from the request. Each form instance still copies its fields.
        cls = type(self)
        cached = cls.__dict__.get("_form_class")
        if cached is not None:
            return cached
        form_class = self._strict_form_class()
        if not any(isinstance(f, filters.filters.QuerySetRequestMixin) for f in self.filters.values()):
            cls._form_class = form_class
        return form_class

    def _strict_form_class(self):
        form_class = super().get_form_class()
        booleans = [name for name, f in self.filters.items() if isinstance(f, filters.BooleanFilter)]

        def clean(form):
            cleaned = forms.Form.clean(form)
            for name in booleans:
                value = form.data.get(form.add_prefix(name))
                if value and str(value).lower() not in BOOLEAN_VALUES:  # empty: no filter, as for the others
                    form.add_error(name, forms.ValidationError(BOOLEAN_MESSAGE, code=INVALID_BOOLEAN))
            return cleaned

        return type(form_class.__name__, (form_class,), {"clean": clean})


# --- Families -----------------------------------------------------------------------------------


class CommaSeparatedMultipleChoiceField(forms.MultipleChoiceField):
    """?needs_supported=a&needs_supported=b or ?needs_supported=a,b."""

    def to_python(self, value):
        values = super().to_python(value)
        return [part.strip() for item in values for part in item.split(",") if part.strip()]


class NeedsFilter(filters.MultipleChoiceFilter):
    field_class = CommaSeparatedMultipleChoiceField


class CarerFilter(StrictFilterSet):
    status = filters.ChoiceFilter(choices=Carer.Status.choices)
    province = filters.CharFilter(field_name="province_id", label=_("Province code"))
    district = filters.CharFilter(field_name="district_id", label=_("District code"))
    commune = filters.CharFilter(field_name="commune_id", label=_("Commune code"))
    care_type = filters.ChoiceFilter(choices=CareType.choices, method="filter_care_type")
    needs_supported = NeedsFilter(
        choices=Need.choices,
        method="filter_needs_supported",
        label=_("Needs the family supports, all of them (repeat the parameter or separate by commas)"),
    )
    has_vacancy = BooleanFilter(method="filter_has_vacancy", label=_("Has at least one free place"))
    review_overdue = BooleanFilter(
        method="filter_review_overdue", label=_("Approved, and the yearly review is overdue")
    )
    search = filters.CharFilter(method="filter_search", label=_("Household or carer name, phone or reference"))

    class Meta:
        model = Carer
        fields = ["status", "province", "district", "commune"]

    def filter_care_type(self, queryset, name, value):
        return carer_selectors.carer_filter(queryset, care_type=value)

    def filter_needs_supported(self, queryset, name, value):
        return carer_selectors.carer_filter(queryset, needs_supported=value)

    def filter_has_vacancy(self, queryset, name, value):
        return carer_selectors.carer_filter(queryset, has_vacancy=value)

    def filter_review_overdue(self, queryset, name, value):
        return carer_selectors.carer_filter(queryset, review_overdue=value)

    def filter_search(self, queryset, name, value):
        return carer_selectors.carer_filter(queryset, search=value)


# --- Institutions, children and sibling groups --------------------------------------------------


class InstitutionFilter(StrictFilterSet):
    province = filters.CharFilter(field_name="province_id", max_length=2)
    commune = filters.CharFilter(field_name="commune_id", max_length=6)
    status = filters.ChoiceFilter(choices=Institution.Status.choices)
    kind = filters.ChoiceFilter(choices=Institution.Kind.choices)
    search = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=100, label=_("Name"))

    class Meta:
        model = Institution
        fields = ["province", "commune", "status", "kind"]


class ChildFilter(StrictFilterSet):
    status = filters.MultipleChoiceFilter(choices=Child.Status.choices)
    province = filters.CharFilter(field_name="province_id", max_length=2)
    institution = filters.UUIDFilter(field_name="institution_id")
    sibling_group = filters.UUIDFilter(field_name="sibling_group_id")
    care_type_needed = filters.ChoiceFilter(choices=CareType.choices)
    search = filters.CharFilter(
        method="filter_search", max_length=100, label=_("Names, reference or a partner system's id")
    )

    class Meta:
        model = Child
        fields = ["status", "province", "institution", "sibling_group", "care_type_needed"]

    def filter_search(self, queryset, name, value):
        return children_named(queryset, value)


class SiblingGroupFilter(StrictFilterSet):
    keep_together = BooleanFilter()
    child = filters.UUIDFilter(field_name="children", label=_("A child of the group"))

    class Meta:
        model = SiblingGroup
        fields = ["keep_together", "child"]


# --- Placements and visits ----------------------------------------------------------------------


def date_range(field_name: str, verb: str) -> tuple[filters.DateFilter, filters.DateFilter]:
    """The `…_before` and `…_after` filters of a date: on or before, on or after the day given."""
    return (
        filters.DateFilter(field_name=field_name, lookup_expr="lte", label=f"{verb} on or before"),
        filters.DateFilter(field_name=field_name, lookup_expr="gte", label=f"{verb} on or after"),
    )


class PlacementFilter(StrictFilterSet):
    status = filters.ChoiceFilter(choices=Placement.Status.choices)
    end_reason = filters.ChoiceFilter(choices=Placement.EndReason.choices)
    province = filters.CharFilter(field_name="province_id", label="Province code")
    carer = filters.UUIDFilter(field_name="carer_id")
    child = filters.UUIDFilter(field_name="memberships__child_id", label="A child's id")
    social_worker = filters.CharFilter(field_name="social_worker__username", label="Social worker's username")
    care_type = filters.ChoiceFilter(choices=CareType.choices)
    match = filters.UUIDFilter(field_name="match_id")
    start_before, start_after = date_range("start_date", "Started")

    class Meta:
        model = Placement
        fields: list[str] = []


class VisitFilter(StrictFilterSet):
    status = filters.ChoiceFilter(choices=VISIT_STATUS_CHOICES, label="Derived status")
    province = filters.CharFilter(field_name="placement__province_id", label="Province code")
    social_worker = filters.CharFilter(
        field_name="placement__social_worker__username", label="Social worker's username"
    )
    placement = filters.UUIDFilter(field_name="placement_id")
    carer = filters.UUIDFilter(field_name="placement__carer_id")
    child = filters.UUIDFilter(field_name="placement__memberships__child_id", label="A child's id")
    due_before, due_after = date_range("due_date", "Due")

    class Meta:
        model = Visit
        fields: list[str] = []


# --- Reference data -----------------------------------------------------------------------------


class DivisionFilter(StrictFilterSet):
    search = filters.CharFilter(method="filter_search", label="Name in English or Khmer, or code")

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name_en__icontains=value) | Q(name_km__icontains=value) | Q(code__startswith=value))


class ProvinceFilter(DivisionFilter):
    class Meta:
        model = Province
        fields: list[str] = []


class DistrictFilter(DivisionFilter):
    province = filters.CharFilter(field_name="province_id")

    class Meta:
        model = District
        fields = ["province"]


class CommuneFilter(DivisionFilter):
    district = filters.CharFilter(field_name="district_id")
    province = filters.CharFilter(field_name="province_id")

    class Meta:
        model = Commune
        fields = ["district", "province"]


class VillageFilter(DivisionFilter):
    commune = filters.CharFilter(field_name="commune_id")
    district = filters.CharFilter(field_name="district_id")
    province = filters.CharFilter(field_name="province_id")

    class Meta:
        model = Village
        fields = ["commune", "district", "province"]


class TrainingModuleFilter(StrictFilterSet):
    class Meta:
        model = TrainingModule
        fields = ["required_for_approval"]


class DuplicatePairFilter(StrictFilterSet):
    """Possible duplicates (issue 14): by status (open by default on the page), kind, and a province
    one of the pair's records lies in."""

    status = filters.ChoiceFilter(choices=DuplicatePair.Status.choices)
    kind = filters.ChoiceFilter(choices=DuplicatePair.Kind.choices)
    province = filters.CharFilter(method="filter_province", max_length=2, label=_("Province code"))

    class Meta:
        model = DuplicatePair
        fields = ["status", "kind", "province"]

    def filter_province(self, queryset, name, value):
        return queryset.filter(
            Q(carer_a__province_id=value) | Q(carer_b__province_id=value) | Q(child_a__province_id=value)
            | Q(child_b__province_id=value)
        )  # fmt: skip
