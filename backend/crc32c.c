/*
 * crc32c.c - CRC32C, slicing-by-8.
 *
 * Eight table lookups consume eight input bytes per step instead of one, which removes the
 * byte-serial dependency chain of the classic loop. The tables are constants (crc32c_table.h),
 * so there is no init call and no global mutable state. Byte order: the 8-byte step reads
 * bytes individually, so the result is the same on little- and big-endian machines.
 */
#include "crc32c.h"

#include "crc32c_table.h"

uint32_t ds_crc32c(uint32_t crc, const void *p, size_t len) {
    const unsigned char *b = p;
    const uint32_t(*t)[256] = ds_crc32c_table;
    crc = ~crc;
    while (len >= 8) {
        uint32_t lo = crc ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                             (uint32_t)b[3] << 24);
        crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
              t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]];
        b += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ t[0][(crc ^ *b++) & 0xff];
    return ~crc;
}
