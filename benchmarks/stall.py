"""GUI stalls during a library scan: a heartbeat on the GUI thread while the real app scans.

Run by hand (``make bench`` or ``.venv/bin/python benchmarks/stall.py``); it writes its figures
to docs/performance.md (section "GUI responsiveness during a scan"). The issue's target: the GUI
never stalls for more than 100 ms during a 20,000-file scan.

Each run is a fresh process with a fresh data dir. It builds the real app the way
``ostplayer.app.run_gui`` does (libvlc with ``--aout=dummy``), waits until start-up has finished
(a first run: the demo OST is in), starts a precise 10 ms ``QTimer`` on the GUI thread, and:

1. *full scan*: adds the library made by ``benchmarks/make_library.py`` with
   ``MainWindow.add_folders`` (what "Add Music Folder" and a dropped folder do), and waits until
   the scan has finished and the reloaded track list has been painted in the table;
2. *rescan*: triggers the F5 action (Rescan Library) on the unchanged library, the same way.

Before each, one idle second of heartbeats is the control. A gap between two heartbeats is the
longest the window could not react. Each gap is placed in its phase (walking the folders,
reading tags, finishing the scan, the final reload, painting it) and explained by what the GUI
thread did meanwhile: the app's slots are timed by wrapping them (class attributes, set before
the window is built; the code runs unchanged), garbage collections are timed with
``gc.callbacks``, and the thread's CPU time and run-queue wait (``/proc/thread-self/schedstat``)
tell work on the GUI thread from waiting, for the GIL or for a core on a busy machine.
Under Xvfb when it is installed (or on ``$DISPLAY``), else offscreen.
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# benchmarks/ is not a package: its modules are imported from their folder.
from report import load_note, machine_summary, write_section
from scan import describe, ensure_library, library_files
from startup import display_env

SCHEDSTAT = Path("/proc/thread-self/schedstat")  # the calling thread's CPU and run-queue wait
TARGET_MS = 100.0  # the issue: the GUI never stalls for longer than this
INTERVAL_MS = 10
IDLE_S = 1.0  # heartbeats before each scenario, as the control
DETAIL_OVER_MS = 50.0  # gaps longer than this are explained in the child's output
SCENARIOS = {
    "full": "full scan: Add Music Folder with the 20,000 files, fresh data dir",
    "rescan": "rescan of the unchanged library (F5)",
}
#: The app's GUI-thread slots and calls that are timed: module, class, attributes. A name that
#: is not there (the code moved on) is left out and listed in the output.
TIMED = (
    ("ostplayer.services.tasks", "Tasks", ("_deliver",)),
    ("ostplayer.services.library", "LibraryService",
     ("load", "_loaded", "_show", "_add_saved", "_scan_done", "_after_scan", "_watch")),
    ("ostplayer.ui.main_window", "MainWindow", ("_show_tracks", "_add_tracks")),
    ("ostplayer.ui.scan_status", "ScanStatus", ("_started", "_progressed", "_finished")),
    ("ostplayer.ui.track_model", "TrackTableModel", ("set_tracks", "add_tracks", "set_playing")),
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# In the measured process
# --------------------------------------------------------------------------------------------


def _sched() -> tuple[float, float]:
    """This thread's CPU time and run-queue wait, in seconds (the wait is 0 when unknown)."""
    try:
        run, wait = SCHEDSTAT.read_text(encoding="ascii").split()[:2]
        return int(run) / 1e9, int(wait) / 1e9
    except (OSError, ValueError):
        return time.thread_time(), 0.0


class Recorder:
    """What the GUI thread did, time-stamped with ``time.perf_counter()``."""

    def __init__(self) -> None:
        self.beats: list[tuple[float, float, float]] = []  # time, thread CPU, run-queue wait
        self.calls: list[tuple[str, float, float, str]] = []  # name, start, end, caller
        self.collections: list[tuple[float, float, int, bool]] = []  # start, end, gen, GUI?
        self.paints: list[float] = []  # the table's viewport starts to paint
        self.missing: list[str] = []
        self._gui = threading.get_ident()
        self._stack: list[str] = []  # the timed calls running now, outermost first
        self._gc_start = 0.0

    def beat(self) -> None:
        """One heartbeat (the timer's slot)."""
        now = time.perf_counter()
        self.beats.append((now, *_sched()))

    def wrap_slots(self) -> None:
        """Time the slots in :data:`TIMED` on the GUI thread; call before the window exists."""
        import importlib

        for module, name, attributes in TIMED:
            owner = getattr(importlib.import_module(module), name)
            for attribute in attributes:
                if not self._wrap(owner, attribute):
                    self.missing.append(f"{name}.{attribute}")
        gc.callbacks.append(self._gc)

    def _wrap(self, owner: type, name: str) -> bool:
        raw = owner.__dict__.get(name)
        if raw is None:
            return False
        static = isinstance(raw, staticmethod)
        function: Callable[..., Any] = raw.__func__ if static else raw
        label = f"{owner.__name__}.{name}"

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != self._gui:
                return function(*args, **kwargs)
            caller = self._stack[-1] if self._stack else ""
            self._stack.append(label)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._stack.pop()
                self.calls.append((label, start, time.perf_counter(), caller))

        setattr(owner, name, staticmethod(timed) if static else timed)
        return True

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_start = now
        else:
            on_gui = threading.get_ident() == self._gui
            self.collections.append((self._gc_start, now, info["generation"], on_gui))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def analyse(rec: Recorder, marks: dict[str, float], end: float) -> dict[str, Any]:
    """The heartbeat gaps of one scenario, from ``marks["action"]`` to ``end``, explained."""
    start = marks["action"]
    first = max(0, next(i for i, b in enumerate(rec.beats) if b[0] >= start) - 1)
    beats = [b for b in rec.beats[first:] if b[0] <= end]
    boundaries = [
        ("walking the folders", start),
        ("reading tags", marks.get("first_progress")),
        ("finishing the scan", marks.get("last_progress")),
        ("the final reload", marks.get("scan_done")),
        ("painting the reload", marks.get("finished")),
    ]
    gaps = []
    for (a, cpu_a, wait_a), (b, cpu_b, wait_b) in itertools.pairwise(beats):
        phase = next(
            name for name, at in reversed(boundaries) if at is not None and at <= max(a, start)
        )
        gaps.append((b - a, a, b, cpu_b - cpu_a, wait_b - wait_a, phase))
    widths = [g[0] * 1000 for g in gaps]
    phases: dict[str, dict[str, float]] = {}
    for width, _a, _b, _cpu, _wait, phase in gaps:
        entry = phases.setdefault(phase, {"over": 0, "worst_ms": 0.0, "gaps": 0})
        entry["gaps"] += 1
        entry["worst_ms"] = max(entry["worst_ms"], width * 1000)
        entry["over"] += width * 1000 > TARGET_MS
    detail = []
    for width, a, b, cpu, wait, phase in sorted(gaps, reverse=True):
        if width * 1000 <= DETAIL_OVER_MS or len(detail) >= 12:
            break
        calls: dict[str, list[Any]] = {}
        for label, s, e, caller in rec.calls:
            overlap = min(e, b) - max(s, a)
            if overlap > 0:
                entry = calls.setdefault(label, [0.0, 0, caller])
                entry[0] += overlap * 1000
                entry[1] += 1
        collections = [
            [gen, (min(e, b) - max(s, a)) * 1000, on_gui]
            for s, e, gen, on_gui in rec.collections
            if min(e, b) > max(s, a)
        ]
        detail.append(
            {
                "at_s": a - start,
                "gap_ms": width * 1000,
                "phase": phase,
                "cpu_ms": cpu * 1000,
                "runqueue_ms": wait * 1000,
                "calls": calls,
                "collections": collections,
                "paints": sum(a < p < b for p in rec.paints),
            }
        )
    totals: dict[str, list[Any]] = {}
    for label, s, e, caller in rec.calls:
        if start <= s <= end:
            entry = totals.setdefault(label, [0.0, 0, caller])
            entry[0] += (e - s) * 1000
            entry[1] += 1
    return {
        "to_finished_s": marks["finished"] - start,
        "to_shown_s": marks["shown"] - start,
        "beats": len(beats),
        "worst_ms": max(widths),
        "p99_ms": _percentile(widths, 0.99),
        "median_ms": statistics.median(widths),
        "over": sum(w > TARGET_MS for w in widths),
        "over_50": sum(w > 50 for w in widths),
        "phases": phases,
        "detail": detail,
        "totals": totals,
    }


def idle_worst(rec: Recorder, start: float, end: float) -> float:
    """The longest gap between heartbeats from ``start`` to ``end``, in ms."""
    times = [b[0] for b in rec.beats if start <= b[0] <= end]
    return max((b - a) * 1000 for a, b in itertools.pairwise(times))


def child(data_dir: Path, library: Path, timeout_s: float) -> None:
    """One measured run: build the app, scan, rescan; print the figures as one JSON line."""
    rec = Recorder()
    rec.wrap_slots()

    from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer, Signal
    from PySide6.QtWidgets import QApplication

    from ostplayer import APP_ID, APP_NAME, __version__
    from ostplayer.app import Application
    from ostplayer.paths import AppPaths

    # As run_gui() does, up to its qapp.exec().
    QApplication.setApplicationName("ostplayer")
    QApplication.setApplicationDisplayName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    qapp = QApplication([sys.argv[0]])
    app = Application(qapp, AppPaths(data_dir))

    class Watch(QObject):
        """Marks the scan's signals and the table's first paint after it has finished."""

        shown = Signal()

        def __init__(self) -> None:
            super().__init__()
            self.marks: dict[str, float] = {}
            self.progress_events = 0
            self.report: Any = None

        def reset(self) -> None:
            self.marks = {"action": time.perf_counter()}
            self.progress_events = 0

        def progress(self, *_args: object) -> None:
            now = time.perf_counter()
            self.progress_events += 1
            self.marks.setdefault("first_progress", now)
            self.marks["last_progress"] = now

        def finished(self, report: Any) -> None:
            self.marks["finished"] = time.perf_counter()
            self.report = report
            # Finished means reloaded: the done callback ran just before this signal.
            done = [c[1] for c in rec.calls if c[0] == "LibraryService._scan_done"]
            if done and done[-1] >= self.marks["action"]:
                self.marks["scan_done"] = done[-1]

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                rec.paints.append(time.perf_counter())
                if "finished" in self.marks and "shown_paint" not in self.marks:
                    self.marks["shown_paint"] = rec.paints[-1]
                    QTimer.singleShot(0, self._shown)  # after this paint has been done
            return False

        def _shown(self) -> None:
            self.marks["shown"] = time.perf_counter()
            self.shown.emit()

    watch = Watch()
    app.library.scan_progress.connect(watch.progress)
    app.library.scan_finished.connect(watch.finished)
    app.window.table.viewport().installEventFilter(watch)

    def wait(signal: Any, what: str, seconds: float) -> None:
        loop = QEventLoop()
        happened: list[bool] = []
        signal.connect(loop.quit)
        signal.connect(lambda *_: happened.append(True))
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)
        if not happened:
            raise TimeoutError(f"{what} did not happen within {seconds:g} s")

    def idle(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    QTimer.singleShot(0, app.start)
    wait(app.ready, "start-up", 60)
    idle(0.5)  # the first paint's follow-ups, the welcome banner
    heart = QTimer()
    heart.setTimerType(Qt.TimerType.PreciseTimer)
    heart.setInterval(INTERVAL_MS)
    heart.timeout.connect(rec.beat)
    heart.start()

    results: dict[str, Any] = {"missing": rec.missing, "scenarios": {}}
    actions = {
        "full": lambda: app.window.add_folders([library]),
        "rescan": app.window.rescan_action.trigger,  # F5
    }
    for name, action in actions.items():
        idle_start = time.perf_counter()
        idle(IDLE_S)
        watch.reset()
        QTimer.singleShot(0, action)
        wait(watch.shown, f"{name}: the reload painted after the scan", timeout_s)
        figures = analyse(rec, watch.marks, watch.marks["shown"])
        figures["idle_worst_ms"] = idle_worst(rec, idle_start, watch.marks["action"])
        figures["progress_events"] = watch.progress_events
        figures["tracks"] = app.window.model.rowCount()
        report = watch.report
        figures["report"] = {
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "problems": len(report.problems),
        }
        results["scenarios"][name] = figures
    heart.stop()
    app.window.close()
    app.shutdown()
    print(json.dumps(results), flush=True)


# --------------------------------------------------------------------------------------------
# The runner
# --------------------------------------------------------------------------------------------


def run_once(library: Path, env: dict[str, str], timeout_s: float) -> dict[str, Any]:
    """One measured run in a fresh process with a fresh data dir; its figures."""
    data_dir = Path(tempfile.mkdtemp(prefix="ostplayer-bench-stall-"))
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(data_dir), "--library", str(library),
             "--timeout", str(timeout_s)],
            env=dict(env, OSTPLAYER_DATA_DIR=str(data_dir)),
            capture_output=True,
            text=True,
            timeout=2 * timeout_s + 120,
            check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"the measured run failed ({out.returncode}):\n{out.stderr}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def innermost(calls: dict[str, list[Any]], floor_ms: float) -> list[str]:
    """Timed calls as people read them: ``label → [ms, count, caller]`` with each caller left out
    when one call it made accounts for most of its time; the biggest first, ``floor_ms`` and up.
    """
    hidden = {
        caller for label, (ms, _n, caller) in calls.items()
        if caller in calls and ms >= 0.8 * calls[caller][0]
    }  # fmt: skip
    shown = sorted(
        (item for item in calls.items() if item[0] not in hidden and item[1][0] >= floor_ms),
        key=lambda item: -item[1][0],
    )
    lines = []
    for label, (ms, count, caller) in shown:
        times = f", {count:,} calls" if count > 1 else ""
        via = f" (in `{caller}`)" if caller else ""
        lines.append(f"`{label}` {ms:,.0f} ms{times}{via}")
    return lines


def _explain(gap: dict[str, Any]) -> str:
    """What the GUI thread did during one gap, in a line."""
    named = innermost(gap["calls"], 5.0)[:3]
    other = gap["gap_ms"] - gap["cpu_ms"] - gap["runqueue_ms"]
    parts = [
        ", ".join(named) or "no timed slot",
        f"GUI thread on a core {gap['cpu_ms']:.0f} ms, waiting for a core "
        f"{gap['runqueue_ms']:.0f} ms, blocked {other:.0f} ms",
    ]
    collected = [c for c in gap["collections"] if c[1] >= 5]
    if collected:
        parts.append(
            ", ".join(
                f"gc gen {gen} {ms:.0f} ms ({'GUI' if on_gui else 'worker'} thread)"
                for gen, ms, on_gui in collected
            )
        )
    return "; ".join(parts)


def section(
    runs: list[dict[str, Any]], what: str, where: str, load: str, timings: list[str]
) -> str:
    """The "GUI responsiveness during a scan" section's markdown."""
    rows = [
        "| scenario | until finished | until painted in the table | worst gap | each run's "
        "worst | 99th percentile | gaps > 100 ms | idle control, worst | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    worst_gaps: list[str] = []
    for key, title in SCENARIOS.items():
        figures = [run["scenarios"][key] for run in runs]

        def median(name: str, figures: list[dict[str, Any]] = figures) -> float:
            return statistics.median(f[name] for f in figures)

        worst = median("worst_ms")
        each = ", ".join(f"{f['worst_ms']:.0f}" for f in figures)
        rows.append(
            f"| {title} | {median('to_finished_s'):.2f} s | {median('to_shown_s'):.2f} s | "
            f"{_ms(worst)} | {each} | {_ms(median('p99_ms'))} | {median('over'):.0f} | "
            f"{_ms(median('idle_worst_ms'))} | ≤ {TARGET_MS:.0f} ms | "
            f"{'yes' if worst <= TARGET_MS else 'no'} |"
        )
        phases: dict[str, list[float]] = {}
        for f in figures:
            for phase, entry in f["phases"].items():
                total = phases.setdefault(phase, [0, 0.0])
                total[0] += entry["over"]
                total[1] = max(total[1], entry["worst_ms"])
        where_over = "; ".join(
            f"{phase}: {int(count)} over 100 ms, worst {worst_ms:.0f} ms"
            for phase, (count, worst_ms) in phases.items()
        )
        worst_gaps.append(f"**{title}**, by phase over the {len(runs)} runs: {where_over}.")
        middle = sorted(figures, key=lambda f: f["worst_ms"])[len(figures) // 2]
        spent = "; ".join(innermost(middle["totals"], 10.0)[:4]) or "none over 10 ms"
        worst_gaps.append(
            f"GUI thread time in the app's timed calls over the scenario (the run with the "
            f"median worst gap): {spent}."
        )
        ranked = sorted(
            ((gap, i) for i, f in enumerate(figures, 1) for gap in f["detail"]),
            key=lambda item: -item[0]["gap_ms"],
        )
        for gap, run in ranked[:5]:
            worst_gaps.append(
                f"- run {run}, {gap['at_s']:.2f} s after the action, {gap['phase']}: "
                f"**{gap['gap_ms']:.0f} ms**: {_explain(gap)}."
            )
        worst_gaps.append("")
    report = runs[0]["scenarios"]["full"]["report"]
    lines = [
        f"{what}. The real app in one process per run, {where}, a fresh data dir per run (the "
        "demo OST already in, as on a first run). A precise 10 ms `QTimer` beats on the GUI "
        "thread; a gap between two beats is the longest the window could not react. Each "
        "scenario runs from its action until the scan has finished and the reloaded list has "
        f"been painted in the table. Median of {len(runs)} runs. Measured "
        f"{time.strftime('%Y-%m-%d')} by `benchmarks/stall.py`; {load}.",
        "",
        *rows,
        "",
        f"The full scan added {report['added']:,} tracks, {report['problems']} problems; the "
        f"table then held {runs[0]['scenarios']['full']['tracks']:,} rows "
        f"(with the demo). {runs[0]['scenarios']['full']['progress_events']:,} progress "
        "signals reached the GUI thread in the full scan.",
        "",
        "Where the gaps over 50 ms were, and what the GUI thread did meanwhile (the app's slots "
        "are timed by wrapping them; a call is named instead of its caller when it took most "
        "of the caller's time; *blocked* is "
        "time off a core without being runnable: waiting for the GIL, a lock or the disk, or "
        "the timer's own sleep):",
        "",
        *worst_gaps,
        "Runs: " + "; ".join(timings) + ".",
        "",
        f"Machine: {machine_summary()}. Python {platform.python_version()}.",
    ]
    if runs[0]["missing"]:
        lines += ["", f"Not timed (not in the code any more): {', '.join(runs[0]['missing'])}."]
    return "\n".join(lines)


def main() -> None:
    """Measure, print and write the figures (or, with ``--child``, be one measured run)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, help="scan this folder instead of making one")
    parser.add_argument("--files", type=int, default=20000, help="size of the made library")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per scan")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", type=Path, metavar="DATA_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        child(args.child, args.library, args.timeout)
        return

    library, where_from = ensure_library(args.library, args.files, args.seed)
    what = f"{where_from}: {describe(library_files(library))}"
    print(what, flush=True)
    env, server, where = display_env()
    env["OSTPLAYER_VLC_ARGS"] = "--aout=dummy"
    load = load_note()
    runs: list[dict[str, Any]] = []
    timings: list[str] = []
    try:
        run_once(library, env, args.timeout)  # unrecorded: page cache, .pyc, worker start-up
        for number in range(1, args.runs + 1):
            runs.append(run_once(library, env, args.timeout))
            scenarios = runs[-1]["scenarios"]
            timings.append(
                f"run {number}: "
                + ", ".join(
                    f"{key} worst {f['worst_ms']:.0f} ms, {f['over']} over 100 ms, "
                    f"finished in {f['to_finished_s']:.2f} s"
                    for key, f in scenarios.items()
                )
            )
            print(timings[-1], flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    text = section(runs, what, where, f"{load} before the runs, {load_note()} after", timings)
    print(text, flush=True)
    if not args.no_write:
        write_section("stall", "GUI responsiveness during a scan", text)


if __name__ == "__main__":
    main()
