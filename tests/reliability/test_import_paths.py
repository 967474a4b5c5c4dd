"""Pack and playlist imports never read or write outside where the listener pointed them.

The rule (see :mod:`ostplayer.library.playlists`): an import opens the one file it is given and
writes nothing but the database; a playlist's entries are names matched against the library,
never opened, read or fetched; an export writes only the file the listener chose (through a
temp file beside it). Every file the process opens, renames or removes is recorded with a
Python audit hook (``open`` covers ``open()`` and ``os.open``), every connection too, and a
listening socket stands in for the web addresses, so a fetch would show.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.domain.track import Track
from ostplayer.formats.pack import PackError
from ostplayer.formats.playlist_file import PlaylistFileError
from ostplayer.library.packs import export_pack, import_pack, write_atomically
from ostplayer.library.playlists import export_playlist, import_playlist
from ostplayer.library.scanner import scan_folder
from ostplayer.store.database import Database
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.tracks import TrackRepository
from ostplayer.ui.plain import file_stem
from tests.conftest import DATA

REPO = Path(__file__).resolve().parents[2]
#: What the process may open that is code, not data (lazy imports of our own modules).
_CODE = tuple({sys.prefix, sys.base_prefix, str(REPO / "src"), str(REPO / "tests")})
_WATCHED = {
    "open",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.symlink",
    "os.link",
    "os.truncate",
    "os.chmod",
    "os.chown",
    "os.utime",
    "shutil.copyfile",
    "shutil.rmtree",
    "socket.connect",
    "socket.getaddrinfo",
    "urllib.Request",
}
_recording: list[tuple[str, tuple[Any, ...]]] | None = None
_hooked = False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _recording is not None and event in _WATCHED:
        _recording.append((event, args))


class Touched:
    """The file events recorded so far, as ``(event, path)``, code files left out."""

    def __init__(self) -> None:
        self.raw: list[tuple[str, tuple[Any, ...]]] = []

    def clear(self) -> None:
        self.raw.clear()

    def events(self) -> list[tuple[str, str]]:
        events = []
        for event, args in list(self.raw):
            target = args[0] if args else ""
            if isinstance(target, int):
                continue  # an already open descriptor
            name = os.fsdecode(target) if isinstance(target, (str, bytes, os.PathLike)) else ""
            if event == "open" and name.startswith(_CODE) and name.endswith((".py", ".pyc")):
                continue
            if event in ("os.rename", "shutil.copyfile") and len(args) > 1:
                name = f"{name} -> {os.fsdecode(args[1])}"
            events.append((event, name if name else repr(args)))
        return events

    def names(self) -> list[str]:
        return [name for _event, name in self.events()]


@pytest.fixture
def touched() -> Iterator[Touched]:
    """Records every file event of the test (and every connection)."""
    global _recording, _hooked
    if not _hooked:  # an audit hook cannot be removed: one for the whole run, off between tests
        sys.addaudithook(_hook)
        _hooked = True
    recorder = Touched()
    _recording = recorder.raw
    try:
        yield recorder
    finally:
        _recording = None


@pytest.fixture
def trap(trap: socket.socket) -> Iterator[socket.socket]:
    """The shared trap (see conftest), which the playlists' web addresses point at."""
    yield trap
    with pytest.raises(BlockingIOError):
        trap.accept()  # nothing ever connected


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and mtime (links as they are)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            st = path.lstat()
            found[str(path)] = (st.st_size, st.st_mtime_ns)
    return found


@pytest.fixture
def library(tmp_path: Path, data_dir: Path) -> Iterator[tuple[Database, list[Track]]]:
    """A real library of two fixture copies in ``tmp_path/music``."""
    music = tmp_path / "music"
    music.mkdir()
    for name in ("tone.ogg", "tone.flac"):
        (music / name).write_bytes((DATA / name).read_bytes())
    db = Database(data_dir / "library.sqlite3")
    tracks = TrackRepository(db)
    report = scan_folder(tracks, music, workers=0)
    assert report.added == 2, report.problems
    yield db, tracks.all()
    db.close()


def hostile_entries(port: int, outside: Path) -> list[str]:
    """Entries as a playlist file writes them; the first and the last two are library tracks."""
    return [
        "../music/tone.ogg",
        "../../../../../../../../etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        f"http://127.0.0.1:{port}/x.ogg",
        f"https://127.0.0.1:{port}/y.ogg",
        "smb://server/share/x.ogg",
        "//server/share/x.ogg",
        "x/" * 3000 + "y.ogg",  # far past any path limit
        str(outside / "secret.ogg"),
        "link-out.ogg",  # a link in the playlist's folder to a file outside, not in the library
        "link-track.ogg",  # a link to a library track
    ]


def write_m3u8(path: Path, entries: list[str]) -> None:
    lines = ["#EXTM3U", "#PLAYLIST:Hostile"]
    for entry in entries:
        lines += ["#EXTINF:1,x", entry]
    lines += ["#EXTINF:1,x", "a\0b.ogg"]  # a NUL byte in a name
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def write_xspf(path: Path, entries: list[str]) -> None:
    from xml.sax.saxutils import escape

    tracks = "".join(
        f"<track><location>{escape(entry)}</location></track>" for entry in [*entries, "a%00b.ogg"]
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<playlist version="1" '
        f'xmlns="http://xspf.org/ns/0/"><title>Hostile</title><trackList>{tracks}'
        "</trackList></playlist>\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("suffix", [".m3u8", ".xspf"])
def test_playlist_entries_resolve_only_to_library_tracks_and_nothing_is_opened(
    suffix: str,
    tmp_path: Path,
    library: tuple[Database, list[Track]],
    trap: socket.socket,
    touched: Touched,
) -> None:
    _db, tracks = library
    by_name = {t.path.name: t.id for t in tracks}
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.ogg").write_bytes((DATA / "tone.ogg").read_bytes())
    folder = tmp_path / "playlists"
    folder.mkdir()
    (folder / "link-out.ogg").symlink_to(outside / "secret.ogg")
    (folder / "link-track.ogg").symlink_to(tmp_path / "music" / "tone.flac")
    playlist = folder / f"hostile{suffix}"
    entries = hostile_entries(trap.getsockname()[1], outside)
    (write_m3u8 if suffix == ".m3u8" else write_xspf)(playlist, entries)
    before = tree(tmp_path)
    touched.clear()

    imported = import_playlist(playlist, tracks)

    # Only library tracks come in: one by its relative name, one through a link to it.
    assert [e.track_id for e in imported.entries] == [by_name["tone.ogg"], by_name["tone.flac"]]
    missing = dict(imported.missing)
    reasons = set(missing.values())
    assert len(imported.missing) == len(entries) - 2 + 1  # every other entry, and the NUL one
    assert any("web address" in r for r in reasons)
    assert any("NUL" in r for r in reasons)
    assert any("another computer" in r for r in reasons)
    assert missing["/etc/passwd"] == "not in your library"
    assert missing[str(folder / "link-out.ogg")] == "not in your library"
    assert missing[str(outside / "secret.ogg")] == "not in your library"
    # Opened: the playlist, and nothing else. Written: nothing.
    opened = [name for event, name in touched.events() if event == "open"]
    assert opened == [str(playlist)], touched.events()
    assert [event for event, _name in touched.events() if event != "open"] == []
    assert tree(tmp_path) == before


def test_an_xspf_entity_cannot_read_a_file(
    tmp_path: Path, library: tuple[Database, list[Track]], touched: Touched
) -> None:
    playlist = tmp_path / "entity.xspf"
    playlist.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        '<playlist version="1" xmlns="http://xspf.org/ns/0/"><title>&e;</title>'
        "<trackList/></playlist>\n",
        encoding="utf-8",
    )
    touched.clear()
    with pytest.raises(PlaylistFileError):
        import_playlist(playlist, library[1])
    assert touched.names() == [str(playlist)]


@pytest.mark.parametrize(
    "name",
    ["nul\0name.m3u8", "x" * 300 + ".m3u8", "/".join(["deep"] * 2000) + ".m3u8", "no-such.xspf"],
)
def test_a_playlist_that_cannot_be_opened_is_a_clear_error(
    name: str, tmp_path: Path, library: tuple[Database, list[Track]]
) -> None:
    with pytest.raises(PlaylistFileError, match="Could not open the playlist"):
        import_playlist(tmp_path / name, library[1])


def test_an_export_writes_only_the_chosen_file(
    tmp_path: Path, library: tuple[Database, list[Track]], touched: Touched
) -> None:
    _db, tracks = library
    by_id = {t.id: t for t in tracks}
    entries = [PlaylistEntry(t.id) for t in tracks]
    out = tmp_path / "out"
    out.mkdir()
    target = out / "mine.m3u8"
    before = tree(tmp_path)
    touched.clear()
    assert export_playlist(target, "../../evil", entries, by_id) == 2
    # One temp file beside the target, renamed over it; the folder is opened to sync it.
    (temp_open, temp), rename, (sync_open, synced) = touched.events()
    assert temp_open == "open" and Path(temp).parent == out
    assert Path(temp).name.startswith(".mine.m3u8.") and temp.endswith(".tmp")
    assert rename == ("os.rename", f"{temp} -> {target}")
    assert (sync_open, synced) == ("open", str(out))
    after = tree(tmp_path)
    assert set(after) - set(before) == {str(target)}
    assert [p.name for p in out.iterdir()] == ["mine.m3u8"]
    assert "../../evil" in target.read_text(encoding="utf-8")  # the name is text in the file


def test_an_export_over_a_link_replaces_the_link_and_leaves_its_target(
    tmp_path: Path, library: tuple[Database, list[Track]]
) -> None:
    _db, tracks = library
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    link = out / "list.xspf"
    link.symlink_to(victim)
    export_playlist(link, "x", [PlaylistEntry(t.id) for t in tracks], {t.id: t for t in tracks})
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink() and link.is_file()


def test_an_export_to_a_name_with_a_nul_byte_is_a_clear_error(
    tmp_path: Path, library: tuple[Database, list[Track]]
) -> None:
    before = tree(tmp_path)
    with pytest.raises(PlaylistFileError, match="NUL"):
        export_playlist(tmp_path / "a\0b.m3u8", "x", [], {})
    assert tree(tmp_path) == before


def test_an_export_to_a_long_but_valid_file_name_works(
    tmp_path: Path, library: tuple[Database, list[Track]]
) -> None:
    _db, tracks = library
    target = tmp_path / ("n" * 245 + ".m3u8")  # 250 bytes: a valid name
    export_playlist(target, "x", [PlaylistEntry(t.id) for t in tracks], {t.id: t for t in tracks})
    assert target.is_file()


# -- scene packs -------------------------------------------------------------------------------
def hostile_pack(port: int) -> dict[str, Any]:
    return {
        "format": "ostplayer-scene-pack",
        "version": 1,
        "name": "../../../../etc/passwd",
        "series": "file:///etc/shadow",
        "episodes": [{"season": 1, "number": 1, "title": "..\\..\\Windows\\System32"}],
        "tracks": [
            {
                "title": "/etc/passwd",
                "album": f"http://127.0.0.1:{port}/cover.jpg",
                "chapters": {
                    "version": "1.2.0",
                    "chapters": [
                        {
                            "startTime": 0,
                            "title": f"file:///etc/passwd http://127.0.0.1:{port}/x.ogg",
                            "ostplayer:scene": {"episode": "S1E1", "place": "//server/share"},
                        }
                    ],
                },
            }
        ],
    }


def test_a_pack_import_reads_only_its_file_and_writes_only_the_database(
    tmp_path: Path,
    data_dir: Path,
    library: tuple[Database, list[Track]],
    trap: socket.socket,
    touched: Touched,
) -> None:
    db, _tracks = library
    repo, scenes = TrackRepository(db), SceneRepository(db)
    path = tmp_path / "packs" / "hostile.json"
    path.parent.mkdir()
    path.write_text(json.dumps(hostile_pack(trap.getsockname()[1])), encoding="utf-8")
    outside = {k: v for k, v in tree(tmp_path).items() if not k.startswith(str(data_dir))}
    touched.clear()
    result = import_pack(path, repo, scenes)
    assert result.name == "../../../../etc/passwd"  # a name, kept as written
    assert result.unmatched == 1  # "/etc/passwd" is a title: no such track, nothing opened
    assert touched.names() == [str(path)]
    assert {k: v for k, v in tree(tmp_path).items() if not k.startswith(str(data_dir))} == outside

    # Exporting it writes where the listener chooses; its name only suggests a file name.
    stem = file_stem(result.name, "scene pack")
    assert "/" not in stem and "\\" not in stem and not stem.startswith(".")
    target = tmp_path / "exports" / f"{stem}.json"
    target.parent.mkdir()
    touched.clear()
    write_atomically(target, export_pack(scenes, result.name))
    # The temp file, its rename, and the folder opened to sync it: all in the chosen folder.
    written = {Path(name.split(" -> ")[-1]) for name in touched.names()}
    assert {p if p == target.parent else p.parent for p in written} == {target.parent}
    assert [p.name for p in target.parent.iterdir()] == [target.name]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("nul\0name.json", "NUL"),
        ("x" * 300 + ".json", "Could not read"),
        ("missing.json", "Could not read"),
        ("a-folder", "Could not read"),
    ],
)
def test_a_pack_that_cannot_be_read_is_a_clear_error_and_changes_nothing(
    name: str, words: str, tmp_path: Path, library: tuple[Database, list[Track]]
) -> None:
    db, _tracks = library
    repo, scenes = TrackRepository(db), SceneRepository(db)
    (tmp_path / "a-folder").mkdir()
    with pytest.raises(PackError, match=words):
        import_pack(tmp_path / name, repo, scenes)
    assert scenes.packs() == []


def test_a_nul_byte_inside_a_pack_is_refused_and_changes_nothing(
    tmp_path: Path, library: tuple[Database, list[Track]]
) -> None:
    db, _tracks = library
    repo, scenes = TrackRepository(db), SceneRepository(db)
    pack = hostile_pack(9)
    pack["tracks"][0]["title"] = "a\0b"
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(pack), encoding="utf-8")
    with pytest.raises(PackError, match="title"):
        import_pack(path, repo, scenes)
    assert scenes.packs() == []
