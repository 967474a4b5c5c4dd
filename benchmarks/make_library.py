"""Make a realistic music library for benchmarks: Artist/Album/NN Title.ext, tagged, mixed formats.

``python benchmarks/make_library.py DEST --files 20000 [--seed 1]``

Every file is a copy of one of the tagged 6-second fixtures in tests/data, retagged with mutagen
in its own tag family (ID3 for MP3, WAV and AIFF; Vorbis comments for Ogg Vorbis, Opus and FLAC;
MP4 atoms; ASF attributes; APEv2 for WavPack): title, artist, album, album artist, track and disc
number with totals, year, genre, a mood on about 60% of files, embedded cover art on about 10%.
About 15% of names are Japanese, Korean or Chinese, in the tags and in some file and folder
names; about 30% of album folders hold a ``cover.jpg``. Formats are weighted like a real
collection (mostly MP3, FLAC, AAC and Ogg Vorbis). The same seed gives the same library.

Each copy is tagged in memory (the fixture's bytes in a ``BytesIO``) and written once, in
``--jobs`` processes. A ``.ostplayer-bench-library`` file in DEST records what was made, so
``benchmarks/scan.py`` can reuse the library and ``--force`` only ever clears a folder this
script made.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import random
import shutil
import struct
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "data"
COVER = REPO / "resources" / "demo" / "cover.jpg"
#: Written into DEST: what was made, and proof that DEST is ours to clear.
MARKER = ".ostplayer-bench-library"

# Fixture file → share of the library, like a real collection: mostly MP3, FLAC, AAC and Vorbis.
FORMATS: dict[str, float] = {
    "tone.mp3": 0.40,
    "tone.flac": 0.20,
    "tone.m4a": 0.13,
    "tone-alac.m4a": 0.03,
    "tone.ogg": 0.10,
    "tone.opus": 0.04,
    "tone.wav": 0.03,
    "tone.wma": 0.03,
    "tone.wv": 0.02,
    "tone.aiff": 0.02,
}

MOODS = (
    "tender", "tense", "hopeful", "warm", "melancholic", "eerie", "triumphant", "playful",
    "nostalgic", "calm", "bittersweet", "epic", "lonely", "romantic",
)  # fmt: skip
GENRES = (
    "Soundtrack", "Score", "Anime", "Game", "Orchestral", "Ambient", "Piano", "J-Pop", "K-Pop",
    "Electronic", "Folk", "Jazz", "Classical", "Rock",
)  # fmt: skip

# Western names: adjectives and nouns combine into titles, albums and artists.
ADJECTIVES = (
    "Silent", "Crimson", "Distant", "Broken", "Golden", "Last", "Hidden", "Falling", "Endless",
    "Quiet", "Burning", "Frozen", "Wandering", "First", "Lost", "Secret", "Fading", "Midnight",
    "Morning", "Hollow", "Gentle", "Restless", "Pale", "Shining", "Little", "Forgotten", "Northern",
    "Summer", "Winter", "Velvet", "Electric", "Paper", "Glass", "Iron", "Open",
)  # fmt: skip
NOUNS = (
    "Rooftop", "Promise", "Harbor", "Lantern", "Memory", "Train", "Garden", "Storm", "Letter",
    "Bridge", "Confession", "Farewell", "Sky", "River", "Station", "Dream", "Shadow", "Festival",
    "Horizon", "Rain", "Heart", "Road", "Window", "Echo", "Light", "Ocean", "Forest", "City",
    "Snow", "Moon", "Tide", "Reunion", "Chase", "Lullaby", "Waltz", "Overture", "Requiem",
)  # fmt: skip
FIRST_NAMES = (
    "Anna", "Leo", "Mira", "Jonas", "Clara", "Theo", "Ines", "Felix", "Nora", "Hugo", "Elena",
    "Oskar", "Maya", "Victor", "Lena", "Arthur", "Sofia", "Emil", "Ada", "Julian",
)  # fmt: skip
SURNAMES = (
    "Hart", "Lindqvist", "Moreau", "Keller", "Novak", "Brandt", "Okafor", "Castell", "Weiss",
    "Duval", "Sato", "Ferreira", "Holm", "Marchetti", "Reyes", "Vance", "Ashford", "Quinn",
)  # fmt: skip
ENSEMBLES = (
    "Orchestra", "Ensemble", "Quartet", "Trio", "Collective", "Sound Team", "Strings", "Project",
)  # fmt: skip

# CJK names, whole: (Japanese, Korean, Chinese) phrases for titles, albums and artists.
CJK_TITLES = (
    "約束の丘", "夜明けの旅路", "さよならの季節", "君の名前", "星降る夜に", "風の記憶",
    "遠い日の約束", "雨上がりの空", "桜の散る頃", "最後の手紙", "静かな決意", "光の中へ",
    "夏の終わり",
    "첫사랑의 속삭임", "그리움", "별이 빛나는 밤", "너에게 가는 길", "비밀의 정원", "마지막 인사",
    "바람의 노래", "기억의 조각", "새벽의 약속",
    "月光下的誓言", "远方的思念", "雨中的告白", "归途", "梦的尽头", "城市之光", "花开的季节",
    "离别之歌", "寂静的海",
)  # fmt: skip
CJK_ALBUMS = (
    "青の時代 オリジナル・サウンドトラック", "夜空のむこう", "四季の物語", "風と共に 劇伴集",
    "우리들의 이야기 OST", "별의 기억", "푸른 바다의 전설", "시간의 문",
    "长安十二时辰 原声带", "星辰大海", "山河令", "时光之旅",
)  # fmt: skip
CJK_ARTISTS = (
    "久石譲風アンサンブル", "梶浦由記子", "澤野弘樹", "川井憲治郎", "菅野洋子楽団", "ピアノ・ソロ",
    "김준석", "이하윤", "박지민 오케스트라", "정재일",
    "陈致逸", "谭盾乐团", "林海", "周深",
)  # fmt: skip
CJK_SHARE = 0.15
#: Files per task handed to a worker process.
CHUNK = 250
#: Share of CJK titles whose file name is the CJK title too (the rest use "Track NN").
CJK_FILE_NAME_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class Job:
    """One file to make: where it goes, which fixture it copies, and its tags."""

    path: str
    fixture: str
    title: str
    artist: str
    album: str
    album_artist: str
    track: int
    tracks: int
    disc: int
    discs: int
    year: int
    genre: str
    moods: tuple[str, ...]
    cover: bool


# --------------------------------------------------------------------------------------------
# Planning: deterministic for a seed, and cheap
# --------------------------------------------------------------------------------------------


def _safe(name: str) -> str:
    """A file or folder name from ``name``: no separators, no leading dot, not too long."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|\x00' else ch for ch in name).strip(" .")
    return cleaned[:120] or "Untitled"


def _western_title(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.4:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if shape < 0.7:
        return f"The {rng.choice(NOUNS)} of the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if shape < 0.85:
        return f"{rng.choice(NOUNS)} ({rng.choice(['Reprise', 'Piano Version', 'Extended'])})"
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}, Part {rng.randint(2, 4)}"


def _artist_name(rng: random.Random) -> str:
    if rng.random() < CJK_SHARE:
        return rng.choice(CJK_ARTISTS) + ("" if rng.random() < 0.7 else f" {rng.randint(2, 9)}")
    if rng.random() < 0.6:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    return f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(ENSEMBLES)}"


def _album_name(rng: random.Random) -> str:
    if rng.random() < CJK_SHARE:
        return rng.choice(CJK_ALBUMS)
    base = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    return rng.choice([base, f"{base} (Original Soundtrack)", f"{base} OST", f"Music from {base}"])


def plan(files: int, seed: int) -> tuple[list[Job], list[str]]:
    """Every file to make, and the album folders that get a ``cover.jpg``, for a seed."""
    rng = random.Random(seed)
    artists = sorted({_artist_name(rng) for _ in range(max(1, files // 55))})
    # A few prolific artists, a long tail: weights fall off like a real collection's.
    weights = [1.0 / (1 + i % 40) for i in range(len(artists))]
    rng.shuffle(weights)
    fixtures, shares = list(FORMATS), list(FORMATS.values())
    jobs: list[Job] = []
    covers: list[str] = []
    used: set[str] = set()
    while len(jobs) < files:
        artist = rng.choices(artists, weights)[0]
        album = _album_name(rng)
        folder = f"{_safe(artist)}/{_safe(album)}"
        if folder in used:  # the same artist and album name twice: a second edition
            folder = f"{folder} ({len(used)})"
        used.add(folder)
        if rng.random() < 0.3:
            covers.append(folder)
        tracks = min(rng.randint(8, 20), files - len(jobs))
        discs = 2 if tracks >= 14 and rng.random() < 0.1 else 1
        per_disc = -(-tracks // discs)
        # Most albums are one format; some mix (a bonus track ripped elsewhere).
        album_format = rng.choices(fixtures, shares)[0]
        year = rng.randint(1985, 2025)
        genre = rng.choice(GENRES)
        various = rng.random() < 0.08
        for index in range(tracks):
            disc, track = divmod(index, per_disc)
            disc, track = disc + 1, track + 1
            fixture = album_format if rng.random() < 0.9 else rng.choices(fixtures, shares)[0]
            track_artist = _artist_name(rng) if various else artist
            if rng.random() < CJK_SHARE:
                title = rng.choice(CJK_TITLES)
                stem = title if rng.random() < CJK_FILE_NAME_SHARE else f"Track {track:02d}"
            else:
                title = _western_title(rng)
                stem = title
            number = f"{disc}-{track:02d}" if discs > 1 else f"{track:02d}"
            ext = Path(fixture).suffix
            moods: tuple[str, ...] = ()
            if rng.random() < 0.6:
                moods = tuple(rng.sample(MOODS, 1 if rng.random() < 0.75 else 2))
            jobs.append(
                Job(
                    path=f"{folder}/{number} {_safe(stem)}{ext}",
                    fixture=fixture,
                    title=title,
                    artist=track_artist,
                    album=album,
                    album_artist="Various Artists" if various else artist,
                    track=track,
                    tracks=min(per_disc, tracks - (disc - 1) * per_disc),
                    disc=disc,
                    discs=discs,
                    year=year,
                    genre=genre,
                    moods=moods,
                    cover=rng.random() < 0.1,
                )
            )
    return jobs, covers


# --------------------------------------------------------------------------------------------
# Tagging: each format in its own tag family
# --------------------------------------------------------------------------------------------


def _tag_id3(audio: Any, job: Job, cover: bytes) -> None:
    from mutagen.id3 import APIC, TALB, TCON, TDRC, TIT2, TMOO, TPE1, TPE2, TPOS, TRCK

    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    tags.clear()
    for frame in (
        TIT2(encoding=3, text=job.title),
        TPE1(encoding=3, text=job.artist),
        TALB(encoding=3, text=job.album),
        TPE2(encoding=3, text=job.album_artist),
        TRCK(encoding=3, text=f"{job.track}/{job.tracks}"),
        TPOS(encoding=3, text=f"{job.disc}/{job.discs}"),
        TDRC(encoding=3, text=str(job.year)),
        TCON(encoding=3, text=job.genre),
    ):
        tags.add(frame)
    if job.moods:
        tags.add(TMOO(encoding=3, text=list(job.moods)))
    if job.cover:
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=cover))


def _vorbis_fields(job: Job) -> dict[str, list[str]]:
    fields = {
        "TITLE": [job.title],
        "ARTIST": [job.artist],
        "ALBUM": [job.album],
        "ALBUMARTIST": [job.album_artist],
        "TRACKNUMBER": [str(job.track)],
        "TRACKTOTAL": [str(job.tracks)],
        "DISCNUMBER": [str(job.disc)],
        "DISCTOTAL": [str(job.discs)],
        "DATE": [str(job.year)],
        "GENRE": [job.genre],
    }
    if job.moods:
        fields["MOOD"] = list(job.moods)
    return fields


def _picture(cover: bytes) -> Any:
    from mutagen.flac import Picture

    picture = Picture()
    picture.type, picture.mime, picture.desc, picture.data = 3, "image/jpeg", "Cover", cover
    picture.width, picture.height, picture.depth = 300, 300, 24
    return picture


def _tag_vorbis(audio: Any, job: Job, cover: bytes) -> None:
    audio.tags.clear()
    for key, values in _vorbis_fields(job).items():
        audio.tags[key] = values
    if job.cover:
        if hasattr(audio, "add_picture"):  # FLAC: a PICTURE block
            audio.clear_pictures()
            audio.add_picture(_picture(cover))
        else:  # Ogg Vorbis and Opus: a base64 picture block in the comments
            block = base64.b64encode(_picture(cover).write()).decode("ascii")
            audio.tags["METADATA_BLOCK_PICTURE"] = [block]


def _tag_mp4(audio: Any, job: Job, cover: bytes) -> None:
    from mutagen.mp4 import MP4Cover, MP4FreeForm

    audio.tags.clear()
    audio.tags.update(
        {
            "\xa9nam": [job.title],
            "\xa9ART": [job.artist],
            "\xa9alb": [job.album],
            "aART": [job.album_artist],
            "trkn": [(job.track, job.tracks)],
            "disk": [(job.disc, job.discs)],
            "\xa9day": [str(job.year)],
            "\xa9gen": [job.genre],
        }
    )
    if job.moods:
        audio.tags["----:com.apple.iTunes:MOOD"] = [
            MP4FreeForm(m.encode("utf-8")) for m in job.moods
        ]
    if job.cover:
        audio.tags["covr"] = [MP4Cover(cover, imageformat=MP4Cover.FORMAT_JPEG)]


def _tag_asf(audio: Any, job: Job, cover: bytes) -> None:
    from mutagen.asf import ASFByteArrayAttribute

    audio.tags.clear()
    audio.tags.update(
        {
            "Title": [job.title],
            "Author": [job.artist],
            "WM/AlbumTitle": [job.album],
            "WM/AlbumArtist": [job.album_artist],
            "WM/TrackNumber": [str(job.track)],
            "WM/PartOfSet": [f"{job.disc}/{job.discs}"],
            "WM/Year": [str(job.year)],
            "WM/Genre": [job.genre],
        }
    )
    if job.moods:
        audio.tags["WM/Mood"] = list(job.moods)
    if job.cover:
        # WM/Picture: type, size, then UTF-16 MIME type and description, then the data.
        mime, desc = "image/jpeg".encode("utf-16-le"), "Cover".encode("utf-16-le")
        blob = struct.pack("<bI", 3, len(cover)) + mime + b"\0\0" + desc + b"\0\0" + cover
        audio.tags["WM/Picture"] = [ASFByteArrayAttribute(blob)]


def _tag_ape(audio: Any, job: Job, cover: bytes) -> None:
    from mutagen.apev2 import APEBinaryValue

    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    audio.tags.update(
        {
            "Title": job.title,
            "Artist": job.artist,
            "Album": job.album,
            "Album Artist": job.album_artist,
            "Track": f"{job.track}/{job.tracks}",
            "Disc": f"{job.disc}/{job.discs}",
            "Year": str(job.year),
            "Genre": job.genre,
        }
    )
    if job.moods:
        audio.tags["Mood"] = list(job.moods)
    if job.cover:
        audio.tags["Cover Art (Front)"] = APEBinaryValue(b"cover.jpg\0" + cover)


Tagger = Callable[[Any, Job, bytes], None]


def _formats() -> dict[str, tuple[type, Tagger]]:
    from mutagen.aiff import AIFF
    from mutagen.asf import ASF
    from mutagen.flac import FLAC
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE
    from mutagen.wavpack import WavPack

    return {
        "tone.mp3": (MP3, _tag_id3),
        "tone.wav": (WAVE, _tag_id3),
        "tone.aiff": (AIFF, _tag_id3),
        "tone.flac": (FLAC, _tag_vorbis),
        "tone.ogg": (OggVorbis, _tag_vorbis),
        "tone.opus": (OggOpus, _tag_vorbis),
        "tone.m4a": (MP4, _tag_mp4),
        "tone-alac.m4a": (MP4, _tag_mp4),
        "tone.wma": (ASF, _tag_asf),
        "tone.wv": (WavPack, _tag_ape),
    }


def make_files(dest: str, jobs: list[Job]) -> int:
    """Write ``jobs`` below ``dest``; return the bytes written. Runs in a worker process."""
    formats = _formats()
    originals = {name: (FIXTURES / name).read_bytes() for name in formats}
    cover = COVER.read_bytes()
    written = 0
    for job in jobs:
        kind, tag = formats[job.fixture]
        buffer = io.BytesIO(originals[job.fixture])
        audio = kind(buffer)
        tag(audio, job, cover)
        buffer.seek(0)
        audio.save(buffer)
        data = buffer.getvalue()
        target = Path(dest, job.path)
        target.parent.mkdir(parents=True, exist_ok=True)  # made already, unless run alone
        target.write_bytes(data)
        written += len(data)
    return written


def _chunks(jobs: list[Job], size: int) -> Iterator[list[Job]]:
    for start in range(0, len(jobs), size):
        yield jobs[start : start + size]


def read_marker(dest: Path) -> dict[str, Any] | None:
    """What the marker in ``dest`` says was made there, or None if this script did not make it."""
    try:
        return json.loads((dest / MARKER).read_text())  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def make_library(dest: Path, files: int, seed: int = 1, jobs: int | None = None) -> dict[str, Any]:
    """Make the library in ``dest`` (which must be empty or absent); return what was made."""
    start = time.perf_counter()
    planned, covers = plan(files, seed)
    dest.mkdir(parents=True, exist_ok=True)
    folders = sorted({job.path.rsplit("/", 1)[0] for job in planned})
    for folder in folders:
        (dest / folder).mkdir(parents=True, exist_ok=True)
    cover = COVER.read_bytes()
    for folder in covers:
        (dest / folder / "cover.jpg").write_bytes(cover)
    workers = jobs or os.cpu_count() or 1
    if workers == 1:
        size = make_files(str(dest), planned)
    else:
        with ProcessPoolExecutor(workers) as pool:
            size = sum(pool.map(partial(make_files, str(dest)), _chunks(planned, CHUNK)))
    size += len(cover) * len(covers)
    info = {
        "files": files,
        "seed": seed,
        "albums": len({job.path.rsplit("/", 1)[0] for job in planned}),
        "artists": len({job.path.split("/", 1)[0] for job in planned}),
        "cover_files": len(covers),
        "bytes": size,
        "seconds": round(time.perf_counter() - start, 2),
    }
    (dest / MARKER).write_text(json.dumps(info, indent=1) + "\n")
    return info


def main() -> None:
    """Parse the command line, make the library, say how long it took and how big it is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="folder to make (empty or absent)")
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument(
        "--force", action="store_true", help="clear DEST first if this script made it"
    )
    args = parser.parse_args()
    dest: Path = args.dest.absolute()
    if dest.exists() and any(dest.iterdir()):
        if not args.force:
            sys.exit(f"{dest} is not empty (use --force to replace a library made by this script)")
        if read_marker(dest) is None:
            sys.exit(f"{dest} was not made by this script: not clearing it")
        shutil.rmtree(dest)
    info = make_library(dest, args.files, args.seed, args.jobs)
    print(
        f"Made {info['files']} files ({info['albums']} albums, {info['artists']} artist folders, "
        f"{info['cover_files']} cover.jpg) in {dest}: {info['bytes'] / 2**20:.0f} MiB "
        f"in {info['seconds']:.1f} s."
    )


if __name__ == "__main__":
    main()
