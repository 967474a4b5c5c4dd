"""Shared for the playlist parsers' property tests: what any read must look like, and damaged
copies of real playlists."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from ostplayer.formats.playlist_file import PlaylistFileError, PlaylistRead


def check_read(read: PlaylistRead) -> None:
    """What every playlist read must be, whatever the file held."""
    assert "\n" not in read.name and "\r" not in read.name
    for item in read.items:
        assert item.path.is_absolute(), item
        assert "\0" not in str(item.path), item
        assert item.duration_ms >= 0, item
        assert item.start_ms is None or item.start_ms >= 0, item
        assert item.end_ms is None or item.end_ms >= 0, item
        for text in (item.title, item.artist, item.album):
            assert "\n" not in text and "\r" not in text, item
            text.encode("utf-8")  # shown and stored as text: no lone surrogates
    for _location, reason in read.skipped:
        assert reason.strip(), read.skipped
        reason.encode("utf-8")


def check_refusal(error: PlaylistFileError) -> None:
    """A refusal is one sentence for people that can be shown and logged."""
    message = str(error)
    assert message.strip()
    assert "\n" not in message
    message.encode("utf-8", "backslashreplace")


def read_or_refused(load: Callable[[], PlaylistRead]) -> PlaylistRead | None:
    """Run ``load``: a read must pass :func:`check_read`, a refusal :func:`check_refusal`.

    Returns the read, or ``None`` for a refusal.
    """
    try:
        read = load()
    except PlaylistFileError as error:
        check_refusal(error)
        return None
    check_read(read)
    return read


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one to four byte-level changes: flips, cuts, deletions, insertions."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not out:
            break
        at = draw(st.integers(0, len(out) - 1))
        action = draw(st.sampled_from(["flip", "cut", "delete", "insert", "duplicate"]))
        if action == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut":
            del out[at:]
        elif action == "delete":
            del out[at : at + draw(st.integers(1, 16))]
        elif action == "insert":
            snippet = draw(
                st.binary(max_size=8)
                | st.sampled_from(
                    [b"\0", b"\r", b"\n#EXTINF:", b"<", b"]]>", b"&", b"\xff\xfe", b"\xef\xbb"]
                )
            )
            out[at:at] = snippet
        else:
            out[at:at] = out[at : at + draw(st.integers(1, 64))]
    return bytes(out)
