/*
 * parked.c - the parked commands by client: every parked command is on one list (ds_cache
 * .parked_list), and an index by client id (ds_cache.parked, a table) exists only while more
 * than DS_PARKED_SCAN_MAX are parked, from the park that crosses it until none is left.
 *
 * Why: the index only answers "does this client already have a parked command?" (an exec
 * from such a client is refused, DS_ERR_STATE). A closed loop of a few clients parks and
 * resumes a command per cache miss; hashing the client id and inserting and removing its
 * table node were about 90 instructions a miss, where a scan of a few list nodes does. Many
 * clients (an open loop) get the table as before. Adding and removing are inline in cache.h.
 */
#include <assert.h>

#include "cache.h"

/* Index every parked command; false (and no index) when the table cannot grow, which costs
 * only speed: the lookup scans the list instead. */
static bool parked_index_build(ds_cache *c) {
    for (ds_parked *p = c->parked_list; p; p = p->next) {
        p->node.key = (const unsigned char *)&p->client_key;
        p->node.keylen = sizeof p->client_key;
        p->node.hash = ds_table_hash(&c->parked, &p->client_key, sizeof p->client_key);
        if (ds_table_insert(&c->parked, &p->node) != DS_OK) {
            for (ds_parked *q = c->parked_list; q != p; q = q->next)
                ds_table_remove(&c->parked, &q->node);
            return false;
        }
    }
    return true;
}

/* Stop indexing: remove every parked command but skip (not in the index) from it. */
static void parked_index_drop(ds_cache *c, const ds_parked *skip) {
    for (ds_parked *p = c->parked_list; p; p = p->next)
        if (p != skip) ds_table_remove(&c->parked, &p->node);
    c->parked_indexed = false;
}

void ds_c_parked_index_add(ds_cache *c, ds_parked *p) {
    if (c->parked_indexed) {
        p->node.key = (const unsigned char *)&p->client_key;
        p->node.keylen = sizeof p->client_key;
        p->node.hash = ds_table_hash(&c->parked, &p->client_key, sizeof p->client_key);
        if (ds_table_insert(&c->parked, &p->node) != DS_OK) parked_index_drop(c, p);
    } else {
        c->parked_indexed = parked_index_build(c);
    }
    assert(!c->parked_indexed || c->parked.count == c->nparked);
}

ds_parked *ds_c_parked_find_slow(ds_cache *c, uint64_t client) {
    if (c->parked_indexed)
        return (ds_parked *)ds_table_find(
            &c->parked, ds_table_hash(&c->parked, &client, sizeof client), &client, sizeof client);
    for (ds_parked *p = c->parked_list; p; p = p->next)
        if (p->client == client) return p;
    return NULL;
}
