"""Writing the listener's moods back into audio files, without ever damaging them.

Moods go into each tag family's own field, the one :mod:`ostplayer.library.tagreader` reads:
ID3 ``TMOO`` (MP3, and the ID3 chunk of WAV and AIFF; ``TXXX:MOOD`` in an ID3v2.3 tag, which
keeps its version), the Vorbis comment ``MOOD`` (Ogg Vorbis, Opus, FLAC), the MP4 freeform atom
``----:com.apple.iTunes:MOOD``, APEv2 ``Mood`` (WavPack, Monkey's Audio) and the ASF attribute
``WM/Mood``, one value per mood. Every field the reader takes moods from is cleared first, so
the file reads back exactly the moods written; every other tag, an MP3's ID3v1 tag included, is
left as it was.

A file is never changed in place. :func:`write_moods` copies it to a hidden file beside it,
writes the tags into the copy, reads the copy back with the tag reader (the moods as asked,
every other field and the stream as before), fsyncs it and renames it over the original, unless
the original changed meanwhile. Any failure removes the copy and raises :class:`MoodWriteError`:
the original is left byte for byte as it was.

Limits of the rename: the file gets a new inode, so another hard link to it keeps the old tags,
and extended attributes are not carried over. A crash between the copy and the rename can leave
the hidden copy (``.<name>.*.ostplayer-tmp.<ext>``) beside the original.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from ostplayer.files import fsync_folder
from ostplayer.library import tagreader
from ostplayer.library.tagreader import TEMP_MARKER, TagInfo, TagReadError, read_tags

__all__ = [
    "TEMP_MARKER",
    "MoodWriteError",
    "WriteReport",
    "file_moods",
    "needs_write",
    "write_many",
    "write_moods",
]

Reason = Literal["unsupported", "permission", "vanished", "corrupt", "io-error", "changed"]


class MoodWriteError(Exception):
    """The moods could not be written, and the file was left exactly as it was.

    ``path`` is the path asked for, ``reason`` a fixed code for programs (``"unsupported"``,
    ``"permission"``, ``"vanished"``, ``"corrupt"``, ``"io-error"`` or ``"changed"``) and
    ``str()`` a sentence for the listener.
    """

    def __init__(self, path: Path, reason: Reason, detail: str) -> None:
        super().__init__(f"The moods of “{path.name}” were not saved: {detail}.")
        self.path = path
        self.reason: Reason = reason
        self.detail = detail


@dataclass(slots=True)
class WriteReport:
    """What :func:`write_many` did with each file."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    failed: list[MoodWriteError] = field(default_factory=list)


class _RefusedError(Exception):
    """A failure found on the way, turned into a :class:`MoodWriteError` for the caller's path."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason: Reason = reason
        self.detail = detail


# --------------------------------------------------------------------------------------------
# The public functions
# --------------------------------------------------------------------------------------------


def file_moods(path: Path) -> tuple[str, ...]:
    """Return the moods the file's tag holds now, as the tag reader reads them.

    Raises :class:`MoodWriteError` when the file cannot be read.
    """
    try:
        return read_tags(path).mood
    except TagReadError as exc:
        raise _from_read_error(path, exc) from exc


def needs_write(path: Path, moods: Sequence[str]) -> bool:
    """True when the file's moods differ from ``moods`` (in order, once stripped).

    Raises :class:`MoodWriteError` when the file cannot be read.
    """
    return file_moods(path) != _normalise(moods)


def write_moods(path: Path, moods: Sequence[str]) -> None:
    """Write exactly ``moods`` into the file's own mood field; an empty list removes it.

    Values are cleaned as the reader cleans them (stripped, empty and repeated ones dropped,
    ``"a; b"`` split), so the file reads back what was written. A symlink keeps pointing at the
    file it named, which gets the moods. Raises :class:`MoodWriteError`, with the file untouched,
    when the moods cannot be written.
    """
    wanted = _normalise(moods)
    try:
        # A symlink: replace the file it points to, so the link stays a link.
        target = path.resolve(strict=True)
    except RuntimeError as exc:  # Python 3.11 reports a symlink loop this way
        raise MoodWriteError(path, "unsupported", "the link points to itself") from exc
    except OSError as exc:
        raise _from_exception(path, exc) from exc
    temp: Path | None = None
    try:
        _check_writable(target)
        temp = _make_temp(target)
        taken = _copy_into(target, temp)
        before = read_tags(temp)
        _set_moods(temp, wanted)
        _check_written(temp, before, wanted)
        _finish_copy(temp, taken)
        if _identity(target.stat()) != _identity(taken):
            raise _RefusedError("changed", "another program changed the file meanwhile; try again")
        temp.replace(target)
        temp = None
    except _RefusedError as exc:
        raise MoodWriteError(path, exc.reason, exc.detail) from None
    except TagReadError as exc:
        raise _from_read_error(path, exc) from exc
    except Exception as exc:  # mutagen's errors, OSError, and whatever a hostile file raises
        raise _from_exception(path, exc) from exc
    finally:
        if temp is not None:
            with suppress(OSError):
                temp.unlink()
    fsync_folder(target.parent)


def write_many(items: Iterable[tuple[Path, Sequence[str]]]) -> WriteReport:
    """Write each file's moods where they differ; a failure is reported and the rest go on."""
    report = WriteReport()
    for path, moods in items:
        try:
            if needs_write(path, moods):
                write_moods(path, moods)
                report.written.append(path)
            else:
                report.unchanged.append(path)
        except MoodWriteError as exc:
            report.failed.append(exc)
    return report


def _normalise(moods: Sequence[str]) -> tuple[str, ...]:
    if isinstance(moods, str):  # a lone string would be written one letter per mood
        raise TypeError("moods must be a sequence of strings, not a string")
    # The reader's own cleaning, so that what is compared and written is what it reads back.
    return tagreader._clean(moods, split=True)


# --------------------------------------------------------------------------------------------
# The copy: made, checked and put in place
# --------------------------------------------------------------------------------------------


def _check_writable(target: Path) -> None:
    mode = target.stat().st_mode
    if not stat.S_ISREG(mode):
        # A FIFO would block the copy until someone writes to it; a device is never audio.
        raise _RefusedError("unsupported", "it is not a regular file")
    # The rename only needs the folder to be writable: respect a file the listener locked.
    if not os.access(target, os.W_OK):
        raise _RefusedError("permission", "the file is read-only")


def _make_temp(target: Path) -> Path:
    # Same folder (the rename must not cross file systems) and same extension (the reader picks
    # the format by it); hidden, and private (0600) until it is finished.
    fd, name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f"{TEMP_MARKER}{target.suffix}", dir=target.parent
    )
    os.close(fd)
    return Path(name)


def _copy_into(target: Path, temp: Path) -> os.stat_result:
    """Copy ``target`` into ``temp``; return the original's stat as it was copied."""
    # O_NONBLOCK: had the file become a FIFO since it was checked, opening it would wait.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with os.fdopen(os.open(target, flags), "rb") as source, temp.open("wb") as copy:
        taken = os.fstat(source.fileno())
        if not stat.S_ISREG(taken.st_mode):
            raise _RefusedError("unsupported", "it is not a regular file")
        shutil.copyfileobj(source, copy, 1 << 20)
        if _identity(os.fstat(source.fileno())) != _identity(taken):
            raise _RefusedError("changed", "another program changed the file meanwhile; try again")
    return taken


def _check_written(temp: Path, before: TagInfo, wanted: tuple[str, ...]) -> None:
    after = read_tags(temp)
    if after.mood != wanted:
        raise _RefusedError("unsupported", "the file's tag did not keep them as written")
    # Everything else must read as before. Not the bitrate: for WavPack and Monkey's Audio it is
    # worked out from the file size, which a longer or shorter tag changes.
    if replace(after, mood=(), bitrate_kbps=0) != replace(before, mood=(), bitrate_kbps=0):
        raise _RefusedError("unsupported", "saving them would have changed other tags or the audio")


def _finish_copy(temp: Path, taken: os.stat_result) -> None:
    """Give the copy the original's owner and permissions, and put it on the disk."""
    fd = os.open(temp, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        if hasattr(os, "fchown") and (taken.st_uid, taken.st_gid) != (os.getuid(), os.getgid()):
            # Only root may give a file away; anyone else's copy stays theirs.
            with suppress(OSError):
                os.fchown(fd, taken.st_uid, taken.st_gid)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(taken.st_mode))
        else:
            temp.chmod(stat.S_IMODE(taken.st_mode))
        os.fsync(fd)
    finally:
        os.close(fd)


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    # The inode too: a tagger that saves by renaming leaves size and mtime possibly alike.
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


# --------------------------------------------------------------------------------------------
# The tags: one writer per tag family
# --------------------------------------------------------------------------------------------

# The field each family writes (ID3v2.4: a TMOO frame). The reader's tables (tagreader._ID3_TEXT,
# _ID3_TXXX, _VORBIS, _MP4, _APE, _ASF) name every field it takes moods from; all are cleared first.
_ID3V23_MOOD: Final = "MOOD"  # a TXXX description: TMOO is new in ID3v2.4
_VORBIS_MOOD: Final = "MOOD"
_MP4_MOOD: Final = "----:com.apple.iTunes:MOOD"
_APE_MOOD: Final = "Mood"
_ASF_MOOD: Final = "WM/Mood"


def _read_as_mood(table: Mapping[str, str]) -> frozenset[str]:
    """The keys of one of the reader's tables that it takes moods from."""
    return frozenset(key for key, name in table.items() if name == "mood")


SaveOptions = dict[str, Any]


def _set_moods(temp: Path, wanted: tuple[str, ...]) -> None:
    """Write ``wanted`` into the copy at ``temp`` with mutagen."""
    import mutagen
    from mutagen.id3 import ID3, ID3FileType

    with temp.open("rb") as fileobj:
        audio = tagreader._load(fileobj, temp)  # the format the reader takes this file for
    id3v1 = _id3v1_tag(temp) if isinstance(audio, ID3FileType) else b""
    if isinstance(audio.tags, ID3) or id3v1:
        # The frames as stored: not upgraded to v2.4 on load, so the tag is saved in its own
        # version, and without the ID3v1 tag's fields, which would be copied into the v2 tag.
        audio = type(audio)(temp, translate=False, load_v1=False)
    if audio.tags is None:
        if not wanted:
            return  # no tag holds no moods: nothing to remove
        try:
            audio.add_tags()
        except (NotImplementedError, mutagen.MutagenError) as exc:  # AAC, AC-3, MIDI...
            raise _RefusedError("unsupported", "this kind of file has no tag to hold them") from exc
    writer = _writers().get(tagreader._reader_for(audio.tags))
    if writer is None:
        raise _RefusedError("unsupported", "this kind of file has no tag to hold them")
    options = writer(audio.tags, wanted)
    if isinstance(audio, ID3FileType):
        options["v1"] = 0  # mutagen would rebuild the ID3v1 tag from the v2 frames
    audio.save(temp, **options)
    if id3v1:
        with temp.open("ab") as file:
            file.write(id3v1)  # the ID3v1 tag back, byte for byte


def _id3v1_tag(path: Path) -> bytes:
    """The ID3v1 tag at the end of an MP3 file, as the bytes mutagen would remove, or b""."""
    from mutagen.id3._id3v1 import find_id3v1  # not exported; the one that saving uses

    with path.open("rb") as file:
        tag, offset = find_id3v1(file)
        if tag is None or offset >= 0:
            return b""
        file.seek(offset, os.SEEK_END)
        return file.read()


_Writer = Callable[[Any, tuple[str, ...]], SaveOptions]


@cache
def _writers() -> dict[object, _Writer]:
    """The writers, keyed by the reader of the same family, so both pick the family alike.

    Each clears every mood field of its family, adds the new moods and returns save options.
    """
    return {
        tagreader._read_id3: _set_id3,
        tagreader._read_vorbis: _set_vorbis,
        tagreader._read_mp4: _set_mp4,
        tagreader._read_ape: _set_ape,
        tagreader._read_asf: _set_asf,
    }


def _set_id3(tags: Any, moods: tuple[str, ...]) -> SaveOptions:
    from mutagen.id3 import TMOO, TXXX

    if tags.version < (2, 3, 0):
        # mutagen cannot write ID3v2.2: make it ID3v2.4.
        tags.update_to_v24()
        version = 4
    elif tags.version < (2, 4, 0):
        tags.update_to_v23()  # what mutagen needs before saving v2.3; drops any stray TMOO
        version = 3
    else:
        version = 4
    for frame_id in _read_as_mood(tagreader._ID3_TEXT):
        tags.delall(frame_id)
    txxx_moods = _read_as_mood(tagreader._ID3_TXXX)
    for frame in tags.getall("TXXX"):
        if frame.desc.strip().lower() in txxx_moods:
            del tags[frame.HashKey]
    if moods and version == 4:
        tags.add(TMOO(encoding=3, text=list(moods)))  # UTF-8, one value per mood
    elif moods:
        # v2.3 has no UTF-8 and no TMOO (mutagen drops it from v2.3 tags): UTF-16 TXXX:MOOD.
        tags.add(TXXX(encoding=1, desc=_ID3V23_MOOD, text=list(moods)))
    # v23_sep None: several values stay NUL-separated in v2.3, as they were read.
    return {"v2_version": version, "v23_sep": None}


def _set_vorbis(tags: Any, moods: tuple[str, ...]) -> SaveOptions:
    _replace_pairs(tags, _read_as_mood(tagreader._VORBIS), [(_VORBIS_MOOD, m) for m in moods])
    return {}


def _set_mp4(tags: Any, moods: tuple[str, ...]) -> SaveOptions:
    from mutagen.mp4 import AtomDataType, MP4FreeForm

    # One freeform atom with a UTF-8 data atom per mood.
    values = [MP4FreeForm(m.encode(), dataformat=AtomDataType.UTF8) for m in moods]
    _replace_key(tags, _read_as_mood(tagreader._MP4), _MP4_MOOD, values)
    return {}


def _set_ape(tags: Any, moods: tuple[str, ...]) -> SaveOptions:
    # mutagen stores a list as one text value with the moods NUL-separated.
    _replace_key(tags, _read_as_mood(tagreader._APE), _APE_MOOD, list(moods))
    return {}


def _set_asf(tags: Any, moods: tuple[str, ...]) -> SaveOptions:
    from mutagen.asf import ASFUnicodeAttribute

    # mutagen puts the second and later values of one name in the Metadata Library object.
    pairs = [(_ASF_MOOD, ASFUnicodeAttribute(m)) for m in moods]
    _replace_pairs(tags, _read_as_mood(tagreader._ASF), pairs)
    return {}


def _replace_pairs(tags: Any, read: frozenset[str], pairs: list[tuple[str, Any]]) -> None:
    """For the list-of-pairs families (Vorbis, ASF), whose keys the reader matches in any case."""
    tags[:] = [(key, value) for key, value in tags if key.lower() not in read]
    tags.extend(pairs)


def _replace_key(tags: Any, read: frozenset[str], key: str, values: list[Any]) -> None:
    """For the dict-like families (MP4, APEv2): drop every mood key, in any case, then set one."""
    for old in [old for old in tags if old.lower() in read]:
        del tags[old]
    if values:
        tags[key] = values


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def _from_read_error(path: Path, exc: TagReadError) -> MoodWriteError:
    # The reader's reasons are this module's, but for an empty file: no audio, so "corrupt".
    reason: Reason = "corrupt" if exc.reason == "empty" else exc.reason
    return MoodWriteError(path, reason, str(exc))


def _from_exception(path: Path, exc: BaseException) -> MoodWriteError:
    os_error = _os_error_in(exc)
    if os_error is not None:
        reason, detail = _os_reason(os_error)
        return MoodWriteError(path, reason, detail)
    if isinstance(exc, UnicodeError):
        return MoodWriteError(path, "unsupported", "some of the tag text cannot be saved again")
    detail = str(exc).strip()[:120] or type(exc).__name__
    return MoodWriteError(path, "corrupt", f"the file looks damaged ({detail})")


def _os_error_in(exc: BaseException) -> OSError | None:
    """The operating system's error behind ``exc``: mutagen wraps it in its own errors."""
    seen: BaseException | None = exc
    for _ in range(8):  # a cause chain is short; never loop on a cyclic one
        if seen is None:
            break
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


_OS_REASONS: Final[dict[int, tuple[Reason, str]]] = {
    errno.ENOENT: ("vanished", "the file is gone (moved or deleted)"),
    errno.ENOTDIR: ("vanished", "the file is gone (moved or deleted)"),
    errno.EACCES: ("permission", "no permission to change the file or its folder"),
    errno.EPERM: ("permission", "no permission to change the file or its folder"),
    errno.EROFS: ("permission", "the disk is read-only"),
    errno.ENOSPC: ("io-error", "the disk is full"),
    errno.EDQUOT: ("io-error", "the disk quota is used up"),
    errno.EISDIR: ("unsupported", "it is not a regular file"),
    errno.ELOOP: ("unsupported", "the link points to itself"),
}


def _os_reason(exc: OSError) -> tuple[Reason, str]:
    known = _OS_REASONS.get(exc.errno or 0)
    if known is not None:
        return known
    return "io-error", f"the disk could not be written ({exc.strerror or exc})"
