"""Exported playlists as VLC reads them: libvlc's own M3U and XSPF parsers must find every
entry's real file, and play a moment's span only (dummy audio output).

Like the other libvlc tests these never skip: without libvlc they fail and say how to install
it. What VLC does that shaped the writers (see ``ostplayer.formats.m3u8``): in an M3U it
percent-decodes plain paths ("100%41.wav" becomes "100A.wav") and drops lines that are not
UTF-8, so such names are written as ``file://`` URIs.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import pytest

from ostplayer.formats.playlist_file import PlaylistItem, write_playlist
from tests.conftest import DATA

pytestmark = pytest.mark.vlc

INSTALL = "apt-get install libvlc5 libvlc-bin vlc-plugin-base"
TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def vlc() -> Any:
    """The python-vlc module, with libvlc loaded."""
    try:
        import vlc as module
    except (ImportError, OSError, NotImplementedError) as exc:
        pytest.fail(
            f"libvlc cannot be loaded ({exc}): run make test, which installs it, or {INSTALL}"
        )
    return module


@pytest.fixture(scope="module")
def instance(vlc: Any) -> Iterator[Any]:
    """One libvlc instance for the module, made as the app makes it."""
    from ostplayer.playback.factory import vlc_args

    instance = vlc.Instance(vlc_args())  # the app's own arguments (--aout=dummy in the tests)
    if instance is None:
        pytest.fail(f"libvlc could not start: run make test, which installs it, or {INSTALL}")
    yield instance
    instance.release()


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, list[PlaylistItem]]:
    """Real audio files around a playlist folder, and the playlist's items for them."""
    lists = tmp_path / "lists"
    (lists / "サウンドトラック 第1巻").mkdir(parents=True)
    (tmp_path / "Other OST").mkdir()

    def copy(fixture: str, target: Path) -> Path:
        shutil.copy(DATA / fixture, target)
        return target

    items = [
        PlaylistItem(copy("tone.ogg", lists / "plain.ogg"), "Plain", "Ensemble", "OST", 6_000),
        PlaylistItem(
            copy("tone.mp3", lists / "サウンドトラック 第1巻" / "01 初恋の 囁き.mp3"),
            "初恋の囁き",
            "故郷アンサンブル",
        ),
        PlaylistItem(copy("tone.flac", tmp_path / "Other OST" / "02 Sibling.flac"), "Sibling"),
        PlaylistItem(copy("tone.wav", lists / "100%41 #1.wav"), "Percent"),
        # A moment, on a format whose start-time seek VLC handles (see test below).
        PlaylistItem(
            copy("tone.opus", lists / "moment.opus"), "Moment", start_ms=2_500, end_ms=3_000
        ),
    ]
    if os.name != "nt":
        # A name that is not UTF-8, as a Linux file system allows.
        cafe = copy("tone.m4a", Path(os.fsdecode(os.fsencode(lists) + b"/caf\xe9.m4a")))
        items.append(PlaylistItem(cafe, "Café"))
    return lists, items


def parsed_subitems(vlc: Any, instance: Any, playlist: Path) -> list[Any]:
    media = instance.media_new_path(str(playlist))
    media.parse_with_options(vlc.MediaParseFlag.local, int(TIMEOUT_S * 1000))
    deadline = time.monotonic() + TIMEOUT_S
    while media.get_parsed_status() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert media.get_parsed_status() == vlc.MediaParsedStatus.done
    subitems = media.subitems()
    return [subitems.item_at_index(index) for index in range(subitems.count())]


def mrl_path(mrl: str) -> bytes:
    parts = urlsplit(mrl)
    assert parts.scheme == "file" and parts.netloc == "", mrl
    return unquote_to_bytes(parts.path)


@pytest.mark.parametrize("suffix", [".m3u8", ".xspf"])
def test_vlc_finds_every_exported_entry(
    vlc: Any, instance: Any, library: tuple[Path, list[PlaylistItem]], suffix: str
) -> None:
    lists, items = library
    playlist = lists / f"Road trip{suffix}"
    write_playlist(playlist, "Road trip", items)
    text = playlist.read_text(encoding="utf-8")
    # Written relative where it can be: in a subfolder, and in a sibling folder with "..".
    assert "Other%20OST" in text or "../Other OST/02 Sibling.flac" in text

    subitems = parsed_subitems(vlc, instance, playlist)
    found = [mrl_path(media.get_mrl()) for media in subitems]
    assert found == [os.fsencode(item.path) for item in items]
    assert all(Path(os.fsdecode(path)).is_file() for path in found)
    titles = [media.get_meta(vlc.Meta.Title) for media in subitems]
    assert titles[:5] == ["Plain", "初恋の囁き", "Sibling", "Percent", "Moment"]
    assert subitems[1].get_meta(vlc.Meta.Artist) == "故郷アンサンブル"


@pytest.mark.parametrize("suffix", [".m3u8", ".xspf"])
def test_vlc_plays_only_the_span_of_a_moment(
    vlc: Any, instance: Any, library: tuple[Path, list[PlaylistItem]], suffix: str
) -> None:
    lists, items = library
    playlist = lists / f"Moments{suffix}"
    write_playlist(playlist, "Moments", [item for item in items if item.start_ms is not None])
    (moment,) = parsed_subitems(vlc, instance, playlist)
    # No read-ahead, so that playing takes as long as the audio played (plus a little).
    moment.add_option(":file-caching=0")
    player = instance.media_player_new()
    try:
        player.set_media(moment)
        started = time.monotonic()
        player.play()
        states = set()
        while time.monotonic() - started < TIMEOUT_S:
            state = player.get_state()
            states.add(state)
            if state in (vlc.State.Ended, vlc.State.Error):
                break
            time.sleep(0.02)
        elapsed = time.monotonic() - started
    finally:
        player.stop()
        player.release()
    assert vlc.State.Playing in states
    assert state == vlc.State.Ended
    # 0.5 s of audio takes about 1 s here; without start-time VLC would play 3 s of the
    # 6 s track and take 3.5 s, without stop-time 3.5 s of it and take 4 s.
    assert elapsed < 2.5, f"the moment played for {elapsed:.1f} s"
