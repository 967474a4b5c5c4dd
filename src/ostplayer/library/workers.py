"""Reading tags in worker processes, so that no file can take the app down or stall a scan.

mutagen's own fuzzers still find crashes and endless loops in it. Each worker process reads
the files of a chunk one by one and sends the chunk's results back in one message (one message
per file cost the parent more than the reading). Before each file it writes that file's index
into a shared integer, so the parent always knows which file a worker is on without a message:

- a worker whose shared index has not moved for longer than the time limit is killed, and the
  file it was on is reported as timed out;
- a worker that dies (a crash in C, the memory killer) has that file reported as crashing the
  reader.

Either way the other files of its chunks are handed to a fresh worker. Where the pool can see a
worker's memory (Linux's ``/proc``), a worker holding more than :data:`MEMORY_LIMIT_BYTES` is
stopped the same way: a file that makes the reader allocate without end is that file's problem,
not the machine's. Two workers also read about twice as fast on two cores.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from ostplayer.library.tagreader import (
    FilePath,
    P,
    ScannedFile,
    TagReadError,
    read_for_scan,
    read_under_process_limits,
)

#: Seconds a worker may spend on one file before it is killed.
TIMEOUT_S = 10.0
#: Files handed to a worker at once; it answers once per chunk.
CHUNK = 32
#: Chunks a worker holds at once: enough work (~40 ms) that it never runs dry while the
#: scanning process writes a batch to the database.
DEPTH = 4
#: Seconds a new worker may take to say it is ready.
START_TIMEOUT_S = 20.0
#: Resident memory a worker may hold while it reads. Reading any real file, cover art
#: included, takes a few times :data:`~ostplayer.library.tagreader.MAX_READ_BYTES` at most.
MEMORY_LIMIT_BYTES = 1 << 30
#: Seconds between two looks at the workers' memory (a look reads one small file per worker).
MEMORY_CHECK_S = 0.25


class WorkerStartError(Exception):
    """Worker processes cannot be started here; the caller reads in its own process."""


Problem = tuple[str, str]  # reason, message
Outcome = tuple[P, ScannedFile | None, Problem | None]  # path, what was read, problem


def read_in_worker(path: FilePath) -> ScannedFile:
    """What a worker does with one file (tests pass their own misbehaving reader).

    ``path`` is as the caller gave it: a :class:`~pathlib.Path`, or the bytes of a folder walk.
    The answer is plain tuples, as the database takes them: unpickling a slotted dataclass, or
    making one, cost the scanning process more than its own work.
    """
    return read_for_scan(path)


def _worker_main(
    conn: Connection, read: Callable[[Any], ScannedFile], at: Any, watched: bool
) -> None:
    if watched:
        # The pool stops a file that takes too long or too much memory: the reader may skip
        # its own checks on files no bigger than it ever reads at once.
        read_under_process_limits()
    conn.send("ready")  # proves the process started and can read: crashes after this are files'
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        results: list[tuple[int, ScannedFile | None, Problem | None]] = []
        for index, path in job:
            at.value = index
            try:
                results.append((index, read(path), None))
            except TagReadError as exc:
                results.append((index, None, (exc.reason, str(exc))))
            except BaseException as exc:  # the reader must never decide the worker's fate
                message = f"the tag reader failed on this file ({type(exc).__name__})"
                results.append((index, None, ("corrupt", message)))
        conn.send(results)


def _resident_bytes(pid: int) -> int | None:
    """A process's resident memory, from Linux's ``/proc``; None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:  # noqa: PTH123 - Linux's own file
            return int(statm.read().split()[1]) * mmap.PAGESIZE
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    at: Any  # shared: the index of the file the worker is reading
    inflight: deque[tuple[int, Any]] = field(default_factory=deque)
    last_at: int = -1
    heard_at: float = 0.0  # when ``at`` last moved or a result came


#: Imported once by the fork server, so that every worker forked from it starts reading at once
#: (importing mutagen's formats took a new worker ~0.1 s).
PRELOAD = ["ostplayer.library.preload"]


def _context() -> Any:
    # Never plain fork: the app has threads (Qt, libvlc), and forking them is unsafe.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # no effect once the fork server runs
    return context


class WorkerPool:
    """Reads many files' tags in ``workers`` processes, each file within ``timeout_s``."""

    def __init__(
        self,
        workers: int = 2,
        timeout_s: float | None = None,
        read: Callable[[Any], ScannedFile] | None = None,
        memory_limit: int | None = None,
    ) -> None:
        self.workers = max(1, workers)
        # Looked up now, not when the module loaded: tests of the callers set a short time
        # limit and a reader that misbehaves on cue.
        self.timeout_s = TIMEOUT_S if timeout_s is None else timeout_s
        self.memory_limit = MEMORY_LIMIT_BYTES if memory_limit is None else memory_limit
        self._watch_memory = _resident_bytes(os.getpid()) is not None
        self._read = read_in_worker if read is None else read
        self._ctx = _context()

    def read(
        self, paths: Sequence[P], cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[Outcome[P]]:
        """Yield ``(path, tags, None)`` or ``(path, None, (reason, message))`` for every path.

        ``tags`` is ``((tag values, moods), size, mtime_ns)``: see :func:`read_for_scan`.
        Results come in the order workers finish them. Stops early when ``cancelled()``.
        """
        for index, info, problem in self.read_indexed(paths, cancelled):
            yield paths[index], info, problem

    def read_indexed(
        self, paths: Iterable[FilePath], cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[tuple[int, ScannedFile | None, Problem | None]]:
        """:meth:`read`, naming each file by its position in ``paths`` (no hashing of paths).

        ``paths`` may be a generator (a folder walk): it is drawn from as the workers need
        files, so they read while it walks.
        """
        source = enumerate(paths)
        pending: deque[tuple[int, FilePath]] = deque()
        ahead = self.workers * DEPTH * CHUNK  # enough to keep every worker DEPTH chunks deep
        drawn_all = False
        looked_at = time.monotonic()  # when the workers' memory was last looked at
        pool: list[_Worker] = []
        try:
            while True:
                while not drawn_all and len(pending) < ahead:
                    entry = next(source, None)
                    if entry is None:
                        drawn_all = True
                    else:
                        pending.append(entry)
                if not (pending or any(w.inflight for w in pool)):
                    return
                if cancelled():
                    return
                if len(pool) < min(self.workers, len(pending)):
                    pool += self._start_many(min(self.workers, len(pending)) - len(pool))
                for i, worker in enumerate(pool):
                    if worker.conn.closed:
                        pool[i] = worker = self._start()
                    while (
                        pending
                        and len(worker.inflight) <= (DEPTH - 1) * CHUNK
                        and not worker.conn.closed
                    ):
                        self._hand(worker, pending)
                busy = [w.conn for w in pool if w.inflight]
                for conn in wait(busy, timeout=min(0.25, self.timeout_s)):
                    worker = next(w for w in pool if w.conn is conn)
                    yield from self._receive(worker, pending)
                    # A retired worker (closed pipe) is replaced at the top of the loop.
                now = time.monotonic()
                look_at_memory = self._watch_memory and now - looked_at >= MEMORY_CHECK_S
                if look_at_memory:
                    looked_at = now
                for i, worker in enumerate(pool):
                    if not worker.inflight:
                        continue
                    problem = self._overrun(worker, now, look_at_memory)
                    if problem is not None:
                        index = self._culprit(worker)
                        self._retire(worker, pending)
                        pool[i] = self._start()
                        yield index, None, problem
        finally:
            self._stop_all(pool)

    def _overrun(self, worker: _Worker, now: float, look_at_memory: bool) -> Problem | None:
        """Why the file ``worker`` is on must be stopped, if it must: time, or memory.

        Also notes the worker's progress: its clock restarts when it has moved to another file.
        """
        if worker.at.value != worker.last_at:
            worker.last_at, worker.heard_at = worker.at.value, now
        elif now - worker.heard_at > self.timeout_s:
            limit = f"{self.timeout_s:g}"
            return "timed-out", f"reading this file took longer than {limit} s and was stopped"
        if look_at_memory and (_resident_bytes(worker.process.pid) or 0) > self.memory_limit:
            limit = f"{self.memory_limit / (1 << 20):,.0f} MB"
            return (
                "corrupt",
                f"damaged file: reading it took over {limit} of memory and was stopped",
            )
        return None

    # -- workers -------------------------------------------------------------------------------
    def _start(self) -> _Worker:
        """A new worker, ready to read."""
        return self._start_many(1)[0]

    def _start_many(self, count: int) -> list[_Worker]:
        """``count`` new workers, ready to read: started together, each start takes ~4 ms."""
        started: list[_Worker] = []
        try:
            while len(started) < count:
                started.append(self._launch())
            for worker in started:
                try:
                    ready = worker.conn.poll(START_TIMEOUT_S) and worker.conn.recv() == "ready"
                except (EOFError, OSError):
                    ready = False
                if not ready:
                    raise WorkerStartError("the tag reader processes could not be started")
                worker.heard_at = time.monotonic()
        except BaseException:
            for worker in started:
                self._kill(worker)
            raise
        return started

    def _launch(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        at = self._ctx.RawValue("q", -1)
        process = self._ctx.Process(
            target=_worker_main,
            args=(child, self._read, at, self._watch_memory),
            name="ostplayer-tags",
            daemon=True,
        )
        try:
            process.start()
        except OSError as exc:  # no processes left, or no fork server
            parent.close()
            raise WorkerStartError("the tag reader processes could not be started") from exc
        finally:
            child.close()
        return _Worker(process, parent, at)

    def _hand(self, worker: _Worker, pending: deque[tuple[int, FilePath]]) -> None:
        job = [pending.popleft() for _ in range(min(CHUNK, len(pending)))]
        if not worker.inflight:
            worker.heard_at = time.monotonic()  # the clock runs from when it has work
        worker.inflight.extend(job)
        try:
            worker.conn.send(job)
        except OSError:  # it died between two files: its files go to the next worker
            self._retire(worker, pending)

    def _receive(
        self, worker: _Worker, pending: deque[tuple[int, FilePath]]
    ) -> Iterator[tuple[int, ScannedFile | None, Problem | None]]:
        try:
            results = worker.conn.recv()
        except (EOFError, OSError):
            # The worker died inside a file: that file is the culprit, the rest go again.
            index = self._culprit(worker)
            self._retire(worker, pending)
            yield index, None, ("corrupt", "reading this file crashed the tag reader")
            return
        worker.heard_at = time.monotonic()
        for index, tags, problem in results:
            while worker.inflight and worker.inflight[0][0] != index:
                worker.inflight.popleft()  # cannot happen: a worker answers in order
            worker.inflight.popleft()
            yield index, tags, problem

    @staticmethod
    def _culprit(worker: _Worker) -> int:
        """Take the file the worker is on out of its chunks (the others will be read again)."""
        index = worker.at.value
        for entry in worker.inflight:
            if entry[0] == index:
                worker.inflight.remove(entry)
                return index
        return worker.inflight.popleft()[0]  # it died before starting a file: blame the first

    def _retire(self, worker: _Worker, pending: deque[tuple[int, FilePath]]) -> None:
        pending.extendleft(reversed(worker.inflight))
        worker.inflight.clear()
        self._kill(worker)

    @staticmethod
    def _kill(worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()

    @staticmethod
    def _stop_all(pool: list[_Worker]) -> None:
        # Every worker is told first, so that they end together rather than one after another.
        for worker in pool:
            try:
                if not worker.conn.closed:
                    worker.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 1
        for worker in pool:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            if not worker.conn.closed:
                worker.conn.close()
