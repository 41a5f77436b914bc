/*
 * crc32c.h - software CRC32C (Castagnoli) for the file backend's record checksum.
 *
 * Why CRC32C and not a hash: it is the checksum storage systems use for torn/flipped-bit
 * detection (ext4 metadata, iSCSI, RocksDB), it detects every burst error up to 32 bits, and it
 * has a standard test vector ("123456789" -> 0xE3069283) so the implementation is checkable.
 * Why software: portable across machines and sanitizers; slicing-by-8 does ~1-2 GB/s, far
 * faster than the disk calls it guards.
 */
#ifndef DS_CRC32C_H
#define DS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extend a CRC32C: start with crc = 0; ds_crc32c(ds_crc32c(0, a, n), b, m) equals the CRC of
 * the concatenation a||b. p may be NULL when len == 0. */
uint32_t ds_crc32c(uint32_t crc, const void *p, size_t len);

#endif /* DS_CRC32C_H */
