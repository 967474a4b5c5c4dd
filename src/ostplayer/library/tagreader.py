"""Reading a track's tags with mutagen: a format registry and one reader per tag family.

Two registries make up the reader:

* ``_BY_SUFFIX`` picks the mutagen class from the file extension, which is about 1.6x faster
  than letting mutagen score every format. When that class fails, or the extension is unknown,
  the file is probed: every mutagen format that claims it is tried, best score first, so a file
  with the wrong extension is still read.
* ``_TAG_READERS`` maps a tag family (ID3, Vorbis comments, MP4 atoms, APEv2, ASF attributes)
  to the function that turns it into :class:`TagInfo` fields.

:func:`read_tags` never raises anything but :class:`TagReadError`: mutagen's own fuzzers still
find struct.error, OverflowError and IndexError in it, so every failure is caught per file.
mutagen believes the sizes a file declares, so it sees the file through :class:`_Bounded`: no
single read of more than :data:`MAX_READ_BYTES` and no more than :data:`MAX_READS` reads, which
keeps memory bounded (a 2 GB length field once cost 16 GB) and ends a count of 2^31 comments
quickly. Durations and bitrates no real file has are taken as unknown. It cannot interrupt a
parser that loops forever without reading; a caller that must survive that runs it in a worker
process. A scan's workers are stopped when a file takes too long or too much memory, which
guards against the same things for any file no bigger than :data:`MAX_READ_BYTES`: there, such
files skip the checks (see :func:`read_under_process_limits`).
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import IO, Any, Final, Literal, TypeVar

from ostplayer.domain.track import Track, TrackTags, track_from_tags

#: A file's path as callers have it: a :class:`~pathlib.Path`, or the raw bytes of a folder walk.
FilePath = str | bytes | os.PathLike[str]
#: Any one kind of :data:`FilePath`, kept through a function (a list of them in, the same out).
P = TypeVar("P", bound=FilePath)

Reason = Literal["corrupt", "unsupported", "permission", "vanished", "io-error", "empty"]

#: The file extensions the scanner reads (the keys of the extension registry).
AUDIO_EXTENSIONS: Final = frozenset(
    {".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".m4b", ".mp4", ".wav", ".aif", ".aiff",
     ".aifc", ".wma", ".asf", ".ape", ".wv"}
)  # fmt: skip


#: In the name of a file the app is writing (a mood write-back's copy): scans skip it, so a
#: copy left by a crash never shows up as a track.
TEMP_MARKER: Final = ".ostplayer-tmp"

#: The most mutagen may read at once. More than any real tag needs (cover art included), and
#: little enough that a hostile length field (a 256 MB ID3 tag, a 2 GB MP4 atom) cannot make
#: a reader hold gigabytes: mutagen keeps several copies of what it reads.
MAX_READ_BYTES: Final = 64 * 1024 * 1024
#: The most reads mutagen may make of one file. Real files take a few hundred at most; a
#: count of 2^31 Vorbis comments over a large file would otherwise read for minutes.
MAX_READS: Final = 200_000
#: Longer durations are taken as unknown (0): they come from damaged headers (a granule
#: position of 2^63, a sample rate of 1 Hz), and no longer fit the widgets' 32-bit ints.
MAX_DURATION_MS: Final = 7 * 24 * 3600 * 1000
#: Higher bitrates are taken as unknown (0); the highest real ones (DSD, 32-bit float
#: multichannel PCM) are under 100 Mbit/s.
MAX_BITRATE_KBPS: Final = 200_000


#: What a scan keeps of one file (:func:`read_for_scan`): its tag values and moods, then the
#: size and modification time (ns) of the file as it was read.
ScannedFile = tuple[TrackTags, int, int]


@dataclass(frozen=True, slots=True)
class TagInfo:
    """Everything read from one audio file. Text fields keep every value, in order."""

    title: tuple[str, ...] = ()
    artist: tuple[str, ...] = ()
    album: tuple[str, ...] = ()
    album_artist: tuple[str, ...] = ()
    genre: tuple[str, ...] = ()
    composer: tuple[str, ...] = ()
    comment: tuple[str, ...] = ()
    mood: tuple[str, ...] = ()
    track_number: int | None = None
    disc_number: int | None = None
    year: int | None = None
    musicbrainz_recording_id: str = ""
    musicbrainz_release_id: str = ""
    duration_ms: int = 0
    codec: str = ""
    bitrate_kbps: int = 0

    def track_values(self) -> TrackTags:
        """What a scan keeps of these tags: tag values and moods (see :meth:`to_track`)."""
        return _track_tags(
            partial(getattr, self),
            self.track_number,
            self.disc_number,
            self.year,
            self.musicbrainz_recording_id,
            self.musicbrainz_release_id,
            self.duration_ms,
            self.codec,
            self.bitrate_kbps,
        )

    def to_track(self, path: Path) -> Track:
        """Return a :class:`Track` (``id`` 0) for ``path`` with these tags."""
        return track_from_tags(path, *self.track_values())


#: Set by :func:`read_under_process_limits`, in a scan's worker process.
_process_limited = False


def read_under_process_limits() -> None:
    """Declare that something outside stops this process when a file takes too long or too
    much memory (a scan's worker, watched by its pool).

    A file no bigger than :data:`MAX_READ_BYTES` is then read without :class:`_Bounded`'s
    checks: no read of it can return more than that, a read that never ends meets the time
    limit, and reads that pile up meet the memory limit. The checks are a Python call per
    read, 6-16 us of a file's 100-330 us. Larger files keep them.
    """
    global _process_limited  # one flag for the whole process, set once
    _process_limited = True


class _StrangeFileError(Exception):
    """mutagen asked for more than a real file needs: a size or count in the file is absurd."""


class _Bounded:
    """A file as mutagen sees it: reads are checked against :data:`MAX_READ_BYTES` and
    :data:`MAX_READS` before they are made, so a hostile length field costs nothing.

    Only reads that could really return that much fail: asking for 2 GB at the end of a 30 KB
    file is a short read, as before (mutagen's own error then names what is missing).
    """

    __slots__ = ("_read", "_reads", "_size", "name", "seek", "tell")

    def __init__(self, file: IO[bytes], size: int) -> None:
        self._read = file.read
        self._size = size
        self._reads = 0
        self.name = getattr(file, "name", "")
        # The file's own methods, not wrappers: mutagen seeks and tells about 40 times per
        # file, and a Python call for each cost about 4% of the whole read.
        self.seek = file.seek
        self.tell = file.tell

    def read(self, size: int | None = -1) -> bytes:
        """Read as a file does, refusing reads no real file needs."""
        self._reads += 1
        if self._reads > MAX_READS:
            raise _StrangeFileError(
                f"damaged file: reading its tags never ends (over {MAX_READS:,} parts)"
            )
        if size is None or size < 0 or size > MAX_READ_BYTES:
            left = self._size - self.tell()
            wanted = left if size is None or size < 0 else min(size, left)
            if wanted > MAX_READ_BYTES:
                raise _StrangeFileError(
                    f"damaged file: a part of it claims to be {_megabytes(wanted)}, "
                    "more than any tag needs"
                )
        return self._read(size)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


class TagReadError(Exception):
    """A file could not be read. ``reason`` is a fixed code for programs, ``str()`` is for people.

    Reasons: ``"corrupt"``, ``"unsupported"``, ``"permission"``, ``"vanished"``,
    ``"io-error"`` and ``"empty"``.
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


# --------------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------------


def read_tags(path: FilePath) -> TagInfo:
    """Read the tags and stream info of the audio file at ``path``.

    Raises :class:`TagReadError`, and nothing else, when the file cannot be read.
    """
    audio, st = _read_audio(path)
    try:
        return _tag_info(audio, st.st_size)
    except TagReadError:
        raise
    except Exception as exc:  # a tag value no real file has
        raise _read_error(exc) from exc


def read_for_scan(path: FilePath) -> ScannedFile:
    """What a scan keeps of the file at ``path``: its tags as ``read_tags(path).track_values()``
    gives them, then its size and modification time as it was read.

    Made without the :class:`TagInfo` in between (a scan's workers do this 20,000 times a
    scan), and from the file that was opened: a scan need not look at a new file beforehand.
    Raises :class:`TagReadError`, and nothing else, when the file cannot be read.
    """
    audio, st = _read_audio(path)
    try:
        stream = _stream(audio, st.st_size)
        fields = _fields(audio, stream)
        get = fields.get

        def text(name: str) -> tuple[str, ...]:
            values = get(name)
            return _clean(values, split=name == "mood") if values else ()

        tags = _track_tags(
            text,
            _first_number(get("track_number", ())),
            _first_number(get("disc_number", ())),
            _first_year(get("year", ())),
            _first(get("musicbrainz_recording_id", ())),
            _first(get("musicbrainz_release_id", ())),
            stream["duration_ms"],
            stream["codec"],
            stream["bitrate_kbps"],
        )
    except TagReadError:
        raise
    except Exception as exc:  # a tag value no real file has
        raise _read_error(exc) from exc
    return tags, st.st_size, st.st_mtime_ns


def _track_tags(
    text: Callable[[str], tuple[str, ...]],
    track_number: int | None,
    disc_number: int | None,
    year: int | None,
    recording_id: str,
    release_id: str,
    duration_ms: int,
    codec: str,
    bitrate_kbps: int,
) -> TrackTags:
    """A track's tag values in :data:`~ostplayer.domain.track.TAG_FIELDS` order, and its moods.

    ``text(name)`` gives a text field's clean values. Single-text fields take the first title
    and album, join artists, album artists, genres and composers with ``"; "`` and comments
    with a newline; moods stay a tuple.
    """
    title, album = text("title"), text("album")
    return (
        (
            title[0] if title else "",
            "; ".join(text("artist")),
            album[0] if album else "",
            "; ".join(text("album_artist")),
            track_number,
            disc_number,
            year,
            "; ".join(text("genre")),
            duration_ms,
            "; ".join(text("composer")),
            "\n".join(text("comment")),
            recording_id,
            release_id,
            codec,
            bitrate_kbps,
        ),
        text("mood"),
    )


def read_audio(path: FilePath) -> Any:
    """mutagen's object for the audio file at ``path``, read as :func:`read_tags` reads it.

    Regular files only, every read checked against the limits on size and count, the class
    picked by extension. For other readers of tags (ReplayGain); raises :class:`TagReadError`.
    """
    return _read_audio(path)[0]


def _read_audio(path: FilePath) -> tuple[Any, os.stat_result]:
    try:
        # Non-blocking, so that a FIFO never blocks the open; then fstat() the file that was
        # opened, one lookup of the path instead of two (a scan does this 20,000 times).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _os_error(exc) from exc
    try:
        fileobj = open(fd, "rb")  # noqa: PTH123, SIM115 - owns fd from here; closed below
    except OSError as exc:
        os.close(fd)
        raise _os_error(exc) from exc
    with fileobj:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                # Never read a FIFO or a device: a FIFO would block until someone writes to it.
                raise TagReadError("unsupported", "not a regular file")
            if st.st_size == 0:
                raise TagReadError("empty", "the file is empty")
            checked = not _process_limited or st.st_size > MAX_READ_BYTES
            audio = _load(_Bounded(fileobj, st.st_size) if checked else fileobj, path)
            _check_complete(audio, fileobj, st.st_size)
            return audio, st
        except TagReadError:
            raise
        except Exception as exc:  # struct.error, IndexError, OverflowError... from hostile files
            raise _read_error(exc) from exc


def _load(fileobj: _Bounded | IO[bytes], path: FilePath) -> Any:
    """Return the loaded mutagen FileType: by extension first, then by probing."""
    first_error: Exception | None = None
    tried: type | None = None
    name = os.fsdecode(path)
    # A slice, not os.path.splitext: ~3 us a file less, of ~300. A dot in a folder's name
    # gives no known suffix, and probing reads the file.
    kind = _by_suffix().get(name[name.rfind(".") :].lower())
    if kind is not None:
        try:
            # MP3s: their ID3 tag as it is; _read_id3 knows the v2.2 and v2.3 frame names, and
            # mutagen's upgrade of the tag to v2.4 was a tenth of the time an MP3 takes.
            return kind(fileobj, translate=False) if kind.__name__ == "MP3" else kind(fileobj)
        except Exception as exc:
            _reraise_system_error(exc)
            first_error, tried = exc, kind
    fileobj.seek(0)
    header = fileobj.read(128)
    candidates = []
    for option in _probe_options():
        if option is tried:
            continue
        fileobj.seek(0)
        try:
            score = option.score(name, fileobj, header)
        except Exception as exc:  # a scorer that chokes on this header just does not claim it
            _reraise_system_error(exc)
            continue
        if score > 0:
            candidates.append((score, option.__name__, option))
    # Unlike mutagen.File, which gives up after its best guess fails, try every candidate.
    for _score, _name, option in sorted(candidates, key=lambda c: (-c[0], c[1])):
        fileobj.seek(0)
        try:
            return option(fileobj)
        except Exception as exc:
            _reraise_system_error(exc)
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    raise TagReadError("unsupported", "not an audio format OST Player can read")


def _check_complete(audio: Any, fileobj: IO[bytes], size: int) -> None:
    """Reject a file cut short inside its audio where mutagen only reads the header.

    Compressed formats fail in mutagen when truncated; PCM and WavPack headers are read
    whole from the first bytes, so their declared sizes are checked here.
    """
    kind = type(audio).__name__
    if kind in ("WAVE", "AIFF"):
        declared = _finite(audio.info.length) * _finite(getattr(audio.info, "bitrate", 0)) / 8
        # Streaming writers put 0xFFFFFFFF (unknown) in the size field: not a truncation.
        if size + 4096 < declared < 0xFFFFFF00:
            raise TagReadError("corrupt", "truncated file: part of the audio is missing")
    elif kind == "WavPack":
        fileobj.seek(0)
        header = fileobj.read(8)
        if header[:4] == b"wvpk" and int.from_bytes(header[4:8], "little") + 8 > size:
            raise TagReadError("corrupt", "truncated file: part of the audio is missing")


#: Errors the file's own content causes (a seek to a negative or huge offset it declares),
#: not the disk: such a file is damaged, and another format may still read it.
_CONTENT_ERRNOS: Final = frozenset({errno.EINVAL, errno.EOVERFLOW, errno.EFBIG})


def _reraise_system_error(exc: Exception) -> None:
    """Re-raise a real error from the operating system: probing other formats cannot help."""
    if isinstance(exc, OSError) and exc.errno is not None and exc.errno not in _CONTENT_ERRNOS:
        raise exc


def _read_error(exc: Exception) -> TagReadError:
    """What went wrong reading a file, as a reason and words for people."""
    return _os_error(exc) if isinstance(exc, OSError) else _parse_error(exc)


def _os_error(exc: OSError) -> TagReadError:
    if exc.errno is None and not exc.strerror:
        # mutagen raises bare IOError/OSError("read too short") on truncated data.
        return TagReadError("corrupt", "damaged or truncated file")
    if exc.errno in _CONTENT_ERRNOS:
        return TagReadError("corrupt", "damaged file: a position in it lies outside the file")
    if isinstance(exc, FileNotFoundError):
        return TagReadError("vanished", "the file is gone (moved or deleted)")
    if isinstance(exc, PermissionError):
        return TagReadError("permission", "no permission to read the file")
    if isinstance(exc, IsADirectoryError):
        return TagReadError("unsupported", "not a regular file")
    return TagReadError("io-error", f"could not read the file ({exc.strerror or exc})")


def _parse_error(exc: Exception) -> TagReadError:
    # mutagen wraps an OSError raised while it reads (EIO on a bad disk) in a MutagenError.
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, _StrangeFileError):
        return TagReadError("corrupt", str(exc))
    if isinstance(exc, MemoryError):  # a length field no machine could hold (2^40 bytes)
        message = "damaged file: reading its tags took more memory than any tag needs"
        return TagReadError("corrupt", message)
    if isinstance(cause, _StrangeFileError):
        return TagReadError("corrupt", str(cause))
    if isinstance(cause, OSError) and cause.errno is not None:
        return _os_error(cause)
    name = type(exc).__name__
    if "HeaderNotFound" in name or "NoHeader" in name:
        return TagReadError("corrupt", "damaged or truncated audio header")
    detail = str(exc).strip()[:120]  # mutagen's messages are short and readable
    if detail in ("", name, "error"):  # a bare mutagen.error says nothing more
        return TagReadError("corrupt", "damaged or truncated file")
    return TagReadError("corrupt", f"damaged or truncated file ({detail})")


@cache
def _by_suffix() -> dict[str, type]:
    """The extension registry. Imported on first use: starting the app does not need mutagen."""
    from mutagen.aiff import AIFF
    from mutagen.asf import ASF
    from mutagen.flac import FLAC
    from mutagen.monkeysaudio import MonkeysAudio
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE
    from mutagen.wavpack import WavPack

    return {
        ".mp3": MP3,
        ".ogg": OggVorbis,  # Ogg FLAC, Opus and Speex also use .ogg: probing finds them
        ".oga": OggVorbis,
        ".opus": OggOpus,
        ".flac": FLAC,
        ".m4a": MP4,
        ".m4b": MP4,
        ".mp4": MP4,
        ".wav": WAVE,
        ".aif": AIFF,
        ".aiff": AIFF,
        ".aifc": AIFF,
        ".wma": ASF,
        ".asf": ASF,
        ".ape": MonkeysAudio,
        ".wv": WavPack,
    }


@cache
def _probe_options() -> tuple[type, ...]:
    """Every format mutagen knows, as mutagen.File would try them."""
    from mutagen.aac import AAC
    from mutagen.ac3 import AC3
    from mutagen.aiff import AIFF
    from mutagen.apev2 import APEv2File
    from mutagen.asf import ASF
    from mutagen.dsdiff import DSDIFF
    from mutagen.dsf import DSF
    from mutagen.flac import FLAC
    from mutagen.id3 import ID3FileType
    from mutagen.monkeysaudio import MonkeysAudio
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.musepack import Musepack
    from mutagen.oggflac import OggFLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggspeex import OggSpeex
    from mutagen.oggtheora import OggTheora
    from mutagen.oggvorbis import OggVorbis
    from mutagen.optimfrog import OptimFROG
    from mutagen.smf import SMF
    from mutagen.tak import TAK
    from mutagen.trueaudio import TrueAudio
    from mutagen.wave import WAVE
    from mutagen.wavpack import WavPack

    return (
        MP3, TrueAudio, OggTheora, OggSpeex, OggVorbis, OggFLAC, FLAC, AIFF, APEv2File, MP4,
        ID3FileType, WavPack, Musepack, MonkeysAudio, OptimFROG, ASF, OggOpus, AAC, AC3, SMF,
        TAK, DSF, DSDIFF, WAVE,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Stream info: duration, codec, bitrate
# --------------------------------------------------------------------------------------------

# Codec names by mutagen class, for formats with one codec.
_CODEC_BY_CLASS: Final = {
    "OggVorbis": "Vorbis",
    "OggOpus": "Opus",
    "OggFLAC": "FLAC",
    "OggSpeex": "Speex",
    "OggTheora": "Theora",
    "FLAC": "FLAC",
    "AIFF": "PCM",
    "ASF": "WMA",
    "MonkeysAudio": "APE",
    "WavPack": "WavPack",
    "Musepack": "Musepack",
    "OptimFROG": "OptimFROG",
    "TrueAudio": "TTA",
    "TAK": "TAK",
    "AAC": "AAC",
    "DSF": "DSD",
    "DSDIFF": "DSD",
    "SMF": "MIDI",
    # Bare tag containers (a .id3 or .apev2 file, or an MP3 too short to hold one frame).
    "ID3FileType": "",
    "APEv2File": "",
}

# MP4 sample entries and object types (RFC 6381 names) to codec names.
_MP4_CODECS: Final = {
    "alac": "ALAC",
    "mp4a.6b": "MP3",
    "mp4a.69": "MP3",
    "mp4a.a5": "AC-3",
    "ac-3": "AC-3",
    "mp4a.a6": "E-AC-3",
    "ec-3": "E-AC-3",
    "opus": "Opus",
    "mp4a.ad": "Opus",
    "flac": "FLAC",
}

# WAVE format tags: 1 integer PCM, 3 float PCM, 0xFFFE extensible (nearly always PCM).
_WAVE_PCM: Final = frozenset({1, 3, 0xFFFE})


def _codec(audio: Any) -> str:
    info = audio.info
    kind = type(audio).__name__
    if kind == "MP3":
        return f"MP{getattr(info, 'layer', 3)}"
    if kind == "MP4":
        codec = str(getattr(info, "codec", "")).lower()
        if codec.startswith("mp4a.40"):
            return "AAC"
        return _MP4_CODECS.get(codec, codec.upper())
    if kind == "WAVE":
        return "PCM" if getattr(info, "audio_format", 1) in _WAVE_PCM else "WAV"
    if kind == "AC3":
        return "E-AC-3" if str(getattr(info, "codec", "")).lower() == "ec-3" else "AC-3"
    return _CODEC_BY_CLASS.get(kind, kind)


def _stream(audio: Any, size: int) -> dict[str, Any]:
    info = getattr(audio, "info", None)
    length = _finite(getattr(info, "length", 0))
    if length * 1000 > MAX_DURATION_MS:  # a damaged header: libvlc finds the real length
        length = 0.0
    bitrate = _finite(getattr(info, "bitrate", 0))
    if bitrate <= 0 and length > 0:
        # WavPack and Monkey's Audio report no bitrate; the file's average is close enough.
        bitrate = size * 8 / length
    kbps = round(bitrate / 1000)
    return {
        "duration_ms": round(length * 1000),
        "codec": _codec(audio) if info is not None else "",
        "bitrate_kbps": kbps if kbps <= MAX_BITRATE_KBPS else 0,
    }


def _finite(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    # Hostile headers give NaN, infinite or negative lengths.
    return number if math.isfinite(number) and number > 0 else 0.0


# --------------------------------------------------------------------------------------------
# Tag families
# --------------------------------------------------------------------------------------------

Fields = dict[str, list[str]]
_TEXT_FIELD_SET: Final = frozenset(
    {"title", "artist", "album", "album_artist", "genre", "composer", "comment", "mood"}
)


def _fields(audio: Any, stream: dict[str, Any]) -> Fields:
    """The file's tags as field names and their raw texts, once the stream is known."""
    if not stream["codec"]:
        # Tags with no stream behind them (a sidecar tag file, an MP3 cut off after its tag,
        # an MP4 without an audio track): nothing a listener could play.
        raise TagReadError("corrupt", "no audio found in this file")
    fields: Fields = {}
    tags = getattr(audio, "tags", None)
    if tags is not None:
        reader = _reader_for(tags)
        if reader is not None:
            reader(tags, fields)
    return fields


def _tag_info(audio: Any, size: int) -> TagInfo:
    stream = _stream(audio, size)
    fields = _fields(audio, stream)
    text = {
        name: _clean(values, split=name == "mood")
        for name, values in fields.items()
        if name in _TEXT_FIELD_SET
    }
    return TagInfo(
        **text,
        track_number=_first_number(fields.get("track_number", ())),
        disc_number=_first_number(fields.get("disc_number", ())),
        year=_first_year(fields.get("year", ())),
        musicbrainz_recording_id=_first(fields.get("musicbrainz_recording_id", ())),
        musicbrainz_release_id=_first(fields.get("musicbrainz_release_id", ())),
        **stream,
    )


def _reader_for(tags: object) -> Callable[[Any, Fields], None] | None:
    for family, reader in _tag_readers():
        if isinstance(tags, family):
            return reader
    return None


@cache
def _tag_readers() -> tuple[tuple[type, Callable[[Any, Fields], None]], ...]:
    """The tag-family registry: mutagen's tag class and the reader that maps it to fields."""
    from mutagen._vorbis import VComment
    from mutagen.apev2 import APEv2
    from mutagen.asf import ASFTags
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4Tags

    return (
        (ID3, _read_id3),
        (VComment, _read_vorbis),
        (MP4Tags, _read_mp4),
        (APEv2, _read_ape),
        (ASFTags, _read_asf),
    )


def _add(fields: Fields, name: str, values: Iterable[object]) -> None:
    _put(fields, name, [str(value) for value in values])


def _put(fields: Fields, name: str, texts: list[str]) -> None:
    known = fields.get(name)
    if known is None:
        fields[name] = texts  # the usual case: one frame per field
    else:
        known.extend(texts)


# ID3 -----------------------------------------------------------------------------------------

_ID3_TEXT: Final = {
    "TIT2": "title",
    "TPE1": "artist",
    "TALB": "album",
    "TPE2": "album_artist",
    "TCOM": "composer",
    "TMOO": "mood",
    "TRCK": "track_number",
    "TPOS": "disc_number",
    "TDRC": "year",
}
_ID3_TXXX: Final = {
    "mood": "mood",
    "musicbrainz release id": "musicbrainz_release_id",
    "musicbrainz album id": "musicbrainz_release_id",  # what Picard writes
    "musicbrainz track id": "musicbrainz_recording_id",  # older taggers, UFID is preferred
}


#: ID3v2.2 and v2.3 frame ids, for tags read as they are (not upgraded to v2.4).
_ID3_OLDER: Final = {
    "TT2": "TIT2",
    "TP1": "TPE1",
    "TAL": "TALB",
    "TP2": "TPE2",
    "TCM": "TCOM",
    "TRK": "TRCK",
    "TPA": "TPOS",
    "TYE": "TDRC",
    "TYER": "TDRC",
    "TOR": "TDOR",
    "TORY": "TDOR",
    "TCO": "TCON",
    "COM": "COMM",
    "UFI": "UFID",
    "TXX": "TXXX",
}


#: Every ID3 text frame id, v2.4 and older, to its field.
_ID3_TEXT_ANY: Final = _ID3_TEXT | {
    old: _ID3_TEXT[new] for old, new in _ID3_OLDER.items() if new in _ID3_TEXT
}


def _read_id3(tags: Any, fields: Fields) -> None:
    # One pass over the frames (a getall() per frame id scanned the whole tag each time).
    original_year: list[str] = []
    for frame in tags.values():
        frame_id = type(frame).__name__  # mutagen's FrameID, without its property call
        name = _ID3_TEXT_ANY.get(frame_id)
        if name is not None:
            values = frame.text
        # The other frames by their v2.4 id (TCO is TCON, COM is COMM...).
        elif (frame_id := _ID3_OLDER.get(frame_id, frame_id)) == "TCON":
            name, values = "genre", frame.genres
        elif frame_id == "COMM":
            if frame.desc.startswith("iTun"):  # iTunNORM, iTunSMPB: player data, not comments
                continue
            name, values = "comment", frame.text
        elif frame_id == "TXXX":
            name = _ID3_TXXX.get(frame.desc.strip().lower())
            if name is None:
                continue
            values = frame.text
        elif frame_id == "UFID":
            if frame.owner == "http://musicbrainz.org":
                recording = frame.data.decode("ascii", "replace")
                fields.setdefault("musicbrainz_recording_id", []).insert(0, recording)
            continue
        elif frame_id == "TDOR":  # original release: only if there is no recording date
            original_year += _id3_text(frame, frame.text)
            continue
        else:
            continue
        _put(fields, name, _id3_text(frame, values))
    if original_year:
        _add(fields, "year", original_year)


def _id3_text(frame: Any, values: Iterable[object]) -> list[str]:
    texts = [str(v) for v in values]
    if getattr(frame, "encoding", None) == 0:  # latin-1: old taggers put other bytes here
        texts = [fix_legacy_text(t) for t in texts]
    return texts


# Vorbis comments (Ogg Vorbis, Opus, FLAC, Ogg FLAC, Speex) --------------------------------------

_VORBIS: Final = {
    "title": "title",
    "artist": "artist",
    "album": "album",
    "albumartist": "album_artist",
    "album artist": "album_artist",
    "genre": "genre",
    "composer": "composer",
    "comment": "comment",
    "description": "comment",
    "mood": "mood",
    "tracknumber": "track_number",
    "discnumber": "disc_number",
    "date": "year",
    "year": "year",
    "originaldate": "year",
    "musicbrainz_trackid": "musicbrainz_recording_id",
    "musicbrainz_albumid": "musicbrainz_release_id",
}


def _read_vorbis(tags: Any, fields: Fields) -> None:
    for key, value in tags:
        name = _VORBIS.get(key.lower())
        if name is not None:
            _put(fields, name, [str(value)])


# MP4 atoms -----------------------------------------------------------------------------------

_MP4: Final = {
    "\xa9nam": "title",
    "\xa9art": "artist",
    "\xa9alb": "album",
    "aart": "album_artist",
    "\xa9gen": "genre",
    "\xa9wrt": "composer",
    "\xa9cmt": "comment",
    "\xa9day": "year",
    "----:com.apple.itunes:mood": "mood",
    "----:com.apple.itunes:musicbrainz track id": "musicbrainz_recording_id",
    "----:com.apple.itunes:musicbrainz album id": "musicbrainz_release_id",
}


def _read_mp4(tags: Any, fields: Fields) -> None:
    for key, values in tags.items():
        lower = key.lower()
        if lower in ("trkn", "disk"):
            # (number, total) pairs
            name = "track_number" if lower == "trkn" else "disc_number"
            _add(fields, name, [pair[0] for pair in values if pair])
            continue
        name = _MP4.get(lower)
        if name is not None:
            _add(fields, name, [_mp4_text(v) for v in values])


def _mp4_text(value: object) -> str:
    if isinstance(value, bytes):  # freeform atoms hold bytes, nearly always UTF-8
        from mutagen.mp4 import AtomDataType

        utf16 = getattr(value, "dataformat", None) == AtomDataType.UTF16
        return value.decode("utf-16-be" if utf16 else "utf-8", "replace")
    return str(value)


# APEv2 (Monkey's Audio, WavPack, Musepack, TAK, OptimFROG) ------------------------------------

_APE: Final = {
    "title": "title",
    "artist": "artist",
    "album": "album",
    "album artist": "album_artist",
    "albumartist": "album_artist",
    "genre": "genre",
    "composer": "composer",
    "comment": "comment",
    "mood": "mood",
    "track": "track_number",
    "disc": "disc_number",
    "year": "year",
    "musicbrainz_trackid": "musicbrainz_recording_id",
    "musicbrainz_albumid": "musicbrainz_release_id",
}


def _read_ape(tags: Any, fields: Fields) -> None:
    from mutagen.apev2 import APETextValue

    for key, value in tags.items():
        name = _APE.get(key.lower())
        if name is not None and isinstance(value, APETextValue):
            _add(fields, name, list(value))  # iterating splits the NUL-separated values


# ASF attributes (WMA) ---------------------------------------------------------------------------

_ASF: Final = {
    "title": "title",
    "author": "artist",
    "wm/albumtitle": "album",
    "wm/albumartist": "album_artist",
    "wm/genre": "genre",
    "wm/composer": "composer",
    "description": "comment",
    "wm/mood": "mood",
    "wm/tracknumber": "track_number",
    "wm/partofset": "disc_number",
    "wm/year": "year",
    "musicbrainz/track id": "musicbrainz_recording_id",
    "musicbrainz/album id": "musicbrainz_release_id",
}


def _read_asf(tags: Any, fields: Fields) -> None:
    zero_based: list[str] = []
    for key, attr in tags:
        lower = key.lower()
        value = getattr(attr, "value", attr)
        if lower == "wm/track":  # the old, zero-based track number
            if isinstance(value, int):
                zero_based.append(str(value + 1))
            continue
        name = _ASF.get(lower)
        if name is not None and not isinstance(value, bytes):
            _add(fields, name, [value])
    if "track_number" not in fields:
        _add(fields, "track_number", zero_based)


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def _clean(values: Sequence[str], *, split: bool = False) -> tuple[str, ...]:
    """Strip, drop empties and duplicates (first wins), split ``;`` lists when asked."""
    if len(values) == 1 and not (split and ";" in values[0]):
        # Nearly every field of every file: one value, no list to split (a scan does this
        # eight times per file, and the general case below cost a tenth of the reading).
        text = values[0].replace("\x00", "").strip()
        return (text,) if text else ()
    seen: dict[str, None] = {}
    for value in values:
        for part in value.split(";") if split else (value,):
            text = part.replace("\x00", "").strip()
            if text:
                seen.setdefault(text, None)
    return tuple(seen)


def _first(values: Sequence[str]) -> str:
    cleaned = _clean(values)
    return cleaned[0] if cleaned else ""


_LEADING_NUMBER = re.compile(r"\s*0*(\d{1,6})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def parse_number(text: str) -> int | None:
    """Return the number at the start of ``"3/12"``, ``"03"`` or ``"3 of 12"``; None if none.

    Zero counts as none: MP4 writes track 0 when only the total is known.
    """
    match = _LEADING_NUMBER.match(text)
    if match is None:
        return None
    number = int(match.group(1))
    return number or None


def parse_year(text: str) -> int | None:
    """Return the first four-digit year in ``"2026"``, ``"2026-03-14"`` or ``"14.03.2026"``."""
    match = _YEAR.search(text)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _first_number(values: Iterable[str]) -> int | None:
    for value in values:
        number = parse_number(value)
        if number is not None:
            return number
    return None


def _first_year(values: Iterable[str]) -> int | None:
    for value in values:
        year = parse_year(value)
        if year is not None:
            return year
    return None


# --------------------------------------------------------------------------------------------
# Legacy-encoded ID3 text
# --------------------------------------------------------------------------------------------

# Tried in this order; each must give text in its own script, so a wrong guess is rejected.
_LEGACY_CODECS: Final = ("cp932", "euc_kr", "gbk", "big5", "cp932-kanji", "cp1251")


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff"


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u3130" <= ch <= "\u318f"


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _is_cjk_punct(ch: str) -> bool:
    # CJK symbols and punctuation, full-width ASCII forms (not half-width katakana).
    return "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff5e" or ch in "・ー〜…“”‘’"


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _looks_western(text: str) -> bool:
    """True if ``text`` read as latin-1 is plausible Western text: accented letters only,
    never more than two in a row, and no C1 control characters."""
    run = 0
    for ch in text:
        if ord(ch) < 0x80:
            run = 0
            continue
        if ord(ch) < 0xA0 or not ch.isalpha():
            return False
        run += 1
        if run > 2:
            return False
    return True


def _plausible(codec: str, text: str) -> bool:
    wide = [ch for ch in text if ord(ch) >= 0x80]
    if not wide:
        return False
    if codec == "cp932":
        return any(_is_kana(c) for c in wide) and all(
            _is_kana(c) or _is_han(c) or _is_cjk_punct(c) for c in wide
        )
    if codec == "cp932-kanji":
        return all(_is_han(c) or _is_cjk_punct(c) for c in wide)
    if codec == "euc_kr":
        return any(_is_hangul(c) for c in wide) and all(
            _is_hangul(c) or _is_cjk_punct(c) for c in wide
        )
    if codec == "gbk":
        # Only common GB2312 characters (level 1 has lead bytes B0-D7), so Cyrillic, Big5 or
        # Shift-JIS bytes that happen to be valid GBK (mostly rare characters) are not taken.
        return all(_is_han(c) or _is_cjk_punct(c) for c in wide) and _mostly_common(
            wide, "gb2312", 0xB0, 0xD7
        )
    if codec == "big5":
        # Big5's frequently used characters have lead bytes A4-C6.
        return all(_is_han(c) or _is_cjk_punct(c) for c in wide) and _mostly_common(
            wide, "big5", 0xA4, 0xC6
        )
    if codec == "cp1251":
        letters = [c for c in text if c.isalpha()]
        cyrillic = sum(1 for c in letters if _is_cyrillic(c))
        return all(_is_cyrillic(c) or c in "«»–—№…“”„‘’" for c in wide) and (
            cyrillic * 2 >= len(letters)
        )
    return False


def _mostly_common(chars: list[str], codec: str, lead_lo: int, lead_hi: int) -> bool:
    """True if at least 80% of the ideographs in ``chars`` are in ``codec``'s common range."""
    han = [c for c in chars if _is_han(c)]
    common = 0
    for ch in han:
        try:
            lead = ch.encode(codec)[0]
        except UnicodeEncodeError:
            return False
        common += lead_lo <= lead <= lead_hi
    return common * 5 >= len(han) * 4


def fix_legacy_text(text: str) -> str:
    """Return ``text`` from a latin-1 ID3 frame re-decoded when it was really UTF-8, Shift-JIS,
    EUC-KR, GBK, Big5 or CP1251; otherwise return it unchanged.

    Conservative by design: ASCII and plausible Western text ("Café", "Crème brûlée") stay as
    they are, and a legacy decoding is only taken when it gives text in that codec's script.
    """
    if text.isascii() or _looks_western(text):
        return text
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return text  # not from a latin-1 frame after all
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if all(ch.isprintable() or ch in "\t\n\r" for ch in decoded):
            return decoded
    for codec in _LEGACY_CODECS:
        try:
            decoded = raw.decode(codec.removesuffix("-kanji"))
        except UnicodeDecodeError:
            continue
        if _plausible(codec, decoded):
            return decoded
    return text
