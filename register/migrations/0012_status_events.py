# The dated history of statuses (register/models/history.py), for monitoring's indicators.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('register', '0011_duplicates_and_merges'),
    ]

    operations = [
        migrations.CreateModel(
            name='StatusEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('carer', 'foster family'), ('child', 'child'), ('placement', 'placement')], max_length=10, verbose_name='record type')),
                ('subject_id', models.UUIDField()),
                ('from_status', models.CharField(blank=True, max_length=25, verbose_name='from')),
                ('to_status', models.CharField(max_length=25, verbose_name='to')),
                ('on', models.DateField(verbose_name='took effect on')),
                ('reason', models.CharField(blank=True, max_length=20, verbose_name='reason')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
                ('backfilled', models.BooleanField(default=False, verbose_name='backfilled')),
                ('from_province', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='register.province')),
                ('to_province', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='register.province')),
            ],
            options={
                'verbose_name': 'status event',
                'verbose_name_plural': 'status events',
                'ordering': ['on', 'recorded_at', 'id'],
                'indexes': [models.Index(fields=['kind', 'on'], name='statusevent_kind_on'), models.Index(fields=['kind', 'subject_id', 'on'], name='statusevent_subject')],
            },
        ),
    ]
