"""Where a page's time goes: `make bench BENCH_ARGS="--only profile"`.

Each request is split into exclusive time per part (a part's time excludes the parts it
calls, so the parts add up to the request):

- *SQL execution* and *SQL planning*: time inside the database calls (an execute wrapper);
  planning is PostgreSQL's own "Planning Time" for each statement the page ran (EXPLAIN
  (SUMMARY) of the same SQL and parameters, once a URL), the rest is execution and the
  round trip;
- *models and prefetching*: QuerySet evaluation (building model instances, prefetch_related),
  without its SQL;
- *templates*: Template.render, without the queries and query sets evaluated inside it;
- *view code*: the view function itself, without all of the above;
- *middleware and framework*: everything else (request handling, middleware, the test client).
"""

import time
from contextlib import contextmanager

PARTS = (
    "SQL execution",
    "SQL planning",
    "models and prefetching",
    "templates",
    "view code",
    "middleware and framework",
)


class ExclusiveClock:
    """A stack of parts; time goes to the part on top."""

    def __init__(self) -> None:
        self.totals = dict.fromkeys(PARTS, 0.0)
        self.totals["SQL"] = 0.0
        self.stack = ["middleware and framework"]
        self.last = time.perf_counter()

    def _switch(self) -> None:
        now = time.perf_counter()
        self.totals[self.stack[-1]] += now - self.last
        self.last = now

    @contextmanager
    def part(self, name: str):
        self._switch()
        self.stack.append(name)
        try:
            yield
        finally:
            self._switch()
            self.stack.pop()


class ProfileViewMiddleware:
    """Last in the stack: runs the view inside the clock's "view code" part."""

    clock: ExclusiveClock | None = None

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        clock = ProfileViewMiddleware.clock
        if clock is None:
            return None
        with clock.part("view code"):
            return view_func(request, *view_args, **view_kwargs)


@contextmanager
def _patched(owner, name: str, part: str, clock_of):
    """Wrap owner.name so its calls count to `part` on the current clock."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        clock = clock_of()
        if clock is None:
            return original(*args, **kwargs)
        with clock.part(part):
            return original(*args, **kwargs)

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


def planning_ms(statements: list[tuple[str, object]]) -> float:
    """PostgreSQL's planning time of these statements, summed (EXPLAIN (SUMMARY))."""
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (SUMMARY) " + sql, params)
            for (line,) in cursor.fetchall():
                if line.startswith("Planning Time:"):
                    total += float(line.split()[2])
    return total


def profile(client, urls: dict[str, list[str]], *, requests: int) -> dict[str, dict]:
    """Each page's mean ms a request per part, over `requests` interleaved rounds."""
    from django.conf import settings
    from django.db import connection
    from django.db.models import query
    from django.template import base

    # The view's own time needs the middleware last in the stack (run.py's profile_part).
    assert settings.MIDDLEWARE[-1] == "bench.profile.ProfileViewMiddleware"
    clock_holder: list[ExclusiveClock | None] = [None]

    def clock_of():
        return clock_holder[0]

    def sql_wrapper(execute, sql, params, many, context):
        clock = clock_of()
        if clock is None:
            return execute(sql, params, many, context)
        statements.append((sql, params))
        with clock.part("SQL"):
            return execute(sql, params, many, context)

    statements: list = []
    totals = {page: dict.fromkeys(PARTS, 0.0) for page in urls}
    planned: dict[str, float] = {}
    with (
        _patched(query.QuerySet, "_fetch_all", "models and prefetching", clock_of),
        _patched(query, "prefetch_related_objects", "models and prefetching", clock_of),
        _patched(base.Template, "render", "templates", clock_of),
        connection.execute_wrapper(sql_wrapper),
    ):
        for number in range(requests):
            for page, page_urls in urls.items():
                url = page_urls[number % len(page_urls)]
                statements.clear()
                clock = ExclusiveClock()
                clock_holder[0] = ProfileViewMiddleware.clock = clock
                client.get(url)
                clock._switch()
                clock_holder[0] = ProfileViewMiddleware.clock = None
                if url not in planned:
                    planned[url] = planning_ms(list(statements)) / 1000
                sql = clock.totals.pop("SQL")
                plan = min(planned[url], sql)
                clock.totals["SQL planning"] += plan
                clock.totals["SQL execution"] += sql - plan
                for part, seconds in clock.totals.items():
                    totals[page][part] += seconds
    return {
        page: {part: round(seconds * 1000 / requests, 2) for part, seconds in parts.items()}
        for page, parts in totals.items()
    }


def table(split: dict[str, dict]) -> str:
    short = ("SQL exec", "SQL plan", "models", "templates", "view", "framework")
    lines = [
        f"{'page (ms a request)':<36}" + "".join(f"{name:>10}" for name in short) + f"{'total':>9}",
        "-" * 105,
    ]
    for page, parts in split.items():
        lines.append(
            f"{page:<36}"
            + "".join(f"{parts[part]:>10.2f}" for part in PARTS)
            + f"{sum(parts.values()):>9.2f}"
        )
    return "\n".join(lines)
