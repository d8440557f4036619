"""Dutch text for full-text search (core.search): folding, stop words, Snowball stemming,
compound splitting, and the forgiving query language with its compilers to FTS5 MATCH and to
PostgreSQL tsquery. Pure functions; no database."""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

MAX_QUERY_LENGTH = 500
MAX_TERMS = 24
MAX_WORD_LENGTH = 60

# PostgreSQL's dutch.stop (the Snowball Dutch stop-word list), so both backends drop the same words.
STOPWORDS = frozenset(["de", "en", "van", "ik", "te", "dat", "die", "in", "een", "hij", "het", "niet", "zijn", "is", "was", "op", "aan", "met", "als", "voor", "had", "er", "maar", "om", "hem", "dan", "zou", "of", "wat", "mijn", "men", "dit", "zo", "door", "over", "ze", "zich", "bij", "ook", "tot", "je", "mij", "uit", "der", "daar", "haar", "naar", "heb", "hoe", "heeft", "hebben", "deze", "u", "want", "nog", "zal", "me", "zij", "nu", "ge", "geen", "omdat", "iets", "worden", "toch", "al", "waren", "veel", "meer", "doen", "toen", "moet", "ben", "zonder", "kan", "hun", "dus", "alles", "onder", "ja", "eens", "hier", "wie", "werd", "altijd", "doch", "wordt", "wezen", "kunnen", "ons", "zelf", "tegen", "na", "reeds", "wil", "kon", "niets", "uw", "iemand", "geweest", "andere"])

# Parts of Dutch compounds in public procurement. A word splits when it is two (or three) of these
# in a row, optionally joined by a linking "s", "e" or "en" (kantoor+inrichting, bedrijf+s+kleding).
COMPOUND_LEXICON = frozenset(["aanbesteding", "aankoop", "afval", "asfalt", "auto", "bedrijf", "beheer", "beleid", "beton", "bouw", "brug", "bureau", "catering", "circulair", "contract", "criteria", "dak", "dienst", "dijk", "energie", "fiets", "flex", "gebouw", "gemeente", "gevel", "glas", "groen", "grond", "grondstof", "hout", "huis", "ict", "inkoop", "inrichting", "kader", "kantoor", "kast", "keten", "kleding", "kosten", "laptop", "leverancier", "licht", "markt", "materiaal", "meubel", "meubilair", "monitor", "onderhoud", "ontwerp", "openbaar", "pad", "paneel", "papier", "park", "plan", "plek", "product", "ruimte", "renovatie", "riool", "samenwerking", "school", "schoonmaak", "sloop", "sport", "staal", "stad", "stoel", "straat", "tafel", "tapijt", "telefoon", "textiel", "tuin", "verlichting", "vervoer", "vloer", "voedsel", "warmte", "water", "weg", "werk", "zon", "zwembad", "vastgoed", "infra", "installatie", "lamp", "mast", "verpakking", "wagen", "voertuig",
                              # more procurement compounds: afvalinzameling, grondverzet, dienstverlening …
                              "inzameling", "verzet", "verlening", "beveiliging", "reiniging", "bestrating",
                              "verharding", "voorziening", "kunstwerk", "koffie", "automaat", "drukwerk", "print",
                              "pomp", "kabel", "leiding", "bus", "zonne", "zorg", "veiligheid", "middel",
                              "post", "vuil", "rest", "bank", "bord", "container", "diensten", "opslag"])
_LINKS = ("", "s", "e", "en")
_WORD_RE = re.compile(r"[^\W_]+")

_local = threading.local()


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        # "dutch_porter" is the classic Snowball Dutch stemmer that PostgreSQL's dutch config uses.
        stemmer = _local.stemmer = snowballstemmer.stemmer("dutch_porter")
    return stemmer


def fold(word: str) -> str:
    """Lower case without diacritics ("Reünie" → "reunie")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Dutch Snowball stem of one folded word (a pure function, so memoised)."""
    return _stemmer().stemWord(word)


def tokens(value: str | None) -> list[str]:
    """Folded words of a text, stop words included."""
    return [fold(w) for w in _WORD_RE.findall(value or "")]


def stem_text(value: str | None) -> str:
    """What the SQLite index stores for a text: folded, stop words dropped, stemmed."""
    return " ".join(stem(w) for w in tokens(value) if w not in STOPWORDS)


@lru_cache(maxsize=1)
def _lexicon_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in COMPOUND_LEXICON)


def _known(part: str) -> bool:
    return len(part) >= 3 and (part in COMPOUND_LEXICON or stem(part) in _lexicon_stems())


@lru_cache(maxsize=20_000)
def compound_parts(word: str, _depth: int = 0) -> tuple[str, ...]:
    """("kantoor", "inrichting") for "kantoorinrichting"; () when the word is no known compound."""
    if len(word) < 7 or _depth > 2:
        return ()
    for i in range(3, len(word) - 2):
        head, rest = word[:i], word[i:]
        if head not in COMPOUND_LEXICON:
            continue
        for link in _LINKS:
            if link and not rest.startswith(link):
                continue
            tail = rest[len(link):]
            if _known(tail):
                return (head, tail)
            deeper = compound_parts(tail, _depth + 1)
            if deeper:
                return (head, *deeper)
    return ()


def extra_terms(*texts: str | None) -> str:
    """Words to add to a row's ``search_extra``: compound parts and diacritic-free spellings."""
    seen: dict[str, None] = {}
    for value in texts:
        for raw in _WORD_RE.findall(value or ""):
            word = fold(raw)
            if word != raw.casefold():
                seen.setdefault(word)
            for part in compound_parts(word):
                seen.setdefault(part)
    return " ".join(seen)


# --- the query language ----------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    word: str  # folded
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Any, ...]
    excluded: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Or:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Query:
    """A parsed query: rows must match `include` (None: no positive terms) and not `exclude`."""

    include: Any = None
    exclude: Any = None

    @property
    def empty(self) -> bool:
        return self.include is None and self.exclude is None


_TOKEN_RE = re.compile(r'"[^"]*"?|\(|\)|[^\W_]+\*?|-|\S', re.UNICODE)


def _lex(value: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    previous_end = -1
    for match in _TOKEN_RE.finditer(value):
        token = match.group(0)
        glued = match.start() == previous_end  # no space before this token
        previous_end = match.end()
        if token.startswith('"'):
            out.append(("PHRASE", token.strip('"')))
        elif token in "()":
            out.append((token, token))
        elif token == "-":
            # a minus that starts a token is "exclude"; inside a word ("CO2-reductie") a separator
            out.append(("NOT", "-") if not glued or not out or out[-1][0] in ("(", "NOT") else ("SKIP", "-"))
        elif token in ("OR", "|"):
            out.append(("OR", token))
        elif token in ("AND", "NEAR", "&", "+"):
            continue
        elif _WORD_RE.match(token):
            out.append(("WORD", token))
    return [t for t in out if t[0] != "SKIP"]


class _Parser:
    def __init__(self, lexed: list[tuple[str, str]]) -> None:
        self.tokens = lexed
        self.i = 0
        self.terms = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self):
        parts = []
        while self.peek() is not None:
            if self.peek() == ")":  # a stray closing parenthesis
                self.take()
                continue
            node = self.parse_or()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def parse_or(self):
        options = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            options.append(self.parse_and())
        options = [o for o in options if o is not None]
        if len(options) > 1:  # "a OR -b" has no sensible meaning: the exclusion is dropped
            options = [o for o in options if not isinstance(o, _Not)]
        if not options:
            return None
        return options[0] if len(options) == 1 else Or(tuple(options))

    def parse_and(self):
        parts = []
        while self.peek() not in (None, ")", "OR"):
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def parse_unary(self):
        if self.peek() == "NOT":
            self.take()
            if self.peek() in (None, ")", "OR"):
                return None
            node = self.parse_atom()
            if node is None:
                return None
            return node.item if isinstance(node, _Not) else _Not(node)  # "-(-a)" is "a"
        return self.parse_atom()

    def parse_atom(self):
        kind, value = self.take()
        if kind == "(":
            node = self.parse_or_group()
            if self.peek() == ")":
                self.take()
            return node
        if kind == "PHRASE":
            words = [w[:MAX_WORD_LENGTH] for w in tokens(value)][:MAX_TERMS]
            while words and words[0] in STOPWORDS:  # stop words count inside a phrase, not at its ends
                words.pop(0)
            while words and words[-1] in STOPWORDS:
                words.pop()
            if len(words) == 1:
                return self._count(Term(words[0]))
            return self._count(Phrase(tuple(words)) if words else None)
        if kind == "WORD":
            prefix = value.endswith("*")
            word = fold(value.rstrip("*"))[:MAX_WORD_LENGTH]
            if word in STOPWORDS and not prefix:
                return None
            return self._count(Term(word, prefix))
        return None  # a stray "OR" or ")" is ignored

    def parse_or_group(self):
        parts = []
        while self.peek() not in (None, ")"):
            node = self.parse_or()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def _count(self, node):
        if node is None:
            return None
        self.terms += 1
        return node if self.terms <= MAX_TERMS else None


@dataclass(frozen=True)
class _Not:
    item: Any


def _and(parts: list):
    """Combine parts: positives must all match, negatives are excluded. None when empty."""
    include = [p for p in parts if p is not None and not isinstance(p, _Not)]
    exclude = [p.item for p in parts if isinstance(p, _Not)]
    flat: list = []
    for part in include:
        if isinstance(part, And) and not part.excluded:
            flat.extend(part.items)
        else:
            flat.append(part)
    if not flat:
        return _Not(_or(exclude)) if exclude else None
    if len(flat) == 1 and not exclude:
        return flat[0]
    return And(tuple(flat), tuple(exclude))


def _or(items: list):
    return items[0] if len(items) == 1 else Or(tuple(items))


def parse_query(value: str | None) -> Query:
    """Parse what a user typed; never raises."""
    value = (value or "")[:MAX_QUERY_LENGTH]
    node = _Parser(_lex(value)).parse()
    if node is None:
        return Query()
    if isinstance(node, _Not):
        return Query(exclude=node.item)
    return Query(include=node)


def _expand(node):
    """Add compound alternatives: kantoorinrichting → (kantoorinrichting OR (kantoor AND inrichting))."""
    if isinstance(node, Term):
        parts = () if node.prefix else compound_parts(node.word)
        return Or((node, And(tuple(Term(p) for p in parts)))) if parts else node
    if isinstance(node, And):
        return And(tuple(_expand(i) for i in node.items), tuple(_expand(i) for i in node.excluded))
    if isinstance(node, Or):
        return Or(tuple(_expand(i) for i in node.items))
    return node


# --- compilers ---------------------------------------------------------------------------------

def to_fts5(node) -> str:
    """An FTS5 MATCH expression over pre-stemmed text; every term is quoted, so always valid."""
    node = _expand(node)

    def build(n) -> str:
        if isinstance(n, Term):
            return f'"{stem(n.word)}"' + (" *" if n.prefix else "")
        if isinstance(n, Phrase):  # the index has no stop words, so neither has the phrase
            return '"' + " ".join(stem(w) for w in n.words if w not in STOPWORDS) + '"'
        if isinstance(n, Or):
            return "(" + " OR ".join(build(i) for i in n.items) + ")"
        if isinstance(n, And):
            positive = "(" + " AND ".join(build(i) for i in n.items) + ")"
            if n.excluded:
                return f"({positive} NOT ({' OR '.join(build(i) for i in n.excluded)}))"
            return positive
        raise TypeError(n)

    return build(node)


def to_tsquery(node) -> str:
    """A to_tsquery('dutch', …) string; PostgreSQL stems the quoted words itself."""
    node = _expand(node)

    def word(w: str) -> str:
        return "'" + w + "'"  # words are [^\W_]+ only: nothing to escape

    def build(n) -> str:
        if isinstance(n, Term):
            return word(n.word) + (":*" if n.prefix else "")
        if isinstance(n, Phrase):  # stop words keep their positions in a tsvector: <N> skips them
            out, gap = [], 1
            for w in n.words:
                if w in STOPWORDS:
                    gap += 1
                    continue
                if out:
                    out.append(" <-> " if gap == 1 else f" <{gap}> ")
                out.append(word(w))
                gap = 1
            return "(" + "".join(out) + ")"
        if isinstance(n, Or):
            return "(" + " | ".join(build(i) for i in n.items) + ")"
        if isinstance(n, And):
            parts = [build(i) for i in n.items] + ["!" + build(i) for i in n.excluded]
            return "(" + " & ".join(parts) + ")"
        raise TypeError(n)

    return build(node)
