#!/usr/bin/env python3
"""Synthesize OST Player's demo soundtrack and its audio test fixtures.

Everything is made here from numbers: the music is written out as notes and chords below,
rendered with small numpy instruments (additive piano, wavetable strings, bowed and breathed
legato lines, a Karplus-Strong guitar, a soft drum), put in a room with a convolution reverb,
written with soundfile (libsndfile) and tagged with mutagen. No ffmpeg, no samples, no network.

Usage::

    python tools/make_audio.py              # both sets
    python tools/make_audio.py --demo       # resources/demo/*.ogg, cover.jpg
    python tools/make_audio.py --fixtures   # tests/data/tone.*

Needs the ``audio`` extra (numpy, soundfile) plus mutagen, and PySide6 for the cover art.
The M4A (AAC, ALAC), WMA and WavPack fixtures need ffmpeg on PATH, because libsndfile cannot
write those formats; without ffmpeg the script says so and skips just those four.
All randomness comes from fixed seeds, so a re-run gives the same samples. libsndfile picks a
random Ogg stream serial number for every file it writes; this script replaces it with a fixed
one, so on the same machine and library versions a re-run gives byte-identical files too.
"""

from __future__ import annotations

import argparse
import base64
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from mutagen import File as MutagenFile
from mutagen.aiff import AIFF
from mutagen.apev2 import APEv2
from mutagen.asf import ASF
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3, TALB, TIT2, TMOO, TPE1, TRCK
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

Signal = npt.NDArray[np.float64]

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "resources" / "demo"
FIXTURE_DIR = ROOT / "tests" / "data"

SR = 44100
PEAK_DBFS = -1.0
# soundfile's compression_level for Vorbis: libsndfile uses quality = 1 - level, so 1.0 is the
# smallest Vorbis quality it allows (q0, nominally ~64 kbit/s stereo).
VORBIS_COMPRESSION_LEVEL = 1.0
TABLE_SIZE = 4096

# --------------------------------------------------------------------------------------------
# Pitch and rhythm notation
# --------------------------------------------------------------------------------------------

_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def note(name: str) -> int:
    """Return the MIDI number of a note name such as ``C4`` (60), ``F#3`` or ``Bb1``."""
    semis = _LETTERS[name[0].upper()]
    i = 1
    while i < len(name) and name[i] in "#b":
        semis += 1 if name[i] == "#" else -1
        i += 1
    return 12 * (int(name[i:]) + 1) + semis


def notes(names: str) -> list[int]:
    """Return the MIDI numbers of a space-separated list of note names."""
    return [note(n) for n in names.split()]


def midi_hz(midi: float) -> float:
    """Return the equal-tempered frequency in Hz of a (possibly fractional) MIDI number."""
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


@dataclass(frozen=True)
class Note:
    """One note of a line: start and length in beats, pitch as a MIDI number, loudness 0..1."""

    start: float
    beats: float
    midi: int
    vel: float = 0.8


def line(text: str, start: float = 0.0, vel: float = 0.8) -> list[Note]:
    """Parse ``"C5:1.5 A4:.5 r:1 | G4:2"`` into notes; ``r`` is a rest and ``|`` is ignored."""
    out: list[Note] = []
    beat = start
    for token in text.split():
        if token == "|":
            continue
        name, _, length = token.partition(":")
        beats = float(length)
        if name != "r":
            out.append(Note(beat, beats, note(name), vel))
        beat += beats
    return out


# --------------------------------------------------------------------------------------------
# DSP building blocks
# --------------------------------------------------------------------------------------------


def times(n: int) -> Signal:
    """Return the sample times in seconds of an ``n``-sample signal."""
    return np.arange(n, dtype=np.float64) / SR


def fft_filter(x: Signal, response: Callable[[Signal], Signal]) -> Signal:
    """Filter ``x`` with a zero-phase magnitude response given as a function of frequency."""
    spectrum = np.fft.rfft(x)
    spectrum *= response(np.fft.rfftfreq(len(x), 1.0 / SR))
    return np.fft.irfft(spectrum, n=len(x))


def lowpass(fc: float, order: int = 2) -> Callable[[Signal], Signal]:
    """Return a Butterworth-shaped low-pass magnitude response."""
    return lambda f: 1.0 / np.sqrt(1.0 + (f / fc) ** (2 * order))


def highpass(fc: float, order: int = 2) -> Callable[[Signal], Signal]:
    """Return a Butterworth-shaped high-pass magnitude response."""
    return lambda f: 1.0 / np.sqrt(1.0 + (fc / np.maximum(f, 1e-3)) ** (2 * order))


def bandpass(lo: float, hi: float, order: int = 2) -> Callable[[Signal], Signal]:
    """Return a band-pass magnitude response made of a high-pass and a low-pass."""
    hp, lp = highpass(lo, order), lowpass(hi, order)
    return lambda f: hp(f) * lp(f)


def body_eq(
    peaks: Sequence[tuple[float, float, float]], hp: float, lp: float
) -> Callable[[Signal], Signal]:
    """Return an instrument-body response: (centre Hz, gain dB, width octaves) peaks, hp, lp."""

    def response(f: Signal) -> Signal:
        gain = np.ones_like(f)
        safe = np.maximum(f, 1.0)
        for centre, gain_db, width in peaks:
            bump = np.exp(-0.5 * (np.log2(safe / centre) / width) ** 2)
            gain += (10.0 ** (gain_db / 20.0) - 1.0) * bump
        return gain * highpass(hp)(f) * lowpass(lp)(f)

    return response


def smooth(x: Signal, seconds: float) -> Signal:
    """Smooth ``x`` with two passes of a moving average ``seconds`` long (a triangle window)."""
    width = max(1, int(seconds * SR))
    for _ in range(2):
        padded = np.concatenate([np.full(width, x[0]), x, np.full(width, x[-1])])
        csum = np.cumsum(padded)
        avg = (csum[width:] - csum[:-width]) / width
        x = avg[width // 2 : width // 2 + len(x)]
    return x


def adsr(
    total: int, held: int, attack: float, decay: float, sustain: float, release: float
) -> Signal:
    """Return an envelope: raised-cosine attack, exponential decay to ``sustain``, and a
    raised-cosine release that starts after ``held`` samples and ends at ``total``."""
    t = times(total)
    attack = max(attack, 1e-3)
    rise = 0.5 - 0.5 * np.cos(np.pi * np.minimum(t / attack, 1.0))
    fall = sustain + (1.0 - sustain) * np.exp(-np.maximum(t - attack, 0.0) / max(decay, 1e-3))
    rel = np.clip((t - held / SR) / max(release, 1e-3), 0.0, 1.0)
    return rise * fall * (0.5 + 0.5 * np.cos(np.pi * rel))


def tail_fade(x: Signal, seconds: float = 0.03) -> Signal:
    """Fade the last ``seconds`` of ``x`` linearly to silence, so a cut-off tail cannot click."""
    n = min(len(x), int(seconds * SR))
    x[len(x) - n :] *= np.linspace(1.0, 0.0, n)
    return x


def wavetable(amps: Sequence[float]) -> Signal:
    """Return one cycle (``TABLE_SIZE`` samples, peak 1) of the given harmonic amplitudes."""
    k = np.arange(1, len(amps) + 1, dtype=np.float64)
    phase = np.arange(TABLE_SIZE, dtype=np.float64) / TABLE_SIZE
    table = np.asarray(amps, dtype=np.float64) @ np.sin(2.0 * np.pi * np.outer(k, phase))
    return table / np.max(np.abs(table))


def oscillate(table: Signal, freq: Signal | float, n: int, phase0: float = 0.0) -> Signal:
    """Read ``table`` at a constant or per-sample frequency (linear interpolation)."""
    if isinstance(freq, float):
        phase = (phase0 + freq * times(n)) % 1.0
    else:
        phase = (phase0 + np.cumsum(freq[:n]) / SR) % 1.0
    pos = phase * TABLE_SIZE
    idx = pos.astype(np.int64)
    frac = pos - idx
    return table[idx % TABLE_SIZE] * (1.0 - frac) + table[(idx + 1) % TABLE_SIZE] * frac


def saw_amps(f0: float, cutoff: float, top: float) -> list[float]:
    """Harmonic amplitudes of a softened sawtooth at ``f0`` with partials below ``top`` Hz."""
    count = max(1, int(min(top, 0.45 * SR) / f0))
    return [(1.0 / k) / math.sqrt(1.0 + (k * f0 / cutoff) ** 4) for k in range(1, count + 1)]


# --------------------------------------------------------------------------------------------
# Instruments (each returns a mono signal that starts at the note's onset)
# --------------------------------------------------------------------------------------------


def piano(midi: int, held: float, vel: float, rng: np.random.Generator) -> Signal:
    """A piano-like tone: slightly inharmonic partials, each decaying faster the higher it is,
    two detuned strings, a soft hammer thump, and damping when the key is released."""
    f0 = midi_hz(midi)
    release = 0.35
    n = int((held + release) * SR)
    t = times(n)
    out = np.zeros(n)
    base_decay = float(np.clip(2.8 * (262.0 / f0) ** 0.6, 0.6, 6.0))
    brightness = 0.45 + 0.55 * vel
    total = 0.0
    for k in range(1, 24):
        fk = k * f0 * math.sqrt(1.0 + 0.00035 * k * k)
        if fk > min(9000.0, 0.45 * SR):
            break
        amp = (1.0 / k**1.3) * math.exp(-(k - 1) * (1.15 - brightness) * 0.55)
        decay = base_decay / (1.0 + 0.55 * (k - 1))
        env = np.exp(-t / decay)
        detune = 1.0 + 0.0006 * rng.uniform(0.6, 1.0)
        phase = rng.uniform(0, 2 * np.pi)
        partial = np.sin(2 * np.pi * fk * t + phase)
        if k <= 6:
            partial = 0.5 * (partial + np.sin(2 * np.pi * fk * detune * t + phase))
        out += amp * env * partial
        total += amp
    out /= total
    thump_n = int(0.03 * SR)
    thump = fft_filter(rng.standard_normal(thump_n), lowpass(500 + 1500 * vel))
    out[:thump_n] += 0.08 * thump * np.exp(-times(thump_n) / 0.006)
    hit = np.minimum(t / 0.003, 1.0)
    damp = np.where(t > held, np.exp(-(t - held) / 0.09), 1.0)
    return tail_fade(vel * out * hit * damp)


def string_pad(midi: int, held: float, rng: np.random.Generator, bright: float = 2200.0) -> Signal:
    """A soft string-ensemble tone: three detuned sawtooth voices with gentle chorus vibrato,
    a slow attack and a long release."""
    f0 = midi_hz(midi)
    attack, release = min(1.4, 0.45 * held), 1.6
    n = int((held + release) * SR)
    t = times(n)
    table = wavetable(saw_amps(f0, bright, 7000.0))
    out = np.zeros(n)
    for cents in (-9.0, -1.0, 7.0):
        f = f0 * 2.0 ** (cents / 1200.0)
        wobble = 1.0 + 0.0022 * np.sin(2 * np.pi * rng.uniform(4.2, 5.6) * t + rng.uniform(0, 6))
        out += oscillate(table, f * wobble, n, rng.random())
    return out / 3.0 * adsr(n, int(held * SR), attack, 1.0, 1.0, release)


def sine_pad(midi: int, held: float, rng: np.random.Generator) -> Signal:
    """A warm, round pad: a sine with a quiet octave and twelfth, slightly detuned pairs."""
    f0 = midi_hz(midi)
    release = 1.8
    n = int((held + release) * SR)
    t = times(n)
    out = np.zeros(n)
    for ratio, amp in ((1.0, 1.0), (2.0, 0.3), (3.0, 0.12)):
        for cents in (-4.0, 4.0):
            f = f0 * ratio * 2.0 ** (cents / 1200.0)
            out += amp * np.sin(2 * np.pi * f * t + rng.uniform(0, 6))
    return out / 2.8 * adsr(n, int(held * SR), min(1.2, 0.4 * held), 1.0, 1.0, release)


@dataclass(frozen=True)
class Voice:
    """How a legato line sounds: harmonics, vibrato, glide, envelope and noise."""

    harmonics: Callable[[float], list[float]]
    vibrato_cents: float
    vibrato_hz: float
    glide: float
    attack: float
    release: float
    articulation: float
    noise: float
    noise_band: tuple[float, float]
    chiff: float = 0.0


def legato(
    events: Sequence[tuple[float, float, int, float]], voice: Voice, rng: np.random.Generator
) -> Signal:
    """Render one phrase of tied notes ``(start s, length s, midi, vel)`` as a single bowed or
    blown tone that glides between pitches; returns a signal starting at the first onset."""
    first = events[0][0]
    end = events[-1][0] + events[-1][1] - first
    n = int((end + voice.release) * SR)
    semis = np.full(n, float(events[0][2]))
    since = np.zeros(n)
    level = np.full(n, events[0][3])
    onsets = []
    for i, (start, _length, midi, vel) in enumerate(events):
        a = int((start - first) * SR)
        b = int((events[i + 1][0] - first) * SR) if i + 1 < len(events) else n
        semis[a:b] = midi
        since[a:b] = times(b - a)
        level[a:b] = vel
        onsets.append(a)
    semis = smooth(semis, voice.glide)
    level = smooth(level, 0.12)
    depth = voice.vibrato_cents / 100.0 * np.clip((since - 0.18) / 0.5, 0.0, 1.0)
    drift = smooth(rng.standard_normal(n), 0.25) * 0.6
    rate = voice.vibrato_hz * (1.0 + 0.04 * drift)
    vib_phase = 2 * np.pi * np.cumsum(rate) / SR
    freq = 440.0 * 2.0 ** ((semis + depth * np.sin(vib_phase) - 69.0) / 12.0)
    top = float(np.max(freq))
    tone = oscillate(wavetable(voice.harmonics(top)), freq, n, rng.random())

    held = int(end * SR)
    env = adsr(n, held, voice.attack, 1.0, 1.0, voice.release)
    dips = np.ones(n)
    for a in onsets[1:]:
        w = int(0.09 * SR)
        seg = dips[a : a + w]
        seg *= 1.0 - voice.articulation * np.exp(-times(len(seg)) / 0.03)
    dips = smooth(dips, 0.02)
    amp = env * dips * level * (1.0 + 0.5 * depth * np.sin(vib_phase + 0.7))
    noise = fft_filter(rng.standard_normal(n), bandpass(*voice.noise_band))
    noise /= np.std(noise) + 1e-12
    out = tone * amp + voice.noise * noise * amp
    if voice.chiff:
        for a in onsets:
            w = min(int(0.06 * SR), n - a)
            out[a : a + w] += voice.chiff * noise[a : a + w] * np.exp(-times(w) / 0.015) * level[a]
    return out


def phrases(
    notes_: Sequence[Note], beat_s: float, gap: float = 0.01
) -> list[list[tuple[float, float, int, float]]]:
    """Split notes into legato phrases wherever a rest longer than ``gap`` beats occurs."""
    groups: list[list[tuple[float, float, int, float]]] = []
    prev_end = -1e9
    for nt in notes_:
        ev = (nt.start * beat_s, nt.beats * beat_s, nt.midi, nt.vel)
        if nt.start - prev_end > gap or not groups:
            groups.append([ev])
        else:
            groups[-1].append(ev)
        prev_end = nt.start + nt.beats
    return groups


VIOLIN = Voice(
    harmonics=lambda top: [
        (1.0 / k) * (0.85 if k % 2 == 0 else 1.0) for k in range(1, int(15000 / top) + 1)
    ],
    vibrato_cents=24.0,
    vibrato_hz=5.6,
    glide=0.07,
    attack=0.35,
    release=0.9,
    articulation=0.28,
    noise=0.035,
    noise_band=(2500.0, 9000.0),
)

CELLO = Voice(
    harmonics=lambda top: [1.0 / k for k in range(1, int(6000 / top) + 1)],
    vibrato_cents=14.0,
    vibrato_hz=5.0,
    glide=0.1,
    attack=1.6,
    release=2.0,
    articulation=0.2,
    noise=0.03,
    noise_band=(900.0, 4500.0),
)

FLUTE = Voice(
    harmonics=lambda top: [1.0, 0.22, 0.09, 0.035, 0.015],
    vibrato_cents=16.0,
    vibrato_hz=4.9,
    glide=0.035,
    attack=0.09,
    release=0.45,
    articulation=0.45,
    noise=0.05,
    noise_band=(1200.0, 7000.0),
    chiff=0.25,
)

VIOLIN_BODY = body_eq([(290, 6, 0.35), (520, 3, 0.4), (1100, -3, 0.5), (2900, 5, 0.6)], 190, 7000)
CELLO_BODY = body_eq([(110, 3, 0.4), (220, 5, 0.35), (620, 3, 0.5), (1500, -4, 0.6)], 55, 3200)


def pluck(
    midi: int, held: float, vel: float, rng: np.random.Generator, ring: float = 1.0
) -> Signal:
    """A nylon-guitar-like pluck by Karplus-Strong: a filtered noise burst circulating in a
    delay line with an averaging (damping) filter, retuned exactly by resampling."""
    f0 = midi_hz(midi)
    delay = int(SR / f0 - 0.5)
    f_loop = SR / (delay + 0.5)
    ratio = f0 / f_loop
    n_out = int(held * SR)
    n_gen = int(n_out * ratio) + 2 * delay + 4
    t60 = ring * float(np.clip(3.5 * (196.0 / f0) ** 0.35, 1.6, 5.0))
    gain = 10.0 ** (-3.0 / (t60 * f_loop))
    # The string starts displaced in a triangle peaking where the thumb plucks it, with a
    # little noise for the flesh; brighter when plucked harder.
    shape = np.arange(delay + 1, dtype=np.float64) / (delay + 1)
    beta = 0.2
    burst = np.where(shape < beta, shape / beta, (1.0 - shape) / (1.0 - beta))
    burst = burst - burst.mean() + 0.25 * rng.uniform(-1.0, 1.0, delay + 1)
    burst = fft_filter(burst, lowpass(1200.0 + 3000.0 * vel, 1))
    y = np.zeros(n_gen)
    y[: delay + 1] = burst
    pos = delay + 1
    while pos < n_gen:
        end = min(pos + delay, n_gen)
        y[pos:end] = (
            gain * 0.5 * (y[pos - delay : end - delay] + y[pos - delay - 1 : end - delay - 1])
        )
        pos = end
    y -= np.mean(y[: delay * 4])
    out = np.interp(np.arange(n_out) * ratio, np.arange(n_gen), y)
    out *= np.minimum(times(n_out) / 0.002, 1.0)
    fade = min(int(0.08 * SR), n_out)
    out[-fade:] *= np.linspace(1.0, 0.0, fade)
    return vel * out / (np.max(np.abs(out[: int(0.1 * SR)])) + 1e-9)


def low_drum(vel: float, rng: np.random.Generator) -> Signal:
    """A soft, low, felt-mallet drum: a sine whose pitch falls quickly, and a muffled thud."""
    n = int(1.4 * SR)
    t = times(n)
    f = 42.0 + 38.0 * np.exp(-t / 0.035)
    body = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-t / 0.32)
    thud = fft_filter(rng.standard_normal(n), lowpass(300.0, 2)) * np.exp(-t / 0.02)
    out = body + 0.35 * thud / (np.max(np.abs(thud)) + 1e-9)
    return tail_fade(vel * out * np.minimum(t / 0.004, 1.0))


def glass(midi: int, held: float, rng: np.random.Generator) -> Signal:
    """A thin, cold, glassy sine cluster used as a high tension shimmer."""
    f0 = midi_hz(midi)
    release = 2.5
    n = int((held + release) * SR)
    t = times(n)
    out = np.sin(2 * np.pi * f0 * t) + 0.25 * np.sin(
        2 * np.pi * f0 * 1.0035 * t + rng.uniform(0, 6)
    )
    trem = 1.0 + 0.25 * np.sin(2 * np.pi * rng.uniform(0.15, 0.3) * t)
    return out * trem / 1.25 * adsr(n, int(held * SR), 0.5 * held, 1.0, 1.0, release)


# --------------------------------------------------------------------------------------------
# Mixing
# --------------------------------------------------------------------------------------------


def reverb_ir(rt60: float, rng: np.random.Generator, predelay: float = 0.018) -> Signal:
    """Return a stereo (2, n) room impulse response: decorrelated noise whose highs die
    faster than its lows, with a short diffuse build-up and unit energy."""
    n = int(rt60 * 1.15 * SR)
    pre = int(predelay * SR)
    t = times(n)
    ir = np.zeros((2, n + pre))
    for ch in range(2):
        noise = rng.standard_normal(n)
        low = fft_filter(noise, lowpass(2500.0, 1))
        high = noise - low
        tail = low * np.exp(-6.91 * t / rt60) + 0.6 * high * np.exp(-6.91 * t / (0.4 * rt60))
        ir[ch, pre:] = tail * (1.0 - np.exp(-t / 0.012))
    return ir / math.sqrt(float(np.sum(ir**2)) / 2.0)


def convolve(x: Signal, h: Signal) -> Signal:
    """Return the FFT convolution of ``x`` and ``h``, cut to the length of ``x``."""
    size = 1 << (len(x) + len(h) - 1).bit_length()
    y = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)
    return y[: len(x)]


class Mixer:
    """A stereo mix bus with a reverb send and a ping-pong echo send."""

    def __init__(self, seconds: float, seed: int) -> None:
        """Prepare empty buses ``seconds`` long; ``seed`` drives every random choice."""
        self.n = round(seconds * SR)
        self.rng = np.random.default_rng(seed)
        self.dry = np.zeros((2, self.n))
        self.verb = np.zeros((2, self.n))
        self.echo = np.zeros(self.n)

    def add(
        self,
        sig: Signal,
        start: float,
        gain: float = 1.0,
        pan: float = 0.0,
        reverb: float = 0.3,
        echo: float = 0.0,
    ) -> None:
        """Mix ``sig`` in at ``start`` seconds, panned (-1 left .. 1 right) with sends."""
        a = round(start * SR)
        if a < 0:
            sig, a = sig[-a:], 0
        if a >= self.n:
            return
        sig = sig[: self.n - a] * gain
        b = a + len(sig)
        angle = (pan + 1.0) * np.pi / 4.0
        left, right = math.cos(angle) * sig, math.sin(angle) * sig
        self.dry[0, a:b] += left
        self.dry[1, a:b] += right
        self.verb[0, a:b] += reverb * left
        self.verb[1, a:b] += reverb * right
        self.echo[a:b] += echo * sig

    def render(self, rt60: float, echo_s: float = 0.0, feedback: float = 0.0) -> Signal:
        """Return the finished stereo mix: dry + ping-pong echoes + reverb."""
        out = self.dry.copy()
        if echo_s > 0 and np.any(self.echo):
            step = int(echo_s * SR)
            taps = np.zeros((2, self.n))
            soft = fft_filter(self.echo, bandpass(200.0, 4000.0, 1))
            for k in range(1, 8):
                d = k * step
                if d >= self.n:
                    break
                taps[k % 2, d:] += feedback**k * soft[: self.n - d]
            out += taps
            self.verb += 0.5 * taps
        ir = reverb_ir(rt60, self.rng)
        for ch in range(2):
            out[ch] += convolve(self.verb[ch], ir[ch])
        return out


def master(mix: Signal, fade_in: float = 0.4, fade_out: float = 3.0) -> Signal:
    """Remove DC and subsonics, fade in and out, and normalize to ``PEAK_DBFS`` peak."""
    mix = np.stack([fft_filter(ch, highpass(25.0, 2)) for ch in mix])
    n = mix.shape[1]
    t = times(n)
    fade = np.minimum(t / fade_in, 1.0) * np.clip((t[-1] - t) / fade_out, 0.0, 1.0)
    mix *= (0.5 - 0.5 * np.cos(np.pi * fade)) if fade_out else 1.0
    return mix * (10.0 ** (PEAK_DBFS / 20.0) / np.max(np.abs(mix)))


# --------------------------------------------------------------------------------------------
# The four pieces
# --------------------------------------------------------------------------------------------

Chord = tuple[str, str]  # (bass note, upper voicing)


def chord_track(
    chords: Sequence[tuple[float, float, Chord]],
) -> list[tuple[float, float, int, list[int]]]:
    """Turn ``(start beat, beats, (bass, voicing))`` chords into MIDI numbers."""
    return [(s, b, note(bass), notes(voicing)) for s, b, (bass, voicing) in chords]


def bars(
    progression: Sequence[Chord | tuple[Chord, Chord]], beats_per_bar: int, start: float = 0.0
) -> list[tuple[float, float, Chord]]:
    """Lay out one chord per bar (or two, as a pair, one per half bar) from ``start`` beats."""
    out: list[tuple[float, float, Chord]] = []
    beat = start
    for item in progression:
        if isinstance(item[0], tuple):
            half = beats_per_bar / 2
            out += [(beat, half, item[0]), (beat + half, half, item[1])]  # type: ignore[list-item]
        else:
            out.append((beat, beats_per_bar, item))  # type: ignore[arg-type]
        beat += beats_per_bar
    return out


def first_loves_whisper() -> Signal:
    """01: piano melody and broken chords over a soft string pad; F major, 80 bpm."""
    beat = 60.0 / 80.0
    mix = Mixer(54.0, seed=101)
    rng = mix.rng
    progression: list[Chord | tuple[Chord, Chord]] = [
        ("F2", "F3 A3 C4"),  # intro
        ("F2", "F3 A3 C4"),
        ("E2", "E3 G3 C4"),
        ("D2", "F3 A3 D4"),
        ("Bb1", "F3 Bb3 D4"),
        ("A1", "F3 A3 C4"),
        ("G1", "F3 Bb3 D4"),
        (("C2", "F3 G3 C4"), ("C2", "E3 G3 C4")),
        ("F2", "F3 A3 C4"),
        ("Bb1", "F3 Bb3 D4"),
        ("C2", "E3 G3 C4"),
        ("A1", "E3 A3 C4"),
        ("D2", "F3 A3 D4"),
        ("G1", "F3 Bb3 D4"),
        (("C2", "F3 Bb3 C4"), ("C2", "E3 Bb3 C4")),
        ("D2", "F3 A3 C4"),
        ("F1", "F3 C4 A4"),
    ]
    chords = chord_track(bars(progression, 4))
    melody = line(
        "C5:1.5 A4:.5 A4:2 | G4:1 A4:.5 G4:.5 E4:2 | F4:1 A4:1 D5:1.5 C5:.5 | D5:2 C5:1 Bb4:1 |"
        " A4:3 C5:1 | Bb4:1 A4:1 G4:1 F4:1 | G4:2 Bb4:1 E4:1 | F4:4 |"
        " D5:1.5 C5:.5 Bb4:1 D5:1 | E5:2 C5:2 | C5:1 E5:1 A5:1.5 G5:.5 | F5:2 D5:2 |"
        " Bb4:1 D5:1 F5:1.5 E5:.5 | D5:2 C5:1 Bb4:1 | A4:3 G4:1 | F4:6",
        start=4.0,
        vel=0.72,
    )
    for i, (start, beats, bass, voicing) in enumerate(chords):
        final = i == len(chords) - 1
        held = (beats + (4.0 if final else 0.15)) * beat
        for j, m in enumerate(voicing):
            mix.add(string_pad(m, held, rng), start * beat, 0.13, -0.45 + 0.45 * j, reverb=0.45)
        mix.add(string_pad(bass + 12, held, rng, bright=900.0), start * beat, 0.07, 0.0, 0.4)
        tones = [bass + 12, voicing[1], voicing[2], voicing[0] + 12]
        if final:
            tones = [bass + 12, bass + 24, *voicing]
        if final:
            for j, m in enumerate(tones):
                mix.add(piano(m, 5.0, 0.45, rng), (start + 0.12 * j) * beat, 0.32, -0.2, 0.35)
            continue
        pattern = [0, 1, 2, 3, 2, 1, 2, 3][: int(beats * 2)]
        for k, idx in enumerate(pattern):
            jitter = rng.normal(0.0, 0.006)
            vel = 0.42 + (0.08 if k % 4 == 0 else 0.0) + rng.normal(0.0, 0.02)
            sustain = (beats - k * 0.5) * beat + 0.1
            mix.add(
                piano(tones[idx], sustain, vel, rng),
                (start + k * 0.5) * beat + jitter,
                0.3,
                -0.25,
                0.35,
            )
    for nt in melody:
        jitter = rng.normal(0.0, 0.008)
        vel = nt.vel + rng.normal(0.0, 0.03) + (0.08 if nt.midi >= 76 else 0.0)
        mix.add(
            piano(nt.midi, nt.beats * beat + 0.25, vel, rng),
            nt.start * beat + jitter,
            0.62,
            0.1,
            0.35,
            echo=0.18,
        )
    return master(mix.render(rt60=2.4, echo_s=beat * 0.75, feedback=0.35), fade_out=4.0)


def shadows_of_doubt() -> Signal:
    """02: bowed low drones, rubbing seconds and tritones, a heartbeat drum; D minor."""
    mix = Mixer(46.0, seed=202)
    rng = mix.rng

    def bowed(
        events: Sequence[tuple[float, float, str]], gain: float, pan: float, vel: float = 0.8
    ) -> None:
        for start, length, name in events:
            tone = legato([(start, length, note(name), vel)], CELLO, rng)
            mix.add(fft_filter(tone, CELLO_BODY), start, gain, pan, reverb=0.5)

    # A pedal on D, re-bowed with swells, under a second voice that rubs against it.
    bowed(
        [(0.0, 11.0, "D2"), (10.0, 12.0, "D2"), (21.0, 12.0, "D2"), (32.0, 10.5, "D2")], 0.30, -0.1
    )
    bowed([(0.0, 11.0, "D1"), (21.0, 12.0, "D1"), (32.0, 10.5, "D1")], 0.12, 0.0)
    bowed(
        [
            (2.0, 7.0, "A2"),
            (8.5, 6.0, "Bb2"),
            (14.0, 5.0, "A2"),
            (18.5, 8.0, "Ab2"),
            (26.0, 4.5, "G2"),
            (30.0, 8.0, "Ab2"),
            (37.5, 6.0, "A2"),
        ],
        0.26,
        0.35,
        0.75,
    )
    bowed(
        [
            (15.0, 7.0, "F3"),
            (21.5, 4.5, "E3"),
            (25.5, 6.5, "Eb3"),
            (31.5, 4.5, "D3"),
            (35.5, 7.0, "C#3"),
        ],
        0.2,
        -0.4,
        0.7,
    )
    # A lone cello sighs in minor seconds.
    sighs = [
        (10.0, [(0.0, 1.6, "A3"), (1.6, 2.8, "Bb3"), (4.4, 2.5, "A3")]),
        (24.0, [(0.0, 1.4, "D4"), (1.4, 1.4, "Eb4"), (2.8, 1.2, "D4"), (4.0, 3.0, "C#4")]),
        (33.0, [(0.0, 1.8, "F4"), (1.8, 1.6, "E4"), (3.4, 3.5, "Ab3")]),
    ]
    solo = Voice(CELLO.harmonics, 22.0, 5.4, 0.12, 0.5, 1.6, 0.25, 0.035, (900.0, 5000.0))
    for at, phrase in sighs:
        events = [(at + s, length, note(name), 0.75) for s, length, name in phrase]
        tone = fft_filter(legato(events, solo, rng), CELLO_BODY)
        mix.add(tone, at, 0.34, 0.15, reverb=0.6)
    # Cold high shimmer: a tritone and a minor ninth that never resolve.
    for start, length, name, gain in (
        (12.0, 14.0, "Ab5", 0.022),
        (16.0, 12.0, "D6", 0.018),
        (27.0, 13.0, "Eb6", 0.02),
    ):
        mix.add(
            glass(note(name), length, rng), start, gain, 0.6 if name != "D6" else -0.6, reverb=0.9
        )
    # Heartbeat: lub-dub pairs that quicken towards the middle, then slow and fade.
    t, k = 5.0, 0
    while t < 41.0:
        period = 1.55 - 0.45 * math.exp(-(((t - 27.0) / 8.0) ** 2))
        vel = (0.55 + 0.35 * math.exp(-(((t - 27.0) / 9.0) ** 2))) * min(1.0, (t - 4.0) / 5.0)
        vel *= min(1.0, (42.0 - t) / 6.0)
        mix.add(low_drum(vel, rng), t, 0.55, 0.0, reverb=0.3)
        mix.add(low_drum(0.55 * vel, rng), t + 0.27, 0.55, 0.05, reverb=0.3)
        t += period
        k += 1
    return master(mix.render(rt60=3.2), fade_in=1.0, fade_out=4.0)


def a_promise_kept() -> Signal:
    """03: a soaring violin over a warm pad and cello bass; G major rising to A major."""
    beat = 60.0 / 84.0
    mix = Mixer(52.0, seed=303)
    rng = mix.rng
    progression: list[Chord | tuple[Chord, Chord]] = [
        ("G2", "G3 B3 D4"),  # intro
        ("G2", "G3 B3 D4"),
        ("F#2", "F#3 A3 D4"),
        ("E2", "G3 B3 E4"),
        ("C2", "G3 C4 E4"),
        ("B1", "G3 B3 D4"),
        ("A1", "G3 C4 E4"),
        ("D2", "F#3 A3 D4"),
        (("D2", "F#3 A3 D4"), ("E2", "G#3 B3 D4")),
        ("A2", "A3 C#4 E4"),
        ("G#2", "G#3 B3 E4"),
        ("F#2", "A3 C#4 F#4"),
        ("D2", "A3 D4 F#4"),
        ("C#2", "A3 C#4 E4"),
        ("B1", "A3 D4 F#4"),
        (("E2", "A3 B3 E4"), ("E2", "G#3 B3 E4")),
        ("A1", "A3 C#4 E4 A4"),
    ]
    chords = chord_track(bars(progression, 4))
    violin = line(
        "B4:1 D5:1 G5:2 | F#5:1.5 E5:.5 D5:2 | E5:1 G5:1 B5:2 | A5:3 G5:1 |"
        " G5:1 F#5:1 D5:2 | E5:1 G5:1 A5:2 | F#5:3 A5:1 | A5:2 G#5:2",
        start=4.0,
        vel=0.72,
    )
    violin += line(
        "C#5:1 E5:1 A5:2 | G#5:1.5 F#5:.5 E5:2 | F#5:1 A5:1 C#6:2 | B5:3 A5:1 |"
        " A5:1 C#6:1 E6:2 | D6:2 C#6:1 B5:1 | B5:2 G#5:2 | A5:6",
        start=36.0,
        vel=0.9,
    )
    for i, (start, beats, _bass, voicing) in enumerate(chords):
        final = i == len(chords) - 1
        held = (beats + (3.0 if final else 0.1)) * beat
        for j, m in enumerate(voicing):
            mix.add(sine_pad(m, held, rng), start * beat, 0.1, -0.5 + 0.33 * j, reverb=0.5)
            mix.add(
                string_pad(m + 12, held, rng, bright=1800.0),
                start * beat,
                0.035,
                0.5 - 0.33 * j,
                0.6,
            )
    # Cello bass: one tied line through the whole piece, swelling at each change.
    bass_events = [(s * beat, b * beat, bass, 0.7 + 0.1 * (s >= 36)) for s, b, bass, _ in chords]
    bass_events[-1] = (bass_events[-1][0], bass_events[-1][1] + 2.5 * beat, bass_events[-1][2], 0.8)
    low = Voice(CELLO.harmonics, 10.0, 4.8, 0.12, 1.0, 1.8, 0.35, 0.02, (700.0, 3500.0))
    mix.add(fft_filter(legato(bass_events, low, rng), CELLO_BODY), 0.0, 0.28, -0.15, reverb=0.35)
    # Rising harp-like arpeggios lift the second half.
    for start, beats, _bass, voicing in chords[9:-1]:
        tones = [*voicing, voicing[0] + 12, voicing[1] + 12, voicing[2] + 12]
        for k in range(int(beats * 2)):
            m = tones[k % len(tones)]
            t = (start + 0.5 * k) * beat
            mix.add(pluck(m + 12, 1.4, 0.5 + 0.04 * k, rng), t, 0.08, 0.45, reverb=0.5, echo=0.2)
    for group in phrases(violin, beat):
        tone = fft_filter(legato(group, VIOLIN, rng), VIOLIN_BODY)
        mix.add(tone, group[0][0], 0.42, 0.05, reverb=0.5, echo=0.08)
    return master(mix.render(rt60=2.8, echo_s=beat, feedback=0.3), fade_out=3.5)


def hometown_serenade() -> Signal:
    """04: plucked guitar arpeggios in 3/4 and a breathy flute tune; D major, 88 bpm."""
    beat = 60.0 / 88.0
    mix = Mixer(46.5, seed=404)
    rng = mix.rng
    shapes = {
        "D": "D3 A3 D4 F#4",
        "Bm": "B2 F#3 B3 D4",
        "G": "G2 D3 G3 B3",
        "A": "A2 E3 A3 C#4",
        "D/F#": "F#2 A3 D4 F#4",
        "Em7": "E2 D3 G3 B3",
        "A7": "A2 E3 G3 C#4",
        "F#m": "F#2 C#3 F#3 A3",
    }
    names = "D D | D Bm G A | D/F# G Em7 A7 | D F#m G D/F# | Em7 A7 D D | G D".replace("|", "")
    progression = names.split()
    flute = line(
        "F#5:2 A5:1 | F#5:2 D5:1 | E5:1.5 F#5:.5 G5:1 | E5:3 |"
        " D5:1 F#5:1 A5:1 | B5:2 A5:1 | G5:1.5 F#5:.5 E5:1 | E5:2 C#5:1 |"
        " D5:2 F#5:1 | A5:2 C#6:1 | D6:1.5 B5:.5 G5:1 | A5:3 |"
        " G5:1 F#5:1 E5:1 | E5:1 G5:1 C#5:1 | D5:6",
        start=6.0,
        vel=0.75,
    )
    for i, name in enumerate(progression):
        voicing = notes(shapes[name])
        start = i * 3.0
        if i == len(progression) - 1:
            # A slow final strum (adding A4 on top) that rings out over a soft pad.
            for j, m in enumerate([*voicing, voicing[-1] + 3]):
                tone = pluck(m, 7.5, 0.6, rng, ring=2.0)
                mix.add(tone, (start + 0.06 * j) * beat, 0.3, -0.3 + 0.15 * j, 0.35)
            for j, m in enumerate(voicing[1:]):
                mix.add(sine_pad(m + 12, 4.0, rng), start * beat, 0.045, 0.4 - 0.3 * j, 0.5)
            continue
        for k, idx in enumerate([0, 1, 2, 3, 2, 1]):
            vel = 0.62 + (0.12 if k == 0 else 0.0) + rng.normal(0.0, 0.03)
            t = (start + 0.5 * k) * beat + rng.normal(0.0, 0.005)
            ring = (6 - k) * 0.5 * beat + 0.9
            mix.add(pluck(voicing[idx], ring, vel, rng), t, 0.3, -0.35 + 0.12 * idx, reverb=0.3)
        if 2 <= i < 18:
            for j, m in enumerate(voicing[1:]):
                mix.add(
                    sine_pad(m + 12, 3.0 * beat + 0.1, rng), start * beat, 0.03, 0.4 - 0.3 * j, 0.5
                )
    for group in phrases(flute, beat):
        tone = legato(group, FLUTE, rng)
        mix.add(tone, group[0][0], 0.3, 0.25, reverb=0.45, echo=0.12)
    return master(mix.render(rt60=2.2, echo_s=beat * 1.5, feedback=0.3), fade_out=4.0)


@dataclass(frozen=True)
class DemoTrack:
    """One demo track: file name, title, mood and the function that renders it."""

    number: int
    filename: str
    title: str
    mood: str
    render: Callable[[], Signal]


DEMO_TRACKS = [
    DemoTrack(
        1, "01-first-loves-whisper.ogg", "First Love\u2019s Whisper", "tender", first_loves_whisper
    ),
    DemoTrack(2, "02-shadows-of-doubt.ogg", "Shadows of Doubt", "tense", shadows_of_doubt),
    DemoTrack(3, "03-a-promise-kept.ogg", "A Promise Kept", "hopeful", a_promise_kept),
    DemoTrack(4, "04-hometown-serenade.ogg", "Hometown Serenade", "warm", hometown_serenade),
]

DEMO_ARTIST = "Hometown Embrace Demo Ensemble"
DEMO_ALBUM = "i Hometown Embrace (Demo OST)"
DEMO_COMMENT = (
    "Original demo music synthesized by tools/make_audio.py for OST Player; not from the series."
)

# --------------------------------------------------------------------------------------------
# Cover art
# --------------------------------------------------------------------------------------------


def make_cover(size: int = 512, quality: int = 85) -> bytes:
    """Draw the demo cover (a dusk sky over hills and a lit hometown) and return it as JPEG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
    from PySide6.QtGui import (
        QBrush,
        QColor,
        QFont,
        QGuiApplication,
        QImage,
        QLinearGradient,
        QPainter,
        QPainterPath,
        QPen,
        QRadialGradient,
    )

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    rng = np.random.default_rng(512)
    s = size / 512.0
    image = QImage(size, size, QImage.Format.Format_RGB32)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)

    sky = QLinearGradient(0, 0, 0, size)
    for pos, colour in (
        (0.0, "#171a3d"),
        (0.32, "#4a3468"),
        (0.55, "#b5577a"),
        (0.7, "#f08c5a"),
        (0.8, "#ffc98a"),
    ):
        sky.setColorAt(pos, QColor(colour))
    p.fillRect(0, 0, size, size, QBrush(sky))

    p.setPen(Qt.PenStyle.NoPen)
    for _ in range(60):
        x, y = rng.uniform(0, size), rng.uniform(0, 0.36 * size) ** 1.0
        r = rng.uniform(0.5, 1.6) * s
        alpha = int(rng.uniform(60, 200) * (1.0 - y / (0.4 * size)))
        p.setBrush(QColor(255, 245, 225, max(alpha, 0)))
        p.drawEllipse(QPointF(x, y), r, r)

    sun_c = QPointF(340 * s, 372 * s)
    glow = QRadialGradient(sun_c, 170 * s)
    glow.setColorAt(0.0, QColor(255, 228, 170, 200))
    glow.setColorAt(0.25, QColor(255, 190, 120, 110))
    glow.setColorAt(1.0, QColor(255, 160, 110, 0))
    p.setBrush(QBrush(glow))
    p.drawEllipse(sun_c, 170 * s, 170 * s)
    p.setBrush(QColor(255, 236, 196))
    p.drawEllipse(sun_c, 38 * s, 38 * s)

    def hill(base: float, bumps: Sequence[tuple[float, float]], colour: QColor) -> None:
        path = QPainterPath(QPointF(0, size))
        path.lineTo(0, base * s)
        prev = 0.0
        for x, y in bumps:
            mid = (prev + x) / 2
            path.cubicTo(QPointF(mid * s, base * s), QPointF(mid * s, y * s), QPointF(x * s, y * s))
            prev, base = x, y
        path.lineTo(size, size)
        path.closeSubpath()
        p.setBrush(colour)
        p.drawPath(path)

    hill(380, [(120, 350), (260, 392), (400, 358), (512, 384)], QColor(122, 66, 98))
    hill(420, [(90, 404), (230, 430), (360, 398), (512, 424)], QColor(70, 38, 74))

    # Rooftops of the hometown, with a few lit windows.
    p.setBrush(QColor(33, 20, 44))
    town = QPainterPath(QPointF(0, size))
    x = 0.0
    houses: list[tuple[float, float, float]] = []
    while x < 512:
        w = float(rng.uniform(34, 62))
        h = float(rng.uniform(26, 58))
        ground = 470.0
        roof = float(rng.uniform(12, 24))
        town.lineTo(x * s, (ground - h) * s)
        town.lineTo((x + w / 2) * s, (ground - h - roof) * s)
        town.lineTo((x + w) * s, (ground - h) * s)
        houses.append((x, w, ground - h))
        x += w + float(rng.uniform(-4, 6))
    town.lineTo(size, size)
    town.closeSubpath()
    p.drawPath(town)
    for hx, hw, top in houses:
        for _ in range(int(rng.integers(0, 3))):
            wx = hx + rng.uniform(0.15, 0.7) * hw
            wy = top + rng.uniform(8, 22)
            p.setBrush(QColor(255, 205, 120, int(rng.uniform(170, 240))))
            p.drawRect(QRectF(wx * s, wy * s, 6 * s, 8 * s))
    p.setBrush(QColor(24, 14, 32))
    p.drawRect(QRectF(0, 468 * s, size, 44 * s))

    title_font = QFont("DejaVu Serif")
    title_font.setPixelSize(int(40 * s))
    title_font.setItalic(True)
    sub_font = QFont("DejaVu Sans")
    sub_font.setPixelSize(int(19 * s))
    sub_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 135)
    for font, text, top, height in (
        (title_font, "i Hometown Embrace", 96, 60),
        (sub_font, "Demo OST", 160, 30),
    ):
        p.setFont(font)
        rect = QRectF(0, top * s, size, height * s)
        p.setPen(QPen(QColor(10, 8, 30, 150)))
        p.drawText(rect.translated(2 * s, 2 * s), Qt.AlignmentFlag.AlignCenter, text)
        p.setPen(QPen(QColor(255, 242, 225)))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    p.setPen(QPen(QColor(255, 220, 180, 160), 1.2 * s))
    p.drawLine(QPointF(196 * s, 154 * s), QPointF(316 * s, 154 * s))
    p.end()

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "JPG", quality):
        raise RuntimeError("Qt could not encode the cover as JPEG")
    buffer.close()
    _ = app
    return bytes(data.data())


def cover_picture(jpeg: bytes, size: int = 512) -> str:
    """Return a base64 FLAC picture block (front cover) for a METADATA_BLOCK_PICTURE comment."""
    pic = Picture()
    pic.type = 3
    pic.mime = "image/jpeg"
    pic.desc = "Front cover"
    pic.width = pic.height = size
    pic.depth = 24
    pic.data = jpeg
    return base64.b64encode(pic.write()).decode("ascii")


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------

_BITSWAP = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def ogg_crc(page: bytes) -> bytes:
    """Return the Ogg page checksum (CRC-32, poly 0x04C11DB7, unreflected) as stored bytes."""
    crc = (~zlib.crc32(page.translate(_BITSWAP), 0xFFFFFFFF)) & 0xFFFFFFFF
    return struct.pack(">I", crc).translate(_BITSWAP)


def fix_ogg_serial(path: Path) -> None:
    """Replace the random stream serial libsndfile gives an Ogg file with one derived from
    the file name, and re-checksum every page, so that re-runs give identical bytes."""
    serial = zlib.crc32(path.name.encode()) & 0x7FFFFFFF
    data = bytearray(path.read_bytes())
    pos = 0
    while pos < len(data):
        if data[pos : pos + 4] != b"OggS":
            raise ValueError(f"{path}: no Ogg page at byte {pos}")
        segments = data[pos + 26]
        size = 27 + segments + sum(data[pos + 27 : pos + 27 + segments])
        struct.pack_into("<I", data, pos + 14, serial)
        data[pos + 22 : pos + 26] = b"\0\0\0\0"
        data[pos + 22 : pos + 26] = ogg_crc(bytes(data[pos : pos + size]))
        pos += size
    path.write_bytes(bytes(data))


def write_audio(
    path: Path, audio: Signal, rate: int, fmt: str, subtype: str, level: float | None = None
) -> None:
    """Write ``audio`` (frames, or frames x channels) with soundfile in 64k-frame blocks.

    One sf.write() call of more than about 2**21 frames crashes libsndfile 1.2.2's Vorbis
    encoder (segmentation fault); writing in blocks avoids it and gives the same stream.
    """
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    with sf.SoundFile(
        path, "w", rate, channels, subtype, format=fmt, compression_level=level
    ) as out:
        for start in range(0, len(audio), 65536):
            out.write(np.ascontiguousarray(audio[start : start + 65536]))


def write_demo(out_dir: Path) -> list[Path]:
    """Render, encode and tag the four demo tracks and the cover; return the audio paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jpeg = make_cover()
    (out_dir / "cover.jpg").write_bytes(jpeg)
    picture = cover_picture(jpeg)
    paths = []
    for track in DEMO_TRACKS:
        audio = track.render()
        path = out_dir / track.filename
        write_audio(path, audio.T, SR, "OGG", "VORBIS", VORBIS_COMPRESSION_LEVEL)
        fix_ogg_serial(path)
        tagged = OggVorbis(path)
        tagged.delete()
        tags = {
            "TITLE": track.title,
            "ARTIST": DEMO_ARTIST,
            "ALBUM": DEMO_ALBUM,
            "ALBUMARTIST": DEMO_ARTIST,
            "TRACKNUMBER": str(track.number),
            "TRACKTOTAL": str(len(DEMO_TRACKS)),
            "DISCNUMBER": "1",
            "DATE": "2026",
            "GENRE": "Soundtrack",
            "MOOD": track.mood,
            "COMMENT": DEMO_COMMENT,
            "COMPOSER": "OST Player demo script",
            "METADATA_BLOCK_PICTURE": picture,
        }
        for key, value in tags.items():
            tagged[key] = [value]
        tagged.save()
        paths.append(path)
        _report_demo(path, audio.shape[1] / SR)
    print(f"cover.jpg: {len(jpeg)} bytes")
    return paths


def _db(x: float) -> float:
    """Return an amplitude ratio in decibels (floored at -240 dB)."""
    return 20.0 * math.log10(max(x, 1e-12))


def _report_demo(path: Path, intended: float) -> None:
    """Print a written track's length, decoded peak and RMS level, format and size."""
    data, rate = sf.read(path, always_2d=True)
    length = _check_length(path, intended)
    print(
        f"{path.name}: {length:6.2f} s, peak {_db(float(np.max(np.abs(data)))):6.2f} dBFS,"
        f" RMS {_db(float(np.sqrt(np.mean(data**2)))):6.2f} dBFS, {rate} Hz,"
        f" {data.shape[1]} ch, {path.stat().st_size / 1024:.0f} KiB"
    )


def _check_length(path: Path, intended: float) -> float:
    """Read ``path`` back with mutagen; fail unless it has tags and lasts ``intended`` ± 50 ms."""
    info = MutagenFile(path)
    if info is None or not info.tags:
        raise SystemExit(f"{path}: mutagen cannot read tags back")
    length = float(info.info.length)
    if abs(length - intended) > 0.05:
        raise SystemExit(f"{path}: mutagen length {length:.3f} s, intended {intended:.3f} s")
    return length


FIXTURE_SECONDS = 6.0
FIXTURE_MELODY = ["C5", "E5", "G5", "C6", "B5", "G5", "A5", "F5", "D5", "G5", "E5", "C5"]


def fixture_signal(rate: int) -> Signal:
    """The fixture tune at ``rate`` Hz: twelve 0.5 s sine notes (plus a quiet octave) with a
    5 ms attack, a gentle decay and 80 ms of silence before each next onset; 6.0 s, mono."""
    n = round(FIXTURE_SECONDS * rate)
    t = np.arange(n, dtype=np.float64) / rate
    out = np.zeros(n)
    for i, name in enumerate(FIXTURE_MELODY):
        local = t - 0.5 * i
        on = (local >= 0.0) & (local < 0.42)
        f = midi_hz(note(name))
        lt = local[on]
        env = (
            np.minimum(lt / 0.005, 1.0) * np.exp(-lt / 0.35) * np.clip((0.42 - lt) / 0.02, 0.0, 1.0)
        )
        out[on] += 0.5 * env * (np.sin(2 * np.pi * f * lt) + 0.2 * np.sin(4 * np.pi * f * lt))
    return out


@dataclass(frozen=True)
class Fixture:
    """One fixture file: name, label used in its title, soundfile format/subtype and rate."""

    filename: str
    label: str
    fmt: str
    subtype: str
    rate: int


FIXTURES = [
    Fixture("tone.ogg", "Ogg Vorbis", "OGG", "VORBIS", 22050),
    Fixture("tone.opus", "Ogg Opus", "OGG", "OPUS", 48000),
    Fixture("tone.mp3", "MP3", "MP3", "MPEG_LAYER_III", 44100),
    Fixture("tone.flac", "FLAC", "FLAC", "PCM_16", 22050),
    Fixture("tone.wav", "WAV", "WAV", "PCM_16", 8000),
    Fixture("tone.aiff", "AIFF", "AIFF", "PCM_16", 8000),
]


def _tag_fixture(path: Path, fx: Fixture, number: int) -> None:
    """Tag one fixture in its format's own tags: Vorbis comments for Ogg and FLAC, ID3v2.4
    for MP3 and (in an ID3 chunk) for WAV and AIFF."""
    title = f"Fixture Tone ({fx.label})"
    if fx.fmt in ("OGG", "FLAC"):
        kind = {"VORBIS": OggVorbis, "OPUS": OggOpus}.get(fx.subtype, FLAC)
        comments = kind(path)
        if comments.tags is None:
            comments.add_tags()
        comments.tags.clear()
        for key, value in (
            ("TITLE", title),
            ("ARTIST", "Fixture Ensemble"),
            ("ALBUM", "Fixtures"),
            ("TRACKNUMBER", str(number)),
            ("MOOD", "calm"),
        ):
            comments[key] = [value]
        comments.save()
        return
    container = {"MP3": MP3, "WAV": WAVE, "AIFF": AIFF}[fx.fmt](path)
    if container.tags is not None:
        container.delete()
        container = {"MP3": MP3, "WAV": WAVE, "AIFF": AIFF}[fx.fmt](path)
    container.add_tags()
    tags: ID3 = container.tags
    for frame in (
        TIT2(encoding=3, text=title),
        TPE1(encoding=3, text="Fixture Ensemble"),
        TALB(encoding=3, text="Fixtures"),
        TRCK(encoding=3, text=str(number)),
        TMOO(encoding=3, text="calm"),
    ):
        tags.add(frame)
    container.save(v2_version=4)


@dataclass(frozen=True)
class FfmpegFixture:
    """A fixture that libsndfile cannot write: ffmpeg encodes it from a 16-bit WAV."""

    filename: str
    label: str
    codec_args: tuple[str, ...]
    rate: int


FFMPEG_FIXTURES = [
    FfmpegFixture("tone.m4a", "AAC", ("-c:a", "aac", "-b:a", "32k"), 22050),
    FfmpegFixture("tone-alac.m4a", "ALAC", ("-c:a", "alac"), 8000),
    FfmpegFixture("tone.wma", "WMA", ("-c:a", "wmav2", "-b:a", "32k"), 22050),
    FfmpegFixture("tone.wv", "WavPack", ("-c:a", "wavpack"), 8000),
]

# ffmpeg writes no encoder string, creation time or random ids with bitexact on, and copies no
# metadata from the WAV, so a re-run with the same ffmpeg build gives the same bytes; the tags are
# then written by mutagen, like the other fixtures'.
_FFMPEG_COMMON = ("-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1")


def _encode_with_ffmpeg(ffmpeg: str, path: Path, fx: FfmpegFixture) -> None:
    """Encode the fixture tune at ``fx.rate`` to ``path`` with ffmpeg (mono, no tags)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "tone.wav"
        write_audio(source, fixture_signal(fx.rate), fx.rate, "WAV", "PCM_16")
        cmd = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
        cmd += ["-i", str(source), *_FFMPEG_COMMON, "-ac", "1", *fx.codec_args, str(path)]
        subprocess.run(cmd, check=True)


def _tag_ffmpeg_fixture(path: Path, fx: FfmpegFixture, number: int) -> None:
    """Tag one ffmpeg-made fixture in its format's own tags: MP4 atoms (mood as the iTunes
    freeform ``----:com.apple.iTunes:MOOD``), ASF attributes (``WM/Mood``) or APEv2 (``Mood``)."""
    title = f"Fixture Tone ({fx.label})"
    if path.suffix == ".m4a":
        mp4 = MP4(path)
        if mp4.tags is None:
            mp4.add_tags()
        mp4.tags.clear()
        mp4.tags["\xa9nam"] = [title]
        mp4.tags["\xa9ART"] = ["Fixture Ensemble"]
        mp4.tags["\xa9alb"] = ["Fixtures"]
        mp4.tags["trkn"] = [(number, 0)]
        mp4.tags["----:com.apple.iTunes:MOOD"] = [MP4FreeForm(b"calm")]
        mp4.save()
    elif path.suffix == ".wma":
        asf = ASF(path)
        asf.tags.clear()
        asf.tags["Title"] = [title]
        asf.tags["Author"] = ["Fixture Ensemble"]
        asf.tags["WM/AlbumTitle"] = ["Fixtures"]
        asf.tags["WM/TrackNumber"] = [str(number)]
        asf.tags["WM/Mood"] = ["calm"]
        asf.save()
    else:
        ape = APEv2()
        ape["Title"] = title
        ape["Artist"] = "Fixture Ensemble"
        ape["Album"] = "Fixtures"
        ape["Track"] = str(number)
        ape["Mood"] = "calm"
        ape.save(path)


def write_ffmpeg_fixtures(out_dir: Path, first_number: int) -> list[Path]:
    """Write the M4A (AAC, ALAC), WMA and WavPack fixtures with ffmpeg; return their paths.

    Returns no paths, and says so, when ffmpeg is not on PATH."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        names = ", ".join(fx.filename for fx in FFMPEG_FIXTURES)
        print(f"ffmpeg is not on PATH: skipping {names} (install ffmpeg to make them)")
        return []
    paths = []
    for number, fx in enumerate(FFMPEG_FIXTURES, start=first_number):
        path = out_dir / fx.filename
        path.unlink(missing_ok=True)
        _encode_with_ffmpeg(ffmpeg, path, fx)
        _tag_ffmpeg_fixture(path, fx, number)
        length = _check_length(path, FIXTURE_SECONDS)
        print(f"{path.name}: {length:.3f} s, {fx.rate} Hz, {path.stat().st_size / 1024:.1f} KiB")
        paths.append(path)
    return paths


def write_fixtures(out_dir: Path) -> list[Path]:
    """Write the tagged fixture files (the ffmpeg ones too when ffmpeg is there); return their
    paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, fx in enumerate(FIXTURES, start=1):
        path = out_dir / fx.filename
        path.unlink(missing_ok=True)
        signal = fixture_signal(fx.rate)
        write_audio(path, signal, fx.rate, fx.fmt, fx.subtype)
        if fx.fmt == "OGG":
            fix_ogg_serial(path)
        _tag_fixture(path, fx, number)
        length = _check_length(path, FIXTURE_SECONDS)
        print(f"{path.name}: {length:.3f} s, {fx.rate} Hz, {path.stat().st_size / 1024:.1f} KiB")
        paths.append(path)
    paths += write_ffmpeg_fixtures(out_dir, first_number=len(FIXTURES) + 1)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and write the requested sets (both when no flag is given)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="write resources/demo/")
    parser.add_argument("--fixtures", action="store_true", help="write tests/data/")
    args = parser.parse_args(argv)
    both = not (args.demo or args.fixtures)
    if args.fixtures or both:
        write_fixtures(FIXTURE_DIR)
    if args.demo or both:
        paths = write_demo(DEMO_DIR)
        total = sum(p.stat().st_size for p in paths)
        print(f"demo total: {total} bytes ({total / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
