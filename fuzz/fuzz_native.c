/*
 * fuzz_native.c - libFuzzer target for the native CSV reader (plain; a leading 'Z' byte makes
 * the rest a .zst stream, to reach the decompressor's error paths too).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 0 && data[0] == 'Z')
        fuzz_read("t.csv.zst", data + 1, size - 1, "native", NULL);
    else
        fuzz_read("t.csv", data, size, "native", NULL);
    return 0;
}
