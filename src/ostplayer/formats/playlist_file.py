"""Playlist files other players read: M3U8 and XSPF, with the types both formats share.

:func:`write_playlist` and :func:`read_playlist` pick the format by the file's suffix
(``.m3u8``/``.m3u`` or ``.xspf``); :mod:`ostplayer.formats.m3u8` and
:mod:`ostplayer.formats.xspf` do the work on bytes.

Locations, and why they are written as they are:

- A track is written relative to the playlist's folder (``Disc 1/01.flac``,
  ``../Other OST/02.flac``) whenever the two share a folder other than the root of the drive, so
  a music folder copied elsewhere with its playlists keeps working. When they share only the
  root (or sit on different Windows drives) the path is absolute: ``../../../mnt/usb/x.flac``
  helps nobody.
- File names are bytes on Linux and need not be UTF-8 (``os.fsdecode`` keeps such bytes as
  surrogates). Where a plain path cannot carry a name, it goes into a ``file://`` URI with every
  byte percent-encoded, which reads back to the very same bytes.
- Reading never fetches anything. A location that is a URL (``http:``, ``ftp:``, any scheme but
  ``file:``), a ``file:`` URI on another computer, or a name holding a NUL byte is skipped, and
  :attr:`PlaylistRead.skipped` says which and why.
- Moments (a span of a track) are VLC's own ``start-time`` and ``stop-time`` options, in seconds,
  which VLC honours when it plays the playlist.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from urllib.parse import quote, unquote_to_bytes, urlsplit

from ostplayer.files import write_atomically

__all__ = [
    "MAX_PLAYLIST_BYTES",
    "PlaylistFileError",
    "PlaylistItem",
    "PlaylistRead",
    "UnusableLocationError",
    "absolute",
    "decode_name",
    "file_uri",
    "parse_vlc_option",
    "read_playlist",
    "relative_location",
    "resolve_path",
    "resolve_uri",
    "vlc_options",
    "write_playlist",
]

#: Larger files are refused unread: a real playlist of 100,000 tracks is a few megabytes.
MAX_PLAYLIST_BYTES = 50 * 1024 * 1024

_M3U_SUFFIXES = frozenset({".m3u8", ".m3u"})
_XSPF_SUFFIX = ".xspf"

# Characters a URI path may hold as they are (RFC 3986 sub-delims and "@"); the rest is escaped.
# ":" is not among them: in the first segment of a relative reference it would read as a scheme.
_URI_SAFE = "/!$&'()*+,;=@"
_WINDOWS_DRIVE = re.compile(r"[A-Za-z]:[\\/]")
_WEB_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "mms", "rtsp", "rtmp"})
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class PlaylistItem:
    """One entry of a playlist file: an audio file, or a moment (a span of it).

    ``path`` is absolute. ``duration_ms`` is 0 when unknown; for a moment it is the length of the
    span. ``start_ms`` and ``end_ms`` are None for a whole track; a moment with only a start
    plays to the end of the track.
    """

    path: Path
    title: str = ""
    artist: str = ""
    album: str = ""
    duration_ms: int = 0
    start_ms: int | None = None
    end_ms: int | None = None


class PlaylistFileError(ValueError):
    """A playlist file cannot be read or written; the message is for the listener."""


@dataclass(frozen=True, slots=True)
class PlaylistRead:
    """What a playlist file holds.

    ``name`` comes from the file (``#PLAYLIST:`` or ``<title>``), else it is the file's stem.
    ``items`` are its local entries in order, with absolute, normalised paths that need not
    exist. ``skipped`` lists the other entries as ``(location as written, reason)``.
    """

    name: str
    items: tuple[PlaylistItem, ...]
    skipped: tuple[tuple[str, str], ...]


class UnusableLocationError(Exception):
    """A location that is not a file on this computer; ``reason`` says why, for the listener."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def write_playlist(path: Path, name: str, items: Sequence[PlaylistItem]) -> None:
    """Write ``items`` to ``path`` as M3U8 (``.m3u8``, ``.m3u``) or XSPF (``.xspf``).

    The file is written whole or not at all (a temp file beside it, fsynced, renamed over it),
    so a failure leaves any old file as it was. Raises :class:`PlaylistFileError`.
    """
    # The format modules import the types above, so they are imported here, not at the top.
    from ostplayer.formats.m3u8 import dump_m3u8
    from ostplayer.formats.xspf import dump_xspf

    path = absolute(path)
    suffix = path.suffix.lower()
    if suffix in _M3U_SUFFIXES:
        data = dump_m3u8(name, items, path.parent)
    elif suffix == _XSPF_SUFFIX:
        data = dump_xspf(name, items, path.parent)
    else:
        raise PlaylistFileError(
            f"“{path.name}” has no playlist extension: save it as .m3u8 or .xspf."
        )
    try:
        write_atomically(path, data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PlaylistFileError(f"Could not save the playlist “{path.name}”: {reason}.") from exc


def read_playlist(path: Path) -> PlaylistRead:
    """Read an M3U/M3U8 or XSPF file; the suffix decides, else the content does.

    Raises :class:`PlaylistFileError` for a file that cannot be read or is not a playlist.
    """
    from ostplayer.formats.m3u8 import load_m3u8
    from ostplayer.formats.xspf import load_xspf

    path = absolute(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PLAYLIST_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PlaylistFileError(f"Could not open the playlist “{path.name}”: {reason}.") from exc
    try:
        if len(data) > MAX_PLAYLIST_BYTES:
            raise PlaylistFileError("it is too large to be a playlist (over 50 MB).")
        suffix = path.suffix.lower()
        if suffix not in _M3U_SUFFIXES and suffix != _XSPF_SUFFIX:
            suffix = _sniff(data)
        load = load_xspf if suffix == _XSPF_SUFFIX else load_m3u8
        return load(data, path.parent, path.stem)
    except PlaylistFileError as exc:
        raise PlaylistFileError(f"Could not read the playlist “{path.name}”: {exc}") from exc


def _sniff(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")):
        return _XSPF_SUFFIX
    if head[:1] == b"[":
        # A PLS or INI file would read as a list of nonsense paths.
        raise PlaylistFileError("it is not an M3U or XSPF playlist.")
    return ".m3u8"


def absolute(path: Path) -> Path:
    """``path`` made absolute with ``.`` and ``..`` worked out, symbolic links left as they are.

    Unlike ``Path.resolve``: a playlist names a link's path, and the library knows it by that.
    """
    return Path(os.path.normpath(Path(path).absolute()))


def relative_location(path: Path, base_dir: Path) -> str | None:
    """``path`` relative to ``base_dir`` with ``/`` separators, or None when it should be absolute.

    None when the two share only the root of the drive, or are on different Windows drives.
    """
    target = absolute(path)
    base = absolute(base_dir)
    try:
        common = Path(os.path.commonpath([target, base]))
    except ValueError:  # different drives
        return None
    if common.parent == common:
        return None
    return PurePath(os.path.relpath(target, base)).as_posix()


def file_uri(path: Path, base_dir: Path | None = None) -> str:
    """A URI for ``path``: relative to ``base_dir`` when :func:`relative_location` allows it,
    else an absolute ``file://`` URI. Every byte of the name survives, percent-encoded."""
    if base_dir is not None:
        relative = relative_location(path, base_dir)
        if relative is not None:
            return quote(os.fsencode(relative), safe=_URI_SAFE)
    if os.name == "nt":
        return absolute(path).as_uri()
    return "file://" + quote(os.fsencode(absolute(path)), safe=_URI_SAFE)


def resolve_path(text: str, base_dir: Path) -> Path:
    """A plain path as written in a playlist, made absolute against ``base_dir`` and normalised.

    Raises :class:`UnusableLocationError` for a name with a NUL byte.
    """
    if "\0" in text:
        raise UnusableLocationError("the file name holds a NUL byte")
    if not text:
        raise UnusableLocationError("the location is empty")
    return absolute(Path(base_dir) / text)


def resolve_uri(location: str, base_dir: Path) -> Path:
    """The local path for a URI (``file://…``) or a relative URI reference, percent-decoded to
    the exact bytes of the name and resolved against ``base_dir``.

    Raises :class:`UnusableLocationError` for a URL or any other location that is not a local file.
    """
    location = location.strip()
    if _WINDOWS_DRIVE.match(location):
        # A Windows path written as it is, not as a URI: "C:\Music\a.mp3".
        return resolve_path(location, base_dir)
    try:
        parts = urlsplit(location)
    except ValueError:  # "http://[::1" and the like
        raise UnusableLocationError("not a file name or an address that can be read") from None
    scheme = parts.scheme.lower()
    if scheme and scheme != "file":
        if scheme in _WEB_SCHEMES:
            raise UnusableLocationError("a web address: only files on this computer can be added")
        raise UnusableLocationError(f"not a file on this computer ({scheme}:)")
    if scheme == "file":
        if parts.netloc.lower() not in ("", "localhost"):
            host = _SURROGATE.sub("\ufffd", parts.netloc)  # the reason is shown as text
            raise UnusableLocationError(f"a file on another computer ({host})")
        raw = unquote_to_bytes(_raw(parts.path))
        if os.name == "nt" and re.match(rb"/[A-Za-z]:", raw):
            raw = raw[1:]
    else:
        # A relative reference is decoded whole: a "#" or "?" in it is part of the name.
        raw = unquote_to_bytes(_raw(location))
    if b"\0" in raw:
        raise UnusableLocationError("the file name holds a NUL byte")
    return resolve_path(decode_name(raw), base_dir)


def _raw(text: str) -> bytes:
    # A line that was not UTF-8 holds its bytes as lone surrogates (see decode_name): they
    # go back to the very same bytes, next to the %XX escapes around them.
    return text.encode("utf-8", "surrogateescape")


def decode_name(raw: bytes) -> str:
    """A file name read as bytes from a playlist, as a str that ``os.fsencode`` turns back into
    the same bytes (on Windows, where names are Unicode, bytes that are not UTF-8 are taken as
    Windows-1252)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        if os.name == "nt":
            return raw.decode("cp1252", "replace")
        # As os.fsdecode does on Linux: the raw bytes of the name come back on os.fsencode.
        return raw.decode("utf-8", "surrogateescape")


def vlc_options(item: PlaylistItem) -> list[str]:
    """VLC's options for a moment, ``start-time=12.500`` and ``stop-time=…`` (seconds)."""
    options = []
    if item.start_ms is not None:
        options.append(f"start-time={_seconds(item.start_ms)}")
    if item.end_ms is not None:
        options.append(f"stop-time={_seconds(item.end_ms)}")
    return options


def _seconds(ms: int) -> str:
    # Integer arithmetic: 0.1 s stays "0.100", never "0.09999".
    ms = max(0, ms)
    return f"{ms // 1000}.{ms % 1000:03d}"


def parse_vlc_option(option: str) -> tuple[str, int] | None:
    """``("start", ms)`` or ``("end", ms)`` for a ``start-time``/``stop-time`` option, else None.

    Options VLC has but we do not use, and values that are not a time, give None.
    """
    key, sep, value = option.strip().partition("=")
    which = {"start-time": "start", "stop-time": "end"}.get(key.strip().lower())
    if not sep or which is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not 0 <= seconds < 1e9:  # also refuses nan and inf
        return None
    return which, round(seconds * 1000)
