"""Side-by-side comparison of a suggested pair: which concepts and terms the two texts share, and
both texts with those matches wrapped in <mark>.

The shared concepts and terms come from the detector's own analysis (initiatives.overlap), so the
highlighting shows exactly what the detector counted. Everything outside a <mark> is escaped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from initiatives.overlap import STOPWORDS, Doc, Vocabulary, analyse, load_vocabulary, stem, tokenize

# Longest concept label (in tokens) the highlighter looks for; longer phrases are rare in the
# vocabulary and their first tokens still get highlighted as shared terms.
MAX_PHRASE_TOKENS = 6
# Word-ish runs in the original text; tokenize() splits them further the way the detector does.
_SPAN_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Comparison:
    concepts: list[str]  # labels of the shared concepts
    terms: list[str]  # surface forms of the shared terms
    a_title: SafeString
    a_description: SafeString
    b_title: SafeString
    b_description: SafeString


def _tokens(text: str) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    """Detector tokens of `text`, the index of the original span each came from, and the spans."""
    raw: list[str] = []
    owner: list[int] = []
    spans: list[tuple[int, int]] = []
    for match in _SPAN_RE.finditer(text):
        parts = tokenize(match.group())
        if not parts:
            continue
        spans.append(match.span())
        raw.extend(parts)
        owner.extend([len(spans) - 1] * len(parts))
    return raw, owner, spans


def _concept_marks(raw: list[str], stems: list[str], shared: set[str], vocab: Vocabulary) -> set[int]:
    """Token positions covered by a match of one of the `shared` concepts.

    PhraseMatcher.find only says which concepts occur, not where; the matches that start at
    position i are those found in raw[i:i+k] but not in raw[i+1:i+k] (same window end).
    """
    if not shared:
        return set()
    find = vocab.concept_matcher.find
    marked: set[int] = set()
    n = len(raw)
    for i in range(n):
        # Most positions start no shared concept: one call on the widest window rules them out.
        if not shared.intersection(find(raw[i:i + MAX_PHRASE_TOKENS], stems[i:i + MAX_PHRASE_TOKENS])):
            continue
        seen: Counter[str] = Counter()
        for k in range(1, min(MAX_PHRASE_TOKENS, n - i) + 1):
            starting = Counter(find(raw[i:i + k], stems[i:i + k])) - Counter(find(raw[i + 1:i + k], stems[i + 1:i + k]))
            new = starting - seen
            if any(key in shared for key in new):
                marked.update(range(i, i + k))
            seen = starting
    return marked


def _term_marks(raw: list[str], shared: set[str], vocab: Vocabulary) -> set[int]:
    # Same filtering as analyse() builds Features.words with.
    marked: set[int] = set()
    for i, tok in enumerate(raw):
        if tok in STOPWORDS or tok in vocab.generic or len(tok) < 2 or tok.isdigit():
            continue
        if stem(vocab.lexicon.get(tok, tok)) in shared:
            marked.add(i)
    return marked


def highlight(text: str, *, concepts: set[str], terms: set[str], vocab: Vocabulary | None = None) -> SafeString:
    """`text` escaped, with tokens of the shared `concepts` (ids) and `terms` (stems) in <mark>."""
    vocab = vocab or load_vocabulary()
    raw, owner, spans = _tokens(text)
    stems = [stem(t) for t in raw]
    concept_pos = _concept_marks(raw, stems, concepts, vocab)
    term_pos = _term_marks(raw, terms, vocab)
    span_kind: dict[int, str] = {}
    for i, span_index in enumerate(owner):
        if i in concept_pos:
            span_kind[span_index] = "concept"
        elif i in term_pos:
            span_kind.setdefault(span_index, "term")
    out: list[str] = []
    pos = 0
    for span_index, (start, end) in enumerate(spans):
        out.append(escape(text[pos:start]))
        word = escape(text[start:end])
        kind = span_kind.get(span_index)
        out.append(f'<mark class="overlap-mark overlap-mark--{kind}">{word}</mark>' if kind else word)
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def compare(*, a_title: str, a_description: str, b_title: str, b_description: str) -> Comparison:
    vocab = load_vocabulary()
    fa = analyse(Doc(id="a", name=a_title, description=a_description), vocab)
    fb = analyse(Doc(id="b", name=b_title, description=b_description), vocab)
    concepts = set(fa.concepts) & set(fb.concepts)
    terms = set(fa.words) & set(fb.words)

    def mark(text: str) -> SafeString:
        return highlight(text, concepts=concepts, terms=terms, vocab=vocab)

    return Comparison(
        concepts=sorted({vocab.concepts[c].label for c in concepts}, key=str.lower),
        terms=sorted({fa.surface.get(t, t) for t in terms}),
        a_title=mark(a_title), a_description=mark(a_description),
        b_title=mark(b_title), b_description=mark(b_description),
    )
