"""Scanning folders into the library, through the scanner and through `ostplayer scan/tracks`.

Incremental rescans, files that come and go, unavailable folders (nothing is ever lost),
and every kind of unreadable file accounted for with its reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ostplayer.domain.track import Track
from ostplayer.library import scanner
from ostplayer.library.scanner import ScanReport, scan_folder, scan_folders
from ostplayer.store.database import Database
from ostplayer.store.tracks import TrackRepository
from tests.conftest import ALL_FIXTURES as FIXTURES
from tests.conftest import DATA


@pytest.fixture
def repo(data_dir: Path) -> TrackRepository:
    return TrackRepository(Database(data_dir / "library.sqlite3"))


@pytest.fixture
def music(tmp_path: Path) -> Path:
    """A small music folder: every fixture format, in Artist/Album folders."""
    folder = tmp_path / "music"
    album = folder / "Fixture Ensemble" / "Fixtures"
    album.mkdir(parents=True)
    for fixture in FIXTURES:
        shutil.copy(fixture, album / fixture.name)
    return folder


class CountingReader:
    """The real reader, counting the files it is asked to read."""

    def __init__(self) -> None:
        self.read: list[Path] = []

    def __call__(self, path: Path) -> Track:
        self.read.append(path)
        return scanner.default_reader(path)


def scan(repo: TrackRepository, folder: Path, reader: CountingReader | None = None) -> ScanReport:
    return scan_folder(repo, folder, reader=reader or CountingReader())


def test_first_scan_reads_every_format(repo: TrackRepository, music: Path) -> None:
    report = scan(repo, music)
    assert (report.added, report.updated, report.removed, report.problems) == (
        len(FIXTURES), 0, 0, [],
    )  # fmt: skip
    tracks = repo.all()
    assert sorted(t.path.name for t in tracks) == [f.name for f in FIXTURES]
    for track in tracks:
        assert track.title.startswith("Fixture Tone")
        assert track.moods == ("calm",)
        assert abs(track.duration_ms - 6000) < 100, track.path.name
        assert track.codec


def test_rescan_reads_only_what_changed(repo: TrackRepository, music: Path) -> None:
    scan(repo, music)
    reader = CountingReader()
    report = scan(repo, music, reader)
    assert report.unchanged == len(FIXTURES)
    assert reader.read == []

    changed = next(music.rglob("tone.flac"))
    os.utime(changed, ns=(1, 1))
    shutil.copy(DATA / "tone.mp3", music / "new.mp3")
    reader = CountingReader()
    report = scan(repo, music, reader)
    assert (report.added, report.updated) == (1, 1)
    assert sorted(p.name for p in reader.read) == ["new.mp3", "tone.flac"]


def test_a_deleted_file_leaves_the_collection_but_keeps_its_row(
    repo: TrackRepository, music: Path
) -> None:
    scan(repo, music)
    gone = next(music.rglob("tone.ogg"))
    track_id = next(t.id for t in repo.all() if t.path == gone)
    gone.unlink()
    report = scan(repo, music)
    assert report.removed == 1
    assert track_id not in {t.id for t in repo.all()}
    assert repo.get(track_id) is not None  # notes on it can be re-linked later
    shutil.copy(DATA / "tone.ogg", gone)
    scan(repo, music)
    assert track_id in {t.id for t in repo.all()}  # back, with the same id


def test_an_unavailable_or_suddenly_empty_folder_loses_nothing(
    repo: TrackRepository, music: Path, tmp_path: Path
) -> None:
    scan(repo, music)
    before = sorted(t.id for t in repo.all())

    music.rename(tmp_path / "unmounted")
    report = scan(repo, music)
    assert report.unavailable == [music]
    assert report.removed == 0
    assert sorted(t.id for t in repo.all()) == before

    (tmp_path / "unmounted").rename(music)
    for path in music.rglob("tone*"):
        path.unlink()
    report = scan(repo, music)  # empty all at once: more likely a drive than a listener
    assert report.unavailable == [music]
    assert sorted(t.id for t in repo.all()) == before


def test_every_unreadable_file_is_accounted_for(repo: TrackRepository, music: Path) -> None:
    bad = music / "bad"
    bad.mkdir()
    (bad / "empty.mp3").write_bytes(b"")
    (bad / "random.flac").write_bytes(os.urandom(4096))
    (bad / "truncated.ogg").write_bytes((DATA / "tone.ogg").read_bytes()[:100])
    (bad / "notes.txt").write_text("not audio, not a problem")
    os.mkfifo(bad / "pipe.mp3")
    (bad / "broken.mp3").symlink_to(bad / "nowhere.mp3")
    (bad / "loop").symlink_to(music)  # a folder that leads back up
    report = scan(repo, music)
    reasons = {p.name: reason for p, reason, _message in report.problems}
    assert reasons["empty.mp3"] == "empty"
    assert reasons["random.flac"] in {"corrupt", "unsupported"}
    assert reasons["truncated.ogg"] in {"corrupt", "unsupported"}
    assert reasons["pipe.mp3"] == "unsupported"
    assert reasons["broken.mp3"] == "vanished"
    assert reasons["loop"] == "symlink-loop"
    assert "notes.txt" not in reasons
    assert report.added == len(FIXTURES)  # bad files never stop the scan
    assert {p.name for p, _r, _m in repo.problems()} == set(reasons)


def test_file_names_that_are_not_utf8_survive(repo: TrackRepository, tmp_path: Path) -> None:
    folder = tmp_path / "latin1"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/caf\xe9.ogg"
    shutil.copy(DATA / "tone.ogg", raw)
    scan(repo, folder)
    (track,) = repo.all()
    assert os.fsencode(track.path) == raw


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # the subcommands need no display
    env["OSTPLAYER_VLC_DISABLE"] = "1"  # ... and no libvlc
    return subprocess.run(
        [sys.executable, "-m", "ostplayer", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_cli_scan_and_tracks_json_contract(music: Path, data_dir: Path) -> None:
    (music / "broken.ogg").write_bytes(b"OggS" + os.urandom(300))
    result = run_cli("scan", str(music), "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr  # problem files do not fail the scan
    report = json.loads(result.stdout)
    assert {"added", "updated", "removed", "unchanged", "problems"} <= set(report)
    assert report["added"] == len(FIXTURES)
    assert [p["path"] for p in report["problems"]] == [str(music / "broken.ogg")]
    assert report["problems"][0]["reason"]

    again = json.loads(run_cli("scan", str(music), "--json", data_dir=data_dir).stdout)
    assert again["unchanged"] == len(FIXTURES)

    listing = run_cli("tracks", "--json", data_dir=data_dir)
    assert listing.returncode == 0, listing.stderr
    tracks = json.loads(listing.stdout)
    assert len(tracks) == len(FIXTURES)
    keys = {"id", "path", "title", "artist", "album", "album_artist", "track_number"}
    keys |= {"disc_number", "year", "genre", "moods", "duration_ms"}
    assert set(tracks[0]) == keys
    assert all(Path(t["path"]).is_absolute() and Path(t["path"]).is_file() for t in tracks)
    assert all(t["moods"] == ["calm"] for t in tracks)

    only = json.loads(run_cli("tracks", "--json", "--filter", "FLAC", data_dir=data_dir).stdout)
    assert [t["title"] for t in only] == ["Fixture Tone (FLAC)"]


def test_cli_errors_are_one_line_not_a_traceback(data_dir: Path, tmp_path: Path) -> None:
    result = run_cli("scan", str(tmp_path / "nowhere"), data_dir=data_dir)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "is not a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_scanner_looks_for_every_extension_the_reader_knows() -> None:
    from ostplayer.library.tagreader import AUDIO_EXTENSIONS, _by_suffix

    assert set(_by_suffix()) == AUDIO_EXTENSIONS


def listener_mood(repo: TrackRepository, track_id: int, mood: str) -> None:
    # Stands in for what the listener hangs on a track (notes come with the next issue).
    repo._db.conn.execute(
        "INSERT INTO track_mood (track_id, mood, origin) VALUES (?, ?, 'listener')",
        (track_id, mood),
    )


def id_of(repo: TrackRepository, name: str) -> int:
    return next(t.id for t in repo.all() if t.path.name == name)


def test_a_renamed_file_keeps_its_identity(repo: TrackRepository, music: Path) -> None:
    scan(repo, music)
    track_id = id_of(repo, "tone.flac")
    listener_mood(repo, track_id, "longing")
    old = next(music.rglob("tone.flac"))
    old.rename(old.with_name("03 Renamed.flac"))
    report = scan(repo, music)
    assert (report.added, report.removed, report.updated) == (0, 0, 1)
    assert id_of(repo, "03 Renamed.flac") == track_id
    assert "longing" in repo.get(track_id).moods
    assert len(repo.all()) == len(FIXTURES)


def test_a_file_moved_between_folders_and_retagged_keeps_its_identity(
    repo: TrackRepository, music: Path, tmp_path: Path
) -> None:
    from mutagen.oggvorbis import OggVorbis

    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(DATA / "tone.mp3", other / "keep.mp3")
    scan_folders(repo, [music, other])
    track_id = id_of(repo, "tone.ogg")
    listener_mood(repo, track_id, "hopeful")

    moved = other / "Renamed and retagged.ogg"
    next(music.rglob("tone.ogg")).rename(moved)
    tags = OggVorbis(moved)
    tags["title"] = "A New Title"
    tags["mood"] = ["warm"]
    tags.save()
    report = scan_folders(repo, [music, other])
    assert (report.added, report.removed) == (0, 0)
    track = repo.get(track_id)
    assert track.path == moved
    assert track.title == "A New Title"
    assert set(track.moods) == {"warm", "hopeful"}  # the file's new mood, the listener's own


def test_a_track_already_known_under_another_folder_is_never_merged_away(
    repo: TrackRepository, tmp_path: Path
) -> None:
    # /m/a is scanned, then a copy with the same size, mtime and length goes missing from
    # /m/b; adding the parent /m meets /m/a's file again. It is not new: merging it into the
    # missing copy would delete its row and the listener's mood on it.
    a, b = tmp_path / "m" / "a", tmp_path / "m" / "b"
    a.mkdir(parents=True)
    b.mkdir()
    shutil.copy2(DATA / "tone.ogg", a / "x.ogg")
    shutil.copy2(a / "x.ogg", b / "y.ogg")
    shutil.copy(DATA / "tone.mp3", b / "keep.mp3")  # so that b is not suddenly empty
    scan(repo, a)
    scan(repo, b)
    mine = id_of(repo, "x.ogg")
    listener_mood(repo, mine, "tender")
    (b / "y.ogg").unlink()
    assert scan(repo, b).removed == 1
    report = scan(repo, tmp_path / "m")
    assert report.added == 0
    assert id_of(repo, "x.ogg") == mine
    assert "tender" in repo.get(mine).moods


def test_ambiguous_moves_are_not_guessed(repo: TrackRepository, tmp_path: Path) -> None:
    folder = tmp_path / "twins"
    folder.mkdir()
    for name in ("a.ogg", "b.ogg"):
        shutil.copy(DATA / "tone.ogg", folder / name)
        os.utime(folder / name, ns=(5, 5))
    scan(repo, folder)
    before = {t.path.name: t.id for t in repo.all()}
    for name in ("a.ogg", "b.ogg"):
        (folder / name).rename(folder / f"moved-{name}")
    report = scan(repo, folder)
    # Two identical files, both moved: which is which cannot be known, so nothing is merged.
    assert report.added == 2
    assert not {t.id for t in repo.all()} & set(before.values())
    assert all(repo.get(i) is not None for i in before.values())  # kept, to be re-linked


def test_a_file_that_comes_back_later_under_a_new_name_keeps_its_identity(
    repo: TrackRepository, music: Path, tmp_path: Path
) -> None:
    scan(repo, music)
    track_id = id_of(repo, "tone.wv")
    away = tmp_path / "away.wv"
    next(music.rglob("tone.wv")).rename(away)
    assert scan(repo, music).removed == 1
    away.rename(music / "back again.wv")
    report = scan(repo, music)
    assert (report.added, report.removed, report.updated) == (0, 0, 1)
    assert id_of(repo, "back again.wv") == track_id


def test_a_mood_write_backs_leftover_copy_is_never_a_track(tmp_path: Path) -> None:
    from ostplayer.library.tagreader import TEMP_MARKER

    folder = tmp_path / "music"
    folder.mkdir()
    shutil.copy2(DATA / "tone.ogg", folder / "tone.ogg")
    shutil.copy2(DATA / "tone.ogg", folder / f".tone.x1{TEMP_MARKER}.ogg")  # left by a crash
    assert [p.name for p, _ in scanner.audio_files(folder, [])] == ["tone.ogg"]


def test_a_scan_hands_on_its_tracks_as_stored_and_tells_its_progress(
    repo: TrackRepository, music: Path
) -> None:
    # The workers send plain tuples, and a track is made only for whoever watches the scan:
    # each one made must be the track the database now holds, field for field.
    handed: list[Track] = []
    steps: list[tuple[int, int, Path]] = []
    report = scan_folder(
        repo,
        music,
        workers=2,
        saved=handed.extend,
        progress=lambda done, found, folder: steps.append((done, found, folder)),
    )
    assert report.added == len(FIXTURES) and not report.problems
    assert sorted(t.id for t in handed) == sorted(report.added_ids)
    for track in handed:
        assert track == repo.get(track.id)
    assert all(t.title.startswith("Fixture Tone") and t.codec for t in handed)  # real tags
    assert [done for done, _found, _folder in steps] == list(range(1, len(FIXTURES) + 1))
    assert steps[-1][1] == len(FIXTURES)
    assert {folder for _done, _found, folder in steps} == {music / "Fixture Ensemble" / "Fixtures"}
