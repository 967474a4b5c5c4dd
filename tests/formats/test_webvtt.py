"""WebVTT export, per track and per episode: read back by webvtt-py in strict mode, and checked
against the W3C rules webvtt-py leaves out (start order, end after start, no "-->" in text)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from ostplayer.domain.scene import Note, SceneCue
from ostplayer.domain.track import Track
from ostplayer.formats.webvtt import (
    OPEN_CUE_MS,
    export_episode_vtt,
    export_track_vtt,
    format_vtt_time,
)
from tests.formats.hostile import ANY_TEXT, THOUSAND

TRACK = Track(path=Path("/music/01.ogg"), title="First Love’s Whisper", duration_ms=54_000)
_STAMP = r"[0-9]{2,}:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}"
TIMING = re.compile(f"{_STAMP} --> {_STAMP}")


def ms(stamp: str) -> int:
    hours, minutes, rest = stamp.split(":")
    seconds, millis = rest.split(".")
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def read(text: str) -> list[tuple[int, int, str]]:
    """Parse with webvtt-py (strict), check the W3C rules it skips, return (start, end, text)."""
    assert text.startswith("WEBVTT\n\n")
    captions = webvtt.from_string(text, strict=True)
    cues = [(ms(c.start), ms(c.end), html.unescape(c.text)) for c in captions]
    for start, end, _ in cues:
        assert end > start, "a cue must end after it starts"
    assert [start for start, _, _ in cues] == sorted(start for start, _, _ in cues)
    blocks = text.rstrip("\n").split("\n\n")[1:]
    for block in blocks:
        if block.startswith("NOTE"):
            assert "-->" not in block
            continue
        timing, *payload = block.split("\n")
        assert TIMING.fullmatch(timing), timing
        assert len(payload) == 1 and payload[0]
        assert "-->" not in payload[0]
        assert not re.search(r"<|&(?!amp;|lt;|gt;)", payload[0])
    assert len(cues) == sum(1 for block in blocks if not block.startswith("NOTE"))
    return cues


def cue(
    start: int,
    end: int | None,
    text: str,
    episode: str = "S1E3",
    at: int | None = 2_480_000,
    at_end: int | None = None,
) -> SceneCue:
    return SceneCue(
        start_ms=start,
        end_ms=end,
        episode=episode,
        episode_start_ms=at,
        episode_end_ms=at_end,
        description=text,
    )


def test_track_cues_run_over_their_track_span() -> None:
    items = [
        cue(12_500, 25_000, "the rooftop confession"),
        cue(0, None, "the bus stop", episode="S1E1", at=2_285_000),
        Note(text="my note", position_ms=30_000),
        cue(45_000, None, "credits", episode="S1E8", at=3_450_000),
    ]
    text = export_track_vtt(TRACK, items, note="Demo scenes — Hometown Embrace")
    assert text.startswith("WEBVTT\n\nNOTE Demo scenes — Hometown Embrace\n\n00:00:00.000 --> ")
    captions = webvtt.from_string(text, strict=True)
    assert captions.header_comments == ["Demo scenes — Hometown Embrace"]
    assert read(text) == [
        (0, 12_500, "Ep 1, 38:05 — the bus stop"),  # no end: runs to the next cue
        (12_500, 25_000, "Ep 3, 41:20 — the rooftop confession"),
        (30_000, 45_000, "my note"),
        (45_000, 54_000, "Ep 8, 57:30 — credits"),  # the last one runs to the track's end
    ]


def test_open_cues_without_a_known_end_run_for_a_while() -> None:
    track = Track(path=Path("/x.ogg"))
    items = [cue(5_000, 5_000, "zero length"), cue(5_000, None, "same start")]
    assert read(export_track_vtt(track, items)) == [
        (5_000, 5_000 + OPEN_CUE_MS, "Ep 3, 41:20 — zero length"),
        (5_000, 5_000 + OPEN_CUE_MS, "Ep 3, 41:20 — same start"),
    ]


def test_text_is_escaped_and_never_holds_an_arrow() -> None:
    nasty = "a --> b <b>bold</b> & &amp; -->\n\nblank line above\r\n00:00:01.000 --> 00:00:02.000"
    text = export_track_vtt(TRACK, [cue(0, 1_000, nasty)], note="NOTE --> with --->arrows\n\nx")
    assert text.count("-->") == 1  # the timing line's own
    assert "NOTE NOTE -> with ->arrows x" in text
    ((_, _, payload),) = read(text)
    assert payload == "Ep 3, 41:20 — " + " ".join(nasty.split())


def test_no_note_block_unless_asked() -> None:
    text = export_track_vtt(TRACK, [cue(0, 1_000, "x")])
    assert "NOTE" not in text
    assert export_track_vtt(TRACK, []) == "WEBVTT\n\n"
    assert webvtt.from_string(export_track_vtt(TRACK, []), strict=True).captions == []


def test_hours_are_written_out() -> None:
    assert format_vtt_time(3_723_450) == "01:02:03.450"
    assert format_vtt_time(100 * 3_600_000) == "100:00:00.000"
    long_track = Track(path=Path("/x.ogg"), duration_ms=5 * 3_600_000)
    assert read(export_track_vtt(long_track, [cue(3_600_000, None, "late")]))[0][:2] == (
        3_600_000,
        5 * 3_600_000,
    )


def test_episode_file_is_on_the_episodes_timeline() -> None:
    entries = [
        ("Shadows of Doubt", cue(11_000, 22_000, "the unsent letters", at=2_027_000)),
        ("First Love’s Whisper", cue(12_500, 25_000, "the rooftop confession")),
        ("Hometown Serenade", cue(24_000, None, "dinner in the rain", at=1_100_000)),
        ("A Promise Kept", cue(15_000, 28_000, "the promise", at=3_130_000, at_end=3_140_000)),
        ("Other episode", cue(0, 5_000, "elsewhere", episode="S1E4", at=10_000)),
        ("No episode time", cue(0, 5_000, "somewhere in it", at=None)),
        (
            "Mine",
            Note(text="my note", position_ms=5_000, episode="s01e03", episode_start_ms=2_500_000),
        ),
    ]
    text = export_episode_vtt("1x03", entries, note="Hometown Embrace, S1E3 — music")
    assert read(text) == [
        (1_100_000, 2_027_000, "♪ Hometown Serenade, 0:24 — dinner in the rain"),
        (2_027_000, 2_038_000, "♪ Shadows of Doubt, 0:11 — the unsent letters"),
        (2_480_000, 2_492_500, "♪ First Love’s Whisper, 0:12 — the rooftop confession"),
        (2_500_000, 3_130_000, "♪ Mine, 0:05 — my note"),
        (3_130_000, 3_140_000, "♪ A Promise Kept, 0:15 — the promise"),
    ]


def test_an_empty_episode_is_still_a_valid_file() -> None:
    assert read(export_episode_vtt("S2E1", [])) == []


_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_cues = st.builds(
    cue,
    start=st.integers(0, 30 * 3_600_000),
    end=st.none() | st.integers(0, 30 * 3_600_000),
    text=_texts,
    at=st.none() | st.integers(0, 30 * 3_600_000),
    at_end=st.none() | st.integers(0, 30 * 3_600_000),
)


@settings(max_examples=1000, deadline=None, database=None)
@given(st.lists(_cues, max_size=6), st.integers(0, 30 * 3_600_000), _texts)
def test_any_cues_give_a_valid_file(items: list[SceneCue], duration: int, note: str) -> None:
    track = Track(path=Path("/x.ogg"), duration_ms=duration)
    per_track = read(export_track_vtt(track, items, note=note))
    assert len(per_track) == len(items)
    per_episode = read(export_episode_vtt("S1E3", [("t", item) for item in items], note=note))
    assert len(per_episode) == sum(1 for item in items if item.episode_start_ms is not None)


# --- hostile input -----------------------------------------------------------------------------

_huge = st.integers(0, 2**40)  # 35 years: webvtt-py reads up to ten digits of hours
_hostile_cues = st.builds(
    cue,
    start=_huge,
    end=st.none() | _huge,
    text=ANY_TEXT,
    episode=st.sampled_from(["S1E3", "S999E9999", "S0E0"]),
    at=st.none() | _huge,
    at_end=st.none() | _huge,
)
_hostile_notes = st.builds(
    Note,
    text=ANY_TEXT,
    position_ms=_huge,
    end_ms=st.none() | _huge,
    episode=st.none() | st.just("S1E3"),
    episode_start_ms=st.none() | _huge,
)


@THOUSAND
@given(
    st.lists(_hostile_cues | _hostile_notes, max_size=5),
    st.lists(ANY_TEXT, min_size=5, max_size=5),
    st.none() | ANY_TEXT,
    _huge,
)
def test_any_text_and_times_export_to_a_file_that_can_be_saved(
    items: list[SceneCue | Note], titles: list[str], note: str | None, duration: int
) -> None:
    # Titles come from file names when a track has no tags: they may hold lone surrogates.
    track = Track(path=Path("/x.ogg"), duration_ms=duration)
    per_track = export_track_vtt(track, items, note=note)
    per_track.encode("utf-8")  # what `ostplayer notes export` writes
    assert len(read(per_track)) == len(items)
    entries = list(zip(titles, items, strict=False))
    per_episode = export_episode_vtt("s01e03", entries, note=note)
    per_episode.encode("utf-8")
    wanted = [i for _, i in entries if i.episode == "S1E3" and i.episode_start_ms is not None]
    assert len(read(per_episode)) == len(wanted)
