"""M3U8 playlists: the exact lines written, round trips (file names that are not UTF-8
included), relative paths, and the M3U files other players and people write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ostplayer.formats.m3u8 import dump_m3u8, load_m3u8
from ostplayer.formats.playlist_file import PlaylistFileError, PlaylistItem, PlaylistRead
from tests.formats.hostile import ANY_TEXT, ODD_NUMBERS, THOUSAND, utf8
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


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_network(monkeypatch)


def round_trip(items: list[PlaylistItem], base: Path = BASE) -> PlaylistRead:
    return load_m3u8(dump_m3u8("Mix", items, base), base, "fallback")


def test_the_lines_written() -> None:
    items = [
        PlaylistItem(
            BASE.parent / "Hometown Embrace" / "01 First Love’s Whisper.flac",
            title="First Love’s Whisper",
            artist="Demo Ensemble",
            album="Hometown Embrace (OST)",
            duration_ms=54_400,
        ),
        PlaylistItem(
            BASE / "rain.ogg", title="Rain", duration_ms=0, start_ms=12_500, end_ms=31_000
        ),
        PlaylistItem(BASE / "sub" / "bare.mp3"),
    ]
    data = dump_m3u8("Road\ntrip", items, BASE)
    assert data.decode("utf-8").split("\n") == [
        "#EXTM3U",
        "#PLAYLIST:Road trip",
        "#EXTINF:54,Demo Ensemble - First Love’s Whisper",
        "#EXTALB:Hometown Embrace (OST)",
        "../Hometown Embrace/01 First Love’s Whisper.flac",
        "#EXTINF:-1,Rain",
        "#EXTVLCOPT:start-time=12.500",
        "#EXTVLCOPT:stop-time=31.000",
        "rain.ogg",
        "#EXTINF:-1,",
        "sub/bare.mp3",
        "",
    ]


@posix_only
def test_round_trip_keeps_everything() -> None:
    check_round_trip(dump_m3u8, load_m3u8, duration_ms=54_000)


@posix_only
def test_a_name_that_is_not_utf8_becomes_a_file_uri() -> None:
    # Raw bytes would make the file invalid UTF-8, and VLC drops such a line.
    data = dump_m3u8("", [PlaylistItem(Path(os.fsdecode(b"/music/Playlists/caf\xe9.mp3")))], BASE)
    data.decode("utf-8")
    assert data.splitlines()[-1] == b"file:///music/Playlists/caf%E9.mp3"


def test_durations_are_whole_seconds_and_minus_one_when_unknown() -> None:
    items = [
        PlaylistItem(BASE / "a.ogg", duration_ms=400),
        PlaylistItem(BASE / "b.ogg", duration_ms=1_499),
        PlaylistItem(BASE / "c.ogg", duration_ms=1_500),
        PlaylistItem(BASE / "d.ogg", duration_ms=0),
    ]
    lines = dump_m3u8("", items, BASE).decode().splitlines()
    assert [line for line in lines if line.startswith("#EXTINF")] == [
        "#EXTINF:1,",
        "#EXTINF:1,",
        "#EXTINF:2,",
        "#EXTINF:-1,",
    ]
    assert [item.duration_ms for item in load_m3u8("\n".join(lines).encode(), BASE, "").items] == [
        1_000,
        1_000,
        2_000,
        0,
    ]


def test_paths_are_relative_under_and_beside_the_playlist_folder() -> None:
    home = Path("/home/mina")
    items = [
        PlaylistItem(home / "Playlists" / "a.ogg"),
        PlaylistItem(home / "Playlists" / "deep" / "er" / "b.ogg"),
        PlaylistItem(home / "Music" / "OST" / "c.ogg"),
        PlaylistItem(home / "d.ogg"),
    ]
    lines = dump_m3u8("", items, home / "Playlists").decode().splitlines()
    assert lines[2::2] == ["a.ogg", "deep/er/b.ogg", "../Music/OST/c.ogg", "../d.ogg"]
    read = load_m3u8("\n".join(lines).encode(), home / "Playlists", "")
    assert [item.path for item in read.items] == [item.path for item in items]


@posix_only
def test_paths_are_absolute_when_only_the_root_is_shared() -> None:
    items = [PlaylistItem(Path("/mnt/usb/OST/a.ogg")), PlaylistItem(Path("/b.ogg"))]
    lines = dump_m3u8("", items, Path("/home/mina/Playlists")).decode().splitlines()
    assert lines[2::2] == ["/mnt/usb/OST/a.ogg", "/b.ogg"]


@pytest.mark.parametrize(
    "name",
    [
        "100%41 percent.ogg",  # VLC decodes %41 even in a plain path
        "#1 hit.ogg",  # a comment line
        " leading space.ogg",
        "trailing space.ogg ",
        "line\nbreak.ogg",
        "carriage\rreturn.ogg",
    ],
)
def test_names_a_plain_line_cannot_carry_become_file_uris(name: str) -> None:
    item = PlaylistItem(BASE / name, title="T")
    data = dump_m3u8("", [item], BASE)
    assert data.splitlines()[-1].startswith(b"file:///")
    assert load_m3u8(data, BASE, "").items == (item,)


def test_plain_names_with_odd_characters_stay_plain() -> None:
    names = ["50% off.ogg", "Track: Intro.ogg", "a,b - c.ogg", "Ünïcödé ♪.ogg", "?.ogg"]
    items = [PlaylistItem(BASE / name) for name in names]
    data = dump_m3u8("", items, BASE)
    assert data.decode().splitlines()[2::2] == names
    assert load_m3u8(data, BASE, "").items == tuple(items)


def test_reads_what_people_and_other_players_write() -> None:
    data = (
        "\ufeff#EXTM3U\r\n"
        "# a comment\r\n"
        "\r\n"
        "#PLAYLIST: Rainy day \r\n"
        '#EXTINF:123.5 tvg-id="a,b" tvg-name="x",Artist - Song - Live\r\n'
        "#EXTGENRE:Soundtrack\r\n"
        "   \r\n"
        "Album/01 Song.mp3\r\n"
        "#EXTINF:-1,Just a title\r\n"
        "#extvlcopt:START-TIME=2.5\r\n"
        "#EXTVLCOPT:network-caching=1000\r\n"
        "#EXTVLCOPT:stop-time=nonsense\r\n"
        "../Other/02.flac\r\n"
        "/srv/music/03.ogg\r\n"
        "file:///srv/music/with%20space%20%E2%99%AA.ogg\r\n"
        "FILE://localhost/srv/music/05.ogg\r\n"
        "#EXTINF:7\r\n"
        "./sub/../06.wav\r\n"
        "#EXTINF:garbage\r\n"
        "07.wav"
    ).encode()
    read = load_m3u8(data, Path("/home/mina/Playlists"), "fallback")
    assert read.name == "Rainy day"
    assert read.skipped == ()
    assert read.items == (
        PlaylistItem(
            Path("/home/mina/Playlists/Album/01 Song.mp3"),
            title="Song - Live",
            artist="Artist",
            duration_ms=123_500,
        ),
        PlaylistItem(Path("/home/mina/Other/02.flac"), title="Just a title", start_ms=2_500),
        PlaylistItem(Path("/srv/music/03.ogg")),
        PlaylistItem(Path("/srv/music/with space ♪.ogg")),
        PlaylistItem(Path("/srv/music/05.ogg")),
        PlaylistItem(Path("/home/mina/Playlists/06.wav"), duration_ms=7_000),
        PlaylistItem(Path("/home/mina/Playlists/07.wav"), title="garbage"),
    )


def test_a_plain_list_without_header_gets_the_fallback_name() -> None:
    read = load_m3u8(b"a.mp3\nb.mp3\n", BASE, "Stem")
    assert read.name == "Stem"
    assert [item.path.name for item in read.items] == ["a.mp3", "b.mp3"]


@posix_only
def test_lines_that_are_not_utf8() -> None:
    # A Windows-made .m3u: titles in Windows-1252, names as raw bytes.
    data = b"#EXTM3U\n#EXTINF:5,Zo\xeb - Caf\xe9 \x93live\x94\ncaf\xe9.mp3\n"
    (item,) = load_m3u8(data, BASE, "").items
    assert (item.artist, item.title) == ("Zoë", "Café “live”")
    assert item.path == BASE / os.fsdecode(b"caf\xe9.mp3")
    assert os.fsencode(item.path).endswith(b"/caf\xe9.mp3")


@posix_only
def test_a_windows_1252_name_finds_the_utf8_file_that_exists(tmp_path: Path) -> None:
    (tmp_path / "café.mp3").write_bytes(b"")
    (item,) = load_m3u8(b"caf\xe9.mp3\n", tmp_path, "").items
    assert item.path == tmp_path / "café.mp3"


def test_urls_and_nul_bytes_are_skipped_with_a_reason() -> None:
    data = (
        b"#EXTM3U\n"
        b"#EXTINF:100,Radio\n"
        b"http://radio.example/stream.mp3\n"
        b"HTTPS://example.org/a.ogg\n"
        b"ftp://example.org/b.ogg\n"
        b"rtsp://example.org/c\n"
        b"smb://nas/music/d.ogg\n"
        b"file://nas/music/e.ogg\n"
        b"file:///music/f%00.ogg\n"
        b"bad\x00name.ogg\n"
        b"http://[::1/broken\n"
        b"kept.ogg\n"
    )
    read = load_m3u8(data, BASE, "")
    assert [item.path for item in read.items] == [BASE / "kept.ogg"]
    locations = [location for location, _ in read.skipped]
    assert locations == [
        "http://radio.example/stream.mp3",
        "HTTPS://example.org/a.ogg",
        "ftp://example.org/b.ogg",
        "rtsp://example.org/c",
        "smb://nas/music/d.ogg",
        "file://nas/music/e.ogg",
        "file:///music/f%00.ogg",
        "bad\0name.ogg",
        "http://[::1/broken",
    ]
    reasons = [reason for _, reason in read.skipped]
    assert reasons[0] == "a web address: only files on this computer can be added"
    assert reasons[4] == "not a file on this computer (smb:)"
    assert reasons[5] == "a file on another computer (nas)"
    assert reasons[6] == reasons[7] == "the file name holds a NUL byte"
    assert reasons[8] == "not a file name or an address that can be read"


def test_a_utf16_file_is_read() -> None:
    read = load_m3u8("#EXTM3U\r\n#EXTINF:3,Åsa - Låt\r\nlåt.mp3\r\n".encode("utf-16"), BASE, "")
    assert read.items == (PlaylistItem(BASE / "låt.mp3", "Låt", "Åsa", duration_ms=3_000),)


def test_a_binary_file_is_refused() -> None:
    audio = (Path(__file__).parent.parent / "data" / "tone.ogg").read_bytes()
    with pytest.raises(PlaylistFileError, match="not text"):
        load_m3u8(audio, BASE, "")
    with pytest.raises(PlaylistFileError, match="UTF-16"):
        load_m3u8(b"\xff\xfe\x00\xd8", BASE, "")


def test_titles_split_at_the_first_dash_like_vlc() -> None:
    data = b"#EXTINF:1,A - B - C\na.ogg\n#EXTINF:1,A - \nb.ogg\n#EXTINF:1,A-B\nc.ogg\n"
    read = load_m3u8(data, BASE, "")
    assert [(i.artist, i.title) for i in read.items] == [("A", "B - C"), ("A", ""), ("", "A-B")]


@posix_only
@THOUSAND
@given(names=st.lists(FILE_NAMES, min_size=1, max_size=5), title=WORDS, artist=WORDS)
def test_any_file_name_and_title_round_trip(names: list[bytes], title: str, artist: str) -> None:
    # Only the "artist - title" split can lose information; VLC reads it the same way.
    assume(" - " not in f" {artist} " and (artist or " - " not in title))
    assume(not artist.endswith(" -") and not title.startswith("- "))
    items = [
        PlaylistItem(Path(os.fsdecode(b"/music/Playlists/" + name)), title, artist)
        for name in names
    ]
    data = dump_m3u8("Mix", items, BASE)
    data.decode("utf-8")  # always valid UTF-8, whatever the names
    assert load_m3u8(data, BASE, "").items == tuple(items)


@THOUSAND
@given(
    data=st.binary(max_size=300)
    | st.lists(
        st.tuples(
            st.sampled_from(["", "#EXTINF:", "#EXTVLCOPT:start-time=", "#PLAYLIST:", "#EXTALB:"]),
            LOCATION_LIKE,
        ).map("".join),
        max_size=6,
    ).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))
)
def test_any_bytes_give_a_playlist_or_a_playlist_error(data: bytes) -> None:
    read_or_refused(lambda: load_m3u8(data, BASE, "x"))


# --- hostile input: structured but wrong, and damaged copies of real playlists ----------------

_DIRECTIVE_LINES = st.one_of(
    st.tuples(
        st.sampled_from(["#EXTINF:", "#extinf:", "#EXTINF: ", "#EXTINF"]),
        ODD_NUMBERS,
        st.sampled_from([",", "", ' tvg-id="a,b",', ' x="', ",,", " - "]),
        ANY_TEXT,
    ).map("".join),
    st.tuples(
        st.sampled_from(["#EXTVLCOPT:", "#extvlcopt:", "#EXTVLCOPT: "]),
        st.sampled_from(["start-time=", "stop-time=", "STOP-TIME = ", "start-time", "x="]),
        ODD_NUMBERS,
    ).map("".join),
    st.tuples(
        st.sampled_from(["#PLAYLIST:", "#EXTALB:", "#EXTM3U", "#", "#EXTGENRE:"]), ANY_TEXT
    ).map("".join),
)
_M3U_LINES = _DIRECTIVE_LINES | LOCATION_LIKE | ANY_TEXT | st.just("")


@THOUSAND
@given(
    st.sampled_from([b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf"]),
    st.lists(_M3U_LINES, max_size=10),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\x0b", "\u2028"]),
    st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be"]),
)
def test_structured_but_wrong_m3u_gives_a_playlist_or_a_playlist_error(
    bom: bytes, lines: list[str], newline: str, encoding: str
) -> None:
    text = newline.join(lines)
    data = bom + utf8(text) if encoding == "utf-8" else text.encode(encoding, "surrogatepass")
    read_or_refused(lambda: load_m3u8(data, BASE, "fallback"))


_REAL = dump_m3u8("Mix", every_kind_of_item(54_000), BASE)


@posix_only
@THOUSAND
@given(damaged(_REAL))
def test_damaged_copies_of_a_real_playlist_read_what_is_left_or_are_refused(data: bytes) -> None:
    read = read_or_refused(lambda: load_m3u8(data, BASE, "fallback"))
    if read is not None:
        assert len(read.items) + len(read.skipped) <= len(data.splitlines())
