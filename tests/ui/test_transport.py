"""The transport bar on its own: lengths it cannot hold do not break it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ostplayer.ui.transport import TransportBar


def test_a_hostile_length_is_clamped_not_raised(qtbot: QtBot) -> None:
    bar = TransportBar()
    qtbot.addWidget(bar)
    # libvlc reports whatever a damaged header claims; a slider holds a C int.
    bar.show_position(1_000, 2**40)
    assert bar.seek_slider.maximum() == 2**31 - 1
    bar.show_position(1_000, 60_000)
    assert bar.seek_slider.maximum() == 60_000
