"""Numbers on Khmer pages: Arabic digits with a full stop before the decimals, as on English pages.

Django's Khmer formats (CLDR's) put a comma before the decimals and a full stop between thousands.
The register keeps one decimal separator per page whatever the language: the Khmer sentences of the
catalogue write limits as the gazetteer and GPS receivers do (latitude 9.5 to 15.0), the API and the
forms take 11.5625, and a score or a distance formatted by a template must read the same as the one
formatted in a sentence. Dates keep Django's Khmer formats (this module names numbers only). See
locale/glossary.csv (digits) and docs/developing/languages.md."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
