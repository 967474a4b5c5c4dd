"""`ostplayer moods`, `mood` and `playlist`: the command-line contract for moods and playlists.

In-process through ``main()`` on a real database, with the demo OST scanned from a copy and its
scene pack imported: tag moods tender / tense / hopeful / warm, and the pack's cue moods.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ostplayer.library.packs import DEMO_PACK
from tests.test_cli_scenes import Cli, scanned


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(data_dir, capsys)


@pytest.fixture
def ids(cli: Cli, tmp_path: Path) -> dict[str, int]:
    found = scanned(cli, tmp_path / "music")
    cli.ok("pack", "import", str(DEMO_PACK))
    return found


WHISPER, DOUBT, PROMISE, SERENADE = (
    "First Love’s Whisper",
    "Shadows of Doubt",
    "A Promise Kept",
    "Hometown Serenade",
)


def titles(result: object) -> list[str]:
    return [e["title"] for e in result["entries"]]  # type: ignore[index]


def test_moods_counts_tracks_with_their_sources(cli: Cli, ids: dict[str, int]) -> None:
    moods = cli.json("moods")
    assert isinstance(moods, dict)
    assert moods["tense"]["sources"]["tag"] == 1
    tender = moods["tender"]
    assert tender["sources"]["tag"] == 1 and tender["sources"]["pack"] >= 1
    assert tender["tracks"] >= 1
    assert all(set(v) == {"tracks", "sources"} for v in moods.values())


def test_mood_add_and_remove_on_many_tracks(cli: Cli, ids: dict[str, int]) -> None:
    whisper, serenade = ids[WHISPER], ids[SERENADE]
    out = cli.ok("mood", "add", "--track", str(whisper), "--track", str(serenade), " Longing ")
    assert out.count("longing") == 2  # the vocabulary's own spelling
    moods = cli.json("moods")
    # Shown by the vocabulary's own spelling, however the listener typed it.
    assert moods["longing"] == {"tracks": 2, "sources": {"tag": 0, "pack": 0, "listener": 2}}
    cli.ok("mood", "remove", "--track", str(serenade), "longing")
    assert cli.json("moods")["longing"]["tracks"] == 1
    # A tag mood can be taken off too; the file is left alone.
    cli.ok("mood", "remove", "--track", str(ids[DOUBT]), "TENSE")
    tense = cli.json("moods").get("tense")
    assert tense is None or tense["sources"]["tag"] == 0


def test_mood_on_an_unknown_track_fails_cleanly(cli: Cli, ids: dict[str, int]) -> None:
    assert "no track with id 999" in cli.fails("mood", "add", "--track", "999", "tender")


def moods_by_title(cli: Cli) -> dict[str, set[str]]:
    """Each track's combined moods, as `ostplayer tracks` shows them (tags and the pack)."""
    return {t["title"]: set(t["moods"]) for t in cli.json("tracks")}  # type: ignore[union-attr,index]


def test_build_includes_excludes_and_explains(cli: Cli, ids: dict[str, int]) -> None:
    moods = moods_by_title(cli)
    built = cli.json("playlist", "build", "--mood", "tense,warm")
    assert sorted(titles(built)) == sorted(t for t, m in moods.items() if m & {"tense", "warm"})
    assert all(e["reason"] for e in built["entries"])  # type: ignore[index]
    built = cli.json("playlist", "build", "--mood", "tense,warm", "--exclude", "tense")
    expected = [t for t, m in moods.items() if "warm" in m and "tense" not in m]
    assert sorted(titles(built)) == sorted(expected) and expected
    built = cli.json("playlist", "build", "--mood", "warm,hopeful", "--all")
    assert sorted(titles(built)) == sorted(t for t, m in moods.items() if {"warm", "hopeful"} <= m)


def test_build_fills_the_length_without_running_past_by_more_than_one_track(
    cli: Cli, ids: dict[str, int]
) -> None:
    built = cli.json("playlist", "build", "--minutes", "1", "--order", "album")
    durations = [e["duration_ms"] for e in built["entries"]]  # type: ignore[index]
    assert sum(durations) >= 60_000
    assert sum(durations[:-1]) < 60_000


def test_build_series_order_follows_first_appearance(cli: Cli, ids: dict[str, int]) -> None:
    built = cli.json("playlist", "build", "--order", "series")
    # The demo pack: each entry says where it is first heard, in airing order.
    heard = [e["reason"].split(" · ")[0] for e in built["entries"]]  # type: ignore[index]
    assert heard[0].startswith("first heard S1E1")
    assert heard[-1].startswith("first heard S1E2")  # the suspense theme comes in episode 2


def test_moment_playlist_plays_spans_in_series_order(cli: Cli, ids: dict[str, int]) -> None:
    built = cli.json("playlist", "build", "--mood", "tender", "--moments")
    entries = built["entries"]  # type: ignore[index]
    assert entries and all(e["start_ms"] is not None for e in entries)
    assert all(e["duration_ms"] < 60_000 for e in entries)
    short = cli.json(
        "playlist", "build", "--mood", "tender", "--moments", "--episodes", "S1E1-S1E3"
    )
    assert 0 < len(short["entries"]) < len(entries)  # type: ignore[index]


def test_saved_playlists_list_show_export_import(
    cli: Cli, ids: dict[str, int], tmp_path: Path
) -> None:
    cli.ok("playlist", "build", "--mood", "tender,hopeful", "--name", "Soft")
    cli.ok("playlist", "build", "--mood", "warm", "--smart", "--name", "Warm rule")
    listed = cli.json("playlist", "list")
    assert [(p["name"], p["kind"]) for p in listed] == [  # type: ignore[union-attr,index]
        ("Soft", "static"),
        ("Warm rule", "smart"),
    ]
    assert sorted(titles(cli.json("playlist", "show", "warm rule"))) == [PROMISE, SERENADE]
    # A smart playlist follows the moods.
    cli.ok("mood", "add", "--track", str(ids[DOUBT]), "warm")
    assert sorted(titles(cli.json("playlist", "show", "Warm rule"))) == sorted(
        [PROMISE, SERENADE, DOUBT]
    )
    out = tmp_path / "lists" / "soft.m3u8"
    out.parent.mkdir()
    cli.ok("playlist", "export", "Soft", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("#EXTM3U") and "../music/" in text  # relative to the playlist
    # Import it back, with one entry that is not in the library.
    out.write_text(text + "../music/not-here.ogg\nhttp://example.com/a.mp3\n", encoding="utf-8")
    imported = cli.json("playlist", "import", str(out))
    assert imported["name"] == "Soft (2)"  # type: ignore[index]
    assert imported["entries"] == len(cli.json("playlist", "show", "Soft")["entries"])  # type: ignore[index]
    missing = [m["location"] for m in imported["missing"]]  # type: ignore[index]
    assert any(loc.endswith("not-here.ogg") for loc in missing)
    assert "http://example.com/a.mp3" in missing


def test_build_writes_xspf(cli: Cli, ids: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "tender.xspf"
    cli.ok("playlist", "build", "--mood", "tender", "--moments", "-o", str(out))
    assert b"http://xspf.org/ns/0/" in out.read_bytes()


def test_playlist_errors_are_one_line(cli: Cli, ids: dict[str, int], tmp_path: Path) -> None:
    assert "no playlist called" in cli.fails("playlist", "show", "Nope")
    cli.ok("playlist", "build", "--mood", "warm", "--name", "Once")
    assert "already exists" in cli.fails("playlist", "build", "--mood", "warm", "--name", "Once")
    bad = tmp_path / "bad.xspf"
    bad.write_text("<not xml", encoding="utf-8")
    cli.fails("playlist", "import", str(bad))
    assert "--moments" in cli.fails("playlist", "build", "--character", "Jun-ho")


def test_cli_runs_end_to_end(data_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ostplayer", "--data-dir", str(data_dir), "moods", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "{}")
