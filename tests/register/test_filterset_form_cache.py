"""StrictFilterSet builds its form class once per FilterSet class (issue 18 item 1), except when a
filter takes its queryset from the request, and a cached form still refuses a bad boolean and
validates each request's values on their own."""

import django_filters as filters
from django.http import QueryDict

from register.models import Carer, Province
from register.selectors.filters import INVALID_BOOLEAN, CarerFilter, StrictFilterSet


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
