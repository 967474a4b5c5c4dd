"""M3U8: the extended M3U playlist, in UTF-8, as VLC, mpv, foobar2000 and phones read it.

What is written::

    #EXTM3U
    #PLAYLIST:Road trip
    #EXTINF:54,Hometown Embrace Ensemble - First Love’s Whisper
    #EXTALB:Hometown Embrace (OST)
    #EXTVLCOPT:start-time=12.500
    #EXTVLCOPT:stop-time=31.000
    Disc 1/01 First Love’s Whisper.flac

- ``#EXTINF`` holds whole seconds (-1 when unknown) and ``artist - title``, the form VLC splits
  back into artist and title. ``#EXTALB`` (the album) is a common extension others ignore.
- A moment is VLC's own pair of options before its path; VLC plays just that span.
- Paths are relative where :func:`~ostplayer.formats.playlist_file.relative_location` allows.
  A path VLC or we could not read back as a plain line is written as a ``file://`` URI instead:
  a name that is not UTF-8 (VLC drops such a line, and the file would no longer be UTF-8), a
  name with ``%`` and two hex digits (VLC decodes those even in plain paths), one that starts
  with ``#`` or holds ``://``, a line break, or spaces at either end.

Reading is lenient as players are: a byte order mark (or a UTF-16 file), CRLF, blank lines,
comments and unknown directives are fine. A line that is not UTF-8 is taken byte for byte as a
file name (as ``os.fsdecode`` would), and as Windows-1252 when it is text such as a title.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ostplayer.domain.scene import one_line
from ostplayer.formats.playlist_file import (
    PlaylistFileError,
    PlaylistItem,
    PlaylistRead,
    UnusableLocationError,
    absolute,
    decode_name,
    file_uri,
    parse_vlc_option,
    relative_location,
    resolve_path,
    resolve_uri,
    vlc_options,
)

__all__ = ["dump_m3u8", "load_m3u8"]

_BOM = b"\xef\xbb\xbf"
# A URI is "scheme://…" as VLC sees it; a one-letter scheme is a Windows drive ("C:/…").
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# The head of "#EXTINF:<seconds>[ key="value"…],<text>"; IPTV lists add attributes (tvg-id="…")
# whose values may hold commas.
_EXTINF_HEAD = re.compile(r'\s*(-?[0-9]+(?:\.[0-9]*)?)?(?:\s+[\w-]+="[^"]*")*\s*,')


def dump_m3u8(name: str, items: Sequence[PlaylistItem], base_dir: Path) -> bytes:
    """The M3U8 bytes for a playlist to be saved in the folder ``base_dir``."""
    lines = ["#EXTM3U"]
    if one_line(name):
        lines.append(f"#PLAYLIST:{one_line(name)}")
    for item in items:
        seconds = max(1, round(item.duration_ms / 1000)) if item.duration_ms > 0 else -1
        title, artist = one_line(item.title), one_line(item.artist)
        lines.append(f"#EXTINF:{seconds},{f'{artist} - {title}' if artist else title}")
        if one_line(item.album):
            lines.append(f"#EXTALB:{one_line(item.album)}")
        lines.extend(f"#EXTVLCOPT:{option}" for option in vlc_options(item))
        lines.append(_location(item.path, base_dir))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _location(path: Path, base_dir: Path) -> str:
    text = relative_location(path, base_dir) or str(absolute(path))
    if _plain_line_reads_back(text):
        return text
    return file_uri(path)


def _plain_line_reads_back(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # surrogates: the name is not UTF-8
        return False
    return not (
        text != text.strip()
        or text.startswith("#")
        or "://" in text
        or _PERCENT_ESCAPE.search(text)
        or any(char in text for char in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
    )


@dataclass
class _Pending:
    """What the directives before a path line said about it."""

    seconds: float | None = None
    text: str | None = None
    album: str = ""
    times: dict[str, int] = field(default_factory=dict)


def load_m3u8(data: bytes, base_dir: Path, fallback_name: str) -> PlaylistRead:
    """Read M3U or M3U8 bytes; relative paths are taken from the folder ``base_dir``.

    Raises :class:`~ostplayer.formats.playlist_file.PlaylistFileError` for a file that is not
    text at all (an audio file with a playlist's name, say).
    """
    data = _as_utf8(data)
    name = ""
    items: list[PlaylistItem] = []
    skipped: list[tuple[str, str]] = []
    pending = _Pending()
    for raw in data.splitlines():
        if not raw.strip():
            continue
        if raw.startswith(b"#"):
            line = _decode_text(raw)
            directive, _, value = line.partition(":")
            directive = directive.strip().upper()
            if directive == "#PLAYLIST":
                name = one_line(value)
            elif directive == "#EXTINF":
                _read_extinf(value, pending)
            elif directive == "#EXTALB":
                pending.album = one_line(value)
            elif directive == "#EXTVLCOPT":
                option = parse_vlc_option(value)
                if option is not None:
                    pending.times[option[0]] = option[1]
            continue
        location = decode_name(raw).strip()
        try:
            path = _resolve(location, base_dir)
        except UnusableLocationError as exc:
            skipped.append((location, exc.reason))
        else:
            items.append(_item(path, pending))
        pending = _Pending()
    return PlaylistRead(name or fallback_name, tuple(items), tuple(skipped))


def _as_utf8(data: bytes) -> bytes:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows Notepad saves "Unicode" as UTF-16 with a byte order mark.
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise PlaylistFileError("it is damaged: it is not valid UTF-16 text.") from exc
    if data[:1024].count(b"\0") >= 4:
        raise PlaylistFileError("it is not text, so it is not a playlist.")
    return data.removeprefix(_BOM)


def _read_extinf(value: str, pending: _Pending) -> None:
    match = _EXTINF_HEAD.match(value)
    if match is not None:
        head, text = match[1] or "", value[match.end() :]
    elif "," in value:
        head, _, text = value.partition(",")
    else:
        # No comma: "#EXTINF:7" is a length alone, "#EXTINF:Some title" a title alone.
        head, text = value, ""
    try:
        pending.seconds = float(head) if head.strip() else None
    except ValueError:
        pending.seconds = None
        text = text or head
    pending.text = text


def _item(path: Path, pending: _Pending) -> PlaylistItem:
    artist, title = "", ""
    if pending.text is not None:
        # VLC splits "artist - title" the same way, at the first " - ".
        before, sep, after = pending.text.partition(" - ")
        artist, title = (before, after) if sep else ("", before)
    seconds = pending.seconds or 0
    return PlaylistItem(
        path=path,
        title=one_line(title),
        artist=one_line(artist),
        album=pending.album,
        duration_ms=round(seconds * 1000) if 0 < seconds < 1e9 else 0,
        start_ms=pending.times.get("start"),
        end_ms=pending.times.get("end"),
    )


def _resolve(location: str, base_dir: Path) -> Path:
    if _URI.match(location):
        return resolve_uri(location, base_dir)
    path = resolve_path(location, base_dir)
    if os.name != "nt" and not os.path.lexists(path):
        # A Windows-made .m3u holds Windows-1252 names; on Linux the file may well be UTF-8.
        raw = os.fsencode(location)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            legacy = resolve_path(raw.decode("cp1252", "replace"), base_dir)
            if os.path.lexists(legacy):
                return legacy
    return path


def _decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")
