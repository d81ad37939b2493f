#!/usr/bin/env bash
# The project's test command (README, "Run the tests"; .ci/run calls it).
# Installs what the tests need on a fresh Debian 12 machine with the Rust
# toolchain, then checks formatting and lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debug builds only, one target dir, no incremental state: the cheapest
# clean build on a 2-core machine.
export CARGO_INCREMENTAL=0

for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
