"""The mood repository against a real database: three sources kept apart, edits, undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from ostplayer.domain.mood import MoodIndex
from ostplayer.store.database import Database
from ostplayer.store.moods import MoodRepository
from ostplayer.store.tracks import TrackRepository
from tests.store.test_scenes import import_demo_pack


@pytest.fixture
def ids(db: Database, demo: tuple[TrackRepository, Path]) -> dict[str, int]:
    """The demo OST (tag moods tender, tense, hopeful, warm) with its scene pack imported."""
    repo, _folder = demo
    import_demo_pack(db, repo)
    return {t.title: t.id for t in repo.all()}


def origins(db: Database, track_id: int, mood: str) -> set[str]:
    return {o for t, m, o in MoodRepository(db).rows() if t == track_id and m.lower() == mood}


def test_each_source_is_kept_apart_and_combined_once(db: Database, ids: dict[str, int]) -> None:
    whisper = ids["First Love’s Whisper"]
    repo = MoodRepository(db)
    repo.add([whisper], " Tender ")  # the listener's own spelling of a tag and pack mood
    assert origins(db, whisper, "tender") == {"tag", "pack", "listener"}
    combined = repo.combined()[whisper]
    assert [m.casefold() for m in combined].count("tender") == 1
    assert "romantic" in combined  # from the pack's cues
    # The table shows the combined moods too.
    assert TrackRepository(db).get(whisper).moods == combined


def test_removing_a_tag_mood_hides_it_and_leaves_the_sources(
    db: Database, ids: dict[str, int]
) -> None:
    doubt = ids["Shadows of Doubt"]
    repo = MoodRepository(db)
    given = origins(db, doubt, "tense")
    assert "tag" in given
    before = repo.remove([doubt], "TENSE")
    assert origins(db, doubt, "tense") == set()
    assert "tense" not in TrackRepository(db).get(doubt).moods
    # The file's tag row is still there: a rescan or write-back decides, not the removal.
    tag_rows = db.conn.execute(
        "SELECT mood FROM track_mood WHERE track_id = ? AND origin = 'tag'", (doubt,)
    ).fetchall()
    assert [r[0] for r in tag_rows] == ["tense"]
    repo.restore(before)
    assert origins(db, doubt, "tense") == given


def test_adding_a_hidden_mood_brings_it_back(db: Database, ids: dict[str, int]) -> None:
    doubt = ids["Shadows of Doubt"]
    repo = MoodRepository(db)
    repo.remove([doubt], "tense")
    repo.add([doubt], "tense")
    assert "tag" in origins(db, doubt, "tense")
    assert "listener" in origins(db, doubt, "tense")


def test_add_on_many_tracks_and_undo_restores_exactly(db: Database, ids: dict[str, int]) -> None:
    repo = MoodRepository(db)
    everything = sorted(ids.values())
    snapshot = sorted(repo.rows())
    before = repo.add(everything, "longing")
    assert MoodIndex(repo.rows()).tracks("longing") == frozenset(everything)
    redo = repo.restore(before)
    assert sorted(repo.rows()) == snapshot
    repo.restore(redo)
    assert MoodIndex(repo.rows()).tracks("longing") == frozenset(everything)


def test_for_files_leaves_out_pack_and_hidden_moods(db: Database, ids: dict[str, int]) -> None:
    whisper, doubt = ids["First Love’s Whisper"], ids["Shadows of Doubt"]
    repo = MoodRepository(db)
    repo.add([whisper], "longing")
    repo.remove([doubt], "tense")
    wanted = repo.for_files([whisper, doubt])
    assert wanted[whisper] == ("tender", "longing")
    assert wanted[doubt] == ()


def test_an_empty_mood_is_refused(db: Database, ids: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        MoodRepository(db).add([ids["A Promise Kept"]], "   ")


def test_missing_tracks_leave_the_counts_but_keep_their_moods(
    db: Database, ids: dict[str, int]
) -> None:
    serenade = ids["Hometown Serenade"]
    repo = MoodRepository(db)
    repo.add([serenade], "serene")
    TrackRepository(db).mark_missing([serenade])
    assert serenade not in MoodIndex(repo.rows()).track_ids
    assert "serene" in repo.combined([serenade])[serenade]
