"""The command line works without libvlc and without a display, and never shows a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ostplayer import __version__
from ostplayer.cli import display_problem, main


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ostplayer", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_version_needs_no_vlc_and_no_display(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["OSTPLAYER_VLC_DISABLE"] = "1"
    env.pop("QT_QPA_PLATFORM", None)
    result = run("--version", env=env)
    assert result.returncode == 0
    assert result.stdout.strip() == f"ostplayer {__version__}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only X11/Wayland need a display")
def test_no_display_gives_one_clear_line_not_a_qt_abort(data_dir: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = run(env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no display found" in lines[0]
    assert "Traceback" not in result.stderr
    assert not any(data_dir.iterdir())  # nothing was written


def test_display_problem_rules() -> None:
    if not sys.platform.startswith("linux"):
        assert display_problem({}) is None
        return
    assert display_problem({}) is not None
    assert display_problem({"DISPLAY": ":0"}) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--no-such-option"])
    assert exc.value.code == 2
    assert "usage: ostplayer" in capsys.readouterr().err
