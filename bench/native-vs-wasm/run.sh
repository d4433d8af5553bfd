#!/usr/bin/env bash
# Native vs. Tern: run time of the same C kernels built with `gcc -O2` for
# x86-64 and with `clang -O2` for wasm32, the latter run by Tern's baseline
# compiler. See README.md for what is measured and why.
#
# usage: bench/native-vs-wasm/run.sh [KERNEL...]
#
# Environment:
#   RUNS=5            timed runs per command (the median is reported)
#   TERN=path         use this tern binary instead of building one
#   TERN_FLAGS=...    engine flags for `tern run` (default: --compiler baseline)
#   CARGO_TARGET_DIR  where cargo builds tern (default: <repo>/target)
#   NO_HYPERFINE=1    time with the shell's loop even if hyperfine exists
#   NATIVE_CFLAGS=... gcc flags for the native build (default: -O2)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD="$HERE/build"
RUNS=${RUNS:-5}
TERN_FLAGS=${TERN_FLAGS:---compiler baseline}

# Each kernel with its work size N, chosen so the native build runs for about
# half a second to a second on the 2-core development machines.
KERNELS=(
    "fib 38"
    "sieve 40"
    "fnv1a 128"
    "crc32 80"
    "matmul 150"
    "quicksort 10"
    "strsearch 100"
    "nbody 1500000"
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
        echo "on Debian: apt-get install gcc clang lld   (optional: hyperfine)" >&2
        exit 1
    fi
    if [[ -z ${NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null; then
        TIMER=hyperfine
    else
        TIMER=loop
        [[ -n ${NO_HYPERFINE:-} ]] ||
            echo "note: hyperfine not found (Debian package: hyperfine); timing with a shell loop" >&2
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
# measure CMD...: sets WALL (median wall-clock seconds) and CPU (user +
# system seconds: hyperfine's mean, or the loop's median) of RUNS runs.
measure() {
    if [[ $TIMER == hyperfine ]]; then
        local csv="$BUILD/hyperfine.csv"
        # hyperfine's warnings about outliers would break up the table; they
        # are kept in a log, shown only if hyperfine fails.
        if ! hyperfine -N --style none --warmup 1 --runs "$RUNS" --export-csv "$csv" \
            "$(printf '%q ' "$@")" >/dev/null 2>"$BUILD/hyperfine.log"; then
            cat "$BUILD/hyperfine.log" >&2
            die "hyperfine failed on: $*"
        fi
        # Columns: command,mean,stddev,median,user,system,min,max.
        read -r WALL CPU < <(awk -F, 'NR == 2 { print $(NF-4), $(NF-3) + $(NF-2) }' "$csv")
    else
        local walls=() cpus=() line real user sys i
        "$@" >/dev/null # warm-up
        for ((i = 0; i < RUNS; i++)); do
            line=$({
                TIMEFORMAT='%3R %3U %3S'
                time "$@" >/dev/null 2>&1
            } 2>&1)
            read -r real user sys <<<"$line"
            walls+=("$real")
            cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
        done
        WALL=$(median "${walls[@]}")
        CPU=$(median "${cpus[@]}")
    fi
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------- main
check_tools
mkdir -p "$BUILD"
build_tern
# shellcheck disable=SC2206 # TERN_FLAGS is a list of words on purpose.
tern_run=("$TERN" run $TERN_FLAGS --invoke run)

selected=("$@")
rows=()
status=0
printf '%-10s %10s %10s %10s %7s %7s %10s\n' \
    kernel N native_s tern_s ratio cpu_rat startup_s
for entry in "${KERNELS[@]}"; do
    read -r k n <<<"$entry"
    if ((${#selected[@]})) && [[ " ${selected[*]} " != *" $k "* ]]; then
        continue
    fi
    build_kernel "$k"
    native=("$BUILD/$k")
    wasm=("${tern_run[@]}" "$BUILD/$k.wasm")

    # Same N on both sides, and the same checksum out of both, or no timing.
    expected=$("${native[@]}" "$n")
    if ! got=$("${wasm[@]}" "$n" 2>&1); then
        printf '%-10s %10s  FAILED under tern: %s\n' "$k" "$n" "$got"
        status=1
        continue
    fi
    if [[ $got != "$expected" ]]; then
        printf '%-10s %10s  WRONG RESULT: native %s, tern %s\n' "$k" "$n" "$expected" "$got"
        status=1
        continue
    fi

    # Each side's fixed costs (process start; for tern also engine setup,
    # compilation and instantiation) are measured with N = 0 and subtracted.
    measure "${native[@]}" "$n"
    native_wall=$WALL native_cpu=$CPU
    measure "${native[@]}" 0
    native_wall0=$WALL native_cpu0=$CPU
    measure "${wasm[@]}" "$n"
    tern_wall=$WALL tern_cpu=$CPU
    measure "${wasm[@]}" 0
    tern_wall0=$WALL tern_cpu0=$CPU

    row=$(awk -v k="$k" -v n="$n" \
        -v nw="$native_wall" -v nw0="$native_wall0" -v tw="$tern_wall" -v tw0="$tern_wall0" \
        -v nc="$native_cpu" -v nc0="$native_cpu0" -v tc="$tern_cpu" -v tc0="$tern_cpu0" 'BEGIN {
        native = nw - nw0; tern = tw - tw0
        if (native <= 0 || tern <= 0 || nc - nc0 <= 0 || tc - tc0 <= 0) {
            print "bad"; exit }
        printf "%s %s %.4f %.4f %.3f %.3f %.4f\n", k, n, native, tern, tern / native,
            (tc - tc0) / (nc - nc0), tw0 }')
    if [[ $row == bad ]]; then
        printf '%-10s %10s  work too small to time: raise N\n' "$k" "$n"
        status=1
        continue
    fi
    rows+=("$row")
    # shellcheck disable=SC2086 # row is a list of fields on purpose.
    printf '%-10s %10s %10s %10s %7s %7s %10s\n' $row
done

if ((${#rows[@]})); then
    printf '%s\n' "${rows[@]}" | awk '{ lw += log($5); lc += log($6); c++ } END {
        printf "%-10s %10s %10s %10s %7.3f %7.3f\n", "geomean", "", "", "", exp(lw / c), exp(lc / c) }'
fi
read -r load _ </proc/loadavg
echo "timer: $TIMER, $RUNS runs per command; load average at the end: $load on $(nproc) CPUs"
exit $status
