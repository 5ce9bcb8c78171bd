"""JobRequest and Quote move here from bookings. Their tables (bookings_jobrequest,
bookings_quote), indexes and constraints stay as they are: only Django's state changes."""

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_content_types(apps, old: str, new: str, names: tuple[str, ...]) -> None:
    """Admin history and permissions point at content types: move them with the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in names:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor) -> None:
    _move_content_types(apps, "bookings", "jobs", ("jobrequest", "quote"))


def backwards(apps, schema_editor) -> None:
    _move_content_types(apps, "jobs", "bookings", ("jobrequest", "quote"))


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_base_city_in_places"),
        ("bookings", "0003_jobs_move_to_jobs_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("listings", "0004_service_cancellation_policy"),
        ("places", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='JobRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=120)),
                        ('description', models.TextField()),
                        ('place_name', models.CharField(help_text='The suburb or town, as resolved.', max_length=120)),
                        ('point', django.contrib.gis.db.models.fields.PointField(geography=True, srid=4326)),
                        ('budget_min', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True)),
                        ('budget_max', models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True)),
                        ('date_from', models.DateField(blank=True, null=True)),
                        ('date_to', models.DateField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('open', 'Open for quotes'), ('accepted', 'Quote accepted'), ('withdrawn', 'Withdrawn'), ('expired', 'Expired')], default='open', max_length=9)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('expires_at', models.DateTimeField()),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('city', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.city')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='job_requests', to=settings.AUTH_USER_MODEL)),
                        ('provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='job_requests_addressed', to='accounts.providerprofile')),
                        ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='job_requests', to='listings.service')),
                        ('subcategory', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='job_requests', to='listings.subcategory')),
                    ],
                    options={
                        'db_table': 'bookings_jobrequest',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Quote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('price', models.DecimalField(decimal_places=2, max_digits=9)),
                        ('message', models.TextField(blank=True)),
                        ('start', models.DateTimeField(help_text='Proposed start, stored in UTC.')),
                        ('duration_minutes', models.PositiveIntegerField(default=120)),
                        ('valid_until', models.DateTimeField()),
                        ('status', models.CharField(choices=[('pending', 'Waiting for the customer'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn'), ('expired', 'Expired')], default='pending', max_length=9)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('booking', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='quote', to='bookings.booking')),
                        ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quotes', to='jobs.jobrequest')),
                        ('provider', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quotes', to='accounts.providerprofile')),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='listings.service')),
                    ],
                    options={
                        'db_table': 'bookings_quote',
                        'ordering': ['price', 'created_at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='jobrequest',
                    index=models.Index(fields=['customer', '-created_at'], name='job_customer_idx'),
                ),
                migrations.AddIndex(
                    model_name='jobrequest',
                    index=models.Index(condition=models.Q(('status', 'open')), fields=['subcategory', '-created_at'], name='job_open_subcategory_idx'),
                ),
                migrations.AddIndex(
                    model_name='jobrequest',
                    index=models.Index(condition=models.Q(('status', 'open')), fields=['expires_at'], name='job_open_expiry_idx'),
                ),
                migrations.AddConstraint(
                    model_name='jobrequest',
                    constraint=models.CheckConstraint(condition=models.Q(('budget_min__isnull', True), ('budget_max__isnull', True), ('budget_min__lte', models.F('budget_max')), _connector='OR'), name='job_budget_min_le_max'),
                ),
                migrations.AddConstraint(
                    model_name='jobrequest',
                    constraint=models.CheckConstraint(condition=models.Q(('date_from__isnull', True), ('date_to__isnull', True), ('date_from__lte', models.F('date_to')), _connector='OR'), name='job_dates_in_order'),
                ),
                migrations.AddIndex(
                    model_name='quote',
                    index=models.Index(fields=['provider', '-created_at'], name='quote_provider_idx'),
                ),
                migrations.AddIndex(
                    model_name='quote',
                    index=models.Index(condition=models.Q(('status', 'pending')), fields=['valid_until'], name='quote_pending_valid_idx'),
                ),
                migrations.AddConstraint(
                    model_name='quote',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('job', 'provider'), name='quote_one_pending_per_provider'),
                ),
                migrations.AddConstraint(
                    model_name='quote',
                    constraint=models.CheckConstraint(condition=models.Q(('price__gte', 0)), name='quote_price_positive'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
