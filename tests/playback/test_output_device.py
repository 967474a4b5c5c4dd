"""Choosing the audio output device: libvlc's own device list, the choice, and the fallback."""

from __future__ import annotations

import pytest

from ostplayer.playback.engine import OutputDevice
from tests.fakes import FakeEngine
from tests.playback.conftest import new_vlc_engine


def test_an_engine_without_devices_plays_to_the_default() -> None:
    engine = FakeEngine()
    assert engine.output_devices() == []
    assert engine.set_output_device(None)
    assert not engine.set_output_device("hw:9")  # not there: the default it is
    assert engine.output_device() is None
    engine.shutdown()


@pytest.mark.vlc
def test_the_dummy_output_lists_no_device() -> None:
    # The tests' usual output (--aout=dummy) has no devices: only "System default" is offered.
    engine = new_vlc_engine()
    try:
        assert engine.output_devices() == []
        assert engine.set_output_device(None)
        assert not engine.set_output_device("default")
    finally:
        engine.shutdown()


@pytest.mark.vlc
def test_alsa_devices_are_listed_chosen_and_given_up_when_gone() -> None:
    """Against libvlc's ALSA output, which lists ALSA's devices even without a sound card.

    Nothing plays here, so no sound card is needed: the choice is what libvlc reports back.
    """
    from ostplayer.playback.factory import DEFAULT_VLC_ARGS

    engine = new_vlc_engine(args=[*DEFAULT_VLC_ARGS, "--aout=alsa"])
    try:
        devices = engine.output_devices()
        ids = [d.id for d in devices]
        assert "null" in ids and "default" in ids, ids
        null = devices[ids.index("null")]
        assert isinstance(null, OutputDevice) and null.description  # ALSA's description
        default = engine.playing_device()
        assert default == "default"

        assert engine.set_output_device("null")
        assert engine.output_device() == "null"
        assert engine.playing_device() == "null"  # libvlc moved the output

        assert engine.set_output_device(None)
        assert engine.playing_device() == default  # back to what it played to at first

        assert engine.set_output_device("null")
        assert not engine.set_output_device("usb-headset-unplugged")
        assert engine.output_device() is None
        assert engine.playing_device() == default  # the vanished device falls back
    finally:
        engine.shutdown()
