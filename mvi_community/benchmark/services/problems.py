"""The methodology engine's problem lines in the reader's language.

The pure engine (`benchmark.engine`) reports every problem as one line ``"<path>: <what>"`` in
English, so its output is stable and testable without Flask. The pages show those lines to a
coordinator in Dutch (or English): `translate_problem` keeps the JSON path (it names a field of
the document, like ``themes[2].weight``) and translates the rest by the patterns below. A line
that matches no pattern is shown as the engine wrote it; a test feeds every engine message
through here and fails on one that stays English.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

# (regular expression for the part after "<path>: ", translation of the named groups)
_PATTERNS: list[tuple[re.Pattern[str], Callable[[dict[str, str]], str]]] = [
    (re.compile(r"start (?P<start>\S+) is after end (?P<end>\S+)$"),
     lambda g: _("begindatum %(start)s ligt na einddatum %(end)s", **g)),
    (re.compile(r"at least one theme is required$"), lambda g: _("er is ten minste één thema nodig")),
    (re.compile(r"at least one indicator is required$"), lambda g: _("er is ten minste één indicator nodig")),
    (re.compile(r"must be a non-empty string$"), lambda g: _("moet een niet-lege tekst zijn")),
    (re.compile(r"duplicate theme code (?P<code>.+)$"), lambda g: _("themacode %(code)s komt dubbel voor", **g)),
    (re.compile(r"duplicate indicator code (?P<code>.+)$"),
     lambda g: _("indicatorcode %(code)s komt dubbel voor", **g)),
    (re.compile(r"duplicate organisation code (?P<code>.+)$"),
     lambda g: _("organisatiecode %(code)s komt dubbel voor", **g)),
    (re.compile(r"unknown theme (?P<code>.+)$"), lambda g: _("onbekend thema %(code)s", **g)),
    (re.compile(r"must be one of (?P<options>.+) \(got (?P<got>.*)\)$"),
     lambda g: _("moet een van %(options)s zijn (nu: %(got)s)", **g)),
    (re.compile(r"required when normalisation is 'target'$"),
     lambda g: _("verplicht wanneer de normalisatie 'target' is")),
    (re.compile(r"theme (?P<code>.+) has no indicators$"), lambda g: _("thema %(code)s heeft geen indicatoren", **g)),
    (re.compile(r"must be a number > 0 \(got (?P<got>.*)\)$"),
     lambda g: _("moet een getal groter dan 0 zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be a number from 0 to 1 \(got (?P<got>.*)\)$"),
     lambda g: _("moet een getal van 0 tot en met 1 zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be an integer from 0 to (?P<max>\d+) \(got (?P<got>.*)\)$"),
     lambda g: _("moet een geheel getal van 0 tot en met %(max)s zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be an integer >= 0 \(got (?P<got>.*)\)$"),
     lambda g: _("moet een geheel getal van 0 of meer zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be a number >= 0 and < 1 \(got (?P<got>.*)\)$"),
     lambda g: _("moet een getal van 0 of meer en kleiner dan 1 zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be a number or null \(got (?P<got>.*)\)$"),
     lambda g: _("moet een getal of null zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be a string \(got (?P<got>.*)\)$"), lambda g: _("moet een tekst zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be a number \(got (?P<got>.*)\)$"), lambda g: _("moet een getal zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be an integer \(got (?P<got>.*)\)$"),
     lambda g: _("moet een geheel getal zijn (nu: %(got)s)", **g)),
    (re.compile(r"must be a date YYYY-MM-DD \(got (?P<got>.*)\)$"),
     lambda g: _("moet een datum zijn in de vorm JJJJ-MM-DD (nu: %(got)s)", **g)),
    (re.compile(r"must be a JSON object$"), lambda g: _("moet een JSON-object zijn")),
    (re.compile(r"must be an object$"), lambda g: _("moet een object zijn")),
    (re.compile(r"must be a list$"), lambda g: _("moet een lijst zijn")),
    (re.compile(r"missing$"), lambda g: _("ontbreekt")),
    (re.compile(r"unknown key \(set the other options with the fields above\)$"),
     lambda g: _("onbekende sleutel (stel de overige opties in met de velden hierboven)")),
    (re.compile(r"unknown key$"), lambda g: _("onbekende sleutel")),
]
_NOT_JSON = re.compile(r"not valid JSON: (?P<detail>.*)$", re.S)


def translate_problem(line: str) -> str:
    """One engine problem line in the current language (the path stays as written)."""
    match = _NOT_JSON.match(line)
    if match:
        return _("geen geldige JSON: %(detail)s", detail=match["detail"])
    path, sep, rest = line.partition(": ")
    if not sep:
        return line
    for pattern, translate in _PATTERNS:
        found = pattern.match(rest)
        if found:
            return f"{path}: {translate(found.groupdict())}"
    return line


def translate_problems(lines: list[str]) -> list[str]:
    return [translate_problem(line) for line in lines]
