"""The play queue: which track plays, and which comes next. Pure logic; the service drives it."""

from __future__ import annotations

import enum
import random
from typing import Any


class RepeatMode(enum.Enum):
    """What happens at the end of a track and of the queue."""

    OFF = "off"
    ALL = "all"
    ONE = "one"


class PlayQueue:
    """An ordered list of track ids with a current entry, shuffle and repeat.

    Shuffle plays every entry once, in a random order, before any repeats; turning it on keeps
    the current track playing and shuffles the rest after it.
    """

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self._items: list[int] = []
        self._order: list[int] = []  # indices into _items, in playing order
        self._pos = -1  # index into _order
        self.shuffle = False
        self.repeat = RepeatMode.OFF

    # -- reading -----------------------------------------------------------------------------
    @property
    def items(self) -> list[int]:
        """The track ids, in the order they were queued."""
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def current(self) -> int | None:
        """The current track id, or ``None`` for an empty queue."""
        index = self.current_index()
        return None if index is None else self._items[index]

    def current_index(self) -> int | None:
        """The current entry's index in :attr:`items`."""
        if 0 <= self._pos < len(self._order):
            return self._order[self._pos]
        return None

    # -- changing ----------------------------------------------------------------------------
    def set_items(self, track_ids: list[int], start: int = 0) -> None:
        """Replace the queue; ``start`` (an index into ``track_ids``) becomes current."""
        self._items = list(track_ids)
        self._order = list(range(len(self._items)))
        self._pos = -1
        if self._items:
            start = max(0, min(start, len(self._items) - 1))
            self._pos = start
            if self.shuffle:
                self._shuffle_around(start)

    def append(self, track_ids: list[int]) -> None:
        """Add entries at the end; with shuffle on they join the not-yet-played part at random
        places. An empty queue starts at the first of them."""
        first = len(self._items)
        self._items += track_ids
        added = list(range(first, len(self._items)))
        if self.shuffle and self._pos >= 0:
            for index in added:
                self._order.insert(self._rng.randint(self._pos + 1, len(self._order)), index)
        else:
            self._order += added
        if self._pos < 0 and self._items:
            self._pos = 0

    def jump(self, index: int) -> int | None:
        """Make the entry at ``index`` of :attr:`items` current."""
        if not 0 <= index < len(self._items):
            return None
        self._pos = self._order.index(index)
        return self.current()

    def set_shuffle(self, on: bool) -> None:
        """Turn shuffle on or off without changing the current track."""
        self.shuffle = on
        current = self.current_index()
        if on and current is not None:
            self._shuffle_around(current)
        else:
            self._order = list(range(len(self._items)))
            self._pos = -1 if current is None else current

    def next(self, *, automatic: bool = False) -> int | None:
        """Move to the next track and return it; ``None`` at the end of the queue.

        ``automatic`` is the end of a track: repeat-one then plays the same track again.
        Pressing Next always moves on.
        """
        if not self._items:
            return None
        if automatic and self.repeat == RepeatMode.ONE:
            return self.current()
        if self._pos + 1 < len(self._order):
            self._pos += 1
            return self.current()
        if self.repeat == RepeatMode.OFF:
            return None
        if self.shuffle:  # a fresh round, never starting with the track that just played
            last = self.current_index()
            self._order = self._rng.sample(range(len(self._items)), len(self._items))
            if len(self._order) > 1 and self._order[0] == last:
                self._order.append(self._order.pop(0))
        self._pos = 0
        return self.current()

    def previous(self) -> int | None:
        """Move to the previous track; at the start, wrap with repeat-all, else stay."""
        if not self._items:
            return None
        if self._pos > 0:
            self._pos -= 1
        elif self.repeat != RepeatMode.OFF:
            self._pos = len(self._order) - 1
        return self.current()

    def _shuffle_around(self, first: int) -> None:
        rest = [i for i in range(len(self._items)) if i != first]
        self._rng.shuffle(rest)
        self._order = [first, *rest]
        self._pos = 0

    # -- saving ------------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """A JSON-ready snapshot, for the next launch."""
        return {
            "items": self._items,
            "order": self._order,
            "pos": self._pos,
            "shuffle": self.shuffle,
            "repeat": self.repeat.value,
        }

    def restore(self, state: dict[str, Any], known: set[int] | None = None) -> bool:
        """Load a snapshot; ids not in ``known`` (tracks gone from the library) are dropped.

        Returns True when the snapshot's current track is still the current one.
        """
        try:
            items = [int(i) for i in state.get("items", [])]
            order = [int(i) for i in state.get("order", [])]
            pos = int(state.get("pos", -1))
            self.shuffle = bool(state.get("shuffle", False))
            self.repeat = RepeatMode(state.get("repeat", "off"))
        except (TypeError, ValueError, AttributeError):
            return False
        if sorted(order) != list(range(len(items))):
            order = list(range(len(items)))
        current = order[pos] if 0 <= pos < len(order) else None
        keep = [i for i in range(len(items)) if known is None or items[i] in known]
        remap = {old: new for new, old in enumerate(keep)}
        self._items = [items[i] for i in keep]
        self._order = [remap[i] for i in order if i in remap]
        if current in remap:
            self._pos = self._order.index(remap[current])
            return True
        self._pos = 0 if self._items else -1
        return False
