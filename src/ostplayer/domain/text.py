"""Text folding for find-as-you-type: case and accents ignored, CJK kept as it is."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ostplayer.domain.track import Track


_KANA_MARKS = frozenset("\u3099\u309a")  # combining voiced and semi-voiced sound marks


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, so "cafe" finds "Café" (and "Straße" "strasse")."""
    if text.isascii():  # most tags: nothing to decompose, and casefold is lower here
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    # Accents go; kana voicing marks stay (ガラス, glass, is not カラス, crow), joined back.
    stripped = "".join(c for c in decomposed if c in _KANA_MARKS or not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def matches(folded_haystack: str, needle_words: list[str]) -> bool:
    """True when every folded word of the query occurs in the folded text."""
    return all(word in folded_haystack for word in needle_words)


def search_text(track: Track) -> str:
    """The folded text the filter looks in: title, artist, album, album artist and moods.

    Made where the tracks are loaded (off the GUI thread), once per track.
    """
    return fold(
        " ".join((track.display_title, track.artist, track.album, track.album_artist, *track.moods))
    )
