"""The real ``ostplayer`` command, twice on one data dir: the second launch plays its file in
the first window, and the remote-control options drive it. Real libvlc (dummy audio output),
real sockets, real processes; these never skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ostplayer.desktop.instance import LOCK_FILE
from tests.conftest import DATA

pytestmark = pytest.mark.vlc

OSTPLAYER = Path(sys.executable).with_name("ostplayer")


@pytest.fixture
def env(data_dir: Path) -> dict[str, str]:
    assert OSTPLAYER.is_file(), f"{OSTPLAYER} is missing: run `make test` (pip install -e .)"
    values = dict(os.environ)
    values.pop("OSTPLAYER_DATA_DIR", None)  # --data-dir says it each time
    values.update(QT_QPA_PLATFORM="offscreen", OSTPLAYER_VLC_ARGS="--aout=dummy")
    return values


@pytest.fixture
def launched(env: dict[str, str]) -> Iterator[list[subprocess.Popen[str]]]:
    """Apps started by the test; any still running at the end is killed."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def run(env: dict[str, str], data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(OSTPLAYER), "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def status(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    result = run(env, data_dir, "--status", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_second_launch_plays_its_file_in_the_first_window(
    env: dict[str, str], data_dir: Path, launched: list[subprocess.Popen[str]]
) -> None:
    # Two launches at once: one window, and the other hands its file to it.
    for args in ([str(DATA / "tone.wav")], []):
        launched.append(
            subprocess.Popen(
                [str(OSTPLAYER), "--data-dir", str(data_dir), *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    wait_for(lambda: run(env, data_dir, "--status").returncode == 0, "the app to answer", 60)
    wait_for(lambda: any(p.poll() is not None for p in launched), "one launch to hand over")
    (gone,) = [p for p in launched if p.poll() is not None]
    (app,) = [p for p in launched if p.poll() is None]
    assert gone.returncode == 0, gone.communicate()
    assert (data_dir / LOCK_FILE).exists()
    # Whichever launch won, the file given at start-up plays (after the session came back).
    wait_for(lambda: status(env, data_dir)["path"] == str(DATA / "tone.wav"), "tone.wav")

    result = run(env, data_dir, str(DATA / "tone.ogg"), str(DATA / "tone.flac"))
    assert (result.returncode, result.stderr) == (0, "")
    wait_for(lambda: status(env, data_dir)["state"] == "playing", "tone.ogg to play")
    now = status(env, data_dir)
    assert now["path"] == str(DATA / "tone.ogg")
    assert now["title"] == "Fixture Tone (Ogg Vorbis)"
    assert (now["queue_index"], now["queue_length"], now["duration_ms"]) == (0, 2, 6000)

    assert run(env, data_dir, "--pause").returncode == 0
    wait_for(lambda: status(env, data_dir)["state"] == "paused", "the pause")
    assert run(env, data_dir, "--seek", "0:01").returncode == 0
    assert abs(status(env, data_dir)["position_ms"] - 1000) <= 150
    assert run(env, data_dir, "--seek", "+2").returncode == 0
    assert abs(status(env, data_dir)["position_ms"] - 3000) <= 150
    text = run(env, data_dir, "--status")
    assert text.stdout.splitlines()[0] == "Paused: Fixture Tone (Ogg Vorbis)"
    assert "Position: 0:03 / 0:06" in text.stdout

    assert run(env, data_dir, "--next").returncode == 0
    wait_for(lambda: status(env, data_dir)["path"] == str(DATA / "tone.flac"), "the next track")
    wait_for(lambda: status(env, data_dir)["state"] == "playing", "the next track to play")
    assert run(env, data_dir, "--stop").returncode == 0
    wait_for(lambda: status(env, data_dir)["state"] == "stopped", "the stop")

    missing = run(env, data_dir, str(data_dir / "gone.ogg"))
    assert missing.returncode == 1
    assert (
        missing.stderr == f"ostplayer: {data_dir / 'gone.ogg'}: there is no such file or folder\n"
    )

    assert run(env, data_dir, "--quit").returncode == 0
    assert app.wait(30) == 0
    _out, err = app.communicate()
    assert "Traceback" not in err
    after = run(env, data_dir, "--status")
    assert (after.returncode, after.stderr) == (3, "ostplayer: OST Player is not running\n")
    assert not (data_dir / LOCK_FILE).exists()
