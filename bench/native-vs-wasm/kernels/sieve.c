/* Sieve of Eratosthenes over a byte array: strided stores, a memset, a count. */
#include "kernel.h"

#define LIMIT (1 << 21)

static uint8_t composite[LIMIT];

static uint32_t count_primes_below(uint32_t limit) {
    __builtin_memset(composite, 0, limit);
    for (uint32_t i = 2; i * i < limit; i++) {
        if (!composite[i]) {
            for (uint32_t j = i * i; j < limit; j += i)
                composite[j] = 1;
        }
    }
    uint32_t count = 0;
    for (uint32_t i = 2; i < limit; i++)
        count += !composite[i];
    return count;
}

/* n sieves, each with a slightly different limit so no two are alike. */
int run(int n) {
    uint32_t sum = 0;
    for (int rep = 0; rep < n; rep++)
        sum = sum * 31 + count_primes_below(LIMIT - (uint32_t)(rep & 1023));
    return (int)sum;
}
