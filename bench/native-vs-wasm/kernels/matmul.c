/* Dense double-precision matrix multiply (i-k-j order): loads, multiplies, adds. */
#include "kernel.h"

#define DIM 128

/*
 * The three matrices are 128 KiB each. Laid out back to back, c[i][j] and
 * b[k][j] would be a multiple of 4 KiB apart, and x86 cores stall a load
 * whose address matches an earlier store's low 12 bits ("4K aliasing"):
 * that alone made the native build 3.5x slower. The padding puts the
 * matrices at different offsets within a page, in both builds alike.
 */
static struct {
    double a[DIM][DIM];
    double pad_ab[24];
    double b[DIM][DIM];
    double pad_bc[48];
    double c[DIM][DIM];
} m;

static void multiply(void) {
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++)
            m.c[i][j] = 0.0;
        for (int k = 0; k < DIM; k++) {
            double aik = m.a[i][k];
            for (int j = 0; j < DIM; j++)
                m.c[i][j] += aik * m.b[k][j];
        }
    }
}

/* n products C = A·B; A changes a little between products so none repeats. */
int run(int n) {
    uint32_t state = 0xdeadbeefu;
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++) {
            m.a[i][j] = (double)(xorshift32(&state) % 1000) / 100.0;
            m.b[i][j] = (double)(xorshift32(&state) % 1000) / 100.0;
        }
    }
    double sum = 0.0;
    for (int rep = 0; rep < n; rep++) {
        m.a[rep % DIM][(rep * 7) % DIM] += 0.5;
        multiply();
        sum += m.c[(rep * 3) % DIM][(rep * 5) % DIM] + m.c[DIM - 1][rep % DIM];
    }
    return (int)fold_double(sum);
}
