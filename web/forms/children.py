"""Forms of the children pages: the list's filters (a GET form, so a filtered page has its own
address and works without JavaScript)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from register.collation import khmer_order
from register.models import Child
from register.selectors.children import institution_list
from register.selectors.filters import ChildFilter
from web.forms.common import provinces_of

PAGE_SIZES = (25, 50, 100)


class ChildFilterForm(forms.Form):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Names, reference or a partner system's id"),
        widget=forms.TextInput(attrs={"type": "search", "data-testid": "child-search"}),
    )
    # Several at once, as the API's ChildFilter takes them: "children waiting" is two statuses.
    status = forms.MultipleChoiceField(label=_("Status"), required=False, widget=forms.CheckboxSelectMultiple)
    province = forms.ChoiceField(label=_("Province"), required=False)
    institution = forms.ChoiceField(label=_("Institution"), required=False)
    sibling_group = forms.UUIDField(label=_("Sibling group"), required=False, widget=forms.HiddenInput)
    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        empty_value=PAGE_SIZES[0],
        choices=[(n, str(n)) for n in PAGE_SIZES],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["status"].choices = list(Child.Status.choices)
        provinces = provinces_of(user)
        self.fields["province"].choices = everything + [(p.code, f"{p.code} {p.name}") for p in provinces]
        institutions = institution_list(user=user).order_by(khmer_order("name"), "id").values_list("pk", "name")
        self.fields["institution"].choices = everything + [(str(pk), name) for pk, name in institutions]
        for name in ("province", "institution", "page_size"):
            self.fields[name].widget.attrs["data-testid"] = f"child-filter-{name.replace('_', '-')}"

    def filter(self, queryset: QuerySet[Child]) -> QuerySet[Child]:
        """The children matching the filters, by register.selectors.filters.ChildFilter, the API's
        too (one set of rules for both); a wrong value is ignored there, and shown beside its field
        here."""
        if not self.is_bound:
            return queryset
        self.is_valid()
        return ChildFilter(self.data, queryset=queryset).qs

    @property
    def per_page(self) -> int:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("page_size") or PAGE_SIZES[0]
        return PAGE_SIZES[0]
