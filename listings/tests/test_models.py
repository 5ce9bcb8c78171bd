import pytest
from django.core.exceptions import ValidationError

from listings.attributes import validate_attribute_schema
from listings.tests.factories import CategoryFactory, SubcategoryFactory

PEST_TYPE = {
    "name": "pest_type",
    "label": "Pest type",
    "type": "choice",
    "choices": ["Termites", "Cockroaches"],
    "required": True,
}


@pytest.mark.django_db
def test_a_subcategory_cannot_take_a_category_slug():
    CategoryFactory(name="Electricians", slug="electricians")
    clash = SubcategoryFactory.build(
        category=CategoryFactory(), name="Electricians", slug="electricians"
    )
    with pytest.raises(ValidationError, match="already uses this slug"):
        clash.full_clean()


@pytest.mark.django_db
def test_a_category_cannot_take_a_subcategory_slug():
    SubcategoryFactory(slug="emergency-electricians")
    clash = CategoryFactory.build(name="Emergency", slug="emergency-electricians")
    with pytest.raises(ValidationError, match="already uses this slug"):
        clash.full_clean()


@pytest.mark.django_db
def test_editing_a_category_keeps_its_own_slug():
    category = CategoryFactory(slug="plumbers")
    category.name = "Plumbing"
    category.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["search", "admin", "portal", "api"])
def test_reserved_slugs_are_refused(slug):
    with pytest.raises(ValidationError, match="reserved address"):
        CategoryFactory.build(name="X", slug=slug).full_clean()


def test_a_good_schema_passes():
    validate_attribute_schema(
        [
            PEST_TYPE,
            {"name": "bedrooms", "label": "Bedrooms", "type": "number", "required": False},
            {"name": "oven", "label": "Oven clean", "type": "boolean"},
            {"name": "notes", "label": "Notes", "type": "text"},
        ]
    )


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"name": "x"}, "must be a list"),
        (["pest_type"], "must be an object"),
        ([PEST_TYPE | {"name": "Pest Type"}], "lower_snake_case"),
        ([PEST_TYPE, PEST_TYPE], "used twice"),
        ([PEST_TYPE | {"label": " "}], "a label is required"),
        ([PEST_TYPE | {"type": "date"}], "type must be one of"),
        ([PEST_TYPE | {"choices": []}], "needs a list of choices"),
        ([PEST_TYPE | {"type": "text"}], "only choice fields take choices"),
        ([PEST_TYPE | {"required": "yes"}], "required must be true or false"),
    ],
)
def test_a_bad_schema_says_what_is_wrong(schema, message):
    with pytest.raises(ValidationError, match=message):
        validate_attribute_schema(schema)
