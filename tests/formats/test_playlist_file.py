"""The front door for playlist files: the format by suffix (or by content), whole-or-nothing
writes that leave the old file alone on failure, and errors a listener can read."""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ostplayer.formats import playlist_file
from ostplayer.formats.m3u8 import dump_m3u8
from ostplayer.formats.playlist_file import (
    MAX_PLAYLIST_BYTES,
    PlaylistFileError,
    PlaylistItem,
    PlaylistRead,
    read_playlist,
    write_playlist,
)
from ostplayer.formats.xspf import dump_xspf
from tests.formats.hostile import THOUSAND
from tests.formats.hostile_playlists import check_read, check_refusal, damaged

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of its own (the suite puts a data dir in tmp_path)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


def some_items(folder: Path) -> list[PlaylistItem]:
    return [
        PlaylistItem(folder / "music" / "01 初恋.ogg", "初恋", "アンサンブル", "OST", 54_000),
        PlaylistItem(folder.parent / "elsewhere" / "b.flac", "B", start_ms=1_000, end_ms=2_000),
    ]


@pytest.mark.parametrize(
    ("suffix", "start"),
    [(".m3u8", b"#EXTM3U\n"), (".m3u", b"#EXTM3U\n"), (".XSPF", b"<?xml"), (".xspf", b"<?xml")],
)
def test_the_format_follows_the_suffix_and_reads_back(
    folder: Path, suffix: str, start: bytes
) -> None:
    path = folder / f"Road trip{suffix}"
    items = some_items(folder)
    write_playlist(path, "Road trip", items)
    assert path.read_bytes().startswith(start)
    assert read_playlist(path) == PlaylistRead("Road trip", tuple(items), ())
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temp file left behind


def test_relative_paths_are_read_against_the_playlist_folder_not_the_cwd(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lists = folder / "lists"
    lists.mkdir()
    items = some_items(lists)
    for suffix in (".m3u8", ".xspf"):
        write_playlist(lists / f"p{suffix}", "P", items)
        assert b"music/01" in (lists / f"p{suffix}").read_bytes()
    elsewhere = folder / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for suffix in (".m3u8", ".xspf"):
        assert read_playlist(Path("..") / "lists" / f"p{suffix}").items == tuple(items)


def test_an_unknown_suffix_is_refused_and_nothing_is_written(folder: Path) -> None:
    path = folder / "list.pls"
    with pytest.raises(PlaylistFileError, match=r"\.m3u8 or \.xspf"):
        write_playlist(path, "P", [])
    assert not path.exists()


def test_the_content_decides_when_the_suffix_does_not(folder: Path) -> None:
    (folder / "a.txt").write_bytes(b"#EXTM3U\n#PLAYLIST:From text\nx.ogg\n")
    (folder / "b").write_bytes(
        b'\xef\xbb\xbf  <playlist version="1" xmlns="http://xspf.org/ns/0/"><trackList>'
        b"<track><location>y.ogg</location></track></trackList></playlist>"
    )
    (folder / "c.lst").write_bytes(b"plain/list.ogg\r\n")
    assert read_playlist(folder / "a.txt").items == (PlaylistItem(folder / "x.ogg"),)
    assert read_playlist(folder / "a.txt").name == "From text"
    assert read_playlist(folder / "b") == PlaylistRead("b", (PlaylistItem(folder / "y.ogg"),), ())
    assert read_playlist(folder / "c.lst").items == (PlaylistItem(folder / "plain/list.ogg"),)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("radio.pls", b"[playlist]\nFile1=http://x/\n", "not an M3U or XSPF playlist"),
        ("tone.mp3", (DATA / "tone.mp3").read_bytes(), "not text"),
        ("tone.m3u8", (DATA / "tone.ogg").read_bytes(), "not text"),
        ("broken.xspf", b"<playlist><trackList>", "XML is broken"),
        ("odd.dat", b"<html/>", "XML, but not an XSPF playlist"),
    ],
)
def test_files_that_are_not_playlists_are_refused_by_name(
    folder: Path, name: str, content: bytes, message: str
) -> None:
    (folder / name).write_bytes(content)
    with pytest.raises(PlaylistFileError, match=message) as caught:
        read_playlist(folder / name)
    assert str(caught.value).startswith(f"Could not read the playlist “{name}”: ")


def test_a_missing_file_or_a_folder_is_a_playlist_error(folder: Path) -> None:
    with pytest.raises(PlaylistFileError, match=r"Could not open the playlist “gone\.m3u8”"):
        read_playlist(folder / "gone.m3u8")
    (folder / "folder.xspf").mkdir()
    with pytest.raises(PlaylistFileError, match=r"folder\.xspf"):
        read_playlist(folder / "folder.xspf")


def test_an_oversized_file_is_refused_unread(folder: Path) -> None:
    path = folder / "huge.m3u8"
    with path.open("wb") as file:
        file.truncate(MAX_PLAYLIST_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(PlaylistFileError, match="too large"):
        read_playlist(path)


def old_file(folder: Path) -> Path:
    path = folder / "mix.m3u8"
    path.write_bytes(b"#EXTM3U\nold.ogg\n")
    return path


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_failed_save_leaves_the_old_file_and_no_temp_file(
    folder: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = old_file(folder)

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if step == "write":
        monkeypatch.setattr(playlist_file.os, "fdopen", lambda *a, **k: _FailingFile())
    else:
        monkeypatch.setattr(playlist_file.os, step, fail)
    with pytest.raises(PlaylistFileError) as caught:
        write_playlist(path, "New", some_items(folder))
    assert str(caught.value) == (
        f"Could not save the playlist “mix.m3u8”: {os.strerror(errno.ENOSPC)}."
    )
    assert path.read_bytes() == b"#EXTM3U\nold.ogg\n"
    assert [p.name for p in folder.iterdir()] == ["mix.m3u8"]


class _FailingFile:
    """Stands in for the temp file on a full disk."""

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.skipif(
    os.name == "nt" or os.geteuid() == 0, reason="root (and Windows) ignore folder permissions"
)
def test_a_read_only_folder_is_reported_and_the_old_file_kept(folder: Path) -> None:
    path = old_file(folder)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(PlaylistFileError, match="Permission denied"):
            write_playlist(path, "New", [])
    finally:
        folder.chmod(stat.S_IRWXU)
    assert path.read_bytes() == b"#EXTM3U\nold.ogg\n"


def test_a_missing_folder_is_reported(folder: Path) -> None:
    with pytest.raises(PlaylistFileError, match="No such file or directory"):
        write_playlist(folder / "nowhere" / "mix.xspf", "Mix", [])


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_saved_playlist_gets_the_usual_permissions(folder: Path) -> None:
    # Not mkstemp's 0600: a playlist is made to be shared.
    umask = os.umask(0o022)
    try:
        write_playlist(folder / "mix.m3u8", "Mix", [])
    finally:
        os.umask(umask)
    assert stat.S_IMODE((folder / "mix.m3u8").stat().st_mode) == 0o644


def test_the_types_are_frozen_and_errors_are_value_errors() -> None:
    item = PlaylistItem(Path("/a.ogg"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.title = "x"  # type: ignore[misc]
    assert issubclass(PlaylistFileError, ValueError)


# --- hostile files through the front door ------------------------------------------------------

_SUFFIXES = st.sampled_from([".m3u8", ".m3u", ".xspf", ".XSPF", ".pls", ".txt", ""])
_CONTENT = (
    st.binary(max_size=400)
    | damaged(dump_m3u8("Mix", [PlaylistItem(Path("/m/a.ogg"), "A")], Path("/m")))
    | damaged(dump_xspf("Mix", [PlaylistItem(Path("/m/a.ogg"), "A")], Path("/m")))
    | st.sampled_from([b"[playlist]\nFile1=a.mp3\n", b"\xff\xfe<\x00", b"\xef\xbb\xbf   <", b""])
)


def test_any_file_with_any_suffix_reads_or_is_refused_by_name(folder: Path) -> None:
    @THOUSAND
    @given(_CONTENT, _SUFFIXES)
    def check(data: bytes, suffix: str) -> None:
        path = folder / f"hostile{suffix}"
        path.write_bytes(data)
        try:
            read = read_playlist(path)
        except PlaylistFileError as error:
            check_refusal(error)
            assert f"“{path.name}”" in str(error)
            return
        check_read(read)
        assert read.name  # the file's own, or its stem

    check()
