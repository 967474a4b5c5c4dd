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
