"""mutagen's own test files as a peer's test suite: every one is read or refused with a reason.

The corpus lives outside the repository, in ``../shared/corpus/mutagen-testdata`` next to the
checkout; it is never copied in. Without it these tests skip and say why.
"""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
from mutagen.apev2 import APEv2

from ostplayer.library.tagreader import TagInfo, TagReadError, read_for_scan, read_tags

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "mutagen-testdata"
# Each file takes a millisecond or two; this only catches a parser that loops forever.
PER_FILE_LIMIT_S = 10.0


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"mutagen test corpus not found at {CORPUS} (see ../shared/corpus/README.md)")
    return CORPUS


def _read_with_watchdog(path: Path) -> TagInfo | BaseException:
    """Read ``path`` on a daemon thread; fail the test if it does not finish in time."""
    result: list[TagInfo | BaseException] = []

    def work() -> None:
        try:
            result.append(read_tags(path))
        except BaseException as exc:  # recorded and judged by the caller
            result.append(exc)

    worker = threading.Thread(target=work, name=f"read {path.name}", daemon=True)
    worker.start()
    worker.join(PER_FILE_LIMIT_S)
    if worker.is_alive():
        pytest.fail(f"{path.name}: read_tags still running after {PER_FILE_LIMIT_S:.0f} s")
    return result[0]


def test_every_corpus_file_is_read_or_refused_with_a_reason(corpus: Path) -> None:
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.name != "README.md")
    assert files, f"{corpus} is empty"
    outcomes: Counter[str] = Counter()
    problems: dict[str, str] = {}
    for path in files:
        result = _read_with_watchdog(path)
        if isinstance(result, TagReadError):
            outcomes[result.reason] += 1
            problems[path.name] = f"{result.reason}: {result}"
        elif isinstance(result, BaseException):
            pytest.fail(f"{path.name}: {type(result).__name__} escaped read_tags: {result}")
        else:
            assert isinstance(result, TagInfo)
            outcomes["read"] += 1
    summary = ", ".join(f"{key} {count}" for key, count in sorted(outcomes.items()))
    print(f"\n{len(files)} corpus files: {summary}")
    for name, problem in problems.items():
        print(f"  {name}: {problem}")
    # Known answers for a few files, so a reader that refuses everything cannot pass.
    assert problems.get("emptyfile.mp3", "").startswith("empty")
    assert problems.get("image.jpg", "").startswith("unsupported")
    assert problems.get("too-short.mp3", "") == "corrupt: no audio found in this file"
    assert outcomes["read"] >= len(files) * 3 // 4


@pytest.mark.parametrize("name", ["mac-399.ape", "mac-396.ape", "mac-390-hdr.ape"])
def test_monkeys_audio(corpus: Path, name: str) -> None:
    # ffmpeg has no APE encoder, so APE is read from mutagen's files rather than a fixture.
    info = read_tags(corpus / name)
    assert info.codec == "APE"
    assert info.duration_ms > 0
    assert info.bitrate_kbps >= 0


def test_monkeys_audio_round_trip(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "tagged.ape"
    shutil.copyfile(corpus / "mac-399.ape", path)
    tags = APEv2()
    tags["Title"] = "初恋のささやき"
    tags["Artist"] = "첫사랑\0Fixture Ensemble"
    tags["Album"] = "Fixtures"
    tags["Track"] = "4/9"
    tags["Mood"] = "calm\0tender"
    tags["MUSICBRAINZ_TRACKID"] = "4f7f7b8c-1111-4e3a-9a1b-0123456789ab"
    tags.save(path)
    info = read_tags(path)
    assert info.title == ("初恋のささやき",)
    assert info.artist == ("첫사랑", "Fixture Ensemble")
    assert info.track_number == 4
    assert info.mood == ("calm", "tender")
    assert info.musicbrainz_recording_id == "4f7f7b8c-1111-4e3a-9a1b-0123456789ab"
    assert (info.codec, round(info.duration_ms / 100)) == ("APE", 37)


def test_multi_value_and_legacy_files(corpus: Path) -> None:
    # Tagged by mutagen's authors with two artists in each tag family.
    for name in ("silence-44-s.flac", "silence-44-s.mp3", "silence-44-s.wv"):
        assert read_tags(corpus / name).artist == ("piman", "jzig"), name
    assert read_tags(corpus / "issue_29.wma").title == ("Señor Flamingos Adieu",)


def test_older_id3_versions_are_read_as_they_are(corpus: Path) -> None:
    # ID3v2.2 (three-letter frames) and v2.3 tags are read without upgrading them to v2.4.
    old = read_tags(corpus / "id3v22-test.mp3")
    assert (old.title, old.artist, old.album) == (
        ("cosmic american",),
        ("Anais Mitchell",),
        ("Hymns for the Exiled",),
    )
    assert (old.track_number, old.year) == (3, 2004)
    assert old.comment == ("Waterbug Records, www.anaismitchell.com",)
    # With both tags, the ID3v2 year wins over the ID3v1 one (1337).
    assert read_tags(corpus / "id3v1v2-combined.mp3").year == 2004


def test_a_scans_reading_is_the_full_readers(corpus: Path) -> None:
    # The workers take the short way (read_for_scan, no TagInfo in between): on every real
    # file, read or refused, it must come to what the full reader's track_values() gives.
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.name != "README.md")
    for path in files:
        try:
            full: object = read_tags(path).track_values()
        except TagReadError as exc:
            full = (exc.reason, str(exc))
        try:
            short: object = read_for_scan(path)[0]
        except TagReadError as exc:
            short = (exc.reason, str(exc))
        assert short == full, path.name
