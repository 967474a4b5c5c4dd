"""Reading a track's tags with mutagen.

The first cut: the common fields through mutagen's "easy" interfaces, which cover ID3, Vorbis
comments (Ogg Vorbis, Opus, FLAC) and MP4. The library issue grows this into a per-format
registry with every field the design names.
"""

from __future__ import annotations

from pathlib import Path

from ostplayer.domain.track import Track

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".mp4", ".aac", ".wav", ".aif", ".aiff",
     ".wma", ".ape", ".wv"}
)  # fmt: skip


class TagError(Exception):
    """A file's tags could not be read; the message says why, for people."""


def read_track(path: Path) -> Track:
    """Read ``path`` into a :class:`Track` (``id`` 0). Raises :class:`TagError`."""
    import mutagen  # deferred: the window's first paint does not need it

    try:
        audio = mutagen.File(path, easy=True)
    except (OSError, mutagen.MutagenError) as exc:
        raise TagError(f"cannot read {path.name}: {exc}") from exc
    except Exception as exc:  # mutagen raises struct.error, IndexError... on hostile files
        raise TagError(f"cannot read {path.name}: damaged file ({type(exc).__name__})") from exc
    if audio is None:
        raise TagError(f"{path.name} is not an audio format OST Player knows")
    tags = audio.tags or {}
    length = getattr(audio.info, "length", 0) or 0
    return Track(
        path=path,
        title=_first(tags, "title"),
        artist=_first(tags, "artist"),
        album=_first(tags, "album"),
        album_artist=_first(tags, "albumartist"),
        track_number=_number(_first(tags, "tracknumber")),
        disc_number=_number(_first(tags, "discnumber")),
        year=_number(_first(tags, "date")[:4]),
        genre=_first(tags, "genre"),
        moods=_all(tags, "mood"),
        duration_ms=round(length * 1000),
    )


def _values(tags: object, key: str) -> list[str]:
    try:
        values = tags[key]  # type: ignore[index]
    except (KeyError, ValueError, TypeError):
        return []
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values if str(v).strip()]


def _first(tags: object, key: str) -> str:
    values = _values(tags, key)
    return values[0] if values else ""


def _all(tags: object, key: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in _values(tags, key):
        # "tender; warm" and ["tender", "warm"] both occur in the wild.
        for part in value.replace(";", ",").split(","):
            if part.strip():
                seen.setdefault(part.strip(), None)
    return tuple(seen)


def _number(text: str) -> int | None:
    # "3/12" and "03" both mean 3.
    head = text.split("/", 1)[0].strip()
    return int(head) if head.isdigit() else None
