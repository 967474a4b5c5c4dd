"""The play queue: order, shuffle, repeat, and saving it for the next launch."""

from __future__ import annotations

import random

from ostplayer.playback.queue import PlayQueue, RepeatMode


def make(ids: list[int], start: int = 0, **kw: object) -> PlayQueue:
    queue = PlayQueue(random.Random(7))
    for key, value in kw.items():
        setattr(queue, key, value)
    queue.set_items(ids, start)
    return queue


def test_next_and_previous_in_order() -> None:
    queue = make([10, 20, 30], start=1)
    assert queue.current() == 20
    assert queue.next() == 30
    assert queue.next() is None  # end of the queue with repeat off
    assert queue.current() == 30
    assert queue.previous() == 20
    assert queue.previous() == 10
    assert queue.previous() == 10  # stays at the start


def test_repeat_all_wraps_both_ways() -> None:
    queue = make([1, 2], repeat=RepeatMode.ALL)
    assert queue.next() == 2
    assert queue.next() == 1
    assert queue.previous() == 2


def test_repeat_one_repeats_only_at_track_end() -> None:
    queue = make([1, 2], repeat=RepeatMode.ONE)
    assert queue.next(automatic=True) == 1
    assert queue.next() == 2  # pressing Next moves on


def test_shuffle_plays_each_once_starting_with_current() -> None:
    queue = make(list(range(20)), start=5)
    queue.set_shuffle(True)
    played = [queue.current()]
    while (nxt := queue.next()) is not None:
        played.append(nxt)
    assert played[0] == 5
    assert sorted(played) == list(range(20))
    assert played != list(range(5, 20)) + list(range(5))  # really shuffled


def test_shuffle_off_keeps_current_and_returns_to_order() -> None:
    queue = make(list(range(10)), start=3, shuffle=True)
    queue.next()
    current = queue.current()
    queue.set_shuffle(False)
    assert queue.current() == current
    assert queue.next() == (current + 1 if current < 9 else None)


def test_shuffle_repeat_all_new_round_does_not_repeat_last() -> None:
    queue = make([1, 2, 3], shuffle=True, repeat=RepeatMode.ALL)
    for _ in range(50):
        before = queue.current()
        after = queue.next()
        assert after is not None
        assert after != before


def test_state_round_trip_drops_unknown_tracks() -> None:
    queue = make([1, 2, 3, 4], start=2, shuffle=True)
    state = queue.to_state()
    restored = PlayQueue()
    assert restored.restore(state, known={1, 2, 3, 4})
    assert restored.items == [1, 2, 3, 4]
    assert restored.current() == queue.current()
    assert restored.shuffle

    gone = PlayQueue()
    assert not gone.restore(state, known={1, 2, 4} - {queue.current()})
    assert queue.current() not in gone.items


def test_restore_ignores_garbage() -> None:
    queue = PlayQueue()
    assert not queue.restore({"items": "nope", "repeat": "sideways"})
    assert queue.current() is None
    assert not queue.restore({"items": [1, 2], "order": [5, 5], "pos": 9})
    assert queue.items == [1, 2]


def test_append_adds_at_the_end_and_starts_an_empty_queue() -> None:
    queue = PlayQueue()
    queue.append([4, 5])
    assert (queue.items, queue.current()) == ([4, 5], 4)
    queue.next()
    queue.append([6])
    assert queue.items == [4, 5, 6]
    assert (queue.next(), queue.next()) == (6, None)


def test_append_with_shuffle_plays_the_new_entries_later() -> None:
    queue = PlayQueue(random.Random(3))
    queue.set_items([1, 2, 3])
    queue.set_shuffle(True)
    played = [queue.current()]
    queue.append([7, 8])
    while (track := queue.next()) is not None:
        played.append(track)
    assert sorted(played) == [1, 2, 3, 7, 8]  # each once, the new ones included
