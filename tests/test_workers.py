"""Tag reading in worker processes: a hanging or crashing file never stalls or ends a scan."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from ostplayer.library.scanner import scan_folder
from ostplayer.library.tagreader import ScannedFile, read_for_scan, read_tags
from ostplayer.library.workers import WorkerPool
from ostplayer.store.database import Database
from ostplayer.store.tracks import TrackRepository
from tests.conftest import ALL_FIXTURES as FIXTURES
from tests.conftest import DATA, huge_tag_file


def misbehaving_reader(path: Path | bytes) -> ScannedFile:
    """Runs in the worker: hangs, crashes or raises on cue, else reads for real."""
    name = Path(os.fsdecode(path)).name  # a scan hands its workers raw bytes
    if "hang" in name:
        time.sleep(600)
    if "crash" in name:
        os.kill(os.getpid(), signal.SIGSEGV)  # as a crash inside a C library would
    if "raise" in name:
        raise RecursionError("a parser that recursed too deep")
    if "hog" in name:
        _hold_memory_without_end()
    return read_for_scan(path)


def _hold_memory_without_end() -> None:
    """As a parser that allocates without end (a hostile count or length can make one)."""
    held = []
    for _ in range(64):  # 1 GB at most, 16 MB at a time, each byte written (resident)
        held.append(bytearray(16 << 20))
        time.sleep(0.05)
    raise RuntimeError("nothing stopped this worker's memory")


def no_workers_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "ostplayer-tags"]


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = []
    for fixture in FIXTURES:
        shutil.copy(fixture, tmp_path / fixture.name)
        paths.append(tmp_path / fixture.name)
    return paths


def test_workers_read_every_file(files: list[Path]) -> None:
    results = {p: (info, problem) for p, info, problem in WorkerPool(2).read(files)}
    assert set(results) == set(files)
    for path, (tags, problem) in results.items():
        assert problem is None, (path, problem)
        st = path.stat()  # what the scan stores, as it reads, with the file's size and time
        assert tags == (read_tags(path).track_values(), st.st_size, st.st_mtime_ns)
        assert tags[0][1] == ("calm",)
    assert no_workers_left()


def test_a_hanging_file_times_out_and_the_rest_are_read(files: list[Path]) -> None:
    hang = files[0].with_name("hang.mp3")
    shutil.copy(DATA / "tone.mp3", hang)
    pool = WorkerPool(2, timeout_s=1.0, read=misbehaving_reader)
    results = {p: problem for p, _info, problem in pool.read([hang, *files])}
    assert results.pop(hang)[0] == "timed-out"
    assert all(problem is None for problem in results.values())
    assert set(results) == set(files)
    assert no_workers_left()


def test_a_file_hanging_inside_a_chunk_is_the_one_blamed(files: list[Path]) -> None:
    # One worker, the hanging file fourth: the three before it were read but not yet sent
    # (results go back a chunk at a time), so they must be read again, not lost or blamed.
    hang = files[0].with_name("hang.flac")
    shutil.copy(DATA / "tone.flac", hang)
    pool = WorkerPool(1, timeout_s=1.0, read=misbehaving_reader)
    outcomes = list(pool.read([*files[:3], hang, *files[3:]]))
    results = {p: problem for p, _info, problem in outcomes}
    assert len(outcomes) == len(files) + 1  # each file once
    assert results.pop(hang)[0] == "timed-out"
    assert all(problem is None for problem in results.values())
    assert set(results) == set(files)
    assert no_workers_left()


def test_a_crash_or_an_odd_exception_is_one_files_problem(files: list[Path]) -> None:
    crash = files[0].with_name("crash.flac")
    odd = files[0].with_name("raise.ogg")
    shutil.copy(DATA / "tone.flac", crash)
    shutil.copy(DATA / "tone.ogg", odd)
    pool = WorkerPool(1, read=misbehaving_reader)  # one worker: the rest must survive it
    results = {p: problem for p, _info, problem in pool.read([*files[:3], crash, *files[3:], odd])}
    assert results.pop(crash) == ("corrupt", "reading this file crashed the tag reader")
    assert results.pop(odd)[0] == "corrupt"
    assert all(problem is None for problem in results.values())
    assert no_workers_left()


def test_a_file_that_takes_memory_without_end_is_one_files_problem(files: list[Path]) -> None:
    hog = files[0].with_name("memory.hog")
    hog.write_bytes(b"\0" * 64)
    pool = WorkerPool(1, read=misbehaving_reader, memory_limit=200 << 20)
    results = {p: problem for p, _info, problem in pool.read([*files[:2], hog, *files[2:]])}
    assert results.pop(hog) == (
        "corrupt",
        "damaged file: reading it took over 200 MB of memory and was stopped",
    )
    assert all(problem is None for problem in results.values())
    assert set(results) == set(files)
    assert no_workers_left()


def test_a_worker_keeps_the_read_limit_on_big_files(tmp_path: Path) -> None:
    # A worker reads small files without the per-read checks (the pool's time and memory
    # limits cover them), never a file big enough for one read to hold more than
    # MAX_READ_BYTES.
    [(_path, info, problem)] = WorkerPool(1).read([huge_tag_file(tmp_path)])
    assert info is None
    assert problem is not None
    assert problem[0] == "corrupt"
    assert "claims to be 256 MB" in problem[1]


def test_cancelling_stops_the_workers(files: list[Path]) -> None:
    seen = []
    for path, _info, _problem in WorkerPool(2).read(files * 5, cancelled=lambda: len(seen) >= 3):
        seen.append(path)
    assert len(seen) < len(files) * 5
    assert no_workers_left()


def test_a_folder_scan_reads_through_the_workers(files: list[Path], data_dir: Path) -> None:
    repo = TrackRepository(Database(data_dir / "library.sqlite3"))
    (files[0].parent / "hang.mp3").write_bytes(b"\xff\xfb" + os.urandom(2000))
    report = scan_folder(repo, files[0].parent, workers=2)
    assert report.added == len(files)
    assert [p.name for p, _r, _m in report.problems] == ["hang.mp3"]  # damaged, not hung
    assert {t.path for t in repo.all()} == set(files)


def test_a_rescan_of_one_new_file_still_reads_it_with_a_time_limit(
    files: list[Path], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A handful of files used to be read in the scanning process, where nothing can stop a
    # file that makes the reader loop: now even one goes to a worker.
    from ostplayer.library import workers

    repo = TrackRepository(Database(data_dir / "library.sqlite3"))
    assert scan_folder(repo, files[0].parent, workers=2).added == len(files)
    monkeypatch.setattr(workers, "TIMEOUT_S", 1.0)
    monkeypatch.setattr(workers, "read_in_worker", misbehaving_reader)
    shutil.copy(DATA / "tone.ogg", files[0].parent / "hang.ogg")
    report = scan_folder(repo, files[0].parent, workers=2)
    assert report.unchanged == len(files)
    assert [(p.name, reason) for p, reason, _m in report.problems] == [("hang.ogg", "timed-out")]
    assert no_workers_left()


def test_without_worker_processes_the_scan_reads_in_process(
    files: list[Path], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ostplayer.library import workers

    def cannot_start(self: object) -> None:
        raise workers.WorkerStartError("no processes here")

    monkeypatch.setattr(workers.WorkerPool, "_start", cannot_start)
    repo = TrackRepository(Database(data_dir / "library.sqlite3"))
    report = scan_folder(repo, files[0].parent, workers=2)
    assert report.added == len(files)
    assert report.problems == []


def test_a_worker_that_cannot_start_is_an_error_not_a_spin(monkeypatch: pytest.MonkeyPatch) -> None:
    from ostplayer.library import workers

    monkeypatch.setattr(workers, "START_TIMEOUT_S", 5.0)
    pool = WorkerPool(1, read=misbehaving_reader)
    monkeypatch.setattr(workers, "_worker_main", _dies_at_once)
    with pytest.raises(workers.WorkerStartError):
        list(pool.read(FIXTURES))
    assert no_workers_left()


def _dies_at_once(conn: object, read: object, at: object, watched: bool) -> None:
    os._exit(3)
