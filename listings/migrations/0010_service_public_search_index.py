import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built concurrently: a large catalogue keeps taking writes while the index builds. The new
    # index comes first, so search always has one.
    atomic = False

    dependencies = [
        ("listings", "0009_service_provider_approved"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="service",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("provider_approved", True), ("status", "active")),
                fields=["search_vector"],
                name="service_public_search_gin",
            ),
        ),
        RemoveIndexConcurrently(
            model_name="service",
            name="service_active_search_gin",
        ),
    ]
