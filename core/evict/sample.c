/*
 * sample.c - approximate "oldest" by random sampling, shared by the lru-sampled policy and the
 * negative cache (one loop, one behaviour: DS_SAMPLE_ROUNDS rounds, then a bounded scan). The
 * rounds are inline in evict.h (ds_sample_oldest); the rare fallback scan and the rounds with a
 * tie's coin (evict-ties, schedule exploration) live here.
 *
 * Why sample: exact LRU needs two pointers per key and a list update per hit; Redis's sampled
 * LRU gets close with a handful of random keys per eviction. Why the fallback scan: when most
 * keys are busy (dirty, loading), random draws may miss the few idle ones; a forward scan from
 * a random slot finds them within scan_max slots without walking a huge table.
 */
#include "../evict.h"

ds_tnode *ds_sample_scan(const ds_table *t, ds_rng *r, const ds_sample_spec *s) {
    ds_tnode *best = NULL;
    uint64_t best_age = 0;
    size_t cap = t->mask + 1;
    size_t start = ds_rng_below(r, cap);
    size_t limit = cap < s->scan_max ? cap : s->scan_max;
    for (size_t k = 0; k < limit; k++) {
        const ds_tslot *sl = &t->slots[(start + k) & t->mask];
        if (!sl->hash) continue;
        if (s->skip && s->skip(sl->node, s->ctx)) continue;
        uint64_t a = s->age(sl->node, s->ctx);
        if (ds_sample_better(s, sl->node, a, best, best_age, r)) {
            best = sl->node;
            best_age = a;
        }
    }
    return best;
}

ds_tnode *ds_sample_ties(const ds_table *t, ds_rng *r, const ds_sample_spec *s) {
    if (t->count == 0) return NULL;
    ds_tnode *best = NULL;
    uint64_t best_age = 0;
    for (int round = 0; round < DS_SAMPLE_ROUNDS && !best; round++) {
        for (uint32_t i = 0; i < s->samples; i++) {
            ds_tnode *n = ds_table_sample(t, r);
            if (s->skip && s->skip(n, s->ctx)) continue;
            uint64_t a = s->age(n, s->ctx);
            if (ds_sample_better(s, n, a, best, best_age, r)) {
                best = n;
                best_age = a;
            }
        }
    }
    return best ? best : ds_sample_scan(t, r, s);
}
