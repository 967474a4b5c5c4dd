"""Background work, with its result handed back to the GUI thread in one place.

Every piece of file I/O longer than a few milliseconds runs here, so the GUI thread never waits
on disk. Subscribers never deal with threads: ``on_done`` always runs on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    # Lives on the GUI thread; a signal emitted from a worker is queued to it.
    done = Signal(object, object)


class Tasks(QObject):
    """Runs callables on a thread pool and delivers their results on the GUI thread."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self._closed = False

    def run(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run ``job`` in the background, then ``on_done(result)`` on the GUI thread.

        A job that raises is logged, and ``on_error(exception)`` runs on the GUI thread instead.
        """

        def work() -> None:
            try:
                result = job()
            except Exception as exc:
                log.exception("background task failed")
                if on_error is not None:
                    self._relay.done.emit(on_error, exc)
                return
            self._relay.done.emit(on_done, result)

        self._pool.start(work)

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for running jobs (at exit); True when they all finished."""
        return self._pool.waitForDone(msecs)

    def close(self) -> None:
        """Deliver no more results: the app is shutting down, and its database is closed."""
        self._closed = True

    def _deliver(self, callback: Callable[[Any], None], result: Any) -> None:
        if self._closed:
            return  # a job that finished after shutdown: nothing is left to show it
        callback(result)
