"""Shared for the playlist file tests: items that exercise every field, a guard that fails a
test which touches the network, and Hypothesis strategies for file names and titles."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import strategies as st

from ostplayer.formats.playlist_file import PlaylistItem, PlaylistRead

Dump = Callable[[str, Sequence[PlaylistItem], Path], bytes]
Load = Callable[[bytes, Path, str], PlaylistRead]

#: The playlist folder the format tests write "into" (nothing is written there).
BASE = Path("/music/Playlists")

posix_only = pytest.mark.skipif(os.name == "nt", reason="file names are bytes on POSIX only")

#: A file name as Linux allows it: any bytes but "/" and NUL.
FILE_NAMES = st.binary(min_size=1, max_size=30).filter(
    lambda name: b"/" not in name and b"\0" not in name and name not in (b".", b"..")
)

#: One-line text as a tag holds it; neither format keeps control characters or runs of spaces.
WORDS = st.text(
    st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85\ufffe\uffff"
    ),
    max_size=20,
).map(lambda text: " ".join(text.split()))


#: Text that starts like the parts of a playlist entry, to reach the parsers' corners.
LOCATION_LIKE = st.tuples(
    st.sampled_from(["", "file://", "file:///", "http://", "x:", "C:\\", "../", "%", "#"]),
    st.text(max_size=30),
).map("".join)


def forbid_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any connection attempt fail the test: reading a playlist never fetches anything."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a playlist reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def every_kind_of_item(duration_ms: int) -> list[PlaylistItem]:
    """Items in :data:`BASE`: CJK text, a name that is not UTF-8, moments, no known length.

    ``duration_ms`` is the first item's length (M3U keeps whole seconds only). POSIX only.
    """
    return [
        PlaylistItem(
            BASE / "初恋" / "01 初恋の囁き.flac",
            title="初恋の囁き",
            artist="故郷アンサンブル",
            album="故郷の抱擁",
            duration_ms=duration_ms,
        ),
        PlaylistItem(
            Path(os.fsdecode(b"/music/Playlists/caf\xe9.mp3")),
            title="Café",
            artist="Zoë",
            duration_ms=6_000,
        ),
        PlaylistItem(BASE / "moment.ogg", title="Moment", start_ms=1_250, end_ms=3_000),
        PlaylistItem(BASE / "from.ogg", title="From", start_ms=0),
        PlaylistItem(BASE / "until.ogg", title="Until", end_ms=59_999),
        PlaylistItem(BASE / "unknown.ogg", title="Unknown length"),
        PlaylistItem(BASE / "100%41 #1?.ogg", title="Odd name"),
    ]


def check_round_trip(dump: Dump, load: Load, duration_ms: int) -> bytes:
    """Write :func:`every_kind_of_item` with ``dump``, read it back with ``load``, compare.

    Returns what was written, for the format's own checks.
    """
    items = every_kind_of_item(duration_ms)
    data = dump("Mix", items, BASE)
    read = load(data, BASE, "fallback")
    assert read == PlaylistRead("Mix", tuple(items), ())
    # The raw byte survives: the file on disk is found under its real name.
    assert os.fsencode(read.items[1].path) == b"/music/Playlists/caf\xe9.mp3"
    return data
