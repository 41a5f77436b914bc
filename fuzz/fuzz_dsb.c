/*
 * fuzz_dsb.c - libFuzzer target for the dsb binary trace reader. The first byte picks the
 * variant: bit 0 makes the rest a .zst stream (corrupt frames must be errors); bit 1 puts a
 * valid header in front, so that mutations spend their time in the records rather than the
 * magic. Every accepted record must be writable by the native writer (fuzz_common.h).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t hdr[8] = {'D', 'S', 'L', 'B', 1, 0, 0, 0};
    if (size == 0 || size > (1u << 20)) return 0;
    const char *name = data[0] & 1 ? "t.dsb.zst" : "t.dsb";
    if (!(data[0] & 2)) {
        fuzz_read(name, data + 1, size - 1, NULL, NULL);
        return 0;
    }
    uint8_t *buf = malloc(size + sizeof hdr);
    if (!buf) abort();
    memcpy(buf, hdr, sizeof hdr);
    memcpy(buf + sizeof hdr, data + 1, size - 1);
    fuzz_read(name, buf, size - 1 + sizeof hdr, NULL, NULL);
    free(buf);
    return 0;
}
