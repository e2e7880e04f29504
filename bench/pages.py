"""Page timings against a live server on a seeded scratch database.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/pages.py [--size 100000]

Sets up a scratch PostgreSQL database next to the one in DATABASE_URL (`<name>_bench_pages`),
migrates it, loads the reference data, seeds it with `manage.py seed_demo --size N` and runs
ANALYZE. Then it starts gunicorn on that database (DEBUG off, Redis cache from REDIS_URL), logs
in as the demo programme-team user and requests each page `--requests` times (after warm-up).

For every page it reports the median and p95 in ms and, as baseline, the raw SQL time of the
page's main query (the same SQL the page runs, built by the same selectors, executed directly on
the database). The dashboard's aggregates are cached per filter set (recounted at most once a
minute when initiatives change), so it is also measured "cold": the first view of a filter set.

The last line of output is one JSON object with at least `seconds` (the slowest median of the
pages the issue names: dashboard, overview unfiltered and filtered, detail) and
`baseline_seconds` (that page's baseline, measured in the same run).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEMO_PASSWORD,
    ROOT,
    drop_database,
    free_port,
    log,
    prepare_database,
    psql,
    server_env,
    start_gunicorn,
    stop,
)

REQUIRED = ("dashboard", "overview", "overview_filtered", "detail")


class Browser:
    """A tiny HTTP client with cookies (stdlib only)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.status, response.read()

    def login(self, username: str) -> None:
        _status, body = self.get("/inloggen/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode({"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(  # noqa: S310 - http to our own server
            self.base + "/inloggen/", data=data.encode(), headers={"Referer": self.base}
        )
        with self.opener.open(request, timeout=60) as response:
            if "/inloggen/" in response.url:
                raise SystemExit(f"login as {username} failed")


def timed(browser: Browser, path: str) -> float:
    started = time.perf_counter()
    status, _body = browser.get(path)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"{path}: HTTP {status}")
    return elapsed


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def main_queries(scratch: str) -> dict[str, Any]:
    """The SQL of each page's main query, built by the same selectors the pages use."""
    os.environ.update({"DATABASE_URL": scratch, "PORTAL_DEMO": "1", "DEBUG": "0"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.http import QueryDict

    from initiatives import selectors as initiative_selectors
    from initiatives.filters import InitiativeFilter
    from initiatives.models import Initiative
    from portal import permissions
    from portal import selectors as portal_selectors
    from portal.models import Region, User

    staff = User.objects.get(username="programmateam")
    detail_id = Initiative.objects.filter(published=True, status="active").order_by("id").values_list("id", flat=True)[1000]

    def overview_sql(params: str) -> list[tuple[str, Any]]:
        filterset = InitiativeFilter(QueryDict(params) or None, queryset=initiative_selectors.initiative_list(user=staff))
        qs = filterset.qs if filterset.is_bound else filterset.queryset
        # The paginator's COUNT and the page's 50 rows.
        return [_count_sql(qs), qs[:50].query.sql_with_params()]

    def _count_sql(qs: Any) -> tuple[str, Any]:
        sql, params = qs.order_by().values("id").query.sql_with_params()
        return f"SELECT COUNT(*) FROM ({sql}) AS sub", params

    from django.db import connection
    from django.db.models import Count

    tags = Initiative.regions.through.objects.exclude(region__kind=Region.Kind.LANDSDEEL)
    map_query = tags.annotate(area=portal_selectors._province_of_tag()).values("area").annotate(
        n=Count("initiative_id", distinct=True)
    ).values_list("area", "n")
    detail = Initiative.objects.select_related(
        "ecosystem", "lead_organisation", "owner_organisation", "theme", "merged_into"
    ).filter(pk=detail_id)
    queries = {
        "dashboard": [map_query.query.sql_with_params()],
        "overview": overview_sql(""),
        "overview_filtered": overview_sql("theme=hydrogen&stage=pilot&sort=title"),
        "overview_search": overview_sql("q=waterstof"),
        "detail": [detail.query.sql_with_params()],
        "public_home": [
            tags.filter(initiative_id__in=permissions.initiatives_visible_to(_anonymous()).values("id"))
            .annotate(area=portal_selectors._province_of_tag()).values("area")
            .annotate(n=Count("initiative_id", distinct=True)).values_list("area", "n").query.sql_with_params()
        ],
    }
    return {"queries": queries, "detail_id": detail_id, "connection": connection}


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def time_sql(connection: Any, statements: list[tuple[str, Any]], runs: int) -> float:
    """Median wall time of running the statements once, over `runs` runs (after one warm-up)."""
    samples = []
    with connection.cursor() as cursor:
        for i in range(runs + 1):
            started = time.perf_counter()
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
            if i:
                samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="initiatives to seed (default 100000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--reuse", action="store_true", help="reuse the scratch database if it holds --size initiatives")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    if not redis_url:
        raise SystemExit("REDIS_URL is required (the pages cache their aggregates in Redis)")
    admin_url, scratch, scratch_name, _reused = prepare_database(database_url, "pages", args.size, reuse=args.reuse)
    port = free_port()
    server = start_gunicorn(server_env(scratch, redis_url), port)
    try:
        base = f"http://127.0.0.1:{port}"
        built = main_queries(scratch)
        detail_id = built["detail_id"]
        staff = Browser(base)
        staff.login("programmateam")
        public = Browser(base)
        pages = {
            "dashboard": (staff, "/dashboard/"),
            "overview": (staff, "/initiatieven/"),
            "overview_filtered": (staff, "/initiatieven/?theme=hydrogen&stage=pilot&sort=title"),
            "overview_search": (staff, "/initiatieven/?q=waterstof"),
            "detail": (staff, f"/initiatieven/{detail_id}/"),
            "public_home": (public, "/"),
        }
        results: dict[str, Any] = {}
        for name, (client, path) in pages.items():
            for _ in range(3):
                timed(client, path)
            samples = [timed(client, path) for _ in range(args.requests)]
            baseline = time_sql(built["connection"], built["queries"][name], args.requests)
            results[name] = {**summary(samples), "baseline_ms": round(baseline * 1000, 1), "path": path}
            log(f"{name:18s} median {results[name]['median_ms']:7.1f} ms  p95 {results[name]['p95_ms']:7.1f} ms  "
                f"baseline {results[name]['baseline_ms']:7.1f} ms")
        # The dashboard without its cache: the first view of each theme filter computes the
        # aggregates (the cache is keyed on the filters and serves a figure for up to a minute).
        themes = psql(scratch, "SELECT string_agg(code, ',' ORDER BY code) FROM portal_theme").split(",")
        cold = [timed(staff, f"/dashboard/?theme={code}") for code in themes[:8]]
        results["dashboard_cold"] = {**summary(cold), "baseline_ms": results["dashboard"]["baseline_ms"],
                                     "path": "/dashboard/?theme=<each of 8 themes, first view>"}
        log(f"{'dashboard_cold':18s} median {results['dashboard_cold']['median_ms']:7.1f} ms  "
            f"p95 {results['dashboard_cold']['p95_ms']:7.1f} ms")
    finally:
        stop(server)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(admin_url, scratch_name)
    slowest = max(REQUIRED, key=lambda n: results[n]["median_ms"])
    print(json.dumps({
        "bench": "pages",
        "size": args.size,
        "requests_per_page": args.requests,
        "seconds": round(results[slowest]["median_ms"] / 1000, 4),
        "baseline_seconds": round(results[slowest]["baseline_ms"] / 1000, 4),
        "slowest_page": slowest,
        "p95_ms": max(results[n]["p95_ms"] for n in REQUIRED),
        "pages": results,
    }))


if __name__ == "__main__":
    main()
