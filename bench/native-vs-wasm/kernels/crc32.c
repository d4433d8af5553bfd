/* Table-driven CRC-32 (IEEE 802.3, reflected): table lookups in a serial chain. */
#include "kernel.h"

#define SIZE (1 << 20)

static uint8_t buffer[SIZE];
static uint32_t table[256];

static void build_table(void) {
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
        table[b] = c;
    }
}

static uint32_t crc32(const uint8_t *data, uint32_t len, uint32_t crc) {
    crc = ~crc;
    for (uint32_t i = 0; i < len; i++)
        crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* n CRCs of a 1 MiB pseudo-random buffer, each continuing the previous one. */
int run(int n) {
    build_table();
    uint32_t state = 0x12345678u;
    for (uint32_t i = 0; i < SIZE; i++)
        buffer[i] = (uint8_t)xorshift32(&state);
    uint32_t crc = 0;
    for (int rep = 0; rep < n; rep++)
        crc = crc32(buffer, SIZE, crc);
    return (int)crc;
}
