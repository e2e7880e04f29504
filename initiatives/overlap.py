"""Overlap detector for regional innovation initiatives (pure computation, no Django).

Pipeline
--------
1. ``analyse`` every document: normalise (lower case, accents stripped), tokenise, light
   Dutch/English stemming, Dutch->English lexicon for common words, stopword and
   generic-term removal, and tagging with the bilingual concept vocabulary in
   ``initiatives/data/concepts.json`` (concept -> theme, chain facet, national-frame ids).
2. ``build_index`` vectorises once.  Each document is a unit vector

       x = [ sqrt(1 - BETA) * w ,  sqrt(BETA) * c ]            (renormalised)

   where ``w`` is the l2-normalised TF-IDF vector over word stems (sublinear tf) and ``c``
   the l2-normalised TF-IDF vector over concept ids (general concepts count half).  The
   *text component* of a pair is the cosine ``x_a . x_b``; the concept part is what links a
   Dutch and an English description of the same work.
3. Candidate pairs. Full runs and ``check_one`` keep, per initiative, its ``TOP_K`` (20)
   best text partners with ``cos >= gate(threshold) = max(threshold - MAX_BONUS, MIN_GATE)``
   (``topk_text_pairs_for_rows``); a pair is reported when either side selected the other.
   On large sets with many near-identical texts the number of pairs above the gate grows
   quadratically and nobody reads thousands of suggestions for one initiative. Up to
   ``EXACT_TOPK_MAX_N`` documents the top-K is exact (``exact_topk_reference``: X[rows] @ X.T);
   above it a candidate search (rare-term product + heavy-term product bounded by the
   provisional K-th score, candidates completed exactly), whose recall against the exact
   top-K is measured by ``bench/overlap.py``.
   With ``k=None`` every pair above the gate is returned, using lossless prefix pruning
   (all-pairs style): for row ``x`` the smallest weights whose joint norm stays below the
   gate form ``L(x)``; only ``H(x) = x - L(x)`` is multiplied with the matrix, because
   ``x.y <= H(x).y + ||L(x)||``; pairs that can still reach the gate are completed exactly
   with ``L(x).y``. That result equals ``exact_reference_pairs``.
4. Final score of a pair (documented formula)::

       score = cos * penalty
               + 0.10 * jaccard(frame ids)          # missions / key technologies / tags
               + 0.04 * jaccard(partners)
               + 0.02 * [same known type]           # fieldlab, campus, learning community, ...
       penalty = FALSE_FRIEND_PENALTY (0.6) when both documents have specific (non-general)
                 themes and share none of them, else 1.

   Kind: ``complementary`` when the two share a theme but their dominant chain facets
   (research, cultivation, production, infrastructure, application, recycling, skills) are
   disjoint; otherwise ``overlap``.
5. Reasons are short Dutch strings (shared concepts, priorities and terms, the facet
   difference, regions, language).

Public API: ``Doc``, ``Pair``, ``OverlapInputError``, ``build_index``,
``candidate_pairs_for_rows``, ``pairs_from_text``, ``detect_overlaps``, ``check_one``,
``exact_reference_pairs``, ``exact_topk_reference``, ``text_pairs_for_rows``,
``topk_text_pairs_for_rows``, ``parse_jsonl``, ``run_detect_overlaps``, ``DEFAULT_THRESHOLD``,
``TOP_K``.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import scipy.sparse as sp

VOCABULARY_PATH = Path(__file__).resolve().parent / "data" / "concepts.json"

DEFAULT_THRESHOLD = 0.35  # chosen from a 5-point sweep on the eval set
BETA = 0.45  # share of the concept part in the text vector
MAX_BONUS = 0.16  # 0.10 frame + 0.04 partners + 0.02 type
MIN_GATE = 0.10
FALSE_FRIEND_PENALTY = 0.6
GENERAL_CONCEPT_WEIGHT = 0.5
MIN_FACET_EVIDENCE = 1.5  # below this a document's chain position counts as unknown
THEME_WEIGHT = 0.5  # theme token next to the concept ids (hierarchy: concept -> theme)

FACETS = ("research", "cultivation", "production", "infrastructure", "application",
          "recycling", "skills")

STOPWORDS_NL = frozenset([
    "aan", "aldus", "alle", "alleen", "als", "altijd", "andere", "ben", "bij", "binnen",
    "daar", "daarbij", "daarmee", "daarna", "daarom", "dan", "dat", "de", "der", "deze",
    "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "en", "er", "ge", "geen",
    "geweest", "haar", "had", "heb", "hebben", "heeft", "hem", "het", "hier", "hij", "hoe",
    "hun", "iemand", "iets", "ik", "in", "is", "ja", "je", "kan", "kon", "kunnen", "maar",
    "me", "meer", "men", "met", "mij", "mijn", "moet", "na", "naar", "niet", "niets", "nog",
    "nu", "of", "om", "omdat", "onder", "ons", "ook", "op", "over", "reeds", "te", "tegen",
    "toch", "toen", "tot", "u", "uit", "uw", "van", "veel", "voor", "want", "waren", "was",
    "wat", "we", "wel", "werd", "wezen", "wie", "wil", "worden", "wordt", "zal", "ze",
    "zelf", "zich", "zij", "zijn", "zo", "zonder", "zou", "zoals", "zodat", "waarbij",
    "waarin", "waarmee", "welke", "elk", "elke", "ieder", "iedere", "beide", "meerdere",
    "verschillende", "onze", "hierbij", "hiermee", "daardoor", "tussen", "per", "via",
    "rond", "circa", "ruim", "sinds", "vanaf", "bijvoorbeeld", "zowel", "steeds", "verder",
    "vooral", "echter", "mogelijk", "moeten", "krijgen", "werden", "gaat", "komt", "staat",
    "staan", "houden", "laten", "doet", "heel", "zeer", "erg", "weer", "even", "mee", "toe",
    "af", "alsof",
])
STOPWORDS_EN = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
    "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
    "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "more", "most", "my", "no", "nor", "not", "of", "off", "on", "once",
    "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should",
    "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
    "why", "will", "with", "would", "you", "your", "via", "per", "including", "include",
    "includes", "within", "across", "well", "around", "first", "second", "one", "two",
    "three", "four", "five", "may", "might", "must", "shall", "many", "much", "us",
])
STOPWORDS = STOPWORDS_NL | STOPWORDS_EN

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_MISSING = object()
_DOUBLE_VOWEL_RE = re.compile(r"([aeou])\1")
_VOWELS = frozenset("aeiouy")
# (suffix, replacement, minimal remaining stem length); at most two rules apply.
_SUFFIX_RULES: tuple[tuple[str, str, int], ...] = (
    ("heden", "heid", 3), ("ingen", "ing", 3), ("ies", "y", 3), ("sses", "ss", 2),
    ("ing", "", 4), ("en", "", 4), ("es", "", 4), ("ed", "", 4), ("s", "", 3), ("e", "", 4),
)


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True, slots=True)
class Doc:
    id: Any
    name: str
    description: str
    region: str = ""
    tags: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    type: str = ""
    stage: str = ""
    priorities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pair:
    a: Any
    b: Any
    score: float
    kind: str  # "overlap" | "complementary"
    reasons: tuple[str, ...]


class OverlapInputError(ValueError):
    """Bad input line; ``line_no`` is 1-based (0 = the file as a whole)."""

    def __init__(self, line_no: int, message: str) -> None:
        super().__init__(f"line {line_no}: {message}" if line_no else message)
        self.line_no = line_no
        self.message = message


# --------------------------------------------------------------------------- text basics


@lru_cache(maxsize=1)
def _combining_table() -> dict[int, None]:
    """str.translate table deleting every combining character (built once, ~0.2 s)."""
    return {cp: None for cp in range(0x110000) if unicodedata.combining(chr(cp))}


def normalise(text: str) -> str:
    """Lower case and strip accents (e.g. 'coöperatie' -> 'cooperatie')."""
    lowered = text.lower()
    if lowered.isascii():  # fast path: nothing to decompose
        return lowered
    return unicodedata.normalize("NFKD", lowered).translate(_combining_table())


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(normalise(text))


@lru_cache(maxsize=500_000)
def stem(token: str) -> str:
    """Light stemmer shared by Dutch and English (same rules for both, so they agree)."""
    if len(token) <= 3 or token.isdigit():
        return token
    applied = 0
    for suffix, repl, min_len in _SUFFIX_RULES:
        if applied == 2:
            break
        if token.endswith(suffix) and len(token) - len(suffix) >= min_len:
            if suffix == "s" and token.endswith(("ss", "us", "is")):
                continue
            token = token[: -len(suffix)] + repl
            applied += 1
    if len(token) >= 4 and token[-1] == token[-2] and token[-1] not in _VOWELS:
        token = token[:-1]  # 'bussen' -> 'buss' -> 'bus'
    return _DOUBLE_VOWEL_RE.sub(r"\1", token)  # 'duurzaam' ~ 'duurzame'


def detect_language(tokens: Sequence[str]) -> str:
    nl = sum(1 for t in tokens if t in STOPWORDS_NL and t not in STOPWORDS_EN)
    en = sum(1 for t in tokens if t in STOPWORDS_EN and t not in STOPWORDS_NL)
    if nl == en == 0:
        return ""
    return "nl" if nl >= en else "en"


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, slots=True)
class Concept:
    id: str
    theme: str
    facet: str
    label: str
    frame: tuple[str, ...]


# Per label token: (kind, value); kind 0 = stem equality, 1 = raw prefix ('*'), 2 = exact raw
# token (short labels such as 'ai', 'gan', 'pv': stemming would create collisions).
Matcher = tuple[tuple[int, str], ...]
STEM, PREFIX, RAW = 0, 1, 2


class PhraseMatcher:
    """Matches label phrases on a token stream; '*' = prefix on the raw (normalised) token."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        # entries: (label, key); the key is what a match yields (concept id, facet, ...)
        self.by_stem: dict[str, list[tuple[Matcher, str]]] = {}
        self.by_raw: dict[str, list[tuple[Matcher, str]]] = {}
        self.by_prefix3: dict[str, list[tuple[str, Matcher, str]]] = {}
        self._first_cache: dict[str, tuple[tuple[Matcher, str], ...]] = {}
        for label, key in entries:
            matcher = self._compile(label)
            if matcher is None:
                continue
            kind, first = matcher[0]
            if kind == PREFIX:
                self.by_prefix3.setdefault(first[:3], []).append((first, matcher, key))
            elif kind == RAW:
                self.by_raw.setdefault(first, []).append((matcher, key))
            else:
                self.by_stem.setdefault(first, []).append((matcher, key))

    @staticmethod
    def _compile(label: str) -> Matcher | None:
        out: list[tuple[int, str]] = []
        for part in normalise(label).split():
            wildcard = part.endswith("*")
            toks = _TOKEN_RE.findall(part)
            for k, tok in enumerate(toks):
                if wildcard and k == len(toks) - 1:
                    out.append((PREFIX, tok))
                elif len(tok) <= 4:
                    out.append((RAW, tok))
                else:
                    out.append((STEM, stem(tok)))
        return tuple(out) if out else None

    def _first(self, raw: str) -> tuple[tuple[Matcher, str], ...]:
        """Phrases that can start at this raw token (the stem is a function of the token,
        so one cache keyed on the raw token serves every document)."""
        hits = self._first_cache.get(raw)
        if hits is None:
            stemmed = stem(raw)
            hits = (*self.by_stem.get(stemmed, ()), *self.by_raw.get(raw, ()),
                    *((m, key) for pre, m, key in self.by_prefix3.get(raw[:3], ())
                      if raw.startswith(pre)))
            if len(self._first_cache) < 1_000_000:
                self._first_cache[raw] = hits
        return hits

    def find(self, raw: Sequence[str], stems: Sequence[str]) -> list[str]:
        keys: list[str] = []
        n = len(raw)
        cache = self._first_cache
        for tok in set(raw).difference(cache):
            self._first(tok)
        get = cache.get  # C-level lookups; None only past the cache size limit
        for i, starts in enumerate(map(get, raw)):
            if starts is None:
                starts = self._first(raw[i])
            if not starts:
                continue
            for matcher, key in starts:
                if len(matcher) > n - i:
                    continue
                ok = True
                for k in range(1, len(matcher)):
                    kind, value = matcher[k]
                    if kind == PREFIX:
                        if not raw[i + k].startswith(value):
                            ok = False
                            break
                    elif kind == RAW:
                        if raw[i + k] != value:
                            ok = False
                            break
                    elif stems[i + k] != value:
                        ok = False
                        break
                if ok:
                    keys.append(key)
        return keys


@dataclass(slots=True)
class Vocabulary:
    concepts: dict[str, Concept]
    themes_nl: dict[str, str]
    facets_nl: dict[str, str]
    frame_labels: dict[str, str]
    concept_matcher: PhraseMatcher
    facet_matcher: PhraseMatcher
    type_matcher: PhraseMatcher
    stage_matcher: PhraseMatcher
    generic: frozenset[str]
    lexicon: dict[str, str]
    label_index: dict[str, str]  # normalised label / id -> concept id (for tags)
    themes: tuple[str, ...]
    frame_ids: tuple[str, ...]
    # raw token -> word stem (None for stopwords, generic terms, digits): analyse's hot loop
    word_cache: dict[str, str | None] = field(default_factory=dict)

    def word_stem(self, tok: str) -> str | None:
        cached = self.word_cache.get(tok, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        out: str | None = None
        if not (tok in STOPWORDS or tok in self.generic or len(tok) < 2 or tok.isdigit()):
            s = stem(self.lexicon.get(tok, tok))
            out = s if len(s) >= 2 else None
        if len(self.word_cache) < 1_000_000:
            self.word_cache[tok] = out
        return out


def load_vocabulary(path: Path | str | None = None) -> Vocabulary:
    return _load_vocabulary(str(path or VOCABULARY_PATH))


@lru_cache(maxsize=4)
def _load_vocabulary(path: str) -> Vocabulary:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    concepts: dict[str, Concept] = {}
    entries: list[tuple[str, str]] = []
    label_index: dict[str, str] = {}
    for c in data["concepts"]:
        labels = [*c.get("labels_nl", ()), *c.get("labels_en", ()), *c.get("synonyms", ())]
        display = (c.get("labels_nl") or labels or [c["id"]])[0].rstrip("*")
        concepts[c["id"]] = Concept(c["id"], c["theme"], c.get("facet", "general"), display,
                                    tuple(c.get("frame", ())))
        entries.extend((label, c["id"]) for label in labels)
        label_index[normalise(c["id"])] = c["id"]
        for label in labels:
            label_index.setdefault(normalise(label.rstrip("*")), c["id"])
    facet_entries = [(cue, facet) for facet, cues in data.get("facet_cues", {}).items()
                     for cue in cues]
    type_entries = [(cue, t) for t, cues in data.get("types", {}).items() for cue in cues]
    stage_entries = [(cue, s) for s, cues in data.get("stages", {}).items() for cue in cues]
    themes = tuple(sorted({c.theme for c in concepts.values()}))
    frame_ids = tuple(sorted(set(data.get("frame_labels", {}))
                             | {f for c in concepts.values() for f in c.frame}))
    return Vocabulary(
        concepts=concepts,
        themes_nl=data.get("themes_nl", {}),
        facets_nl=data.get("facets_nl", {}),
        frame_labels=data.get("frame_labels", {}),
        concept_matcher=PhraseMatcher(entries),
        facet_matcher=PhraseMatcher(facet_entries),
        type_matcher=PhraseMatcher(type_entries),
        stage_matcher=PhraseMatcher(stage_entries),
        generic=frozenset(normalise(g) for g in data.get("generic_terms", ())),
        lexicon={normalise(k): normalise(v) for k, v in data.get("lexicon_nl_en", {}).items()},
        label_index=label_index,
        themes=themes,
        frame_ids=frame_ids,
    )


# --------------------------------------------------------------------------- analysis


@dataclass(slots=True)
class Features:
    words: Counter[str]
    concepts: Counter[str]
    themes: frozenset[str]
    specific_themes: frozenset[str]
    facets: frozenset[str]  # dominant chain facets
    frame: frozenset[str]
    type: str
    stage: str
    language: str
    region: str
    partners: frozenset[str]
    theme_facets: dict[str, Counter[str]] = field(default_factory=dict)
    cue_facets: Counter[str] = field(default_factory=Counter)
    surface: dict[str, str] = field(default_factory=dict)  # stem -> a surface word
    ranked_words: tuple[str, ...] | None = None  # words by idf, filled by explain (cache)


def analyse(doc: Doc, vocab: Vocabulary) -> Features:
    text = f"{doc.name}. {doc.description}"
    raw = tokenize(text)
    stems = list(map(stem, raw))
    concept_hits = Counter(vocab.concept_matcher.find(raw, stems))
    # Tags may name a concept (label or id) or a frame id.
    frame: set[str] = {p.strip().upper() for p in doc.priorities if p.strip()}
    for tag in doc.tags:
        key = normalise(tag).strip()
        cid = vocab.label_index.get(key)
        if cid:
            concept_hits[cid] += 1
        elif tag.strip().upper() in vocab.frame_labels:
            frame.add(tag.strip().upper())
        else:
            traw = tokenize(tag)
            concept_hits.update(vocab.concept_matcher.find(traw, [stem(t) for t in traw]))
    concepts = vocab.concepts
    themes = frozenset(concepts[c].theme for c in concept_hits)
    specific = frozenset(concepts[c].theme for c in concept_hits
                         if concepts[c].facet != "general")
    frame.update(f for c in concept_hits for f in concepts[c].frame)

    # Dominant facets: specific concepts count 1 per mention, cue words 1 (skills) or 0.5.
    theme_facets: dict[str, Counter[str]] = {}
    for cid, n in concept_hits.items():
        c = concepts[cid]
        if c.facet != "general":
            theme_facets.setdefault(c.theme, Counter())[c.facet] += n
    cues: Counter[str] = Counter()
    for facet in vocab.facet_matcher.find(raw, stems):
        cues[facet] += 1.0 if facet == "skills" else 0.5
    types = Counter(vocab.type_matcher.find(raw, stems))
    dtype = normalise(doc.type).strip() or (types.most_common(1)[0][0] if types else "")
    if dtype == "learning_community":
        cues["skills"] += 2
    facets = _dominant(sum(theme_facets.values(), Counter()) + cues)
    stages = Counter(vocab.stage_matcher.find(raw, stems))
    dstage = normalise(doc.stage).strip() or (stages.most_common(1)[0][0] if stages else "")

    words: Counter[str] = Counter()
    surface: dict[str, str] = {}
    generic, lexicon = vocab.generic, vocab.lexicon
    for tok, s in zip(raw, map(vocab.word_stem, raw), strict=True):
        if s is None:
            continue
        words[s] += 1
        if s not in surface:
            surface[s] = tok
    for tag in doc.tags:  # tags also act as words
        for tok in tokenize(tag):
            if tok not in STOPWORDS and tok not in generic:
                words[stem(lexicon.get(tok, tok))] += 1
    return Features(
        words=words, concepts=concept_hits, themes=themes, specific_themes=specific,
        facets=facets, frame=frozenset(frame), type=dtype, stage=dstage,
        language=detect_language(raw), region=doc.region.strip(),
        partners=frozenset(normalise(p).strip() for p in doc.partners if p.strip()),
        theme_facets=theme_facets, cue_facets=cues, surface=surface,
    )


def _dominant(weights: Counter[str]) -> frozenset[str]:
    """Facets carrying most of the evidence; empty when the evidence is too thin."""
    top = max(weights.values(), default=0.0)
    if top < MIN_FACET_EVIDENCE:
        return frozenset()
    return frozenset(f for f, w in weights.items() if w >= 0.6 * top)


def _facet_weights(f: Features, shared: frozenset[str]) -> dict[str, float]:
    """Facet evidence of the shared themes plus cue words (plain dicts: hot in full runs)."""
    w: dict[str, float] = {k: v for k, v in f.cue_facets.items() if v > 0}
    for t in shared:
        tf = f.theme_facets.get(t)
        if tf:
            for k, v in tf.items():
                if v > 0:
                    w[k] = w.get(k, 0) + v
    return w


def pair_facets(fa: Features, fb: Features) -> tuple[frozenset[str], frozenset[str]]:
    """Dominant facets of both sides, restricted to the themes they share (plus cue words)."""
    shared = fa.themes & fb.themes
    return (_dominant(_facet_weights(fa, shared)),  # type: ignore[arg-type]
            _dominant(_facet_weights(fb, shared)))  # type: ignore[arg-type]


def is_complementary(fa: Features, fb: Features,
                     facets: tuple[frozenset[str], frozenset[str]] | None = None) -> bool:
    """Same theme, different part of the chain (disjoint dominant facets)."""
    if not fa.themes & fb.themes:
        return False
    da, db = facets or pair_facets(fa, fb)
    return bool(da) and bool(db) and not da & db


# --------------------------------------------------------------------------- index


@dataclass(slots=True)
class Index:
    docs: list[Doc]
    features: list[Features]
    vocab: Vocabulary
    word_ids: dict[str, int]
    concept_ids: dict[str, int]
    word_idf: np.ndarray
    concept_idf: np.ndarray
    X: sp.csr_matrix  # n x (words + concepts), unit rows
    XT: sp.csr_matrix
    keys: np.ndarray  # sorted row * ncols + col of X entries (for exact completion)
    theme_mask: np.ndarray
    spec_mask: np.ndarray
    facet_mask: np.ndarray
    frame_mask: np.ndarray
    type_code: np.ndarray
    has_partners: np.ndarray
    _split_cache: dict[float, tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]] = field(
        default_factory=dict)
    row_of_id: dict[str, int] | None = None
    type_codes: dict[str, int] | None = None

    @property
    def n(self) -> int:
        return len(self.docs)


def _bitmask(items: Iterable[str], positions: dict[str, int]) -> int:
    m = 0
    for it in items:
        pos = positions.get(it)
        if pos is not None:
            m |= 1 << pos
    return m


def _masks(feats: Sequence[Features], vocab: Vocabulary) -> dict[str, np.ndarray]:
    theme_pos = {t: i for i, t in enumerate(vocab.themes[:63])}
    facet_pos = {f: i for i, f in enumerate(FACETS)}
    frame_pos = {f: i for i, f in enumerate(vocab.frame_ids[:63])}
    type_pos: dict[str, int] = {}
    return {
        "theme_mask": np.array([_bitmask(f.themes, theme_pos) for f in feats], dtype=np.int64),
        "spec_mask": np.array([_bitmask(f.specific_themes, theme_pos) for f in feats],
                              dtype=np.int64),
        "facet_mask": np.array([_bitmask(f.facets, facet_pos) for f in feats], dtype=np.int64),
        "frame_mask": np.array([_bitmask(f.frame, frame_pos) for f in feats], dtype=np.int64),
        "type_code": np.array([type_pos.setdefault(f.type, len(type_pos) + 1) if f.type else 0
                               for f in feats], dtype=np.int64),
        "has_partners": np.array([bool(f.partners) for f in feats], dtype=bool),
    }


def _tfidf_rows(counters: Sequence[Counter[str]], ids: dict[str, int], idf: np.ndarray,
                weights: dict[str, float] | None = None) -> sp.csr_matrix:
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for counter in counters:
        row = sorted((ids[t], c * (weights.get(t, 1.0) if weights else 1.0))
                     for t, c in counter.items() if t in ids)
        indices.extend(i for i, _ in row)
        data.extend(c for _, c in row)
        indptr.append(len(indices))
    m = sp.csr_matrix((np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64),
                       np.asarray(indptr, dtype=np.int64)), shape=(len(counters), len(ids)))
    m.data = (1.0 + np.log(np.maximum(m.data, 1e-12))) * idf[m.indices]
    m.data = np.maximum(m.data, 0.0)
    return _l2(m)


def _l2(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def _combine(w: sp.csr_matrix, c: sp.csr_matrix) -> sp.csr_matrix:
    x = sp.hstack([w * np.sqrt(1.0 - BETA), c * np.sqrt(BETA)], format="csr")
    x = _l2(x)
    x.sort_indices()
    x.data = x.data.astype(np.float64)
    return x


def _concept_weights(vocab: Vocabulary) -> dict[str, float]:
    weights = {cid: (GENERAL_CONCEPT_WEIGHT if c.facet == "general" else 1.0)
               for cid, c in vocab.concepts.items()}
    weights.update({f"theme:{t}": THEME_WEIGHT for t in vocab.themes})
    return weights


def _concept_terms(f: Features, vocab: Vocabulary) -> Counter[str]:
    """Concept ids plus their themes, so that related concepts of one theme meet."""
    terms: Counter[str] = Counter(f.concepts)
    for cid, n in f.concepts.items():
        terms[f"theme:{vocab.concepts[cid].theme}"] += n
    return terms


def _concept_columns(vocab: Vocabulary) -> dict[str, int]:
    names = sorted(vocab.concepts) + [f"theme:{t}" for t in vocab.themes]
    return {c: i for i, c in enumerate(names)}


def build_index(docs: Sequence[Doc], vocab: Vocabulary | None = None) -> Index:
    """Analyse and vectorise all documents once."""
    vocab = vocab or load_vocabulary()
    feats = [analyse(d, vocab) for d in docs]
    n = len(docs)
    word_df: Counter[str] = Counter()
    for f in feats:
        word_df.update(f.words.keys())
    word_ids = {w: i for i, w in enumerate(sorted(word_df))}
    concept_ids = _concept_columns(vocab)
    cterms = [_concept_terms(f, vocab) for f in feats]
    wdf = np.array([word_df[w] for w in sorted(word_df)], dtype=np.float64)
    cdf = np.zeros(len(concept_ids))
    for terms in cterms:
        for c in terms:
            cdf[concept_ids[c]] += 1
    word_idf = np.log((1.0 + n) / (1.0 + wdf)) + 1.0
    concept_idf = np.log((1.0 + n) / (1.0 + cdf)) + 1.0
    X = _combine(_tfidf_rows([f.words for f in feats], word_ids, word_idf),
                 _tfidf_rows(cterms, concept_ids, concept_idf, _concept_weights(vocab)))
    ncols = X.shape[1]
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(X.indptr))
    keys = row_of * ncols + X.indices.astype(np.int64)
    return Index(docs=list(docs), features=feats, vocab=vocab, word_ids=word_ids,
                 concept_ids=concept_ids, word_idf=word_idf, concept_idf=concept_idf, X=X,
                 XT=X.T.tocsr(), keys=keys, **_masks(feats, vocab))


def _vectorise(index: Index, feats: Sequence[Features]) -> sp.csr_matrix:
    return _combine(_tfidf_rows([f.words for f in feats], index.word_ids, index.word_idf),
                    _tfidf_rows([_concept_terms(f, index.vocab) for f in feats],
                                index.concept_ids,
                                index.concept_idf, _concept_weights(index.vocab)))


# --------------------------------------------------------------------------- text pairs


def _split(index: Index, gate: float) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """Split X into H (kept) and L (pruned prefix with norm < gate) per row."""
    cached = index._split_cache.get(gate)
    if cached is not None:
        return cached
    X = index.X
    n = X.shape[0]
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(X.indptr))
    order = np.lexsort((X.data, row_of))  # per row, ascending weight
    sq = X.data[order] ** 2
    csum = np.cumsum(sq)
    row_start = X.indptr[:-1]
    before = np.where(row_start > 0, csum[np.maximum(row_start - 1, 0)], 0.0)
    within = csum - np.repeat(before, np.diff(X.indptr))
    in_low = np.zeros(X.nnz, dtype=bool)
    in_low[order] = np.sqrt(np.maximum(within, 0.0)) < gate * (1.0 - 1e-9)
    low_sq = np.bincount(row_of[in_low], weights=X.data[in_low] ** 2, minlength=n)
    H = X.copy()
    H.data = np.where(in_low, 0.0, X.data)
    H.eliminate_zeros()
    L = X.copy()
    L.data = np.where(in_low, X.data, 0.0)
    L.eliminate_zeros()
    result = (H, L, np.sqrt(low_sq))
    index._split_cache[gate] = result
    return result


def text_pairs_for_rows(index: Index, rows: Sequence[int] | np.ndarray, gate: float,
                        *, upper_only: bool = True,
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (i, j, cos) with cos >= gate for i in rows (j > i if upper_only); lossless pruning."""
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0 or index.n == 0:
        return _empty_triplet()
    H, L, lnorm = _split(index, gate)
    C = (H[rows] @ index.XT).tocoo()
    ri = rows[C.row]
    cj = C.col.astype(np.int64)
    cv = C.data
    keep = cj != ri
    if upper_only:
        keep &= cj > ri
    keep &= cv >= gate - lnorm[ri] - 1e-12
    ri, cj, cv = ri[keep], cj[keep], cv[keep]
    exact = cv + _low_dots(index, L, ri, cj)
    ok = exact >= gate - 1e-12
    return ri[ok], cj[ok], exact[ok]


def _low_dots(index: Index, L: sp.csr_matrix, ri: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """L(x_i) . x_j for each candidate, via binary search in the sorted entry keys of X."""
    out = np.zeros(ri.size)
    if ri.size == 0 or L.nnz == 0:
        return out
    ncols = index.X.shape[1]
    step = 2_000_000
    lens_all = np.diff(L.indptr)
    for s in range(0, ri.size, step):
        r, c = ri[s:s + step], cj[s:s + step]
        lens = lens_all[r]
        total = int(lens.sum())
        if total == 0:
            continue
        owner = np.repeat(np.arange(r.size), lens)
        starts = np.repeat(L.indptr[r] - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
        pos = starts + np.arange(total)
        q = c[owner] * ncols + L.indices[pos]
        found = np.searchsorted(index.keys, q)
        found = np.minimum(found, index.keys.size - 1)
        hit = index.keys[found] == q
        vals = np.where(hit, index.X.data[found] * L.data[pos], 0.0)
        out[s:s + step] = np.bincount(owner, weights=vals, minlength=r.size)
    return out


def _empty_triplet() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)


def exact_reference_pairs(index: Index, threshold: float, *, chunk: int = 2000,
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Brute force: X[chunk] @ X.T for all rows, every (i < j) with cos >= threshold."""
    parts = []
    for s in range(0, index.n, chunk):
        C = (index.X[s:s + chunk] @ index.XT).tocoo()
        ri = C.row.astype(np.int64) + s
        keep = (C.col > ri) & (C.data >= threshold - 1e-12)
        parts.append((ri[keep], C.col[keep].astype(np.int64), C.data[keep]))
    if not parts:
        return _empty_triplet()
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]


# --------------------------------------------------------------------------- top-K text pairs

# A person never looks at thousands of suggestions for one initiative, and on large sets with
# many near-identical texts (e.g. 900 initiatives per narrow subtopic) the number of pairs
# above the gate grows quadratically. Full runs and incremental checks therefore keep, per
# initiative, the TOP_K partners with the highest text component (cos >= gate); a pair is
# reported when either side selected the other.
TOP_K = 20
# Candidate generation for the top-K (approximate, measured by bench/overlap.py against the
# exact top-K from X @ X.T): (1) a product restricted to columns with document frequency
# <= max(RARE_DF_MIN, RARE_DF_SHARE * n) -- rare terms carry most of the weight that tells
# near-identical texts apart and their posting lists are short; (2) the heaviest terms of each
# row that carry at least the norm of the provisional K-th best score (all-pairs bound). The
# best RARE_CANDIDATES / CANDIDATES_PER_ROW of the two sources are completed exactly and the
# top K kept.
RARE_DF_MIN = 1000
RARE_DF_SHARE = 0.01
CANDIDATES_PER_ROW = 50
RARE_CANDIDATES = 300
# Below this many documents the exact product X[rows] @ X.T is cheap enough to use as is.
EXACT_TOPK_MAX_N = 20_000


def _per_row_top(ri: np.ndarray, cj: np.ndarray, val: np.ndarray, k: int,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the k largest values per row (ties: smaller column first); sorted by row."""
    if ri.size == 0:
        return ri, cj, val
    order = np.lexsort((cj, -val, ri))
    ri, cj, val = ri[order], cj[order], val[order]
    rank = np.arange(ri.size) - np.searchsorted(ri, ri, side="left")
    keep = rank < k
    return ri[keep], cj[keep], val[keep]


def _csr_row_top(C: sp.csr_matrix, rows: np.ndarray, m: int,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of a product block: the m largest entries, the diagonal (j == rows[i]) left
    out. A per-row argpartition is much cheaper than sorting millions of entries."""
    il: list[np.ndarray] = []
    cj: list[np.ndarray] = []
    cv: list[np.ndarray] = []
    indptr, indices, data = C.indptr, C.indices, C.data
    for r in range(C.shape[0]):
        s, e = indptr[r], indptr[r + 1]
        cols, vals = indices[s:e], data[s:e]
        self_pos = np.flatnonzero(cols == rows[r])
        if self_pos.size:
            cols, vals = np.delete(cols, self_pos), np.delete(vals, self_pos)
        if vals.size > m:
            top = np.argpartition(-vals, m - 1)[:m]
            cols, vals = cols[top], vals[top]
        il.append(np.full(cols.size, r, dtype=np.int64))
        cj.append(cols.astype(np.int64))
        cv.append(vals)
    if not il:
        return _empty_triplet()
    return np.concatenate(il), np.concatenate(cj), np.concatenate(cv)


def _dedupe(ri: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of every (ri, cj)."""
    key = ri.astype(np.int64) * (int(cj.max(initial=0)) + 1) + cj
    _, first = np.unique(key, return_index=True)
    return np.sort(first)


def _exact_dots(index: Index, dense: np.ndarray, il: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """x_i . x_j for pairs (local row il of the dense block, global row cj)."""
    out = np.zeros(cj.size)
    step = 500_000
    for s in range(0, cj.size, step):
        r, c = il[s:s + step], cj[s:s + step]
        Xc = index.X[c]  # C-level row gather
        lens = np.diff(Xc.indptr)
        if Xc.nnz == 0:
            continue
        vals = dense[np.repeat(r, lens), Xc.indices] * Xc.data
        nonempty = lens > 0
        out[s:s + step][nonempty] = np.add.reduceat(vals, Xc.indptr[:-1][nonempty])
    return out


def _rare_matrix(index: Index) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    cached = index._split_cache.get(-1.0)
    if cached is None:
        X = index.X
        df = np.bincount(X.indices, minlength=X.shape[1])
        cap = max(RARE_DF_MIN, int(RARE_DF_SHARE * index.n))
        R = X.copy()
        R.data = np.where(df[X.indices] <= cap, X.data, 0.0)
        R.eliminate_zeros()
        cached = (R, R.T.tocsr(), np.zeros(0))
        index._split_cache[-1.0] = cached
    return cached[0], cached[1]


def _heavy_part(Q: sp.csr_matrix, t: np.ndarray) -> sp.csr_matrix:
    """Per row, the heaviest weights whose joint norm reaches t (the rest can add < t)."""
    n = Q.shape[0]
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(Q.indptr))
    order = np.lexsort((Q.data, row_of))
    csum = np.cumsum(Q.data[order] ** 2)
    start = Q.indptr[:-1]
    before = np.where(start > 0, csum[np.maximum(start - 1, 0)], 0.0)
    within = csum - np.repeat(before, np.diff(Q.indptr))
    low = np.zeros(Q.nnz, dtype=bool)
    low[order] = np.sqrt(np.maximum(within, 0.0)) < t[row_of[order]] * (1.0 - 1e-9)
    H = Q.copy()
    H.data = np.where(low, 0.0, Q.data)
    H.eliminate_zeros()
    return H


def topk_text_pairs_for_rows(index: Index, rows: Sequence[int] | np.ndarray, gate: float,
                             k: int = TOP_K) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row i in rows: (up to) the k partners j != i with the highest cos >= gate.

    Returns (i, j, cos) sorted by i, then cos descending (ties: smaller j first). Exact
    (``exact_topk_reference``) up to EXACT_TOPK_MAX_N documents; above that the candidate
    search described at TOP_K, whose recall bench/overlap.py measures.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0 or index.n == 0 or k <= 0:
        return _empty_triplet()
    if index.n <= EXACT_TOPK_MAX_N:  # the full product is cheap here: be exact
        return exact_topk_reference(index, gate, k, rows=rows)
    m = max(CANDIDATES_PER_ROW, k)
    Q = index.X[rows]
    dense = Q.toarray()
    # (1) rare-term product
    R, RT = _rare_matrix(index)
    il, cj, _v = _csr_row_top((R[rows] @ RT).tocsr(), rows, max(RARE_CANDIDATES, k))
    exact = _exact_dots(index, dense, il, cj)
    a, _b, e = _per_row_top(il, cj, exact, k)
    kth = np.full(rows.size, gate)
    counts = np.bincount(a, minlength=rows.size)
    last = np.searchsorted(a, np.arange(rows.size), side="right") - 1
    full = counts >= k
    kth[full] = np.maximum(e[last[full]], gate)
    # (2) heavy-term product, bounded by the provisional K-th best score
    il2, cj2, _v2 = _csr_row_top((_heavy_part(Q, kth) @ index.XT).tocsr(), rows, m)
    il2, cj2 = il2[_v2 >= 0], cj2[_v2 >= 0]
    il_all, cj_all = np.concatenate([il, il2]), np.concatenate([cj, cj2])
    first = _dedupe(il_all, cj_all)
    il_all, cj_all = il_all[first], cj_all[first]
    ex_all = np.concatenate([exact, np.zeros(il2.size)])[first]
    todo = first >= il.size
    ex_all[todo] = _exact_dots(index, dense, il_all[todo], cj_all[todo])
    ok = ex_all >= gate - 1e-12
    best = sp.csr_matrix((ex_all[ok], (il_all[ok], cj_all[ok])), shape=(rows.size, index.n))
    a, b, e = _csr_row_top(best, np.full(rows.size, -1), k)
    a, b, e = _per_row_top(a, b, e, k)  # order: row, then cos descending
    return rows[a], b, e


def exact_topk_reference(index: Index, gate: float, k: int = TOP_K, *, chunk: int = 500,
                         rows: np.ndarray | None = None,
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Brute force: X[chunk] @ X.T, per row the k best partners with cos >= gate."""
    all_rows = np.arange(index.n) if rows is None else np.asarray(rows, dtype=np.int64)
    parts = []
    for s in range(0, all_rows.size, chunk):
        r = all_rows[s:s + chunk]
        C = (index.X[r] @ index.XT).tocsr()
        C.data[C.data < gate - 1e-12] = 0.0
        C.eliminate_zeros()
        il, cj, cv = _csr_row_top(C, r, k)
        a, b, e = _per_row_top(il, cj, cv, k)  # order by row, then cos
        parts.append((r[a], b, e))
    if not parts:
        return _empty_triplet()
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]


def text_gate(threshold: float) -> float:
    return max(threshold - MAX_BONUS, MIN_GATE)


# --------------------------------------------------------------------------- scoring


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x.astype(np.uint64)).astype(np.float64)


def _score_arrays(index: Index, fa: dict[str, np.ndarray], ib: np.ndarray, cos: np.ndarray,
                  partner_j: np.ndarray) -> np.ndarray:
    """Vectorised final score for pairs (a-side features, index row ib)."""
    sa, sb = fa["spec_mask"], index.spec_mask[ib]
    false_friend = (sa != 0) & (sb != 0) & ((sa & sb) == 0)
    pen = np.where(false_friend, FALSE_FRIEND_PENALTY, 1.0)
    fma, fmb = fa["frame_mask"], index.frame_mask[ib]
    union = _popcount(fma | fmb)
    frame_j = np.where(union > 0, _popcount(fma & fmb) / np.maximum(union, 1), 0.0)
    same_type = (fa["type_code"] != 0) & (fa["type_code"] == index.type_code[ib])
    score = cos * pen + 0.10 * frame_j + 0.04 * partner_j + 0.02 * same_type
    return np.minimum(score, 1.0)


def _partner_jaccard(fa: Sequence[Features], fb: Sequence[Features]) -> np.ndarray:
    out = np.zeros(len(fa))
    for k, (a, b) in enumerate(zip(fa, fb, strict=True)):
        if a.partners and b.partners:
            out[k] = len(a.partners & b.partners) / len(a.partners | b.partners)
    return out


def _order_ids(a: Any, b: Any) -> tuple[Any, Any]:
    if type(a) is type(b):
        return (a, b) if a <= b else (b, a)
    return (a, b) if str(a) <= str(b) else (b, a)


def _facet_label(vocab: Vocabulary, facets: Iterable[str]) -> str:
    return "/".join(vocab.facets_nl.get(f, f) for f in sorted(facets)) or "onbekend"


def explain(index: Index, fa: Features, doc_a: Doc, fb: Features, doc_b: Doc, cos: float,
            complementary: bool, va: sp.csr_matrix | None = None,
            vb: sp.csr_matrix | None = None,
            facets: tuple[frozenset[str], frozenset[str]] | None = None) -> tuple[str, ...]:
    """Human-readable Dutch reasons for one pair."""
    vocab = index.vocab
    reasons: list[str] = []
    shared_c = sorted(set(fa.concepts) & set(fb.concepts),
                      key=lambda c: (vocab.concepts[c].facet == "general", c))
    if shared_c:
        reasons.append("Gedeelde concepten: " + ", ".join(
            vocab.concepts[c].label for c in shared_c[:6]))
    shared_f = sorted(fa.frame & fb.frame)
    if shared_f:
        reasons.append("Gedeelde prioriteiten: " + ", ".join(
            f"{f} ({vocab.frame_labels[f]})" if f in vocab.frame_labels else f
            for f in shared_f[:5]))
    if fa.ranked_words is None:  # fa's words by idf (desc), then alphabetically; once
        ids, idf = index.word_ids, index.word_idf
        fa.ranked_words = tuple(sorted(fa.words, key=lambda w: (
            -idf[ids[w]] if w in ids else 0.0, w)))
    fb_words = fb.words
    ranked = [w for w in fa.ranked_words if w in fb_words][:6]
    if ranked:
        reasons.append("Gedeelde termen: " + ", ".join(fa.surface.get(w, w) for w in ranked))
    shared_t = fa.themes & fb.themes
    da, db = facets or pair_facets(fa, fb)
    if complementary:
        theme = ", ".join(vocab.themes_nl.get(t, t) for t in sorted(shared_t))
        reasons.append(f"Verschil: {_facet_label(vocab, da)} vs. "
                       f"{_facet_label(vocab, db)} (thema {theme})")
    elif da & db and shared_t:
        reasons.append("Zelfde schakel in de keten: " + _facet_label(vocab, da & db))
    only_a = sorted(fa.specific_themes - fb.themes)
    only_b = sorted(fb.specific_themes - fa.themes)
    if only_a or only_b:
        reasons.append("Verschil in thema: " + (", ".join(vocab.themes_nl.get(t, t)
                                                          for t in only_a) or "-")
                       + " vs. " + (", ".join(vocab.themes_nl.get(t, t) for t in only_b) or "-"))
    if fa.partners & fb.partners:
        reasons.append("Gedeelde partners: " + ", ".join(sorted(fa.partners & fb.partners)))
    if fa.type and fa.type == fb.type:
        reasons.append(f"Zelfde type: {fa.type}")
    if fa.region and fb.region:
        if normalise(fa.region) == normalise(fb.region):
            reasons.append(f"Zelfde regio: {fa.region}")
        else:
            reasons.append(f"Andere regio's: {fa.region} / {fb.region}")
    if fa.language and fb.language and fa.language != fb.language:
        reasons.append(f"Beschreven in verschillende talen ({fa.language}/{fb.language})")
    reasons.append(f"Tekstovereenkomst: {cos:.2f}")
    return tuple(reasons)


def _make_pairs(index: Index, fa_rows: np.ndarray | None, new: tuple[Doc, Features] | None,
                ia: np.ndarray, ib: np.ndarray, cos: np.ndarray, threshold: float,
                with_reasons: bool) -> list[Pair]:
    if new is None:
        fa = {k: getattr(index, k)[ia] for k in
              ("theme_mask", "spec_mask", "facet_mask", "frame_mask", "type_code")}
        pj = np.zeros(ia.size)
        both = index.has_partners[ia] & index.has_partners[ib]
        if both.any():
            sel = np.flatnonzero(both)
            pj[sel] = _partner_jaccard([index.features[i] for i in ia[sel]],
                                       [index.features[j] for j in ib[sel]])
    else:
        m = _masks([new[1]], index.vocab)
        # The type code of a new doc must use the index's code table.
        if index.type_codes is None:
            index.type_codes = {index.features[i].type: int(index.type_code[i])
                                for i in range(index.n)}
        codes = index.type_codes
        m["type_code"] = np.array([codes.get(new[1].type, -1) if new[1].type else 0])
        fa = {k: np.repeat(v, ia.size) for k, v in m.items() if k != "has_partners"}
        pj = _partner_jaccard([new[1]] * ib.size, [index.features[j] for j in ib])
    score = _score_arrays(index, fa, ib, cos, pj)
    keep = np.flatnonzero(score >= threshold - 1e-12)
    pairs: list[Pair] = []
    for k in keep:
        j = int(ib[k])
        if new is None:
            i = int(ia[k])
            doc_a, feat_a = index.docs[i], index.features[i]
        else:
            doc_a, feat_a = new
        doc_b, feat_b = index.docs[j], index.features[j]
        x, y = _order_ids(doc_a.id, doc_b.id)
        if x != doc_a.id:  # keep reasons oriented like the ids
            doc_a, feat_a, doc_b, feat_b = doc_b, feat_b, doc_a, feat_a
        facets = pair_facets(feat_a, feat_b) if feat_a.themes & feat_b.themes else None
        compl = is_complementary(feat_a, feat_b, facets)
        reasons = (explain(index, feat_a, doc_a, feat_b, doc_b, float(cos[k]), compl,
                           facets=facets) if with_reasons else ())
        pairs.append(Pair(x, y, round(float(score[k]), 4),
                          "complementary" if compl else "overlap", reasons))
    return pairs


def candidate_pairs_for_rows(index: Index, row_indices: Sequence[int] | np.ndarray,
                             threshold: float = DEFAULT_THRESHOLD, *,
                             with_reasons: bool = True, k: int | None = TOP_K) -> list[Pair]:
    """Pairs with final score >= threshold found from the rows of this chunk.

    With ``k`` (default TOP_K): the pairs (i, j) where row i of the chunk has j among its k
    best text partners (cos >= gate); j may lie outside the chunk and on either side of i, so
    a pair whose two rows select each other can come from two chunks (same values: the
    upsert is idempotent). With ``k=None``: every pair (i in the chunk, j > i) above the gate.
    Reasons are built only for the pairs that are kept.
    """
    gate = text_gate(threshold)
    if k is None:
        ia, ib, cos = text_pairs_for_rows(index, row_indices, gate)
        return _make_pairs(index, None, None, ia, ib, cos, threshold, with_reasons)
    ia, ib, cos = topk_text_pairs_for_rows(index, row_indices, gate, k)
    return pairs_from_text(index, ia, ib, cos, threshold, with_reasons=with_reasons)


def pairs_from_text(index: Index, ia: np.ndarray, ib: np.ndarray, cos: np.ndarray,
                    threshold: float = DEFAULT_THRESHOLD, *, with_reasons: bool = True,
                    ) -> list[Pair]:
    """Final pairs from text candidates (i, j, cos) in any orientation: each unordered pair
    once, vectorised scores, kinds and reasons only for pairs with score >= threshold."""
    lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
    if lo.size:
        first = _dedupe(lo, hi)
        lo, hi, cos = lo[first], hi[first], cos[first]
    return _make_pairs(index, None, None, lo, hi, cos, threshold, with_reasons)


def detect_overlaps(docs_or_index: Sequence[Doc] | Index, threshold: float = DEFAULT_THRESHOLD,
                    *, chunk: int = 2000, with_reasons: bool = True,
                    k: int | None = TOP_K) -> list[Pair]:
    """Full run: every unordered pair once, sorted by score (desc) then ids (see
    ``candidate_pairs_for_rows`` for ``k``)."""
    index = (docs_or_index if isinstance(docs_or_index, Index)
             else build_index(list(docs_or_index)))
    found: dict[tuple[Any, Any], Pair] = {}
    for s in range(0, index.n, chunk):
        for p in candidate_pairs_for_rows(index, np.arange(s, min(s + chunk, index.n)),
                                          threshold, with_reasons=with_reasons, k=k):
            found.setdefault((p.a, p.b), p)
    pairs = list(found.values())
    pairs.sort(key=lambda p: (-p.score, str(p.a), str(p.b)))
    return pairs


def check_one(index: Index, doc: Doc, threshold: float = DEFAULT_THRESHOLD, *,
              k: int | None = TOP_K) -> list[Pair]:
    """Compare one new or edited document with everything in the index (itself excluded).

    Exact: one sparse matrix-vector product; with ``k`` only its k best text partners.
    """
    feat = analyse(doc, index.vocab)
    q = _vectorise(index, [feat])
    cos = np.asarray((index.X @ q.T).todense()).ravel()
    gate = text_gate(threshold)
    if index.row_of_id is None:
        index.row_of_id = {str(d.id): i for i, d in enumerate(index.docs)}
    own = index.row_of_id.get(str(doc.id))
    if own is not None:
        cos[own] = -1.0
    ib = np.flatnonzero(cos >= gate - 1e-12)
    if k is not None and ib.size > k:
        ib = ib[np.lexsort((ib, -cos[ib]))[:k]]
        ib.sort()
    ia = np.zeros(ib.size, dtype=np.int64)
    pairs = _make_pairs(index, None, (doc, feat), ia, ib, cos[ib], threshold, True)
    pairs.sort(key=lambda p: (-p.score, str(p.a), str(p.b)))
    return pairs


def tag_concepts(text: str, vocab: Vocabulary | None = None) -> dict[str, int]:
    """Concept ids found in a text (helper for tagging and tests)."""
    vocab = vocab or load_vocabulary()
    raw = tokenize(text)
    return dict(Counter(vocab.concept_matcher.find(raw, [stem(t) for t in raw])))


# --------------------------------------------------------------------------- file I/O


def _str_tuple(value: Any, line_no: int, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OverlapInputError(line_no, f"'{name}' must be a list of strings")
    return tuple(value)


def parse_jsonl(lines: Iterable[str]) -> list[Doc]:
    """Parse JSON lines into Docs; raises OverlapInputError naming the (1-based) line."""
    docs: list[Doc] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise OverlapInputError(line_no, f"invalid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise OverlapInputError(line_no, "expected a JSON object")
        if "id" not in obj or obj["id"] is None or obj["id"] == "":
            raise OverlapInputError(line_no, "missing 'id'")
        doc_id = obj["id"]
        if isinstance(doc_id, bool) or not isinstance(doc_id, int | str):
            raise OverlapInputError(line_no, "'id' must be a string or an integer")
        desc = obj.get("description")
        if not isinstance(desc, str) or not desc.strip():
            raise OverlapInputError(line_no, "missing 'description'")
        key = str(doc_id)
        if key in seen:
            raise OverlapInputError(line_no, f"duplicate id {doc_id!r} (first on line "
                                             f"{seen[key]})")
        seen[key] = line_no
        name = obj.get("name") or ""
        region = obj.get("region") or ""
        if not isinstance(name, str) or not isinstance(region, str):
            raise OverlapInputError(line_no, "'name' and 'region' must be strings")
        docs.append(Doc(
            id=doc_id, name=name, description=desc, region=region,
            tags=_str_tuple(obj.get("tags"), line_no, "tags"),
            partners=_str_tuple(obj.get("partners"), line_no, "partners"),
            type=obj.get("type") if isinstance(obj.get("type"), str) else "",
            stage=obj.get("stage") if isinstance(obj.get("stage"), str) else "",
            priorities=_str_tuple(obj.get("priorities"), line_no, "priorities"),
        ))
    return docs


def pair_to_json(pair: Pair) -> str:
    return json.dumps({"a": pair.a, "b": pair.b, "score": pair.score, "kind": pair.kind,
                       "reasons": list(pair.reasons)}, ensure_ascii=False)


def run_detect_overlaps(input_path: str | Path, output_path: str | Path,
                        threshold: float | None = None, *, stderr: TextIO | None = None,
                        stdout: TextIO | None = None) -> int:
    """Everything behind ``manage.py detect_overlaps``; returns the exit code (0 or 2)."""
    err = stderr or sys.stderr
    thr = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if str(input_path) == "-":
        err.write("detect_overlaps: reading from stdin is not supported; give --input FILE\n")
        return 2
    path = Path(input_path)
    try:
        with path.open(encoding="utf-8") as fh:
            docs = parse_jsonl(fh)
    except FileNotFoundError:
        err.write(f"detect_overlaps: input file not found: {path}\n")
        return 2
    except UnicodeDecodeError as exc:
        err.write(f"detect_overlaps: {path}: not UTF-8 text ({exc.reason})\n")
        return 2
    except OverlapInputError as exc:
        err.write(f"detect_overlaps: {path}: {exc}\n")
        return 2
    if not 0.0 <= thr <= 1.0:
        err.write(f"detect_overlaps: threshold must be between 0 and 1, got {thr}\n")
        return 2
    pairs = detect_overlaps(docs, thr)
    text = "".join(pair_to_json(p) + "\n" for p in pairs)
    if str(output_path) == "-":
        (stdout or sys.stdout).write(text)
    else:
        try:
            Path(output_path).write_text(text, encoding="utf-8")
        except OSError as exc:
            err.write(f"detect_overlaps: cannot write {output_path}: {exc}\n")
            return 2
    return 0
