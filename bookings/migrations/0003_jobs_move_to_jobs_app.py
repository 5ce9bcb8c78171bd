"""JobRequest and Quote move to the jobs app. Their tables (bookings_jobrequest, bookings_quote)
stay; this only removes them from the bookings app's state (jobs 0001 takes them over)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0002_jobs_and_quotes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='quote',
                    name='job',
                ),
                migrations.RemoveField(
                    model_name='quote',
                    name='booking',
                ),
                migrations.RemoveField(
                    model_name='quote',
                    name='provider',
                ),
                migrations.RemoveField(
                    model_name='quote',
                    name='service',
                ),
                migrations.DeleteModel(
                    name='JobRequest',
                ),
                migrations.DeleteModel(
                    name='Quote',
                ),
            ],
        ),
    ]
