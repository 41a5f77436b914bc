/*
 * fuzz_twitter.c - libFuzzer target for the Twitter cache-trace CSV reader.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_read("t.twitter.csv", data, size, "twitter", NULL);
    return 0;
}
