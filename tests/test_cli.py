"""The command line works without libvlc and without a display, and never shows a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ostplayer import __version__, cli
from ostplayer.cli import display_problem, main


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ostplayer", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_version_needs_no_vlc_and_no_display(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["OSTPLAYER_VLC_DISABLE"] = "1"
    env.pop("QT_QPA_PLATFORM", None)
    result = run("--version", env=env)
    assert result.returncode == 0
    assert result.stdout.strip() == f"ostplayer {__version__}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only X11/Wayland need a display")
def test_no_display_gives_one_clear_line_not_a_qt_abort(data_dir: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = run(env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no display found" in lines[0]
    assert "Traceback" not in result.stderr
    assert not any(data_dir.iterdir())  # nothing was written


def test_display_problem_rules() -> None:
    if not sys.platform.startswith("linux"):
        assert display_problem({}) is None
        return
    assert display_problem({}) is not None
    assert display_problem({"DISPLAY": ":0"}) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--no-such-option"])
    assert exc.value.code == 2
    assert "usage: ostplayer" in capsys.readouterr().err


def test_help_lists_every_command_from_the_small_parser_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without a command the small parser runs (a start need not build every command's
    # parser); its --help, its errors and its usage are still the main parser's.
    for argv in (["--help"], ["--data-dir", "/d", "--help"], ["tone.ogg", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0
        out = capsys.readouterr().out
        for command in ("scan", "tracks", "notes", "backup"):
            assert command in out, (argv, command)
    with pytest.raises(SystemExit):
        main(["--status", "--next"])
    err = capsys.readouterr().err
    assert "ostplayer [--data-dir DIR] COMMAND [ARGS ...]" in err
    assert "not allowed with argument" in err


# -- remote control and paths --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "is_command"),
    [
        ([], False),  # the window: the small parser
        (["--status"], False),
        (["scan", "/music"], True),
        (["--data-dir", "scan", "tracks"], True),  # "scan" is the data dir here
        (["--data-dir=/d", "tracks"], True),
        (["--seek", "-10"], False),
        (["tone.ogg"], False),
        (["--data-dir", "/d", "tone.ogg", "scan"], False),
        (["--", "scan"], False),  # a file called "scan"
        (["-"], False),
    ],
)
def test_a_first_word_that_is_not_a_command_is_a_path(argv: list[str], is_command: bool) -> None:
    assert cli._names_a_command(argv) is is_command


@pytest.mark.parametrize(
    ("text", "request_args"),
    [
        ("+10", {"offset_ms": 10_000}),
        ("-10", {"offset_ms": -10_000}),
        ("+1:30", {"offset_ms": 90_000}),
        ("1:30", {"position_ms": 90_000}),
        ("1:02:03", {"position_ms": 3_723_000}),
        ("95", {"position_ms": 95_000}),
    ],
)
def test_seek_takes_relative_seconds_or_a_time(text: str, request_args: dict[str, int]) -> None:
    args = cli._open_parser().parse_args(["--seek", text])
    assert cli._remote_request(args) == {"cmd": "seek", **request_args}


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--seek", "1:75"], "minutes and seconds stop at 59"),
        (["--seek", "soon"], "is not a time"),
        (["--pause", "--next"], "not allowed with argument"),
        (["--status", "tracks"], "go alone"),
        (["--play", "tone.ogg"], "go alone"),
        (["--json"], "goes with --status"),
    ],
)
def test_remote_control_misuse_is_a_usage_error(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert words in capsys.readouterr().err
    assert not any(data_dir.iterdir())


def test_status_with_nothing_running_exits_3_quickly_and_writes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "none"
    code = (
        "import sys; from ostplayer.cli import main; rc = main(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('PySide6.Qt'))); sys.exit(rc)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--data-dir", str(data_dir), "--status", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == cli.EXIT_NOT_RUNNING
    assert result.stderr == "ostplayer: OST Player is not running\n"
    # No widgets and no QtGui: remote control stays quick and needs no display.
    assert result.stdout.strip() == "['PySide6.QtCore', 'PySide6.QtNetwork']"
    assert not data_dir.exists()


def test_file_uris_become_absolute_paths_and_others_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    targets, problems = cli._local_paths(
        [
            "file:///music/a%20b.ogg",
            "file://localhost/music/%FF.ogg",  # percent-escapes are the name's bytes
            "relative/../tone.ogg",
            "https://example.com/tone.ogg",
            "file://otherhost/tone.ogg",
        ]
    )
    assert targets == [
        "/music/a b.ogg",
        os.fsdecode(b"/music/\xff.ogg"),
        str(tmp_path / "tone.ogg"),
    ]
    assert problems == [
        "https://example.com/tone.ogg: only files on this computer can be opened",
        "file://otherhost/tone.ogg: only files on this computer can be opened",
    ]


def test_only_urls_open_nothing_and_start_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["https://example.com/tone.ogg"]) == 2
    assert "only files on this computer" in capsys.readouterr().err
    assert not any(data_dir.iterdir())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only X11/Wayland need a display")
def test_a_file_with_no_display_and_no_app_running_writes_nothing(data_dir: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = run(str(Path(__file__).parent / "data" / "tone.ogg"), env=env)
    assert result.returncode == 2
    assert "no display found" in result.stderr
    assert not any(data_dir.iterdir())
