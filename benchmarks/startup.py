"""Cold start to the first painted window: OST Player beside a bare Qt window.

Run by hand (``make bench`` or ``.venv/bin/python benchmarks/startup.py``); it writes its figures
to docs/performance.md. Each run is a fresh process, timed from just before it is started to
the moment its main window has painted for the first time (the process prints the wall-clock
time from inside its first paint's follow-up, then quits). The variants run interleaved, so that
drift on a shared machine hits them alike. Under Xvfb when it is installed, else offscreen.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import machine_summary, write_section  # noqa: E402 - benchmarks/ is not a package

BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
class Window(QMainWindow):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, lambda: (print(f"first-paint {time.time():.6f}", flush=True),
                                          app.quit()))
app = QApplication(sys.argv)
{before_show}
w = Window(); w.resize(1100, 680); w.show()
app.exec()
"""
WITH_VLC = "import vlc\ninstance = vlc.Instance('--aout=dummy', '--no-video', '--quiet')"


def _first_paint(cmd: list[str], env: dict[str, str]) -> float:
    start = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1]) - start
    raise RuntimeError(f"{cmd[0]} printed no first-paint time:\n{out.stdout}\n{out.stderr}")


def _display_env() -> tuple[dict[str, str], subprocess.Popen[bytes] | None, str]:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    if env.get("DISPLAY"):
        return env, None, f"X display {env['DISPLAY']}"
    if shutil.which("Xvfb"):
        display = ":97"
        server = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)
        env["DISPLAY"] = display
        return env, server, "Xvfb (xcb)"
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env, None, "offscreen (no Xvfb found)"


def main() -> None:
    """Measure and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    env, server, where = _display_env()
    data_dir = Path(tempfile.mkdtemp(prefix="ostplayer-bench-"))
    env["OSTPLAYER_DATA_DIR"] = str(data_dir)
    # Time the everyday start, with Python's bytecode cache, as on a listener's machine (some
    # sandboxes set this variable, and then every start compiles every module again).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["OSTPLAYER_VLC_ARGS"] = "--aout=dummy"
    app_cmd = [sys.executable, "-m", "ostplayer"]
    try:
        # A first, normal start imports the demo OST; the timed starts are the everyday kind.
        warm = subprocess.Popen(app_cmd, env=env)
        time.sleep(6)
        warm.terminate()
        warm.wait(10)
        variants = {
            "bare QApplication + QMainWindow": [
                sys.executable, "-c", BARE.replace("{before_show}", "")],
            "bare + import vlc + vlc.Instance() before the paint": [
                sys.executable, "-c", BARE.replace("{before_show}", WITH_VLC)],
            "OST Player (demo library, libvlc after the paint)": app_cmd,
        }  # fmt: skip
        bench_env = dict(env, OSTPLAYER_BENCH_FIRST_PAINT="1")
        times: dict[str, list[float]] = {name: [] for name in variants}
        for cmd in variants.values():  # one unrecorded run each: disk cache, .pyc
            _first_paint(cmd, bench_env)
        for _ in range(args.runs):
            for name, cmd in variants.items():
                times[name].append(_first_paint(cmd, bench_env))
    finally:
        if server is not None:
            server.terminate()
        shutil.rmtree(data_dir, ignore_errors=True)

    bare = statistics.median(times["bare QApplication + QMainWindow"])
    lines = [
        f"Cold start to the first painted window, median of {args.runs} runs each "
        f"(interleaved), on {where}, bytecode cache warm, data dir with the demo library. "
        f"Measured {time.strftime('%Y-%m-%d')} by `benchmarks/startup.py`.",
        "",
        "| variant | median | runs (s) | × bare Qt |",
        "| --- | --- | --- | --- |",
    ]
    for name, values in times.items():
        median = statistics.median(values)
        runs = ", ".join(f"{v:.3f}" for v in values)
        lines.append(f"| {name} | {median:.3f} s | {runs} | {median / bare:.2f} |")
    lines += ["", f"Machine: {machine_summary()}. Python {platform.python_version()}."]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("startup", "Cold start", text)


if __name__ == "__main__":
    main()
