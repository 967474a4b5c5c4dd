"""Writing benchmark figures into docs/performance.md, one section per benchmark."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

PERFORMANCE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADER = (
    "# Performance\n\n"
    "Figures written by the benchmarks in `benchmarks/` (run by hand; tests never time "
    "anything). Each section is replaced when its benchmark runs again.\n"
)


def machine_summary() -> str:
    """Cores, memory and CPU model of this machine, in one line."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "unknown memory"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} {platform.release()}"


def load_note() -> str:
    """The load average of the last minute, in words: a shared machine makes figures noisy."""
    try:
        return f"load average {os.getloadavg()[0]:.2f}"
    except OSError:
        return "load average unknown"


def write_section(key: str, title: str, body: str) -> None:
    """Put ``body`` under ``## title`` in docs/performance.md, replacing the previous figures."""
    text = PERFORMANCE.read_text() if PERFORMANCE.exists() else HEADER
    block = f"<!-- {key}:begin -->\n## {title}\n\n{body}\n<!-- {key}:end -->"
    pattern = re.compile(rf"<!-- {key}:begin -->.*?<!-- {key}:end -->", re.S)
    text = pattern.sub(lambda _m: block, text) if pattern.search(text) else f"{text}\n{block}\n"
    PERFORMANCE.parent.mkdir(exist_ok=True)
    PERFORMANCE.write_text(text)
