#!/usr/bin/env bash
# Launches the desktop app on a fresh Debian 12 machine with the Rust
# toolchain and Node.js: installs the system libraries, builds the UI, then
# builds and runs the app (debug build; the UI is embedded in the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/desktop-deps.sh
(cd ui && npm ci --no-audit --no-fund && npm run build)
exec cargo run -p creditsim-desktop --locked
