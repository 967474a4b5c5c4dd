"""Building a mood playlist over 100,000 tracks (issue: under 100 ms).

Makes a real database of N tracks with moods from tags, the listener and a scene pack's cues
(through the store, as the app writes them), reads it the way the app does (``Mixer.load``,
on a worker thread in the app), then times ``Mixer.build`` for each order with a 30-minute
target, the median of several runs. Writes the figures to docs/performance.md.

    python benchmarks/playlist.py [--tracks 100000] [--runs 9]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import load_note, machine_summary, write_section

from ostplayer.domain.mixer import ORDERS, MoodRule
from ostplayer.domain.mood import VOCABULARY
from ostplayer.domain.track import Track
from ostplayer.library.playlists import Mixer
from ostplayer.store.database import Database
from ostplayer.store.moods import MoodRepository
from ostplayer.store.tracks import TrackRepository

MOODS = [info.name for info in VOCABULARY] + ["nostalgic", "romantic", "bittersweet"]


def make_library(db: Database, count: int, rng: random.Random) -> list[int]:
    """``count`` tracks in albums of 12, one or two tag moods each; returns their ids."""
    tracks = []
    for n in range(count):
        album = n // 12
        tracks.append(
            (
                Track(
                    Path(f"/music/Artist {album % 700}/Album {album}/{n % 12 + 1:02} t{n}.ogg"),
                    title=f"Track {n}",
                    artist=f"Artist {album % 700}",
                    album=f"Album {album}",
                    track_number=n % 12 + 1,
                    duration_ms=rng.randint(60_000, 300_000),
                    moods=tuple(rng.sample(MOODS, rng.randint(1, 2))),
                ),
                1,
                1,
            )
        )
    ids: list[int] = []
    for start in range(0, count, 5000):
        ids += TrackRepository(db).save_many(tracks[start : start + 5000])
    # The listener's own moods on one track in ten.
    for mood in MOODS[:4]:
        MoodRepository(db).add(rng.sample(ids, count // 40), mood)
    return ids


def median_ms(runs: int, work: object) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "library.sqlite3")
        made = time.perf_counter()
        make_library(db, args.tracks, rng)
        print(f"library of {args.tracks} tracks made in {time.perf_counter() - made:.1f} s")
        tracks = TrackRepository(db).all()
        loads = []
        for _ in range(3):
            start = time.perf_counter()
            mixer = Mixer.load(db, tracks)
            _ = mixer.candidates
            loads.append(time.perf_counter() - start)
        load_s = statistics.median(loads)
        rows = []
        for order in ORDERS:
            for include, label in ((("tender", "warm"), "tender, warm"), ((), "every mood")):
                rule = MoodRule(include, False, ("tense",), 30, order)
                med, worst = median_ms(args.runs, lambda r=rule: mixer.build(r, seed=1))
                rows.append((order, label, med, worst, len(mixer.build(rule, seed=1))))
                print(f"{order:8} {label:12} median {med:6.1f} ms  worst {worst:6.1f} ms")
        db.close()
    table = "\n".join(
        f"| {order} | {label} | {med:.1f} ms | {worst:.1f} ms | {picked} |"
        for order, label, med, worst, picked in rows
    )
    body = (
        f"`benchmarks/playlist.py --tracks {args.tracks}`: a real database of "
        f"{args.tracks:,} tracks (one or two tag moods each, plus the listener's own on one in "
        "ten), read as the app reads it, then `Mixer.build` with a 30-minute target, excluding "
        f"*tense*. Median of {args.runs} runs. Machine: {machine_summary()}; {load_note()}.\n\n"
        "| order | include | median | worst | tracks picked |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"{table}\n\n"
        f"Target: under 100 ms. Reading the moods and making the builder's view of "
        f"{args.tracks:,} tracks (`Mixer.load`, on a worker thread in the app, after each "
        f"change of moods) takes {load_s:.2f} s."
    )
    write_section("playlist", "Building a mood playlist", body)


if __name__ == "__main__":
    main()
