/*
 * backend_int.h - backend-module internals shared between backend/ files and their tests.
 *
 * Not part of the public API (core/dslab.h). It exists so that helpers which must see through
 * a stack of shims (origin hints on fake(mem)) and test hooks that cannot be reached through
 * the vtable (forcing hash collisions in the file backend) have one declared home.
 */
#ifndef DS_BACKEND_INT_H
#define DS_BACKEND_INT_H

#include "dslab.h"

/* The parent of a fake backend, or NULL when b is not a fake. */
ds_backend *ds_backend_fake_parent(ds_backend *b);

/* Unwrap fakes until a non-fake backend is reached. */
ds_backend *ds_backend_unwrap(ds_backend *b);

/* File backend test hook: AND every key hash with mask before it picks a file, so tests can
 * force collisions (mask 0 puts every key on one probe chain). Not thread-safe against calls
 * in flight: set it right after open. No-op on other backends. */
void ds_backend_file_hash_mask(ds_backend *b, uint64_t mask);

/* File backend: the path of the file holding key, for tests that corrupt or truncate it.
 * Returns DS_NOT_FOUND when no file holds the key. */
ds_status ds_backend_file_path(ds_backend *b, const void *key, uint32_t keylen, char *buf,
                               size_t buflen);

#endif /* DS_BACKEND_INT_H */
