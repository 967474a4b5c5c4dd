"""Hostile audio files for the reliability tests, made on the fly from the committed fixtures.

:func:`make_mutants` writes 680-odd files into a folder: bit flips at several densities in each
fixture's headers, tag area and audio; truncations at many offsets; absurd size fields (an ID3
tag of ~256 MB, a 2 GB MP4 atom, FLAC metadata block lengths, Vorbis comment counts of 2^31,
APE item sizes, RIFF and AIFF chunk sizes, ASF object sizes), some of them in 300 MB sparse
files where the absurd size finds that much to read; zero-length files; files with another
format's extension; random bytes behind real magic numbers; odd file names; and folders nested
100 deep. Nothing is committed: the fixtures and the seed are the whole recipe.

Every mutant is a pure function of the seed, its fixture and its name (a per-mutant
``random.Random`` seeded with both), so one that breaks something can be made again on its own::

    python -m tests.reliability.mutants OUT_DIR [NAME ...]

and, once it has shown a bug, copied into ``tests/regressions/audio/`` (see the README there).
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

#: The seed of the committed run. Change it to explore; a failure names the mutant to replay.
SEED = 20260607

#: Every kind of mutant, in the order they are made.
KINDS = (
    "intact",
    "bit-flip",
    "truncated",
    "absurd-size",
    "zero-length",
    "wrong-extension",
    "random-bytes",
    "odd-name",
    "deep-nesting",
)

#: The fixtures mutated, with the extension each is written with when it keeps its own.
FIXTURES = (
    "tone.mp3",
    "tone.flac",
    "tone.ogg",
    "tone.opus",
    "tone.wav",
    "tone.aiff",
    "tone.m4a",
    "tone-alac.m4a",
    "tone.wma",
    "tone.wv",
)

#: Folder levels of the deep-nesting mutants.
DEPTH = 100

#: The size of the large absurd-size mutants: a hole after the mutated bytes, so it costs no
#: disk, but a length field of 256 MB or 2 GB finds that much to read.
SPARSE_BYTES = 300 * 1024 * 1024

#: Absurd-size mutants also made as large files, by their detail: each made a reader hold
#: hundreds of megabytes or more, or read for minutes, before reads were bounded.
_SPARSE = (
    "ID3 tag size 0x7F7F7F7F syncsafe (~256 MB)",
    "ID3 extended header flag, extended header size ~256 MB",
    "Vorbis vendor length 0xFFFFFFFF",
    "first Vorbis comment length 0x7FFFFFFF",
    "fmt chunk size 0x7FFFFFFF",
    "ID3 inside the id3 chunk: size 0x7F7F7F7F",
    "COMM chunk size 0x7FFFFFFF",
    "mvhd atom size 0x80000000",
    "first ASF header sub-object size 0",
)

Span = tuple[int, int]
Mutate = Callable[[bytes, random.Random], bytes]


@dataclass(frozen=True)
class Mutant:
    """One hostile file: ``name`` is its path below the output folder, unique and stable."""

    name: str
    kind: str
    source: str  # the fixture it was made from; "" for none
    detail: str  # what was done to it, for people

    def path(self, root: Path) -> Path:
        """Where the file is below ``root``."""
        return root / self.name


@dataclass(frozen=True)
class _Recipe:
    mutant: Mutant
    mutate: Mutate
    sparse_size: int = 0  # when set, the file is extended to this size with a hole


# --- where things are in each fixture ------------------------------------------------------


@dataclass(frozen=True)
class Regions:
    """The byte spans of a file's container and codec headers, its tags and its audio."""

    header: tuple[Span, ...]
    tags: tuple[Span, ...]
    audio: tuple[Span, ...]


def _u32be(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "big")


def _u32le(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


def _syncsafe(data: bytes, at: int) -> int:
    value = 0
    for byte in data[at : at + 4]:
        value = (value << 7) | (byte & 0x7F)
    return value


def _find(data: bytes, marker: bytes, start: int = 0) -> int:
    at = data.find(marker, start)
    if at < 0:
        raise ValueError(f"{marker!r} not found: the fixtures changed, update mutants.py")
    return at


def _flac_blocks(data: bytes) -> list[tuple[int, int, int]]:
    """``(offset of the block header, type, length)`` of each FLAC metadata block."""
    blocks = []
    at = 4
    while True:
        kind, length = data[at] & 0x7F, int.from_bytes(data[at + 1 : at + 4], "big")
        blocks.append((at, kind, length))
        if data[at] & 0x80:  # the last block
            return blocks
        at += 4 + length


def regions(name: str, data: bytes) -> Regions:
    """Find the headers, tags and audio of fixture ``name`` by reading its structure."""
    size = len(data)
    suffix = Path(name).suffix
    if suffix == ".mp3":
        tag_end = 10 + _syncsafe(data, 6)
        return Regions(
            ((0, 10), (tag_end, tag_end + 200)), ((10, tag_end),), ((tag_end + 200, size),)
        )
    if suffix == ".flac":
        blocks = _flac_blocks(data)
        first_frame = blocks[-1][0] + 4 + blocks[-1][2]
        streaminfo_end = 4 + 4 + blocks[0][2]
        return Regions(
            ((0, streaminfo_end),), ((streaminfo_end, first_frame),), ((first_frame, size),)
        )
    if suffix in (".ogg", ".opus"):
        marker = b"\x03vorbis" if suffix == ".ogg" else b"OpusTags"
        comments = _find(data, marker)
        second_page = _find(data, b"OggS", 4)
        after = data.find(b"OggS", comments)
        audio = after if after > 0 else size // 2
        return Regions(((0, second_page),), ((comments, audio),), ((audio, size),))
    if suffix == ".wav":
        sound = _find(data, b"data")
        tag = _find(data, b"id3 ")
        return Regions(((0, sound + 8),), ((tag, size),), ((sound + 8, tag),))
    if suffix == ".aiff":
        sound = _find(data, b"SSND")
        tag = _find(data, b"ID3 ")
        return Regions(((0, sound + 16),), ((tag, size),), ((sound + 16, tag),))
    if suffix == ".m4a":
        movie = _find(data, b"moov") - 4
        user = _find(data, b"udta") - 4
        user_end = user + _u32be(data, user)
        return Regions(((0, 48), (movie, user)), ((user, user_end),), ((48, movie),))
    if suffix == ".wma":
        header_end = int.from_bytes(data[16:24], "little")
        return Regions(
            ((0, 30), (header_end, header_end + 50)),
            ((30, header_end),),
            ((header_end + 50, size),),
        )
    if suffix == ".wv":
        footer = data.rfind(b"APETAGEX")
        tag = footer + 32 - _u32le(data, footer + 12)
        if data[tag - 32 : tag - 24] == b"APETAGEX":  # an APE header in front of the items
            tag -= 32
        return Regions(((0, 32),), ((tag, size),), ((32, tag),))
    raise ValueError(f"no regions known for {name}")


# --- the mutations -------------------------------------------------------------------------


def _flip(spans: Iterable[Span], bits: int | None, rate: float) -> Mutate:
    """Flip ``bits`` random bits in ``spans`` (or each bit with probability ``rate``)."""
    spans = tuple(spans)

    def mutate(data: bytes, rng: random.Random) -> bytes:
        out = bytearray(data)
        positions = [p for start, end in spans for p in range(start * 8, min(end, len(out)) * 8)]
        if not positions:
            return bytes(out)
        count = bits if bits is not None else max(1, round(len(positions) * rate))
        for bit in rng.sample(positions, min(count, len(positions))):
            out[bit // 8] ^= 1 << (bit % 8)
        return bytes(out)

    return mutate


def _cut(offset: int) -> Mutate:
    return lambda data, _rng: data[:offset]


def _put(offset: int, value: bytes) -> Mutate:
    def mutate(data: bytes, _rng: random.Random) -> bytes:
        out = bytearray(data)
        out[offset : offset + len(value)] = value
        return bytes(out)

    return mutate


def _same(data: bytes, _rng: random.Random) -> bytes:
    return data


def _noise(size: int, prefix: bytes = b"", suffix: bytes = b"") -> Mutate:
    def mutate(_data: bytes, rng: random.Random) -> bytes:
        body = rng.randbytes(max(0, size - len(prefix) - len(suffix)))
        return prefix + body + suffix

    return mutate


def _constant(content: bytes) -> Mutate:
    return lambda _data, _rng: content


def _chain(*steps: Mutate) -> Mutate:
    def mutate(data: bytes, rng: random.Random) -> bytes:
        for step in steps:
            data = step(data, rng)
        return data

    return mutate


U32_MAX = b"\xff\xff\xff\xff"
TWO_GB_BE = (0x7FFFFFFF).to_bytes(4, "big")
TWO_GB_LE = (0x7FFFFFFF).to_bytes(4, "little")
TWO_POW_31_LE = (0x80000000).to_bytes(4, "little")
SYNCSAFE_MAX = b"\x7f\x7f\x7f\x7f"  # 0x0FFFFFFF bytes: ~256 MB


def _absurd_sizes(name: str, data: bytes) -> list[tuple[str, Mutate]]:
    """Size, length and count fields set to values no real file has, by format."""
    found: list[tuple[str, Mutate]] = []

    def add(detail: str, *steps: Mutate) -> None:
        found.append((detail, _chain(*steps)))

    suffix = Path(name).suffix
    if suffix == ".mp3":
        add("ID3 tag size 0x7F7F7F7F syncsafe (~256 MB)", _put(6, SYNCSAFE_MAX))
        add("first ID3 frame size 0x7F7F7F7F", _put(14, SYNCSAFE_MAX))
        add("first ID3 frame size 0 (an empty frame)", _put(14, bytes(4)))
        add(
            "ID3 extended header flag, extended header size ~256 MB",
            _put(5, b"\x40"),
            _put(10, SYNCSAFE_MAX),
        )
        xing = _find(data, b"Xing")
        add("Xing frame count 0xFFFFFFFF", _put(xing + 8, U32_MAX))
        add("Xing frame and byte counts 0", _put(xing + 8, bytes(8)))
    elif suffix == ".flac":
        blocks = _flac_blocks(data)
        add("STREAMINFO block length 0xFFFFFF (16 MB)", _put(5, b"\xff\xff\xff"))
        add("STREAMINFO sample rate 0", _put(18, b"\x00\x00"), _put(20, bytes([data[20] & 0x0F])))
        add(
            "STREAMINFO total samples 2^36 - 1",
            _put(21, bytes([data[21] | 0x0F])),
            _put(22, U32_MAX),
        )
        for at, kind, _length in blocks:
            if kind == 4:  # VORBIS_COMMENT
                vendor = _u32le(data, at + 4)
                count = at + 8 + vendor
                add("VORBIS_COMMENT block length 0xFFFFFF", _put(at + 1, b"\xff\xff\xff"))
                add("Vorbis vendor length 0xFFFFFFFF", _put(at + 4, U32_MAX))
                add("Vorbis comment count 2^31", _put(count, TWO_POW_31_LE))
                add("first Vorbis comment length 0x7FFFFFFF", _put(count + 4, TWO_GB_LE))
            else:
                add(f"metadata block type {kind} length 0xFFFFFF", _put(at + 1, b"\xff\xff\xff"))
        last = blocks[-1][0]
        add(
            "last-block flag cleared: metadata runs into the audio",
            _put(last, bytes([data[last] & 0x7F])),
        )
    elif suffix in (".ogg", ".opus"):
        marker = b"\x03vorbis" if suffix == ".ogg" else b"OpusTags"
        vendor_at = _find(data, marker) + len(marker)
        count = vendor_at + 4 + _u32le(data, vendor_at)
        add("Vorbis vendor length 0xFFFFFFFF", _put(vendor_at, U32_MAX))
        add("Vorbis comment count 2^31", _put(count, TWO_POW_31_LE))
        add("first Vorbis comment length 0x7FFFFFFF", _put(count + 4, TWO_GB_LE))
        last_page = data.rfind(b"OggS")
        add(
            "last page granule position 2^63 - 1",
            _put(last_page + 6, (2**63 - 1).to_bytes(8, "little")),
        )
        add("last page granule position -1 (none)", _put(last_page + 6, b"\xff" * 8))
        add("first page segment count 255, lacing 255s", _put(26, b"\xff"), _put(27, b"\xff" * 8))
        if suffix == ".ogg":
            ident = _find(data, b"\x01vorbis")
            add("Vorbis sample rate 0", _put(ident + 12, bytes(4)))
            add("Vorbis channels 0", _put(ident + 11, b"\x00"))
        else:
            head = _find(data, b"OpusHead")
            add("Opus channel count 0", _put(head + 9, b"\x00"))
            add("Opus pre-skip 0xFFFF", _put(head + 10, b"\xff\xff"))
            add("Opus version 255", _put(head + 8, b"\xff"))
    elif suffix == ".wav":
        sound = _find(data, b"data")
        tag = _find(data, b"id3 ")
        add("RIFF size 0xFFFFFFF0", _put(4, b"\xf0\xff\xff\xff"))
        add("RIFF size 0", _put(4, bytes(4)))
        add("fmt chunk size 0x7FFFFFFF", _put(16, TWO_GB_LE))
        add("fmt channels 0", _put(22, b"\x00\x00"))
        add("fmt sample rate 0", _put(24, bytes(4)))
        add("fmt byte rate 0 and block align 0", _put(28, bytes(6)))
        add("fmt bits per sample 0xFFFF", _put(34, b"\xff\xff"))
        add("data chunk size 0x7FFFFFFF", _put(sound + 4, TWO_GB_LE))
        add("data chunk size 0xFFFFFFFF (streaming)", _put(sound + 4, U32_MAX))
        add("id3 chunk size 0xFFFFFFFF", _put(tag + 4, U32_MAX))
        add("ID3 inside the id3 chunk: size 0x7F7F7F7F", _put(tag + 8 + 6, SYNCSAFE_MAX))
    elif suffix == ".aiff":
        sound = _find(data, b"SSND")
        tag = _find(data, b"ID3 ")
        add("FORM size 0xFFFFFFF0", _put(4, b"\xff\xff\xff\xf0"))
        add("COMM chunk size 0x7FFFFFFF", _put(16, TWO_GB_BE))
        add("COMM channels 0", _put(20, b"\x00\x00"))
        add("COMM sample frames 0xFFFFFFFF", _put(22, U32_MAX))
        add("COMM sample rate: 80-bit float exponent 0x7FFF (infinite)", _put(28, b"\x7f\xff"))
        add("COMM sample rate 0", _put(28, bytes(10)))
        add("SSND chunk size 0x7FFFFFFF", _put(sound + 4, TWO_GB_BE))
        add("ID3 chunk size 0xFFFFFFFF", _put(tag + 4, U32_MAX))
        add("ID3 inside the ID3 chunk: size 0x7F7F7F7F", _put(tag + 8 + 6, SYNCSAFE_MAX))
    elif suffix == ".m4a":
        movie = _find(data, b"moov") - 4
        sound = _find(data, b"mdat") - 4
        add("moov atom size 0x7FFFFFFF (2 GB)", _put(movie, TWO_GB_BE))
        add("moov atom size 0 (to the end of the file)", _put(movie, bytes(4)))
        add(
            "moov atom 64-bit size 2^62",
            _put(movie, b"\x00\x00\x00\x01"),
            _put(movie + 8, (2**62).to_bytes(8, "big")),
        )
        add("moov atom size 3 (smaller than its header)", _put(movie, b"\x00\x00\x00\x03"))
        add("mdat atom size 0x7FFFFFFF (2 GB)", _put(sound, TWO_GB_BE))
        add("mdat atom size 0xFFFFFFFF", _put(sound, U32_MAX))
        for atom in (b"udta", b"meta", b"ilst", b"mvhd", b"stsz", b"stco", b"stts"):
            at = data.find(atom)
            if at > 0:
                add(f"{atom.decode()} atom size 0x80000000", _put(at - 4, b"\x80\x00\x00\x00"))
        header = _find(data, b"mvhd")
        add("mvhd time scale 0", _put(header + 16, bytes(4)))
        add("mvhd duration 0xFFFFFFFF", _put(header + 20, U32_MAX))
        sizes = _find(data, b"stsz")
        add("stsz sample count 2^31", _put(sizes + 12, b"\x80\x00\x00\x00"))
        first_data = _find(data, b"data", _find(data, b"ilst"))
        add("first ilst data atom size 0x7FFFFFFF", _put(first_data - 4, TWO_GB_BE))
    elif suffix == ".wma":
        add("ASF header object size 2^62", _put(16, (2**62).to_bytes(8, "little")))
        add("ASF header object count 2^31", _put(24, TWO_POW_31_LE))
        add("first ASF header sub-object size 0", _put(30 + 16, bytes(8)))
        add("first ASF header sub-object size 2^62", _put(30 + 16, (2**62).to_bytes(8, "little")))
        properties = _find(data, bytes.fromhex("a1dcab8c47a9cf118ee400c00c205365"))
        add("ASF play duration 2^63 - 1", _put(properties + 64, (2**63 - 1).to_bytes(8, "little")))
        description = data.find(bytes.fromhex("3326b2758e66cf11a6d900aa0062ce6c"))
        if description >= 0:
            add("ASF content description title length 0xFFFF", _put(description + 24, b"\xff\xff"))
        extended = data.find(bytes.fromhex("40a4d0d207e3d21197f000a0c95ea850"))
        if extended >= 0:
            add("ASF extended descriptor count 0xFFFF", _put(extended + 24, b"\xff\xff"))
            add("ASF first descriptor name length 0xFFFF", _put(extended + 26, b"\xff\xff"))
    elif suffix == ".wv":
        footer = data.rfind(b"APETAGEX")
        tag = footer + 32 - _u32le(data, footer + 12)
        add("WavPack block size 0x7FFFFFFF", _put(4, TWO_GB_LE))
        add("WavPack total samples 0xFFFFFFFE", _put(12, b"\xfe\xff\xff\xff"))
        add(
            "WavPack sample rate index 15 (custom), no rate given",
            _put(27, bytes([data[27] | 0x07])),
            _put(26, bytes([data[26] | 0x80])),
        )
        add("APE tag size 0x7FFFFFFF", _put(footer + 12, TWO_GB_LE))
        add("APE tag size 0", _put(footer + 12, bytes(4)))
        add("APE item count 2^31", _put(footer + 16, TWO_POW_31_LE))
        add("first APE item value size 0x7FFFFFFF", _put(tag, TWO_GB_LE))
        add("first APE item value size 0xFFFFFFFF", _put(tag, U32_MAX))
        add("first APE item key without its NUL", _put(tag + 8, b"A" * 40))
    return found


# --- the whole set -------------------------------------------------------------------------

#: Bit flips: (region, bits flipped or None, rate when None, label). Two seeds of each.
_FLIPS: tuple[tuple[str, int | None, float, str], ...] = (
    ("header", 1, 0.0, "1 bit"),
    ("header", 8, 0.0, "8 bits"),
    ("header", None, 0.01, "1% of bits"),
    ("tags", 1, 0.0, "1 bit"),
    ("tags", 8, 0.0, "8 bits"),
    ("tags", None, 0.01, "1% of bits"),
    ("tags", None, 0.1, "10% of bits"),
    ("audio", None, 0.001, "0.1% of bits"),
    ("whole", None, 0.01, "1% of bits"),
)

#: Extensions a fixture is written under in the wrong-extension set (its own is never used).
_WRONG = {
    "tone.mp3": (".flac", ".ogg", ".m4a", ".wav"),
    "tone.flac": (".mp3", ".ogg", ".wv"),
    "tone.ogg": (".opus", ".flac", ".mp3"),
    "tone.opus": (".ogg", ".m4a"),
    "tone.wav": (".aiff", ".mp3", ".wma"),
    "tone.aiff": (".wav", ".aif", ".mp3"),
    "tone.m4a": (".mp3", ".wma", ".m4b", ".mp4"),
    "tone-alac.m4a": (".flac", ".wav"),
    "tone.wma": (".asf", ".m4a", ".mp3"),
    "tone.wv": (".ape", ".flac", ".mp3"),
}

#: Real magic numbers, each followed by random bytes: every parser gets past its first check.
_MAGIC: tuple[tuple[str, str, bytes], ...] = (
    ("id3v24", ".mp3", b"ID3\x04\x00\x00\x00\x00\x02\x00"),
    ("mpeg-sync", ".mp3", b"\xff\xfb\x90\x64"),
    ("flac", ".flac", b"fLaC\x00\x00\x00\x22"),
    ("ogg-vorbis", ".ogg", b"OggS\x00\x02" + bytes(20) + b"\x01\x1e\x01vorbis"),
    ("ogg-opus", ".opus", b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead"),
    ("riff-wave", ".wav", b"RIFF\x00\x10\x00\x00WAVEfmt \x10\x00\x00\x00"),
    ("form-aiff", ".aiff", b"FORM\x00\x00\x10\x00AIFFCOMM\x00\x00\x00\x12"),
    ("mp4-ftyp", ".m4a", b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00"),
    ("asf-header", ".wma", bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")),
    ("wavpack", ".wv", b"wvpk\x00\x10\x00\x00\x10\x04"),
    ("monkeys-audio", ".ape", b"MAC \x96\x0f\x00\x00"),
    ("ape-tag-header", ".ape", b"APETAGEX\xd0\x07\x00\x00"),
)


def _recipes() -> list[_Recipe]:
    recipes: list[_Recipe] = []

    def add(
        name: str, kind: str, source: str, detail: str, mutate: Mutate, sparse_size: int = 0
    ) -> None:
        recipes.append(_Recipe(Mutant(name, kind, source, detail), mutate, sparse_size))

    fixtures = {name: (DATA / name).read_bytes() for name in FIXTURES}
    for source, data in fixtures.items():
        stem, suffix = Path(source).stem, Path(source).suffix
        add(f"intact/{source}", "intact", source, "the fixture as committed", _same)
        where = regions(source, data)
        spans = {
            "header": where.header,
            "tags": where.tags,
            "audio": where.audio,
            "whole": ((0, len(data)),),
        }
        for region, bits, rate, label in _FLIPS:
            for variant in (1, 2):
                slug = label.replace(" ", "").replace("%", "pct").replace("ofbits", "")
                add(
                    f"bit-flip/{stem}-{region}-{slug}-{variant}{suffix}",
                    "bit-flip",
                    source,
                    f"{label} flipped in the {region}",
                    _flip(spans[region], bits, rate),
                )
        size = len(data)
        marks = {1, 2, 3, 4, 8, 10, 12, 16, 32, 64, 128, 512, 4096}
        for start, end in (*where.header, *where.tags):
            marks |= {start, start + 1, end - 1, end, end + 1}
        marks |= {size // 4, size // 2, size * 3 // 4, size - 512, size - 1}
        for offset in sorted(m for m in marks if 0 < m < size):
            add(
                f"truncated/{stem}-at-{offset:06d}{suffix}",
                "truncated",
                source,
                f"cut to its first {offset} of {size} bytes",
                _cut(offset),
            )
        for index, (detail, mutate) in enumerate(_absurd_sizes(source, data), start=1):
            add(f"absurd-size/{stem}-{index:02d}{suffix}", "absurd-size", source, detail, mutate)
            if detail in _SPARSE and source != "tone-alac.m4a":
                add(
                    f"absurd-size/{stem}-{index:02d}-300MB-sparse{suffix}",
                    "absurd-size",
                    source,
                    f"{detail}, in a 300 MB file",
                    mutate,
                    SPARSE_BYTES,
                )
        for wrong in _WRONG[source]:
            add(
                f"wrong-extension/{Path(source).name}-as{wrong}",
                "wrong-extension",
                source,
                f"a {suffix} file named {wrong}",
                _same,
            )
        add(
            f"wrong-extension/{Path(source).name}-half-as{_WRONG[source][0]}",
            "wrong-extension",
            source,
            f"the first half of a {suffix} file, named {_WRONG[source][0]}",
            _cut(size // 2),
        )

    # A count of 2^31 Vorbis comments with nothing but zeros after it: 2^31 empty comments.
    flac = fixtures["tone.flac"]
    comments = next(at for at, kind, _length in _flac_blocks(flac) if kind == 4)
    count = comments + 8 + _u32le(flac, comments + 4)
    add(
        "absurd-size/tone-comment-count-zeros-300MB-sparse.flac",
        "absurd-size",
        "tone.flac",
        "Vorbis comment count 2^31, then 300 MB of zeros (2^31 empty comments)",
        _chain(_cut(count + 4), _put(count, TWO_POW_31_LE)),
        SPARSE_BYTES,
    )

    from ostplayer.library.tagreader import AUDIO_EXTENSIONS

    for extension in (*sorted(AUDIO_EXTENSIONS), ".MP3", ".Flac"):
        add(f"zero-length/empty{extension}", "zero-length", "", "no bytes at all", _constant(b""))
    for size in (1, 2, 7, 10, 100, 1000, 4096, 65536):
        extension = sorted(AUDIO_EXTENSIONS)[size % len(AUDIO_EXTENSIONS)]
        add(
            f"random-bytes/noise-{size}{extension}",
            "random-bytes",
            "",
            f"{size} random bytes",
            _noise(size),
        )
    for label, extension, magic in _MAGIC:
        for size in (len(magic) + 2, 64, 4096):
            add(
                f"random-bytes/{label}-{size}{extension}",
                "random-bytes",
                "",
                f"{label} magic number, then random bytes ({size} in all)",
                _noise(size, prefix=magic),
            )
    add(
        "random-bytes/ape-tag-footer-4096.wv",
        "random-bytes",
        "",
        "random bytes, then an APE tag footer",
        _noise(4096, suffix=b"APETAGEX\xd0\x07\x00\x00" + TWO_GB_LE + TWO_POW_31_LE + bytes(16)),
    )
    add(
        "random-bytes/zeros-65536.mp3",
        "random-bytes",
        "",
        "64 KB of zero bytes",
        _constant(bytes(65536)),
    )
    add(
        "random-bytes/ff-65536.mp3",
        "random-bytes",
        "",
        "64 KB of 0xFF (all frame syncs)",
        _constant(b"\xff" * 65536),
    )
    add(
        "random-bytes/html.mp3",
        "random-bytes",
        "",
        "an HTML page",
        _constant(b"<!doctype html><html><body><img src=http://example.com/x.png></body></html>\n"),
    )
    add(
        "random-bytes/scene-pack.flac",
        "random-bytes",
        "",
        "a scene pack's JSON",
        _constant(b'{"format": "ostplayer-scene-pack", "version": 1}\n'),
    )
    add(
        "random-bytes/two-fixtures.mp3",
        "random-bytes",
        "tone.mp3",
        "an MP3 with a FLAC file after it",
        lambda data, _rng: data + fixtures["tone.flac"],
    )
    add(
        "random-bytes/two-fixtures.flac",
        "random-bytes",
        "tone.flac",
        "a FLAC file with an MP3 after it",
        lambda data, _rng: data + fixtures["tone.mp3"],
    )

    # Names a file system allows and software trips on. Each is a real MP3 or a damaged one.
    mp3 = "tone.mp3"
    odd = {  # name: (what is odd, whether the MP3 is whole or cut short)
        "odd-name/new\nline.mp3": ("a line break in the name", True),
        "odd-name/tab\there.mp3": ("a tab in the name", False),
        "odd-name/ bidi \u202egnp.mp3": ("a right-to-left override in the name", True),
        "odd-name/" + "n" * 251 + ".mp3": ("a name of 255 bytes", False),
        "odd-name/\u521d\u604b " + "\u3042" * 80 + ".mp3": ("a long CJK name", True),
        "odd-name/" + os.fsdecode(b"latin1-caf\xe9-\xff.mp3"): ("a name that is not UTF-8", True),
        "odd-name/.hidden.mp3": ("a hidden file", True),
        "odd-name/.mp3": ("a hidden file called only .mp3 (not audio: never read)", True),
        "odd-name/$(rm -rf ~);.mp3": ("shell syntax in the name", False),
        "odd-name/trailing-dot.mp3.": ("a dot after the extension (not audio: never read)", True),
        "odd-name/x.ostplayer-tmp.mp3": ("a write-back's temp name (skipped by design)", True),
    }
    for name, (detail, whole) in odd.items():
        add(name, "odd-name", mp3, detail, _same if whole else _cut(5000))

    # A chain of folders DEPTH levels deep, with files half-way and at the bottom.
    levels = [f"d{level:03d}" for level in range(DEPTH)]
    half, bottom = "/".join(levels[: DEPTH // 2]), "/".join(levels)
    for folder, depth in ((half, DEPTH // 2), (bottom, DEPTH)):
        for source in ("tone.ogg", "tone.flac", "tone.wv"):
            stem, suffix = Path(source).stem, Path(source).suffix
            add(
                f"deep-nesting/{folder}/{stem}{suffix}",
                "deep-nesting",
                source,
                f"{depth} folders deep",
                _same,
            )
            add(
                f"deep-nesting/{folder}/{stem}-cut{suffix}",
                "deep-nesting",
                source,
                f"{depth} folders deep, cut in half",
                _cut(len(fixtures[source]) // 2),
            )
    return recipes


def expected_outside_scan(mutant: Mutant) -> bool:
    """True for a mutant the scanner passes over by design (not an audio name, or a temp copy)."""
    name = Path(mutant.name).name
    return name.startswith(".mp3") or name.endswith(".") or ".ostplayer-tmp." in name


def all_mutants() -> list[Mutant]:
    """Every mutant :func:`make_mutants` makes, without writing anything."""
    return [recipe.mutant for recipe in _recipes()]


def make_mutants(root: Path, seed: int = SEED, only: Iterable[str] | None = None) -> list[Mutant]:
    """Write the mutants (or only those named) below ``root``; return them in a stable order."""
    wanted = None if only is None else set(only)
    fixtures = {name: (DATA / name).read_bytes() for name in FIXTURES}
    made: list[Mutant] = []
    for recipe in _recipes():
        mutant = recipe.mutant
        if wanted is not None and mutant.name not in wanted:
            continue
        # Bytes seeds go through SHA-512: stable across runs, platforms and Python versions.
        rng = random.Random(f"{seed}:".encode() + os.fsencode(mutant.name))
        data = recipe.mutate(fixtures.get(mutant.source, b""), rng)
        path = mutant.path(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if recipe.sparse_size:
            os.truncate(path, recipe.sparse_size)
        made.append(mutant)
    if wanted is not None and len(made) != len(wanted):
        missing = sorted(wanted - {m.name for m in made})
        raise KeyError(f"no such mutants: {missing}")
    return made


def main(argv: list[str]) -> int:
    """``python -m tests.reliability.mutants OUT [NAME ...]``: write all or the named mutants."""
    if not argv:
        print(__doc__)
        return 2
    root = Path(argv[0])
    made = make_mutants(root, only=argv[1:] or None)
    for mutant in made:
        print(f"{mutant.kind}\t{mutant.path(root)}\t{mutant.detail}")
    print(f"{len(made)} mutants in {root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
