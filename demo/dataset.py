"""The demo data set: reads the files in `demo/data/`, checks them, and returns typed data.

`demo_data()` reads every file once per process (it is cached), validates each against its JSON
Schema in ``data/schema.yaml``, then checks what a schema cannot say: the entries and the files
against each other (unique slugs, an offer for every subcategory, words for every trade...). So a
mistake in a file fails here with the file and the entry named, not halfway through a seed.

- ``catalogue.yaml``: categories and their subcategories (slugs, descriptions, attribute schemas),
  how common each trade is among demo providers, whether it is licensed, its picture's colours.
- ``offers.yaml``: how each subcategory is sold (titles, prices, durations, what the work involves)
  and the words listings are written with.
- ``providers.yaml``: names, business-name words, each trade's words for bios, insurers, phone
  numbers, moderation reasons.
- ``places.yaml``: GeoNames state codes, where the land is around coastal cities, city regions.
- ``demo_accounts.yaml``: the accounts to sign in with, and the demo provider's own listings.
- ``reviews.yaml``: the demo customers' names and streets, and the words of their reviews, of the
  providers' replies and of the providers' private notes about customers.
"""

import reprlib
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError

from listings.attributes import validate_attribute_schema
from listings.models import RESERVED_SLUGS, Service

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = (
    "catalogue.yaml",
    "offers.yaml",
    "providers.yaml",
    "places.yaml",
    "demo_accounts.yaml",
    "reviews.yaml",
)
# The tones of review words: good (4-5 stars), fair (3) and poor (1-2).
TONES = ("good", "fair", "poor")

FIXED, HOURLY, QUOTE = Service.PriceType.values
# Words every title template may use besides the subcategory's required attributes.
TITLE_WORDS = frozenset({"place", "city"})
ROLES = ("customer", "provider", "admin")

RGB = tuple[int, int, int]
Schema = list[dict[str, object]]


class DemoDataError(ValueError):
    """A demo data file is malformed; the message names the file and the entry."""


# --- What the files hold ------------------------------------------------------------------------


@dataclass(frozen=True)
class SubcategoryData:
    name: str
    slug: str
    description: str
    schema: Schema = field(default_factory=list)

    def required_fields(self) -> set[str]:
        return {str(spec["name"]) for spec in self.schema if spec.get("required")}


@dataclass(frozen=True)
class PhotoStyle:
    """The demo picture of a category's subcategories: a gradient and a motif."""

    dark: RGB
    light: RGB
    motif: str


@dataclass(frozen=True)
class CategoryData:
    name: str
    slug: str
    description: str
    subcategories: tuple[SubcategoryData, ...]
    # How common providers of this trade are among the demo providers (relative weight).
    provider_weight: int
    # Whether providers of this trade hold a trade licence (electrical, plumbing, building...).
    licensed: bool
    photo: PhotoStyle


@dataclass(frozen=True)
class Offer:
    """How one subcategory is sold."""

    titles: tuple[str, ...]
    price_type: str
    price_range: tuple[int, int] | None  # AUD, None for quotes
    durations: tuple[int, ...]  # minutes a typical job takes
    details: tuple[str, ...]  # sentences about the work itself
    instant_share: float = 0.0  # how many listings of this kind can be booked instantly
    # A numeric attribute the price grows with (an extra bedroom costs more), and by how much.
    price_grows_with: str = ""
    growth: float = 0.0


@dataclass(frozen=True)
class ListingWords:
    """What listings are written with, beyond their offer."""

    price_lines: Mapping[str, tuple[str, ...]]  # by price type
    area_lines: tuple[str, ...]  # with {area}, {city} and {radius}
    trust_lines: tuple[str, ...]
    # Values for attributes: number fields by name, overridden for one subcategory; text fields.
    numbers: Mapping[str, tuple[float, ...]]
    numbers_by_subcategory: Mapping[tuple[str, str], tuple[float, ...]]
    texts: Mapping[str, tuple[str, ...]]

    def number_values(self, subcategory_slug: str, name: str) -> tuple[float, ...]:
        return self.numbers_by_subcategory.get((subcategory_slug, name)) or self.numbers[name]


@dataclass(frozen=True)
class Trade:
    """How a trade's businesses are named and described."""

    suffixes: tuple[str, ...]  # "Electrical", "Plumbing & Gas"
    person: str  # "electrician"
    people: str  # "electricians"
    bio_lines: tuple[str, ...]


@dataclass(frozen=True)
class ProviderWords:
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    name_words: tuple[str, ...]
    trades: Mapping[str, Trade]  # by category slug
    closers: tuple[str, ...]  # with {area}
    licensed_closers: tuple[str, ...]
    insurers: Mapping[str, str]  # insurer -> policy number prefix, in a fixed order
    mobiles: tuple[str, ...]
    area_codes: Mapping[str, str]  # state -> landline area code
    rejection_reasons: tuple[str, ...]
    suspension_reasons: tuple[str, ...]


@dataclass(frozen=True)
class PlaceData:
    state_codes: Mapping[str, str]  # GeoNames admin1 code -> state
    part_of_larger_city: Mapping[str, str]  # GeoNames name -> the city it belongs to
    land_bearings: Mapping[str, tuple[int, int]]  # city slug -> compass range on land
    city_areas: Mapping[str, tuple[str, ...]]  # city slug -> regions, as a sentence says them


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    name: str


@dataclass(frozen=True)
class ServicePlan:
    """One listing, decided before anything is written (generated, or written by hand)."""

    subcategory_slug: str
    title: str
    description: str
    price_type: str
    price: Decimal | None
    duration_minutes: int
    instant_book: bool
    attributes: dict[str, object]
    status: str
    # How many past customers reviewed it (demo/reviews.py writes them) and the stars they
    # give on average: a plan of rows, not a figure (reviews.aggregates computes the figures).
    reviews: int
    stars: float
    # A second picture (another subcategory of the same trade), or "" for one photo.
    extra_photo: str = ""


@dataclass(frozen=True)
class CustomerWords:
    """How demo customers are named, where they live and what providers note about them."""

    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    streets: tuple[str, ...]
    notes: Mapping[str, tuple[str, ...]]  # "good" and "poor"


@dataclass(frozen=True)
class ReviewWords:
    """What reviews and replies are written with, by tone (TONES); {name} is the provider's."""

    openings: Mapping[str, tuple[str, ...]]
    specifics: Mapping[str, Mapping[str, tuple[str, ...]]]  # category slug -> "good"/"poor"
    general: Mapping[str, tuple[str, ...]]
    closings: Mapping[str, tuple[str, ...]]
    replies: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class DemoProvider:
    """The demo provider account's profile and its hand-written listings."""

    phone: str
    business_name: str
    slug: str
    city_slug: str
    bio: str
    latitude: float
    longitude: float
    service_radius_km: int
    licence_number: str
    insurance_provider: str
    insurance_policy_number: str
    insurance_expires_on: date
    licence_verified: bool
    insurance_verified: bool
    approved_at: datetime
    listings: tuple[ServicePlan, ...]


@dataclass(frozen=True)
class DemoData:
    categories: tuple[CategoryData, ...]
    offers: Mapping[str, Offer]  # by subcategory slug
    listing_words: ListingWords
    provider_words: ProviderWords
    places: PlaceData
    accounts: tuple[DemoAccount, ...]  # in the order the seed prints them
    demo_provider: DemoProvider
    customer_words: CustomerWords
    review_words: ReviewWords

    def category(self, slug: str) -> CategoryData:
        return next(category for category in self.categories if category.slug == slug)

    def subcategories(self) -> list[SubcategoryData]:
        return [sub for category in self.categories for sub in category.subcategories]

    def catalogue_slugs(self) -> list[str]:
        """Every category and subcategory slug, in order."""
        slugs: list[str] = []
        for category in self.categories:
            slugs.append(category.slug)
            slugs.extend(sub.slug for sub in category.subcategories)
        return slugs

    def account(self, role: str) -> DemoAccount:
        return next(account for account in self.accounts if account.role == role)


# --- Reading ------------------------------------------------------------------------------------


@cache
def demo_data() -> DemoData:
    """The demo data set from `demo/data/`, read and checked once per process."""
    return load_demo_data(DATA_DIR)


def load_demo_data(directory: Path) -> DemoData:
    """Read and check every demo data file in `directory` (not cached)."""
    return build_demo_data({name: read_data_file(directory / name) for name in FILES})


def build_demo_data(contents: Mapping[str, object]) -> DemoData:
    """Check the contents of the data files (file name -> what YAML read) and type them."""
    # Every shape error of every file (they are independent); the typing below trusts the shapes.
    if errors := [error for name in FILES for error in _shape_errors(name, contents[name])]:
        raise DemoDataError("\n".join(errors))
    data = _typed(*(_frozen(contents[name]) for name in FILES))
    # Only the first mistake across entries: later ones often follow from it.
    if mistake := next(_mistakes(data), None):
        raise DemoDataError(mistake)
    return data


def read_data_file(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DemoDataError(f"{path.name}: cannot be read ({error.strerror}).") from error
    try:
        # The C loader when PyYAML has it: about ten times faster than the pure Python one.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise DemoDataError(f"{path.name}: not valid YAML: {error}") from error


# --- Shapes: each file against its schema in data/schema.yaml -----------------------------------

# YAML reads unquoted dates and timestamps as values JSON has no type for: the schema names them
# with these two formats, the only ones checked.
_FORMATS = FormatChecker(formats=())
_FORMATS.checks("YAML date")(lambda value: isinstance(value, date))
_FORMATS.checks("YAML timestamp with a time zone")(
    lambda value: isinstance(value, datetime) and value.tzinfo is not None
)


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = read_data_file(DATA_DIR / "schema.yaml")  # one schema per file, under `$defs`
    return Draft202012Validator({**schema, "$ref": f"#/$defs/{name}"}, format_checker=_FORMATS)


def _shape_errors(name: str, content: object) -> Iterator[str]:
    """Each error as `file: where: what`, naming list entries by their slug or name."""
    for error in _validator(name).iter_errors(content):
        where, value = "", content
        for step in error.absolute_path:
            value = value[step]
            if isinstance(step, str):
                where += f".{step}"
            else:
                label = value.get("slug") or value.get("name") if isinstance(value, dict) else None
                where += f"[{label if isinstance(label, str) else step}]"
        yield ": ".join(part for part in (name, where.lstrip("."), _message(error)) if part)


def _message(error: SchemaError) -> str:
    # A value short enough to read, and a shared part's description, not its pattern.
    value = repr(error.instance)
    value = value if len(value) <= 80 else reprlib.repr(error.instance)
    expected = error.schema.get("description") if isinstance(error.schema, dict) else None
    if expected and error.validator in ("type", "pattern"):
        return f"{value} is not {expected}."
    return error.message.replace(repr(error.instance), value)


# --- Typing what the files hold -----------------------------------------------------------------


def _frozen(value: object) -> object:
    """Lists as tuples and mappings as new dicts, all the way down: the data is read-only."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def _typed(
    catalogue: dict, offers: dict, providers: dict, places: dict, accounts: dict, reviews: dict
) -> DemoData:
    # Where a file's keys are a dataclass's fields (the schema holds them to that), ** passes them.
    trades = {slug: Trade(**trade) for slug, trade in providers["trades"].items()}
    return DemoData(
        categories=tuple(_category(category) for category in catalogue["categories"]),
        offers={
            slug: Offer(**{"price_range": None} | raw) for slug, raw in offers["offers"].items()
        },
        listing_words=_listing_words(offers),
        provider_words=ProviderWords(**providers | {"trades": trades}),
        places=PlaceData(**places),
        accounts=tuple(DemoAccount(**account) for account in accounts["accounts"]),
        demo_provider=_demo_provider(accounts["demo_provider"]),
        customer_words=CustomerWords(**reviews["customers"]),
        review_words=ReviewWords(**reviews["reviews"]),
    )


def _category(raw: dict) -> CategoryData:
    dark, light = raw["photo"]["colours"]
    return CategoryData(
        name=raw["name"],
        slug=raw["slug"],
        description=raw["description"],
        subcategories=tuple(_subcategory(sub) for sub in raw["subcategories"]),
        provider_weight=raw["provider_weight"],
        licensed=raw.get("licensed", False),
        photo=PhotoStyle(dark=_rgb(dark), light=_rgb(light), motif=raw["photo"]["motif"]),
    )


def _rgb(colour: str) -> RGB:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _subcategory(raw: dict) -> SubcategoryData:
    # The model's shape, in its order: `required` always said, choices as a list of their own.
    schema = [
        {"name": spec["name"], "label": spec["label"], "type": spec["type"]}
        | ({"choices": list(spec["choices"])} if "choices" in spec else {})
        | {"required": spec.get("required", False)}
        for spec in raw.get("attribute_schema", ())
    ]
    return SubcategoryData(raw["name"], raw["slug"], raw["description"], schema)


def _listing_words(raw: dict) -> ListingWords:
    values = raw["attribute_values"]
    return ListingWords(
        price_lines=raw["price_lines"],
        area_lines=raw["area_lines"],
        trust_lines=raw["trust_lines"],
        numbers=values["numbers"],
        numbers_by_subcategory={
            (slug, name): numbers
            for slug, fields in values.get("numbers_by_subcategory", {}).items()
            for name, numbers in fields.items()
        },
        texts=values["texts"],
    )


def _demo_provider(raw: dict) -> DemoProvider:
    profile = {key: raw[key] for key in raw if key not in ("city", "base_point", "listings")}
    listings = tuple(_plan(listing) for listing in raw["listings"])
    return DemoProvider(**profile, **raw["base_point"], city_slug=raw["city"], listings=listings)


def _plan(raw: dict) -> ServicePlan:
    priced = raw["price_type"] != QUOTE and "price" in raw
    return ServicePlan(
        subcategory_slug=raw["subcategory"],
        title=raw["title"],
        description=raw["description"],
        price_type=raw["price_type"],
        price=Decimal(str(raw["price"])) if priced else None,
        duration_minutes=raw["duration_minutes"],
        instant_book=raw["instant_book"],
        attributes=raw["attributes"],
        status=raw["status"],
        reviews=raw["reviews"],
        stars=raw["stars"],
    )


# --- What a schema cannot say: the entries and the files against each other ---------------------


def _mistakes(data: DemoData) -> Iterator[str]:
    """Each mistake across entries, the catalogue's first: the other files lean on it."""
    subcategories = {sub.slug: sub for sub in data.subcategories()}
    yield from _catalogue_mistakes(data.categories)
    yield from _offer_mistakes(data, subcategories)
    yield from _trade_mistakes(data.categories, data.provider_words.trades)
    for slug, (start, end) in data.places.land_bearings.items():
        if not start < end <= start + 360:
            yield f"places.yaml: land_bearings.{slug}: expected [start, end], at most 360 apart."
    if sorted(account.role for account in data.accounts) != sorted(ROLES):
        yield f"demo_accounts.yaml: accounts: expected one account for each of {', '.join(ROLES)}."
    for position, plan in enumerate(data.demo_provider.listings):
        yield from _plan_mistakes(position, plan, subcategories.get(plan.subcategory_slug))
    yield from _review_word_mistakes(data.categories, data.review_words)


def _catalogue_mistakes(categories: tuple[CategoryData, ...]) -> Iterator[str]:
    seen: set[str] = set()
    for category in categories:
        where = f"catalogue.yaml: categories[{category.slug}]"
        for sub in category.subcategories:
            try:
                validate_attribute_schema(sub.schema)
            except ValidationError as error:
                messages = " ".join(error.messages)
                yield f"{where}.subcategories[{sub.slug}].attribute_schema: {messages}"
        # Categories and subcategories share one URL space (/<slug>/).
        for slug in (category.slug, *(sub.slug for sub in category.subcategories)):
            if slug in seen:
                yield f"{where}: the slug {slug!r} is used twice in the catalogue."
            if slug in RESERVED_SLUGS:
                yield f"{where}: the slug {slug!r} is a reserved address on the site."
            seen.add(slug)


def _offer_mistakes(data: DemoData, subcategories: dict[str, SubcategoryData]) -> Iterator[str]:
    for slug, offer in data.offers.items():
        where = f"offers.yaml: offers[{slug}]"
        if slug in subcategories:
            yield from _one_offer_mistakes(where, offer, subcategories[slug])
        else:
            yield f"{where}: no subcategory of the catalogue has this slug."
    if missing := [slug for slug in subcategories if slug not in data.offers]:
        yield f"offers.yaml: offers: no offer for {', '.join(missing)}."
    # Every attribute a listing can carry needs values to draw from.
    words = data.listing_words
    for sub in subcategories.values():
        for spec in sub.schema:
            name, kind = spec["name"], spec["type"]
            numbers = name in words.numbers or (sub.slug, name) in words.numbers_by_subcategory
            if (kind == "number" and not numbers) or (kind == "text" and name not in words.texts):
                yield f"offers.yaml: attribute_values: no {kind} values for {name} ({sub.slug})."


def _one_offer_mistakes(where: str, offer: Offer, sub: SubcategoryData) -> Iterator[str]:
    # A listing always fills in its subcategory's required attributes, not always the others.
    allowed = TITLE_WORDS | sub.required_fields()
    for position, title in enumerate(offer.titles):
        if unknown := {name for _, name, _, _ in string.Formatter().parse(title) if name} - allowed:
            yield (
                f"{where}.titles[{position}]: {', '.join(sorted(unknown))} cannot be used in a "
                f"title: only {', '.join(sorted(allowed))} (required attributes are always "
                "filled in)."
            )
    if offer.price_type == QUOTE and offer.price_range:
        yield f"{where}: a quote has no price_range."
    if offer.price_type != QUOTE and not offer.price_range:
        yield f"{where}: {offer.price_type} offers need a price_range: [low, high]."
    if offer.price_range and offer.price_range[0] > offer.price_range[1]:
        yield f"{where}.price_range: the lower price comes first."
    numbers = {spec["name"] for spec in sub.schema if spec["type"] == "number"}
    if offer.price_grows_with and offer.price_grows_with not in numbers:
        yield f"{where}.price_grows_with: expected a number attribute of the subcategory."


def _trade_mistakes(categories: tuple[CategoryData, ...], trades: Mapping) -> Iterator[str]:
    slugs = [category.slug for category in categories]
    if sorted(trades) != sorted(slugs):
        missing, unknown = set(slugs) - set(trades), set(trades) - set(slugs)
        yield (
            f"providers.yaml: trades: expected one entry per category ({', '.join(slugs)}); "
            f"missing {', '.join(sorted(missing)) or 'none'}, "
            f"unknown {', '.join(sorted(unknown)) or 'none'}."
        )


def _review_word_mistakes(
    categories: tuple[CategoryData, ...], words: ReviewWords
) -> Iterator[str]:
    slugs = [category.slug for category in categories]
    if sorted(words.specifics) != sorted(slugs):
        missing, unknown = set(slugs) - set(words.specifics), set(words.specifics) - set(slugs)
        yield (
            f"reviews.yaml: reviews.specifics: expected one entry per category; "
            f"missing {', '.join(sorted(missing)) or 'none'}, "
            f"unknown {', '.join(sorted(unknown)) or 'none'}."
        )
    for part in ("openings", "general", "closings", "replies"):
        if missing := [tone for tone in TONES if tone not in getattr(words, part)]:
            yield f"reviews.yaml: reviews.{part}: no words for {', '.join(missing)}."


def _plan_mistakes(position: int, plan: ServicePlan, sub: SubcategoryData | None) -> Iterator[str]:
    where = f"demo_accounts.yaml: demo_provider.listings[{position}]"
    if sub is None:
        yield f"{where}.subcategory: no subcategory of the catalogue has this slug."
    elif unknown := set(plan.attributes) - {spec["name"] for spec in sub.schema}:
        yield f"{where}.attributes: {', '.join(sorted(unknown))}: not in {sub.slug}'s schema."
    if plan.price is None and plan.price_type != QUOTE:
        yield f"{where}: {plan.price_type} listings need a price."
