"""The Lighthouse part of `make bench` (`--only lighthouse`): four pages' scores on the mobile
profile.

Lighthouse (the npm package, pinned in package.json) drives Debian's chromium, headless,
against the site served by gunicorn with production settings (bench/http_load.py's server,
uncached, on the benchmark database) for the home page, a category x city page, a search
("plumber") and a listing: its performance, accessibility, best practices and SEO scores, each
against issue 14's goal of 95. Everything is local: the page's own files come from the server,
and nothing Lighthouse needs is fetched from the internet (map tiles cannot be: see the
audits printed under the table). Each page's full report is kept in var/bench/lighthouse/.
"""

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlencode

from bench.http_load import fetch, gunicorn_server

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-dev-shm-usage"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOAL_SCORE = 95
SEARCH = "plumber"


def pages(urls: dict[str, list[str]]) -> dict[str, str]:
    """The four pages Lighthouse scores, from the benchmark's URL lists."""
    return {
        "home": "/",
        "category x city": urls["category x city"][0],
        f"search: {SEARCH}": "/search/?" + urlencode({"q": SEARCH}),
        "listing": urls["listing"][0],
    }


# Lighthouse sometimes fails to record the page load's trace on a busy machine ("Something
# went wrong with recording the trace ... Please run Lighthouse again", NO_NAVSTART): it
# says to run it again, so a page gets this many tries before the run fails.
ATTEMPTS = 3
RETRY_WHEN = "run Lighthouse again"


def audit(url: str, *, report_path: Path) -> dict:
    """One page's scores (0-100) and the audits that cost points, retried as Lighthouse asks."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _audit_once(url, report_path=report_path)
        except RuntimeError as error:
            if RETRY_WHEN not in str(error) or attempt == ATTEMPTS:
                raise
            print(f"  Lighthouse could not record {url} (try {attempt} of {ATTEMPTS}); again")
    raise AssertionError("unreachable")


def _audit_once(url: str, *, report_path: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report_path}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    report_path.unlink(missing_ok=True)  # so a failed run cannot pass off the last report
    completed = subprocess.run(
        command,
        env={**os.environ, "CHROME_PATH": CHROME_PATH},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode != 0 or not report_path.exists():
        raise RuntimeError(f"lighthouse failed on {url}:\n{completed.stderr[-4000:]}")
    report = json.loads(report_path.read_text())
    if report.get("runtimeError"):
        error = report["runtimeError"]
        raise RuntimeError(f"lighthouse could not load {url}: {error.get('message', error)}")
    scores = {}
    losses = []
    for name in CATEGORIES:
        category = report["categories"][name]
        score = category["score"]
        scores[name] = None if score is None else round(score * 100)
        for ref in category["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref["weight"] > 0 and result["score"] is not None and result["score"] < 1:
                losses.append(
                    {
                        "category": name,
                        "id": ref["id"],
                        "title": result["title"],
                        "score": result["score"],
                        "value": result.get("displayValue", ""),
                        "items": _items(result),
                    }
                )
    return {"url": url, "scores": scores, "losses": losses}


def _items(result: dict) -> list[str]:
    """A few of an audit's failing items (elements, URLs, console messages), for the report."""
    rows = (result.get("details") or {}).get("items") or []
    described = []
    for row in rows[:5]:
        node = row.get("node") if isinstance(row.get("node"), dict) else {}
        text = row.get("description") or node.get("snippet") or row.get("url") or row.get("source")
        if isinstance(text, dict):
            text = text.get("url") or text.get("snippet") or ""
        if text:
            described.append(str(text)[:160])
    return described


def table(results: dict[str, dict]) -> str:
    lines = [
        f"{'page':<24}" + "".join(f"{name:>16}" for name in CATEGORIES) + "  goal",
        "-" * 94,
    ]
    for page, result in results.items():
        scores = result["scores"]
        met = all(score is not None and score >= GOAL_SCORE for score in scores.values())
        lines.append(
            f"{page:<24}"
            + "".join(f"{'-' if s is None else s:>16}" for s in scores.values())
            + f"  {'met' if met else 'MISS'}"
        )
    lines.append(f"goal: every score at least {GOAL_SCORE} (mobile profile)")
    return "\n".join(lines)


def losses(results: dict[str, dict]) -> str:
    """Every audit that cost a page points, under its page."""
    lines = []
    for page, result in results.items():
        if not result["losses"]:
            continue
        lines.append(f"{page} ({result['url']}):")
        for loss in result["losses"]:
            value = f" ({loss['value']})" if loss["value"] else ""
            lines.append(f"  {loss['category']}: {loss['id']} {loss['score']:.2f}{value}")
            lines.extend(f"      {item}" for item in loss["items"])
    return "\n".join(lines)


def run(urls: dict[str, list[str]], *, results_dir: Path) -> dict:
    """Serve the site, score the four pages, print the table; returns the results."""
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: run `npm ci` (make bench does).")
    if not Path(CHROME_PATH).exists():
        raise SystemExit(f"No chromium at {CHROME_PATH}: run `scripts/provision.sh system`.")
    reports = results_dir / "lighthouse"
    reports.mkdir(parents=True, exist_ok=True)
    scored = pages(urls)
    results = {}
    print(f"\nLighthouse (mobile) on {len(scored)} pages, gunicorn, production settings...")
    with gunicorn_server(
        {"PAGE_CACHE_SECONDS": "0"}, log_path=results_dir / "lighthouse-gunicorn.log"
    ) as port:
        for page, path in scored.items():
            # Once first, so the score does not include this worker's first request.
            fetch(port, path)
            slug = "".join(c if c.isalnum() else "-" for c in page).strip("-")
            results[page] = audit(
                f"http://127.0.0.1:{port}{path}", report_path=reports / f"{slug}.json"
            )
    print(table(results))
    lost = losses(results)
    if lost:
        print("\nAudits that cost points:")
        print(lost)
    return results
