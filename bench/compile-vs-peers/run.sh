#!/bin/sh
# Builds and runs the benchmark with its own target directory (it is not part
# of the Tern workspace). Arguments are passed through, e.g. `--mode single`.
set -eu
cd "$(dirname "$0")"
exec cargo run --release -- "$@"
