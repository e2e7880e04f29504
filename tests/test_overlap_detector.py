"""Pure tests of initiatives/overlap.py (no Django)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from initiatives import overlap as ov

DATA = Path(__file__).resolve().parent / "data"


def D(i, name, desc, region="", **kw) -> ov.Doc:
    return ov.Doc(id=i, name=name, description=desc, region=region, **kw)


H2_NL = D(1, "Groene waterstof Eemshaven", "In de Eemshaven komt een elektrolyser van 100 MW die "
          "met windstroom van zee groene waterstof produceert voor de chemische industrie. "
          "Het project test grootschalige elektrolyse.", "Groningen")
H2_EN = D(2, "Hydrogen plant Zeeland", "A consortium builds a large electrolysis plant that "
          "converts offshore wind power into green hydrogen for ammonia production. The first "
          "phase is a 100 megawatt electrolyser.", "Zeeland")
H2_BUS = D(3, "Waterstofbussen", "De vervoerder zet twintig waterstofbussen met brandstofcel "
           "in op streeklijnen in het openbaar vervoer. Bij de stalling komt een tankstation "
           "voor waterstof. De bussen rijden in de concessie.", "Zuid-Holland")
WATER_TECH = D(4, "Membranen tegen medicijnresten", "Watertechnologiebedrijven ontwikkelen "
               "membranen die medicijnresten en microverontreinigingen uit afvalwater verwijderen "
               "op een rioolwaterzuivering. Zo verbetert de waterkwaliteit.", "Friesland")
FLOOD = D(5, "Fieldlab waterkeringen", "Het waterschap test nieuwe methoden voor "
          "dijkversterking en dijkbekleding tegen overstromingen. Water uit de rivier zet de "
          "dijken onder druk bij hoogwater.", "Zeeland")
AI_CARE = D(6, "AI in de zorg", "Ziekenhuizen ontwikkelen algoritmes met kunstmatige "
            "intelligentie die sepsis op de intensive care eerder herkennen. Het model waarschuwt "
            "artsen.", "Noord-Holland")
CARE_WF = D(7, "Arbeidsmarkt zorg", "Zorgorganisaties werken aan werving en behoud van "
            "zorgpersoneel: zij-instromers, leerwerkbanen voor verzorgenden en minder werkdruk "
            "in de zorg.", "Overijssel")
FL_INDUSTRY = D(8, "Fieldlab Smart Industry", "In dit fieldlab experimenteren maakbedrijven met "
                "robotisering en cobots in de productie van de maakindustrie.", "Overijssel")
FL_AGRI = D(9, "Fieldlab precisielandbouw", "In dit fieldlab testen akkerbouwers "
            "akkerbouwrobots, drones en taakkaarten voor precisielandbouw op proefboerderijen.",
            "Flevoland")
FOOD_VALLEY = D(10, "Food Valley eiwitfabriek", "Een pilotfabriek voor plantaardige "
                "vleesvervangers waar start-ups recepten opschalen met extrusie.", "Gelderland")
HEALTH_VALLEY = D(11, "Health Valley accelerator", "An accelerator for start-ups developing "
                  "medical devices, with coaching on MDR regulation and clinical validation.",
                  "Gelderland")
QUANTUM_DELTA = D(12, "Quantum Delta testbed", "A testbed for quantum computers where companies "
                  "characterise qubits and cryogenic electronics.", "Zuid-Holland")
DELTA_FLOOD = D(13, "Deltaprogramma kust", "Zandsuppletie en kustverdediging in het "
                "Deltaprogramma beschermen de Delta tegen de zee.", "Zeeland")

ALL = [H2_NL, H2_EN, H2_BUS, WATER_TECH, FLOOD, AI_CARE, CARE_WF, FL_INDUSTRY, FL_AGRI,
       FOOD_VALLEY, HEALTH_VALLEY, QUANTUM_DELTA, DELTA_FLOOD]


@pytest.fixture(scope="module")
def pairs() -> dict[tuple, ov.Pair]:
    return {(p.a, p.b): p for p in ov.detect_overlaps(ALL)}


# ----------------------------------------------------------------------------- tagging

@pytest.mark.parametrize(("text", "expected"), [
    ("Productie van groene waterstof met een elektrolyser", {"h2", "h2_electrolysis"}),
    ("Green hydrogen from electrolysis", {"h2", "h2_electrolysis"}),
    ("H2 voor de industrie", {"h2"}),
    ("De eiwittransitie: teelt van veldbonen", {"protein", "protein_crops"}),
    ("The protein transition: growing faba beans", {"protein", "protein_crops"}),
    ("Plant-based meat analogues", {"plant_based_products"}),
    ("Onderzoek naar kwantumcomputers", {"quantum", "quantum_computing"}),
    ("Quantum computing with qubits", {"quantum", "quantum_computing"}),
    ("Geïntegreerde fotonica en fotonische chips", {"photonics", "integrated_photonics"}),
    ("Integrated photonics chips", {"integrated_photonics"}),
])
def test_concept_tagging_both_languages(text: str, expected: set[str]) -> None:
    assert expected <= set(ov.tag_concepts(text))


def test_no_false_tags_from_stemming_collisions() -> None:
    # 'gaan' must not become the power-electronics abbreviation GaN; 'stalling' is not a barn.
    tags = ov.tag_concepts("Wij gaan de bussen in de stalling laden")
    assert "power_electronics" not in tags
    assert "livestock" not in tags
    # Delta / Valley alone are names, not concepts.
    assert ov.tag_concepts("Security Delta and Food Valley") == {}


def test_stemmer_conflates_plurals_and_inflection() -> None:
    assert ov.stem("bussen") == ov.stem("bus")
    assert ov.stem("duurzame") == ov.stem("duurzaam")
    assert ov.stem("batteries") == ov.stem("battery")
    assert ov.stem("opleidingen") == ov.stem("opleiding")


# ----------------------------------------------------------------------------- classification

def test_same_work_in_two_languages_is_overlap(pairs) -> None:
    p = pairs.get((1, 2))
    assert p is not None and p.kind == "overlap"
    assert any("waterstof" in r and r.startswith("Gedeelde concepten") for r in p.reasons)
    assert any(r == "Andere regio's: Groningen / Zeeland" for r in p.reasons)
    assert any("verschillende talen" in r for r in p.reasons)


def test_production_vs_buses_is_complementary() -> None:
    index = ov.build_index(ALL)
    found = {(p.a, p.b): p for p in ov.detect_overlaps(index, threshold=0.2)}
    p = found.get((1, 3))
    assert p is not None, "hydrogen production vs hydrogen buses should be linked"
    assert p.kind == "complementary"
    verschil = [r for r in p.reasons if r.startswith("Verschil:")]
    assert verschil and "productie" in verschil[0] and "toepassing" in verschil[0]


@pytest.mark.parametrize(("a", "b"), [
    (4, 5),    # water technology vs flood defence
    (6, 7),    # AI in care vs care workforce
    (8, 9),    # fieldlabs in unrelated sectors
    (10, 11),  # Food Valley vs Health Valley
    (12, 13),  # Quantum Delta vs Delta programme
])
def test_false_friends_are_not_flagged(pairs, a: int, b: int) -> None:
    assert (a, b) not in pairs


def test_false_friend_penalty_applies() -> None:
    index = ov.build_index([WATER_TECH, FLOOD])
    fw, ff = index.features
    assert fw.specific_themes and ff.specific_themes
    assert not fw.specific_themes & ff.specific_themes


# ----------------------------------------------------------------------------- parsing

def test_parse_jsonl_good_input() -> None:
    lines = ['{"id": 1, "name": "A", "description": "x", "tags": ["waterstof"], "foo": 3}',
             "", '{"id": "b", "description": "y", "region": "Utrecht"}']
    docs = ov.parse_jsonl(lines)
    assert [d.id for d in docs] == [1, "b"]
    assert docs[0].tags == ("waterstof",) and docs[1].region == "Utrecht"
    assert docs[1].name == ""


@pytest.mark.parametrize(("lines", "line_no", "fragment"), [
    (['{"id": 1, "description": "x"}', "{not json"], 2, "invalid JSON"),
    (['{"description": "x"}'], 1, "missing 'id'"),
    (['{"id": 1, "description": "x"}', '{"id": 2, "name": "n"}'], 2, "missing 'description'"),
    (['{"id": 1, "description": "x"}', '{"id": 2, "description": "y"}',
      '{"id": 1, "description": "z"}'], 3, "duplicate id"),
    (["[1, 2]"], 1, "JSON object"),
    (['{"id": 1, "description": "x", "tags": "a"}', '{"id": 2, "description": "x", "tags": [1]}'],
     2, "tags"),
])
def test_parse_jsonl_bad_input_names_the_line(lines, line_no, fragment) -> None:
    with pytest.raises(ov.OverlapInputError) as info:
        ov.parse_jsonl(lines)
    assert info.value.line_no == line_no
    assert fragment in str(info.value) and f"line {line_no}" in str(info.value)


# ----------------------------------------------------------------------------- file entry point

def _write_jsonl(path: Path, docs: list[ov.Doc]) -> None:
    path.write_text("".join(json.dumps({"id": d.id, "name": d.name, "description":
                                        d.description, "region": d.region}) + "\n"
                            for d in docs), encoding="utf-8")


def test_run_detect_overlaps_writes_expected_jsonl(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_jsonl(src, ALL)
    assert ov.run_detect_overlaps(src, out, None) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows, "expected at least the hydrogen overlap"
    for r in rows:
        assert set(r) == {"a", "b", "score", "kind", "reasons"}
        assert r["a"] < r["b"] and r["score"] >= ov.DEFAULT_THRESHOLD
        assert r["kind"] in {"overlap", "complementary"} and r["reasons"]
    assert {(r["a"], r["b"]) for r in rows} == {(p.a, p.b) for p in ov.detect_overlaps(ALL)}
    assert ov.run_detect_overlaps(src, out, 0.99) == 0
    assert out.read_text(encoding="utf-8") == ""


def test_run_detect_overlaps_mixed_ids_order_by_str(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_jsonl(src, [ov.Doc("b", H2_NL.name, H2_NL.description), ov.Doc(10, H2_EN.name,
                                                                          H2_EN.description)])
    assert ov.run_detect_overlaps(src, out, 0.2) == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert (row["a"], row["b"]) == (10, "b")


@pytest.mark.parametrize(("content", "needle"), [
    ('{"id": 1, "description": "x"}\n{"id": 1, "description": "y"}\n', "line 2"),
    ('{"id": 1, "description": "x"}\n{oops\n', "line 2"),
])
def test_run_detect_overlaps_bad_input_exit_2(tmp_path: Path, content: str, needle: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(content, encoding="utf-8")
    err = io.StringIO()
    assert ov.run_detect_overlaps(src, tmp_path / "o.jsonl", None, stderr=err) == 2
    assert needle in err.getvalue()


def test_run_detect_overlaps_missing_file_and_stdin(tmp_path: Path) -> None:
    err = io.StringIO()
    assert ov.run_detect_overlaps(tmp_path / "nope.jsonl", tmp_path / "o", None, stderr=err) == 2
    assert "not found" in err.getvalue()
    err = io.StringIO()
    assert ov.run_detect_overlaps("-", tmp_path / "o", None, stderr=err) == 2
    assert "stdin" in err.getvalue()


# ----------------------------------------------------------------------------- scale API

def _eval_docs() -> list[ov.Doc]:
    return ov.parse_jsonl((DATA / "overlap_eval.jsonl").read_text(encoding="utf-8").splitlines())


def _synthetic(n: int, seed: int = 7) -> list[ov.Doc]:
    """Recombine sentences of the eval set into new documents."""
    rng = np.random.default_rng(seed)
    sentences = [s.strip() for d in _eval_docs() for s in d.description.split(". ") if s.strip()]
    return [ov.Doc(i, f"doc {i}", ". ".join(sentences[k] for k in
                                            rng.choice(len(sentences), 3, replace=False)))
            for i in range(n)]


@pytest.mark.parametrize("gate", [0.1, 0.25, 0.4])
def test_pruned_text_pairs_equal_exact_reference(gate: float) -> None:
    index = ov.build_index(_eval_docs() + _synthetic(300))
    exact = ov.exact_reference_pairs(index, gate)
    parts = [ov.text_pairs_for_rows(index, np.arange(s, min(s + 97, index.n)), gate)
             for s in range(0, index.n, 97)]
    fast = tuple(np.concatenate(p) for p in zip(*parts, strict=True))
    ref = {(int(i), int(j)): v for i, j, v in zip(*exact, strict=True)}
    got = {(int(i), int(j)): v for i, j, v in zip(*fast, strict=True)}
    assert len(ref) > 50
    assert set(got) == set(ref)
    assert all(abs(got[k] - ref[k]) < 1e-9 for k in ref)


def test_chunked_full_run_equals_single_chunk() -> None:
    index = ov.build_index(_eval_docs())
    a = ov.detect_overlaps(index, chunk=7)
    b = ov.detect_overlaps(index, chunk=10_000)
    assert a == b and a


def test_check_one_consistent_with_full_run() -> None:
    docs = _eval_docs()
    index = ov.build_index(docs)
    full = ov.detect_overlaps(index)
    for doc in docs[:30]:
        expected = {(p.a, p.b): (p.score, p.kind) for p in full if doc.id in (p.a, p.b)}
        got = {(p.a, p.b): (p.score, p.kind) for p in ov.check_one(index, doc)}
        assert got == expected, doc.id


def test_check_one_new_document() -> None:
    index = ov.build_index(ALL)
    new = D(99, "Elektrolyse Delfzijl", "Een fabriek voor groene waterstof via elektrolyse, "
            "gevoed door wind op zee, levert waterstof aan de chemie.", "Groningen")
    got = ov.check_one(index, new)
    assert got and {got[0].a, got[0].b} & {1, 2}
    assert all(99 in (p.a, p.b) for p in got)


def test_eval_set_quality_floor() -> None:
    labels = json.loads((DATA / "overlap_eval_labels.json").read_text(encoding="utf-8"))
    pred = {(str(p.a), str(p.b)) if str(p.a) <= str(p.b) else (str(p.b), str(p.a)): p.kind
            for p in ov.detect_overlaps(_eval_docs())}
    hard = [tuple(sorted((str(a), str(b)))) for a, b, _ in labels["hard_negative_pairs"]]
    assert sum(h in pred for h in hard) / len(hard) <= 0.05
    truth = {tuple(sorted((str(a), str(b)))) for c in labels["overlap_clusters"]
             for a in c for b in c if a != b}
    tp = sum(1 for k, v in pred.items() if v == "overlap" and k in truth)
    assert tp / len(truth) >= 0.8


# ----------------------------------------------------------------------------- top-K


def _mixed(n: int) -> list[ov.Doc]:
    """The eval set plus n synthetic documents with their own ids."""
    return _eval_docs() + [ov.Doc(f"s{d.id}", d.name, d.description) for d in _synthetic(n)]


def _dense_topk(index: ov.Index, gate: float, k: int) -> dict[int, list[float]]:
    """Brute force in dense numpy: per row the k best cosines >= gate (values, descending)."""
    dense = index.X.toarray()
    cos = dense @ dense.T
    np.fill_diagonal(cos, -1.0)
    out = {}
    for i in range(index.n):
        vals = np.sort(cos[i][cos[i] >= gate - 1e-12])[::-1][:k]
        out[i] = [round(float(v), 9) for v in vals]
    return out


def _by_row(triplet) -> dict[int, list[tuple[int, float]]]:
    out: dict[int, list[tuple[int, float]]] = {}
    for i, j, v in zip(*triplet, strict=True):
        out.setdefault(int(i), []).append((int(j), float(v)))
    return out


@pytest.mark.parametrize("k", [1, 3, 8])
def test_topk_equals_exact_top_k(k: int) -> None:
    index = ov.build_index(_mixed(200))
    gate = 0.15
    expected = _dense_topk(index, gate, k)
    got = _by_row(ov.topk_text_pairs_for_rows(index, np.arange(index.n), gate, k))
    assert sum(len(v) for v in expected.values()) >= index.n * min(k, 2)  # real partners
    for i in range(index.n):
        assert [round(v, 9) for _, v in got.get(i, [])] == expected[i], i
    # ... and the reference helper used by bench/overlap.py agrees, chunk size irrelevant
    ref = _by_row(ov.exact_topk_reference(index, gate, k, chunk=37))
    assert {i: [round(v, 9) for _, v in r] for i, r in ref.items()} == {
        i: v for i, v in expected.items() if v}


def test_topk_candidate_search_exact_when_candidates_cover_everything(monkeypatch) -> None:
    index = ov.build_index(_mixed(200))
    monkeypatch.setattr(ov, "EXACT_TOPK_MAX_N", 0)  # force the candidate search
    rows = np.arange(0, index.n, 3)
    got = _by_row(ov.topk_text_pairs_for_rows(index, rows, 0.15, 5))
    expected = _dense_topk(index, 0.15, 5)
    for i in rows:
        assert [round(v, 9) for _, v in got.get(int(i), [])] == expected[int(i)]


def test_topk_candidate_search_with_tiny_budgets_returns_true_cosines(monkeypatch) -> None:
    index = ov.build_index(_mixed(200))
    for name, value in [("EXACT_TOPK_MAX_N", 0), ("RARE_DF_MIN", 2), ("RARE_DF_SHARE", 0.0),
                        ("RARE_CANDIDATES", 4), ("CANDIDATES_PER_ROW", 4)]:
        monkeypatch.setattr(ov, name, value)
    dense = index.X.toarray()
    got = _by_row(ov.topk_text_pairs_for_rows(index, np.arange(index.n), 0.15, 4))
    assert got
    for i, partners in got.items():
        assert len(partners) <= 4
        assert [v for _, v in partners] == sorted((v for _, v in partners), reverse=True)
        for j, v in partners:
            assert j != i and v >= 0.15 - 1e-12
            assert abs(float(dense[i] @ dense[j]) - v) < 1e-9


def test_full_run_keeps_only_top_k_partners() -> None:
    docs = _mixed(150)
    index = ov.build_index(docs)
    gate = ov.text_gate(ov.DEFAULT_THRESHOLD)
    k = 2
    top = _by_row(ov.topk_text_pairs_for_rows(index, np.arange(index.n), gate, k))
    selected = {(docs[i].id, docs[j].id) for i, ps in top.items() for j, _ in ps}
    bounded = ov.detect_overlaps(index, k=k)
    unbounded = ov.detect_overlaps(index, k=None)
    assert bounded and len(bounded) < len(unbounded)
    assert {(p.a, p.b) for p in bounded} <= {(p.a, p.b) for p in unbounded}
    for p in bounded:
        assert (p.a, p.b) in selected or (p.b, p.a) in selected
    # the chunked service call returns the same pairs (duplicates across chunks collapse)
    chunked = {(p.a, p.b) for s in range(0, index.n, 40)
               for p in ov.candidate_pairs_for_rows(index, np.arange(s, min(s + 40, index.n)),
                                                    k=k)}
    assert chunked == {(p.a, p.b) for p in bounded}


def test_check_one_keeps_k_best() -> None:
    docs = _mixed(150)
    index = ov.build_index(docs)
    doc = docs[0]
    all_pairs = ov.check_one(index, doc, k=None)
    best = ov.check_one(index, doc, k=1)
    assert len(all_pairs) > 1 and len(best) == 1
    dense = index.X.toarray()
    cos = dense @ dense[0]
    cos[0] = -1
    partner = best[0].b if best[0].a == doc.id else best[0].a
    assert docs[int(np.argmax(cos))].id == partner


@pytest.mark.parametrize("text", ["Coöperatie één Ångström café", "plain ascii", "ﬁeldlab ß €"])
def test_normalise_matches_nfkd_reference(text: str) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.lower())
    assert ov.normalise(text) == "".join(c for c in decomposed if not unicodedata.combining(c))
