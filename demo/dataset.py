"""The demo data set: reads the files in `demo/data/`, checks them, and returns typed data.

`demo_data()` reads every file once per process (it is cached) and checks each against the shape
below and against the others (every subcategory has an offer, every trade its words...), so a
mistake in a file fails here with the file and the entry named, not halfway through a seed.

- ``catalogue.yaml``: categories and their subcategories (slugs, descriptions, attribute schemas),
  how common each trade is among demo providers, whether it is licensed, its picture's colours.
- ``offers.yaml``: how each subcategory is sold (titles, prices, durations, what the work involves)
  and the words listings are written with.
- ``providers.yaml``: names, business-name words, each trade's words for bios, insurers, phone
  numbers, moderation reasons.
- ``places.yaml``: GeoNames state codes, where the land is around coastal cities, city regions.
- ``demo_accounts.yaml``: the accounts to sign in with, and the demo provider's own listings.
"""

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError

from listings.attributes import validate_attribute_schema
from listings.models import RESERVED_SLUGS, Service

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("catalogue.yaml", "offers.yaml", "providers.yaml", "places.yaml", "demo_accounts.yaml")

FIXED, HOURLY, QUOTE = Service.PriceType.values
# Words every title template may use besides the subcategory's required attributes.
TITLE_WORDS = frozenset({"place", "city"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
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
    rating_average: Decimal
    rating_count: int
    # A second picture (another subcategory of the same trade), or "" for one photo.
    extra_photo: str = ""


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
    catalogue, offers_file, providers, places, accounts = (
        _Node(contents[name], name) for name in FILES
    )
    categories = _catalogue(catalogue)
    subcategories = {sub.slug: sub for category in categories for sub in category.subcategories}
    offers, listing_words = _offers(offers_file, subcategories)
    demo_accounts, demo_provider = _demo_accounts(accounts, subcategories)
    return DemoData(
        categories=categories,
        offers=offers,
        listing_words=listing_words,
        provider_words=_provider_words(providers, categories),
        places=_places(places),
        accounts=demo_accounts,
        demo_provider=demo_provider,
    )


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


@dataclass(frozen=True)
class _Node:
    """A value read from a file, and where it was, so that every error can say so."""

    value: object
    where: str

    def fail(self, message: str) -> DemoDataError:
        return DemoDataError(f"{self.where}: {message}")

    def _at(self, step: str, value: object) -> "_Node":
        return _Node(value, f"{self.where}{step}" if ":" in self.where else f"{self.where}: {step}")

    def mapping(self, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> dict:
        """The value as a mapping; with `required` or `optional`, no other keys are allowed."""
        if not isinstance(self.value, dict):
            raise self.fail("expected a mapping.")
        if missing := [key for key in required if key not in self.value]:
            raise self.fail(f"missing {', '.join(missing)}.")
        allowed = (*required, *optional)
        if allowed and (unknown := [str(key) for key in self.value if key not in allowed]):
            raise self.fail(f"unknown {', '.join(unknown)} (expected {', '.join(allowed)}).")
        return self.value

    def get(self, key: str, default: object = None) -> "_Node":
        step = f".{key}" if ":" in self.where else key
        return self._at(step, self.mapping().get(key, default))

    def items(self) -> list[tuple[str, "_Node"]]:
        """(key, value) pairs of a mapping whose keys are text, in the file's order."""
        pairs = []
        for key, value in self.mapping().items():
            if not isinstance(key, str):
                raise self.fail(f"the key {key!r} must be text (quote it).")
            pairs.append((key, self._at(f"[{key}]", value)))
        return pairs

    def list(self, *, allow_empty: bool = False) -> list["_Node"]:
        if not isinstance(self.value, list) or not (self.value or allow_empty):
            raise self.fail("expected a list" + ("." if allow_empty else " of one or more."))
        nodes = []
        for position, item in enumerate(self.value):
            # Name an entry by its slug or name where it has one: categories[plumbers].
            label = item.get("slug") or item.get("name") if isinstance(item, dict) else None
            nodes.append(self._at(f"[{label if isinstance(label, str) else position}]", item))
        return nodes

    def text(self, *, max_length: int | None = None) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail("expected some text.")
        if max_length is not None and len(self.value) > max_length:
            raise self.fail(f"at most {max_length} characters.")
        return self.value

    def texts(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.list())

    def slug(self) -> str:
        value = self.text(max_length=80)
        if not SLUG.match(value):
            raise self.fail(f"{value!r} is not a slug (lower-case letters, digits, hyphens).")
        return value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("expected true or false.")
        return self.value

    def integer(self, *, minimum: int | None = None) -> int:
        if not isinstance(self.value, int) or isinstance(self.value, bool):
            raise self.fail("expected a whole number.")
        if minimum is not None and self.value < minimum:
            raise self.fail(f"expected {minimum} or more.")
        return self.value

    def number(self) -> float:
        if not isinstance(self.value, int | float) or isinstance(self.value, bool):
            raise self.fail("expected a number.")
        return self.value

    def numbers(self) -> tuple[float, ...]:
        return tuple(item.number() for item in self.list())

    def choice(self, choices: tuple[str, ...]) -> str:
        if self.value not in choices:
            raise self.fail(f"expected one of {', '.join(choices)}.")
        return str(self.value)

    def decimal(self, *, places: int | None = None) -> Decimal:
        amount = Decimal(str(self.number()))
        return amount if places is None else amount.quantize(Decimal(1).scaleb(-places))

    def colour(self) -> RGB:
        value = self.text()
        if not COLOUR.match(value):
            raise self.fail(f"{value!r} is not a colour like #14305c.")
        return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))

    def instance(self, kind: type) -> object:
        if not isinstance(self.value, kind):
            raise self.fail(f"expected a {kind.__name__}.")
        return self.value


# --- catalogue.yaml -----------------------------------------------------------------------------


def _catalogue(root: _Node) -> tuple[CategoryData, ...]:
    # `choice_lists` holds the lists several fields share (YAML anchors); nothing else reads it.
    root.mapping(required=("categories",), optional=("choice_lists",))
    categories = []
    seen: set[str] = set()
    for node in root.get("categories").list():
        node.mapping(
            required=("name", "slug", "description", "provider_weight", "photo", "subcategories"),
            optional=("licensed",),
        )
        subcategories = []
        for sub in node.get("subcategories").list():
            sub.mapping(required=("name", "slug", "description"), optional=("attribute_schema",))
            subcategories.append(
                SubcategoryData(
                    name=sub.get("name").text(max_length=80),
                    slug=sub.get("slug").slug(),
                    description=sub.get("description").text(),
                    schema=_schema(sub.get("attribute_schema", [])),
                )
            )
        photo = node.get("photo")
        photo.mapping(required=("colours", "motif"))
        colours = photo.get("colours").list()
        if len(colours) != 2:
            raise photo.get("colours").fail("expected two colours: [dark, light].")
        dark, light = colours
        category = CategoryData(
            name=node.get("name").text(max_length=80),
            slug=node.get("slug").slug(),
            description=node.get("description").text(),
            subcategories=tuple(subcategories),
            provider_weight=node.get("provider_weight").integer(minimum=1),
            licensed=node.get("licensed", False).boolean(),
            photo=PhotoStyle(
                dark=dark.colour(), light=light.colour(), motif=photo.get("motif").text()
            ),
        )
        # Categories and subcategories share one URL space (/<slug>/).
        for slug in (category.slug, *(sub.slug for sub in category.subcategories)):
            if slug in seen:
                raise node.fail(f"the slug {slug!r} is used twice in the catalogue.")
            if slug in RESERVED_SLUGS:
                raise node.fail(f"the slug {slug!r} is a reserved address on the site.")
            seen.add(slug)
        categories.append(category)
    return tuple(categories)


def _schema(node: _Node) -> Schema:
    """An attribute schema in the model's shape: name, label, type, [choices], required."""
    fields: Schema = []
    for item in node.list(allow_empty=True):
        raw = item.mapping(required=("name", "label", "type"), optional=("choices", "required"))
        spec: dict[str, object] = {"name": raw["name"], "label": raw["label"], "type": raw["type"]}
        if "choices" in raw:
            spec["choices"] = list(item.get("choices").texts())
        spec["required"] = raw.get("required", False)
        fields.append(spec)
    try:
        validate_attribute_schema(fields)
    except ValidationError as error:
        raise node.fail(" ".join(error.messages)) from error
    return fields


# --- offers.yaml --------------------------------------------------------------------------------


def _offers(
    root: _Node, subcategories: dict[str, SubcategoryData]
) -> tuple[dict[str, Offer], ListingWords]:
    root.mapping(
        required=("offers", "attribute_values", "price_lines", "area_lines", "trust_lines")
    )
    values = root.get("attribute_values")
    values.mapping(required=("numbers", "texts"), optional=("numbers_by_subcategory",))
    numbers = {name: node.numbers() for name, node in values.get("numbers").items()}
    numbers_by_subcategory = {
        (slug, name): node.numbers()
        for slug, fields in values.get("numbers_by_subcategory", {}).items()
        for name, node in fields.items()
    }
    texts = {name: node.texts() for name, node in values.get("texts").items()}
    lines = root.get("price_lines")
    lines.mapping(required=(FIXED, HOURLY, QUOTE))
    price_lines = {price_type: node.texts() for price_type, node in lines.items()}
    words = ListingWords(
        price_lines=price_lines,
        area_lines=root.get("area_lines").texts(),
        trust_lines=root.get("trust_lines").texts(),
        numbers=numbers,
        numbers_by_subcategory=numbers_by_subcategory,
        texts=texts,
    )

    offers: dict[str, Offer] = {}
    for slug, node in root.get("offers").items():
        sub = subcategories.get(slug)
        if sub is None:
            raise node.fail("no subcategory of the catalogue has this slug.")
        offers[slug] = _offer(node, sub)
    if missing := [slug for slug in subcategories if slug not in offers]:
        raise root.get("offers").fail(f"no offer for {', '.join(missing)}.")

    # Every attribute a listing can carry needs values to draw from.
    for sub in subcategories.values():
        for spec in sub.schema:
            name = str(spec["name"])
            known = name in numbers or (sub.slug, name) in numbers_by_subcategory
            if spec["type"] == "number" and not known:
                raise values.fail(f"no number values for {name} ({sub.slug}).")
            if spec["type"] == "text" and name not in texts:
                raise values.fail(f"no text values for {name} ({sub.slug}).")
    return offers, words


def _offer(node: _Node, sub: SubcategoryData) -> Offer:
    node.mapping(
        required=("titles", "price_type", "durations", "details"),
        optional=("price_range", "instant_share", "price_grows_with", "growth"),
    )
    price_type = node.get("price_type").choice((FIXED, HOURLY, QUOTE))
    allowed = TITLE_WORDS | sub.required_fields()
    for title in node.get("titles").list():
        names = {name for _, name, _, _ in string.Formatter().parse(title.text()) if name}
        if unknown := names - allowed:
            raise title.fail(
                f"{', '.join(sorted(unknown))} cannot be used in a title: only "
                f"{', '.join(sorted(allowed))} (required attributes are always filled in)."
            )
    price_range = None
    if price_type == QUOTE:
        if node.get("price_range").value is not None:
            raise node.fail("a quote has no price_range.")
    else:
        low, high = (item.integer(minimum=1) for item in node.get("price_range").list())
        if low > high:
            raise node.get("price_range").fail("the lower price comes first.")
        price_range = (low, high)
    grows_with = node.get("price_grows_with", "").value
    if grows_with:
        kinds = {spec["name"]: spec["type"] for spec in sub.schema}
        if kinds.get(grows_with) != "number":
            raise node.get("price_grows_with").fail(
                "expected a number attribute of the subcategory."
            )
    return Offer(
        titles=node.get("titles").texts(),
        price_type=price_type,
        price_range=price_range,
        durations=tuple(item.integer(minimum=15) for item in node.get("durations").list()),
        details=node.get("details").texts(),
        instant_share=float(node.get("instant_share", 0.0).number()),
        price_grows_with=str(grows_with or ""),
        growth=float(node.get("growth", 0.0).number()),
    )


# --- providers.yaml -----------------------------------------------------------------------------


def _provider_words(root: _Node, categories: tuple[CategoryData, ...]) -> ProviderWords:
    root.mapping(
        required=(
            "first_names", "surnames", "name_words", "trades", "closers", "licensed_closers",
            "insurers", "mobiles", "area_codes", "rejection_reasons", "suspension_reasons",
        )
    )  # fmt: skip
    trades = {}
    for slug, node in root.get("trades").items():
        node.mapping(required=("suffixes", "person", "people", "bio_lines"))
        trades[slug] = Trade(
            suffixes=node.get("suffixes").texts(),
            person=node.get("person").text(),
            people=node.get("people").text(),
            bio_lines=node.get("bio_lines").texts(),
        )
    slugs = [category.slug for category in categories]
    if sorted(trades) != sorted(slugs):
        raise root.get("trades").fail(
            f"expected one entry per category ({', '.join(slugs)}); "
            f"missing {', '.join(set(slugs) - set(trades)) or 'none'}, "
            f"unknown {', '.join(set(trades) - set(slugs)) or 'none'}."
        )
    return ProviderWords(
        first_names=root.get("first_names").texts(),
        surnames=root.get("surnames").texts(),
        name_words=root.get("name_words").texts(),
        trades=trades,
        closers=root.get("closers").texts(),
        licensed_closers=root.get("licensed_closers").texts(),
        insurers={name: node.text() for name, node in root.get("insurers").items()},
        mobiles=root.get("mobiles").texts(),
        area_codes={state: node.text() for state, node in root.get("area_codes").items()},
        rejection_reasons=root.get("rejection_reasons").texts(),
        suspension_reasons=root.get("suspension_reasons").texts(),
    )


# --- places.yaml --------------------------------------------------------------------------------


def _places(root: _Node) -> PlaceData:
    root.mapping(required=("state_codes", "part_of_larger_city", "land_bearings", "city_areas"))
    bearings = {}
    for slug, node in root.get("land_bearings").items():
        start, end = (item.integer(minimum=0) for item in node.list())
        if not start < end <= start + 360:
            raise node.fail("expected [start, end] degrees, start < end, at most 360 apart.")
        bearings[slug] = (start, end)
    return PlaceData(
        state_codes={code: node.text() for code, node in root.get("state_codes").items()},
        part_of_larger_city={
            name: node.text() for name, node in root.get("part_of_larger_city").items()
        },
        land_bearings=bearings,
        city_areas={slug: node.texts() for slug, node in root.get("city_areas").items()},
    )


# --- demo_accounts.yaml -------------------------------------------------------------------------


def _demo_accounts(
    root: _Node, subcategories: dict[str, SubcategoryData]
) -> tuple[tuple[DemoAccount, ...], DemoProvider]:
    root.mapping(required=("accounts", "demo_provider"))
    accounts = []
    for node in root.get("accounts").list():
        node.mapping(required=("role", "email", "password", "name"))
        accounts.append(
            DemoAccount(
                role=node.get("role").choice(ROLES),
                email=node.get("email").text(),
                password=node.get("password").text(),
                name=node.get("name").text(),
            )
        )
    if sorted(account.role for account in accounts) != sorted(ROLES):
        raise root.get("accounts").fail(f"expected one account for each of {', '.join(ROLES)}.")

    node = root.get("demo_provider")
    node.mapping(
        required=(
            "phone", "business_name", "slug", "city", "bio", "base_point", "service_radius_km",
            "licence_number", "insurance_provider", "insurance_policy_number",
            "insurance_expires_on", "licence_verified", "insurance_verified", "approved_at",
            "listings",
        )
    )  # fmt: skip
    point = node.get("base_point")
    point.mapping(required=("latitude", "longitude"))
    approved_at = node.get("approved_at").instance(datetime)
    if approved_at.tzinfo is None:
        raise node.get("approved_at").fail("give the time zone, e.g. 2026-03-02T23:00:00Z.")
    provider = DemoProvider(
        phone=node.get("phone").text(),
        business_name=node.get("business_name").text(),
        slug=node.get("slug").slug(),
        city_slug=node.get("city").slug(),
        bio=node.get("bio").text(),
        latitude=point.get("latitude").number(),
        longitude=point.get("longitude").number(),
        service_radius_km=node.get("service_radius_km").integer(minimum=1),
        licence_number=node.get("licence_number").text(),
        insurance_provider=node.get("insurance_provider").text(),
        insurance_policy_number=node.get("insurance_policy_number").text(),
        insurance_expires_on=node.get("insurance_expires_on").instance(date),
        licence_verified=node.get("licence_verified").boolean(),
        insurance_verified=node.get("insurance_verified").boolean(),
        approved_at=approved_at,
        listings=tuple(_listing(item, subcategories) for item in node.get("listings").list()),
    )
    return tuple(accounts), provider


def _listing(node: _Node, subcategories: dict[str, SubcategoryData]) -> ServicePlan:
    node.mapping(
        required=(
            "subcategory", "title", "description", "price_type", "duration_minutes",
            "instant_book", "attributes", "status", "rating_average", "rating_count",
        ),
        optional=("price",),
    )  # fmt: skip
    slug = node.get("subcategory").slug()
    sub = subcategories.get(slug)
    if sub is None:
        raise node.get("subcategory").fail("no subcategory of the catalogue has this slug.")
    price_type = node.get("price_type").choice((FIXED, HOURLY, QUOTE))
    price = None if price_type == QUOTE else node.get("price").decimal()
    attributes = node.get("attributes").mapping()
    names = {spec["name"] for spec in sub.schema}
    if unknown := [name for name in attributes if name not in names]:
        raise node.get("attributes").fail(f"{', '.join(unknown)}: not in {slug}'s schema.")
    return ServicePlan(
        subcategory_slug=slug,
        title=node.get("title").text(max_length=120),
        description=node.get("description").text(),
        price_type=price_type,
        price=price,
        duration_minutes=node.get("duration_minutes").integer(minimum=15),
        instant_book=node.get("instant_book").boolean(),
        attributes=dict(attributes),
        status=node.get("status").choice(tuple(Service.Status.values)),
        rating_average=node.get("rating_average").decimal(places=2),
        rating_count=node.get("rating_count").integer(minimum=0),
    )
