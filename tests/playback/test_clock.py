"""PositionClock with a hand-driven time source: no Qt, no libvlc, no waiting."""

from __future__ import annotations

import pytest

from ostplayer.playback.clock import PositionClock


class FakeTime:
    """A monotonic clock in seconds that moves only when told."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, ms: float) -> None:
        self.now += ms / 1000.0


@pytest.fixture
def t() -> FakeTime:
    return FakeTime()


@pytest.fixture
def clock(t: FakeTime) -> PositionClock:
    return PositionClock(t)


def test_starts_frozen_at_zero(clock: PositionClock, t: FakeTime) -> None:
    assert clock.position() == 0
    assert not clock.running
    t.advance(500)
    assert clock.position() == 0


def test_advances_while_running(clock: PositionClock, t: FakeTime) -> None:
    clock.start()
    t.advance(1234)
    assert clock.running
    assert clock.position() == 1234


def test_freeze_holds_and_start_resumes(clock: PositionClock, t: FakeTime) -> None:
    clock.start()
    t.advance(700)
    clock.freeze()
    t.advance(5000)
    assert clock.position() == 700
    clock.start()
    t.advance(300)
    assert clock.position() == 1000


def test_anchor_re_bases_on_a_report(clock: PositionClock, t: FakeTime) -> None:
    clock.start()
    t.advance(1000)
    clock.anchor(980)  # the backend says we are a little behind
    t.advance(100)
    assert clock.position() == 1080


def test_anchor_at_the_time_of_the_report(clock: PositionClock, t: FakeTime) -> None:
    clock.start()
    reported_at = t.now + 0.5
    t.advance(520)  # handled 20 ms after libvlc made the report
    clock.anchor(500, at=reported_at)
    assert clock.position() == 520


def test_position_at_a_past_instant(clock: PositionClock, t: FakeTime) -> None:
    clock.start()
    t.advance(1000)
    assert clock.position(at=t.now - 0.25) == 750
    clock.freeze()
    assert clock.position(at=t.now - 0.25) == 1000  # frozen: the same at any time


def test_start_at_an_earlier_instant(clock: PositionClock, t: FakeTime) -> None:
    clock.anchor(2000)
    began = t.now
    t.advance(30)  # the Playing event is handled 30 ms after it happened
    clock.start(at=began)
    assert clock.position() == 2030


def test_rate_scales_time_without_a_jump(clock: PositionClock, t: FakeTime) -> None:
    clock.start()
    t.advance(1000)
    clock.set_rate(2.0)
    assert clock.position() == 1000
    t.advance(500)
    assert clock.position() == 2000
    clock.set_rate(0.5)
    t.advance(1000)
    assert clock.position() == 2500
    assert clock.rate == 0.5


def test_clamped_to_duration_and_never_negative(clock: PositionClock, t: FakeTime) -> None:
    clock.set_duration(3000)
    clock.anchor(2900)
    clock.start()
    t.advance(1000)
    assert clock.position() == 3000
    clock.anchor(-50)
    assert clock.position() == 0
    clock.set_duration(None)
    clock.anchor(2900)
    t.advance(1000)
    assert clock.position() == 3900


def test_reset_for_a_new_track(clock: PositionClock, t: FakeTime) -> None:
    clock.set_duration(1000)
    clock.anchor(800)
    clock.start()
    clock.reset()
    t.advance(400)
    assert not clock.running
    assert clock.position() == 0
    clock.anchor(5000)
    assert clock.position() == 5000  # no duration limit any more


def test_start_and_freeze_are_idempotent(clock: PositionClock, t: FakeTime) -> None:
    clock.start()
    t.advance(100)
    clock.start()  # a second start must not re-base
    t.advance(100)
    assert clock.position() == 200
    clock.freeze()
    clock.freeze()
    t.advance(100)
    assert clock.position() == 200
