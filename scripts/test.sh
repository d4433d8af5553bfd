#!/usr/bin/env bash
# Runs every check CI runs: formatting, lints, and the whole test suite.
# The spec test suite and benchmarks are read from ../shared (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
