"""`ostplayer notes` and `ostplayer pack`: the command-line contract for scene notes and packs.

Run in-process through ``main()`` on a real database in the test's data dir, and end to end
through ``python -m ostplayer`` for the exit codes and the one-line errors.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import lemony_lrc_parser as llp
import pytest
import webvtt

from ostplayer.cli import main
from ostplayer.formats.pack import dump_pack, load_pack
from ostplayer.library.packs import DEMO_PACK
from ostplayer.store.database import Database
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.tracks import TrackRepository


class Cli:
    """Runs ``ostplayer`` in-process on one data dir and captures what it prints."""

    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self._capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self._capsys.readouterr()
        code = main(["--data-dir", str(self.data_dir), *args])
        out, err = self._capsys.readouterr()
        return code, out, err

    def ok(self, *args: str) -> str:
        code, out, err = self(*args)
        assert (code, err) == (0, ""), err
        return out

    def json(self, *args: str) -> object:
        return json.loads(self.ok(*args, "--json"))

    def fails(self, *args: str) -> str:
        """Run a command that must fail: exit 2, one line on stderr, nothing on stdout."""
        code, out, err = self(*args)
        assert code == 2, (out, err)
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ostplayer: "), err
        return lines[0]

    def stores(self) -> tuple[TrackRepository, SceneRepository]:
        db = Database(self.data_dir / "library.sqlite3")
        return TrackRepository(db), SceneRepository(db)


def scanned(cli: Cli, music: Path) -> dict[str, int]:
    """Scan a copy of the demo OST with `ostplayer scan`; returns the track ids by title."""
    music.mkdir(parents=True)
    for song in DEMO_PACK.parent.glob("*.ogg"):
        shutil.copy2(song, music / song.name)
    assert cli.json("scan", str(music))["added"] == 4  # type: ignore[index]
    return {t["title"]: t["id"] for t in cli.json("tracks")}  # type: ignore[union-attr,index]


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(data_dir, capsys)


@pytest.fixture
def ids(cli: Cli, tmp_path: Path) -> dict[str, int]:
    return scanned(cli, tmp_path / "music")


def state(cli: Cli) -> object:
    """What an import could change: packs, entries and every track's cues."""
    tracks, scenes = cli.stores()
    return scenes.packs(), scenes.entries(), [scenes.cues(t.id) for t in tracks.all()]


def cue_count(cli: Cli) -> int:
    tracks, scenes = cli.stores()
    return sum(len(scenes.cues(t.id)) for t in tracks.all())


# -- pack import ------------------------------------------------------------------------------


def test_pack_import_matches_the_demo_ost(cli: Cli, ids: dict[str, int]) -> None:
    pack = load_pack(DEMO_PACK)
    assert cli.json("pack", "import", str(DEMO_PACK)) == {
        "name": pack.name,
        "matched": 4,
        "uncertain": 0,
        "unmatched": 0,
        "cues": pack.cue_count,
        "uncertain_titles": [],
        "unmatched_titles": [],
    }
    assert cue_count(cli) == pack.cue_count


def test_pack_import_again_does_not_duplicate(cli: Cli, ids: dict[str, int]) -> None:
    cli.ok("pack", "import", str(DEMO_PACK))
    count = cue_count(cli)
    out = cli.ok("pack", "import", str(DEMO_PACK))
    assert out.startswith("Imported “Demo scenes")
    assert "4 tracks matched, 0 uncertain, 0 unmatched" in out
    assert cue_count(cli) == count
    _, scenes = cli.stores()
    assert len(scenes.packs()) == 1


def test_pack_import_text_lists_what_needs_a_look(
    cli: Cli, ids: dict[str, int], tmp_path: Path
) -> None:
    document = json.loads(DEMO_PACK.read_bytes())
    document["tracks"][1]["album"] = "Another Album"
    document["tracks"][2]["title"] = "Nobody Has This"
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = cli.ok("pack", "import", str(path))
    assert "2 tracks matched, 1 uncertain, 1 unmatched" in out
    assert "  uncertain (title only): Shadows of Doubt" in out
    assert "  unmatched (link it in the app): Nobody Has This" in out


def test_malformed_pack_exits_2_names_the_field_and_changes_nothing(
    cli: Cli, ids: dict[str, int], tmp_path: Path
) -> None:
    cli.ok("pack", "import", str(DEMO_PACK))
    before = state(cli)
    document = json.loads(DEMO_PACK.read_bytes())
    document["tracks"][1]["chapters"]["chapters"][2]["startTime"] = -3
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    message = cli.fails("pack", "import", str(broken))
    assert "Track 2 (“Shadows of Doubt”), scene 3" in message
    assert "“startTime”" in message
    assert state(cli) == before


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00garbage", b"{", b"[]"])
def test_garbage_pack_exits_2_and_changes_nothing(
    cli: Cli, ids: dict[str, int], tmp_path: Path, data: bytes
) -> None:
    cli.ok("pack", "import", str(DEMO_PACK))
    before = state(cli)
    path = tmp_path / "garbage.json"
    path.write_bytes(data)
    cli.fails("pack", "import", str(path), "--json")
    assert state(cli) == before


def test_a_missing_pack_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    assert "nope.json" in cli.fails("pack", "import", str(tmp_path / "nope.json"))


# -- notes add / list -------------------------------------------------------------------------


def test_notes_add_and_list_round_trip_with_cjk(cli: Cli, ids: dict[str, int]) -> None:
    whisper = ids["First Love’s Whisper"]
    out = cli.ok(
        "notes", "add", "--track", str(whisper), "--at", "1:05", "--end", "1:20",
        "--text", "屋上の告白 — 서연이 돌아온다",
        "--episode", "s01e03", "--episode-at", "41:20",
        "--mood", "tender", "--mood", "설렘,hopeful",
        "--character", "서연", "--character", "Jun-ho",
        "--place", "옥상", "--role", "insert",
    )  # fmt: skip
    assert out.strip().isdigit() and out == out.strip() + "\n"
    note_id = int(out)
    plain = int(cli.ok("notes", "add", "--track", str(whisper), "--at", "5", "--text", "plain"))
    assert plain != note_id

    listed = cli.json("notes", "list", "--track", str(whisper))
    assert listed == [
        {
            "id": plain,
            "track_id": whisper,
            "position_ms": 5_000,
            "end_ms": None,
            "text": "plain",
            "episode": None,
            "episode_start_ms": None,
            "episode_end_ms": None,
            "characters": [],
            "place": "",
            "role": "score",
            "moods": [],
            "orphaned": False,
        },
        {
            "id": note_id,
            "track_id": whisper,
            "position_ms": 65_000,
            "end_ms": 80_000,
            "text": "屋上の告白 — 서연이 돌아온다",
            "episode": "S1E3",
            "episode_start_ms": 2_480_000,
            "episode_end_ms": None,
            "characters": ["서연", "Jun-ho"],
            "place": "옥상",
            "role": "insert",
            "moods": ["tender", "설렘", "hopeful"],
            "orphaned": False,
        },
    ]
    assert cli.json("notes", "list", "--track", str(ids["A Promise Kept"])) == []
    assert cli.json("notes", "list") == listed
    assert cli.ok("notes", "list").splitlines() == [
        "First Love’s Whisper  0:05  plain",
        "First Love’s Whisper  1:05  Ep 3, 41:20 — 屋上の告白 — 서연이 돌아온다",
    ]


def test_notes_list_marks_orphaned_notes(cli: Cli, ids: dict[str, int]) -> None:
    serenade = ids["Hometown Serenade"]
    cli.ok("notes", "add", "--track", str(serenade), "--at", "0:01", "--text", "gone soon")
    tracks, _ = cli.stores()
    tracks.mark_missing([serenade])
    [listed] = cli.json("notes", "list")  # type: ignore[misc]
    assert listed["orphaned"] is True
    assert cli.ok("notes", "list").endswith("gone soon  (orphaned)\n")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--track", "9999", "--at", "1:05", "--text", "x"], "no track with id 9999"),
        (["--at", "1:65", "--text", "x"], "--at"),
        (["--at", "soon", "--text", "x"], "--at"),
        (["--at", "1:05", "--text", "x", "--episode", "episode 3"], "--episode"),
        (["--at", "1:05", "--text", "x", "--episode-at", "41:20"], "--episode-at needs"),
        (["--at", "1:05", "--text", "x", "--episode", "S1E3", "--episode-at", "x"], "--episode-at"),
        (["--at", "1:05", "--end", "1:00", "--text", "x"], "--end"),
        (["--at", "1:05", "--text", "   "], "--text"),
        (["--at", "1:05", "--text", "x", "--episode", "S1E3", "--mood", "m" * 500], "moods"),
    ],
)
def test_notes_add_errors_are_one_line_and_add_nothing(
    cli: Cli, ids: dict[str, int], args: list[str], says: str
) -> None:
    if "--track" not in args:
        args = ["--track", str(ids["A Promise Kept"]), *args]
    assert says in cli.fails("notes", "add", *args)
    assert cli.json("notes", "list") == []


def test_notes_list_of_an_unknown_track_exits_2(cli: Cli) -> None:
    assert "9999" in cli.fails("notes", "list", "--track", "9999")


# -- notes export -----------------------------------------------------------------------------


def test_notes_export_lrc_reads_back_with_an_independent_parser(
    cli: Cli, ids: dict[str, int], tmp_path: Path
) -> None:
    cli.ok("pack", "import", str(DEMO_PACK))
    whisper = ids["First Love’s Whisper"]
    cli.ok("notes", "add", "--track", str(whisper), "--at", "0:03.25", "--text", "初恋の囁き")
    out = tmp_path / "whisper.lrc"
    assert (
        cli.ok("notes", "export", "--format", "lrc", "--track", str(whisper), "-o", str(out)) == ""
    )
    lyrics = llp.loads(out.read_text(encoding="utf-8"), options=llp.ParseOptions(strict=True))
    assert lyrics.validate() == []
    assert dict(lyrics.metadata)["ti"] == "First Love’s Whisper"
    _, scenes = cli.stores()
    pack_starts = [c.start_ms // 10 * 10 for c in scenes.cues(whisper)]
    assert sorted(line.start for line in lyrics) == sorted([*pack_starts, 3_250])
    assert (3_250, "初恋の囁き") in [(line.start, line.text) for line in lyrics]


def test_notes_export_vtt_per_track_and_per_episode(
    cli: Cli, ids: dict[str, int], tmp_path: Path
) -> None:
    cli.ok("pack", "import", str(DEMO_PACK))
    serenade = ids["Hometown Serenade"]
    cli.ok(
        "notes", "add", "--track", str(serenade), "--at", "0:05", "--end", "0:09",
        "--text", "옥상 & <rooftop>", "--episode", "1x03", "--episode-at", "1:01:05",
    )  # fmt: skip
    per_track = tmp_path / "serenade.vtt"
    cli.ok("notes", "export", "--format", "vtt", "--track", str(serenade), "-o", str(per_track))
    captions = webvtt.from_string(per_track.read_text(encoding="utf-8"), strict=True)
    mine = next(c for c in captions if "옥상" in c.text)
    assert (mine.start, mine.end) == ("00:00:05.000", "00:00:09.000")
    assert mine.text == "Ep 3, 1:01:05 — 옥상 &amp; &lt;rooftop&gt;"

    episode = tmp_path / "S1E3.vtt"
    cli.ok("notes", "export", "--format", "vtt", "--episode", "S1E3", "-o", str(episode))
    text = episode.read_text(encoding="utf-8")
    captions = webvtt.from_string(text, strict=True)
    mine = next(c for c in captions if "옥상" in c.text)
    # On the episode's timeline: 1:01:05 in, for as long as the music plays (4 s).
    assert (mine.start, mine.end) == ("01:01:05.000", "01:01:09.000")
    assert mine.text.startswith("♪ Hometown Serenade, 0:05 — ")
    _, scenes = cli.stores()
    timed = [c for c in scenes.episode_cues("S1E3") if c.episode_start_ms is not None]
    assert len(captions) == len(timed) + 1
    starts = [c.start for c in captions]
    assert starts == sorted(starts)


def test_notes_export_refusals(cli: Cli, ids: dict[str, int], tmp_path: Path) -> None:
    out = str(tmp_path / "x")

    def export(*args: str) -> str:
        return cli.fails("notes", "export", *args, "-o", out)

    assert "LRC" in export("--format", "lrc", "--episode", "S1E3")
    assert "not an episode" in export("--format", "vtt", "--episode", "E3")
    assert "9999" in export("--format", "vtt", "--track", "9999")
    assert not Path(out).exists()
    with pytest.raises(SystemExit) as exc:  # --track and --episode together: a usage error
        main(["notes", "export", "--format", "vtt", "--track", "1", "--episode", "S1", "-o", out])
    assert exc.value.code == 2


# -- pack export ------------------------------------------------------------------------------


def test_pack_export_of_an_imported_pack_is_canonical(
    cli: Cli, ids: dict[str, int], tmp_path: Path
) -> None:
    cli.ok("pack", "import", str(DEMO_PACK))
    original = load_pack(DEMO_PACK)
    out = tmp_path / "out" / "demo.json"
    out.parent.mkdir()
    out.write_bytes(b"an older export, replaced whole")
    assert cli.ok("pack", "export", "--name", original.name, "-o", str(out)) == ""
    assert out.read_bytes() == dump_pack(original)
    assert load_pack(out) == original
    assert [p.name for p in out.parent.iterdir()] == ["demo.json"]  # no temp file left
    assert "No Such Pack" in cli.fails("pack", "export", "--name", "No Such Pack", "-o", str(out))
    assert "--personal" in cli.fails("pack", "export", "-o", str(out))


def test_personal_pack_round_trips_into_a_fresh_data_dir(
    cli: Cli, ids: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whisper, promise = ids["First Love’s Whisper"], ids["A Promise Kept"]
    cli.ok(
        "notes", "add", "--track", str(whisper), "--at", "0:12.5", "--end", "0:25",
        "--text", "屋上の告白", "--episode", "S1E3", "--episode-at", "41:20",
        "--mood", "tender,설렘", "--character", "서연", "--place", "the roof",
    )  # fmt: skip
    cli.ok(
        "notes", "add", "--track", str(promise), "--at", "0:30", "--text", "the promise",
        "--episode", "S1E5", "--role", "ending",
    )  # fmt: skip
    cli.ok("notes", "add", "--track", str(promise), "--at", "0:31", "--text", "no episode")
    exported = tmp_path / "mine.json"
    cli.ok("pack", "export", "--personal", "--name", "Mina's notes", "-o", str(exported))

    fresh = Cli(tmp_path / "fresh", capsys)
    fresh_ids = scanned(fresh, tmp_path / "music2")
    result = fresh.json("pack", "import", str(exported))
    assert result["name"] == "Mina's notes"  # type: ignore[index]
    assert (result["matched"], result["cues"]) == (2, 2)  # type: ignore[index]

    _, old_scenes = cli.stores()
    _, new_scenes = fresh.stores()
    for title in ("First Love’s Whisper", "A Promise Kept"):
        notes = [n.to_cue() for n in old_scenes.notes(ids[title]) if n.episode]
        cues = new_scenes.cues(fresh_ids[title])
        assert [_fields(c) for c in cues] == [_fields(c) for c in notes if c is not None]


def _fields(cue: object) -> tuple[object, ...]:
    names = ("start_ms", "end_ms", "episode", "episode_start_ms", "episode_end_ms")
    names += ("description", "characters", "place", "role", "moods", "spoiler_from")
    return tuple(getattr(cue, name) for name in names)


# -- end to end -------------------------------------------------------------------------------


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ostplayer", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_end_to_end_through_the_real_command(data_dir: Path, tmp_path: Path) -> None:
    music = tmp_path / "music"
    music.mkdir()
    for song in DEMO_PACK.parent.glob("*.ogg"):
        shutil.copy2(song, music / song.name)
    assert run(data_dir, "scan", str(music)).returncode == 0
    imported = run(data_dir, "pack", "import", str(DEMO_PACK), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["matched"] == 4

    track = json.loads(run(data_dir, "tracks", "--json").stdout)[0]["id"]
    added = run(data_dir, "notes", "add", "--track", str(track), "--at", "0:07", "--text", "夜")
    assert (added.returncode, added.stderr) == (0, "")
    assert added.stdout.strip().isdigit()

    bad = run(data_dir, "notes", "add", "--track", str(track), "--at", "7:99", "--text", "x")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr

    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"format": "ostplayer-scene-pack", "version": 1, "name": 5}')
    refused = run(data_dir, "pack", "import", str(broken))
    assert refused.returncode == 2
    assert "“name”" in refused.stderr and "Traceback" not in refused.stderr
