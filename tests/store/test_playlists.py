"""The playlist repository against a real database: static, smart, rename, delete and undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from ostplayer.domain.mixer import MoodRule
from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.domain.track import Track
from ostplayer.store.database import Database
from ostplayer.store.playlists import PlaylistNameError, PlaylistRepository
from ostplayer.store.tracks import TrackRepository


@pytest.fixture
def track_ids(db: Database) -> list[int]:
    tracks = [Track(Path(f"/music/{n:02}.ogg"), title=f"Track {n}") for n in range(1, 6)]
    return TrackRepository(db).save_many((t, 1, 1) for t in tracks)


def test_static_playlist_keeps_entries_and_moments_in_order(
    db: Database, track_ids: list[int]
) -> None:
    repo = PlaylistRepository(db)
    entries = [PlaylistEntry(track_ids[2]), PlaylistEntry(track_ids[0], 12_500, 25_000)]
    made = repo.create("Rooftop", entries)
    got = repo.get(made.id)
    assert got is not None and got.entries == tuple(entries)
    assert got.entries[1].is_moment and not got.entries[0].is_moment
    assert repo.find("rooftop") == got  # names are found without regard to case


def test_smart_playlist_stores_its_rule(db: Database) -> None:
    repo = PlaylistRepository(db)
    rule = MoodRule(("tender", "warm"), False, ("tense",), 30, "arc")
    made = repo.create("Tender evening", rule=rule)
    got = repo.get(made.id)
    assert got is not None and got.is_smart and got.rule == rule and got.entries == ()


def test_names_are_unique_and_free_name_counts_up(db: Database) -> None:
    repo = PlaylistRepository(db)
    repo.create("Mix")
    with pytest.raises(PlaylistNameError):
        repo.create("Mix")
    assert repo.free_name("mix") == "mix (2)"
    with pytest.raises(ValueError):
        repo.create("   ")


def test_delete_returns_the_whole_playlist_and_restore_brings_it_back(
    db: Database, track_ids: list[int]
) -> None:
    repo = PlaylistRepository(db)
    made = repo.create("Keep", [PlaylistEntry(t) for t in track_ids])
    gone = repo.delete(made.id)
    assert repo.get(made.id) is None
    assert gone is not None
    repo.restore(gone)
    assert repo.get(made.id) == gone


def test_rename_and_reorder_return_what_was(db: Database, track_ids: list[int]) -> None:
    repo = PlaylistRepository(db)
    made = repo.create("Old", [PlaylistEntry(t) for t in track_ids])
    assert repo.rename(made.id, "  New   name ") == "Old"
    reordered = tuple(reversed(made.entries))
    assert repo.set_entries(made.id, reordered) == made.entries
    got = repo.get(made.id)
    assert got is not None and got.name == "New name" and got.entries == reordered


def test_entries_stay_while_a_track_is_missing(db: Database, track_ids: list[int]) -> None:
    repo = PlaylistRepository(db)
    made = repo.create("Whole", [PlaylistEntry(t) for t in track_ids])
    TrackRepository(db).mark_missing(track_ids[:2])
    got = repo.get(made.id)
    assert got is not None and len(got.entries) == len(track_ids)


def test_a_damaged_rule_leaves_the_playlist_listed(db: Database) -> None:
    repo = PlaylistRepository(db)
    made = repo.create("Smart", rule=MoodRule(("tender",)))
    with db.transaction() as conn:
        conn.execute("UPDATE playlist SET rule = '{\"order\": 7}' WHERE id = ?", (made.id,))
    [listed] = repo.all()
    assert listed.name == "Smart" and listed.rule is None
