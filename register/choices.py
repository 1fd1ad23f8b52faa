"""The enumerations of API.md, lower_snake_case values with English labels (translated to Khmer)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")


class Religion(models.TextChoices):
    BUDDHISM = "buddhism", _("Buddhism")
    ISLAM = "islam", _("Islam")
    CHRISTIANITY = "christianity", _("Christianity")
    ANIMISM = "animism", _("Animism")
    OTHER = "other", _("other religion")
    NONE = "none", _("no religion")


class Ethnicity(models.TextChoices):
    KHMER = "khmer", _("Khmer")
    CHAM = "cham", _("Cham")
    VIETNAMESE = "vietnamese", _("Vietnamese")
    CHINESE = "chinese", _("Chinese")
    INDIGENOUS = "indigenous", _("Indigenous")
    OTHER = "other", _("other ethnicity")


class Language(models.TextChoices):
    """ISO 639 codes of the languages most spoken in Cambodia; the API accepts these."""

    KM = "km", _("Khmer language")
    CJM = "cjm", _("Cham language")
    VI = "vi", _("Vietnamese language")
    ZH = "zh", _("Chinese language")
    EN = "en", _("English language")
    CMO = "cmo", _("Bunong")
    KRR = "krr", _("Kreung")
    TPU = "tpu", _("Tampuan")
    JRA = "jra", _("Jarai")
    KDT = "kdt", _("Kuy")
    TH = "th", _("Thai language")
    LO = "lo", _("Lao language")


class CareType(models.TextChoices):
    EMERGENCY = "emergency", _("emergency care")
    SHORT_TERM = "short_term", _("short-term care")
    LONG_TERM = "long_term", _("long-term care")
    KINSHIP = "kinship", _("kinship care")


class Need(models.TextChoices):
    PHYSICAL_DISABILITY = "physical_disability", _("physical disability")
    INTELLECTUAL_DISABILITY = "intellectual_disability", _("intellectual disability")
    SENSORY_IMPAIRMENT = "sensory_impairment", _("sensory impairment")
    CHRONIC_ILLNESS = "chronic_illness", _("chronic illness")
    HIV_CARE = "hiv_care", _("HIV care")
    MENTAL_HEALTH = "mental_health", _("mental health")
    BEHAVIOURAL_SUPPORT = "behavioural_support", _("behavioural support")
    INFANT_CARE = "infant_care", _("infant care")
