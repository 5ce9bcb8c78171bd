"""City and Suburb now belong to the places app (places 0001 takes over their tables): Service.city
points there, and the listings app's state lets them go. No table or row changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_base_city_in_places"),
        ("bookings", "0003_jobs_move_to_jobs_app"),
        ("listings", "0004_service_cancellation_policy"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='service',
                    name='city',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='services', to='places.city'),
                ),
                migrations.DeleteModel(
                    name='Suburb',
                ),
                migrations.DeleteModel(
                    name='City',
                ),
            ],
        ),
    ]
