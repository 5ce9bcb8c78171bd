"""Search and near-me: typo correction, place words, ranked full-text search, service areas.

Reads only (selectors). The search page and the API share these functions:

- `search_query_parse` corrects misspelt words against the catalogue lexicon (`SearchTerm`,
  trigram similarity) and takes out the words that name a place ("plumber fremantle"). A word that
  names a provider, a place or a catalogue entry, or that a listing contains, is never a typo;
  input that is not plain words (markup, odd Unicode, very long) is never corrected.
- `providers_named` finds the approved providers whose business name the query names.
- `service_search` runs the search: websearch syntax and ranking over a bounded set of
  candidates, service areas that cover a point (nearest first, through the GiST index), sorts
  and "next page" pagination without counting.

Places (typed or named inside a query) come from places.selectors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from accounts.models import ProviderProfile
from marketplace.replicas import read_connection
from places.selectors import Place, place_from_point, place_resolve, places_named

from .cards import ServiceCard, service_card_list
from .models import Service
from .selectors import service_cards

PAGE_SIZE = 20
# Ranking scores every match, so only this many candidates are ranked (ARCHITECTURE: ranking
# 80k matches costs ~126 ms; 2,000 cost a few ms). Narrowing filters apply before the limit.
MAX_RANKED = 2000
# Deep pages of a ranked or nearest-first list are not worth walking to.
MAX_PAGE = MAX_RANKED // PAGE_SIZE
# Similarity a lexicon word needs to replace a misspelt query word (pg_trgm's default). The
# typo query also filters with `%`, which uses pg_trgm.similarity_threshold (0.3): raising this
# is enough, lowering it below 0.3 needs that setting lowered too.
TYPO_SIMILARITY = 0.3
# A correction is only used when the words as typed find fewer services than this.
FEW_RESULTS = 3
# A query of more words than this is not a mistyped search for a service: never corrected.
MAX_CORRECTED_WORDS = 8
# Providers shown above the results when the query names their business.
MAX_NAMED_PROVIDERS = 3
SEARCH_CONFIG = "english"

SORTS = {
    "relevance": "Best match",
    "distance": "Nearest",
    "rating": "Highest rated",
    "price": "Lowest price",
}

# Words that only join a place to the rest of the query: "plumber in fremantle", "near me".
_PLACE_JOINERS = frozenset({"in", "near", "around", "at", "nearby"})
_WORD = re.compile(r"[a-z]+")
# websearch syntax we leave alone when correcting: quoted phrases and -negated words.
_PROTECTED = re.compile(r'"[^"]*"?|-[a-z]+')
# What a query made of plain words looks like; anything else (markup, symbols, letters the
# lexicon cannot hold) is searched as typed and never corrected.
_CORRECTABLE = re.compile(r"[a-z0-9\s'\u2019\-\".,&/+]*")


@dataclass(frozen=True)
class ParsedQuery:
    """What to search for once typos are corrected and place words are taken out."""

    text: str  # the user's words without the place words (websearch syntax kept)
    corrected: str = ""  # `text` with misspelt words corrected, when any were
    place: Place | None = None  # a place named inside the query


@dataclass
class SearchPage:
    results: list[ServiceCard] | list[Service]  # cards for the pages, models for the API
    page: int
    has_next: bool
    sort: str
    exact_matches: bool = True  # False when only the corrected words matched
    corrected: str = ""  # the corrected text the results are for ("" when as typed)
    notes: list[str] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.page > 1


# --- Query words -------------------------------------------------------------------------


def _plain_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` outside quoted phrases and -negated words."""
    spans, start = [], 0
    for match in _PROTECTED.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _plain_words(text: str) -> list[re.Match]:
    words = []
    for start, end in _plain_spans(text):
        words.extend(_WORD.finditer(text, start, end))
    return [word for word in words if word.group() != "or"]


# A word that names an approved provider, a place or a catalogue entry, or that a listing
# contains, is not a typo whatever the lexicon (rebuilt by a periodic task) says.
# Checked live, and only for a word the lexicon would replace (CASE evaluates it lazily).
# The cheap LIKE leaves the word-boundary regex few names to read. Any listing's words count
# (a word someone wrote in a listing is no typo), through the search vectors' GIN index; they
# hold stems, so a word that stems like its correction ("emergancy", "emergency") says nothing
# there: it stays a typo worth pointing out.
_NAMES_HAVE_WORD = """EXISTS (SELECT 1 FROM {table} AS n WHERE {where}
    lower(n.{column}) LIKE ('%%' || q.word || '%%')
    AND lower(n.{column}) ~ ('\\m' || q.word || '\\M'))"""
_KNOWN_SQL = " OR ".join(
    [
        _NAMES_HAVE_WORD.format(
            table="accounts_providerprofile",
            where="n.status = 'approved' AND",
            column="business_name",
        ),
        *(
            _NAMES_HAVE_WORD.format(table=table, where="", column="name")
            for table in (
                "listings_suburb",
                "listings_city",
                "listings_category",
                "listings_subcategory",
            )
        ),
        """(NOT best.same_stem AND EXISTS (SELECT 1 FROM listings_service AS s
            WHERE s.search_vector @@ to_tsquery('english', q.word)))""",
    ]
)

_CORRECT_SQL = f"""
WITH q AS MATERIALIZED (
    -- A word the lexicon has is spelt right: it is looked up (the unique index), never
    -- searched by similarity (the trigram scan below is what costs). MATERIALIZED keeps
    -- the planner from running the lateral scan first and filtering after.
    SELECT u.word FROM unnest(%s::text[]) AS u(word)
    WHERE ts_lexize('english_stem', u.word) <> '{{}}'
      AND NOT EXISTS (SELECT 1 FROM listings_searchterm AS k WHERE k.word = u.word)
)
SELECT q.word, best.word, best.same_stem,
       CASE WHEN best.word IS NULL THEN false ELSE ({_KNOWN_SQL}) END
FROM q
LEFT JOIN LATERAL (
    SELECT c.word,
           ts_lexize('english_stem', c.word) = ts_lexize('english_stem', q.word) AS same_stem
    FROM (
        -- `%%` (similarity at least pg_trgm.similarity_threshold, 0.3 = TYPO_SIMILARITY) is
        -- what the lexicon's GIN index answers; the few words it finds are then sorted.
        SELECT t.word, t.frequency, t.word <-> q.word AS distance
        FROM listings_searchterm AS t
        WHERE t.word %% q.word
        ORDER BY t.word <-> q.word
        LIMIT 5
    ) AS c
    WHERE 1 - c.distance >= %s
    ORDER BY ts_lexize('english_stem', c.word) = ts_lexize('english_stem', q.word) DESC,
             c.distance, c.frequency DESC
    LIMIT 1
) AS best ON true
"""


def search_words_correct(*, words: Sequence[str]) -> dict[str, str]:
    """Misspelt word -> the closest catalogue word, for the words that need it (one query).

    A word is left alone when the lexicon has it (looked up exactly, never matched by
    similarity) or another ending of it ("electrician" for "electricians"), has nothing
    similar enough, or when it is a stop word; and when it is a known word the lexicon may not
    have yet (_KNOWN_SQL): "priya" of "Priya's Electrical" is never "price".
    Each other word is matched by trigram similarity (`word % %s`) on the lexicon's GIN index.
    """
    candidates = sorted({word for word in words if 4 <= len(word) <= 40})
    if not candidates:
        return {}
    with read_connection().cursor() as cursor:
        cursor.execute(_CORRECT_SQL, [candidates, TYPO_SIMILARITY])
        rows = cursor.fetchall()
    return {
        word: best
        for word, best, same_stem, known in rows
        if best and best != word and not known and not (same_stem and _inflection(word, best))
    }


def _inflection(word: str, other: str) -> bool:
    """ "electrician" and "electricians": the same word with another ending, not a typo.
    ("emergancy" stems like "emergency" too, but it is a typo worth telling people about.)"""
    return word.startswith(other) or other.startswith(word)


# --- The place searched around ----------------------------------------------------------------


def search_place_find(
    *, latitude: Decimal | None, longitude: Decimal | None, where: str
) -> tuple[Place | None, list[str]]:
    """The point a search is around, as the search form gives it: the browser's location
    (both halves), else the place typed in "Where?"; and what to tell people when neither
    could be used (the results are then not limited to a place)."""
    if latitude is not None and longitude is not None:
        return place_from_point(latitude=float(latitude), longitude=float(longitude)), []
    if latitude is not None or longitude is not None:
        return None, ["Your location was incomplete. Press “Near me” again or type a suburb."]
    if not where:
        return None, []
    place = place_resolve(text=where)
    if place is None:
        return None, [
            f"We couldn’t find a place called “{where}”. Try a suburb or city, such as "  # noqa: RUF001
            "Bondi or Parramatta. These results are not limited to a place."
        ]
    return place, []


# --- Parsing a query --------------------------------------------------------------------------


def search_query_correctable(text: str) -> bool:
    """Plain words (no markup, symbols or odd Unicode), not too many of them."""
    return bool(_CORRECTABLE.fullmatch(text)) and len(text.split()) <= MAX_CORRECTED_WORDS


def search_query_parse(*, query: str, find_place: bool = True, correct: bool = True) -> ParsedQuery:
    """Correct misspelt words and take out a place named in `query` (two queries at most).

    "emergancy electrician bondi" -> text "emergency electrician" (corrected) and Bondi's
    point. The longest place name wins, then the last one. Words inside quotes or after a
    minus are left as typed, and so is all of a query that is not plain words, or when
    `correct` is False ("Search instead for ..."). Whether the correction is used depends on
    what the words as typed find: service_search decides.
    """
    text = " ".join(query.lower().split())[:200]
    words = _plain_words(text)
    corrections = {}
    if correct and search_query_correctable(text):
        corrections = search_words_correct(words=[word.group() for word in words])

    def corrected_text() -> str:
        pieces, last = [], 0
        for word in _plain_words(text):
            pieces.append(text[last : word.start()])
            pieces.append(corrections.get(word.group(), word.group()))
            last = word.end()
        pieces.append(text[last:])
        return "".join(pieces)

    fixed = corrected_text() if corrections else text
    place = None
    if find_place:
        fixed, text, place = _take_place(fixed, text)
    # "near me" says nothing about what to search for.
    fixed, text = (re.sub(r"\bnear me\b", " ", value) for value in (fixed, text))
    fixed, text = (" ".join(value.split()) for value in (fixed, text))
    return ParsedQuery(text=text, corrected=fixed if fixed != text else "", place=place)


def _take_place(fixed: str, original: str) -> tuple[str, str, Place | None]:
    """Find the words of `fixed` that name a place; remove them (and a joining "in" or "near")
    from both the corrected and the original text, which have the same words in order."""
    words = _plain_words(fixed)
    if not words:
        return fixed, original, None
    grams: dict[str, list[tuple[int, int]]] = {}
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            name = " ".join(word.group() for word in words[start : start + size])
            grams.setdefault(name, []).append((start, start + size))
    places = places_named(names=list(grams))
    if not places:
        return fixed, original, None
    # Longest name first, then the last one in the query.
    name = max(places, key=lambda found: (len(found.split()), grams[found][-1][0]))
    first, last = grams[name][-1]
    if first > 0 and words[first - 1].group() in _PLACE_JOINERS:
        first -= 1
    originals = _plain_words(original)

    def cut(text: str, spans: list[re.Match]) -> str:
        if len(spans) != len(words):  # not the same words: leave the text alone
            return text
        return text[: spans[first].start()] + text[spans[last - 1].end() :]

    return cut(fixed, words), cut(original, originals), places[name]


# --- Providers named by the query -------------------------------------------------------------

# True when every word of the query is a category or subcategory word ("electrical"): such a
# query names a kind of service, not a business, however many business names contain it.
_ONLY_CATALOGUE_WORDS = """(
    SELECT to_tsvector('english', string_agg(n.name, ' '))
    FROM (SELECT name FROM listings_category UNION ALL SELECT name FROM listings_subcategory) AS n
) @@ websearch_to_tsquery('english', %s)"""


def providers_named(*, text: str) -> list[ProviderProfile]:
    """The approved providers whose business name has every word of `text` (one query).

    "priya's electrical" and "priya" find Priya's Electrical. Words that name a kind of
    service, not a business, find no one: when they are all category or subcategory words
    ("electricians"), or when more than MAX_NAMED_PROVIDERS names have them ("electrical").
    The closest names first (trigram similarity: "Priya's Electrical" before "Priya's
    Electrics"). Each word's first four letters must be in the name (a LIKE on the trigram
    index that leaves few names to stem); the stemmed words must match.
    """
    words = [word.group() for word in _plain_words(text)]
    if not words:
        return []
    # lower(business_name) LIKE, not ILIKE: the words are lower case already, and it is the
    # expression the approved providers' trigram index (provider_approved_name_trgm) holds.
    matching = (
        ProviderProfile.objects.alias(lower_name=Lower("business_name"))
        .filter(status=ProviderProfile.Status.APPROVED)
        .filter(*(Q(lower_name__contains=word[:4]) for word in words))
    )
    named = list(
        matching.alias(name_vector=SearchVector("business_name", config=SEARCH_CONFIG))
        .filter(name_vector=_search_query(text))
        .exclude(RawSQL(_ONLY_CATALOGUE_WORDS, [text], output_field=BooleanField()))
        .select_related("base_city")
        .only("business_name", "slug", "base_city__name", "base_city__state")
        .order_by(TrigramSimilarity("business_name", text).desc(), "pk")[: MAX_NAMED_PROVIDERS + 1]
    )
    return named if len(named) <= MAX_NAMED_PROVIDERS else []


# --- The search ------------------------------------------------------------------------------


class _Geography(Func):
    """A point as a geography literal: 'SRID=4326;POINT(lng lat)'::geography."""

    template = "%(expressions)s::geography"

    def __init__(self, point: Point):
        super().__init__(Value(f"SRID=4326;POINT({point.x:.7f} {point.y:.7f})"))


class _KnnDistance(Func):
    """`point <-> here`: the distance in metres on the sphere. In ORDER BY it is the KNN
    operator the GiST index on Service.point answers nearest first."""

    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()


class _BoxOverlaps(Func):
    """`point && _ST_Expand(here, metres)`: the bounding-box test that ST_DWithin itself puts
    on the GiST index, written out so the planner sees a cheap, well-estimated condition."""

    arg_joiner = " && "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _box_overlaps(here: Point, metres: float) -> _BoxOverlaps:
    return _BoxOverlaps(
        F("point"), Func(_Geography(here), Value(float(metres)), function="_ST_Expand")
    )


def services_covering(
    *, services: QuerySet[Service], here: Point, within_km: float | None = None
) -> QuerySet[Service]:
    """The services whose service area covers `here`, annotated with `distance_m`.

    A service covers a point when ST_DWithin(service.point, here, service_radius_km * 1000)
    holds. It is written as `(point <-> here) <= service_radius_km * 1000` (the same test on
    the sphere, at most 0.5% from the spheroid) plus a bounding box of the largest radius a
    provider may set (settings.PROVIDER_MAX_SERVICE_RADIUS_KM), or `within_km` when smaller:

        Index Scan using listings_service_point_... on listings_service
          Index Cond: (point && _st_expand('...'::geography, '200000'::double precision))
          Order By: (point <-> '...'::geography)
          Filter: (... AND ((point <-> '...') <= (service_radius_km * 1000)))

    Ordered by `distance_m`, PostgreSQL walks the GiST index nearest first and stops after a
    page; a point with nobody in range reads only the index pages inside the box. Written as
    ST_DWithin with a per-row radius instead, the planner estimates one matching row and
    picks a bitmap scan and sort (66 ms instead of 0.4 ms at 100k services, measured).
    test_search.py::test_near_me_uses_the_ordered_gist_index_scan checks the plan.
    """
    metres = float(settings.PROVIDER_MAX_SERVICE_RADIUS_KM) * 1000
    distance = _KnnDistance(F("point"), _Geography(here))
    covering = (
        services.filter(_box_overlaps(here, metres))
        .annotate(distance_m=distance)
        .filter(distance_m__lte=F("service_radius_km") * 1000)
    )
    if within_km and float(within_km) * 1000 < metres:
        covering = covering.filter(distance_m__lte=float(within_km) * 1000)
    return covering


def _ranked_page(
    services: QuerySet[Service], order: list[str], offset: int, limit: int, first: str = ""
) -> RawSQL:
    """The ids of one page of the best of `services` (annotated with `rank`), ranking only
    MAX_RANKED matches.

    The matches are read without any order and cut at MAX_RANKED, so ranking never scores
    more than that many rows (the select list is evaluated only for rows the LIMIT lets
    through); that bounded set is ordered and cut to one page. (Joining the candidates
    back through `pk IN (candidates)` led the planner to scan the whole table at 100k.)
    `first` (a cheap column) is the exception: the rows with the highest values are taken
    first, so the listings of a provider the query names are never cut.
    """
    columns = {name.lstrip("-") for name in order} - {"pk"}
    candidates = services.order_by(*([f"-{first}"] if first else [])).values(
        "id", *sorted(columns)
    )[:MAX_RANKED]
    sql, params = candidates.query.sql_with_params()
    order_sql = ", ".join(
        f"c.{name.lstrip('-')} {'DESC' if name.startswith('-') else 'ASC'}"
        for name in (name if name != "pk" else "id" for name in order)
    )
    return RawSQL(
        f"SELECT c.id FROM ({sql}) AS c ORDER BY {order_sql} LIMIT %s OFFSET %s",
        (*params, limit, offset),
    )


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


def _closeness(provider_ids: Sequence[int]) -> Case:
    """How closely the query names a listing's provider: the first of `provider_ids` (the
    closest name) highest, listings of other providers 0."""
    count = len(provider_ids)
    return Case(
        *(When(provider_id=pk, then=Value(count - n)) for n, pk in enumerate(provider_ids)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _finds_little(services: QuerySet[Service], query: SearchQuery) -> bool:
    """Whether the words as typed find fewer than FEW_RESULTS of `services` (one query).

    Unordered, so PostgreSQL stops at the third match instead of sorting every match by the
    model's default order (8.4 -> about 1 ms for the misspelt benchmark query at 100k)."""
    found = services.filter(search_vector=query).order_by().values_list("pk", flat=True)
    return len(found[:FEW_RESULTS]) < FEW_RESULTS


def _results(
    services: QuerySet[Service], start: int = 0, stop: int | None = None, *, as_cards: bool
) -> list[ServiceCard] | list[Service]:
    if as_cards:
        return service_card_list(services[start:stop], with_point=True)
    rows = list(service_cards(services).defer("search_vector")[start:stop])
    for service in rows:
        metres = getattr(service, "distance_m", None)
        service.distance_km = None if metres is None else metres / 1000
    return rows


def _as_typed(row: ServiceCard | Service) -> bool:
    """Whether a result matched the words as typed (the `exact` annotation)."""
    return row.annotations["exact"] if isinstance(row, ServiceCard) else row.exact


def service_search(
    *,
    services: QuerySet[Service],
    text: str = "",
    corrected: str = "",
    here: Point | None = None,
    within_km: float | None = None,
    sort: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    provider_ids: Sequence[int] = (),
    as_cards: bool = True,
) -> SearchPage:
    """One page of search results, in two queries (services, then their photos), and one
    more to see whether the words as typed find little when there is a correction.

    `services` is service_public() narrowed by the filters (category, city, price...), so the
    narrowing happens before anything is ranked. `text` uses websearch syntax ("quoted
    phrase", -without, or); `corrected` is the same text with typos fixed, used only when the
    words as typed find fewer than FEW_RESULTS services and name no provider: then a service
    matches either, and services matching the words as typed come first. `provider_ids` are
    the providers the query names (providers_named): all their listings (that pass the
    filters) match, and come first when sorted by relevance, the closest name's first.

    Sorts: "relevance" (default with text: title > subcategory/category > description, only
    the first MAX_RANKED candidates are ranked), "distance" (default with a point), "rating"
    (default otherwise), "price" (cheapest first, "on quote" last). Every order ends with the
    id, so pages never repeat or skip a service. Each result with a point has `distance_km`.
    The results are cards (listings.cards), or with `as_cards=False` services with their
    related rows and photos (the API's serializers read those).
    """
    notes: list[str] = []
    text = text.strip()
    corrected = corrected.strip() if text else ""
    default = "relevance" if text else "distance" if here else "rating"
    if sort == "distance" and here is None:
        notes.append("To sort by distance, type a suburb in “Where?” or use “Near me”.")
        sort = default
    elif (sort == "relevance" and not text) or sort not in SORTS:
        sort = default
    page = min(max(page, 1), MAX_PAGE)

    if here is not None:
        services = services_covering(services=services, here=here, within_km=within_km)

    query = exact = None
    named = Q(provider_id__in=list(provider_ids)) if text and provider_ids else None
    if text:
        exact = _search_query(text)
        if corrected and (named is not None or not _finds_little(services, exact)):
            corrected = ""
        query = exact | _search_query(corrected) if corrected else exact
        services = services.filter(
            Q(search_vector=query) | named if named is not None else Q(search_vector=query)
        )

    start = (page - 1) * page_size
    flags = {}
    if named is not None:
        flags["named"] = _closeness(provider_ids)
    if corrected:
        flags["exact"] = ExpressionWrapper(Q(search_vector=exact), output_field=BooleanField())
    services = services.annotate(**flags)
    if sort == "relevance":
        services = services.annotate(rank=SearchRank(F("search_vector"), query))
        order = [
            *(f"-{name}" for name in flags),
            "-rank",
            *(["distance_m"] if here is not None else []),
            "-rating_average",
            "pk",
        ]
        page_ids = _ranked_page(
            services, order, start, page_size + 1, first="named" if "named" in flags else ""
        )
        # The page's rows by primary key, ranked again (a few rows) to put them in order.
        chosen = (
            Service.objects.filter(pk__in=page_ids)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .annotate(**flags)
        )
        if here is not None:
            chosen = chosen.annotate(distance_m=_KnnDistance(F("point"), _Geography(here)))
        rows = _results(chosen.order_by(*order), as_cards=as_cards)
    else:
        order = {
            # Distance alone, so the GiST index gives the order (a second key makes PostgreSQL
            # sort every service in range instead).
            "distance": ["distance_m"],
            "rating": ["-rating_average", "-rating_count", "pk"],
            "price": [F("price").asc(nulls_last=True), "pk"],
        }[sort]
        rows = _results(services.order_by(*order), start, start + page_size + 1, as_cards=as_cards)
    results = rows[:page_size]
    return SearchPage(
        results=results,
        page=page,
        has_next=len(rows) > page_size,
        sort=sort,
        exact_matches=not corrected or any(_as_typed(row) for row in results),
        corrected=corrected,
        notes=notes,
    )
