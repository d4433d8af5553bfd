/*
 * The native counterpart of `tern run --invoke run KERNEL.wasm N`: calls the
 * kernel's `run(N)` once and prints its result as a signed decimal i32, the
 * way Tern prints an i32 result. The kernel is a separate object file (no
 * LTO), so the compiler cannot specialize it for N.
 */
#include <stdio.h>
#include <stdlib.h>

int run(int n);

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s N\n", argv[0]);
        return 2;
    }
    printf("%d\n", run(atoi(argv[1])));
    return 0;
}
