from django.db import migrations


def create(apps, schema_editor):
    ReminderPolicy = apps.get_model("notifications", "ReminderPolicy")
    if not ReminderPolicy.objects.exists():
        ReminderPolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
