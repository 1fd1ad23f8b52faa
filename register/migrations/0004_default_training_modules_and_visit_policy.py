"""The default training modules and visit policy of API.md, so that `migrate` alone makes the API usable."""

from django.db import migrations

MODULES = [
    # code, English, Khmer, required for approval, needs it prepares for
    ("core", "Core foster care training", "វគ្គបណ្តុះបណ្តាលស្នូលស្តីពីការថែទាំបណ្តោះអាសន្ន", True, []),
    (
        "disability_care",
        "Caring for a child with a disability",
        "ការថែទាំកុមារពិការ",
        False,
        ["physical_disability", "intellectual_disability", "sensory_impairment"],
    ),
    (
        "trauma_informed_care",
        "Trauma-informed care",
        "ការថែទាំដោយយល់ដឹងពីរបួសផ្លូវចិត្ត",
        False,
        ["mental_health", "behavioural_support"],
    ),
    ("infant_care", "Caring for infants", "ការថែទាំទារក", False, ["infant_care"]),
    ("health_care", "Health care at home", "ការថែទាំសុខភាពនៅផ្ទះ", False, ["chronic_illness", "hiv_care"]),
]


def create(apps, schema_editor):
    TrainingModule = apps.get_model("register", "TrainingModule")
    VisitPolicy = apps.get_model("register", "VisitPolicy")
    for code, en, km, required, needs in MODULES:
        TrainingModule.objects.update_or_create(
            code=code,
            defaults={"name_en": en, "name_km": km, "required_for_approval": required, "supports_needs": needs},
        )
    if not VisitPolicy.objects.exists():
        VisitPolicy.objects.create(offsets_days=[7, 30, 60, 90], repeat_every_days=90, horizon_days=730)


class Migration(migrations.Migration):
    dependencies = [("register", "0003_register_domain")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
