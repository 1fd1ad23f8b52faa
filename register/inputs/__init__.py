"""Field rules shared by every way in: the API's serializers, the pages' forms, the spreadsheet
import and the admin. One module per kind of value (phones, places, choices, people, carers).

Plain Django: each rule is a function or validator raising django.core.exceptions.ValidationError,
or a django.forms field built on them, so that services, selectors and forms may call it without the
API layer. The API wraps the same functions in its DRF fields (register/api/fields.py)."""
