"""Affinity model: how well an agent (expert, juror) fits an item (request, nomination).

Pure functions over plain data (numpy/scipy, no Flask, no SQLAlchemy, no randomness). For an
item ``i`` and an agent ``j`` with weights ``w`` (``AffinityWeights``)::

    affinity = sum_f w.facets[f] * overlap(tags_i[f], tags_j[f])     facets in sorted name order
             + w.text * cosine(tfidf(text_i), tfidf(text_j + past texts of j))
             + w.history * min(n_ij, w.history_cap) / w.history_cap

and the terms are added in exactly that order (facets sorted by name, then text, then
history), so ``explain`` and ``affinity_pairs`` give the same float.

- ``overlap``: ``"jaccard"`` = |A ∩ B| / |A ∪ B|; ``"coverage"`` = |A ∩ B| / |A|, the share of
  the item's tags the agent has (an agent with many tags is not penalised). 0 if the
  denominator is 0. Facets are free names, e.g. themes, skills, product_groups,
  organisation_types; tags are compared as exact strings.
- text: tokens are NFKD-normalised, diacritics stripped, lower-cased runs of ``[a-z0-9]``,
  of length >= 2, not all digits and not in ``stopwords`` (small Dutch + English list); no
  stemming. ``tf = 1 + ln(count)``, ``idf = ln((1 + N) / (1 + df)) + 1`` over the ``N``
  documents the model was fitted on, vectors L2-normalised, similarity = dot product
  (in [0, 1]). Terms unknown to the model are ignored.
- history: ``n_ij`` = the agent's earlier engagements with the item's organisation. A
  positive ``w.history`` is a continuity bonus, a negative one a rotation penalty.

``explain`` returns the total and each contribution (weight, score, value, and what matched:
shared tags, or the shared terms that weigh most in the cosine), for "why this expert fits".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
from scipy import sparse

Id = Hashable

DEFAULT_STOPWORDS = frozenset({  # small Dutch + English list
    "aan", "al", "alle", "als", "bij", "dan", "dat", "de", "der", "deze", "die", "dit", "door",
    "een", "en", "er", "het", "hier", "hij", "hoe", "hun", "ik", "in", "is", "je", "kan", "met",
    "naar", "niet", "nog", "of", "om", "onder", "ons", "ook", "op", "over", "te", "tot", "uit",
    "van", "voor", "want", "was", "wat", "we", "wel", "werd", "wij", "worden", "wordt", "zal",
    "ze", "zich", "zij", "zijn", "zo", "zou", "a", "about", "an", "and", "are", "as", "at", "be",
    "by", "can", "for", "from", "has", "have", "into", "it", "its", "on", "or",
    "that", "the", "their", "this", "to", "were", "will", "with",
})

_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ItemProfile:
    """What an item asks for. ``tags``: facet name -> tags (e.g. ``{"themes": {"Circulair"}}``);
    ``organisation``: who asks (for the history term)."""

    id: Id
    tags: Mapping[str, Collection[str]] = field(default_factory=dict)
    text: str = ""
    organisation: Id | None = None


@dataclass(frozen=True)
class AgentProfile:
    """What an agent offers. ``past_texts``: descriptions of earlier engagements (added to the
    profile text); ``history``: organisation -> number of earlier engagements with it."""

    id: Id
    tags: Mapping[str, Collection[str]] = field(default_factory=dict)
    text: str = ""
    past_texts: Sequence[str] = ()
    history: Mapping[Id, int] = field(default_factory=dict)

    @property
    def document(self) -> str:
        return "\n".join([self.text, *self.past_texts])


def _default_facets() -> dict[str, float]:
    return {"themes": 0.35, "skills": 0.25, "product_groups": 0.15, "organisation_types": 0.05}


@dataclass(frozen=True)
class AffinityWeights:
    """Weights of the terms. The defaults sum to 1.0 without history, so affinity lies in
    [0, 1] plus the history term."""

    facets: Mapping[str, float] = field(default_factory=_default_facets)
    text: float = 0.20
    history: float = 0.10
    history_cap: int = 1  # engagements that earn the full history term
    overlap: Literal["jaccard", "coverage"] = "jaccard"

    def __post_init__(self) -> None:
        object.__setattr__(self, "facets", MappingProxyType(dict(self.facets)))
        if self.overlap not in ("jaccard", "coverage"):
            raise ValueError(f"overlap must be 'jaccard' or 'coverage', got {self.overlap!r}")
        if isinstance(self.history_cap, bool) or self.history_cap < 1:
            raise ValueError("history_cap must be a positive integer")
        for name, value in [*self.facets.items(), ("text", self.text), ("history", self.history)]:
            if not math.isfinite(value):
                raise ValueError(f"weight {name!r} must be finite")


@dataclass(frozen=True, slots=True)
class Contribution:
    name: str  # facet name, "text" or "history"
    weight: float
    score: float  # overlap, cosine, or capped history share, before weighting
    value: float  # weight * score
    matched: tuple[str, ...] = ()  # shared tags (sorted) or top shared terms


@dataclass(frozen=True, slots=True)
class AffinityBreakdown:
    item: Id
    agent: Id
    total: float
    contributions: tuple[Contribution, ...]


# --------------------------------------------------------------------------- text model


def tokenize(text: str, stopwords: Collection[str] = DEFAULT_STOPWORDS) -> list[str]:
    """Tokens of ``text`` as described in the module docstring."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return [t for t in _TOKEN.findall(folded)
            if len(t) >= 2 and not t.isdigit() and t not in stopwords]


@dataclass(frozen=True, eq=False)
class TfidfModel:
    """Vocabulary (sorted) and idf weights fitted on a corpus; see ``fit``."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    stopwords: frozenset[str] = DEFAULT_STOPWORDS

    @classmethod
    def fit(cls, documents: Iterable[str],
            stopwords: Collection[str] = DEFAULT_STOPWORDS) -> TfidfModel:
        """``idf = ln((1 + N) / (1 + df)) + 1`` for every term of the ``N`` documents."""
        stop = frozenset(stopwords)
        df: Counter[str] = Counter()
        n = 0
        for doc in documents:
            n += 1
            df.update(set(tokenize(doc, stop)))
        terms = sorted(df)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float64)
        return cls({t: k for k, t in enumerate(terms)}, idf, stop)

    def weights(self, text: str) -> dict[str, float]:
        """The L2-normalised tf-idf vector of ``text`` as {term: weight}."""
        counts = Counter(t for t in tokenize(text, self.stopwords) if t in self.vocabulary)
        raw = {t: (1.0 + math.log(c)) * float(self.idf[self.vocabulary[t]])
               for t, c in sorted(counts.items())}
        norm = math.sqrt(math.fsum(v * v for v in raw.values()))
        return {t: v / norm for t, v in raw.items()} if norm > 0 else {}

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows = L2-normalised tf-idf vectors of ``texts``."""
        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            for t, v in self.weights(text).items():
                rows.append(r)
                cols.append(self.vocabulary[t])
                vals.append(v)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.vocabulary)),
                                 dtype=np.float64)


def fit_text_model(items: Iterable[ItemProfile], agents: Iterable[AgentProfile],
                   stopwords: Collection[str] = DEFAULT_STOPWORDS) -> TfidfModel:
    """Fit the idf on all item texts and all agent documents (profile + past texts)."""
    return TfidfModel.fit([*(i.text for i in items), *(a.document for a in agents)], stopwords)


# --------------------------------------------------------------------------- scoring


def overlap(item_tags: Collection[str], agent_tags: Collection[str],
            mode: Literal["jaccard", "coverage"] = "jaccard") -> float:
    a, b = set(item_tags), set(agent_tags)
    inter = len(a & b)
    denominator = len(a | b) if mode == "jaccard" else len(a)
    return inter / denominator if denominator else 0.0


def explain(item: ItemProfile, agent: AgentProfile, model: TfidfModel,
            weights: AffinityWeights = AffinityWeights(), top_terms: int = 5) -> AffinityBreakdown:
    """The affinity of one pair with each contribution (see the module docstring)."""
    parts: list[Contribution] = []
    total = 0.0
    for facet in sorted(weights.facets):
        w = float(weights.facets[facet])
        a, b = set(item.tags.get(facet, ())), set(agent.tags.get(facet, ()))
        score = overlap(a, b, weights.overlap)
        parts.append(Contribution(facet, w, score, w * score, tuple(sorted(a & b))))
        total += w * score
    wi, wa = model.weights(item.text), model.weights(agent.document)
    shared = {t: wi[t] * wa[t] for t in wi.keys() & wa.keys()}
    cosine = math.fsum(shared[t] for t in sorted(shared))
    terms = tuple(t for t, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:top_terms])
    parts.append(Contribution("text", weights.text, cosine, weights.text * cosine, terms))
    total += weights.text * cosine
    n = agent.history.get(item.organisation, 0) if item.organisation is not None else 0
    share = min(n, weights.history_cap) / weights.history_cap
    parts.append(Contribution("history", weights.history, share, weights.history * share))
    total += weights.history * share
    return AffinityBreakdown(item.id, agent.id, total, tuple(parts))


def _tag_matrix(profiles: Sequence, facet: str, vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for r, p in enumerate(profiles):
        for tag in set(p.tags.get(facet, ())):
            rows.append(r)
            cols.append(vocab[tag])
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                             shape=(len(profiles), len(vocab)), dtype=np.float64)


def affinity_pairs(
    items: Sequence[ItemProfile],
    agents: Sequence[AgentProfile],
    weights: AffinityWeights = AffinityWeights(),
    *,
    model: TfidfModel | None = None,
    min_affinity: float | None = None,
    top_k: int | None = None,
    chunk_size: int = 512,
) -> list[tuple[Id, Id, float]]:
    """Affinity of every (item, agent) pair, vectorised, as ``(item_id, agent_id, value)`` for
    ``matching.solve``. Keeps pairs with ``value >= min_affinity`` (all if None) and, per
    item, the ``top_k`` best (ties: agent id ascending). Ordered by item (input order), then
    affinity descending, then agent id. ``model`` defaults to ``fit_text_model(items, agents)``.
    Memory: ``chunk_size * len(agents)`` floats at a time."""
    if model is None:
        model = fit_text_model(items, agents)
    n_agents = len(agents)
    facets = sorted(weights.facets)
    tag_mats = []
    for facet in facets:
        vocab_tags = sorted({t for p in [*items, *agents] for t in p.tags.get(facet, ())})
        vocab = {t: k for k, t in enumerate(vocab_tags)}
        tag_mats.append((_tag_matrix(items, facet, vocab), _tag_matrix(agents, facet, vocab)))
    text_items = model.transform([i.text for i in items])
    text_agents_t = model.transform([a.document for a in agents]).T.tocsc()
    orgs = sorted({o for a in agents for o in a.history}, key=repr)
    org_index = {o: k for k, o in enumerate(orgs)}
    hist = np.zeros((len(orgs), n_agents), dtype=np.float64)
    for j, a in enumerate(agents):
        for o, n in a.history.items():
            hist[org_index[o], j] = min(n, weights.history_cap) / weights.history_cap
    agent_order = sorted(range(n_agents), key=lambda j: agents[j].id)
    rank = np.empty(n_agents, dtype=np.int64)
    rank[agent_order] = np.arange(n_agents)
    out: list[tuple[Id, Id, float]] = []
    for start in range(0, len(items), chunk_size):
        stop = min(start + chunk_size, len(items))
        total = np.zeros((stop - start, n_agents), dtype=np.float64)
        for facet, (mi, ma) in zip(facets, tag_mats):
            mi = mi[start:stop]
            inter = (mi @ ma.T).toarray()
            size_i = np.asarray(mi.sum(axis=1)).reshape(-1, 1)
            if weights.overlap == "jaccard":
                denominator = size_i + np.asarray(ma.sum(axis=1)).reshape(1, -1) - inter
            else:
                denominator = np.broadcast_to(size_i, inter.shape)
            score = np.divide(inter, denominator, out=np.zeros_like(inter),
                              where=denominator > 0)
            total += float(weights.facets[facet]) * score
        total += weights.text * (text_items[start:stop] @ text_agents_t).toarray()
        share = np.zeros_like(total)
        for r, item in enumerate(items[start:stop]):
            if item.organisation in org_index:
                share[r] = hist[org_index[item.organisation]]
        total += weights.history * share
        for r in range(stop - start):
            row = total[r]
            cand = np.arange(n_agents) if min_affinity is None else np.flatnonzero(
                row >= min_affinity)
            cand = cand[np.lexsort((rank[cand], -row[cand]))]
            if top_k is not None:
                cand = cand[:top_k]
            item_id = items[start + r].id
            out.extend((item_id, agents[j].id, float(row[j])) for j in cand.tolist())
    return out
