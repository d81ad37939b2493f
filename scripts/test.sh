#!/usr/bin/env bash
# The project's test command (README, "Run the tests"; .ci/run calls it).
# Installs what the tests need on a fresh Debian 12 machine with the Rust
# toolchain and Node.js, then builds the desktop app's UI, checks formatting
# and lints, runs every test, and drives the real app in a virtual display.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debug builds only, one target dir, no incremental state: the cheapest
# clean build on a 2-core machine.
export CARGO_INCREMENTAL=0

# The desktop app's system libraries, the virtual display and the WebDriver
# server for WebKitGTK: installed only when missing.
bash scripts/desktop-deps.sh

for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

# The UI first: the app embeds ui/dist at compile time.
(cd ui && npm ci --no-audit --no-fund && npm run check && npm run build && npm test)

cargo fmt --all -- --check

# Lints and tests in one build: clippy's driver compiles the workspace's own
# crates (RUSTC_WORKSPACE_WRAPPER) and `-D warnings` makes every rustc and
# clippy warning an error, so the dependencies are compiled once instead of
# once in check mode for `cargo clippy` and again for `cargo test` (a third
# of CI's time). Cargo caps dependencies' lints, so only our code is judged.
# This is what `cargo clippy --workspace --all-targets -- -D warnings` checks.
lint=(env RUSTFLAGS="-D warnings" RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)")
"${lint[@]}" cargo test --workspace --all-targets --locked --no-run
"${lint[@]}" cargo test --workspace --locked

# End to end: the debug app in a real window under Xvfb, through
# tauri-driver and WebKitWebDriver.
TAURI_DRIVER_VERSION=2.1.0
target_dir="${CARGO_TARGET_DIR:-target}"
case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
tools="$target_dir/tools"
if [ ! -x "$tools/bin/tauri-driver" ]; then
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --root "$tools"
fi
# `cargo test` built the app's binary for its integration tests
# (CARGO_BIN_EXE_creditsim-desktop). A separate `cargo build` would unify
# dependency features without the dev-dependencies and rebuild half the
# tree (10+ minutes here), so the e2e test drives that binary.
app="$target_dir/debug/creditsim-desktop"
if [ ! -x "$app" ]; then
  echo "scripts/test.sh: $app is missing: cargo test should have built it" >&2
  exit 1
fi
# The editor keeps drafts in the app's data folder: a fresh one per run, so
# no earlier run's draft is restored and none is left behind.
data_home="$(mktemp -d)"
trap 'rm -rf "$data_home"' EXIT
(cd ui && XDG_DATA_HOME="$data_home" NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 APP="$app" \
  TAURI_DRIVER="$tools/bin/tauri-driver" \
  xvfb-run -a -s "-screen 0 1440x960x24" dbus-run-session -- node --test e2e/app.test.mjs)
