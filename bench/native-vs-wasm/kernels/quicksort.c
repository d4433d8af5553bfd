/* Quicksort of 32-bit integers: data-dependent branches, swaps, recursion. */
#include "kernel.h"

#define COUNT (1 << 18)

static int32_t values[COUNT];

static void insertion_sort(int32_t *v, int32_t len) {
    for (int32_t i = 1; i < len; i++) {
        int32_t x = v[i];
        int32_t j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static void swap(int32_t *x, int32_t *y) {
    int32_t t = *x;
    *x = *y;
    *y = t;
}

/* Hoare partitioning around a median of three; recurses into the smaller half. */
static void quicksort(int32_t *v, int32_t len) {
    while (len > 16) {
        int32_t mid = len / 2;
        if (v[mid] < v[0])
            swap(&v[mid], &v[0]);
        if (v[len - 1] < v[0])
            swap(&v[len - 1], &v[0]);
        if (v[len - 1] < v[mid])
            swap(&v[len - 1], &v[mid]);
        int32_t pivot = v[mid];
        int32_t i = -1, j = len;
        for (;;) {
            do
                i++;
            while (v[i] < pivot);
            do
                j--;
            while (v[j] > pivot);
            if (i >= j)
                break;
            swap(&v[i], &v[j]);
        }
        int32_t left = j + 1;
        if (left < len - left) {
            quicksort(v, left);
            v += left;
            len -= left;
        } else {
            quicksort(v + left, len - left);
            len = left;
        }
    }
    insertion_sort(v, len);
}

/* n sorts of 256 Ki pseudo-random integers; each sort is checked in the sum. */
int run(int n) {
    uint32_t state = 0x2545f491u;
    uint32_t sum = 0;
    for (int rep = 0; rep < n; rep++) {
        for (int32_t i = 0; i < COUNT; i++)
            values[i] = (int32_t)xorshift32(&state);
        quicksort(values, COUNT);
        uint32_t unsorted = 0;
        for (int32_t i = 1; i < COUNT; i++)
            unsorted += values[i - 1] > values[i];
        sum = sum * 31 + (uint32_t)values[rep % COUNT] + (uint32_t)values[COUNT / 2] + unsorted;
    }
    return (int)sum;
}
