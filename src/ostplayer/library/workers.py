"""Reading tags in worker processes, so that no file can take the app down or stall a scan.

mutagen's own fuzzers still find crashes and endless loops in it. Each worker process reads
files one by one and sends each result back as soon as it has it; the parent watches the
workers. A worker that has been silent for longer than the time limit while it holds a file
is killed, and that file is reported as timed out; a worker that dies (a crash in C, the
memory killer) has its file reported as crashing the reader. The files it had not reached
yet are handed to a fresh worker. Two workers also read about twice as fast on two cores.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from ostplayer.library.tagreader import TagInfo

#: Seconds a worker may spend on one file before it is killed.
TIMEOUT_S = 10.0
#: Files handed to a worker at once; it answers file by file.
CHUNK = 16
#: Seconds a new worker may take to say it is ready.
START_TIMEOUT_S = 20.0


class WorkerStartError(Exception):
    """Worker processes cannot be started here; the caller reads in its own process."""


Outcome = tuple[Path, TagInfo | None, tuple[str, str] | None]  # path, tags, (reason, message)


def read_in_worker(path: Path) -> TagInfo:
    """What a worker does with one file (tests pass their own misbehaving reader)."""
    from ostplayer.library.tagreader import read_tags

    return read_tags(path)


def _worker_main(conn: Connection, read: Callable[[Path], TagInfo]) -> None:
    from ostplayer.library.tagreader import TagReadError

    conn.send("ready")  # proves the process started and can read: crashes after this are files'
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        for index, path in job:
            try:
                conn.send((index, read(path), None))
            except TagReadError as exc:
                conn.send((index, None, (exc.reason, str(exc))))
            except BaseException as exc:  # the reader must never decide the worker's fate
                message = f"the tag reader failed on this file ({type(exc).__name__})"
                conn.send((index, None, ("corrupt", message)))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    inflight: deque[tuple[int, Path]] = field(default_factory=deque)
    heard_at: float = 0.0


def _context() -> Any:
    # Never plain fork: the app has threads (Qt, libvlc), and forking them is unsafe.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class WorkerPool:
    """Reads many files' tags in ``workers`` processes, each file within ``timeout_s``."""

    def __init__(
        self,
        workers: int = 2,
        timeout_s: float = TIMEOUT_S,
        read: Callable[[Path], TagInfo] = read_in_worker,
    ) -> None:
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self._read = read
        self._ctx = _context()

    def read(
        self, paths: list[Path], cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[Outcome]:
        """Yield ``(path, tags, None)`` or ``(path, None, (reason, message))`` for every path.

        Results come in the order workers finish them. Stops early when ``cancelled()``.
        """
        pending: deque[tuple[int, Path]] = deque(enumerate(paths))
        pool = [self._start() for _ in range(min(self.workers, len(paths)))]
        try:
            while pending or any(w.inflight for w in pool):
                if cancelled():
                    return
                for i, worker in enumerate(pool):
                    if worker.conn.closed:
                        pool[i] = worker = self._start()
                    if pending and len(worker.inflight) <= CHUNK // 2:
                        self._hand(worker, pending)
                busy = [w.conn for w in pool if w.inflight]
                for conn in wait(busy, timeout=min(0.25, self.timeout_s)):
                    worker = next(w for w in pool if w.conn is conn)
                    outcome = self._receive(worker, pending)
                    if outcome is not None:
                        yield outcome
                    # A retired worker (closed pipe) is replaced at the top of the loop.
                now = time.monotonic()
                for i, worker in enumerate(pool):
                    if worker.inflight and now - worker.heard_at > self.timeout_s:
                        _, path = worker.inflight.popleft()
                        self._retire(worker, pending)
                        pool[i] = self._start()
                        limit = f"{self.timeout_s:g}"
                        message = f"reading this file took longer than {limit} s and was stopped"
                        yield path, None, ("timed-out", message)
        finally:
            for worker in pool:
                self._stop(worker)

    # -- workers -------------------------------------------------------------------------------
    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main, args=(child, self._read), name="ostplayer-tags", daemon=True
        )
        process.start()
        child.close()
        try:
            ready = parent.poll(START_TIMEOUT_S) and parent.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            process.kill()
            process.join(5)
            parent.close()
            raise WorkerStartError("the tag reader processes could not be started")
        return _Worker(process, parent, heard_at=time.monotonic())

    def _hand(self, worker: _Worker, pending: deque[tuple[int, Path]]) -> None:
        job = [pending.popleft() for _ in range(min(CHUNK, len(pending)))]
        if not worker.inflight:
            worker.heard_at = time.monotonic()  # the clock runs from when it has work
        worker.inflight.extend(job)
        try:
            worker.conn.send(job)
        except OSError:  # it died between two files: its files go to the next worker
            self._retire(worker, pending)

    def _receive(self, worker: _Worker, pending: deque[tuple[int, Path]]) -> Outcome | None:
        try:
            index, info, problem = worker.conn.recv()
        except (EOFError, OSError):
            # The worker died inside a file: that file is the culprit, the rest go again.
            _, path = worker.inflight.popleft()
            self._retire(worker, pending)
            return path, None, ("corrupt", "reading this file crashed the tag reader")
        worker.heard_at = time.monotonic()
        while worker.inflight and worker.inflight[0][0] != index:
            worker.inflight.popleft()  # cannot happen: a worker answers in order
        _, path = worker.inflight.popleft()
        return path, info, problem

    def _retire(self, worker: _Worker, pending: deque[tuple[int, Path]]) -> None:
        pending.extendleft(reversed(worker.inflight))
        worker.inflight.clear()
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()

    @staticmethod
    def _stop(worker: _Worker) -> None:
        try:
            if not worker.conn.closed:
                worker.conn.send(None)
        except OSError:
            pass
        worker.process.join(1)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(5)
        if not worker.conn.closed:
            worker.conn.close()
