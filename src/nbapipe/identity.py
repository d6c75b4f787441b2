"""Player identity: the ``player_lookup`` normalisation and name resolution rules.

``normalize_name`` follows the legacy normaliser (spec section 0): NFKC, Turkish dotless i
fixed, diacritics stripped, casefolded, junior/senior written jr/sr (kept), then every
space and punctuation mark removed. "Nikola Jokić" -> "nikolajokic",
"Jaren Jackson Jr." -> "jarenjacksonjr".

Resolution of a name to a registry player (``resolve`` in :mod:`nbapipe.registry`) tries, in
order: the exact lookup or a registered alias; the lookup without a generational suffix
(jr, sr, ii, iii, iv, v); the same last name with one first name a prefix of the other
("Nic Claxton" / "Nicolas Claxton"). A rule that finds more than one player resolves nothing.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into base letter + accent.
_NON_DECOMPOSING = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
        "ħ": "h",
        "Ħ": "H",
    }
)
_GENERATION_WORDS = (
    (re.compile(r"\bjunior\b"), "jr"),
    (re.compile(r"\bsenior\b"), "sr"),
    (re.compile(r"\bjr\.?(?=\W|$)"), "jr"),
    (re.compile(r"\bsr\.?(?=\W|$)"), "sr"),
)
_NON_ALNUM = re.compile(r"[^a-z0-9]")
# Generational suffixes dropped by the suffix-insensitive resolution rule.
SUFFIXES = ("jr", "sr", "ii", "iii", "iv", "v")
_SUFFIX_AT_END = re.compile(r"[\s,]+(jr|sr|junior|senior|ii|iii|iv|v)[\s.,]*$", re.IGNORECASE)


def strip_accents(text: str) -> str:
    """Remove diacritics: 'Şengün' -> 'Sengun', 'Porziņģis' -> 'Porzingis'."""
    text = text.translate(_NON_DECOMPOSING)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(name: str | None) -> str:
    """The legacy ``player_lookup``: lower-case ASCII letters and digits only."""
    if name is None:
        return ""
    text = unicodedata.normalize("NFKC", str(name))
    text = strip_accents(text).casefold()
    for pattern, replacement in _GENERATION_WORDS:
        text = pattern.sub(replacement, text)
    return _NON_ALNUM.sub("", text)


def split_suffix(name: str) -> tuple[str, str | None]:
    """Split a display name into (name without generational suffix, suffix or None)."""
    stripped = name.strip()
    m = _SUFFIX_AT_END.search(stripped)
    if not m:
        return stripped.rstrip(" ,"), None
    return stripped[: m.start()].strip(), normalize_name(m.group(1)).replace("junior", "jr")


def name_keys(name: str) -> tuple[str, str, str, str]:
    """Keys used by resolution: (lookup, lookup without suffix, first-name key, last-name key).

    The first-name key is the normalised first word; the last-name key is the normalised
    rest of the name without its suffix ("Jaren Jackson Jr." -> "jaren", "jackson").
    """
    lookup = normalize_name(name)
    base, _ = split_suffix(name)
    base_lookup = normalize_name(base)
    words = base.split()
    first = normalize_name(words[0]) if words else ""
    last = normalize_name(" ".join(words[1:])) if len(words) > 1 else ""
    return lookup, base_lookup, first, last
