"""The data files themselves and their loader (no database)."""

import copy
import functools
import shutil
from collections.abc import Callable
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

from demo.dataset import (
    DATA_DIR,
    FILES,
    ROLES,
    DemoDataError,
    build_demo_data,
    demo_data,
    load_demo_data,
    read_data_file,
)
from listings.attributes import validate_attribute_schema
from listings.models import RESERVED_SLUGS, Service


def test_catalogue_slugs_are_unique_across_categories_and_subcategories_and_not_reserved():
    data = demo_data()
    slugs = data.catalogue_slugs()
    assert len(data.categories) >= 12
    assert len(slugs) - len(data.categories) >= 60
    assert len(slugs) == len(set(slugs))
    assert not set(slugs) & RESERVED_SLUGS


def test_every_attribute_schema_is_valid_and_most_subcategories_have_one():
    subcategories = demo_data().subcategories()
    for sub in subcategories:
        try:
            validate_attribute_schema(sub.schema)
        except ValidationError as error:  # pragma: no cover - the message names the culprit
            pytest.fail(f"{sub.slug}: {error.messages}")
    assert sum(bool(sub.schema) for sub in subcategories) >= 0.9 * len(subcategories)


def test_schemas_come_out_in_the_models_shape_with_shared_choice_lists_spelled_out():
    sub = next(s for s in demo_data().subcategories() if s.slug == "interstate-removalists")
    from_state = next(spec for spec in sub.schema if spec["name"] == "from_state")
    assert from_state == {
        "name": "from_state",
        "label": "Moving from",
        "type": "choice",
        "choices": ["ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"],
        "required": True,
    }
    assert all(set(spec) <= {"name", "label", "type", "choices", "required"} for spec in sub.schema)
    assert all(isinstance(spec["required"], bool) for spec in sub.schema)


def test_the_schema_is_json_schema_and_its_choices_are_the_models():
    schema = read_data_file(DATA_DIR / "schema.yaml")
    Draft202012Validator.check_schema(schema)
    shapes = schema["$defs"]
    assert set(FILES) <= set(shapes)
    assert shapes["price_type"]["enum"] == Service.PriceType.values
    assert shapes["listing"]["properties"]["status"]["enum"] == Service.Status.values
    assert shapes["account"]["properties"]["role"]["enum"] == list(ROLES)


def test_the_data_set_is_read_once():
    assert demo_data() is demo_data()


# --- Mistakes in a file are refused, naming the file and the entry --------------------------------


@functools.cache
def _contents() -> dict[str, object]:
    return {name: read_data_file(DATA_DIR / name) for name in FILES}


def _edited(name: str, change: Callable[[dict], None]) -> dict[str, object]:
    """What the data files hold, with one of them changed."""
    contents = copy.deepcopy(_contents())
    change(contents[name])
    return contents


def _category(content: dict, slug: str) -> dict:
    return next(c for c in content["categories"] if c["slug"] == slug)


def _subcategory(content: dict, slug: str) -> dict:
    return next(s for c in content["categories"] for s in c["subcategories"] if s["slug"] == slug)


MISTAKES = {
    # The shape of each file (demo/data/schema.yaml, checked by jsonschema).
    "a wrong type": (
        "catalogue.yaml",
        lambda c: _category(c, "plumbers").update(provider_weight="lots"),
        "catalogue.yaml: categories[plumbers].provider_weight: 'lots' is not of type 'integer'",
    ),
    "a missing key": (
        "offers.yaml",
        lambda c: c["offers"]["tiling"].pop("durations"),
        "offers.yaml: offers.tiling: 'durations' is a required property",
    ),
    "a bad slug": (
        "catalogue.yaml",
        lambda c: _subcategory(c, "tiling").update(slug="Bad Slug"),
        "catalogue.yaml: categories[building-renovation].subcategories[Bad Slug].slug: "
        "'Bad Slug' is not a slug (lower-case letters, digits, hyphens).",
    ),
    "a bad colour": (
        "catalogue.yaml",
        lambda c: _category(c, "plumbers")["photo"].update(colours=["#123", "#ffffff"]),
        "catalogue.yaml: categories[plumbers].photo.colours[0]: "
        "'#123' is not a colour like #14305c.",
    ),
    "a price type that does not exist": (
        "offers.yaml",
        lambda c: c["offers"]["tiling"].update(price_type="free"),
        "offers.yaml: offers.tiling.price_type: 'free' is not one of ['fixed', 'hourly', 'quote']",
    ),
    "an empty list": (
        "providers.yaml",
        lambda c: c.update(mobiles=[]),
        "providers.yaml: mobiles: [] should be non-empty",
    ),
    "blank text": (
        "providers.yaml",
        lambda c: c["trades"]["roofing"].update(person="  "),
        "providers.yaml: trades.roofing.person: '  ' is not some text (not only spaces).",
    ),
    "a key that is not text": (
        "places.yaml",
        lambda c: c["state_codes"].update({9: "XX"}),
        "places.yaml: state_codes: 9 is not a text key (quote it).",
    ),
    "a time without its zone": (
        "demo_accounts.yaml",
        lambda c: c["demo_provider"].update(approved_at=datetime(2026, 3, 2, 23)),
        "demo_accounts.yaml: demo_provider.approved_at: datetime.datetime(2026, 3, 2, 23, 0) is "
        "not a 'YAML timestamp with a time zone'",
    ),
    # The entries and the files against each other.
    "a slug used twice": (
        "catalogue.yaml",
        lambda c: _subcategory(c, "tiling").update(slug="carpentry"),
        "catalogue.yaml: categories[building-renovation]: the slug 'carpentry' is used twice",
    ),
    "a reserved slug": (
        "catalogue.yaml",
        lambda c: _category(c, "painters").update(slug="search"),
        "the slug 'search' is a reserved address",
    ),
    "a misspelt key": (
        "catalogue.yaml",
        lambda c: _category(c, "plumbers").update(provider_wieght=3),
        "catalogue.yaml: categories[plumbers]: Additional properties are not allowed "
        "('provider_wieght' was unexpected)",
    ),
    "a bad attribute schema": (
        "catalogue.yaml",
        lambda c: _subcategory(c, "tiling")["attribute_schema"][0].update(type="date"),
        "catalogue.yaml: categories[building-renovation].subcategories[tiling].attribute_schema: "
        "Field 1 (area_m2): type must be one of",
    ),
    "a subcategory without an offer": (
        "offers.yaml",
        lambda c: c["offers"].pop("tiling"),
        "offers.yaml: offers: no offer for tiling.",
    ),
    "a title naming an optional attribute": (
        "offers.yaml",
        lambda c: c["offers"]["tiling"]["titles"].append("Tiling a {area_type}"),
        "offers.yaml: offers[tiling].titles[4]: area_type cannot be used in a title",
    ),
    "a quote with a price": (
        "offers.yaml",
        lambda c: c["offers"]["tiling"].update(price_range=[100, 200]),
        "offers.yaml: offers[tiling]: a quote has no price_range.",
    ),
    "a number field with no values": (
        "offers.yaml",
        lambda c: c["attribute_values"]["numbers"].pop("number_of_fans"),
        "no number values for number_of_fans (ceiling-fan-installation).",
    ),
    "a trade without words": (
        "providers.yaml",
        lambda c: c["trades"].pop("roofing"),
        "providers.yaml: trades: expected one entry per category",
    ),
    "a listing of a subcategory that does not exist": (
        "demo_accounts.yaml",
        lambda c: c["demo_provider"]["listings"][0].update(subcategory="sparkies"),
        "demo_accounts.yaml: demo_provider.listings[0].subcategory: no subcategory",
    ),
    "an offer for a subcategory that does not exist": (
        "offers.yaml",
        lambda c: c["offers"].update(sparkies=c["offers"]["tiling"]),
        "offers.yaml: offers[sparkies]: no subcategory of the catalogue has this slug.",
    ),
    "a fixed price without a range": (
        "offers.yaml",
        lambda c: c["offers"]["switchboard-upgrades"].pop("price_range"),
        "offers.yaml: offers[switchboard-upgrades]: fixed offers need a price_range",
    ),
    "a price range upside down": (
        "offers.yaml",
        lambda c: c["offers"]["switchboard-upgrades"].update(price_range=[2400, 1100]),
        "offers.yaml: offers[switchboard-upgrades].price_range: the lower price comes first.",
    ),
    "land bearings the wrong way round": (
        "places.yaml",
        lambda c: c["land_bearings"].update(sydney=[390, 150]),
        "places.yaml: land_bearings.sydney: expected [start, end]",
    ),
    "two accounts for one role": (
        "demo_accounts.yaml",
        lambda c: c["accounts"][1].update(role="customer"),
        "demo_accounts.yaml: accounts: expected one account for each of customer, provider, admin.",
    ),
    "an hourly listing without a price": (
        "demo_accounts.yaml",
        lambda c: c["demo_provider"]["listings"][0].pop("price"),
        "demo_accounts.yaml: demo_provider.listings[0]: hourly listings need a price.",
    ),
    "a listing attribute its subcategory does not have": (
        "demo_accounts.yaml",
        lambda c: c["demo_provider"]["listings"][0]["attributes"].update(colour="red"),
        "demo_accounts.yaml: demo_provider.listings[0].attributes: colour: not in",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_mistake_in_a_data_file_is_refused_with_where_it_is(mistake):
    name, change, message = MISTAKES[mistake]
    with pytest.raises(DemoDataError) as raised:
        build_demo_data(_edited(name, change))
    assert message in str(raised.value)


def test_every_shape_error_of_every_file_is_named_at_once():
    contents = _edited("catalogue.yaml", lambda c: _category(c, "plumbers").update(licensed="yes"))
    contents["places.yaml"] = None
    with pytest.raises(DemoDataError) as raised:
        build_demo_data(contents)
    assert str(raised.value).splitlines() == [
        "catalogue.yaml: categories[plumbers].licensed: 'yes' is not of type 'boolean'",
        "places.yaml: None is not of type 'object'",
    ]


def test_a_long_value_is_shortened_in_a_message():
    subcategories = {f"s{n:02}": n for n in range(50)}
    contents = _edited(
        "catalogue.yaml", lambda c: _category(c, "plumbers").update(subcategories=subcategories)
    )
    with pytest.raises(DemoDataError) as raised:
        build_demo_data(contents)
    assert str(raised.value) == (
        "catalogue.yaml: categories[plumbers].subcategories: "
        "{'s00': 0, 's01': 1, 's02': 2, 's03': 3, ...} is not of type 'array'"
    )


def test_the_files_as_they_are_are_accepted():
    assert build_demo_data(_edited("catalogue.yaml", lambda content: None)) == demo_data()


def test_a_missing_or_broken_file_is_named(tmp_path):
    directory = tmp_path / "data"
    shutil.copytree(DATA_DIR, directory)
    (directory / "places.yaml").unlink()
    with pytest.raises(DemoDataError, match=r"^places\.yaml: cannot be read"):
        load_demo_data(directory)
    (directory / "places.yaml").write_text("state_codes: [unclosed", "utf-8")
    with pytest.raises(DemoDataError, match=r"^places\.yaml: not valid YAML"):
        load_demo_data(directory)
