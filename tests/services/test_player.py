"""The player service: the queue through an engine, with the contract's fake engine.

The same behaviours are proven once against real libvlc in tests/test_app_vlc.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.domain.track import Track
from ostplayer.playback.engine import PlaybackState
from ostplayer.playback.queue import RepeatMode
from ostplayer.services.player import PlayerService
from ostplayer.store.database import Database
from ostplayer.store.state import StateRepository
from tests.fakes import FakeEngine

TRACKS = {i: Track(id=i, path=Path(f"/virtual/{i}.ogg"), title=f"T{i}") for i in (1, 2, 3, 4)}
DURATIONS = {t.path: 60_000 for t in TRACKS.values()}


class Clock:
    """A hand-driven monotonic clock, in seconds."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def state(data_dir: Path) -> StateRepository:
    return StateRepository(Database(data_dir / "library.sqlite3"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(qapp: object, clock: Clock) -> FakeEngine:
    return FakeEngine(durations=DURATIONS, now=clock)


@pytest.fixture
def player(state: StateRepository, engine: FakeEngine) -> PlayerService:
    service = PlayerService(TRACKS.get, state)
    service.attach_engine(engine)
    return service


def test_play_tracks_loads_and_plays_the_start(player: PlayerService, engine: FakeEngine) -> None:
    seen: list[Track | None] = []
    player.current_changed.connect(seen.append)
    player.play_tracks([1, 2, 3], start=1)
    assert engine.current_path() == TRACKS[2].path
    assert engine.state() == PlaybackState.PLAYING
    assert seen == [TRACKS[2]]


def test_track_end_advances_then_the_queue_ends(player: PlayerService, engine: FakeEngine) -> None:
    player.play_tracks([1, 2])
    engine.finish()
    assert engine.current_path() == TRACKS[2].path
    assert engine.state() == PlaybackState.PLAYING
    engine.finish()
    assert engine.state() == PlaybackState.STOPPED
    assert player.queue.current() == 2


def test_repeat_one_plays_the_same_track_again(player: PlayerService, engine: FakeEngine) -> None:
    player.set_repeat(RepeatMode.ONE)
    player.play_tracks([1, 2])
    engine.finish()
    assert engine.current_path() == TRACKS[1].path
    assert engine.state() == PlaybackState.PLAYING


def test_previous_restarts_after_three_seconds(
    player: PlayerService, engine: FakeEngine, clock: Clock
) -> None:
    player.play_tracks([1, 2, 3], start=1)
    clock.t += 10
    assert engine.position() == 10_000
    player.previous()
    assert engine.current_path() == TRACKS[2].path
    assert engine.position() == 0
    clock.t += 2
    player.previous()
    assert engine.current_path() == TRACKS[1].path


def test_next_and_seek_by_stay_inside_the_track(player: PlayerService, engine: FakeEngine) -> None:
    player.play_tracks([1, 2])
    player.seek_by(-5000)
    assert engine.position() == 0
    player.seek_by(5000)
    assert engine.position() == 5000
    player.seek_by(10**9)
    assert engine.position() < 60_000
    player.next()
    assert engine.current_path() == TRACKS[2].path
    player.next()  # past the end: stop, keep the queue
    assert engine.state() == PlaybackState.STOPPED


def test_unplayable_files_are_skipped_and_three_in_a_row_stop_the_queue(
    qtbot: QtBot, state: StateRepository, engine: FakeEngine
) -> None:
    missing = {i: Track(id=i, path=Path(f"/gone/{i}.ogg")) for i in (11, 12, 13, 14)}
    player = PlayerService({**TRACKS, **missing}.get, state)
    player.attach_engine(engine)
    messages: list[str] = []
    player.status.connect(messages.append)
    loads: list[Path | None] = []
    player.current_changed.connect(lambda t: loads.append(t.path if t else None))

    # One bad file between good ones: reported, skipped, and the next one plays.
    player.play_tracks([11, 1])
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert engine.current_path() == TRACKS[1].path
    assert "no longer exists" in messages[0]

    # Repeat-all over bad files only: three failures, then a stop, never a spin.
    player.set_repeat(RepeatMode.ALL)
    loads.clear()
    player.play_tracks([12, 13, 14])
    qtbot.waitUntil(lambda: any("Stopped" in m for m in messages), timeout=2000)
    qtbot.wait(50)  # a spinning queue would go on loading here
    assert len(loads) == 3
    assert engine.state() == PlaybackState.STOPPED


def test_commands_before_the_engine_arrives(state: StateRepository, engine: FakeEngine) -> None:
    player = PlayerService(TRACKS.get, state)
    player.play_tracks([3, 4])
    assert player.current_track() == TRACKS[3]
    player.attach_engine(engine)
    assert engine.current_path() == TRACKS[3].path
    assert engine.state() == PlaybackState.PLAYING


def test_session_comes_back_paused_where_it_was(
    state: StateRepository, engine: FakeEngine, clock: Clock
) -> None:
    player = PlayerService(TRACKS.get, state)
    player.attach_engine(engine)
    player.set_shuffle(True)
    player.set_volume(40)
    player.play_tracks([1, 2, 3], start=2)
    clock.t += 42.5
    player.save_session()

    again = PlayerService(TRACKS.get, state)
    again.restore_session(set(TRACKS))
    fresh = FakeEngine(durations=DURATIONS, now=clock)
    again.attach_engine(fresh)
    assert again.current_track() == TRACKS[3]
    assert fresh.current_path() == TRACKS[3].path
    assert fresh.state() == PlaybackState.STOPPED  # paused, not playing
    assert fresh.position() == 42_500
    assert fresh.volume() == 40
    assert again.queue.shuffle
    fresh.play()
    assert fresh.position() == 42_500


def test_session_forgets_tracks_gone_from_the_library(
    player: PlayerService, state: StateRepository, engine: FakeEngine, clock: Clock
) -> None:
    player.play_tracks([1, 2, 3], start=1)
    clock.t += 20
    player.save_session()
    again = PlayerService(TRACKS.get, state)
    again.restore_session({1, 3})
    again.attach_engine(FakeEngine(durations=DURATIONS, now=clock))
    assert again.queue.items == [1, 3]
    assert again.engine is not None
    assert again.engine.position() == 0  # the position belonged to the missing track
