"""ProviderProfile.base_city now points at places.City: the same table, so only the state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_provider_status_emailed_at"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='providerprofile',
                    name='base_city',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='providers', to='places.city'),
                ),
            ],
        ),
    ]
