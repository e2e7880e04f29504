"""Quality benchmark of the overlap detector on the labelled set in tests/data/.

Usage: .venv/bin/python bench/overlap_quality.py [--threshold T] [--size N]

``--size N`` limits the evaluation to the first N initiatives of the set (labels involving
dropped initiatives are ignored); the default uses the whole set.  Prints a table, then as
the LAST line one JSON object with the figures (detector and plain TF-IDF baseline).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from initiatives import overlap as ov  # noqa: E402

DATA = ROOT / "tests" / "data"


def _key(a: object, b: object) -> tuple[str, str]:
    x, y = str(a), str(b)
    return (x, y) if x <= y else (y, x)


def load(size: int | None) -> tuple[list[ov.Doc], dict]:
    lines = (DATA / "overlap_eval.jsonl").read_text(encoding="utf-8").splitlines()
    docs = ov.parse_jsonl(lines)
    if size:
        docs = docs[:size]
    labels = json.loads((DATA / "overlap_eval_labels.json").read_text(encoding="utf-8"))
    return docs, labels


def baseline_pairs(docs: list[ov.Doc], threshold: float) -> dict[tuple[str, str], str]:
    """Plain TF-IDF cosine over words (sklearn defaults, no concepts), same threshold."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{d.name}. {d.description}" for d in docs]
    x = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    sim = (x @ x.T).toarray()
    out = {}
    for i, j in itertools.combinations(range(len(docs)), 2):
        if sim[i, j] >= threshold:
            out[_key(docs[i].id, docs[j].id)] = "overlap"
    return out


def evaluate(pred: dict[tuple[str, str], str], labels: dict, ids: set[str]) -> dict:
    overlap = {_key(a, b) for c in labels["overlap_clusters"]
               for a, b in itertools.combinations(c, 2) if str(a) in ids and str(b) in ids}
    compl = {_key(a, b) for a, b in labels["complementary_pairs"]
             if str(a) in ids and str(b) in ids}
    hard = {_key(a, b) for a, b, _ in labels["hard_negative_pairs"]
            if str(a) in ids and str(b) in ids}
    pred_ov = {k for k, v in pred.items() if v == "overlap"}
    tp = len(pred_ov & overlap)
    precision = tp / len(pred_ov) if pred_ov else 0.0
    recall = tp / len(overlap) if overlap else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "overlap_pairs": len(overlap), "predicted_overlap": len(pred_ov), "true_positives": tp,
        "hard_negatives": len(hard),
        "hard_negative_flag_rate": round(len(hard & set(pred)) / len(hard), 4) if hard else 0.0,
        "hard_negatives_flagged": sorted(hard & set(pred)),
        "complementary_pairs": len(compl),
        "complementary_as_complementary": sum(pred.get(k) == "complementary" for k in compl),
        "complementary_as_overlap": sum(pred.get(k) == "overlap" for k in compl),
        "complementary_missed": sum(k not in pred for k in compl),
        "false_positives": sorted(pred_ov - overlap),
        "missed_overlaps": sorted(overlap - pred_ov),
    }


def timed(fn: Callable[[], dict]) -> tuple[dict, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threshold", type=float, default=ov.DEFAULT_THRESHOLD)
    ap.add_argument("--size", type=int, default=None, help="use only the first N initiatives")
    args = ap.parse_args(argv)
    docs, labels = load(args.size)
    ids = {str(d.id) for d in docs}

    def run_detector() -> dict:
        return {_key(p.a, p.b): p.kind for p in ov.detect_overlaps(docs, args.threshold)}

    pred, seconds = timed(run_detector)
    base_pred, base_seconds = timed(lambda: baseline_pairs(docs, args.threshold))
    det = evaluate(pred, labels, ids)
    base = evaluate(base_pred, labels, ids)

    print(f"Overlap detector quality  (n={len(docs)}, threshold={args.threshold})")
    print(f"{'':32}{'detector':>10}{'baseline':>10}")
    for k in ("precision", "recall", "f1", "hard_negative_flag_rate", "predicted_overlap",
              "true_positives", "complementary_as_complementary", "complementary_as_overlap",
              "complementary_missed"):
        print(f"{k:32}{det[k]:>10}{base[k]:>10}")
    print(f"{'seconds':32}{seconds:>10.3f}{base_seconds:>10.3f}")
    print(f"overlap pairs={det['overlap_pairs']} complementary={det['complementary_pairs']} "
          f"hard negatives={det['hard_negatives']}")
    print("detector false positives:", det["false_positives"])
    print("detector missed overlaps:", det["missed_overlaps"])
    print("detector hard negatives flagged:", det["hard_negatives_flagged"])
    result = {k: v for k, v in det.items()
              if k not in ("false_positives", "missed_overlaps", "hard_negatives_flagged")}
    result.update(seconds=round(seconds, 4), baseline_seconds=round(base_seconds, 4),
                  threshold=args.threshold, n=len(docs))
    for k in ("precision", "recall", "f1", "hard_negative_flag_rate",
              "complementary_as_complementary", "complementary_as_overlap",
              "complementary_missed"):
        result[f"baseline_{k}"] = base[k]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
