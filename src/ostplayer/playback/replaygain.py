"""ReplayGain: reading a file's gain tags, and choosing the gain to play it at.

Why the engine applies the gain itself instead of libvlc's ``--audio-replay-gain-mode``
(measured on libvlc 3.0.24 by rendering tagged copies of the fixtures, see
``tests/playback/test_replaygain.py``):

- the option is read by the audio output when it is made (with the media player), so a media
  option (``:audio-replay-gain-mode=track``) changes nothing, and changing the mode needs a new
  libvlc instance;
- libvlc takes the gain from what the demuxer reports. Its own Ogg demuxer reports Vorbis and
  Opus tags, but the avformat demuxer the engine uses for exact seeking (see ``vlc_engine``)
  reports none, and neither do its FLAC and MP3 readers: every such file got libvlc's -7 dB
  "no ReplayGain tag" default instead of its own gain.

So the tags are read here with mutagen, in every format the library reads, and the engine plays
the track at the chosen gain.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ostplayer.playback.engine import ReplayGainMode

_GAIN_KEYS = {
    "replaygain_track_gain",
    "replaygain_track_peak",
    "replaygain_album_gain",
    "replaygain_album_peak",
    "r128_track_gain",
    "r128_album_gain",
}
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
#: Opus' R128 gains are relative to -23 LUFS; ReplayGain's reference is 5 dB louder (-18 LUFS).
R128_TO_REPLAYGAIN_DB = 5.0


@dataclass(frozen=True, slots=True)
class ReplayGain:
    """A file's ReplayGain values: gains in dB, peaks as a linear amplitude (1.0 = full scale)."""

    track_gain: float | None = None
    track_peak: float | None = None
    album_gain: float | None = None
    album_peak: float | None = None

    def gain_db(self, mode: ReplayGainMode) -> float:
        """The gain to play at in ``mode``: 0 when off or untagged.

        The other value stands in when the chosen one is missing (an album gain for a track
        tagged alone, and the reverse), and the gain never lifts the peak above full scale.
        """
        if mode is ReplayGainMode.OFF:
            return 0.0
        chosen = [(self.track_gain, self.track_peak), (self.album_gain, self.album_peak)]
        if mode is ReplayGainMode.ALBUM:
            chosen.reverse()
        for gain, peak in chosen:
            if gain is not None:
                if peak is not None and peak > 0:
                    gain = min(gain, -20.0 * math.log10(peak))
                return gain
        return 0.0


def _number(text: str) -> float | None:
    match = _NUMBER.search(text)
    if match is None:
        return None
    value = float(match.group())
    return value if math.isfinite(value) else None


def _first_text(value: Any) -> str:
    """The first text of a tag value, whatever the format keeps it in."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if hasattr(value, "text"):  # an ID3 text frame
        value = value.text[0] if value.text else ""
    elif hasattr(value, "value"):  # an ASF attribute
        value = value.value
    if isinstance(value, bytes):  # an MP4 freeform atom
        value = value.decode("utf-8", "replace")
    return str(value)


def _tag_texts(tags: Any) -> dict[str, str]:
    """The ReplayGain tags as ``{lowercase name: text}``."""
    texts: dict[str, str] = {}
    for key, value in tags.items():
        name = str(key)
        if name.startswith("RVA2:"):  # ID3's own relative volume frame
            which = name[5:].lower()
            if which in {"track", "album"}:
                texts.setdefault(f"replaygain_{which}_gain", str(value.gain))
                texts.setdefault(f"replaygain_{which}_peak", str(value.peak))
            continue
        if name.startswith(("TXXX:", "----:")):  # ID3 user text, MP4 freeform: the last part
            name = name.rsplit(":", 1)[-1]
        name = name.lower()
        if name in _GAIN_KEYS:
            texts.setdefault(name, _first_text(value))
    return texts


def read_replay_gain(path: Path) -> ReplayGain:
    """The ReplayGain values in ``path``'s tags; empty when it has none or cannot be read.

    Read as the scan reads (regular files only, reads checked against absurd sizes): this
    runs when a track loads, on the GUI thread, and a hostile file must not cost it gigabytes.
    """
    from ostplayer.library.tagreader import TagReadError, read_audio  # only when ReplayGain is on

    try:
        audio = read_audio(path)
    except TagReadError:
        return ReplayGain()
    tags = getattr(audio, "tags", None)
    if tags is None or not hasattr(tags, "items"):
        return ReplayGain()
    texts = _tag_texts(tags)
    track_gain = _number(texts.get("replaygain_track_gain", ""))
    album_gain = _number(texts.get("replaygain_album_gain", ""))
    # Opus keeps R128 gains as Q7.8 integers (1/256 dB) relative to -23 LUFS.
    if track_gain is None and (r128 := _number(texts.get("r128_track_gain", ""))) is not None:
        track_gain = r128 / 256.0 + R128_TO_REPLAYGAIN_DB
    if album_gain is None and (r128 := _number(texts.get("r128_album_gain", ""))) is not None:
        album_gain = r128 / 256.0 + R128_TO_REPLAYGAIN_DB
    return ReplayGain(
        track_gain=track_gain,
        track_peak=_number(texts.get("replaygain_track_peak", "")),
        album_gain=album_gain,
        album_peak=_number(texts.get("replaygain_album_peak", "")),
    )
