"""LRC export: read back by an independent, maintained parser (lemony-lrc-parser, strict mode)
and by our own small parser, and written in the form FFmpeg's reader takes."""

from __future__ import annotations

import re
from pathlib import Path

import lemony_lrc_parser as llp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ostplayer.domain.scene import Note, SceneCue
from ostplayer.domain.track import Track
from ostplayer.formats.lrc import LrcLine, export_lrc, format_lrc_time, parse_lrc
from tests.formats.hostile import ANY_TEXT, DIGITS, THOUSAND

TRACK = Track(
    path=Path("/music/01.ogg"),
    title="First Love’s Whisper",
    artist="Hometown Embrace Demo Ensemble",
    album="i Hometown Embrace (Demo OST)",
    duration_ms=54_000,
)

# Exactly what FFmpeg's LRC demuxer reads: [minutes:seconds.hundredths], minutes unbounded.
FFMPEG_LINE = re.compile(r"\[[0-9]{2,}:[0-5][0-9]\.[0-9]{2}\][^\[\n].*")


def cue(start_ms: int, text: str, episode: str = "S1E3", at: int | None = 2_480_000) -> SceneCue:
    return SceneCue(start_ms=start_ms, episode=episode, episode_start_ms=at, description=text)


def strict(text: str) -> llp.Lyrics:
    return llp.loads(text, options=llp.ParseOptions(strict=True))


def test_header_and_lines() -> None:
    items = [
        cue(12_500, "the rooftop confession"),
        Note(text="my own note", position_ms=3_000),
        cue(0, "the bus stop", episode="S1E1", at=None),
    ]
    text = export_lrc(TRACK, items)
    assert text.splitlines() == [
        "[ti:First Love’s Whisper]",
        "[ar:Hometown Embrace Demo Ensemble]",
        "[al:i Hometown Embrace (Demo OST)]",
        "[length: 0:54]",
        "[by:OST Player]",
        "",
        "[00:00.00]Ep 1 — the bus stop",
        "[00:03.00]my own note",
        "[00:12.50]Ep 3, 41:20 — the rooftop confession",
    ]
    lyrics = strict(text)
    assert dict(lyrics.metadata) == {
        "ti": "First Love’s Whisper",
        "ar": "Hometown Embrace Demo Ensemble",
        "al": "i Hometown Embrace (Demo OST)",
        "length": "0:54",
        "by": "OST Player",
    }
    assert [(line.start, line.text) for line in lyrics] == [
        (0, "Ep 1 — the bus stop"),
        (3_000, "my own note"),
        (12_500, "Ep 3, 41:20 — the rooftop confession"),
    ]
    assert lyrics.validate() == []


def test_unknown_tags_are_left_out() -> None:
    bare = Track(path=Path("/x.ogg"))
    assert export_lrc(bare, []).splitlines() == ["[by:OST Player]", ""]


def test_times_past_an_hour_keep_counting_minutes() -> None:
    text = export_lrc(TRACK, [cue(3_665_127, "late"), cue(36_000_000, "ten hours")])
    assert "[61:05.12]Ep 3, 41:20 — late" in text
    assert "[600:00.00]Ep 3, 41:20 — ten hours" in text
    assert [line.start for line in strict(text)] == [3_665_120, 36_000_000]
    assert format_lrc_time(3_599_999) == "[59:59.99]"


def test_text_that_would_read_as_tags_is_defused() -> None:
    text = export_lrc(
        TRACK,
        [
            cue(1_000, "[00:05.00] not a time\nsecond line"),
            cue(2_000, "a <00:01.00> word time and <b>tags</b> stay"),
            cue(3_000, "[ar:not a tag]"),
        ],
    )
    lines = text.splitlines()[6:]
    assert lines == [
        "[00:01.00]Ep 3, 41:20 — (00:05.00) not a time second line",
        "[00:02.00]Ep 3, 41:20 — a ‹00:01.00> word time and <b>tags</b> stay",
        "[00:03.00]Ep 3, 41:20 — (ar:not a tag)",
    ]
    assert [line.text for line in strict(text)] == [line[10:] for line in lines]


def test_cues_at_the_same_moment_share_a_line() -> None:
    text = export_lrc(TRACK, [cue(5_004, "one"), cue(5_001, "two", episode="S1E9", at=None)])
    # In time order within the hundredth: 5.001 s, then 5.004 s.
    assert text.splitlines()[6:] == ["[00:05.00]Ep 9 — two · Ep 3, 41:20 — one"]


def test_our_parser_reads_what_players_write() -> None:
    document = parse_lrc(
        "\ufeff[ti:Title]\r\n[offset:+0]\r\n[00:01.5]a\r\n[00:02]b\r\n"
        "[00:03.123][01:00.00]c\r\n  \r\nno time here\r\n[00:00.00]\r\n"
    )
    assert document.tag("ti") == "Title"
    assert document.tag("offset") == "+0"
    assert document.lines == (
        LrcLine(0, ""),
        LrcLine(1_500, "a"),
        LrcLine(2_000, "b"),
        LrcLine(3_123, "c"),
        LrcLine(60_000, "c"),
    )


_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=1000, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(0, 10 * 3_600_000), _texts), max_size=6), _texts)
def test_any_cues_export_to_lrc_both_parsers_read_alike(
    items: list[tuple[int, str]], title: str
) -> None:
    cues = [cue(start, text, at=None) for start, text in items]
    track = Track(path=Path("/x.ogg"), title=title, duration_ms=54_000)
    text = export_lrc(track, cues)
    ours = parse_lrc(text)
    theirs = strict(text)
    assert theirs.validate() == []
    assert [(line.time_ms, line.text) for line in ours.lines] == [
        (line.start, line.text) for line in theirs
    ]
    assert {start // 10 * 10 for start, _ in items} == {line.time_ms for line in ours.lines}
    for line in text.splitlines()[text.splitlines().index("") + 1 :]:
        assert FFMPEG_LINE.fullmatch(line), line


@pytest.mark.parametrize(
    ("ms", "stamp"), [(0, "[00:00.00]"), (65_439, "[01:05.43]"), (-5, "[00:00.00]")]
)
def test_format_lrc_time(ms: int, stamp: str) -> None:
    assert format_lrc_time(ms) == stamp


# --- hostile input -----------------------------------------------------------------------------

_LINE_BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x85", "\x0b"])


@st.composite
def lrc_like(draw: st.DrawFn) -> str:
    """Text shaped like LRC, with every part of a time or tag line made wrong in some way."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        shape = draw(st.sampled_from(["time", "times", "tag", "text", "word times"]))
        if shape in ("time", "times"):
            stamps = [
                f"[{draw(DIGITS)}:{draw(DIGITS)}"
                + draw(st.sampled_from(["", ".", ":"]))
                + draw(st.sampled_from(["", "5", "50", "505", "5050"]) | DIGITS)
                + draw(st.sampled_from(["]", "", "]]", " ]"]))
                for _ in range(1 if shape == "time" else draw(st.integers(2, 5)))
            ]
            lines.append("".join(stamps) + draw(ANY_TEXT))
        elif shape == "tag":
            key = draw(st.sampled_from(["ti", "ar", "length", "offset", "by", "x1", "1x", ""]))
            lines.append(f"[{key}:{draw(ANY_TEXT)}]")
        elif shape == "word times":
            lines.append(f"[00:01.00]<{draw(DIGITS)}:{draw(DIGITS)}>{draw(ANY_TEXT)}")
        else:
            lines.append(draw(ANY_TEXT))
    return draw(st.sampled_from(["", "\ufeff"])) + draw(_LINE_BREAKS).join(lines)


@THOUSAND
@given(
    ANY_TEXT
    | st.binary(max_size=300).map(lambda data: data.decode("utf-8", "surrogateescape"))
    | lrc_like()
)
def test_any_text_parses_into_timed_lines_in_order(text: str) -> None:
    # The reader is lenient as players are: nothing is an error, anything odd is skipped.
    document = parse_lrc(text)
    times = [line.time_ms for line in document.lines]
    assert times == sorted(times)
    assert all(time >= 0 for time in times)
    for line in document.lines:
        assert not any(char in line.text for char in "\n\r"), line
    for key, _value in document.tags:
        assert key and key == key.lower()


@THOUSAND
@given(st.lists(st.tuples(st.integers(0, 2**40), ANY_TEXT), max_size=6), ANY_TEXT, ANY_TEXT)
def test_any_text_exports_to_lrc_that_can_be_saved(
    items: list[tuple[int, str]], title: str, artist: str
) -> None:
    notes = [Note(text=text, position_ms=start) for start, text in items]
    track = Track(path=Path("/x.ogg"), title=title, artist=artist, duration_ms=54_000)
    text = export_lrc(track, notes)
    text.encode("utf-8")  # what `ostplayer notes export` writes: lone surrogates cannot be
    document = parse_lrc(text)
    assert len(document.lines) == len({start // 10 for start, text in items if text.split()})
