"""Shared for the parsers' property tests: the settings every one runs with, and strategies
for hostile input (any text, lone surrogates included; numbers thousands of digits long; text
encodings Python or expat choke on).

Every property test of a parser runs at least 1,000 examples, derandomized so that CI sees the
same examples each run (new ones come from changing the code, or from raising the count on a
developer's machine). An input that breaks a parser is kept in ``tests/regressions/``.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: At least 1,000 examples each, the same ones every run; no example database in the work tree.
THOUSAND = settings(
    max_examples=1000,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)

#: Any character at all, lone surrogates (what a file name that is not UTF-8 decodes to) too.
ANY_CHARACTER = st.characters(blacklist_categories=())
ANY_TEXT = st.text(ANY_CHARACTER, max_size=60)

#: Digit strings from one digit to past Python's 4,300-digit limit for int().
DIGITS = st.one_of(
    st.integers(0, 10**12).map(str),
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(1, 50).map(lambda n: "0" * n + "7"),
)

#: Numbers as text that float() and int() read in surprising ways.
ODD_NUMBERS = st.one_of(
    DIGITS,
    st.sampled_from(
        [
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",
            "1e999",
            "-1e999",
            "1e-999",
            "-0",
            "0x10",
            "1_000",
            "١٢٣",
            "½",
            "",
            " ",
            "+",
            "-",
            ".",
            "1.",
            ".5",
            "5e",
            "1e308",
            "-1",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)

#: Names of text encodings: real ones, ones Python knows but that are not text encodings, and
#: ones nobody knows.
ENCODINGS = st.sampled_from(
    ["utf-8", "UTF-16", "utf-16-le", "utf-32", "utf-7", "latin-1", "cp1252", "shift_jis",
     "euc-jp", "big5", "gb18030", "cp037", "rot13", "base64", "hex", "zlib", "bz2", "idna",
     "punycode", "unicode_escape", "raw_unicode_escape", "undefined", "mbcs", "no-such-codec",
     "", " ", "utf-8\x00", "x" * 300]
)  # fmt: skip


def utf8(text: str) -> bytes:
    """``text`` as bytes, lone surrogates as their raw bytes (as a hostile file holds them)."""
    return text.encode("utf-8", "surrogatepass")
