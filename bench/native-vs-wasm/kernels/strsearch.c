/*
 * Substring search (Boyer-Moore-Horspool) in a DNA-like text: byte compares,
 * a skip-table lookup per step, unpredictable branches.
 */
#include "kernel.h"

#define TEXT_LEN (1 << 20)
#define PATTERN_LEN 12

static uint8_t text[TEXT_LEN];

static uint32_t count_occurrences(const uint8_t *hay, uint32_t hay_len, const uint8_t *needle,
                                  uint32_t needle_len) {
    uint32_t skip[256];
    for (int c = 0; c < 256; c++)
        skip[c] = needle_len;
    for (uint32_t i = 0; i + 1 < needle_len; i++)
        skip[needle[i]] = needle_len - 1 - i;
    uint32_t count = 0;
    uint32_t pos = 0;
    while (pos + needle_len <= hay_len) {
        uint8_t last = hay[pos + needle_len - 1];
        if (last == needle[needle_len - 1]) {
            uint32_t k = 0;
            while (k + 1 < needle_len && hay[pos + k] == needle[k])
                k++;
            count += k + 1 == needle_len;
        }
        pos += skip[last];
    }
    return count;
}

/* n searches, each for a pattern cut from a different place in the text. */
int run(int n) {
    static const uint8_t alphabet[4] = {'A', 'C', 'G', 'T'};
    uint32_t state = 0x0badf00du;
    for (uint32_t i = 0; i < TEXT_LEN; i++)
        text[i] = alphabet[xorshift32(&state) >> 30];
    uint32_t sum = 0;
    for (int rep = 0; rep < n; rep++) {
        uint32_t at = xorshift32(&state) % (TEXT_LEN - PATTERN_LEN);
        uint8_t pattern[PATTERN_LEN];
        for (int i = 0; i < PATTERN_LEN; i++)
            pattern[i] = text[at + i];
        /* Vary the last letter so that some patterns occur once, some more. */
        pattern[PATTERN_LEN - 1] = alphabet[rep & 3];
        sum = sum * 31 + count_occurrences(text, TEXT_LEN, pattern, PATTERN_LEN);
    }
    return (int)sum;
}
