"""The demo catalogue's categories and subcategories, written from `data/catalogue.yaml`."""

from django.db import transaction

from listings.models import Category, Subcategory

from .dataset import demo_data


@transaction.atomic
def catalogue_seed() -> tuple[int, int]:
    """Create the categories and subcategories that do not exist yet (by slug).

    Existing rows are left as they are, so a moderator's edits survive a re-run.
    Returns (categories created, subcategories created).
    """
    categories = demo_data().categories
    category_ids = dict(Category.objects.values_list("slug", "pk"))
    # Categories and subcategories share one URL space: a slug taken by either is taken.
    taken = set(category_ids) | set(Subcategory.objects.values_list("slug", flat=True))
    new_categories = [
        Category(name=data.name, slug=data.slug, description=data.description, position=position)
        for position, data in enumerate(categories, start=1)
        if data.slug not in taken
    ]
    for category in Category.objects.bulk_create(new_categories):
        category_ids[category.slug] = category.pk
    new_subcategories = [
        Subcategory(
            category_id=category_ids[data.slug],
            name=sub.name,
            slug=sub.slug,
            description=sub.description,
            attribute_schema=sub.schema,
            position=position,
        )
        for data in categories
        if data.slug in category_ids
        for position, sub in enumerate(data.subcategories, start=1)
        if sub.slug not in taken
    ]
    Subcategory.objects.bulk_create(new_subcategories)
    return len(new_categories), len(new_subcategories)
