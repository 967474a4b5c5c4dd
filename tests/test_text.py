"""Find-as-you-type folding."""

from __future__ import annotations

from ostplayer.domain.text import fold, matches


def test_fold_ignores_case_and_accents_keeps_cjk() -> None:
    assert fold("Café ÉTÉ") == "cafe ete"
    assert fold("Straße") == "strasse"
    assert fold("初恋のささやき") == "初恋のささやき"
    assert matches(fold("First Love’s Whisper — Café"), ["cafe", "whisper"])
    assert matches(fold("初恋のささやき"), ["ささや"])
    assert not matches(fold("Shadows of Doubt"), ["shadows", "tender"])


def test_ascii_and_unicode_folding_agree() -> None:
    # The ASCII fast path must give what the full path gives.
    for text in ("Hometown SERENADE", "A Promise Kept", "x" * 3, "", "MiXeD 123 !?"):
        assert fold(text) == fold(text + "é")[:-1]


def test_kana_keep_their_voicing_marks() -> None:
    assert fold("ガラス") == "ガラス"  # glass
    assert not matches(fold("ガラスの靴"), [fold("カラス")])  # not the crow
    assert fold("ﾊﾟﾝ") == "パン"  # half-width kana fold to full-width, mark joined
