"""SIGTERM and SIGINT end the real app as its Quit does: exit 0, the session saved, the lock
released, so the next start finds everything as the listener left it."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from ostplayer.desktop.instance import LOCK_FILE
from tests.conftest import DATA
from tests.desktop.test_app_remote import OSTPLAYER, env, launched, run, status, wait_for

__all__ = ["env", "launched"]  # fixtures, used by name

pytestmark = pytest.mark.vlc


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_quits_cleanly(
    signum: int, env: dict[str, str], data_dir: Path, launched: list[subprocess.Popen[str]]
) -> None:
    proc = subprocess.Popen(
        [str(OSTPLAYER), "--data-dir", str(data_dir), str(DATA / "tone.ogg")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    launched.append(proc)
    wait_for(lambda: run(env, data_dir, "--status").returncode == 0, "the app to answer")
    wait_for(lambda: status(env, data_dir).get("state") == "playing", "the file to play")
    track_id = status(env, data_dir)["track_id"]
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert not (data_dir / LOCK_FILE).exists()  # released: the next start is not kept waiting
    with sqlite3.connect(data_dir / "library.sqlite3") as db:
        [saved] = db.execute("SELECT value FROM state WHERE key = 'session'").fetchone()
    session = json.loads(saved)  # written at shutdown: the track that was playing comes back
    assert track_id in session["queue"]["items"]
