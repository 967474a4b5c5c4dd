#!/usr/bin/env bash
# Make sure the system has what OST Player needs outside Python: a Python >= 3.11 with venv,
# libvlc 3 (the playback engine) with its plugin cache builder, and the libraries and fonts
# Qt needs to draw a window. Installs them on Debian/Ubuntu when it can (root, or sudo without
# a password); otherwise prints the exact command and exits 1.
#
# With --test (`make test`) it also installs the tools the tests use: desktop-file-validate,
# appstreamcli, a D-Bus session bus and playerctl. Those are optional: when they cannot be
# installed, it says so and carries on, and the tests that need them skip with the reason.
#
# Usage: packaging/ensure-system-deps.sh [--test] [PYTHON]
set -euo pipefail

with_test_tools=0
if [[ ${1:-} == --test ]]; then
    with_test_tools=1
    shift
fi
python=${1:-python3}
say() { printf 'ostplayer setup: %s\n' "$*" >&2; }

# libvlc-bin builds VLC's plugin cache: without it each vlc.Instance() loads ~470 plugins.
debian_packages=(
    libvlc5 libvlc-bin vlc-plugin-base
    libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
    libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0
    libxcb-image0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core
)
# Only for the tests (--test): the desktop file and AppStream validators (tests/packaging),
# dbus-daemon and dbus-run-session (dbus) and dbus-send (dbus-bin) for a private session bus,
# and playerctl as an independent MPRIS client (tests/desktop). dbus-bin exists from Debian 12 /
# Ubuntu 23.04 on; before that the dbus package holds dbus-send too. Xvfb gives the tray test
# (tests/ui) a real X display with a tray; strace watches a whole session for network calls
# (tests/reliability/test_network.py).
debian_test_packages=(desktop-file-utils appstream dbus dbus-daemon dbus-bin playerctl xvfb strace)

# The packages of "$@" that dpkg does not have installed.
not_installed() {
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ $status == *"install ok installed"* ]] || printf '%s\n' "$pkg"
    done
}

need_venv=0
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "OST Player needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1 || echo missing)."
    say "Run: make PYTHON=/path/to/python3.11 ..."
    exit 1
fi
"$python" -c 'import ensurepip, venv' 2>/dev/null || need_venv=1

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    mapfile -t missing < <(not_installed "${debian_packages[@]}")
    if ((need_venv)); then
        minor=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        missing+=("python${minor}-venv")
    fi
    missing_test=()
    if ((with_test_tools)); then
        mapfile -t missing_test < <(not_installed "${debian_test_packages[@]}")
    fi
    ((${#missing[@]} + ${#missing_test[@]})) || exit 0
    if [[ $(id -u) == 0 ]]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        if ((${#missing_test[@]})); then
            say "the tests that use ${missing_test[*]} will be skipped; to run them too:"
            printf '    sudo apt-get install %s\n' "${missing_test[*]}" >&2
        fi
        ((${#missing[@]})) || exit 0
        say "these system packages are missing: ${missing[*]}"
        say "install them with:"
        printf '    sudo apt-get install %s\n' "${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    if ((${#missing[@]})); then
        say "installing ${missing[*]}"
        "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if ((${#missing_test[@]})); then
        # Only what this release has (dbus-bin is newer than some), and never fail the run:
        # a test whose tool is missing skips and says why.
        available=()
        for pkg in "${missing_test[@]}"; do
            if apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: *//p' |
                grep -vx '(none)' >/dev/null; then
                available+=("$pkg")
            else
                say "no package $pkg here; the tests that use it skip"
            fi
        done
        if ((${#available[@]})); then
            say "installing the test tools ${available[*]}"
            "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${available[@]}" \
                >/dev/null || say "could not install ${available[*]}; the tests that use them skip"
        fi
    fi
    exit 0
fi

# Not Debian/Ubuntu: we only check for libvlc and say how to get it.
found_vlc=0
case "$(uname -s)" in
    Darwin) [[ -d /Applications/VLC.app ]] && found_vlc=1 ;;
    MINGW* | MSYS* | CYGWIN*) [[ -f "/c/Program Files/VideoLAN/VLC/libvlc.dll" ]] && found_vlc=1 ;;
    *) { ldconfig -p 2>/dev/null | grep -q 'libvlc\.so\.5'; } && found_vlc=1 ;;
esac
if ((found_vlc == 0)); then
    say "libvlc (VLC 3) is not installed; OST Player plays music through it. Install it with:"
    cat >&2 <<'HINT'
    Debian/Ubuntu:  sudo apt-get install libvlc5 libvlc-bin vlc-plugin-base
    Fedora:         sudo dnf install vlc
    Arch Linux:     sudo pacman -S vlc
    openSUSE:       sudo zypper install vlc
    macOS:          brew install --cask vlc
    Windows:        install VLC (64-bit) from https://www.videolan.org/vlc/
HINT
    exit 1
fi
if ((need_venv)); then
    say "Python's venv module is missing; install your distribution's python3-venv package."
    exit 1
fi
