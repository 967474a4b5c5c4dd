"""Playing hostile files through the real app and the real libvlc never takes the app down.

A child process runs the whole app (window offscreen, libvlc with ``--aout=dummy``) on a fresh
data dir, puts 40 mutants of every kind in its library (read as a scan would, or, when they
cannot be read, as files that were damaged after they were scanned), and plays them one after
the other through the player service for a moment each. It writes one line per file as it
goes, so if it dies the last line names the file that killed it. Every file must end in sound,
in an error message for people, or in an end; the process must exit cleanly, and no Python
exception may have been raised in a slot along the way (the app would live on, but something
shown would be wrong).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.mutants import SEED, Mutant, all_mutants, expected_outside_scan, make_mutants

pytestmark = pytest.mark.vlc

REPO = Path(__file__).resolve().parents[2]
#: How many mutants of each kind are played (40 in all).
SAMPLE = {
    "intact": 4,
    "bit-flip": 7,
    "truncated": 6,
    "absurd-size": 8,
    "zero-length": 2,
    "wrong-extension": 4,
    "random-bytes": 5,
    "odd-name": 1,
    "deep-nesting": 3,
}
#: How long a file may take to make a sound, fail or end (bounds a hang; never a speed test).
#: libvlc takes about 4 s to get through the 300 MB of zeros after a 256 MB ID3 tag.
PLAY_WAIT_S = 15.0
#: Play position that counts as playing.
PLAYED_MS = 200
CHILD_TIMEOUT_S = 180


#: Always played: a 300 MB sparse file with a 256 MB ID3 tag, and a header whose length is
#: 13 million years.
ALWAYS = ("absurd-size/tone-01-300MB-sparse.mp3", "absurd-size/tone-04.ogg")


def sample() -> list[Mutant]:
    """The mutants played: :data:`ALWAYS`, and a fixed, seeded choice from each kind."""
    rng = random.Random(SEED)
    by_kind: dict[str, list[Mutant]] = {}
    for mutant in all_mutants():
        if not expected_outside_scan(mutant):
            by_kind.setdefault(mutant.kind, []).append(mutant)
    chosen: list[Mutant] = []
    for kind, count in SAMPLE.items():
        always = [m for m in by_kind[kind] if m.name in ALWAYS]
        others = [m for m in by_kind[kind] if m.name not in ALWAYS]
        chosen += always + rng.sample(others, count - len(always))
    return chosen


def child(root: str, data_dir: str, names_file: str, out: str) -> None:
    """Runs in a fresh process: the app with libvlc plays each named mutant for a moment."""
    import time
    import traceback

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from ostplayer.app import Application
    from ostplayer.domain.track import Track
    from ostplayer.library.tagreader import TagReadError, read_tags
    from ostplayer.paths import AppPaths
    from ostplayer.playback.engine import PlaybackState
    from ostplayer.playback.factory import create_engine

    slot_errors: list[str] = []

    def excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        # An exception raised in a Qt slot lands here; the app would carry on.
        slot_errors.append("".join(traceback.format_exception(kind, value, tb)))
        sys.__excepthook__(kind, value, tb)

    sys.excepthook = excepthook
    qapp = QApplication([sys.argv[0]])
    app = Application(qapp, AppPaths(Path(data_dir)), create_engine)
    log = Path(out).open("w", encoding="utf-8")  # noqa: SIM115 - closed at the end

    def write(record: dict[str, Any]) -> None:
        log.write(json.dumps(record) + "\n")
        log.flush()

    def wait_until(done: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                return False
            qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)
        return True

    ready: list[bool] = []
    app.ready.connect(lambda: ready.append(True))
    app.start()
    if not wait_until(lambda: bool(ready), 60):
        write({"fatal": "the app did not finish starting"})
        return
    engine = app.engine
    if engine is None or not engine.available:
        write({"fatal": "libvlc is not available: run make test, which installs it"})
        return

    names = json.loads(Path(names_file).read_text(encoding="utf-8"))
    rows = []
    for name in names:
        path = Path(root) / name
        try:
            track = read_tags(path).to_track(path)  # as a scan would have stored it
        except TagReadError:
            track = Track(path, title=name)  # damaged after it was scanned
        st = path.stat()
        rows.append((track, st.st_size, st.st_mtime_ns))
    ids = app.tracks.save_many(rows)
    loaded: list[bool] = []
    app.library.load(lambda: loaded.append(True))
    if not wait_until(lambda: bool(loaded), 60):
        write({"fatal": "the library did not load"})
        return

    messages: list[str] = []
    ended: list[bool] = []
    app.player.status.connect(messages.append)
    engine.track_ended.connect(lambda: ended.append(True))
    for name, track_id in zip(names, ids, strict=True):
        messages.clear()
        ended.clear()
        errors_before = len(slot_errors)
        started = time.monotonic()
        app.player.play_tracks([track_id])

        def settled() -> bool:
            playing = engine.state() is PlaybackState.PLAYING and engine.position() > PLAYED_MS
            return playing or bool(messages) or bool(ended)

        wait_until(settled, PLAY_WAIT_S)
        if messages:
            outcome = "error"
        elif ended:
            outcome = "ended"
        elif engine.state() is PlaybackState.PLAYING and engine.position() > PLAYED_MS:
            outcome = "played"
        else:
            outcome = "no sound yet"
        position, duration = engine.position(), engine.duration()
        app.player.stop()
        wait_until(lambda: engine.state() is PlaybackState.STOPPED, 2)
        write(
            {
                "name": name,
                "outcome": outcome,
                "messages": list(messages),
                "position_ms": position,
                "duration_ms": duration,
                "seconds": round(time.monotonic() - started, 3),
                "slot_errors": slot_errors[errors_before:],
                "shown_max": app.window.transport.seek_slider.maximum(),
            }
        )
    app.window.close()
    app.shutdown()
    write({"done": True, "slot_errors": len(slot_errors)})
    log.close()


def test_playing_hostile_files_never_takes_the_app_down(tmp_path: Path) -> None:
    chosen = sample()
    assert len(chosen) == 40
    assert {m.kind for m in chosen} == set(SAMPLE)
    root = tmp_path / "mutants"
    make_mutants(root, only=[m.name for m in chosen])
    names_file = tmp_path / "names.json"
    names_file.write_text(json.dumps([m.name for m in chosen]), encoding="utf-8")
    data_dir = tmp_path / "data"
    out = tmp_path / "played.jsonl"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "OSTPLAYER_VLC_ARGS": "--aout=dummy",
        "OSTPLAYER_DATA_DIR": str(data_dir),
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no MPRIS player on the desktop's bus
    code = "import sys; from tests.reliability.test_play_hostile import child; child(*sys.argv[1:])"
    result = subprocess.run(
        [sys.executable, "-c", code, str(root), str(data_dir), str(names_file), str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    last = records[-1].get("name", records[-1]) if records else "nothing"
    assert result.returncode == 0, (
        f"the app died (exit {result.returncode}) after {last}:\n{result.stderr[-3000:]}"
    )
    fatal = [r["fatal"] for r in records if "fatal" in r]
    assert not fatal, fatal
    assert records[-1] == {"done": True, "slot_errors": 0}, records[-1]
    played = {r["name"]: r for r in records[:-1]}
    assert list(played) == [m.name for m in chosen], "a file was never played"
    kinds = {m.name: m.kind for m in chosen}
    for name, record in played.items():
        assert record["slot_errors"] == [], (name, record["slot_errors"])
        assert record["outcome"] in ("played", "error", "ended"), record
        if record["outcome"] == "error":
            # A message for people that names the file, once per failure.
            assert record["messages"], record
            assert all(Path(name).name in m for m in record["messages"]), record
        assert 0 <= record["shown_max"] < 2**31, record
        if kinds[name] == "intact" and not name.endswith(".wv"):
            # libvlc 3 as packaged here decodes nothing of ffmpeg's own WavPack: the engine
            # reports it as a file it cannot play (see tests/playback/test_vlc_engine.py).
            assert record["outcome"] == "played", record
        if kinds[name] == "zero-length":
            assert record["outcome"] == "error", record
    figures = Counter(r["outcome"] for r in played.values())
    slowest = max(played.values(), key=lambda r: r["seconds"])
    print(
        f"\nplayed {len(played)} mutants through the app and libvlc: "
        + ", ".join(f"{k} {n}" for k, n in figures.most_common())
        + f"; slowest to settle {slowest['seconds']:.2f} s ({slowest['name']})"
    )
    for name, record in played.items():
        print(f"  {record['outcome']:>6} {kinds[name]:<15} {name}")
