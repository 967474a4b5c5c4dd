"""XSPF: the XML Shareable Playlist Format, version 1 (``http://xspf.org/ns/0/``).

What is written, valid against the XSPF 1 RELAX NG schema (``tests/data/xspf/``)::

    <playlist xmlns="http://xspf.org/ns/0/" version="1"
              xmlns:vlc="http://www.videolan.org/vlc/playlist/ns/0/">
      <title>Road trip</title>
      <trackList>
        <track>
          <location>Disc%201/01%20First%20Love%E2%80%99s%20Whisper.flac</location>
          <title>First Love’s Whisper</title>
          <creator>Hometown Embrace Ensemble</creator>
          <album>Hometown Embrace (OST)</album>
          <duration>18500</duration>
          <extension application="http://www.videolan.org/vlc/playlist/0">
            <vlc:option>start-time=12.500</vlc:option>
            <vlc:option>stop-time=31.000</vlc:option>
          </extension>
        </track>
      </trackList>
    </playlist>

- ``location`` is a URI: relative to the playlist where
  :func:`~ostplayer.formats.playlist_file.relative_location` allows, else ``file://``; every byte
  of the name is percent-encoded, so any file name survives. ``duration`` is in ms, left out
  when unknown. A moment is VLC's extension with its ``start-time``/``stop-time`` options.
- Text that XML 1.0 cannot hold (control characters, lone surrogates) becomes U+FFFD.

Reading takes the file as untrusted: it must be under
:data:`~ostplayer.formats.playlist_file.MAX_PLAYLIST_BYTES`, and a document type declaration is
refused before anything in it is read, which rules out entity expansion ("billion laughs") and
external entities whatever the file's encoding. Plain expat does the rest, so ``defusedxml`` is
not needed. Of several locations in a track, the first local one is used; elements may come in
any order; version 0 files and files without the namespace are read too.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from ostplayer.formats.playlist_file import (
    MAX_PLAYLIST_BYTES,
    PlaylistFileError,
    PlaylistItem,
    PlaylistRead,
    UnusableLocationError,
    file_uri,
    parse_vlc_option,
    resolve_uri,
    vlc_options,
)

__all__ = ["VLC_APPLICATION", "VLC_NAMESPACE", "XSPF_NAMESPACE", "dump_xspf", "load_xspf"]

XSPF_NAMESPACE = "http://xspf.org/ns/0/"
#: The ``application`` of VLC's ``<extension>``, and the namespace of its elements.
VLC_APPLICATION = "http://www.videolan.org/vlc/playlist/0"
VLC_NAMESPACE = "http://www.videolan.org/vlc/playlist/ns/0/"

# Everything XML 1.0 allows in text; the rest (C0 controls, U+FFFE/FFFF, lone surrogates) is not.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The encoding an XML declaration names (expat takes the declaration only at the very start).
_DECLARED_ENCODING = re.compile(rb"""\A<\?xml[^>]*?\bencoding\s*=\s*(["'])(.*?)\1""")
#: Byte order marks of UTF-8, -16 and -32: stripped, with the NULs of UTF-16/32, to read the
#: declaration of a document in any of them.
_BOM_BYTES = b"\xef\xbb\xbf\xff\xfe\x00"
# Python codecs that read backslash escapes, or nothing: expat would hand them each byte to
# decode (and Python warns about the escapes). No playlist is written in them.
_NOT_TEXT_ENCODINGS = frozenset({"unicode-escape", "raw-unicode-escape", "undefined"})


def dump_xspf(name: str, items: Sequence[PlaylistItem], base_dir: Path) -> bytes:
    """The XSPF bytes for a playlist to be saved in the folder ``base_dir``."""
    # Plain tag names with the namespaces declared by hand: ElementTree would otherwise need
    # its process-wide prefix registry to write "vlc:" rather than "ns1:".
    playlist = ET.Element(
        "playlist", {"xmlns": XSPF_NAMESPACE, "xmlns:vlc": VLC_NAMESPACE, "version": "1"}
    )
    _text(playlist, "title", name)
    track_list = ET.SubElement(playlist, "trackList")
    for item in items:
        track = ET.SubElement(track_list, "track")
        ET.SubElement(track, "location").text = file_uri(item.path, base_dir)
        _text(track, "title", item.title)
        _text(track, "creator", item.artist)
        _text(track, "album", item.album)
        if item.duration_ms > 0:
            ET.SubElement(track, "duration").text = str(item.duration_ms)
        options = vlc_options(item)
        if options:
            extension = ET.SubElement(track, "extension", {"application": VLC_APPLICATION})
            for option in options:
                ET.SubElement(extension, "vlc:option").text = option
    ET.indent(playlist, space="  ")
    body = ET.tostring(playlist, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _text(parent: ET.Element, tag: str, value: str) -> None:
    value = _NOT_XML.sub("\ufffd", value.strip())
    if value:
        ET.SubElement(parent, tag).text = value


def load_xspf(data: bytes, base_dir: Path, fallback_name: str) -> PlaylistRead:
    """Read XSPF bytes; relative locations are taken from the folder ``base_dir``.

    Raises :class:`~ostplayer.formats.playlist_file.PlaylistFileError` for anything that is not
    a well-formed XSPF playlist, for a document type declaration and for an oversized file.
    """
    if len(data) > MAX_PLAYLIST_BYTES:
        raise PlaylistFileError("it is too large to be a playlist (over 50 MB).")
    root = _parse(data)
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if root.tag != _qualified(namespace, "playlist") or namespace not in ("", XSPF_NAMESPACE):
        raise PlaylistFileError("it is XML, but not an XSPF playlist.")

    def find(parent: ET.Element, tag: str) -> ET.Element | None:
        return parent.find(_qualified(namespace, tag))

    def text(parent: ET.Element, tag: str) -> str:
        element = find(parent, tag)
        return " ".join((element.text or "").split()) if element is not None else ""

    items: list[PlaylistItem] = []
    skipped: list[tuple[str, str]] = []
    track_list = find(root, "trackList")
    tracks = [] if track_list is None else track_list.findall(_qualified(namespace, "track"))
    for track in tracks:
        locations = [
            (element.text or "").strip()
            for element in track.findall(_qualified(namespace, "location"))
        ]
        path, problem = _first_local(locations, base_dir)
        if path is None:
            skipped.append(problem)
            continue
        times = _moment(track, namespace)
        items.append(
            PlaylistItem(
                path=path,
                title=text(track, "title"),
                artist=text(track, "creator"),
                album=text(track, "album"),
                duration_ms=_duration(text(track, "duration")),
                start_ms=times.get("start"),
                end_ms=times.get("end"),
            )
        )
    return PlaylistRead(text(root, "title") or fallback_name, tuple(items), tuple(skipped))


def _qualified(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}" if namespace else tag


def _first_local(locations: list[str], base_dir: Path) -> tuple[Path | None, tuple[str, str]]:
    problem = ("", "the entry has no location")
    for location in locations:
        try:
            return resolve_uri(location, base_dir), problem
        except UnusableLocationError as exc:
            if not problem[0]:
                problem = (location, exc.reason)
    return None, problem


def _moment(track: ET.Element, namespace: str) -> dict[str, int]:
    times: dict[str, int] = {}
    for extension in track.findall(_qualified(namespace, "extension")):
        if extension.get("application") != VLC_APPLICATION:
            continue
        for element in extension.iter(f"{{{VLC_NAMESPACE}}}option"):
            option = parse_vlc_option(element.text or "")
            if option is not None:
                times[option[0]] = option[1]
    return times


def _duration(text: str) -> int:
    try:
        ms = round(float(text))
    except (ValueError, OverflowError):
        return 0
    return ms if ms > 0 else 0


def _parse(data: bytes) -> ET.Element:
    """Parse with expat into an ElementTree, refusing any document type declaration."""
    builder = ET.TreeBuilder()
    # "}" as separator gives "namespace}tag"; a "{" in front makes ElementTree's "{ns}tag".
    parser = expat.ParserCreate(namespace_separator="}")

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def refuse(*_: object) -> NoReturn:
        raise PlaylistFileError(
            "it holds a document type declaration, which no playlist needs; "
            "for safety it is not read."
        )

    parser.StartElementHandler = lambda tag, attributes: builder.start(
        name(tag), {name(key): value for key, value in attributes.items()}
    )
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    _check_encoding(data)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise PlaylistFileError(
            f"its XML is broken at line {exc.lineno}, "
            f"column {exc.offset + 1} ({expat.ErrorString(exc.code)})."
        ) from exc
    except PlaylistFileError:
        raise
    except (LookupError, ValueError) as exc:
        # expat hands encodings it does not know to Python's codecs, which may not know them
        # either, or be multi-byte ones expat cannot use (Shift JIS...).
        raise PlaylistFileError("it is in a text encoding that cannot be read.") from exc
    # expat has seen a whole document, so there is a root element.
    return builder.close()


def _check_encoding(data: bytes) -> None:
    # The declaration's characters are ASCII: without the BOM and the NULs of UTF-16/32 they
    # read the same in every Unicode encoding expat detects.
    head = data[:1024].lstrip(_BOM_BYTES).replace(b"\x00", b"")
    declared = _DECLARED_ENCODING.match(head)
    if declared is None:
        return
    try:
        name = codecs.lookup(declared[2].decode("ascii")).name
    except (LookupError, UnicodeDecodeError, ValueError):
        return  # expat says so itself, as an encoding it does not know
    if name in _NOT_TEXT_ENCODINGS:
        raise PlaylistFileError("it is in a text encoding that cannot be read.")
