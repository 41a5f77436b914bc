/*
 * hash.h - ds_hash64's arithmetic (util.c), shared with the table's inline key hash (table.h).
 *
 * Why a header: a hash table hashes every request's key under one seed. ds_hash64 spends a
 * multiply on the seed alone and a call on every key; the table keeps the seed's part
 * (ds_hash64_state) and hashes a key of 8..16 bytes, the common cache key, inline
 * (ds_hash64_from16). One copy of the arithmetic, so the numbers stay ds_hash64's
 * (test_table: test_table_hash_is_ds_hash64).
 */
#ifndef DS_HASH_H
#define DS_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DS_HASH64_K0 0xa0761d6478bd642full
#define DS_HASH64_K1 0xe7037ed1a0b428dbull
#define DS_HASH64_K2 0x8ebc6af09c88c6e3ull

static inline uint64_t ds_hash64_mix(uint64_t a, uint64_t b) {
    __uint128_t m = (__uint128_t)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

/* The seed's part of ds_hash64 (util.c): ds_hash64(p, len, seed) ==
 * ds_hash64_from(p, len, ds_hash64_state(seed)). */
static inline uint64_t ds_hash64_state(uint64_t seed) {
    return seed ^ ds_hash64_mix(seed ^ DS_HASH64_K0, DS_HASH64_K1);
}

uint64_t ds_hash64_from(const void *key, size_t len, uint64_t state); /* util.c */

/* ds_hash64_from for 8 <= len <= 16: two overlapping 8-byte words, two multiplies. */
static inline uint64_t ds_hash64_from16(const void *key, size_t len, uint64_t state) {
    const unsigned char *p = key;
    uint64_t a, b;
    memcpy(&a, p, 8);
    memcpy(&b, p + len - 8, 8);
    uint64_t h = state ^ (uint64_t)len;
    return ds_hash64_mix(DS_HASH64_K2 ^ (uint64_t)len, ds_hash64_mix(a ^ DS_HASH64_K1, b ^ h));
}

#endif
