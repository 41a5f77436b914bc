/*
 * backend_int.h - backend-module internals shared between backend/ files and their tests.
 *
 * Not part of the public API (core/dslab.h). Test hooks of the file backend live here; they
 * reach the store through ds_backend_control (DS_BCTL_FILE_*), so they work below any shims
 * and are refused (DS_NOT_FOUND) by a stack without a file store.
 */
#ifndef DS_BACKEND_INT_H
#define DS_BACKEND_INT_H

#include "dslab.h"

/* File backend test hook: AND every key hash with mask before it picks a file, so tests can
 * force collisions (mask 0 puts every key on one probe chain). Not thread-safe against calls
 * in flight: set it right after open. No-op on other backends. */
void ds_backend_file_hash_mask(ds_backend *b, uint64_t mask);

/* File backend: the path of the file holding key, for tests that corrupt or truncate it.
 * Returns DS_NOT_FOUND when no file holds the key. */
ds_status ds_backend_file_path(ds_backend *b, const void *key, uint32_t keylen, char *buf,
                               size_t buflen);

#endif /* DS_BACKEND_INT_H */
