"""Time is integer ms inside, m:ss or h:mm:ss outside."""

from __future__ import annotations

import pytest

from ostplayer.domain.timefmt import format_ms, parse_time


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0:00"),
        (999, "0:00"),
        (1000, "0:01"),
        (65_000, "1:05"),
        (3_599_999, "59:59"),
        (3_600_000, "1:00:00"),
        (3_723_000, "1:02:03"),
        (-65_000, "-1:05"),
        (None, "--:--"),
    ],
)
def test_format(ms: int | None, text: str) -> None:
    assert format_ms(ms) == text


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("1:05", 65_000),
        ("41:20", 2_480_000),
        ("1:02:03", 3_723_000),
        ("0:05.5", 5_500),
        ("95", 95_000),
        ("95.25s", 95_250),
        (" 2:10 ", 130_000),
    ],
)
def test_parse(text: str, ms: int) -> None:
    assert parse_time(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "1:60", "1:75:00", "1::2", "-5"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="time"):
        parse_time(text)
