"""Cover art: the picture embedded in a file first, else a cover image in the album folder."""

from __future__ import annotations

import base64
from pathlib import Path

_FOLDER_NAMES = ("cover", "folder", "front", "album")
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")


def read_cover(path: Path) -> bytes | None:
    """The image bytes of ``path``'s cover art, or ``None``. Never raises for a bad file."""
    try:
        data = _embedded(path)
    except Exception:  # a damaged file simply has no cover
        data = None
    return data or _folder_image(path.parent)


def _embedded(path: Path) -> bytes | None:
    import mutagen
    from mutagen.flac import Picture

    audio = mutagen.File(path)
    if audio is None:
        return None
    pictures = getattr(audio, "pictures", None)  # FLAC
    if pictures:
        return _front(pictures)
    tags = audio.tags
    if tags is None:
        return None
    if hasattr(tags, "getall"):  # ID3
        frames = tags.getall("APIC")
        return _front(frames) if frames else None
    if "covr" in tags:  # MP4
        return bytes(tags["covr"][0])
    blocks = tags.get("metadata_block_picture") if hasattr(tags, "get") else None
    if blocks:  # Ogg Vorbis / Opus
        return _front([Picture(base64.b64decode(b)) for b in blocks])
    return None


def _front(pictures: list) -> bytes | None:
    # Type 3 is "front cover" in both ID3 and FLAC picture blocks.
    best = next((p for p in pictures if getattr(p, "type", None) == 3), pictures[0])
    return bytes(best.data) or None


def _folder_image(folder: Path) -> bytes | None:
    try:
        candidates = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_EXTENSIONS)
    except OSError:
        return None
    for name in _FOLDER_NAMES:
        for candidate in candidates:
            if candidate.stem.lower() == name:
                try:
                    return candidate.read_bytes()
                except OSError:
                    continue
    return None
