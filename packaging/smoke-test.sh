#!/usr/bin/env bash
# Smoke test of a frozen OST Player (the PyInstaller bundle that `make dist` builds).
#
# Usage: packaging/smoke-test.sh dist/ostplayer/ostplayer
#
# Runs the bundle's own executable, each time with a fresh data dir, and checks that:
#   1. `--version` prints the package's version;
#   2. a command works with no display: `scan` of 12 copies of the bundled demo tracks (enough
#      for the tag reader's worker processes, which a frozen app must start correctly);
#   3. the window opens headless (offscreen), paints, and the app quits with exit code 0;
#   4. the same on a real X server (Xvfb), when xvfb-run is installed: the xcb platform plugin
#      and the system libraries it needs load from the bundle;
#   5. the app, started in full, loads the system's libvlc and its plugins.
# Exits 1 with the reason on the first failure.
set -euo pipefail

say() { printf 'smoke-test: %s\n' "$*" >&2; }
fail() {
    say "FAIL: $*"
    exit 1
}

[[ $# == 1 ]] || {
    say "usage: $0 PATH/TO/BUNDLE/ostplayer"
    exit 2
}
exe=$(realpath "$1")
[[ -x $exe ]] || fail "$1 is not an executable"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/src/ostplayer/__init__.py")

tmp=$(mktemp -d)
app_group=
cleanup() {
    if [[ -n $app_group ]]; then kill -TERM -- "-$app_group" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# Qt warns on stderr when XDG_RUNTIME_DIR is missing; give it a private one.
export XDG_RUNTIME_DIR="$tmp/runtime"
mkdir -m 700 "$XDG_RUNTIME_DIR"
# The only stderr line a clean headless start may print (offscreen says it for every window).
benign='^This plugin does not support propagateSizeHints\(\)$'

# Fails when $1 (a stderr capture) has anything but the benign line.
expect_quiet_stderr() {
    local unexpected
    unexpected=$(grep -Ev "$benign" "$1" || true)
    [[ -z $unexpected ]] || fail "$2 wrote to stderr:"$'\n'"$unexpected"
}

# 1. --version
out=$("$exe" --version 2>"$tmp/err") || fail "--version exited with $?: $(cat "$tmp/err")"
[[ $out == "ostplayer $version" ]] || fail "--version printed '$out', expected 'ostplayer $version'"
say "ok: --version prints '$out'"

# 2. a command, no display
demo=$(find "$(dirname "$exe")" -type d -path '*/ostplayer/resources/demo' -print -quit)
[[ -n $demo ]] || fail "the bundle has no ostplayer/resources/demo folder"
[[ -n $(find "$(dirname "$exe")" -path '*/ostplayer/resources/icons/hicolor/scalable/apps/*.svg') ]] ||
    fail "the bundle has no app icon under ostplayer/resources/icons"
mkdir "$tmp/music"
for copy in 1 2 3; do
    for track in "$demo"/*.ogg; do cp "$track" "$tmp/music/$copy-$(basename "$track")"; done
done
count=$(find "$tmp/music" -name '*.ogg' | wc -l)
((count >= 8)) || fail "only $count demo tracks in the bundle"
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM \
    timeout 120 "$exe" --data-dir "$tmp/cli" scan "$tmp/music" --json >"$tmp/out" 2>"$tmp/err" ||
    fail "scan exited with $?:"$'\n'"$(cat "$tmp/err")"
grep -q "\"added\": $count," "$tmp/out" || fail "scan did not add $count tracks: $(cat "$tmp/out")"
grep -q '"problems": \[\]' "$tmp/out" || fail "scan reported problems: $(cat "$tmp/out")"
expect_quiet_stderr "$tmp/err" "scan"
say "ok: scan read $count tracks in worker processes, with no display"

# 3. + 4. the window opens, paints and closes: offscreen, then on Xvfb when it is there
open_window() { # PLATFORM DATA_DIR [LAUNCHER...]
    local platform=$1 data=$2
    shift 2
    QT_QPA_PLATFORM=$platform OSTPLAYER_BENCH_FIRST_PAINT=1 OSTPLAYER_VLC_ARGS=--aout=dummy \
        timeout 120 "$@" "$exe" --data-dir "$data" >"$tmp/out" 2>"$tmp/err" ||
        fail "the window ($platform) exited with $?:"$'\n'"$(cat "$tmp/err")"
    grep -q '^first-paint ' "$tmp/out" || fail "the window ($platform) never painted"
    expect_quiet_stderr "$tmp/err" "the window ($platform)"
    say "ok: the window opens, paints and closes ($platform)"
}
open_window offscreen "$tmp/gui-offscreen"
if command -v xvfb-run >/dev/null 2>&1; then
    open_window xcb "$tmp/gui-xcb" xvfb-run -a
else
    say "skipped: the window on a real X server (xvfb-run is not installed)"
fi

# 5. libvlc: the app started in full makes its engine after the first paint. libvlc's own log
# (--verbose=2) says which VLC it is and how many plugins it loaded; then the app is stopped.
QT_QPA_PLATFORM=offscreen OSTPLAYER_VLC_ARGS="--aout=dummy --no-quiet --verbose=2" \
    setsid "$exe" --data-dir "$tmp/gui-vlc" >"$tmp/out" 2>"$tmp/err" &
app_group=$! # setsid made it a process group leader: its helpers are stopped with it
for _ in $(seq 1 240); do
    grep -Eq 'plug-ins loaded: [0-9]+ modules|could not be (loaded|started)' "$tmp/err" && break
    kill -0 "$app_group" 2>/dev/null || break
    sleep 0.25
done
kill -TERM -- "-$app_group" 2>/dev/null || true
wait "$app_group" 2>/dev/null || true
app_group=
# (First lines only, without `| head`: with pipefail, head closing the pipe fails the line.)
loaded=$(sed -n 's/.*plug-ins loaded: \([0-9]*\) modules.*/\1/p' "$tmp/err")
loaded=${loaded%%$'\n'*}
vlc=$(sed -n 's/.*main libvlc debug: \(VLC media player - .*\)/\1/p' "$tmp/err")
vlc=${vlc%%$'\n'*}
if [[ -z $loaded ]] || ((loaded == 0)) || grep -q 'could not be' "$tmp/err"; then
    fail "libvlc did not start in the bundle:"$'\n'"$(grep -v 'libvlc debug' "$tmp/err" | head -n 20)"
fi
! grep -q 'Traceback' "$tmp/err" || fail "the app raised:"$'\n'"$(cat "$tmp/err")"
say "ok: the system's libvlc starts from the bundle ($vlc, $loaded plugins)"
say "all checks passed"
