/*
 * Shared by every benchmark kernel.
 *
 * Each kernel is one freestanding C file that defines `int run(int n)`: a
 * fixed amount of work scaled by `n`, no I/O, no libc, memory in static
 * arrays. The same source is compiled natively (gcc) and to wasm32 (clang),
 * and `run` returns a checksum of everything it computed so that both builds
 * can be checked to agree and no compiler can drop the work as dead.
 */
#ifndef KERNEL_H
#define KERNEL_H

/*
 * Fixed-width types from the compilers' predefined macros (gcc and clang both
 * have them), so the kernels need no headers at all: no libc, no sysroot.
 */
typedef __UINT8_TYPE__ uint8_t;
typedef __INT32_TYPE__ int32_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;

int run(int n);

/* Marsaglia's xorshift32: a fast, deterministic source of test data. */
static inline uint32_t xorshift32(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Folds the bits of a double into a 32-bit checksum (exact, unlike a cast). */
static inline uint32_t fold_double(double d) {
    union {
        double d;
        uint64_t u;
    } bits = {d};
    return (uint32_t)(bits.u ^ (bits.u >> 32));
}

#endif
