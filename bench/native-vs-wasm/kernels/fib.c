/* Doubly recursive Fibonacci: call and return overhead, small frames. */
#include "kernel.h"

static uint32_t fib(int k) {
    if (k < 2)
        return (uint32_t)k;
    return fib(k - 1) + fib(k - 2);
}

/* fib(n), modulo 2^32. */
int run(int n) {
    return (int)fib(n);
}
