"""create_engine(): the real engine when libvlc loads, and a stand-in that explains when not."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.playback.engine import PlaybackState, UnavailableEngine
from ostplayer.playback.factory import (
    DEFAULT_VLC_ARGS,
    create_engine,
    install_command,
    install_hint,
    vlc_args,
)


def test_disable_variable_gives_the_unavailable_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSTPLAYER_VLC_DISABLE", "1")
    engine = create_engine()
    assert isinstance(engine, UnavailableEngine)
    assert not engine.available
    assert "OSTPLAYER_VLC_DISABLE" in engine.reason.short
    assert engine.reason.long == install_hint()


def test_missing_python_vlc_gives_the_unavailable_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "vlc", None)  # makes `import vlc` raise ImportError
    engine = create_engine()
    assert isinstance(engine, UnavailableEngine)
    assert engine.reason.short == "VLC is not installed"
    assert "Install it with:" in engine.reason.long


def test_arguments_libvlc_refuses_give_the_unavailable_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OSTPLAYER_VLC_ARGS", "--aout=dummy --no-such-option-anywhere")
    engine = create_engine()
    assert isinstance(engine, UnavailableEngine)
    assert engine.reason.short == "VLC could not be started"
    assert "--no-such-option-anywhere" in engine.reason.long


def test_unavailable_engine_explains_on_play(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, fixture_file: object
) -> None:
    monkeypatch.setenv("OSTPLAYER_VLC_DISABLE", "1")
    engine = create_engine()
    path = fixture_file("ogg")  # type: ignore[operator]
    engine.load(path)
    assert engine.current_path() == path
    with qtbot.waitSignal(engine.error, timeout=1000) as blocker:
        engine.play()
    assert blocker.args[0].startswith("Playback needs VLC: ")
    assert engine.state() is PlaybackState.STOPPED
    engine.seek(1500)
    assert engine.position() == 1500  # remembered for when VLC is there
    engine.shutdown()


def test_vlc_args_defaults_then_environment() -> None:
    args = vlc_args({"OSTPLAYER_VLC_ARGS": '--aout=dummy --meta-title="a b"'})
    assert args == [*DEFAULT_VLC_ARGS, "--aout=dummy", "--meta-title=a b"]
    assert "--no-video" in args
    assert "--quiet" in args
    assert vlc_args({}) == list(DEFAULT_VLC_ARGS)


@pytest.mark.parametrize(
    ("system", "os_release", "expected"),
    [
        ("Linux", {"ID": "debian"}, "sudo apt-get install libvlc5 libvlc-bin vlc-plugin-base"),
        (
            "Linux",
            {"ID": "linuxmint", "ID_LIKE": "ubuntu debian"},
            "sudo apt-get install libvlc5 libvlc-bin vlc-plugin-base",
        ),
        ("Linux", {"ID": "fedora"}, "sudo dnf install vlc-libs vlc-plugins-base vlc-plugin-ffmpeg"),
        ("Linux", {"ID": "endeavouros", "ID_LIKE": "arch"}, "sudo pacman -S vlc"),
        ("Darwin", {}, "brew install --cask vlc"),
        ("Windows", {}, "Install VLC 64-bit from videolan.org (the official installer)."),
        ("Linux", {"ID": "gentoo"}, None),
        ("FreeBSD", {}, None),
    ],
)
def test_install_command_per_system(
    system: str, os_release: dict[str, str], expected: str | None
) -> None:
    assert install_command(system, os_release) == expected


def test_install_hint_names_the_command_or_the_fallback() -> None:
    assert "brew install --cask vlc" in install_hint("Darwin", {})
    assert "with your package manager" in install_hint("Linux", {"ID": "gentoo"})


def test_importing_the_factory_does_not_load_libvlc() -> None:
    code = (
        "import sys, ostplayer.playback.factory, ostplayer.playback.engine; "
        "print('vlc' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
