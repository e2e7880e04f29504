"""Mixed-user load test against gunicorn (2 workers) on a seeded scratch database.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/load.py [--size 100000]
        [--duration 60] [--users 10] [--think 0.5] [--reuse-db] [--keep]

Sets up a scratch PostgreSQL database next to DATABASE_URL (`<name>_bench_load`; with
`--reuse-db` an existing one holding --size demo initiatives is kept, and migrated), seeds it with
`seed_demo --size N`, issues one API token per ROM and starts gunicorn (DEBUG off, Redis cache).
Then `--users` simulated users (threads, each with its own keep-alive requests.Session) work for
`--duration` seconds, each pausing a random 0..2x`--think` seconds between requests:

- programme-team staff (40 %): the dashboard (sometimes filtered by theme) and the initiative
  overview, unfiltered or with random filters, search, sorting and pages;
- regional boards (30 %): GET and POST the edit form of one of their own initiatives, and of
  their agenda's text (criterion 1), with the CSRF token from the form (a POST must redirect),
  and GET the agenda's actions step (its form lists the ecosystem's initiatives);
- ROM clients (30 %): the API list with `updated_since` and `ordering=updated_at`, and PUT by
  external id (create, then update) with a Bearer token.

Every response is checked (status, and a redirect for form posts); anything else is an error.
The baseline is the same users, with the same pauses, requesting `/livez` (a liveness endpoint
that touches neither database nor Redis) for `--baseline-duration` seconds in the same run.

Prints requests per second, p50/p95/p99 per kind and the error count; the JSON line last has
`seconds` (p95 of all requests) and `baseline_seconds` (p95 of /livez), plus the figures per kind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html.parser
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEMO_PASSWORD,
    PYTHON,
    ROOT,
    drop_database,
    free_port,
    log,
    manage,
    percentile,
    prepare_database,
    seed_env,
    server_env,
    start_gunicorn,
    stop,
)

SHARES = (("staff", 0.4), ("board", 0.3), ("rom", 0.3))

# Run inside Django on the scratch database: who may edit what, which ROMs, filter values.
SETUP_SNIPPET = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()
from agendas.models import Agenda
from initiatives.models import Initiative
from portal import permissions
from portal.models import Organisation, Theme, User
boards = []
for user in User.objects.filter(role=User.Role.BOARD, username__startswith="bestuur-").order_by("username"):
    ecosystems = permissions.board_ecosystem_ids(user)
    ids = list(Initiative.objects.filter(ecosystem_id__in=ecosystems).exclude(status="merged")
               .order_by("id").values_list("id", flat=True)[:300])
    agenda = Agenda.objects.filter(ecosystem_id__in=ecosystems).select_related("ecosystem").first()
    if ids:
        boards.append({"username": user.username, "initiatives": ids,
                       "agenda": agenda.ecosystem.slug if agenda else None})
roms = []
for rom in Organisation.objects.filter(kind="rom").order_by("slug"):
    province = rom.served_provinces.order_by("code").first()
    if province:
        roms.append({"slug": rom.slug, "province": province.code})
print(json.dumps({"boards": boards, "roms": roms,
                  "themes": list(Theme.objects.order_by("code").values_list("code", flat=True))}))
"""

STAGES = ["idea", "pilot", "scaling", "structural"]
SORTS = ["-updated", "title", "-title", "-budget", "start"]  # initiatives/filters.py SORTS
SEARCHES = ["waterstof", "energie", "zorg", "digitaal", "water"]
MARKER = re.compile(r"\s*\[load \d+\]$")


class FormParser(html.parser.HTMLParser):
    """The POST forms of a page: their action and the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {"action": a.get("action", ""), "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset"):
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._form["fields"].append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            name, value = self._form["fields"][-1]
            # The newline right after <textarea> is not part of the value.
            self._form["fields"][-1] = (name, (value + data) if value else data.removeprefix("\n"))


def post_form(html_text: str, field: str) -> dict[str, Any] | None:
    """The POST form that has `field`."""
    parser = FormParser()
    parser.feed(html_text)
    return next((f for f in parser.forms if any(name == field for name, _ in f["fields"])), None)


class Recorder:
    """Latencies (ms) and errors per kind, shared by all user threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.examples: list[str] = []

    def add(self, kind: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.samples.setdefault(kind, []).append(ms)
            if error:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                if len(self.examples) < 10:
                    self.examples.append(f"{kind}: {error}")


class User:
    """One simulated user: a session and a loop of actions until the deadline."""

    def __init__(self, base: str, recorder: Recorder, rng: random.Random, think: float) -> None:
        self.base = base
        self.recorder = recorder
        self.rng = rng
        self.think = think
        self.session = requests.Session()
        self.turn = 0

    def roll(self, firsts: list[float]) -> float:
        """A random number in 0..1; the first turns take `firsts`, so every action comes up early."""
        self.turn += 1
        return firsts[self.turn - 1] if self.turn <= len(firsts) else self.rng.random()

    def request(self, kind: str, method: str, path: str, *, expect: tuple[int, ...] = (200,),
                **kwargs: Any) -> requests.Response | None:
        started = time.perf_counter()
        error = None
        response = None
        try:
            response = self.session.request(method, self.base + path, allow_redirects=False, timeout=120, **kwargs)
            if response.status_code not in expect:
                error = f"{method} {path}: HTTP {response.status_code}"
        except requests.RequestException as exc:
            error = f"{method} {path}: {type(exc).__name__}"
        self.recorder.add(kind, (time.perf_counter() - started) * 1000, error)
        return None if error else response

    def login(self, username: str) -> None:
        page = self.session.get(self.base + "/inloggen/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.session.post(self.base + "/inloggen/", allow_redirects=False, timeout=60, data={
            "username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token,
        })
        if response.status_code != 302:
            raise SystemExit(f"login as {username} failed: HTTP {response.status_code}")

    def run(self, stop_at: float, action: Callable[[], None]) -> None:
        while time.monotonic() < stop_at:
            action()
            if self.think:
                time.sleep(self.rng.uniform(0, 2 * self.think))


class Staff(User):
    def __init__(self, *args: Any, themes: list[str]) -> None:
        super().__init__(*args)
        self.themes = themes
        self.login("programmateam")

    def act(self) -> None:
        roll = self.roll([0.0, 0.5, 0.9])
        if roll < 0.3:
            self.request("dashboard", "GET", "/dashboard/")
        elif roll < 0.4:
            self.request("dashboard", "GET", f"/dashboard/?theme={self.rng.choice(self.themes)}")
        elif roll < 0.6:
            self.request("overview", "GET", f"/initiatieven/?page={self.rng.randint(1, 20)}")
        else:
            params = {"sort": self.rng.choice(SORTS)}
            for key, values in (("theme", self.themes), ("stage", STAGES), ("q", SEARCHES)):
                if self.rng.random() < 0.5:
                    params[key] = self.rng.choice(values)
            self.request("overview_filtered", "GET", "/initiatieven/", params=params)


class Board(User):
    agenda_locks: dict[str, threading.Lock] = {}

    def __init__(self, *args: Any, username: str, initiatives: list[int], agenda: str | None) -> None:
        super().__init__(*args)
        self.initiatives = initiatives
        self.agenda = agenda
        self.login(username)

    def act(self) -> None:
        roll = self.roll([0.0, 0.25, 0.9])
        if self.agenda and roll < 0.2:
            # Board members of one ecosystem take turns on the agenda text (a concurrent save
            # is a 409 conflict by design, not a server error).
            with self.agenda_locks.setdefault(self.agenda, threading.Lock()):
                self.edit("agenda", f"/agendas/{self.agenda}/bewerken/1/", "vision")
        elif self.agenda and roll < 0.3:
            # The actions step, whose form links the ecosystem's initiatives (thousands at 100k).
            self.request("agenda_actions_get", "GET", f"/agendas/{self.agenda}/bewerken/4/")
        else:
            pk = self.rng.choice(self.initiatives)
            self.edit("initiative", f"/initiatieven/{pk}/bewerken/", "description")

    def edit(self, kind: str, path: str, field: str) -> None:
        response = self.request(f"{kind}_edit_get", "GET", path)
        if response is None:
            return
        form = post_form(response.text, field)
        if form is None:
            self.recorder.add(f"{kind}_edit_post", 0, f"{path}: no form with {field}")
            return
        data = [(name, MARKER.sub("", value) + f" [load {self.rng.randint(1, 10**6)}]" if name == field else value)
                for name, value in form["fields"]]
        response = self.request(f"{kind}_edit_post", "POST", form["action"] or path, data=data, expect=(302,),
                                headers={"Referer": self.base + path})


class Rom(User):
    def __init__(self, *args: Any, token: str, slug: str, province: str, number: int) -> None:
        super().__init__(*args)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.slug, self.province, self.number = slug, province, number
        self.saved = 0

    def act(self) -> None:
        if self.roll([0.0, 0.9]) < 0.5:
            since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=self.rng.randint(1, 30))
            self.request("api_list", "GET", "/api/v1/initiatives/", params={
                "updated_since": since.isoformat(), "ordering": "updated_at", "page_size": 100,
            })
        else:
            self.saved += 1
            external_id = f"load-{self.number}-{self.rng.randint(1, 50)}"
            self.request("api_put", "PUT", f"/api/v1/initiatives/external/{external_id}/", expect=(200, 201), json={
                "title": f"Synchronised initiative {external_id}",
                "description": f"Kept in sync by the ROM's CRM (save {self.saved}).",
                "regions": [self.province], "lead_organisation": self.slug, "type": "field_lab",
                "stage": self.rng.choice(STAGES), "status": "active", "published": True,
            })


class Livez(User):
    def act(self) -> None:
        self.request("livez", "GET", "/livez")


def make_users(n: int, base: str, recorder: Recorder, think: float, setup: dict[str, Any],
               tokens: list[str], seed: int, *, baseline: bool) -> list[User]:
    roles = []
    for role, share in SHARES:
        roles += [role] * max(1, round(n * share))
    roles = (roles * n)[:n] if len(roles) < n else roles[:n]
    users: list[User] = []
    counters = {"board": 0, "rom": 0}
    for i, role in enumerate(roles):
        rng = random.Random(seed * 1000 + i)
        if baseline:
            users.append(Livez(base, recorder, rng, think))
        elif role == "staff":
            users.append(Staff(base, recorder, rng, think, themes=setup["themes"]))
        elif role == "board":
            board = setup["boards"][counters["board"] % len(setup["boards"])]
            share = counters["board"] // len(setup["boards"])
            counters["board"] += 1
            # Users of the same board edit disjoint initiatives (no lost-update races in the mix).
            same = sum(1 for r in roles if r == "board") // len(setup["boards"]) + 1
            mine = board["initiatives"][share::same] or board["initiatives"]
            users.append(Board(base, recorder, rng, think, username=board["username"], initiatives=mine,
                               agenda=board["agenda"]))
        else:
            k = counters["rom"]
            counters["rom"] += 1
            rom = setup["roms"][k % len(setup["roms"])]
            users.append(Rom(base, recorder, rng, think, token=tokens[k % len(tokens)], slug=rom["slug"],
                             province=rom["province"], number=k))
    return users


def run_users(users: list[User], seconds: float) -> float:
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=u.run, args=(stop_at, u.act), daemon=True) for u in users]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def summarise(recorder: Recorder, elapsed: float) -> dict[str, Any]:
    kinds = {}
    for kind, samples in sorted(recorder.samples.items()):
        kinds[kind] = {
            "requests": len(samples), "rps": round(len(samples) / elapsed, 2),
            "p50_ms": round(percentile(samples, 0.50), 1), "p95_ms": round(percentile(samples, 0.95), 1),
            "p99_ms": round(percentile(samples, 0.99), 1), "errors": recorder.errors.get(kind, 0),
        }
    everything = [ms for samples in recorder.samples.values() for ms in samples] or [0.0]
    total = sum(len(s) for s in recorder.samples.values())
    return {
        "requests": total, "rps": round(total / elapsed, 2), "errors": sum(recorder.errors.values()),
        "p50_ms": round(percentile(everything, 0.50), 1), "p95_ms": round(percentile(everything, 0.95), 1),
        "p99_ms": round(percentile(everything, 0.99), 1), "kinds": kinds, "error_examples": recorder.examples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="initiatives to seed (default 100000)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--baseline-duration", type=float, default=None,
                        help="seconds of the /livez baseline (default: --duration, at most 15)")
    parser.add_argument("--users", type=int, default=10, help="simulated users (default 10)")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between a user's requests, s (default 0.5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the users' choices")
    parser.add_argument("--reuse-db", action="store_true", help="keep and reuse the scratch database between runs")
    parser.add_argument("--keep", action="store_true", help="do not drop the scratch database afterwards")
    args = parser.parse_args()
    if args.size < 1 or args.duration <= 0 or args.users < 1 or args.think < 0:
        parser.error("--size, --duration and --users must be positive and --think not negative")
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    if not redis_url:
        raise SystemExit("REDIS_URL is required (the portal caches in Redis)")

    admin, scratch, name, reused = prepare_database(database_url, "load", args.size, reuse=args.reuse_db)
    env = seed_env(scratch)
    setup = json.loads(subprocess.run([PYTHON, "-c", SETUP_SNIPPET], cwd=ROOT, env=env, check=True,
                                      capture_output=True, text=True).stdout.strip().splitlines()[-1])
    if not setup["boards"] or not setup["roms"]:
        raise SystemExit("the seeded database has no demo boards or ROMs")
    n_roms = max(1, round(args.users * 0.3))
    tokens = [manage(env, "issue_api_token", rom["slug"], "--role", "rom", "--name", "bench-load", capture=True).strip()
              for rom in setup["roms"][:n_roms]]

    port = free_port()
    server = start_gunicorn(server_env(scratch, redis_url, API_RATE_LIMIT_PER_MINUTE="100000000"), port)
    load_before = os.getloadavg()
    try:
        base = f"http://127.0.0.1:{port}"
        # Warm-up: one request of each page so first-hit costs (imports, caches) are not measured.
        warm = Recorder()
        for user in make_users(len(SHARES) * 2, base, warm, 0, setup, tokens, args.seed + 7, baseline=False):
            user.act()
        recorder = Recorder()
        users = make_users(args.users, base, recorder, args.think, setup, tokens, args.seed, baseline=False)
        log(f"{args.users} users for {args.duration:.0f} s against {args.size} initiatives …")
        elapsed = run_users(users, args.duration)
        ours = summarise(recorder, elapsed)
        load_after = os.getloadavg()
        baseline_recorder = Recorder()
        baseline_seconds = args.baseline_duration or min(args.duration, 15.0)
        baseline_users = make_users(args.users, base, baseline_recorder, args.think, setup, tokens, args.seed,
                                    baseline=True)
        baseline = summarise(baseline_recorder, run_users(baseline_users, baseline_seconds))
    finally:
        stop(server)
        if not (args.keep or args.reuse_db):
            drop_database(admin, name)

    log(f"{'kind':20s} {'req':>6s} {'rps':>7s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'err':>4s}")
    for kind, k in [*ours["kinds"].items(), ("livez (baseline)", baseline)]:
        log(f"{kind:20s} {k['requests']:6d} {k['rps']:7.1f} {k['p50_ms']:8.1f} {k['p95_ms']:8.1f} "
            f"{k['p99_ms']:8.1f} {k['errors']:4d}")
    log(f"total: {ours['rps']} req/s, p95 {ours['p95_ms']} ms, {ours['errors']} errors "
        f"(baseline {baseline['rps']} req/s, p95 {baseline['p95_ms']} ms)")
    for example in ours["error_examples"]:
        log(f"  error: {example}")
    slowest = max(ours["kinds"], key=lambda k: ours["kinds"][k]["p95_ms"])
    print(json.dumps({
        "bench": "load", "size": args.size, "users": args.users, "duration": args.duration, "think": args.think,
        "reused_db": reused, "load_average": {"before": [round(x, 2) for x in load_before],
                                              "after": [round(x, 2) for x in load_after]},
        "seconds": round(ours["p95_ms"] / 1000, 4), "baseline_seconds": round(baseline["p95_ms"] / 1000, 4),
        "rps": ours["rps"], "baseline_rps": baseline["rps"], "errors": ours["errors"],
        "baseline_errors": baseline["errors"], "p50_ms": ours["p50_ms"], "p95_ms": ours["p95_ms"],
        "p99_ms": ours["p99_ms"], "slowest_kind": slowest, "kinds": ours["kinds"],
        "baseline": {k: baseline[k] for k in ("requests", "rps", "p50_ms", "p95_ms", "p99_ms", "errors")},
        "error_examples": ours["error_examples"],
    }))


if __name__ == "__main__":
    main()
