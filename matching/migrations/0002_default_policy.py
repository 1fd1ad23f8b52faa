"""The default matching policy (version 1), so that `migrate` alone makes matching usable.

Why these weights (README, "Matching policy"): kinship first (UN Guidelines: kinship care before
strangers); then closeness to the child's home community and school, which keeps family contact and
schooling; then continuity of language, religion and culture; then skills for the child's needs,
experience and stability, and how well the child's age sits in the family's range. Keeping siblings
together is not a weight: a keep-together group is matched and planned as one unit.
"""

from django.db import migrations

DEFAULT_WEIGHTS = {
    "kinship": 4.0,
    "home_proximity": 3.0,
    "school_proximity": 2.0,
    "language": 1.5,
    "religion": 1.0,
    "ethnicity": 1.0,
    "skills": 1.5,
    "experience": 1.0,
    "age_fit": 0.5,
}


def create(apps, schema_editor):
    MatchingPolicy = apps.get_model("matching", "MatchingPolicy")
    if not MatchingPolicy.objects.exists():
        MatchingPolicy.objects.create(
            weights=DEFAULT_WEIGHTS, distance_scale_km=40.0, notes="Default policy shipped with the register."
        )


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
