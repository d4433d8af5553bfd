#!/usr/bin/env bash
# Native vs. Tern: run time of the same C kernels built with `gcc -O2` for
# x86-64 and with `clang -O2` for wasm32, the latter run by Tern's baseline
# compiler. See README.md for what is measured and why.
#
# usage: bench/native-vs-wasm/run.sh [KERNEL...]
#
# Environment:
#   RUNS=7            timed rounds per kernel (medians are reported)
#   TERN=path         use this tern binary instead of building one
#   TERN_FLAGS=...    engine flags for `tern run` (default: --compiler baseline)
#   CARGO_TARGET_DIR  where cargo builds tern (default: <repo>/target)
#   NATIVE_CFLAGS=... gcc flags for the native build (default: -O2)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD="$HERE/build"
RUNS=${RUNS:-7}
TERN_FLAGS=${TERN_FLAGS:---compiler baseline}

# Each kernel with its work size N, chosen so the native build spends about
# 0.4 s of CPU time on the 2-core development machines.
KERNELS=(
    "fib 40"
    "sieve 80"
    "fnv1a 256"
    "crc32 160"
    "matmul 600"
    "quicksort 20"
    "strsearch 200"
    "nbody 3000000"
)

NATIVE_CC=gcc
read -ra NATIVE_CFLAGS <<<"${NATIVE_CFLAGS:--O2}"
WASM_CC=clang
# The feature set newer clang releases enable by default (and Tern supports);
# Debian's clang 14 still defaults to the MVP, so it is asked for explicitly.
# -nostdlib without --allow-undefined makes any libc call a link error, so
# the modules have no imports and instantiate without WASI.
# shellcheck disable=SC2054 # -Wl,a,b passes linker flags: the commas are meant.
WASM_CFLAGS=(--target=wasm32-wasi -O2 -nostdlib
    -mbulk-memory -mnontrapping-fptoint -msign-ext -mmutable-globals
    -Wl,--no-entry -Wl,--export=run)

die() {
    echo "error: $*" >&2
    exit 1
}

# ---------------------------------------------------------------- tools
check_tools() {
    local missing=()
    command -v "$NATIVE_CC" >/dev/null || missing+=("gcc (Debian package: gcc)")
    command -v "$WASM_CC" >/dev/null || missing+=("clang (Debian package: clang)")
    command -v wasm-ld >/dev/null || missing+=("wasm-ld (Debian package: lld)")
    if [[ -z ${TERN:-} ]] && ! command -v cargo >/dev/null; then
        missing+=("cargo (Rust toolchain, https://rustup.rs) or TERN=/path/to/tern")
    fi
    if ((${#missing[@]})); then
        echo "missing tools:" >&2
        printf '  %s\n' "${missing[@]}" >&2
        echo "on Debian: apt-get install gcc clang lld" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------- builds
build_kernel() {
    local k=$1 src="$HERE/kernels/$1.c"
    [[ -f $src ]] || die "no kernel $src"
    "$NATIVE_CC" "${NATIVE_CFLAGS[@]}" -c "$src" -o "$BUILD/$k.o"
    "$NATIVE_CC" "${NATIVE_CFLAGS[@]}" "$HERE/driver.c" "$BUILD/$k.o" -o "$BUILD/$k" -lm
    if ! "$WASM_CC" "${WASM_CFLAGS[@]}" "$src" -o "$BUILD/$k.wasm"; then
        die "clang could not build $k for wasm32 (needs clang with the WebAssembly target and lld's wasm-ld)"
    fi
}

build_tern() {
    if [[ -n ${TERN:-} ]]; then
        [[ -x $TERN ]] || die "TERN=$TERN is not an executable"
        return
    fi
    local target_dir=${CARGO_TARGET_DIR:-$REPO/target}
    echo "building tern (release) in $target_dir ..." >&2
    (cd "$REPO" && CARGO_TARGET_DIR=$target_dir cargo build --release -p tern --quiet)
    TERN="$target_dir/release/tern"
}

# ---------------------------------------------------------------- timing
# time_once CMD...: prints "WALL CPU" for one run of CMD, in seconds, where
# CPU is user + system time.
time_once() {
    local line real user sys
    if ! line=$({
        TIMEFORMAT='%3R %3U %3S'
        time "$@" >/dev/null 2>&1
    } 2>&1); then
        die "failed while timing: $*"
    fi
    read -r real user sys <<<"$line"
    awk -v r="$real" -v u="$user" -v s="$sys" 'BEGIN { print r, u + s }'
}

# ---------------------------------------------------------------- main
names=" $(printf '%s\n' "${KERNELS[@]}" | cut -d' ' -f1 | tr '\n' ' ')"
selected=("$@")
for k in "${selected[@]}"; do
    [[ $names == *" $k "* ]] || die "no kernel named $k; the kernels are:$names"
done
check_tools
mkdir -p "$BUILD"
build_tern
# shellcheck disable=SC2206 # TERN_FLAGS is a list of words on purpose.
tern_run=("$TERN" run $TERN_FLAGS --invoke run)

rows=()
status=0
header='%-10s %8s %9s %9s %6s %11s %6s %9s\n'
# shellcheck disable=SC2059 # the format is a variable on purpose.
printf "$header" kernel N native_s tern_s ratio "(range)" wall startup_s
for entry in "${KERNELS[@]}"; do
    read -r k n <<<"$entry"
    if ((${#selected[@]})) && [[ " ${selected[*]} " != *" $k "* ]]; then
        continue
    fi
    build_kernel "$k"
    native=("$BUILD/$k")
    wasm=("${tern_run[@]}" "$BUILD/$k.wasm")

    # Same N on both sides, and the same checksum out of both, or no timing.
    # (These runs also warm the caches for the timed ones.)
    expected=$("${native[@]}" "$n")
    if ! got=$("${wasm[@]}" "$n" 2>&1); then
        printf '%-10s %8s  FAILED under tern: %s\n' "$k" "$n" "$got"
        status=1
        continue
    fi
    if [[ $got != "$expected" ]]; then
        printf '%-10s %8s  WRONG RESULT: native %s, tern %s\n' "$k" "$n" "$expected" "$got"
        status=1
        continue
    fi

    # Rounds of four runs, interleaved so that both sides see the same
    # machine load. The N = 0 runs measure each side's fixed costs (process
    # start; for tern also engine setup, compilation and instantiation).
    samples="$BUILD/$k.samples"
    for ((round = 0; round < RUNS; round++)); do
        echo "native_n $(time_once "${native[@]}" "$n")"
        echo "tern_n $(time_once "${wasm[@]}" "$n")"
        echo "native_0 $(time_once "${native[@]}" 0)"
        echo "tern_0 $(time_once "${wasm[@]}" 0)"
    done >"$samples"
    row=$(awk -v kernel="$k" -v n="$n" -f "$HERE/summarize.awk" "$samples")
    if [[ $row == bad ]]; then
        printf '%-10s %8s  work too small to time: raise N\n' "$k" "$n"
        status=1
        continue
    fi
    rows+=("$row")
    read -r _ _ native_s tern_s ratio lo hi wall startup <<<"$row"
    # shellcheck disable=SC2059
    printf "$header" "$k" "$n" "$native_s" "$tern_s" "$ratio" "($lo-$hi)" "$wall" "$startup"
done

if ((${#rows[@]})); then
    printf '%s\n' "${rows[@]}" | awk '{ lr += log($5); lw += log($8); c++ } END {
        printf "%-10s %8s %9s %9s %6.3f %11s %6.3f\n", "geomean", "", "", "", exp(lr / c), "", exp(lw / c) }'
fi
read -r load _ </proc/loadavg
echo "$RUNS interleaved rounds per kernel; load average at the end: $load on $(nproc) CPUs"
exit $status
