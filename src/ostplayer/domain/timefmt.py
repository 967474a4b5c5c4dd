"""Time values are integer milliseconds inside the program; people read ``m:ss`` or ``h:mm:ss``."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$")
_SECONDS = re.compile(r"^\s*(\d+)(?:[.,](\d{1,3}))?\s*s?\s*$")


def format_ms(ms: int | None, *, placeholder: str = "--:--") -> str:
    """Format ms as ``m:ss`` (``h:mm:ss`` from one hour); ``None`` gives the placeholder.

    Negative values are shown with a leading minus sign, as a remaining time is.
    """
    if ms is None:
        return placeholder
    sign = "-" if ms < 0 else ""
    total = abs(int(ms)) // 1000
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d}"
    return f"{sign}{minutes}:{seconds:02d}"


def parse_time(text: str) -> int:
    """Parse ``1:05``, ``1:02:03``, ``41:20.5`` or ``95`` / ``95.5s`` (seconds) into milliseconds.

    Raises ``ValueError`` with a message for people when the text is not a time.
    """
    match = _CLOCK.match(text)
    if match:
        hours, minutes, seconds, fraction = match.groups()
        if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
            raise ValueError(f"{text!r} is not a valid time: minutes and seconds stop at 59")
        ms = (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)) * 1000
        return ms + _fraction_ms(fraction)
    match = _SECONDS.match(text)
    if match:
        seconds, fraction = match.groups()
        return int(seconds) * 1000 + _fraction_ms(fraction)
    raise ValueError(f"{text!r} is not a time; write it as m:ss, h:mm:ss or seconds")


def _fraction_ms(fraction: str | None) -> int:
    return int((fraction or "0").ljust(3, "0")[:3])
