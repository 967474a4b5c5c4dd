"""Text folding for find-as-you-type: case and accents ignored, CJK kept as it is."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, so "cafe" finds "Café" (and "Straße" "strasse")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def matches(folded_haystack: str, needle_words: list[str]) -> bool:
    """True when every folded word of the query occurs in the folded text."""
    return all(word in folded_haystack for word in needle_words)
