/*
 * fuzz_oracle.c - libFuzzer target for the oracleGeneral reader; an odd first byte makes the
 * rest a .zst stream (truncated and corrupt frames must be errors, never crashes).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    if (data[0] & 1)
        fuzz_read("t.oracleGeneral.zst", data + 1, size - 1, NULL, NULL);
    else
        fuzz_read("t.oracleGeneral.bin", data + 1, size - 1, NULL, NULL);
    return 0;
}
