"""StrictFilterSet builds its form class once per FilterSet class (issue 18 item 1), except when a
filter takes its queryset from the request, and a cached form still refuses a bad boolean and
validates each request's values on their own."""

import django_filters as filters
import pytest
from django.http import QueryDict

from register.models import Carer, Province
from register.rules.vacancies import carers_with_vacancies
from register.selectors.filters import INVALID_BOOLEAN, CarerFilter, StrictFilterSet
from tests.factories import CarerFactory
from tests.register.carers_factories import place


def test_the_form_class_is_built_once_and_each_request_is_validated_on_its_own():
    first = CarerFilter(QueryDict("has_vacancy=yes"), queryset=Carer.objects.none())
    second = CarerFilter(QueryDict("has_vacancy=true&status=approved"), queryset=Carer.objects.none())
    assert type(first.form) is type(second.form)
    assert not first.is_valid()
    assert first.errors.as_data()["has_vacancy"][0].code == INVALID_BOOLEAN
    assert second.is_valid() and second.form.cleaned_data["has_vacancy"] is True
    assert first.form.fields is not second.form.fields


class ByRequest(StrictFilterSet):
    province = filters.ModelChoiceFilter(queryset=lambda request: Province.objects.filter(code="02"))

    class Meta:
        model = Carer
        fields = ["province"]


def test_a_filter_whose_queryset_comes_from_the_request_gets_its_form_class_each_time():
    one = ByRequest(QueryDict(""), queryset=Carer.objects.none())
    two = ByRequest(QueryDict(""), queryset=Carer.objects.none())
    assert type(one.form) is not type(two.form)
    assert "_form_class" not in ByRequest.__dict__


# --- Each FilterSet's own filters (shallow copies, issue 18) -------------------------------------


class Recording(StrictFilterSet):
    has_vacancy = filters.BooleanFilter(method="record")

    class Meta:
        model = Carer
        fields = ["status"]

    def record(self, queryset, name, value):
        self.called_with = (name, value)
        return queryset


def test_each_filterset_has_its_own_filters_bound_to_it_and_the_class_keeps_its_own_unbound():
    one = Recording(QueryDict("has_vacancy=true"), queryset=Carer.objects.none())
    two = Recording(QueryDict("has_vacancy=false"), queryset=Carer.objects.none())
    for name, base in Recording.base_filters.items():
        assert one.filters[name] is not two.filters[name] and one.filters[name] is not base
        assert one.filters[name].parent is one and two.filters[name].parent is two
        assert one.filters[name].model is Carer
        assert not hasattr(base, "parent")
    one.qs, two.qs  # noqa: B018 (each filters with its own method)
    assert one.called_with == ("has_vacancy", True) and two.called_with == ("has_vacancy", False)
    assert "filters" not in Recording.__dict__ and "base_filters" not in one.__dict__


def test_a_filter_taking_its_queryset_from_the_request_writes_only_its_own_copy():
    one = ByRequest(QueryDict(""), queryset=Carer.objects.none())
    one.form  # noqa: B018 (builds the field, which stores the request's queryset in the filter's extra)
    assert "queryset" in one.filters["province"].extra
    assert ByRequest.base_filters["province"].extra is not one.filters["province"].extra
    assert callable(ByRequest.base_filters["province"].extra["queryset"])
    two = ByRequest(QueryDict(""), queryset=Carer.objects.none())
    assert callable(two.filters["province"].extra["queryset"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "status=approved&province=02&has_vacancy=true",
        "care_type=long_term&needs_supported=physical_disability,hiv_care",
        "review_overdue=false&search=Sok&district=0201",
        "",
    ],
)
def test_filtering_is_what_django_filters_own_deep_copies_give(query):
    class DeepCopied(CarerFilter):
        def __init__(self, *args, **kwargs):
            filters.FilterSet.__init__(self, *args, **kwargs)  # django-filter's own: every filter deep-copied

    for province, capacity in (("02", 2), ("02", 1), ("12", 3)):
        CarerFactory(
            commune_id=f"{province}0101", district_id=f"{province}01", province_id=province, max_children=capacity
        )
    place(Carer.objects.filter(max_children=1).get(), 1)
    data = QueryDict(query)
    ours, theirs = (cls(data, queryset=carers_with_vacancies()) for cls in (CarerFilter, DeepCopied))
    assert ours.is_valid() and theirs.is_valid()
    assert ours.form.cleaned_data == theirs.form.cleaned_data
    assert list(ours.qs.values_list("pk", flat=True)) == list(theirs.qs.values_list("pk", flat=True))
