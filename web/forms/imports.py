"""The import page's form: one spreadsheet. What is in it is checked by the import service."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("One family a row under the header row of the template. Up to 5 MB and 5,000 families."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "data-testid": "import-file"}),
    )
