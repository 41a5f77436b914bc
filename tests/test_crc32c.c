/*
 * test_crc32c.c - CRC32C against published vectors and a bitwise reference.
 *
 * The file backend trusts this checksum to tell a torn file from a good one, so it is checked
 * against the standard vectors (RFC 3720 B.4 and the "123456789" check value) and against a
 * one-bit-at-a-time reference at every length and alignment that the 8-byte loop can split.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "dslab.h"

static uint32_t crc_ref(const unsigned char *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return ~c;
}

START_TEST(test_check_value_123456789) {
    ck_assert_uint_eq(ds_crc32c(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(ds_crc32c(0, NULL, 0), 0u);
}
END_TEST

START_TEST(test_rfc3720_vectors) {
    unsigned char b[32];
    memset(b, 0, sizeof(b));
    ck_assert_uint_eq(ds_crc32c(0, b, 32), 0x8A9136AAu);
    memset(b, 0xff, sizeof(b));
    ck_assert_uint_eq(ds_crc32c(0, b, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)i;
    ck_assert_uint_eq(ds_crc32c(0, b, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)(31 - i);
    ck_assert_uint_eq(ds_crc32c(0, b, 32), 0x113FDB5Cu);
}
END_TEST

START_TEST(test_matches_bitwise_reference_at_every_length_and_offset) {
    unsigned char buf[300];
    ds_rng r;
    ds_rng_seed(&r, 7);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)ds_rng_next(&r);
    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n + off <= sizeof(buf); n++)
            ck_assert_uint_eq(ds_crc32c(0, buf + off, n), crc_ref(buf + off, n));
}
END_TEST

START_TEST(test_incremental_equals_one_shot) {
    const char *s = "the quick brown fox jumps over the lazy dog";
    size_t n = strlen(s);
    uint32_t whole = ds_crc32c(0, s, n);
    for (size_t cut = 0; cut <= n; cut++)
        ck_assert_uint_eq(ds_crc32c(ds_crc32c(0, s, cut), s + cut, n - cut), whole);
}
END_TEST

START_TEST(test_single_bit_flip_changes_crc) {
    unsigned char b[64] = {0};
    uint32_t base = ds_crc32c(0, b, sizeof(b));
    for (size_t bit = 0; bit < sizeof(b) * 8; bit++) {
        b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        ck_assert_uint_ne(ds_crc32c(0, b, sizeof(b)), base);
        b[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("crc32c");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, test_check_value_123456789);
    tcase_add_test(tc, test_rfc3720_vectors);
    tcase_add_test(tc, test_matches_bitwise_reference_at_every_length_and_offset);
    tcase_add_test(tc, test_incremental_equals_one_shot);
    tcase_add_test(tc, test_single_bit_flip_changes_crc);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
