/*
 * test_gen.c - the synthetic workload generators keep their statistical promises.
 *
 * Why these tests: an experiment that sweeps skew or write share is only as good as the
 * generator behind it. Each test pins one promise of workloads/gen.h: zipf popularity follows
 * theory (also for 1e8 keys, where no table may be built), uniform and hotspot shares, op mix
 * and YCSB preset proportions, size/ttl/client/arrival models, determinism per seed, and
 * rejection of bad specs with a message naming the option. All draws are seeded, so the
 * statistical bounds (5 sigma or p ~ 1e-6) are checked against fixed streams: no flakiness.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"
#include "gen_internal.h"

/* ck_assert records a checkpoint through a file on every call; loops over a million draws use
 * this instead, which only reaches Check on failure. */
#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);                                                    \
    } while (0)

static ds_trace_req *req_new(void) {
    ds_trace_req *r = malloc(sizeof(*r));
    ck_assert_ptr_nonnull(r);
    return r;
}

static ds_gen *open_ok(const char *spec) {
    ds_err err = {{0}};
    ds_gen *g = ds_gen_open_spec(spec, &err);
    ck_assert_msg(g != NULL, "spec '%s': %s", spec, err.msg);
    return g;
}

static uint64_t key_index(const ds_key *k) {
    char buf[32];
    REQUIRE(k->len < sizeof(buf), "key of %u bytes", k->len);
    memcpy(buf, k->p, k->len);
    buf[k->len] = '\0';
    REQUIRE(buf[0] == 'k', "key '%s'", buf);
    return strtoull(buf + 1, NULL, 10);
}

/* |observed - expected| within z standard deviations of a binomial count. */
static void assert_share(uint64_t count, uint64_t total, double p, double z, const char *what) {
    double mean = p * (double)total, sd = sqrt((double)total * p * (1 - p));
    ck_assert_msg(fabs((double)count - mean) <= z * sd + 1e-9, "%s: %llu of %llu, want %.1f", what,
                  (unsigned long long)count, (unsigned long long)total, mean);
}

/* P(rank < k) of YCSB's sampler (Gray et al.), computed here independently; k >= 2. */
static double gray_cdf(uint64_t n, double theta, uint64_t k) {
    double zn = ds_zipf_zeta(n, theta), z2 = 1 + pow(2, -theta);
    if (k >= n) return 1.0;
    double eta = (1 - pow(2.0 / (double)n, 1 - theta)) / (1 - z2 / zn);
    double x = pow((double)k / (double)n, 1 - theta), u = (x - 1 + eta) / eta;
    double lo = z2 / zn;
    return u < lo ? lo : u > 1 ? 1 : u;
}

START_TEST(test_zeta_closed_form_matches_direct_sum) {
    const double thetas[] = {0.5, 0.99, 1.5};
    for (int t = 0; t < 3; t++) {
        double direct = 0;
        for (uint64_t i = 2000000; i >= 1; i--)
            direct += pow((double)i, -thetas[t]);
        double fast = ds_zipf_zeta(2000000, thetas[t]);
        ck_assert_msg(fabs(fast - direct) <= 1e-10 * direct, "theta %g: %.15g vs %.15g", thetas[t],
                      fast, direct);
    }
    ck_assert_double_eq_tol(ds_zipf_zeta(1, 0.99), 1.0, 1e-15);
    ds_zipf a, b;
    ck_assert_int_eq(ds_zipf_init(&a, 1000, 0.99, NULL), DS_OK);
    ck_assert_int_eq(ds_zipf_init(&b, 50000, 0.99, NULL), DS_OK);
    ds_zipf_grow(&a, 50000); /* YCSB's incremental zeta for latest */
    ck_assert_double_eq_tol(a.zetan, b.zetan, 1e-9);
    ck_assert_double_eq_tol(a.eta, b.eta, 1e-9);
}
END_TEST

/* Rank frequencies vs theory: ranks 0 and 1 are exact in YCSB's sampler; bins of larger
 * ranks follow its continuous approximation (chi-square) and stay within 0.03 of the true
 * zipf CDF. */
static void check_zipf(uint64_t n, double theta) {
    enum { SAMPLES = 1000000, NB = 16 };
    ds_zipf z;
    ck_assert_int_eq(ds_zipf_init(&z, n, theta, NULL), DS_OK);
    ds_rng r;
    ds_rng_seed(&r, 42);
    uint64_t edges[NB + 1], nb = 0, count[NB + 1] = {0};
    for (uint64_t e = 2; e < n && nb < NB; e = e * 2 + 1)
        edges[nb++] = e;
    edges[nb] = n;
    uint64_t r0 = 0, r1 = 0;
    for (int i = 0; i < SAMPLES; i++) {
        uint64_t k = ds_zipf_next(&z, ds_rng_double(&r));
        REQUIRE(k < n, "rank %llu", (unsigned long long)k);
        if (k == 0) r0++;
        if (k == 1) r1++;
        for (uint64_t b = 0; b <= nb; b++)
            if (k < edges[b]) {
                count[b]++;
                break;
            }
    }
    double zn = ds_zipf_zeta(n, theta);
    assert_share(r0, SAMPLES, 1 / zn, 5, "rank 0");
    assert_share(r1, SAMPLES, pow(2, -theta) / zn, 5, "rank 1");
    double chi = 0, prev = gray_cdf(n, theta, 2), cum = r0 + r1, truth = 1 + pow(2, -theta);
    uint64_t prev_edge = 2;
    for (uint64_t b = 1; b <= nb; b++) {
        double p = gray_cdf(n, theta, edges[b]) - prev, expect = p * SAMPLES;
        prev += p;
        cum += (double)count[b];
        for (uint64_t i = prev_edge + 1; i <= edges[b]; i++)
            truth += pow((double)i, -theta);
        prev_edge = edges[b];
        if (expect > 0) chi += ((double)count[b] - expect) * ((double)count[b] - expect) / expect;
        ck_assert_msg(fabs(cum / SAMPLES - truth / zn) < 0.03, "n %llu theta %g: cdf at %llu",
                      (unsigned long long)n, theta, (unsigned long long)edges[b]);
    }
    /* df = nb - 1 <= 15; 60 is far beyond p = 1e-6 */
    ck_assert_msg(chi < 60, "n %llu theta %g: chi-square %.1f", (unsigned long long)n, theta, chi);
}

START_TEST(test_zipf_rank_frequencies_follow_theory) {
    check_zipf(100, 0.5);
    check_zipf(10000, 0.99);
    check_zipf(1000000, 0.8);
    check_zipf(5000, 1.3);
}
END_TEST

START_TEST(test_scramble_is_a_bijection) {
    const uint64_t ns[] = {1, 2, 3, 7, 1000, 12345};
    for (int t = 0; t < 6; t++) {
        uint64_t n = ns[t];
        unsigned char *seen = calloc(n, 1);
        ck_assert_ptr_nonnull(seen);
        for (uint64_t i = 0; i < n; i++) {
            uint64_t y = ds_gen_scramble(i, n);
            ck_assert_uint_lt(y, n);
            ck_assert_msg(!seen[y], "n %llu: %llu hit twice", (unsigned long long)n,
                          (unsigned long long)y);
            seen[y] = 1;
        }
        free(seen);
    }
    ck_assert_uint_ne(ds_gen_scramble(0, 1000000), 0); /* the hottest key is not k0 */
}
END_TEST

/* Through the whole generator, with 1e8 keys: the keys of ranks 0..9 get their share. */
START_TEST(test_zipf_large_keyspace_top_ranks) {
    enum { N = 400000, TOP = 10 };
    const uint64_t n = 100000000;
    ds_gen *g = open_ok("zipf:0.99,keys=1e8,requests=400000,seed=9,mix=get:1");
    ds_trace_req *q = req_new();
    uint64_t top[TOP], count[TOP] = {0};
    for (int i = 0; i < TOP; i++)
        top[i] = ds_gen_scramble((uint64_t)i, n);
    for (int i = 0; i < N; i++) {
        REQUIRE(ds_gen_next(g, q, NULL) == 1, "stream ended early");
        uint64_t k = key_index(&q->keys[0]);
        REQUIRE(k < n, "key %llu", (unsigned long long)k);
        for (int j = 0; j < TOP; j++)
            if (k == top[j]) count[j]++;
    }
    ck_assert_int_eq(ds_gen_next(g, q, NULL), 0);
    double zn = ds_zipf_zeta(n, 0.99);
    assert_share(count[0], N, 1 / zn, 5, "1e8 keys rank 0");
    assert_share(count[1], N, pow(2, -0.99) / zn, 5, "1e8 keys rank 1");
    for (int j = 2; j < TOP; j++) {
        double p = gray_cdf(n, 0.99, (uint64_t)j + 1) - gray_cdf(n, 0.99, (uint64_t)j);
        assert_share(count[j], N, p, 5, "1e8 keys rank 2..9 (sampler theory)");
        double truth = pow(j + 1, -0.99) / zn;
        ck_assert_msg(fabs((double)count[j] / N - truth) < 0.25 * truth, "rank %d vs zipf", j);
    }
    free(q);
    ds_gen_close(g);
}
END_TEST

START_TEST(test_uniform_chi_square) {
    enum { K = 100, N = 500000 };
    ds_gen *g = open_ok("uniform,keys=100,requests=500000,seed=5");
    ds_trace_req *q = req_new();
    uint64_t count[K] = {0};
    while (ds_gen_next(g, q, NULL) == 1)
        count[key_index(&q->keys[0])]++;
    double chi = 0, e = (double)N / K;
    for (int i = 0; i < K; i++)
        chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
    ck_assert_msg(chi < 180, "chi-square %.1f with 99 df", chi); /* p ~ 1e-6 */
    ck_assert_msg(chi > 40, "chi-square %.1f: too even to be random", chi);
    free(q);
    ds_gen_close(g);
}
END_TEST

START_TEST(test_hotspot_fractions) {
    enum { N = 200000 };
    ds_gen *g = open_ok("hotspot:0.2:0.8,keys=1000,requests=200000,seed=2");
    ds_trace_req *q = req_new();
    uint64_t hot = 0, low_half_hot = 0;
    while (ds_gen_next(g, q, NULL) == 1) {
        uint64_t k = key_index(&q->keys[0]);
        REQUIRE(k < 1000, "key %llu", (unsigned long long)k);
        if (k < 200) hot++;
        if (k < 100) low_half_hot++;
    }
    assert_share(hot, N, 0.8, 5, "hot share");
    assert_share(low_half_hot, hot, 0.5, 5, "uniform inside the hot set");
    free(q);
    ds_gen_close(g);
}
END_TEST

static void count_ops(const char *spec, uint64_t ops[DS_OP__COUNT], uint64_t *total) {
    ds_gen *g = open_ok(spec);
    ds_trace_req *q = req_new();
    memset(ops, 0, sizeof(uint64_t) * DS_OP__COUNT);
    *total = 0;
    while (ds_gen_next(g, q, NULL) == 1) {
        REQUIRE(q->op < DS_OP__COUNT, "op %d", (int)q->op);
        ops[q->op]++;
        (*total)++;
    }
    free(q);
    ds_gen_close(g);
}

START_TEST(test_mix_proportions) {
    uint64_t ops[DS_OP__COUNT], n;
    count_ops("uniform,requests=200000,mix=get:0.5/set:0.3/del:0.1/exists:0.05/mget:0.03/"
              "exec:0.02,mget-keys=4,exec-keys=2",
              ops, &n);
    ck_assert_uint_eq(n, 200000);
    const double p[DS_OP__COUNT] = {0.5, 0.3, 0.1, 0.05, 0.03, 0.02};
    for (int i = 0; i < DS_OP__COUNT; i++)
        assert_share(ops[i], n, p[i], 5, ds_op_name(i));
    /* ';' and '=' syntax, unnormalised weights */
    count_ops("uniform,requests=100000,mix=get=9;del=1", ops, &n);
    assert_share(ops[DS_OP_GET], n, 0.9, 5, "get=9;del=1");
    ck_assert_uint_eq(ops[DS_OP_GET] + ops[DS_OP_DEL], n);
}
END_TEST

START_TEST(test_ycsb_presets_proportions) {
    uint64_t ops[DS_OP__COUNT], n;
    count_ops("ycsb-a,requests=100000", ops, &n);
    assert_share(ops[DS_OP_GET], n, 0.5, 5, "A reads");
    ck_assert_uint_eq(ops[DS_OP_GET] + ops[DS_OP_SET], n);
    count_ops("ycsb-b,requests=100000", ops, &n);
    assert_share(ops[DS_OP_SET], n, 0.05, 5, "B updates");
    ck_assert_uint_eq(ops[DS_OP_GET] + ops[DS_OP_SET], n);
    count_ops("ycsb-c,requests=10000", ops, &n);
    ck_assert_uint_eq(ops[DS_OP_GET], n);
    count_ops("ycsb-f,requests=100000", ops, &n);
    assert_share(ops[DS_OP_EXEC], n, 0.5, 5, "F read-modify-write");
    ck_assert_uint_eq(ops[DS_OP_GET] + ops[DS_OP_EXEC], n);
}
END_TEST

/* D: 5% inserts of new keys k10000, k10001, ...; reads favour the newest key. */
START_TEST(test_ycsb_d_latest_reads_recent_inserts) {
    ds_gen *g = open_ok("ycsb-d,keys=10000,requests=200000,seed=4");
    ds_trace_req *q = req_new();
    uint64_t next_new = 10000, inserts = 0, gets = 0, newest = 0, n = 0;
    while (ds_gen_next(g, q, NULL) == 1) {
        n++;
        uint64_t k = key_index(&q->keys[0]);
        if (q->op == DS_OP_SET) {
            REQUIRE(k == next_new, "insert of k%llu", (unsigned long long)k); /* a new key */
            REQUIRE(q->size == 1000, "size %llu", (unsigned long long)q->size);
            next_new++;
            inserts++;
        } else {
            REQUIRE(q->op == DS_OP_GET, "op %d", (int)q->op);
            REQUIRE(k < next_new, "read of k%llu not inserted yet", (unsigned long long)k);
            gets++;
            if (k == next_new - 1) newest++;
        }
    }
    assert_share(inserts, n, 0.05, 5, "D inserts");
    /* P(newest) = 1/zeta(count); count grows 10000..20000, zeta moves < 1% over that */
    assert_share(newest, gets, 1 / ds_zipf_zeta(15000, 0.99), 6, "D reads of the newest key");
    free(q);
    ds_gen_close(g);
}
END_TEST

START_TEST(test_same_seed_same_sequence_other_seed_differs) {
    ds_trace_req *a = req_new(), *b = req_new();
    const char *spec = "zipf:0.9,keys=5000,requests=3000,clients=8,assign=random,"
                       "mix=get:5/set:3/mget:1/exec:1,size=lognormal:300:1,ttl=60:0.5";
    ds_gen *g1 = open_ok(spec), *g2 = open_ok(spec);
    ds_gen *g3 = open_ok("zipf:0.9,keys=5000,requests=3000,clients=8,assign=random,"
                         "mix=get:5/set:3/mget:1/exec:1,size=lognormal:300:1,ttl=60:0.5,"
                         "seed=2");
    int differ = 0;
    for (int i = 0; i < 3000; i++) {
        REQUIRE(ds_gen_next(g1, a, NULL) == 1 && ds_gen_next(g2, b, NULL) == 1, "ended");
        REQUIRE(a->time_us == b->time_us && a->client == b->client && a->op == b->op &&
                    a->size == b->size && a->ttl_s == b->ttl_s && a->nkeys == b->nkeys,
                "record %d differs", i);
        for (uint32_t k = 0; k < a->nkeys; k++)
            REQUIRE(a->keys[k].len == b->keys[k].len &&
                        memcmp(a->keys[k].p, b->keys[k].p, a->keys[k].len) == 0,
                    "record %d key %u differs", i, k);
        REQUIRE(ds_gen_next(g3, b, NULL) == 1, "seed 2 ended");
        differ += a->time_us != b->time_us || a->op != b->op ||
                  key_index(&a->keys[0]) != key_index(&b->keys[0]);
    }
    ck_assert_int_gt(differ, 2900);
    ds_gen_close(g1);
    ds_gen_close(g2);
    ds_gen_close(g3);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_sizes_ttls_and_clients) {
    ds_gen *g = open_ok("uniform,requests=100000,mix=get:1/set:1,size=uniform:100:1000,"
                        "ttl=30:0.25,clients=7");
    ds_trace_req *q = req_new();
    static uint64_t size_of[10000];
    uint64_t sets = 0, with_ttl = 0, i = 0;
    double sum = 0;
    while (ds_gen_next(g, q, NULL) == 1) {
        REQUIRE(q->client == i % 7, "client %llu", (unsigned long long)q->client); /* rr */
        REQUIRE(q->line == i + 1, "line %llu", (unsigned long long)q->line);
        i++;
        /* every record of a key carries that object's size: GETs too, the same as its SETs */
        REQUIRE(q->size >= 100 && q->size <= 1000, "size %llu", (unsigned long long)q->size);
        uint64_t k = key_index(&q->keys[0]);
        REQUIRE(k < 10000, "key %llu", (unsigned long long)k);
        REQUIRE(!size_of[k] || size_of[k] == q->size, "key %llu: size %llu then %llu",
                (unsigned long long)k, (unsigned long long)size_of[k], (unsigned long long)q->size);
        size_of[k] = q->size;
        if (q->op != DS_OP_SET) {
            REQUIRE(q->ttl_s == 0, "ttl on a %s", ds_op_name(q->op));
            continue;
        }
        sets++;
        sum += (double)q->size;
        REQUIRE(q->ttl_s == 0 || q->ttl_s == 30, "ttl %lld", (long long)q->ttl_s);
        with_ttl += q->ttl_s == 30;
    }
    assert_share(with_ttl, sets, 0.25, 5, "ttl fraction");
    ck_assert_double_eq_tol(sum / (double)sets, 550.0, 5.0);
    ds_gen_close(g);
    g = open_ok("uniform,requests=20001,mix=set:1,size=lognormal:500:0.8,clients=3,assign=random");
    uint64_t below = 0, per_client[3] = {0};
    while (ds_gen_next(g, q, NULL) == 1) {
        below += q->size < 500;
        REQUIRE(q->client < 3, "client %llu", (unsigned long long)q->client);
        per_client[q->client]++;
    }
    assert_share(below, 20001, 0.5, 5, "lognormal median");
    for (int c = 0; c < 3; c++)
        assert_share(per_client[c], 20001, 1.0 / 3, 5, "random clients");
    free(q);
    ds_gen_close(g);
}
END_TEST

START_TEST(test_arrival_processes) {
    ds_trace_req *q = req_new();
    ds_gen *g = open_ok("uniform,requests=1000,arrival=fixed:1000");
    int64_t i = 0;
    for (; ds_gen_next(g, q, NULL) == 1; i++)
        REQUIRE(q->time_us == i * 1000, "fixed: time %lld", (long long)q->time_us);
    ck_assert_int_eq(i, 1000);
    ds_gen_close(g);
    g = open_ok("uniform,requests=200000,arrival=poisson:20000");
    int64_t last = -1, small_gaps = 0;
    while (ds_gen_next(g, q, NULL) == 1) {
        REQUIRE(q->time_us >= last, "time goes back at %lld", (long long)q->time_us);
        small_gaps += last >= 0 && q->time_us - last < 50; /* P(gap < mean) = 1 - 1/e */
        last = q->time_us;
    }
    ck_assert_msg(llabs(last - 10000000) < 100000, "200k at 20k/s ends at %lld", (long long)last);
    assert_share((uint64_t)small_gaps, 199999, 1 - exp(-1), 6, "exponential gaps");
    ds_gen_close(g);
    g = open_ok("uniform,requests=50000,arrival=burst:10000:20:80");
    while (ds_gen_next(g, q, NULL) == 1) {
        REQUIRE(q->time_us % 100000 < 20000, "burst: %lld is in an OFF window",
                (long long)q->time_us);
        last = q->time_us;
    }
    /* 50000 at 10000/s during 20% of the time: about 25 s */
    ck_assert_msg(llabs(last - 25000000) < 500000, "burst ends at %lld", (long long)last);
    free(q);
    ds_gen_close(g);
}
END_TEST

/* load=1: YCSB's load step, a SET of every key in index order, then the requests. */
START_TEST(test_load_phase_sets_every_key_first) {
    ds_gen *g = open_ok("ycsb-b,keys=300,requests=1000,clients=4,size=uniform:10:20,load=1");
    ds_trace_req *q = req_new();
    uint64_t i = 0, sizes[300] = {0};
    while (ds_gen_next(g, q, NULL) == 1) {
        REQUIRE(q->line == i + 1, "line %llu", (unsigned long long)q->line);
        if (i < 300) {
            REQUIRE(q->op == DS_OP_SET && key_index(&q->keys[0]) == i, "load record %llu",
                    (unsigned long long)i);
            sizes[i] = q->size;
        } else {
            uint64_t k = key_index(&q->keys[0]);
            REQUIRE(q->size == sizes[k], "key %llu: size %llu, loaded with %llu",
                    (unsigned long long)k, (unsigned long long)q->size,
                    (unsigned long long)sizes[k]);
        }
        i++;
    }
    ck_assert_uint_eq(i, 1300);
    free(q);
    ds_gen_close(g);
}
END_TEST

START_TEST(test_multi_key_commands_name_distinct_keys) {
    ds_gen *g = open_ok("zipf:0.99,keys=1000,requests=2000,mix=mget:1/exec:1,mget-keys=8,"
                        "exec-keys=3");
    ds_trace_req *q = req_new();
    while (ds_gen_next(g, q, NULL) == 1) {
        REQUIRE(q->nkeys == (q->op == DS_OP_MGET ? 8u : 3u), "nkeys %u", q->nkeys);
        REQUIRE(q->size == 100, "size %llu", (unsigned long long)q->size); /* the object's */
        for (uint32_t i = 0; i < q->nkeys; i++) {
            REQUIRE(q->keys[i].len == 11, "key length %u", q->keys[i].len); /* "k%010llu" */
            for (uint32_t j = 0; j < i; j++)
                REQUIRE(key_index(&q->keys[i]) != key_index(&q->keys[j]), "duplicate key");
        }
    }
    free(q);
    ds_gen_close(g);
}
END_TEST

START_TEST(test_bad_specs_are_rejected_naming_the_option) {
    static const char *const bad[][2] = {
        {"", "empty"},
        {"zipf:abc", "model"},
        {"zipf:1", "model"},
        {"zipf:-0.5", "model"},
        {"pareto", "model"},
        {"ycsb-e", "scans"},
        {"uniform,keys=0", "keys"},
        {"uniform,keys=-5", "keys"},
        {"uniform,keys=1e13", "keys"},
        {"uniform,keys", "keys"},
        {"uniform,requests=0", "requests"},
        {"uniform,mix=get:0", "mix"},
        {"uniform,mix=put:1", "mix"},
        {"uniform,mix=get:-1", "mix"},
        {"uniform,mix=get", "mix"},
        {"uniform,size=fixed:0", "size"},
        {"uniform,size=uniform:9:3", "size"},
        {"uniform,size=weird:1", "size"},
        {"uniform,ttl=-1", "ttl"},
        {"uniform,ttl=5:2", "ttl"},
        {"uniform,clients=0", "clients"},
        {"uniform,assign=foo", "assign"},
        {"uniform,arrival=poisson:0", "arrival"},
        {"uniform,arrival=burst:10:0:5", "arrival"},
        {"uniform,arrival=fixed", "arrival"},
        {"uniform,mget-keys=5000", "mget-keys"},
        {"uniform,colour=red", "colour"},
        {"hotspot:0.2", "model"},
        {"hotspot:0.0001:0.5,keys=100", "hotspot"},
        {"uniform,seed=x", "seed"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ds_err err = {{0}};
        ds_gen_opts o;
        ds_status st = ds_gen_opts_parse(&o, bad[i][0], &err);
        if (st == DS_OK) st = ds_gen_opts_validate(&o, &err);
        ck_assert_msg(st == DS_ERR_CONFIG, "'%s' accepted", bad[i][0]);
        ck_assert_msg(strstr(err.msg, bad[i][1]) != NULL, "'%s': message '%s' lacks '%s'",
                      bad[i][0], err.msg, bad[i][1]);
        memset(&err, 0, sizeof(err));
        ck_assert_ptr_null(ds_gen_open_spec(bad[i][0], &err));
        ck_assert_msg(err.msg[0] != '\0', "'%s': no message", bad[i][0]);
    }
}
END_TEST

START_TEST(test_effective_spec_parses_back_to_same_stream) {
    ds_gen_opts o;
    ds_err err = {{0}};
    ck_assert_int_eq(ds_gen_opts_parse(&o,
                                       "ycsb-d,keys=777,size=pareto:100:1.5,clients=3,"
                                       "arrival=burst:500:10:30,ttl=9:0.5,seed=12",
                                       &err),
                     DS_OK);
    char spec[1024];
    ds_gen_opts_format(&o, spec, sizeof(spec));
    ds_gen *g1 = ds_gen_open_opts(&o, &err), *g2 = open_ok(spec);
    ck_assert_ptr_nonnull(g1);
    ds_trace_req *a = req_new(), *b = req_new();
    for (int i = 0; i < 500; i++) {
        REQUIRE(ds_gen_next(g1, a, NULL) == 1 && ds_gen_next(g2, b, NULL) == 1, "ended");
        REQUIRE(a->time_us == b->time_us && a->size == b->size && a->op == b->op &&
                    key_index(&a->keys[0]) == key_index(&b->keys[0]),
                "record %d differs", i);
    }
    free(a);
    free(b);
    ds_gen_close(g1);
    ds_gen_close(g2);
}
END_TEST

static int count_lines(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

START_TEST(test_main_gen_flags_override_spec_and_bad_args_exit_2) {
    char path[] = "/tmp/test_gen_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char *ok[] = {"gen",        "zipf:0.99,requests=100",
                  "--keys",     "10000",
                  "--requests", "50",
                  "--seed=3",   "--quiet",
                  "-o",         path};
    ck_assert_int_eq(ds_main_gen(10, ok), 0);
    ck_assert_int_eq(count_lines(path), 51); /* header + 50: the flag won */
    char *bad1[] = {"gen", "zipf:0.99", "--keys", "zero", "-o", path};
    ck_assert_int_eq(ds_main_gen(6, bad1), 2);
    char *bad2[] = {"gen", "--keys", "10"};
    ck_assert_int_eq(ds_main_gen(3, bad2), 2);
    char *bad3[] = {"gen", "nonsense:1", "-o", path};
    ck_assert_int_eq(ds_main_gen(4, bad3), 2);
    char *bad4[] = {"gen", "uniform", "--requests"};
    ck_assert_int_eq(ds_main_gen(3, bad4), 2);
    unlink(path);
}
END_TEST

static Suite *gen_suite(void) {
    Suite *s = suite_create("gen");
    TCase *tc = tcase_create("gen");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_zeta_closed_form_matches_direct_sum);
    tcase_add_test(tc, test_zipf_rank_frequencies_follow_theory);
    tcase_add_test(tc, test_scramble_is_a_bijection);
    tcase_add_test(tc, test_zipf_large_keyspace_top_ranks);
    tcase_add_test(tc, test_uniform_chi_square);
    tcase_add_test(tc, test_hotspot_fractions);
    tcase_add_test(tc, test_mix_proportions);
    tcase_add_test(tc, test_ycsb_presets_proportions);
    tcase_add_test(tc, test_ycsb_d_latest_reads_recent_inserts);
    tcase_add_test(tc, test_same_seed_same_sequence_other_seed_differs);
    tcase_add_test(tc, test_sizes_ttls_and_clients);
    tcase_add_test(tc, test_arrival_processes);
    tcase_add_test(tc, test_multi_key_commands_name_distinct_keys);
    tcase_add_test(tc, test_load_phase_sets_every_key_first);
    tcase_add_test(tc, test_bad_specs_are_rejected_naming_the_option);
    tcase_add_test(tc, test_effective_spec_parses_back_to_same_stream);
    tcase_add_test(tc, test_main_gen_flags_override_spec_and_bad_args_exit_2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(gen_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
