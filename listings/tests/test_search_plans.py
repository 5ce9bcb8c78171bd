# ruff: noqa: F811 - the fixtures imported from test_search are this module's parameters
"""The indexes search relies on match the queries it really runs (EXPLAIN on a small table).

A test table is a few pages, where a sequential scan is the honest best plan; with
`enable_seqscan = off` the planner takes an index whenever one can answer the query, so these
tests prove the index's expression and predicate match the query's (a mismatch still seq scans).
"""

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ProviderProfileFactory
from listings.models import Service
from listings.search import providers_named, search_words_correct, service_search
from listings.selectors import service_public
from listings.services import search_terms_refresh, service_search_vectors_refresh
from places.selectors import place_resolve, places_named

from .test_search import (  # noqa: F401 - fixtures
    BONDI,
    _fast_passwords,
    electrical,
    perth,
    places,
    service,
    sydney,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_seqscan() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")


@pytest.fixture
def catalogue(places, electrical):
    sydney = places["sydney"]
    for n in range(30):
        service(
            title=f"Emergency electrician {n}", subcategory=electrical["emergency"], city=sydney,
            provider__business_name=f"Sparky Electrical {n}",
        )  # fmt: skip
    service(title="Lighting", subcategory=electrical["lighting"], city=sydney,
            provider__business_name="Priya's Electrical")  # fmt: skip
    service(title="Old draft", subcategory=electrical["lighting"], city=sydney, status="draft")
    # Many active listings without the searched words, so that reading every active row (the
    # other partial indexes on status = 'active') costs more than the search index.
    provider = ProviderProfileFactory(approved=True, base_city=sydney)
    Service.objects.bulk_create(
        Service(
            provider=provider, subcategory=electrical["lighting"], city=sydney,
            title=f"Garden lights {n}", slug=f"garden-lights-{n}", description="Outdoor",
            price=Decimal(90), point=BONDI, service_radius_km=10, status=Service.Status.ACTIVE,
        )
        for n in range(1000)
    )  # fmt: skip
    service_search_vectors_refresh()
    search_terms_refresh()
    with connection.cursor() as cursor:
        for table in ("listings_service", "accounts_providerprofile", "listings_suburb"):
            cursor.execute(f"ANALYZE {table}")


def _plans(queries: list[dict]) -> list[str]:
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            if query["sql"].lstrip("( ").upper().startswith(("SELECT", "WITH")):
                cursor.execute(f"EXPLAIN {query['sql']}")
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def test_search_reads_the_partial_index_of_active_services(catalogue, no_seqscan):
    """service_public_search_gin's predicate (status = 'active') is implied by the search's
    WHERE, so the candidates come from it, not from the index of every listing."""
    with CaptureQueriesContext(connection) as captured:
        page = service_search(services=service_public(), text="emergency electrician")
    assert len(page.results) == 20

    plans = [plan for plan in _plans(captured.captured_queries) if "search_vector @@" in plan]
    assert plans, captured.captured_queries
    assert "Bitmap Index Scan on service_public_search_gin" in plans[0], plans[0]


def _only_index(table: str, keep: str) -> None:
    """Drop (inside the test's transaction) every index of `table` but `keep` and those behind
    constraints: with a few dozen rows an index on another column is as cheap as any, and the
    planner's choice among them would prove nothing."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND c.relname <> %s""",
            [table, keep],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')


def test_provider_names_are_matched_through_the_trigram_index(catalogue, no_seqscan):
    """providers_named's lower(business_name) LIKE is what provider_approved_name_trgm holds
    (for approved providers, as the query asks)."""
    _only_index("accounts_providerprofile", "provider_approved_name_trgm")
    with CaptureQueriesContext(connection) as captured:
        found = providers_named(text="priya's")
    assert [provider.business_name for provider in found] == ["Priya's Electrical"]

    (plan,) = _plans(captured.captured_queries)
    assert "Bitmap Index Scan on provider_approved_name_trgm" in plan, plan


def test_place_lookups_use_the_suburb_name_indexes(catalogue, no_seqscan):
    with CaptureQueriesContext(connection) as captured:
        assert set(places_named(names=["bondi", "plumber"])) == {"bondi"}
        assert place_resolve(text="parramat").name == "Parramatta"  # a prefix
        assert place_resolve(text="paramatta").name == "Parramatta"  # similar
    named, prefix, similar = _plans(captured.captured_queries)

    assert "suburb_lower_name_idx" in named, named
    # The prefix and similarity branches come after the exact one, in the same statement.
    assert prefix.count("suburb_lower_name_trgm") == 2, prefix
    assert similar.count("suburb_lower_name_trgm") == 2, similar


def _similarity_scans(words: list[str]) -> int:
    """How many times the typo query's trigram scan of the lexicon ran for `words`."""
    with CaptureQueriesContext(connection) as captured:
        search_words_correct(words=words)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query['sql']}")
        (plan,) = cursor.fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def nodes(node: dict) -> Iterator[dict]:
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    scans = [
        node
        for node in nodes(plan[0]["Plan"])
        if node.get("Index Name") == "search_term_word_trgm_gin"
    ]
    assert len(scans) == 1, plan
    return scans[0]["Actual Loops"]


def test_typo_correction_does_not_search_by_similarity_for_words_the_lexicon_has(
    catalogue, no_seqscan
):
    assert search_words_correct(words=["emergency", "electrician"]) == {}
    assert _similarity_scans(["emergency", "electrician"]) == 0
    # A misspelt word is still looked for, and only it.
    assert search_words_correct(words=["emergancy", "electrician"]) == {"emergancy": "emergency"}
    assert _similarity_scans(["emergancy", "electrician"]) == 1
