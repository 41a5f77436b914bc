/*
 * ghost.c - evicted keys remembered by s3fifo and arc (ghost.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ghost.h"

ds_status ds_ghost_init(ds_ghost *g, uint64_t seed) {
    memset(g, 0, sizeof *g);
    return ds_table_init(&g->tab, 64, seed);
}

void ds_ghost_free(ds_ghost *g) {
    size_t it = 0;
    ds_tnode *n;
    while ((n = ds_table_next(&g->tab, &it)))
        free(n);
    ds_table_free(&g->tab);
}

ds_ghost_node *ds_ghost_find(const ds_ghost *g, uint64_t hash, const void *key, uint32_t len) {
    return (ds_ghost_node *)ds_table_find(&g->tab, hash, key, len);
}

static void unlink_node(ds_ghost *g, ds_ghost_node *n) {
    int l = n->list;
    if (n->prev)
        n->prev->next = n->next;
    else
        g->head[l] = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        g->tail[l] = n->prev;
    n->prev = n->next = NULL;
    g->count[l]--;
    g->units[l] -= n->units;
}

static void push_head(ds_ghost *g, ds_ghost_node *n, int l) {
    n->list = (uint8_t)l;
    n->prev = NULL;
    n->next = g->head[l];
    if (g->head[l])
        g->head[l]->prev = n;
    else
        g->tail[l] = n;
    g->head[l] = n;
    g->count[l]++;
    g->units[l] += n->units;
}

void ds_ghost_del(ds_ghost *g, ds_ghost_node *n) {
    unlink_node(g, n);
    ds_table_remove(&g->tab, &n->node);
    free(n);
}

ds_status ds_ghost_add(ds_ghost *g, int list, uint64_t hash, const void *key, uint32_t len,
                       uint64_t units) {
    ds_ghost_node *n = ds_ghost_find(g, hash, key, len);
    if (n) {
        unlink_node(g, n);
    } else {
        n = malloc(sizeof *n + len);
        if (!n) return DS_ERR_NOMEM;
        memcpy(n->key, key, len);
        n->node = (ds_tnode){hash, n->key, len};
        n->prev = n->next = NULL;
        if (ds_table_insert(&g->tab, &n->node) != DS_OK) {
            free(n);
            return DS_ERR_NOMEM;
        }
    }
    n->units = units;
    n->from = (uint8_t)list;
    push_head(g, n, list);
    return DS_OK;
}

void ds_ghost_claim(ds_ghost *g, ds_ghost_node *n) {
    uint8_t from = n->list;
    unlink_node(g, n);
    n->units = 0; /* a pending claim occupies no ghost capacity */
    push_head(g, n, DS_GHOST_PENDING);
    n->from = from;
    while (g->count[DS_GHOST_PENDING] > DS_GHOST_PENDING_MAX)
        ds_ghost_del(g, g->tail[DS_GHOST_PENDING]);
}

ds_ghost_node *ds_ghost_pending(const ds_ghost *g, uint64_t hash, const void *key, uint32_t len) {
    ds_ghost_node *n = ds_ghost_find(g, hash, key, len);
    return n && n->list == DS_GHOST_PENDING ? n : NULL;
}
