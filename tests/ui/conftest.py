"""Fixtures for the window's tests."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from tests.conftest import MakeApp


@pytest.fixture
def app(make_app: MakeApp, qtbot: QtBot) -> Application:
    """The real app on the demo OST, once its moods have been read (the sidebar, the builder
    and smart playlists need them)."""
    app = make_app()
    qtbot.waitUntil(lambda: app.moods.mixer() is not None, timeout=10_000)
    return app
