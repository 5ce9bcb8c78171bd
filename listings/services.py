"""Writes to the catalogue: every change happens here, inside a transaction."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection

from .models import Subcategory

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}


def _clean_value(field: Mapping, raw: object) -> object:
    label = field["label"]
    kind = field["type"]
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValidationError(f"{label}: answer yes or no.")
    text = str(raw).strip()
    if kind == "number":
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise ValidationError(f"{label}: enter a number.") from error
        if not number.is_finite() or number < 0:
            raise ValidationError(f"{label}: enter a number of zero or more.")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "choice":
        if text not in field["choices"]:
            raise ValidationError(f"{label}: choose one of {', '.join(field['choices'])}.")
        return text
    if len(text) > 200:
        raise ValidationError(f"{label}: keep it under 200 characters.")
    return text


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def service_attributes_clean(*, subcategory: Subcategory, raw: Mapping[str, object]) -> dict:
    """Check `raw` against the subcategory's schema; return typed values, or raise with every
    problem at once. Unknown keys are dropped; a blank optional field is left out."""
    cleaned: dict[str, object] = {}
    errors: list[str] = []
    for field in subcategory.attribute_schema:
        name = field["name"]
        value = raw.get(name)
        if _is_blank(value) and field["type"] != "boolean":
            if field.get("required"):
                errors.append(f"{field['label']}: this is required.")
            continue
        try:
            cleaned[name] = _clean_value(field, "" if value is None else value)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


# Title words weigh most, then the subcategory and category names, then the description.
_SEARCH_VECTOR_SQL = """
UPDATE listings_service AS s SET search_vector =
    setweight(to_tsvector('english', s.title), 'A')
    || setweight(to_tsvector('english', sub.name || ' ' || cat.name), 'B')
    || setweight(to_tsvector('english', s.description), 'C')
FROM listings_subcategory AS sub
JOIN listings_category AS cat ON cat.id = sub.category_id
WHERE sub.id = s.subcategory_id
"""


def service_search_vectors_refresh(*, service_ids: Iterable[int] | None = None) -> None:
    """Recompute the stored search vectors of these services (all of them when None)."""
    with connection.cursor() as cursor:
        if service_ids is None:
            cursor.execute(_SEARCH_VECTOR_SQL)
        else:
            cursor.execute(_SEARCH_VECTOR_SQL + " AND s.id = ANY(%s)", [list(service_ids)])


_SEARCH_TERMS_SQL = """
WITH words AS (
    SELECT regexp_split_to_table(lower(s.title || ' ' || sub.name || ' ' || cat.name), '[^a-z]+')
        AS word
    FROM listings_service AS s
    JOIN accounts_providerprofile AS p ON p.id = s.provider_id
    JOIN listings_subcategory AS sub ON sub.id = s.subcategory_id
    JOIN listings_category AS cat ON cat.id = sub.category_id
    WHERE s.status = 'active' AND p.status = 'approved'
    UNION ALL
    SELECT regexp_split_to_table(lower(name), '[^a-z]+') FROM listings_city
    UNION ALL
    SELECT regexp_split_to_table(lower(name), '[^a-z]+') FROM listings_suburb
)
INSERT INTO listings_searchterm (word, frequency)
SELECT word, count(*) FROM words WHERE length(word) BETWEEN 3 AND 40 GROUP BY word
ON CONFLICT (word) DO UPDATE SET frequency = EXCLUDED.frequency
"""


def search_terms_refresh() -> None:
    """Rebuild the lexicon of catalogue words that typo correction matches against."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM listings_searchterm")
        cursor.execute(_SEARCH_TERMS_SQL)
