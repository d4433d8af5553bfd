/* 64-bit FNV-1a over a buffer: a serial multiply chain, byte loads. */
#include "kernel.h"

#define SIZE (1 << 20)

static uint8_t buffer[SIZE];

static uint64_t fnv1a64(const uint8_t *data, uint32_t len, uint64_t hash) {
    for (uint32_t i = 0; i < len; i++) {
        hash ^= data[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

/* Hashes a 1 MiB pseudo-random buffer n times, each pass seeded by the last. */
int run(int n) {
    uint32_t state = 0x9e3779b9u;
    for (uint32_t i = 0; i < SIZE; i++)
        buffer[i] = (uint8_t)xorshift32(&state);
    uint64_t hash = 0xcbf29ce484222325ull;
    for (int rep = 0; rep < n; rep++)
        hash = fnv1a64(buffer, SIZE, hash ^ (uint64_t)rep);
    return (int)(uint32_t)(hash ^ (hash >> 32));
}
