"""Hundreds of hostile audio files through the real scanner: each is a track or a problem with a
reason, none is lost, the scan finishes, and the tag-reader processes stay within 500 MB.

The mutants come from :mod:`tests.reliability.mutants` (bit flips, truncations, absurd size
fields, some in 300 MB sparse files, zero-length files, wrong extensions, random bytes, odd
names, folders 100 deep). The scan runs in a child process, with the real worker processes and
their real per-file time limit, so that the workers' peak memory can be read from the kernel:
the fork server reaps each worker, and the child reaps the fork server, so the child's
``RUSAGE_CHILDREN`` peak is the largest of them. The child also reads every file once more in
its own process, timed, for the figures (printed with ``-s``); no test asserts a duration.

That a file which hangs its reader is stopped after the time limit, and the rest still read, is
``tests/test_workers.py``'s part (a reader that sleeps); this file shows no real mutant hangs.

Replay one mutant: ``python -m tests.reliability.mutants /tmp/out NAME``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ostplayer.library.tagreader import MAX_DURATION_MS, TagReadError, read_tags
from tests.reliability.mutants import (
    KINDS,
    SPARSE_BYTES,
    Mutant,
    expected_outside_scan,
    make_mutants,
)

REPO = Path(__file__).resolve().parents[2]
#: What a problem's reason may be: the tag reader's, the workers' and the folder walk's.
KNOWN_REASONS = frozenset(
    {"corrupt", "unsupported", "permission", "vanished", "io-error", "empty", "timed-out",
     "symlink-loop"}
)  # fmt: skip
#: Peak resident memory allowed to a tag-reader process, and to the scanning process.
MEMORY_LIMIT_MB = 500
#: Bounds a hang of the whole child (it never measures speed): 690 files take seconds.
CHILD_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Mutant]]:
    root = tmp_path_factory.mktemp("mutants")
    return root, make_mutants(root)


@pytest.fixture(scope="module")
def scanned(
    mutants: tuple[Path, list[Mutant]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The child's report of scanning every mutant (see :func:`child`)."""
    root, _made = mutants
    out = tmp_path_factory.mktemp("scan") / "report.json"
    data_dir = out.parent / "data"
    data_dir.mkdir()
    env = {**os.environ, "OSTPLAYER_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO / "src")}
    code = (
        "import sys; from tests.reliability.test_hostile_audio import child; child(*sys.argv[1:])"
    )
    # Through a small launcher: Linux carries the peak memory of the process a child replaces
    # at exec() into the child's own peak, and subprocess starts children with vfork(), which
    # shares this (after the UI tests, 1 GB) test process's memory until that exec().
    launcher = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            launcher,
            sys.executable,
            "-c",
            code,
            str(root),
            str(data_dir),
            str(out),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, f"the scanning process failed:\n{result.stderr[-3000:]}"
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def child(root: str, data_dir: str, out: str) -> None:
    """Runs in a fresh process: scan ``root`` with worker processes, then measure and report."""
    import resource
    import signal
    import time
    from multiprocessing import forkserver

    from ostplayer.library.scanner import audio_files, scan_folder
    from ostplayer.store.database import Database
    from ostplayer.store.tracks import TrackRepository

    db = Database(Path(data_dir) / "library.sqlite3")
    repo = TrackRepository(db)
    report = scan_folder(repo, Path(root), workers=2)
    tracks = repo.all()
    db.close()
    # Stop the fork server and wait for it: its workers were reaped by it, so their peak
    # memory is in this process's RUSAGE_CHILDREN from here on.
    forkserver._forkserver._stop()  # type: ignore[attr-defined]
    workers_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scan_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    class Hung(BaseException):
        pass

    def hung(*_: object) -> None:
        raise Hung

    # Each file once more, here, timed: the figures, and the in-process reader's own memory.
    signal.signal(signal.SIGALRM, hung)
    timings: list[tuple[float, str]] = []
    for path, _st in audio_files(Path(root), []):
        signal.alarm(60)  # a hang in Python code here would otherwise hold the test
        started = time.perf_counter()
        try:
            read_tags(path)
        except TagReadError:
            pass
        except Hung:
            timings.append((60.0, str(path)))
            continue
        finally:
            signal.alarm(0)
        timings.append((time.perf_counter() - started, str(path)))
    timings.sort(reverse=True)
    figures = {
        "tracks": [
            {
                "path": str(t.path),
                "title": t.title,
                "duration_ms": t.duration_ms,
                "bitrate_kbps": t.bitrate_kbps,
                "codec": t.codec,
            }
            for t in tracks
        ],
        "problems": [[str(path), reason, message] for path, reason, message in report.problems],
        "unavailable": [str(path) for path in report.unavailable],
        "cancelled": report.cancelled,
        "added": report.added,
        "workers_peak_kb": workers_kb,
        "scan_peak_kb": scan_kb,
        "in_process_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "slowest": timings[:5],
        "read_seconds": sum(seconds for seconds, _ in timings),
    }
    Path(out).write_text(json.dumps(figures), encoding="utf-8")


def test_there_are_enough_mutants_of_every_kind(mutants: tuple[Path, list[Mutant]]) -> None:
    root, made = mutants
    assert len(made) >= 500
    kinds = Counter(m.kind for m in made)
    assert set(kinds) == set(KINDS), kinds
    assert kinds["bit-flip"] >= 100 and kinds["truncated"] >= 100 and kinds["absurd-size"] >= 50
    assert all(m.path(root).is_file() for m in made)
    sparse = [m for m in made if "sparse" in m.name]
    assert sparse and all(m.path(root).stat().st_size == SPARSE_BYTES for m in sparse)
    deepest = max(len(Path(m.name).parts) for m in made)
    assert deepest > 100  # the kind folder, 100 levels, the file


def test_every_file_is_a_track_or_a_problem_with_a_reason(
    mutants: tuple[Path, list[Mutant]], scanned: dict[str, Any]
) -> None:
    root, made = mutants
    tracks = {t["path"]: t for t in scanned["tracks"]}
    problems = {path: (reason, message) for path, reason, message in scanned["problems"]}
    assert not scanned["cancelled"] and scanned["unavailable"] == []
    assert len(problems) == len(scanned["problems"]), "a file was listed twice"
    assert not tracks.keys() & problems.keys(), "a file was both read and refused"
    by_path = {str(m.path(root)): m for m in made}
    # None is lost, and nothing else turns up.
    expected = {path for path, m in by_path.items() if not expected_outside_scan(m)}
    assert tracks.keys() | problems.keys() == expected
    assert scanned["added"] == len(tracks)
    for path, (reason, message) in problems.items():
        assert reason in KNOWN_REASONS, (by_path[path].name, reason)
        assert message.strip() and "\n" not in message, (by_path[path].name, message)
    outcome: dict[str, Counter[str]] = {}
    for path, m in by_path.items():
        kind = outcome.setdefault(m.kind, Counter())
        if path in tracks:
            kind["read"] += 1
        elif path in problems:
            kind[problems[path][0]] += 1
        else:
            kind["not scanned (by design)"] += 1
    # Known answers, so that a scanner that refused or accepted everything could not pass.
    for m in made:
        path = str(m.path(root))
        if m.kind == "intact" or (m.kind == "deep-nesting" and "-cut" not in m.name):
            assert path in tracks, m.name
            assert tracks[path]["title"].startswith("Fixture Tone"), m.name
        if m.kind == "zero-length":
            assert problems[path][0] == "empty", m.name
        if "sparse" in m.name:
            assert problems[path][0] == "corrupt", (m.name, problems.get(path), tracks.get(path))
    # The right format is found behind the wrong extension.
    assert tracks[str(root / "wrong-extension/tone.mp3-as.flac")]["codec"] == "MP3"
    assert tracks[str(root / "wrong-extension/tone.flac-as.mp3")]["codec"] == "FLAC"
    for track in tracks.values():
        assert 0 <= track["duration_ms"] <= MAX_DURATION_MS, track
        assert track["bitrate_kbps"] >= 0, track
    _print_figures(made, scanned, outcome)


def test_memory_stays_bounded(scanned: dict[str, Any]) -> None:
    # Before reads were bounded, one 300 MB file with a 256 MB ID3 tag cost a reader 785 MB,
    # and a 2 GB Vorbis comment length in a large file 16 GB.
    assert scanned["workers_peak_kb"] > 0, "no worker process was measured"
    assert scanned["workers_peak_kb"] < MEMORY_LIMIT_MB * 1024
    assert scanned["scan_peak_kb"] < MEMORY_LIMIT_MB * 1024
    assert scanned["in_process_peak_kb"] < MEMORY_LIMIT_MB * 1024


@pytest.mark.parametrize(
    "name",
    [
        "absurd-size/tone-01-300MB-sparse.mp3",  # ID3 tag size ~256 MB
        "absurd-size/tone-08-300MB-sparse.flac",  # a Vorbis comment of 2 GB
        "absurd-size/tone-10-300MB-sparse.m4a",  # an mvhd atom of 2 GB
        "absurd-size/tone-comment-count-zeros-300MB-sparse.flac",  # 2^31 empty comments
    ],
)
def test_absurd_lengths_are_refused_before_they_are_read(tmp_path: Path, name: str) -> None:
    (mutant,) = make_mutants(tmp_path, only=[name])
    tracemalloc.start()
    try:
        with pytest.raises(TagReadError) as refused:
            read_tags(mutant.path(tmp_path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.reason == "corrupt"
    assert str(refused.value).startswith("damaged file:")
    assert peak < 32 * 1024 * 1024  # nothing near the size the file claims was ever held


def test_durations_no_file_has_are_unknown_not_weeks_long(tmp_path: Path) -> None:
    # Ogg granule position 2^63 - 1 (13 million years), FLAC total samples 2^36 - 1.
    names = ["absurd-size/tone-04.ogg", "absurd-size/tone-03.flac"]
    for mutant in make_mutants(tmp_path, only=names):
        info = read_tags(mutant.path(tmp_path))
        assert info.duration_ms == 0, mutant.name
        assert info.title and info.title[0].startswith("Fixture Tone"), mutant.name


def test_a_position_outside_the_file_is_damage_not_a_disk_error(tmp_path: Path) -> None:
    # An APE tag size of 2 GB made mutagen seek before the start of the file (EINVAL), which
    # was reported as an input/output error, as if the disk were failing.
    (mutant,) = make_mutants(tmp_path, only=["absurd-size/tone-04.wv"])
    with pytest.raises(TagReadError) as refused:
        read_tags(mutant.path(tmp_path))
    assert refused.value.reason == "corrupt"
    assert "outside the file" in str(refused.value)


def test_a_bare_mutagen_error_reads_as_a_sentence(tmp_path: Path) -> None:
    # A cut inside the ID3 header gave "damaged or truncated file (error)".
    (mutant,) = make_mutants(tmp_path, only=["truncated/tone-at-000010.mp3"])
    with pytest.raises(TagReadError) as refused:
        read_tags(mutant.path(tmp_path))
    assert str(refused.value) == "damaged or truncated file"


def _print_figures(
    made: list[Mutant], scanned: dict[str, Any], outcome: dict[str, Counter[str]]
) -> None:
    reasons = Counter(reason for _path, reason, _message in scanned["problems"])
    print(f"\n{len(made)} mutants: {len(scanned['tracks'])} read, {sum(reasons.values())} problems")
    print("  problems by reason: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))
    for kind in KINDS:
        print(f"  {kind}: " + ", ".join(f"{k} {n}" for k, n in outcome[kind].most_common()))
    print(
        f"  peak RSS: worker processes {scanned['workers_peak_kb'] // 1024} MB, scanning "
        f"process {scanned['scan_peak_kb'] // 1024} MB, reading in-process "
        f"{scanned['in_process_peak_kb'] // 1024} MB"
    )
    print(f"  reading every file once in-process: {scanned['read_seconds']:.2f} s in all")
    for seconds, path in scanned["slowest"]:
        print(f"  slow: {seconds * 1000:.0f} ms {Path(path).name}")
