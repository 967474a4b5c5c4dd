#!/usr/bin/env bash
# Make sure the system has what OST Player needs outside Python: a Python >= 3.11 with venv,
# libvlc 3 (the playback engine) with its plugin cache builder, and the libraries and fonts
# Qt needs to draw a window. Installs them on Debian/Ubuntu when it can (root, or sudo without
# a password); otherwise prints the exact command and exits 1.
#
# Usage: packaging/ensure-system-deps.sh [PYTHON]
set -euo pipefail

python=${1:-python3}
say() { printf 'ostplayer setup: %s\n' "$*" >&2; }

# libvlc-bin builds VLC's plugin cache: without it each vlc.Instance() loads ~470 plugins.
debian_packages=(
    libvlc5 libvlc-bin vlc-plugin-base
    libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
    libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0
    libxcb-image0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core
)

need_venv=0
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "OST Player needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1 || echo missing)."
    say "Run: make PYTHON=/path/to/python3.11 ..."
    exit 1
fi
"$python" -c 'import ensurepip, venv' 2>/dev/null || need_venv=1

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    missing=()
    for pkg in "${debian_packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ $status == *"install ok installed"* ]] || missing+=("$pkg")
    done
    if ((need_venv)); then
        minor=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        missing+=("python${minor}-venv")
    fi
    ((${#missing[@]})) || exit 0
    if [[ $(id -u) == 0 ]]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        say "these system packages are missing: ${missing[*]}"
        say "install them with:"
        printf '    sudo apt-get install %s\n' "${missing[*]}" >&2
        exit 1
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
