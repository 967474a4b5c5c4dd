"""XSPF playlists: every file written validates against the XSPF 1 RELAX NG schema (with lxml)
and holds RFC 3986 locations; round trips, relative locations, other players' files, and
untrusted XML (entity bombs, document types, oversized or broken files) refused cleanly."""

from __future__ import annotations

import os
import re
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from ostplayer.formats.playlist_file import (
    MAX_PLAYLIST_BYTES,
    PlaylistFileError,
    PlaylistItem,
    PlaylistRead,
)
from ostplayer.formats.xspf import VLC_NAMESPACE, XSPF_NAMESPACE, dump_xspf, load_xspf
from tests.formats.hostile import ANY_TEXT, ENCODINGS, ODD_NUMBERS, THOUSAND, utf8
from tests.formats.hostile_playlists import damaged, read_or_refused
from tests.formats.playlists import (
    BASE,
    FILE_NAMES,
    LOCATION_LIKE,
    WORDS,
    check_round_trip,
    every_kind_of_item,
    forbid_network,
    posix_only,
)

SCHEMA = Path(__file__).parent.parent / "data" / "xspf" / "xspf-1_0.7.rng"
NS = {"x": XSPF_NAMESPACE, "vlc": VLC_NAMESPACE}

# RFC 3986 URI-reference, as far as characters go: unreserved, reserved and %XX escapes only.
URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-F]{2})*")
_RELAX_NG = etree.RelaxNG(etree.parse(SCHEMA))


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_network(monkeypatch)


def valid(data: bytes) -> etree._Element:
    """Check ``data`` against the XSPF 1 schema and RFC 3986; return the parsed document."""
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    document = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert _RELAX_NG.validate(document), _RELAX_NG.error_log
    for location in document.iterfind(".//x:location", NS):
        assert URI_CHARACTERS.fullmatch(location.text), location.text
    return document


def round_trip(items: list[PlaylistItem], base: Path = BASE) -> PlaylistRead:
    data = dump_xspf("Mix", items, base)
    valid(data)
    return load_xspf(data, base, "")


def test_the_document_written() -> None:
    items = [
        PlaylistItem(
            BASE.parent / "Hometown Embrace" / "01 First Love’s Whisper.flac",
            title="First Love’s Whisper",
            artist="Demo Ensemble",
            album="Hometown Embrace (OST)",
            duration_ms=54_400,
        ),
        PlaylistItem(BASE / "rain.ogg", title="Rain & <Thunder>", start_ms=12_500, end_ms=31_000),
        PlaylistItem(BASE / "sub" / "bare.mp3"),
    ]
    document = valid(dump_xspf("Road trip", items, BASE))
    assert document.tag == f"{{{XSPF_NAMESPACE}}}playlist"
    assert document.get("version") == "1"
    assert document.findtext("x:title", namespaces=NS) == "Road trip"
    tracks = document.findall("x:trackList/x:track", NS)
    assert [
        [(child.tag.rpartition("}")[2], child.text) for child in track if len(child) == 0]
        for track in tracks
    ] == [
        [
            ("location", "../Hometown%20Embrace/01%20First%20Love%E2%80%99s%20Whisper.flac"),
            ("title", "First Love’s Whisper"),
            ("creator", "Demo Ensemble"),
            ("album", "Hometown Embrace (OST)"),
            ("duration", "54400"),
        ],
        [("location", "rain.ogg"), ("title", "Rain & <Thunder>")],
        [("location", "sub/bare.mp3")],
    ]
    (extension,) = tracks[1].findall("x:extension", NS)
    assert extension.get("application") == "http://www.videolan.org/vlc/playlist/0"
    assert [option.text for option in extension.findall("vlc:option", NS)] == [
        "start-time=12.500",
        "stop-time=31.000",
    ]


@posix_only
def test_round_trip_keeps_everything() -> None:
    data = check_round_trip(dump_xspf, load_xspf, duration_ms=54_321)
    locations = [element.text for element in valid(data).iterfind(".//x:location", NS)]
    assert locations[1] == "caf%E9.mp3"
    assert locations[6] == "100%2541%20%231%3F.ogg"


def test_locations_are_relative_under_and_beside_the_playlist_folder() -> None:
    home = Path("/home/mina")
    items = [
        PlaylistItem(home / "Playlists" / "a.ogg"),
        PlaylistItem(home / "Playlists" / "deep" / "er" / "b.ogg"),
        PlaylistItem(home / "Music" / "OST" / "c.ogg"),
        PlaylistItem(home / "Playlists" / "Track: 1.ogg"),
    ]
    data = dump_xspf("", items, home / "Playlists")
    locations = [e.text for e in valid(data).iterfind(".//x:location", NS)]
    # ":" is escaped: "Track:" would read as a URI scheme.
    assert locations == ["a.ogg", "deep/er/b.ogg", "../Music/OST/c.ogg", "Track%3A%201.ogg"]
    read = load_xspf(data, home / "Playlists", "")
    assert [item.path for item in read.items] == [item.path for item in items]


@posix_only
def test_locations_are_file_uris_when_only_the_root_is_shared() -> None:
    items = [PlaylistItem(Path("/mnt/usb/OST/a b.ogg")), PlaylistItem(Path("/b.ogg"))]
    data = dump_xspf("", items, Path("/home/mina/Playlists"))
    locations = [e.text for e in valid(data).iterfind(".//x:location", NS)]
    assert locations == ["file:///mnt/usb/OST/a%20b.ogg", "file:///b.ogg"]


def test_text_xml_cannot_hold_is_replaced_and_the_file_stays_valid() -> None:
    item = PlaylistItem(BASE / "a.ogg", title="bell\x07 \ud800 end\ufffe", artist="  ", album="]]>")
    document = valid(dump_xspf("tab\tname\x1b", [item], BASE))
    assert document.findtext("x:title", namespaces=NS) == "tab\tname\ufffd"
    track = document.find("x:trackList/x:track", NS)
    assert track.findtext("x:title", namespaces=NS) == "bell\ufffd \ufffd end\ufffd"
    assert track.find("x:creator", NS) is None
    assert track.findtext("x:album", namespaces=NS) == "]]>"


def test_an_empty_playlist_is_valid() -> None:
    document = valid(dump_xspf("", [], BASE))
    assert document.find("x:title", NS) is None
    assert load_xspf(dump_xspf("", [], BASE), BASE, "Stem") == PlaylistRead("Stem", (), ())


def test_reads_what_other_players_write() -> None:
    data = """<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand -->
<playlist version="1" xmlns="http://xspf.org/ns/0/"
          xmlns:vlc="http://www.videolan.org/vlc/playlist/ns/0/">
  <trackList>
    <track>
      <duration>6000</duration>
      <creator>  Zoë   Ensemble </creator>
      <title>Café</title>
      <location>file:///srv/music/caf%C3%A9.ogg</location>
      <extension application="http://www.videolan.org/vlc/playlist/0">
        <vlc:id>0</vlc:id>
        <vlc:option>start-time=1.5</vlc:option>
        <vlc:option>stop-time=oops</vlc:option>
      </extension>
      <extension application="http://example.com/other">
        <vlc:option xmlns:vlc="http://www.videolan.org/vlc/playlist/ns/0/">stop-time=3</vlc:option>
      </extension>
    </track>
    <track>
      <location>http://example.com/stream.ogg</location>
      <location>../Music/Disc%201/02.ogg</location>
      <duration>-5</duration>
    </track>
    <track><location>file://localhost/srv/music/03.ogg</location><duration>x</duration></track>
    <track><location>04.ogg?#</location></track>
  </trackList>
  <title>Found
     playlist</title>
  <vlc:extension />
</playlist>
""".encode()
    read = load_xspf(data, Path("/home/mina/Playlists"), "fallback")
    assert read.name == "Found playlist"
    assert read.skipped == ()
    assert read.items == (
        PlaylistItem(
            Path("/srv/music/café.ogg"),
            title="Café",
            artist="Zoë Ensemble",
            duration_ms=6_000,
            start_ms=1_500,
        ),
        PlaylistItem(Path("/home/mina/Music/Disc 1/02.ogg")),
        PlaylistItem(Path("/srv/music/03.ogg")),
        PlaylistItem(Path("/home/mina/Playlists/04.ogg?#")),
    )


def test_version_0_and_a_missing_namespace_are_read() -> None:
    for data in (
        b'<playlist version="0" xmlns="http://xspf.org/ns/0/"><trackList>'
        b"<track><location>a.ogg</location><title>A</title></track></trackList></playlist>",
        b'<playlist version="1"><title>N</title><trackList>'
        b"<track><location>a.ogg</location><title>A</title></track></trackList></playlist>",
    ):
        read = load_xspf(data, BASE, "")
        assert read.items == (PlaylistItem(BASE / "a.ogg", title="A"),)


def test_urls_missing_locations_and_nul_bytes_are_skipped_with_a_reason() -> None:
    tracks = [
        "<location>http://example.com/a.mp3</location>",
        "<location>https://example.com/b.mp3</location><location>ftp://x/c</location>",
        "<location>spotify:track:123</location>",
        "<location>file://nas/music/d.ogg</location>",
        "<location>e%00.ogg</location>",
        "<title>No location</title>",
        "<location>file://[oops/a.ogg</location>",
        "<location>kept.ogg</location>",
    ]
    data = (
        '<playlist version="1" xmlns="http://xspf.org/ns/0/"><trackList>'
        + "".join(f"<track>{track}</track>" for track in tracks)
        + "</trackList></playlist>"
    ).encode()
    read = load_xspf(data, BASE, "")
    assert read.items == (PlaylistItem(BASE / "kept.ogg"),)
    assert read.skipped == (
        ("http://example.com/a.mp3", "a web address: only files on this computer can be added"),
        ("https://example.com/b.mp3", "a web address: only files on this computer can be added"),
        ("spotify:track:123", "not a file on this computer (spotify:)"),
        ("file://nas/music/d.ogg", "a file on another computer (nas)"),
        ("e%00.ogg", "the file name holds a NUL byte"),
        ("", "the entry has no location"),
        ("file://[oops/a.ogg", "not a file name or an address that can be read"),
    )


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE playlist [
  <!ENTITY a "haha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>
<playlist version="1" xmlns="http://xspf.org/ns/0/"><title>&h;</title><trackList/></playlist>
"""


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        b'<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<playlist version="1" xmlns="http://xspf.org/ns/0/"><title>&x;</title></playlist>',
        b'<!DOCTYPE p SYSTEM "http://example.com/evil.dtd"><playlist version="1"/>',
        # In UTF-16 a byte search for "<!DOCTYPE" would miss it; expat does not.
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE p [<!ENTITY a "b">]><playlist/>'.encode(
            "utf-16"
        ),
    ],
    ids=["billion-laughs", "external-entity", "external-dtd", "utf-16-doctype"],
)
def test_document_type_declarations_are_refused(data: bytes) -> None:
    with pytest.raises(PlaylistFileError, match="document type declaration"):
        load_xspf(data, BASE, "")


def test_an_oversized_file_is_refused_unparsed() -> None:
    data = b'<playlist version="1" xmlns="http://xspf.org/ns/0/">' + b" " * MAX_PLAYLIST_BYTES
    with pytest.raises(PlaylistFileError, match="too large"):
        load_xspf(data, BASE, "")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"#EXTM3U\na.mp3\n",
        b"<playlist",
        b'<playlist version="1"><trackList></playlist>',
        b"<html><body>not a playlist</body></html>",
        b'<playlist xmlns="http://example.com/other"><trackList/></playlist>',
        b"<playlist>&undefined;</playlist>",
        b"\xff\xfe\x00\x00garbage",
        b'<?xml version="1.0" encoding="no-such-codec"?><playlist/>',
        b"<a/><b/>",
    ],
)
def test_malformed_input_raises_only_playlist_file_error(data: bytes) -> None:
    with pytest.raises(PlaylistFileError):
        load_xspf(data, BASE, "")


def test_a_broken_file_says_where() -> None:
    with pytest.raises(PlaylistFileError, match=r"broken at line 3, column \d+"):
        load_xspf(b'<playlist version="1">\n<trackList>\n<track></trackList>', BASE, "")


@posix_only
@THOUSAND
@given(
    names=st.lists(FILE_NAMES, min_size=1, max_size=5),
    title=WORDS,
    artist=WORDS,
    start=st.none() | st.integers(0, 10**7),
)
def test_any_file_name_and_title_round_trip_and_validate(
    names: list[bytes], title: str, artist: str, start: int | None
) -> None:
    items = [
        PlaylistItem(Path(os.fsdecode(b"/music/" + name)), title, artist, start_ms=start)
        for name in names
    ]
    assert round_trip(items).items == tuple(items)


@THOUSAND
@given(
    data=st.binary(max_size=300)
    | st.text(max_size=200).map(lambda text: f"<{text}".encode("utf-8", "surrogatepass"))
    | st.lists(LOCATION_LIKE, max_size=4).map(
        lambda locations: (
            '<playlist version="1" xmlns="http://xspf.org/ns/0/"><trackList>'
            + "".join(f"<track><location>{escape(x)}</location></track>" for x in locations)
            + "</trackList></playlist>"
        ).encode("utf-8", "surrogatepass")
    )
)
def test_any_bytes_give_a_playlist_or_a_playlist_error(data: bytes) -> None:
    read_or_refused(lambda: load_xspf(data, BASE, "x"))


# --- hostile input: structured but wrong, and damaged copies of real playlists ----------------


def _xml_text(text: str) -> str:
    # Escaped as XML, but characters XML cannot hold are left in: expat must refuse them.
    return escape(text, {'"': "&quot;"})


_TEXT = ANY_TEXT.map(_xml_text) | st.sampled_from(
    [
        "&#0;",
        "&#x10FFFF;",
        "&#xD800;",
        "&amp;amp;",
        "&undefined;",
        "<![CDATA[x]]>",
        "]]>",
        "<?pi x?>",
    ]
)
_NAMESPACES = st.sampled_from(
    [' xmlns="http://xspf.org/ns/0/"', "", ' xmlns="http://example.com/"', ' xmlns:x="y"']
)


@st.composite
def _element(draw: st.DrawFn, tag: str, inner: st.SearchStrategy[str]) -> str:
    attributes = draw(st.sampled_from(["", ' application="http://www.videolan.org/vlc/playlist/0"',
                                       ' a="1" a="2"', ' xml:lang="x"']))  # fmt: skip
    body = draw(inner)
    return draw(st.sampled_from([f"<{tag}{attributes}>{body}</{tag}>", f"<{tag}/>", f"<{tag}>"]))


@st.composite
def _tracks(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        fields = [
            draw(_element("location", LOCATION_LIKE.map(_xml_text) | _TEXT)),
            draw(_element("title", _TEXT)),
            draw(_element("duration", ODD_NUMBERS)),
            draw(
                _element(
                    "extension",
                    st.lists(
                        st.tuples(
                            st.sampled_from(["start-time=", "stop-time=", "x="]), ODD_NUMBERS
                        ).map(lambda pair: f"<vlc:option>{''.join(pair)}</vlc:option>"),
                        max_size=3,
                    ).map("".join),
                )
            ),
        ]
        parts.append("<track>" + "".join(draw(st.permutations(fields))) + "</track>")
    return "".join(parts)


@st.composite
def xspf_like(draw: st.DrawFn) -> bytes:
    """An XSPF-shaped document with something wrong in it, encoded in some way."""
    encoding = draw(ENCODINGS)
    declaration = draw(
        st.sampled_from(
            ["", '<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>']
        )
    )
    doctype = draw(
        st.sampled_from(["", "", "", "<!DOCTYPE playlist>", '<!DOCTYPE p [<!ENTITY x "y">]>'])
    )
    root = draw(
        st.sampled_from(["playlist", "playlist", "playlist", "Playlist", "html", "x:playlist"])
    )
    depth = draw(st.sampled_from([0, 0, 1, 300]))
    nested = "<n>" * depth + "</n>" * depth
    body = (
        f'<{root} version="{draw(ODD_NUMBERS)}"{draw(_NAMESPACES)} '
        'xmlns:vlc="http://www.videolan.org/vlc/playlist/ns/0/">'
        f"<title>{draw(_TEXT)}</title>{nested}"
        f"<trackList>{draw(_tracks())}</trackList>"
        f"</{root}>"
    )
    text = declaration + doctype + body
    how = draw(st.sampled_from(["utf-8", "utf-16", "latin-1", "cut"]))
    if how == "utf-16":
        return text.encode("utf-16", "surrogatepass")
    if how == "latin-1":
        return text.encode("latin-1", "replace")
    data = utf8(text)
    return data[: draw(st.integers(0, len(data)))] if how == "cut" else data


@THOUSAND
@given(xspf_like())
def test_structured_but_wrong_xspf_gives_a_playlist_or_a_playlist_error(data: bytes) -> None:
    read_or_refused(lambda: load_xspf(data, BASE, "fallback"))


_REAL = dump_xspf("Mix", every_kind_of_item(54_000), BASE)


@posix_only
@THOUSAND
@given(damaged(_REAL))
def test_damaged_copies_of_a_real_playlist_read_or_are_refused(data: bytes) -> None:
    read_or_refused(lambda: load_xspf(data, BASE, "fallback"))
