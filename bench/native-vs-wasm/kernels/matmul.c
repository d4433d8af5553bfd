/* Dense double-precision matrix multiply (i-k-j order): loads, multiplies, adds. */
#include "kernel.h"

#define DIM 128

static double a[DIM][DIM], b[DIM][DIM], c[DIM][DIM];

static void multiply(void) {
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++)
            c[i][j] = 0.0;
        for (int k = 0; k < DIM; k++) {
            double aik = a[i][k];
            for (int j = 0; j < DIM; j++)
                c[i][j] += aik * b[k][j];
        }
    }
}

/* n products C = A·B; A changes a little between products so none repeats. */
int run(int n) {
    uint32_t state = 0xdeadbeefu;
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++) {
            a[i][j] = (double)(xorshift32(&state) % 1000) / 100.0;
            b[i][j] = (double)(xorshift32(&state) % 1000) / 100.0;
        }
    }
    double sum = 0.0;
    for (int rep = 0; rep < n; rep++) {
        a[rep % DIM][(rep * 7) % DIM] += 0.5;
        multiply();
        sum += c[(rep * 3) % DIM][(rep * 5) % DIM] + c[DIM - 1][rep % DIM];
    }
    return (int)fold_double(sum);
}
