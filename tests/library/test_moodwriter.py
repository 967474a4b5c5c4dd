"""The mood writer: moods into every fixture format's own field, read back by the tag reader,
and every way a write can fail leaving the file byte for byte as it was.

Every test writes to copies in a temp folder; the committed fixtures are never touched.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen.apev2 import APEv2
from mutagen.asf import ASF
from mutagen.id3 import ID3, TMOO, TXXX, ID3v1SaveOptions
from mutagen.mp4 import MP4, MP4FreeForm

from ostplayer.library import moodwriter
from ostplayer.library.moodwriter import (
    TEMP_MARKER,
    MoodWriteError,
    WriteReport,
    file_moods,
    needs_write,
    write_many,
    write_moods,
)
from ostplayer.library.tagreader import TagInfo, TagReadError, read_tags
from tests.library.test_corpus import CORPUS
from tests.library.test_tagreader import FIXTURES, copy_fixture

NAMES = [name for name, *_ in FIXTURES]
ID3_NAMES = ["tone.mp3", "tone.wav", "tone.aiff"]
MOODS = ["tender", "warm"]
AS_ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.fixture
def music(tmp_path: Path) -> Path:
    """A folder of the test's own for the copies: the suite's data dir is in ``tmp_path`` too."""
    folder = tmp_path / "music"
    folder.mkdir()
    return folder


def files_in(folder: Path) -> list[str]:
    """Every name in ``folder``: a write must leave no temp file behind."""
    return sorted(p.name for p in folder.iterdir())


def kept_fields(info: TagInfo) -> tuple[object, ...]:
    return (info.title, info.artist, info.album, info.track_number, info.duration_ms, info.codec)


def raw_moods(path: Path) -> list[str]:
    """The moods as stored in the format's own field, read with mutagen, not the tag reader."""
    audio = mutagen.File(path)
    tags = audio.tags
    if tags is None:
        return []
    if isinstance(tags, ID3):
        return [text for frame in tags.getall("TMOO") for text in frame.text]
    if isinstance(audio, MP4):
        return [bytes(v).decode() for v in tags.get("----:com.apple.iTunes:MOOD", [])]
    if isinstance(tags, APEv2):
        return list(tags["Mood"]) if "Mood" in tags else []
    if isinstance(audio, ASF):
        return [attr.value for key, attr in tags if key == "WM/Mood"]
    return [value for key, value in tags if key == "MOOD"]  # Vorbis comments, as written


# --------------------------------------------------------------------------------------------
# Every fixture format
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_writes_every_fixture_format(name: str, music: Path) -> None:
    path = copy_fixture(name, music)
    before = read_tags(path)
    assert before.mood == ("calm",)

    write_moods(path, MOODS)

    after = read_tags(path)
    assert after.mood == ("tender", "warm")
    assert kept_fields(after) == kept_fields(before)
    assert file_moods(path) == ("tender", "warm")
    # Several values in the format's own field, not one "tender; warm" text.
    assert raw_moods(path) == MOODS
    assert files_in(music) == [name]


@pytest.mark.parametrize("name", NAMES)
def test_empty_list_removes_the_mood(name: str, music: Path) -> None:
    path = copy_fixture(name, music)
    before = read_tags(path)

    write_moods(path, [])

    after = read_tags(path)
    assert after.mood == ()
    assert raw_moods(path) == []
    assert kept_fields(after) == kept_fields(before)


MOOD_KEYS = {"tmoo", "txxx:mood", "mood", "----:com.apple.itunes:mood", "wm/mood"}


def other_tags(path: Path) -> list[tuple[str, str]]:
    """Every tag but the mood, as mutagen sees it, and the stream's description."""
    audio = mutagen.File(path)
    items = sorted((str(k), repr(v)) for k, v in audio.tags.items() if k.lower() not in MOOD_KEYS)
    return [*items, ("info", audio.info.pprint())]


@pytest.mark.parametrize("name", NAMES)
def test_every_other_tag_is_kept(name: str, music: Path) -> None:
    path = copy_fixture(name, music)
    before = other_tags(path)
    write_moods(path, ["tender", "warm", "nostalgic"])
    assert other_tags(path) == before


def decoded_md5(path: Path) -> str:
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a", "-f", "md5", "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout.strip()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg to decode the audio")
@pytest.mark.parametrize("name", NAMES)
def test_audio_is_unchanged(name: str, music: Path) -> None:
    # Ogg pages are renumbered when the comment packet grows, so compare the decoded audio.
    path = copy_fixture(name, music)
    before = decoded_md5(path)
    write_moods(path, MOODS)
    assert decoded_md5(path) == before


def test_moods_are_cleaned_as_the_reader_cleans_them(music: Path) -> None:
    path = copy_fixture("tone.flac", music)
    write_moods(path, [" warm ", "", "warm", "bitter; sweet"])
    assert file_moods(path) == ("warm", "bitter", "sweet")
    assert raw_moods(path) == ["warm", "bitter", "sweet"]


def test_a_string_is_not_a_list_of_moods(music: Path) -> None:
    path = copy_fixture("tone.flac", music)
    with pytest.raises(TypeError):
        write_moods(path, "calm")


def test_keeps_the_permissions(music: Path) -> None:
    path = copy_fixture("tone.ogg", music)
    path.chmod(0o640)
    write_moods(path, MOODS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


# --------------------------------------------------------------------------------------------
# needs_write
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moods", "expected"),
    [
        (["calm"], False),
        ([" calm "], False),  # compared once stripped
        (["calm", "warm"], True),
        ([], True),
        (["Calm"], True),
    ],
)
def test_needs_write(moods: list[str], expected: bool, music: Path) -> None:
    path = copy_fixture("tone.mp3", music)
    assert needs_write(path, moods) is expected


def test_needs_write_is_false_once_written_and_order_counts(music: Path) -> None:
    path = copy_fixture("tone.wma", music)
    write_moods(path, MOODS)
    assert not needs_write(path, MOODS)
    assert needs_write(path, ["warm", "tender"])


# --------------------------------------------------------------------------------------------
# ID3: no tag yet, v2.3 tags, and every field the reader takes moods from
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ID3_NAMES)
def test_creates_an_id3_tag_when_the_file_has_none(name: str, music: Path) -> None:
    path = copy_fixture(name, music)
    duration = read_tags(path).duration_ms
    mutagen.File(path).delete()  # MP3: the ID3 tag; WAV and AIFF: their ID3 chunk
    assert mutagen.File(path).tags is None
    assert file_moods(path) == ()

    write_moods(path, MOODS)

    info = read_tags(path)
    assert info.mood == ("tender", "warm")
    assert info.duration_ms == duration
    assert mutagen.File(path).tags.version == (2, 4, 0)


def test_no_tag_and_no_moods_adds_no_tag(music: Path) -> None:
    path = copy_fixture("tone.mp3", music)
    mutagen.File(path).delete()
    write_moods(path, [])
    assert mutagen.File(path).tags is None


def save_as_id3v23(path: Path, *, stray_tmoo: bool) -> None:
    tags = ID3(path)
    tags.update_to_v23()
    if stray_tmoo:  # some taggers write the v2.4 frame into v2.3 tags anyway
        tags.add(TMOO(encoding=1, text=["calm"]))
    else:
        tags.add(TXXX(encoding=1, desc="MOOD", text=["calm"]))
    tags.save(path, v2_version=3, v23_sep=None)


@pytest.mark.parametrize("stray_tmoo", [False, True])
def test_id3v23_tag_stays_v23(stray_tmoo: bool, music: Path) -> None:
    path = copy_fixture("tone.mp3", music)
    save_as_id3v23(path, stray_tmoo=stray_tmoo)
    before = read_tags(path)
    assert before.mood == ("calm",)

    write_moods(path, MOODS)

    tags = ID3(path, translate=False)
    assert tags.version == (2, 3, 0)
    # v2.3 has no TMOO: the moods go into TXXX:MOOD, several NUL-separated values.
    assert "TMOO" not in tags
    assert tags["TXXX:MOOD"].text == MOODS
    after = read_tags(path)
    assert after.mood == ("tender", "warm")
    assert kept_fields(after) == kept_fields(before)
    assert after.year == before.year


def test_id3v1_tag_is_kept_byte_for_byte(music: Path) -> None:
    path = copy_fixture("tone.mp3", music)
    ID3(path).save(path, v1=ID3v1SaveOptions.CREATE)
    data = bytearray(path.read_bytes())
    # A comment only the ID3v1 tag has (v1.1: 28 bytes at 97, then a NUL and the track).
    data[-128 + 97 : -128 + 125] = b"v1 only comment".ljust(28, b"\0")
    path.write_bytes(bytes(data))
    v1 = data[-128:]
    before = read_tags(path)
    assert before.comment == ("v1 only comment",)

    write_moods(path, MOODS)

    assert path.read_bytes()[-128:] == v1
    assert read_tags(path).comment == ("v1 only comment",)
    # Not copied into the v2 tag either.
    assert not ID3(path, load_v1=False).getall("COMM")


def test_clears_every_id3_field_the_reader_takes_moods_from(music: Path) -> None:
    path = copy_fixture("tone.mp3", music)
    tags = ID3(path)
    tags.add(TXXX(encoding=3, desc="Mood ", text=["gloomy"]))
    tags.save(path)
    assert file_moods(path) == ("calm", "gloomy")

    write_moods(path, ["warm"])

    assert file_moods(path) == ("warm",)
    assert not ID3(path).getall("TXXX")


def test_clears_a_freeform_mood_atom_in_another_case(music: Path) -> None:
    path = copy_fixture("tone.m4a", music)
    audio = MP4(path)
    audio["----:com.apple.iTunes:mood"] = [MP4FreeForm(b"gloomy")]
    audio.save()
    assert file_moods(path) == ("calm", "gloomy")

    write_moods(path, ["warm"])

    assert file_moods(path) == ("warm",)


# --------------------------------------------------------------------------------------------
# Failures: the file is left byte for byte as it was, and no temp file stays behind
# --------------------------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(path: Path) -> MoodWriteError:
    """Write, expect :class:`MoodWriteError`, and check the file and its folder are as before."""
    before = digest(path) if path.is_file() else None
    names = files_in(path.parent)
    with pytest.raises(MoodWriteError) as caught:
        write_moods(path, MOODS)
    assert caught.value.path == path
    assert path.name in str(caught.value)
    assert (digest(path) if path.is_file() else None) == before
    assert files_in(path.parent) == names  # no temp file left behind
    return caught.value


@pytest.mark.parametrize("suffix", [".mp3", ".flac"])
def test_corrupt_file(suffix: str, music: Path) -> None:
    path = music / f"noise{suffix}"
    path.write_bytes(random.Random(7).randbytes(50_000))

    assert refused(path).reason == "corrupt"
    with pytest.raises(MoodWriteError) as caught:
        needs_write(path, MOODS)
    assert caught.value.reason == "corrupt"


@pytest.mark.skipif(AS_ROOT, reason="root ignores file permissions")
def test_read_only_file(music: Path) -> None:
    path = copy_fixture("tone.flac", music)
    path.chmod(0o444)
    assert refused(path).reason == "permission"


@pytest.mark.skipif(AS_ROOT, reason="root ignores file permissions")
def test_read_only_folder(music: Path) -> None:
    folder = music / "album"
    folder.mkdir()
    path = copy_fixture("tone.flac", folder)
    folder.chmod(0o555)
    try:
        assert refused(path).reason == "permission"
    finally:
        folder.chmod(0o755)


def test_read_only_file_as_seen_by_any_user(music: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root may write anything, so the check is faked here to run under root too.
    path = copy_fixture("tone.flac", music)
    monkeypatch.setattr(os, "access", lambda *_args, **_kwargs: False)
    error = refused(path)
    assert error.reason == "permission"
    assert "read-only" in str(error)


def test_folder_refusing_the_copy(music: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_fixture("tone.flac", music)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(moodwriter.tempfile, "mkstemp", refuse)
    assert refused(path).reason == "permission"


def disk_full() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_at_the_rename(music: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_fixture("tone.mp3", music)

    def fail(*_args: object) -> None:
        raise disk_full()

    monkeypatch.setattr(os, "replace", fail)
    error = refused(path)
    assert error.reason == "io-error"
    assert "full" in str(error)


def _half_written_then(raise_: Callable[[], BaseException]) -> Callable[..., None]:
    """A mutagen save that damages the copy halfway and then fails."""

    def save(self: Any, filething: Any = None, **_kwargs: Any) -> None:
        with Path(filething).open("r+b") as file:
            file.seek(100)
            file.write(b"\xff" * 4096)
        raise raise_()

    return save


def _wrapped_disk_full() -> BaseException:
    # What mutagen raises: its own error, with the operating system's error as the context.
    try:
        raise disk_full()
    except OSError:
        try:
            raise mutagen.MutagenError("No space left on device")
        except mutagen.MutagenError as exc:
            return exc


@pytest.mark.parametrize("raise_", [disk_full, _wrapped_disk_full])
def test_disk_full_while_mutagen_saves(
    raise_: Callable[[], BaseException], music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mutagen.flac import FLAC

    path = copy_fixture("tone.flac", music)
    monkeypatch.setattr(FLAC, "save", _half_written_then(raise_))
    assert refused(path).reason == "io-error"


def test_a_copy_that_no_longer_reads_is_not_put_in_place(
    music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_fixture("tone.wv", music)
    real = moodwriter._set_moods

    def set_then_truncate(temp: Path, wanted: tuple[str, ...]) -> None:
        real(temp, wanted)
        os.truncate(temp, 2000)  # a save that went wrong without raising

    monkeypatch.setattr(moodwriter, "_set_moods", set_then_truncate)
    assert refused(path).reason == "corrupt"


def _append(path: Path) -> None:
    with path.open("ab") as file:
        file.write(b"\0" * 16)


def _touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _swap(path: Path) -> None:
    # Another tagger's atomic save: same bytes, a new file renamed over the old one.
    other = path.with_name("other-tagger.tmp")
    shutil.copy2(path, other)
    other.replace(path)


@pytest.mark.parametrize("change", [_append, _touch, _swap])
def test_file_changed_between_copy_and_rename(
    change: Callable[[Path], None], music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_fixture("tone.ogg", music)
    real = moodwriter._set_moods

    left: list[str] = []

    def set_while_another_program_writes(temp: Path, wanted: tuple[str, ...]) -> None:
        real(temp, wanted)
        change(path)
        left.append(digest(path))

    monkeypatch.setattr(moodwriter, "_set_moods", set_while_another_program_writes)
    with pytest.raises(MoodWriteError) as caught:
        write_moods(path, MOODS)
    assert caught.value.reason == "changed"
    assert "try again" in str(caught.value)
    # The other program's version stays: the moods were not written over it.
    assert digest(path) == left[0]
    assert read_tags(path).mood == ("calm",)
    assert files_in(music) == [path.name]


def test_empty_file(music: Path) -> None:
    path = music / "empty.mp3"
    path.touch()
    assert refused(path).reason == "corrupt"


def test_vanished_file(music: Path) -> None:
    assert refused(music / "gone.flac").reason == "vanished"


def test_directory_is_refused(music: Path) -> None:
    folder = music / "album.flac"
    folder.mkdir()
    assert refused(folder).reason == "unsupported"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.timeout(10)
def test_fifo_is_refused_without_blocking(music: Path) -> None:
    fifo = music / "pipe.mp3"
    os.mkfifo(fifo)
    assert refused(fifo).reason == "unsupported"
    with pytest.raises(MoodWriteError) as caught:
        needs_write(fifo, MOODS)
    assert caught.value.reason == "unsupported"
    assert files_in(music) == ["pipe.mp3"]


def test_temp_file_is_hidden_and_keeps_the_extension(
    music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_fixture("tone-alac.m4a", music)
    seen: list[str] = []
    real = moodwriter._set_moods

    def spy(temp: Path, wanted: tuple[str, ...]) -> None:
        seen.append(temp.name)
        real(temp, wanted)

    monkeypatch.setattr(moodwriter, "_set_moods", spy)
    write_moods(path, MOODS)
    assert files_in(music) == [path.name]
    [name] = seen
    assert name.startswith(".tone-alac.")
    assert name.endswith(f"{TEMP_MARKER}.m4a")


# --------------------------------------------------------------------------------------------
# Symlinks
# --------------------------------------------------------------------------------------------


def test_symlink_target_is_written_and_the_link_kept(tmp_path: Path) -> None:
    music = tmp_path / "music"
    links = tmp_path / "links"
    music.mkdir()
    links.mkdir()
    target = copy_fixture("tone.opus", music)
    link = links / "favourite.opus"
    link.symlink_to(os.path.relpath(target, links))

    write_moods(link, MOODS)

    assert link.is_symlink()
    assert link.resolve() == target.resolve()
    assert read_tags(target).mood == ("tender", "warm")
    assert files_in(music) == ["tone.opus"]
    assert files_in(links) == ["favourite.opus"]


def test_symlink_loop_is_refused(music: Path) -> None:
    first, second = music / "a.mp3", music / "b.mp3"
    first.symlink_to(second)
    second.symlink_to(first)
    assert refused(first).reason == "unsupported"


# --------------------------------------------------------------------------------------------
# write_many
# --------------------------------------------------------------------------------------------


def test_write_many_reports_each_file_and_goes_on_after_a_failure(music: Path) -> None:
    changed = copy_fixture("tone.mp3", music)
    same = copy_fixture("tone.flac", music)
    gone = music / "gone.ogg"
    noise = music / "noise.mp3"
    noise.write_bytes(random.Random(3).randbytes(20_000))
    later = copy_fixture("tone.wv", music)

    report = write_many(
        [(changed, MOODS), (same, ["calm"]), (gone, MOODS), (noise, MOODS), (later, [])]
    )

    assert isinstance(report, WriteReport)
    assert report.written == [changed, later]
    assert report.unchanged == [same]
    assert [(e.path, e.reason) for e in report.failed] == [
        (gone, "vanished"),
        (noise, "corrupt"),
    ]
    assert file_moods(changed) == ("tender", "warm")
    assert file_moods(later) == ()


def test_write_many_of_nothing() -> None:
    assert write_many([]) == WriteReport([], [], [])


# --------------------------------------------------------------------------------------------
# mutagen's own test files
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"mutagen test corpus not found at {CORPUS}")
def test_every_corpus_file_gets_its_moods_or_is_left_untouched(music: Path) -> None:
    outcomes: dict[str, str] = {}
    for original in sorted(CORPUS.iterdir()):
        if not original.is_file() or original.name == "README.md":
            continue
        path = music / original.name
        shutil.copyfile(original, path)
        try:
            before = read_tags(path)
        except TagReadError:  # the reader refuses it: nothing to write into
            continue
        data = path.read_bytes()
        try:
            write_moods(path, MOODS)
        except MoodWriteError as exc:
            assert path.read_bytes() == data, original.name
            outcomes[original.name] = exc.reason
            continue
        after = read_tags(path)
        assert after.mood == ("tender", "warm"), original.name
        assert kept_fields(after) == kept_fields(before), original.name
        write_moods(path, [])
        assert file_moods(path) == (), original.name
        outcomes[original.name] = "written"
    assert not [name for name in files_in(music) if TEMP_MARKER in name]
    refused = {name: reason for name, reason in outcomes.items() if reason != "written"}
    # Formats with no tag at all, and Musepack SV4/SV5, whose copy the reader then takes
    # for a bare APEv2 file (the two score alike): the check after writing stops it.
    assert set(refused.values()) <= {"unsupported", "corrupt"}
    assert not [name for name in refused if name.endswith((".mp3", ".flac", ".ogg", ".m4a"))]
    assert list(outcomes.values()).count("written") > 60
