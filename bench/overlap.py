"""Speed and scale benchmark of the overlap detector (issue #6, "Speed and scale").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/overlap.py
    ... bench/overlap.py --size 10000

For every size N (default 10000 and 100000) it:

1. sets up a scratch PostgreSQL database ``bench_overlap_<N>`` on the server of DATABASE_URL
   (created, migrated, ``load_reference_data``, ``seed_demo --size N``; reused when it already
   holds N seeded initiatives);
2. loads the detector documents with ``initiatives.selectors.overlap_docs`` (the selector the
   Celery job uses);
3. times our full run: ``build_index`` + the two steps of ``candidate_pairs_for_rows`` over all
   rows in chunks of 2000 (``topk_text_pairs_for_rows``: top-K text partners per initiative;
   ``pairs_from_text``: final scores, kinds and reasons for the kept pairs),
   with peak memory (ru_maxrss of the measuring process, tracemalloc off: it slows numpy);
4. times the exact reference in the same run: ``X[chunk] @ X.T`` for all rows, per row the
   TOP_K partners with cos >= the text gate (``exact_topk_reference``), on the same matrix;
5. recall = share of the reference's unordered pairs that our text component (the top-K
   candidate pairs before the final-score filter) also found;
6. times ``check_one`` for 20 random initiatives against the whole index.

The last line printed is one JSON object (for several sizes: the largest, with all in "runs").
``seconds`` includes build_index and the scoring/reasons of the kept pairs;
``baseline_seconds`` is the reference product only (it reuses our index), so ``speedup`` is
conservative; ``text_speedup`` compares like with like (text top-K step vs the reference).
Below EXACT_TOPK_MAX_N documents the detector's text step *is* the exact product (recall 1).
Timings on a shared machine vary with its load: run it on a quiet machine to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000)
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def _db_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _query(url: str, sql: str) -> str:
    """First value of a one-statement query ('' if none); autocommit (CREATE/DROP DATABASE)."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
            row = cur.fetchone() if cur.description else None
        return "" if row is None else str(row[0])
    finally:
        conn.close()


def _psql(base: str, sql: str) -> str:
    return _query(_db_url(base, "postgres"), sql)


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_DEMO": "1"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def prepare(base: str, size: int) -> str:
    """Create (or reuse) the scratch database seeded with `size` initiatives; return its URL."""
    name = f"bench_overlap_{size}"
    url = _db_url(base, name)
    exists = _psql(base, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists:
        import psycopg2

        try:
            n = int(_query(url, "SELECT count(*) FROM initiatives_initiative") or -1)
        except psycopg2.Error:
            n = -1
        if n == size:
            return url
        _psql(base, f'DROP DATABASE "{name}"')
    _psql(base, f'CREATE DATABASE "{name}"')
    t = time.perf_counter()
    _manage(url, "migrate", "-v0")
    _manage(url, "load_reference_data")
    _manage(url, "seed_demo", "--size", str(size), "--quiet-logins")
    print(f"# seeded {name} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return url


def measure(size: int, threshold: float | None, samples: int) -> dict:
    """Runs inside a process whose DATABASE_URL points at the seeded database."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    import numpy as np

    from initiatives import overlap as ov
    from initiatives.selectors import overlap_docs

    thr = ov.DEFAULT_THRESHOLD if threshold is None else threshold
    gate = ov.text_gate(thr)
    t = time.perf_counter()
    docs = overlap_docs()
    load_s = time.perf_counter() - t
    ov.load_vocabulary()

    t0 = time.perf_counter()
    index = ov.build_index(docs)
    t_index = time.perf_counter() - t0
    text_pairs: set[tuple[int, int]] = set()
    pairs: dict[tuple, ov.Pair] = {}
    t_text = t_score = 0.0
    chunk = 2000
    for s in range(0, index.n, chunk):
        rows = np.arange(s, min(s + chunk, index.n))
        # The two steps of candidate_pairs_for_rows (what each Celery chunk calls), split to
        # keep the text component for the recall.
        t1 = time.perf_counter()
        ia, ib, cos = ov.topk_text_pairs_for_rows(index, rows, gate, ov.TOP_K)
        t2 = time.perf_counter()
        for p in ov.pairs_from_text(index, ia, ib, cos, thr):
            pairs.setdefault((p.a, p.b), p)
        t3 = time.perf_counter()
        t_text, t_score = t_text + t2 - t1, t_score + t3 - t2
        text_pairs.update(zip(np.minimum(ia, ib).tolist(), np.maximum(ia, ib).tolist(),
                              strict=True))
    ours = t_index + t_text + t_score
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    t4 = time.perf_counter()
    ra, rb, _rv = ov.exact_topk_reference(index, gate, ov.TOP_K)
    baseline = time.perf_counter() - t4
    ref = set(zip(np.minimum(ra, rb).tolist(), np.maximum(ra, rb).tolist(), strict=True))
    recall = len(ref & text_pairs) / len(ref) if ref else 1.0

    rng = np.random.default_rng(2026)
    times = []
    for i in rng.choice(index.n, size=min(samples, index.n), replace=False):
        t3 = time.perf_counter()
        ov.check_one(index, docs[int(i)], thr)
        times.append(time.perf_counter() - t3)
    kinds: dict[str, int] = {}
    for p in pairs.values():
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    return {
        "size": size, "initiatives": index.n, "threshold": thr, "text_gate": round(gate, 4),
        "top_k": ov.TOP_K, "seconds": round(ours, 2), "baseline_seconds": round(baseline, 2),
        "speedup": round(baseline / ours, 2) if ours else None,
        "text_speedup": round(baseline / t_text, 2) if t_text else None,
        "recall": round(recall, 4),
        "pairs": len(pairs), "text_pairs": len(text_pairs), "reference_pairs": len(ref),
        "kinds": kinds, "build_index_seconds": round(t_index, 2),
        "text_topk_seconds": round(t_text, 2), "scoring_seconds": round(t_score, 2),
        "load_docs_seconds": round(load_s, 2),
        "peak_memory_mb": round(peak_mb, 1),
        "incremental_median_seconds": round(float(np.median(times)), 4) if times else None,
        "incremental_max_seconds": round(float(np.max(times)), 4) if times else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, action="append", help="number of seeded initiatives "
                        "(repeatable; default 10000 and 100000)")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--samples", type=int, default=20, help="check_one samples")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = args.size or list(DEFAULT_SIZES)
    if any(s <= 0 for s in sizes):
        parser.error("--size must be positive")
    if args.measure:  # child process: DATABASE_URL already points at the seeded database
        print(json.dumps(measure(sizes[0], args.threshold, args.samples)))
        return 0
    base = os.environ.get("DATABASE_URL", DEFAULT_URL)
    runs = []
    for size in sizes:
        url = prepare(base, size)
        cmd = [sys.executable, __file__, "--measure", "--size", str(size),
               "--samples", str(args.samples)]
        if args.threshold is not None:
            cmd += ["--threshold", str(args.threshold)]
        env = {**os.environ, "DATABASE_URL": url, "PORTAL_DEMO": "1"}
        out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(result)
        print(json.dumps(result), flush=True)
    last = dict(runs[-1])
    if len(runs) > 1:
        last["runs"] = runs
    print(json.dumps(last))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
