"""Every input that ever broke one of our parsers, replayed: each must end in a result or in our
own clear error, never in anything else (warnings are errors in this suite, too).

One folder per parser; README.md says how to add an input. A new file is picked up by its
extension, so adding one is all it takes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from ostplayer.domain.scene import Note, SceneCue
from ostplayer.domain.track import Track
from ostplayer.formats.lrc import export_lrc, parse_lrc
from ostplayer.formats.m3u8 import load_m3u8
from ostplayer.formats.pack import PackError, load_pack
from ostplayer.formats.playlist_file import PlaylistFileError, read_playlist
from ostplayer.formats.webvtt import export_episode_vtt, export_track_vtt
from ostplayer.formats.xspf import load_xspf
from ostplayer.library.tagreader import (
    MAX_BITRATE_KBPS,
    MAX_DURATION_MS,
    TagInfo,
    TagReadError,
    read_tags,
)

HERE = Path(__file__).parent
#: The playlist folder relative entries are read against (nothing is read there).
BASE = Path("/music/Playlists")
#: A parser that takes longer than this on one input is stuck (this bounds a hang only).
STUCK_S = 30.0
_SPARSE = re.compile(r"\.sparse-(\d+)MB\.")


def inputs(parser: str, *suffixes: str) -> list[Any]:
    """The corpus files of one parser, as test parameters named after the file."""
    folder = HERE / parser
    found = sorted(p for p in folder.iterdir() if p.name.endswith(suffixes) and p.suffix != ".md")
    return [pytest.param(path, id=path.name) for path in found]


def test_every_parser_has_a_folder_and_every_file_is_replayed() -> None:
    known = {
        "pack": (".json", ".bin"),
        "lrc": (".lrc", ".json"),
        "webvtt": (".json",),
        "m3u8": (".m3u8", ".m3u", ".bin"),
        "xspf": (".xspf", ".bin"),
        "audio": (),
    }
    for parser, suffixes in known.items():
        folder = HERE / parser
        assert folder.is_dir(), f"tests/regressions/{parser}/ is missing"
        if parser == "audio":
            continue
        for path in folder.iterdir():
            assert path.name == "README.md" or path.name.endswith(suffixes), (
                f"{path} would not be replayed: name it with one of {suffixes}"
            )


# --- scene packs -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", inputs("pack", ".json", ".bin"))
def test_pack(path: Path) -> None:
    try:
        load_pack(path.read_bytes())
    except PackError as error:
        _one_line(str(error))


# --- LRC ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", inputs("lrc", ".lrc"))
def test_lrc(path: Path) -> None:
    # LRC has no error: a line that is not a time or a tag is skipped.
    document = parse_lrc(path.read_bytes().decode("utf-8", "surrogateescape"))
    times = [line.time_ms for line in document.lines]
    assert times == sorted(times)


@pytest.mark.parametrize("path", inputs("lrc", ".json"))
def test_lrc_export(path: Path) -> None:
    spec = json.loads(path.read_text(encoding="ascii"))
    track = Track(Path("/x.ogg"), **spec["track"])
    text = export_lrc(track, [_item(item) for item in spec["items"]])
    text.encode("utf-8")  # what `ostplayer notes export` writes
    parse_lrc(text)


# --- WebVTT (export only: the app writes it, never reads it) --------------------------------


@pytest.mark.parametrize("path", inputs("webvtt", ".json"))
def test_webvtt_export(path: Path) -> None:
    spec = json.loads(path.read_text(encoding="ascii"))
    if spec["export"] == "track_vtt":
        track = Track(Path("/x.ogg"), **spec["track"])
        items = [_item(item) for item in spec["items"]]
        text = export_track_vtt(track, items, note=spec.get("note"))
    else:
        entries = [(title, _item(item)) for title, item in spec["entries"]]
        text = export_episode_vtt(spec["episode"], entries, note=spec.get("note"))
    text.encode("utf-8")  # what `ostplayer notes export` writes
    assert text.startswith("WEBVTT\n\n")


def _item(fields: dict[str, Any]) -> SceneCue | Note:
    return Note(**fields) if "text" in fields else SceneCue(**fields)


# --- playlists ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", inputs("m3u8", ".m3u8", ".m3u", ".bin"))
def test_m3u8(path: Path, tmp_path: Path) -> None:
    try:
        read = load_m3u8(path.read_bytes(), BASE, path.stem)
    except PlaylistFileError as error:
        _one_line(str(error))
    else:
        assert all(item.path.is_absolute() for item in read.items)
        for _location, reason in read.skipped:
            reason.encode("utf-8")
    _through_the_front_door(path, tmp_path)


@pytest.mark.parametrize("path", inputs("xspf", ".xspf", ".bin"))
def test_xspf(path: Path, tmp_path: Path) -> None:
    try:
        read = load_xspf(path.read_bytes(), BASE, path.stem)
    except PlaylistFileError as error:
        _one_line(str(error))
    else:
        assert all(item.path.is_absolute() for item in read.items)
    _through_the_front_door(path, tmp_path)


def _through_the_front_door(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    try:
        read_playlist(copy)
    except PlaylistFileError as error:
        _one_line(str(error))


# --- audio files -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", inputs("audio", ""))
def test_audio(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    sparse = _SPARSE.search(path.name)
    if sparse:
        # Only the bytes before the hole are committed; the rest of the file is zeros.
        os.truncate(copy, int(sparse[1]) * 1024 * 1024)
    tracemalloc.start()
    try:
        result = _read_with_watchdog(copy)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, f"reading it held {peak // (1024 * 1024)} MB"
    if isinstance(result, TagReadError):
        # The disk is fine: whatever is wrong is the file's content, never an I/O error.
        assert result.reason in {"corrupt", "unsupported", "empty"}, (result.reason, result)
        _one_line(str(result))
        # Says what is wrong, not the name of an exception class.
        assert not re.search(r"\((error|\w+Error)\)$", str(result)), str(result)
        return
    assert isinstance(result, TagInfo), result
    assert 0 <= result.duration_ms <= MAX_DURATION_MS
    assert 0 <= result.bitrate_kbps <= MAX_BITRATE_KBPS


def _read_with_watchdog(path: Path) -> TagInfo | BaseException:
    result: list[TagInfo | BaseException] = []

    def work() -> None:
        try:
            result.append(read_tags(path))
        except BaseException as exc:  # judged by the caller
            result.append(exc)

    worker = threading.Thread(target=work, name=f"read {path.name}", daemon=True)
    worker.start()
    worker.join(STUCK_S)
    if worker.is_alive():
        pytest.fail(f"{path.name}: read_tags still running after {STUCK_S:.0f} s")
    if not isinstance(result[0], TagInfo | TagReadError):
        raise result[0]  # anything else escaped: the test fails with its traceback
    return result[0]


def _one_line(message: str) -> None:
    """A refusal is one line of text for people, that can be shown and printed."""
    assert message.strip() and "\n" not in message, message
    message.encode("utf-8", "backslashreplace")
