"""Playback test helpers: the real libvlc engine, which fails (never skips) without libvlc."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.playback.engine import Engine, PlaybackState

if TYPE_CHECKING:
    from ostplayer.playback.vlc_engine import VlcEngine

# Generous: these bound a hang, they never measure speed.
TIMEOUT = 5000

INSTALL = "apt-get install libvlc5 libvlc-bin vlc-plugin-base"


def new_vlc_engine(args: list[str] | None = None, **kwargs: Any) -> VlcEngine:
    """A real libvlc engine made through the factory (or directly with ``args`` or ``kwargs``).

    Fails the test, never skips it, when libvlc is missing.
    """
    from ostplayer.playback.factory import create_engine, vlc_args

    try:
        from ostplayer.playback.vlc_engine import VlcEngine
    except ImportError as exc:  # python-vlc or libvlc missing
        pytest.fail(
            f"libvlc is not installed ({exc}): run make test, which installs it, or {INSTALL}"
        )
    if args is not None or kwargs:
        engine = VlcEngine(vlc_args() if args is None else args, **kwargs)
    else:
        engine = create_engine()
    if not isinstance(engine, VlcEngine):
        reason = getattr(engine, "reason", None)
        short = getattr(reason, "short", "unknown reason")
        pytest.fail(
            f"libvlc is not installed ({short}): run make test, which installs it, or {INSTALL}"
        )
    return engine


@pytest.fixture
def vlc_engine() -> Iterator[VlcEngine]:
    """A real libvlc engine, shut down after the test."""
    engine = new_vlc_engine()
    yield engine
    engine.shutdown()


def start(engine: Engine, qtbot: QtBot, path: Path, past_ms: int = 300) -> None:
    """Load and play ``path`` until the position has passed ``past_ms``."""
    engine.load(path)
    with qtbot.waitSignal(engine.state_changed, timeout=TIMEOUT):
        engine.play()
    assert engine.state() is PlaybackState.PLAYING
    qtbot.waitUntil(lambda: engine.position() > past_ms, timeout=TIMEOUT)
