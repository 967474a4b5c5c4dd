"""The desktop integration files, the icons and the wheel, checked with the real tools.

desktop-file-validate and appstreamcli are installed by `make test`
(packaging/ensure-system-deps.sh --test); where they are missing, their tests skip and say so.
The PyInstaller bundle is checked by packaging/smoke-test.sh, run by `make dist`.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeDatabase
from PySide6.QtGui import QImage
from PySide6.QtSvg import QSvgRenderer

from ostplayer import APP_ID, APP_NAME, __version__
from ostplayer.cli import build_parser
from ostplayer.library.tagreader import AUDIO_EXTENSIONS
from tests.conftest import ALL_FIXTURES, REPO

PACKAGING = REPO / "packaging"
DESKTOP_FILE = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
HICOLOR = REPO / "resources" / "icons" / "hicolor"
SVG_ICON = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)

#: The MIME types the file manager gives each extension the scanner reads, as the desktop file
#: must list them. An Ogg file has several, because shared-mime-info sniffs the codec inside.
MIME_TYPES: dict[str, tuple[str, ...]] = {
    ".mp3": ("audio/mpeg",),
    ".ogg": ("audio/ogg", "audio/x-vorbis+ogg", "audio/x-opus+ogg"),
    ".oga": ("audio/ogg", "audio/x-vorbis+ogg"),
    ".opus": ("audio/x-opus+ogg", "audio/ogg"),
    ".flac": ("audio/flac",),
    ".m4a": ("audio/mp4",),  # AAC and ALAC alike
    ".m4b": ("audio/x-m4b",),
    ".mp4": (),  # see VIDEO_CONTAINERS
    ".wav": ("audio/x-wav",),
    ".aif": ("audio/x-aiff",),
    ".aiff": ("audio/x-aiff",),
    ".aifc": ("audio/x-aifc",),
    ".wma": ("audio/x-ms-wma",),
    ".asf": (),  # see VIDEO_CONTAINERS
    ".ape": ("audio/x-ape",),
    ".wv": ("audio/x-wavpack",),
}
#: Read when a folder is scanned, but typed as video (video/mp4, application/vnd.ms-asf) even
#: when they hold only audio: the desktop file does not claim those types, or OST Player would
#: offer itself for every video.
VIDEO_CONTAINERS = frozenset({".mp4", ".asf"})


def tool(name: str) -> str:
    """The path of a command-line tool, or skip the test with how to get it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(
            f"{name} is not installed (`make test` installs it: "
            "packaging/ensure-system-deps.sh --test)"
        )
    return path


def read_desktop_file() -> configparser.ConfigParser:
    """The desktop file as sections of case-sensitive keys, values as written (no %-magic)."""
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser


def desktop_list(value: str) -> list[str]:
    """A desktop-entry list value (``a;b;c;``) as its items."""
    return [item for item in value.split(";") if item]


def claimed_mime_types() -> set[str]:
    return set(desktop_list(read_desktop_file()["Desktop Entry"]["MimeType"]))


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


# --- the validators -------------------------------------------------------------------------


def test_desktop_file_passes_desktop_file_validate() -> None:
    result = run_tool(tool("desktop-file-validate"), str(DESKTOP_FILE))
    # It exits 0 on warnings and hints too: any message at all fails the test.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout


def test_metainfo_passes_appstreamcli_validate() -> None:
    result = run_tool(tool("appstreamcli"), "validate", "--no-net", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr
    # Infos and pedantic notes are fine (see the metainfo's comment on <developer>); warnings
    # and errors are not.
    problems = [line for line in result.stdout.splitlines() if line.startswith(("W:", "E:"))]
    assert problems == []


def test_installed_tree_passes_appstreamcli_validate_tree(tmp_path: Path) -> None:
    """Installed as docs/packaging.md says, the metainfo finds its desktop file and icons."""
    share = tmp_path / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "metainfo").mkdir()
    shutil.copy(DESKTOP_FILE, share / "applications")
    shutil.copy(METAINFO, share / "metainfo")
    shutil.copytree(HICOLOR, share / "icons" / "hicolor")
    result = run_tool(tool("appstreamcli"), "validate-tree", "--no-net", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "W:" not in result.stdout and "E:" not in result.stdout, result.stdout


# --- the desktop file -----------------------------------------------------------------------


def test_desktop_file_names_the_app() -> None:
    entry = read_desktop_file()["Desktop Entry"]
    assert entry["Name"] == APP_NAME
    assert entry["Icon"] == APP_ID
    assert shlex.split(entry["Exec"]) == ["ostplayer", "%U"]
    # Qt's X11 window class is the application name that app.run_gui sets; checked with xprop.
    assert entry["StartupWMClass"] == "ostplayer"
    assert desktop_list(entry["Categories"]) == ["AudioVideo", "Audio", "Player", "Qt"]


def test_desktop_actions_are_options_of_the_command() -> None:
    desktop = read_desktop_file()
    actions = desktop_list(desktop["Desktop Entry"]["Actions"])
    assert actions == ["PlayPause", "Next", "Previous"]
    expected = {"PlayPause": "--play-pause", "Next": "--next", "Previous": "--previous"}
    for action in actions:
        command = shlex.split(desktop[f"Desktop Action {action}"]["Exec"])
        assert command == ["ostplayer", expected[action]]
        build_parser().parse_args(command[1:])  # exits (fails the test) on an unknown option


def test_every_extension_the_scanner_reads_has_its_mime_types_claimed() -> None:
    assert set(MIME_TYPES) == set(AUDIO_EXTENSIONS), "update MIME_TYPES and the desktop file"
    claimed = claimed_mime_types()
    for extension, types in MIME_TYPES.items():
        assert bool(types) != (extension in VIDEO_CONTAINERS), extension
        assert set(types) <= claimed, f"{extension}: {set(types) - claimed} not in MimeType"


def _names(mime_name: str) -> set[str]:
    mime = QMimeDatabase().mimeTypeForName(mime_name)
    return {mime.name(), *mime.aliases()}


def test_mime_types_by_file_name_are_claimed() -> None:
    """What the file manager calls a file from its name alone (Qt reads shared-mime-info)."""
    claimed = claimed_mime_types()
    database = QMimeDatabase()
    for extension in sorted(AUDIO_EXTENSIONS):
        found = {name for m in database.mimeTypesForFileName(f"x{extension}") for name in
                 _names(m.name())}  # fmt: skip
        assert found, f"shared-mime-info knows no type for {extension}"
        if extension in VIDEO_CONTAINERS:
            assert not any(name.startswith("audio/") for name in found), found
            assert not found & claimed, f"{extension} is deliberately not claimed"
        else:
            assert found & claimed, f"{extension} ({found}) is not in the desktop file"


@pytest.mark.parametrize(
    "path",
    [*ALL_FIXTURES, *sorted((REPO / "resources" / "demo").glob("*.ogg"))],
    ids=lambda path: path.name,
)
def test_real_audio_files_open_from_the_file_manager(path: Path) -> None:
    """Each real fixture's type, sniffed from its content as file managers do, is claimed."""
    mime = QMimeDatabase().mimeTypeForFile(str(path))
    assert _names(mime.name()) & claimed_mime_types(), f"{path.name} is {mime.name()}"


# --- the metainfo ---------------------------------------------------------------------------


def test_metainfo_matches_the_package() -> None:
    root = ET.parse(METAINFO).getroot()
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_NAME
    assert root.findtext("project_license") == project["license"]
    assert root.findtext("metadata_license") == "CC0-1.0"
    launchable = root.find("launchable")
    assert launchable is not None and launchable.text == DESKTOP_FILE.name
    assert [b.text for b in root.iter("binary")] == list(project["scripts"])
    # The newest release comes first and is the version being built.
    releases = root.findall("releases/release")
    assert releases and releases[0].get("version") == __version__
    images = [image.text or "" for image in root.iter("image")]
    assert images and all(url.startswith("https://") for url in images)
    assert root.find("content_rating") is not None


# --- the icons ------------------------------------------------------------------------------


def test_svg_icon_is_a_square_svg_qt_can_draw() -> None:
    renderer = QSvgRenderer(str(SVG_ICON))
    assert renderer.isValid()
    box = renderer.viewBoxF()
    assert box.width() == box.height() > 0


@pytest.mark.parametrize("size", ICON_SIZES)
def test_png_icon_exists_at_its_size(size: int) -> None:
    path = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is missing or not a PNG"
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0  # the corners are transparent


def test_png_icons_are_up_to_date_with_the_svg() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "make_icons.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the wheel and the scripts --------------------------------------------------------------


def test_wheel_carries_resources_and_the_command(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="hatchling builds the wheel (the test extra has it)")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", str(REPO), "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("ostplayer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    resources = "ostplayer/resources"
    demo = [f"{resources}/demo/{p.name}" for p in (REPO / "resources" / "demo").iterdir()]
    assert f"{resources}/demo/scenes.json" in demo
    icons = [f"{resources}/icons/hicolor/scalable/apps/{APP_ID}.svg"] + [
        f"{resources}/icons/hicolor/{s}x{s}/apps/{APP_ID}.png" for s in ICON_SIZES
    ]
    assert set(demo + icons) <= names, set(demo + icons) - names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "ostplayer = ostplayer.__main__:main" in text


@pytest.mark.parametrize("script", ["ensure-system-deps.sh", "smoke-test.sh"])
def test_shell_scripts_parse(script: str) -> None:
    result = run_tool("bash", "-n", str(PACKAGING / script))
    assert result.returncode == 0, result.stderr
