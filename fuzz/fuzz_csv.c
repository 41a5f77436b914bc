/*
 * fuzz_csv.c - libFuzzer target for the libCacheSim-style CSV reader and its option parser.
 * A first byte >= 0x80 means "the first line (after that byte) is the --csv-opts string";
 * otherwise a fixed option set with every column kind is used.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char fixed[] =
        "time-col=1,obj-id-col=2,obj-size-col=3,op-col=4,has-header=true,time-unit=ms";
    if (size == 0) return 0;
    if (data[0] < 0x80) {
        fuzz_read("t.txt", data + 1, size - 1, "csv", fixed);
        return 0;
    }
    const uint8_t *nl = memchr(data + 1, '\n', size - 1);
    size_t ol = nl ? (size_t)(nl - data - 1) : size - 1;
    if (ol > 256) return 0;
    char opts[257];
    memcpy(opts, data + 1, ol);
    opts[ol] = 0;
    size_t skip = 1 + ol + (nl ? 1 : 0);
    fuzz_read("t.txt", data + skip, size - skip, "csv", opts);
    return 0;
}
