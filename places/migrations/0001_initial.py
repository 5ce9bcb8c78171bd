"""City and Suburb move here from listings. Their tables (listings_city, listings_suburb) stay
where they are: this migration only tells Django's state that the places app owns them."""

import django.contrib.gis.db.models.fields
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def _move_content_types(apps, old: str, new: str, names: tuple[str, ...]) -> None:
    """Admin history and permissions point at content types: move them with the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in names:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor) -> None:
    _move_content_types(apps, "listings", "places", ("city", "suburb"))


def backwards(apps, schema_editor) -> None:
    _move_content_types(apps, "places", "listings", ("city", "suburb"))


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("listings", "0004_service_cancellation_policy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='City',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=80)),
                        ('slug', models.SlugField(max_length=80, unique=True)),
                        ('state', models.CharField(help_text='State or territory code, e.g. NSW.', max_length=3)),
                        ('country', models.CharField(default='AU', max_length=2)),
                        ('point', django.contrib.gis.db.models.fields.PointField(geography=True, srid=4326)),
                        ('timezone', models.CharField(help_text='IANA zone, e.g. Australia/Perth.', max_length=40)),
                        ('population', models.PositiveIntegerField(default=0, validators=[django.core.validators.MinValueValidator(0)])),
                    ],
                    options={
                        'verbose_name_plural': 'cities',
                        'db_table': 'listings_city',
                        'ordering': ['-population', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='Suburb',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(db_index=True, max_length=80)),
                        ('state', models.CharField(max_length=3)),
                        ('point', django.contrib.gis.db.models.fields.PointField(geography=True, srid=4326)),
                        ('population', models.PositiveIntegerField(default=0)),
                        ('city', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='suburbs', to='places.city')),
                    ],
                    options={
                        'db_table': 'listings_suburb',
                        'ordering': ['-population', 'name'],
                        'constraints': [models.UniqueConstraint(fields=('name', 'state'), name='suburb_unique_name_state')],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
