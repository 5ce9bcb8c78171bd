# ruff: noqa: F811 - the fixtures imported from test_search are this module's parameters
"""Search by business name, and typo correction only when the words as typed find little."""

from decimal import Decimal
from html import escape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from listings.search import search_query_parse, search_words_correct
from listings.services import search_terms_refresh
from places.models import Suburb

from .factories import ServiceFactory, ServicePhotoFactory, SubcategoryFactory
from .test_search import (  # noqa: F401 - fixtures
    _fast_passwords,
    electrical,
    get,
    perth,
    places,
    service,
    sydney,
    titles,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def priya(sydney, electrical):
    """Priya's Electrical, whose listings never say "Priya", among better-rated electricians
    and a listing that puts "price" (three letters from "priya") in the lexicon."""
    mine = [
        service(title="Switchboard upgrades", subcategory=electrical["lighting"],
                provider__business_name="Priya's Electrical", provider__slug="priyas-electrical",
                rating_average=Decimal("4.1"), rating_count=3),
    ]  # fmt: skip
    mine.append(
        ServiceFactory(
            title="Safety switch testing",
            subcategory=electrical["emergency"],
            provider=mine[0].provider,
            rating_average=Decimal("4.0"),
            rating_count=2,
        )
    )
    for n in range(6):
        service(title=f"Fixed price electrical repairs {n}", subcategory=electrical["lighting"],
                rating_average=Decimal("4.9"), rating_count=40)  # fmt: skip
    search_terms_refresh()
    return mine


def _corrected(response) -> str:
    return response.context["parsed"].corrected


# --- Business names ----------------------------------------------------------------------------


def test_a_provider_is_found_by_business_name_and_their_listings_come_first(client, priya):
    response = get(client, q="Priya's Electrical")
    page = response.content.decode()

    assert _corrected(response) == ""
    assert "Showing results for" not in page
    assert [provider.business_name for provider in response.context["providers"]] == [
        "Priya's Electrical"
    ]
    profile = reverse("provider_public", kwargs={"slug": "priyas-electrical"})
    assert f'href="{profile}"' in page
    # The provider comes first, above the listing results; then their listings.
    assert page.index(profile) < page.index('class="search-list"')
    assert set(titles(response)[:2]) == {listing.title for listing in priya}


def test_the_closest_business_name_comes_first_and_the_words_show_as_typed(
    client, priya, electrical
):
    service(title="Ceiling fans", subcategory=electrical["lighting"],
            provider__business_name="Priya's Electrics",
            rating_average=Decimal("5.0"), rating_count=9)  # fmt: skip

    response = get(client, q="Priya's  Electrical")

    assert response_providers(response) == ["Priya's Electrical", "Priya's Electrics"]
    assert response.context["heading"] == "“Priya's  Electrical”"
    # The closest name's listings first, though "Ceiling fans" is better rated.
    assert titles(response)[:3] == [
        "Switchboard upgrades", "Safety switch testing", "Ceiling fans"
    ]  # fmt: skip


def test_a_business_name_word_is_never_corrected(client, priya):
    # No listing of Priya's is plumbing, so nothing matches all the words: "priya" stays.
    assert "priya" not in search_words_correct(words=["priya", "electrcal"])
    assert search_query_parse(query="priya plumbing").corrected == ""


def test_catalogue_words_alone_show_no_provider(client, priya):
    response = get(client, q="electrical")

    assert response.context["providers"] == []
    assert len(titles(response)) == 8


def test_words_that_many_business_names_share_show_no_provider(client, priya):
    # The six other providers are all "Bright Spark Electrical <n>" (the factory's names).
    assert response_providers(get(client, q="bright spark")) == []
    assert response_providers(get(client, q="priya")) == ["Priya's Electrical"]


def response_providers(response) -> list[str]:
    return [provider.business_name for provider in response.context["providers"]]


def test_a_provider_that_is_not_approved_is_not_shown(client, priya):
    provider = priya[0].provider
    provider.status = "suspended"
    provider.save()

    response = get(client, q="Priya's Electrical")

    assert response.context["providers"] == []
    assert reverse("provider_public", kwargs={"slug": provider.slug}) not in (
        response.content.decode()
    )


# --- Words that are not typos ----------------------------------------------------------------


def test_a_suburb_is_not_corrected_even_before_the_lexicon_knows_it(client, places, electrical):
    service(title="Globe and downlight replacement", subcategory=electrical["lighting"],
            city=places["sydney"], point=Point(151.18, -33.88))  # fmt: skip
    search_terms_refresh()
    # Added since the lexicon was last rebuilt (the beat task rebuilds it later).
    Suburb.objects.create(
        city=places["sydney"], name="Glebe", state="NSW", point=Point(151.1856, -33.8796)
    )

    assert search_words_correct(words=["glebe"]) == {}
    parsed = search_query_parse(query="downlight glebe")
    assert parsed.corrected == ""
    assert parsed.place.label == "Glebe, NSW"
    response = get(client, q="downlight glebe")
    assert response.context["heading"] == "“downlight” near Glebe, NSW"


def test_a_word_in_a_listing_is_not_corrected(client, sydney, electrical):
    service(title="Group bookings", subcategory=electrical["lighting"])
    service(title="Tile care", description="Regrouting and grout sealing.",
            subcategory=electrical["lighting"])  # fmt: skip
    search_terms_refresh()

    response = get(client, q="grout")

    assert _corrected(response) == ""
    assert "Showing results for" not in response.content.decode()
    assert titles(response) == ["Tile care"]


def test_a_subcategory_name_without_listings_yet_is_not_corrected(db, sydney, electrical):
    service(title="Ceiling fans", subcategory=electrical["lighting"])
    SubcategoryFactory(category=electrical["category"], name="Tiling", slug="tiling")
    search_terms_refresh()

    assert search_words_correct(words=["tiling"]) == {}
    assert search_query_parse(query="tiling").corrected == ""


# --- Correction when the words find nothing ------------------------------------------------


def test_a_typo_that_finds_nothing_is_corrected_with_a_way_back(client, sydney, electrical):
    service(title="Lighting design", subcategory=electrical["lighting"])
    search_terms_refresh()

    response = get(client, q="lightng", city="sydney")
    page = response.content.decode()

    assert titles(response) == ["Lighting design"]
    assert "Showing results for <strong>lighting</strong>" in page
    assert response.context["as_typed_url"]
    link = response.context["as_typed_url"]
    assert f'href="{escape(link)}"' in page
    assert "Search instead for" in page
    params = parse_qs(urlsplit(link).query)
    assert params == {"q": ["lightng"], "city": ["sydney"], "as_typed": ["1"]}

    as_typed = client.get(reverse("search") + link)
    assert _corrected(as_typed) == ""
    assert titles(as_typed) == []
    assert "No services match “lightng”" in as_typed.content.decode()


def test_a_typo_is_not_corrected_when_the_words_as_typed_find_enough(client, sydney, electrical):
    for n in range(3):
        service(title=f"Lighting {n}", description="Or lightng, as some spell it.",
                subcategory=electrical["lighting"])  # fmt: skip
    search_terms_refresh()

    response = get(client, q="lightng")

    assert _corrected(response) == ""
    assert len(titles(response)) == 3


# --- Nonsense stays as typed -----------------------------------------------------------------


@pytest.fixture
def near_words(sydney, electrical):
    """Lexicon words a trigram away from "alert", "script" and friends."""
    service(title="Albert Park gardens", subcategory=electrical["lighting"])
    service(title="Scripture cards", subcategory=electrical["lighting"])
    search_terms_refresh()


def test_markup_is_shown_as_typed_and_never_corrected(client, near_words):
    response = get(client, q="<script>alert(1)")
    page = response.content.decode()

    assert _corrected(response) == ""
    assert "Showing results for" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert response.context["heading"] == "“<script>alert(1)”"
    assert "<script>alert" not in page
    assert "albert" not in page.lower()


@pytest.mark.parametrize(
    "query",
    [
        "alert ☃ scrpt",
        "ålert scrïpt",
        "alert\u200bscript",
        "script" * 16,
        "'; drop table listings_service; --",
        "%_%",
    ],
)
def test_odd_input_is_not_corrected_and_never_an_error(client, near_words, query):
    response = get(client, q=query)

    assert response.status_code == 200
    assert _corrected(response) == ""
    assert "albert" not in response.content.decode().lower()


# --- Query count -----------------------------------------------------------------------------

# The business-name lookup, typo correction, place words and the search (cards with their
# first photos); the form's category and city lists are cached by the search before.
NAME_SEARCH_QUERIES = 4


@pytest.mark.parametrize("count", [1, 20])
def test_business_name_search_query_count(
    client, django_assert_num_queries, sydney, electrical, count
):
    first = service(title="Lighting 0", subcategory=electrical["lighting"],
                    provider__business_name="Priya's Electrical")  # fmt: skip
    for n in range(1, count):
        ServicePhotoFactory(service=ServiceFactory(
            title=f"Lighting {n}", subcategory=electrical["lighting"], provider=first.provider
        ))  # fmt: skip
    search_terms_refresh()
    get(client)

    with django_assert_num_queries(NAME_SEARCH_QUERIES):
        response = get(client, q="priya's electrical")

    assert len(titles(response)) == count
    assert len(response.context["providers"]) == 1
