"""The tag reader: every fixture format, round trips in each tag family, legacy ID3 text, and
the files a scanner meets that are not audio at all."""

from __future__ import annotations

import errno
import os
import random
import shutil
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mutagen.apev2 import APEv2
from mutagen.asf import ASF
from mutagen.flac import FLAC
from mutagen.id3 import (
    COMM,
    ID3,
    TALB,
    TCOM,
    TCON,
    TDRC,
    TIT2,
    TMOO,
    TPE1,
    TPE2,
    TPOS,
    TRCK,
    TXXX,
    UFID,
)
from mutagen.id3 import delete as delete_id3
from mutagen.mp4 import MP4, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from ostplayer.library import tagreader
from ostplayer.library.tagreader import (
    TagInfo,
    TagReadError,
    fix_legacy_text,
    parse_number,
    parse_year,
    read_tags,
)
from tests.conftest import huge_tag_file

DATA = Path(__file__).resolve().parents[1] / "data"

# file, label in the title, track number, codec
FIXTURES = [
    ("tone.ogg", "Ogg Vorbis", 1, "Vorbis"),
    ("tone.opus", "Ogg Opus", 2, "Opus"),
    ("tone.mp3", "MP3", 3, "MP3"),
    ("tone.flac", "FLAC", 4, "FLAC"),
    ("tone.wav", "WAV", 5, "PCM"),
    ("tone.aiff", "AIFF", 6, "PCM"),
    ("tone.m4a", "AAC", 7, "AAC"),
    ("tone-alac.m4a", "ALAC", 8, "ALAC"),
    ("tone.wma", "WMA", 9, "WMA"),
    ("tone.wv", "WavPack", 10, "WavPack"),
]


def copy_fixture(name: str, tmp_path: Path, as_name: str | None = None) -> Path:
    """Copy a fixture into ``tmp_path`` (tests never write the committed files)."""
    target = tmp_path / (as_name or name)
    shutil.copyfile(DATA / name, target)
    return target


@pytest.mark.parametrize(("name", "label", "number", "codec"), FIXTURES)
def test_reads_every_fixture_format(name: str, label: str, number: int, codec: str) -> None:
    info = read_tags(DATA / name)
    assert info.title == (f"Fixture Tone ({label})",)
    assert info.artist == ("Fixture Ensemble",)
    assert info.album == ("Fixtures",)
    assert info.track_number == number
    assert info.mood == ("calm",)
    # AAC and WMA count the encoder's priming samples (46 and 36 ms here).
    assert abs(info.duration_ms - 6000) <= 60
    assert info.codec == codec
    assert info.bitrate_kbps > 0


# --------------------------------------------------------------------------------------------
# Round trips: write every field in each family's native form with mutagen, read it back
# --------------------------------------------------------------------------------------------

TITLE = "初恋のささやき"
ARTISTS = ["첫사랑", "Fixture Ensemble", "첫사랑"]  # the duplicate must be dropped
COMPOSER = "久石 譲"
COMMENT = "Ep 3 — the rooftop confession"
MOODS = ["tender", "warm"]
RECORDING = "4f7f7b8c-1111-4e3a-9a1b-0123456789ab"
RELEASE = "9c2d0e4a-2222-4b5c-8d6e-ba9876543210"

EXPECTED = {
    "title": (TITLE,),
    "artist": ("첫사랑", "Fixture Ensemble"),
    "album": ("初恋 OST",),
    "album_artist": ("Various Artists",),
    "genre": ("Soundtrack", "Ambient"),
    "composer": (COMPOSER,),
    "comment": (COMMENT,),
    "mood": ("tender", "warm"),
    "track_number": 3,
    "disc_number": 2,
    "year": 2026,
    "musicbrainz_recording_id": RECORDING,
    "musicbrainz_release_id": RELEASE,
}


def write_id3(path: Path) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=TITLE))
    tags.add(TPE1(encoding=3, text=ARTISTS))
    tags.add(TALB(encoding=3, text="初恋 OST"))
    tags.add(TPE2(encoding=3, text="Various Artists"))
    tags.add(TCON(encoding=3, text=["Soundtrack", "Ambient"]))
    tags.add(TCOM(encoding=3, text=COMPOSER))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=COMMENT))
    tags.add(COMM(encoding=3, lang="eng", desc="iTunNORM", text=" 0000 0000"))  # not a comment
    tags.add(TMOO(encoding=3, text=MOODS))
    tags.add(TRCK(encoding=3, text="3/12"))
    tags.add(TPOS(encoding=3, text="2/2"))
    tags.add(TDRC(encoding=3, text="2026-03-14"))
    tags.add(UFID(owner="http://musicbrainz.org", data=RECORDING.encode()))
    tags.add(TXXX(encoding=3, desc="MusicBrainz Release Id", text=RELEASE))
    tags.save(path, v2_version=4)


def write_vorbis(path: Path) -> None:
    kind = {".ogg": OggVorbis, ".opus": OggOpus, ".flac": FLAC}[path.suffix]
    audio = kind(path)
    audio.tags.clear()
    audio["TITLE"] = [TITLE]
    audio["ARTIST"] = ARTISTS
    audio["ALBUM"] = ["初恋 OST"]
    audio["ALBUMARTIST"] = ["Various Artists"]
    audio["GENRE"] = ["Soundtrack", "Ambient"]
    audio["COMPOSER"] = [COMPOSER]
    audio["COMMENT"] = [COMMENT]
    audio["MOOD"] = ["tender; warm", "tender"]  # the "a; b" style is split, only for mood
    audio["TRACKNUMBER"] = ["03"]
    audio["DISCNUMBER"] = ["2 of 2"]
    audio["DATE"] = ["2026-03-14"]
    audio["MUSICBRAINZ_TRACKID"] = [RECORDING]
    audio["MUSICBRAINZ_ALBUMID"] = [RELEASE]
    audio.save()


def write_mp4(path: Path) -> None:
    audio = MP4(path)
    audio.tags.clear()
    audio["\xa9nam"] = [TITLE]
    audio["\xa9ART"] = ARTISTS
    audio["\xa9alb"] = ["初恋 OST"]
    audio["aART"] = ["Various Artists"]
    audio["\xa9gen"] = ["Soundtrack", "Ambient"]
    audio["\xa9wrt"] = [COMPOSER]
    audio["\xa9cmt"] = [COMMENT]
    audio["----:com.apple.iTunes:MOOD"] = [MP4FreeForm(m.encode()) for m in MOODS]
    audio["trkn"] = [(3, 12)]
    audio["disk"] = [(2, 2)]
    audio["\xa9day"] = ["2026-03-14"]
    audio["----:com.apple.iTunes:MusicBrainz Track Id"] = [MP4FreeForm(RECORDING.encode())]
    audio["----:com.apple.iTunes:MusicBrainz Album Id"] = [MP4FreeForm(RELEASE.encode())]
    audio.save()


def write_ape(path: Path) -> None:
    tags = APEv2()
    tags["Title"] = TITLE
    tags["Artist"] = "\0".join(ARTISTS)  # APEv2 keeps multiple values NUL-separated
    tags["Album"] = "初恋 OST"
    tags["Album Artist"] = "Various Artists"
    tags["Genre"] = "Soundtrack\0Ambient"
    tags["Composer"] = COMPOSER
    tags["Comment"] = COMMENT
    tags["Mood"] = "\0".join(MOODS)
    tags["Track"] = "3/12"
    tags["Disc"] = "2/2"
    tags["Year"] = "2026"
    tags["MUSICBRAINZ_TRACKID"] = RECORDING
    tags["MUSICBRAINZ_ALBUMID"] = RELEASE
    tags.save(path)


def write_asf(path: Path) -> None:
    audio = ASF(path)
    audio.tags.clear()
    audio["Title"] = [TITLE]
    audio["Author"] = ARTISTS
    audio["WM/AlbumTitle"] = ["初恋 OST"]
    audio["WM/AlbumArtist"] = ["Various Artists"]
    audio["WM/Genre"] = ["Soundtrack", "Ambient"]
    audio["WM/Composer"] = [COMPOSER]
    audio["Description"] = [COMMENT]
    audio["WM/Mood"] = MOODS
    audio["WM/TrackNumber"] = ["3"]
    audio["WM/PartOfSet"] = ["2/2"]
    audio["WM/Year"] = ["2026"]
    audio["MusicBrainz/Track Id"] = [RECORDING]
    audio["MusicBrainz/Album Id"] = [RELEASE]
    audio.save()


def write_chunk_id3(path: Path) -> None:
    # WAV and AIFF keep ID3 in a chunk: write through the container so the chunk is right.
    from mutagen import File

    audio = File(path)
    write_id3(path.with_suffix(".id3tmp"))
    audio.tags.clear()
    for frame in ID3(path.with_suffix(".id3tmp")).values():
        audio.tags.add(frame)
    audio.save(v2_version=4)


WRITERS: dict[str, Callable[[Path], None]] = {
    "tone.mp3": write_id3,
    "tone.wav": write_chunk_id3,
    "tone.aiff": write_chunk_id3,
    "tone.ogg": write_vorbis,
    "tone.opus": write_vorbis,
    "tone.flac": write_vorbis,
    "tone.m4a": write_mp4,
    "tone-alac.m4a": write_mp4,
    "tone.wv": write_ape,
    "tone.wma": write_asf,
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_round_trip_every_field(name: str, tmp_path: Path) -> None:
    path = copy_fixture(name, tmp_path)
    WRITERS[name](path)
    info = read_tags(path)
    got = {field: getattr(info, field) for field in EXPECTED}
    assert got == EXPECTED
    assert info.duration_ms > 5900
    # A scan's short way to the same values (no TagInfo between), multiple values and all,
    # with the size and time of the file it read.
    st = path.stat()
    assert tagreader.read_for_scan(path) == (info.track_values(), st.st_size, st.st_mtime_ns)


def test_round_trip_id3v23_keeps_multiple_values(tmp_path: Path) -> None:
    # ID3v2.3 has no multi-value frames; mutagen joins with "/" on save and we keep that text.
    path = copy_fixture("tone.mp3", tmp_path)
    write_id3(path)
    tags = ID3(path)
    tags.save(path, v2_version=3, v23_sep="\0")  # what Picard and foobar2000 write
    info = read_tags(path)
    assert info.artist == ("첫사랑", "Fixture Ensemble")
    assert info.year == 2026
    assert info.mood == ("tender", "warm")


def test_to_track(tmp_path: Path) -> None:
    path = copy_fixture("tone.flac", tmp_path)
    write_vorbis(path)
    track = read_tags(path).to_track(path)
    assert track.path == path
    assert track.id == 0
    assert track.title == TITLE
    assert track.artist == "첫사랑; Fixture Ensemble"
    assert track.album == "初恋 OST"
    assert track.album_artist == "Various Artists"
    assert track.genre == "Soundtrack; Ambient"
    assert track.moods == ("tender", "warm")
    assert (track.track_number, track.disc_number, track.year) == (3, 2, 2026)
    assert track.composer == COMPOSER
    assert track.comment == COMMENT
    assert track.musicbrainz_recording_id == RECORDING
    assert track.musicbrainz_release_id == RELEASE
    assert track.codec == "FLAC"
    assert track.bitrate_kbps > 0
    assert abs(track.duration_ms - 6000) <= 60


def test_to_track_of_empty_tags_is_blank() -> None:
    track = TagInfo().to_track(Path("x.mp3"))
    assert (track.title, track.artist, track.album, track.moods) == ("", "", "", ())
    assert track.display_title == "x"


# --------------------------------------------------------------------------------------------
# Legacy-encoded ID3 text
# --------------------------------------------------------------------------------------------


def _as_latin1(text: str, codec: str) -> str:
    """What mutagen hands us for ``text`` stored in ``codec`` in a latin-1 frame."""
    return text.encode(codec).decode("latin-1")


def test_legacy_id3v23_frames_are_redecoded(tmp_path: Path) -> None:
    path = copy_fixture("tone.mp3", tmp_path)
    tags = ID3()
    # encoding=0 is latin-1: mutagen writes these code points back as the original bytes.
    tags.add(TIT2(encoding=0, text=_as_latin1("初恋のささやき", "shift_jis")))
    tags.add(TPE1(encoding=0, text=_as_latin1("Кино", "cp1251")))
    tags.add(TALB(encoding=0, text="Café del Mar"))
    tags.add(TCOM(encoding=0, text=_as_latin1("첫사랑", "euc_kr")))
    tags.add(COMM(encoding=0, lang="eng", desc="", text=_as_latin1("月亮代表我的心", "gbk")))
    tags.add(TCON(encoding=0, text=_as_latin1("サウンドトラック", "utf-8")))
    tags.save(path, v2_version=3)
    assert ID3(path).version == (2, 3, 0)
    info = read_tags(path)
    assert info.title == ("初恋のささやき",)
    assert info.artist == ("Кино",)
    assert info.album == ("Café del Mar",)
    assert info.composer == ("첫사랑",)
    assert info.comment == ("月亮代表我的心",)
    assert info.genre == ("サウンドトラック",)


def test_id3v1_only_file(tmp_path: Path) -> None:
    path = copy_fixture("tone.mp3", tmp_path)
    delete_id3(path)  # drops the ID3v2 tag; what is left is bare MPEG frames

    def field(text: str, codec: str, size: int = 30) -> bytes:
        return text.encode(codec).ljust(size, b"\0")

    tag = (
        b"TAG"
        + field("恋の歌", "shift_jis")
        + field("Ария", "cp1251")
        + field("Café", "latin-1")
        + b"1999"
        + field("old tagger", "ascii", 28)
        + b"\0"
        + bytes([7])  # ID3v1.1: zero byte, then the track number
        + bytes([24])  # genre 24 is Soundtrack
    )
    assert len(tag) == 128
    with path.open("ab") as out:
        out.write(tag)
    info = read_tags(path)
    assert info.title == ("恋の歌",)
    assert info.artist == ("Ария",)
    assert info.album == ("Café",)
    assert info.year == 1999
    assert info.track_number == 7
    assert info.genre == ("Soundtrack",)
    assert info.comment == ("old tagger",)
    assert info.codec == "MP3"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("初恋のささやき", "shift_jis"),
        ("東京", "cp932"),
        ("첫사랑", "euc_kr"),
        ("我爱你", "gbk"),
        ("月亮代表我的心", "big5"),
        ("Привет мир", "cp1251"),
        ("Любовь", "cp1251"),
        ("Ünïcödé", "utf-8"),
        ("初恋", "utf-8"),
    ],
)
def test_fix_legacy_text_recovers(text: str, codec: str) -> None:
    assert fix_legacy_text(_as_latin1(text, codec)) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Plain ASCII (Remastered) 2/12",
        "Café",
        "Crème brûlée",
        "créée",
        "Beyoncé",
        "Ñandú",
        "Mötley Crüe",
        "Sigur Rós – Ágætis byrjun",
        "Ærøskøbing",
        "Björk",
        "© 1999 ½",
    ],
)
def test_fix_legacy_text_keeps_western_text(text: str) -> None:
    assert fix_legacy_text(text) == text


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), ("03", 3), ("3/12", 3), ("3 of 12", 3), (" 7 ", 7), ("0", None), ("A1", None),
     ("", None), ("99999999999999999999", None)],
)  # fmt: skip
def test_parse_number(text: str, number: int | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("text", "year"),
    [("2026", 2026), ("2026-03-14", 2026), ("2026-03-14T12:00:00", 2026), ("14.03.2026", 2026),
     ("'99", None), ("", None)],
)  # fmt: skip
def test_parse_year(text: str, year: int | None) -> None:
    assert parse_year(text) == year


# --------------------------------------------------------------------------------------------
# Paths and extensions
# --------------------------------------------------------------------------------------------


def test_wrong_extension_is_still_read(tmp_path: Path) -> None:
    mp3_as_ogg = read_tags(copy_fixture("tone.mp3", tmp_path, "really-mp3.ogg"))
    assert (mp3_as_ogg.codec, mp3_as_ogg.title) == ("MP3", ("Fixture Tone (MP3)",))
    # mutagen.File gives up here (the .mp3 suffix wins its scoring, then MP3 fails).
    flac_as_mp3 = read_tags(copy_fixture("tone.flac", tmp_path, "really-flac.mp3"))
    assert (flac_as_mp3.codec, flac_as_mp3.title) == ("FLAC", ("Fixture Tone (FLAC)",))
    no_suffix = read_tags(copy_fixture("tone.opus", tmp_path, "no-suffix"))
    assert no_suffix.codec == "Opus"


def test_upper_case_extension(tmp_path: Path) -> None:
    assert read_tags(copy_fixture("tone.wv", tmp_path, "TONE.WV")).codec == "WavPack"


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9 \x93\x8c.mp3")  # latin-1 and Shift-JIS bytes, not UTF-8
    path = tmp_path / name
    try:
        shutil.copyfile(DATA / "tone.mp3", path)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take file names that are not UTF-8")
    assert read_tags(path).title == ("Fixture Tone (MP3)",)


# --------------------------------------------------------------------------------------------
# Files that cannot be read
# --------------------------------------------------------------------------------------------


def _reason(path: Path) -> str:
    with pytest.raises(TagReadError) as caught:
        read_tags(path)
    assert str(caught.value)  # there is always a message for people
    return caught.value.reason


def test_zero_length_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp3"
    path.touch()
    assert _reason(path) == "empty"


@pytest.mark.parametrize("name", [f[0] for f in FIXTURES])
def test_truncated_file(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes((DATA / name).read_bytes()[:100])
    assert _reason(path) == "corrupt"


@pytest.mark.parametrize("suffix", [".mp3", ".flac", ".ogg", ".m4a", ".wma", ".ape", ".wv"])
def test_random_bytes_with_an_audio_extension(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(random.Random(suffix).randbytes(4096))
    assert _reason(path) == "corrupt"


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not audio\n" * 50)
    assert _reason(path) == "unsupported"


def test_directory_is_unsupported(tmp_path: Path) -> None:
    folder = tmp_path / "album.flac"
    folder.mkdir()
    assert _reason(folder) == "unsupported"


def test_fifo_is_unsupported_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mp3"
    os.mkfifo(fifo)
    assert _reason(fifo) == "unsupported"  # opening it would block this test forever


def test_vanished_file(tmp_path: Path) -> None:
    assert _reason(tmp_path / "gone.mp3") == "vanished"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_fixture("tone.mp3", tmp_path)
    path.chmod(0)
    try:
        if os.geteuid() == 0:
            # root reads a chmod 000 file anyway, so simulate the PermissionError open() gives.
            real_open = os.open

            def deny(file: object, *args: Any, **kwargs: Any) -> int:
                if os.fsdecode(file) == str(path):  # type: ignore[call-overload]
                    raise PermissionError(errno.EACCES, "Permission denied", str(file))
                return real_open(file, *args, **kwargs)  # type: ignore[arg-type]

            monkeypatch.setattr(os, "open", deny)
        assert _reason(path) == "permission"
    finally:
        path.chmod(0o644)


def _failing_format(exc: BaseException) -> type:
    class Failing:
        def __init__(self, fileobj: object) -> None:
            raise exc

    return Failing


@pytest.mark.parametrize(
    "exc",
    [struct.error("unpack requires a buffer"), OverflowError("too big"), IndexError("x"),
     ValueError("x"), KeyError("x"), RecursionError("x"), MemoryError(), OSError("read too short")],
)  # fmt: skip
def test_any_parser_exception_is_corrupt(
    exc: BaseException, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hostile.boom"
    path.write_bytes(b"\0" * 64)
    monkeypatch.setitem(tagreader._by_suffix(), ".boom", _failing_format(exc))
    monkeypatch.setattr(tagreader, "_probe_options", lambda: ())
    assert _reason(path) == "corrupt"


@pytest.mark.parametrize("under_process_limits", [False, True])
def test_a_length_field_no_tag_needs_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, under_process_limits: bool
) -> None:
    # mutagen would read and copy all 256 MB of it. The read limit refuses it without reading,
    # in a scan's worker too: the pool's memory limit is for what small files can do.
    monkeypatch.setattr(tagreader, "_process_limited", under_process_limits)
    with pytest.raises(TagReadError, match="claims to be 256 MB") as caught:
        tagreader.read_for_scan(os.fsencode(huge_tag_file(tmp_path)))
    assert caught.value.reason == "corrupt"


def test_a_tag_read_that_never_ends_is_stopped_by_the_read_count(tmp_path: Path) -> None:
    # An MP4 whose movie atom holds more empty atoms than any file has: mutagen reads each
    # one's header, one read at a time (a second or so of reads, with the real limit).
    count = tagreader.MAX_READS + 10_000
    path = tmp_path / "endless.m4a"
    path.write_bytes(
        struct.pack(">I4s4sI4s", 20, b"ftyp", b"M4A ", 0, b"M4A ")
        + struct.pack(">I4s", 8 + 8 * count, b"moov")
        + struct.pack(">I4s", 8, b"free") * count
    )
    with pytest.raises(TagReadError, match="never ends") as caught:
        read_tags(path)
    assert caught.value.reason == "corrupt"


def test_a_read_no_machine_could_hold_is_the_files_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A length field of 2^40 bytes: the read's buffer cannot even be made.
    path = tmp_path / "bomb.boom"
    path.write_bytes(b"\0" * 64)
    monkeypatch.setitem(tagreader._by_suffix(), ".boom", _failing_format(MemoryError()))
    monkeypatch.setattr(tagreader, "_probe_options", lambda: ())
    with pytest.raises(TagReadError, match="more memory than any tag needs") as caught:
        read_tags(path)
    assert caught.value.reason == "corrupt"


def test_disk_error_is_io_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bad-sector.boom"
    path.write_bytes(b"\0" * 64)
    failing = _failing_format(OSError(errno.EIO, "Input/output error"))
    monkeypatch.setitem(tagreader._by_suffix(), ".boom", failing)
    monkeypatch.setattr(tagreader, "_probe_options", lambda: ())
    assert _reason(path) == "io-error"


def test_single_values_are_cleaned_as_lists_are(tmp_path: Path) -> None:
    # One value per field is the common case and takes a shorter path: it must clean alike.
    path = tmp_path / "one.flac"
    shutil.copy(DATA / "tone.flac", path)
    audio = FLAC(path)
    audio.tags.clear()
    audio["TITLE"] = ["  Shadows of Doubt\x00 "]
    audio["ARTIST"] = ["   "]
    audio["ALBUM"] = ["i Hometown Embrace OST"]
    audio["MOOD"] = ["tense; hopeful ;"]
    audio["GENRE"] = ["Soundtrack;Score"]  # only moods are split
    audio.save()
    info = read_tags(path)
    assert info.title == ("Shadows of Doubt",)
    assert info.artist == ()
    assert info.album == ("i Hometown Embrace OST",)
    assert info.mood == ("tense", "hopeful")
    assert info.genre == ("Soundtrack;Score",)
    # A path as a scan hands it over (raw bytes) reads the same.
    assert read_tags(os.fsencode(path)) == info
