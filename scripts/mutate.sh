#!/usr/bin/env bash
# scripts/mutate.sh: mutation testing of core/'s rules (SQLite's testing practice). Not in CI.
#
# Each mutant below is one small bug in a rule of DESIGN.md section 2 or README's design notes,
# written as FILE + an exact search text + its replacement (robust to unrelated refactors: if
# the text is gone the script stops with "mutant N does not apply", and the mutant must be
# rewritten for the new code). Mutants are applied one at a time in a scratch copy of the
# tracked files (never in this tree), built, and run against the Check suites, core suites
# first; the first suite that fails (or crashes, or times out) kills the mutant. The script
# prints which suite killed each and exits 1 if any survives (2 when it cannot run).
#
#   scripts/mutate.sh            every mutant        MUTANTS="3 7" scripts/mutate.sh   a few
set -u
root=$(git rev-parse --show-toplevel 2>/dev/null) || { echo "mutate: not in a git tree" >&2; exit 2; }
JOBS=${JOBS:-2}
# Core suites first (they kill most mutants fast). Never: a timing-sensitive real-clock suite
# (a slow machine would "kill" mutants for it) and the sweep script's suite (scripts, not core).
FIRST="test_guards test_rules test_rules_io test_sched test_evict test_commands test_races"
SKIP="test_real_iolat test_sweep"

MUTANTS_SPEC=$(cat <<'SPEC'
@@ core/sched.c | rule 4: a LOAD is queued behind its key's SAVE (issue 8)
-    bool behind_save = (io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG)) != 0;
+    bool behind_save = false;
@@ core/sched.c | rule 4: a LOAD is not pushed while its key's SAVE is scheduled (issue 8)
-        return s->env.cfg->load_priority == DS_LOAD_ALWAYS_HEAD || !(io->flags & DS_FLAG_SAVE);
+        return true;
@@ core/sched.c | rule 4: a LOAD is not pushed while its key's SAVE is in progress
-        if (io->flags & (DS_FLAG_LOADINPROG | DS_FLAG_SAVEINPROG)) return false;
+        if (io->flags & DS_FLAG_LOADINPROG) return false;
@@ core/sched.c | rule 3: no SAVE is pushed while a SAVE of the key is in progress
-    return !(io->flags & DS_FLAG_SAVEINPROG) || s->env.cfg->concurrent_saves;
+    return true;
@@ core/sched.c | rule 3: a SAVE waits cache-flush-delay unless pushed ASAP
-    return op->type == OPQ_SAVE && !asap && op->due_us > now_us;
+    return op->type == OPQ_SAVE && !asap && now_us < 0;
@@ core/sched.c | rule 1: no second LOAD while one is scheduled or running
-    if (io->flags & (DS_FLAG_LOAD | DS_FLAG_LOADINPROG)) return;
+    if (io->flags & DS_FLAG_LOADINPROG) return;
@@ core/sched.c | design note 4: a LOAD moves to the head when its key's SAVE completes
-    if (!io->load.queued || (io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG))) return;
+    return;
@@ core/sched.c | rule 4: at most max-io-jobs jobs in flight
-    uint32_t max = s->env.cfg->max_io_jobs;
+    uint32_t max = s->env.cfg->max_io_jobs + 1;
@@ core/sched.c | rule 2: a write to a key with a SAVE scheduled is coalesced
-    if (io->flags & DS_FLAG_SAVE) {
-        assert(io->save.queued);
-        s->env.st->saves_coalesced++;
+    if (io->flags & DS_FLAG_SAVE) {
+        assert(io->save.queued);
@@ core/cache_io.c | rule 9, design note 3: a parked command pins the keys it did not load (issue 8)
-    ds_ioent *io = ds_c_io_get(c, h, k->p, k->len);
-    if (!io) return DS_ERR_NOMEM;
+    if (ds_ks_find(&c->ks, h, k->p, k->len)) return DS_OK;
+    ds_ioent *io = ds_c_io_get(c, h, k->p, k->len);
+    if (!io) return DS_ERR_NOMEM;
@@ core/cache_io.c | rule 6, design note 1: a LOAD that a write overtook does not add its value
-        if ((!in_mem && !newer_write) || c->cfg.load_ignores_writes)
+        if (!in_mem || c->cfg.load_ignores_writes)
@@ core/cache_io.c | rule 6: not-found sets no negative entry while a SAVE is scheduled or running
-    bool saving = (io->flags & (DS_FLAG_SAVE | DS_FLAG_SAVEINPROG)) != 0;
+    bool saving = false;
@@ core/cache_io.c | rule 7: the DEL pin is released when the disk delete completes
-            if (n) ds_neg_unpin(&c->neg, n);
+            (void)n;
@@ core/cache_io.c | failed SAVE: the retry backoff doubles
-            backoff_ms *= SAVE_RETRY_GROWTH;
+            backoff_ms *= 1;
@@ core/cache_io.c | rule 9: a parked key known absent counts as resolved
-    bool known_absent = !e && c->cfg.negcache && ds_neg_find(&c->neg, h, k->p, k->len);
+    bool known_absent = false;
@@ core/keyspace.c | accounting: an overwrite is charged the new value's size (issue 8)
-        account(ks, ds_ks_charge(len, v), ds_ks_charge(len, e->val));
+        account(ks, ds_ks_charge(len, e->val), ds_ks_charge(len, e->val));
@@ core/keyspace.c | accounting: removing an entry frees its charge
-    account(ks, 0, ds_ks_charge(e->node.keylen, e->val));
+    account(ks, 0, 0);
@@ core/negcache.c | rule 7: eviction never drops a pinned DEL entry (issue 8)
-    return ((const ds_negent *)t)->pinned;
+    return ((const ds_negent *)t)->pinned && false;
@@ core/negcache.c | rule 7: a DEL's negative entry is pinned
-    if (pinned) e->pinned = true;
+    (void)pinned;
@@ core/cache.c | rule 7: DEL marks the key absent, pinned
-        ds_c_neg_set(c, h, key, len, true);
+        ds_c_neg_set(c, h, key, len, false);
@@ core/cache.c | rule 7: a SET clears the key's negative entry
-    if (n) ds_neg_del(&c->neg, n);
+    (void)n;
@@ core/cache.c | rule 6, design note 1: a write during a LOAD marks the LOAD stale
-    if (io->flags & DS_FLAG_LOADINPROG) io->written_in_load = true;
+    (void)0;
@@ core/cache.c | design note 2: a write cancels its key's queued LOAD
-    ds_c_cancel_queued_load(c, io); /* the entry is linked: ds_c_put or ds_c_io_get did it */
+    (void)0;
@@ core/cache.c | rule 3: a write's SAVE is due cache-flush-delay later
-    ds_sched_schedule_save(&c->sched, io, ds_now(c) + c->cfg.flush_delay_ms * US_PER_MS);
+    ds_sched_schedule_save(&c->sched, io, ds_now(c));
@@ core/cache.c | rule 1: a key marked absent is answered with no IO
-    if (c->cfg.negcache && ds_neg_find(&c->neg, h, key, len)) {
+    if (0) {
@@ core/evict.h | rule 8: eviction skips keys with IO state
-    if (e->io == NULL || ev->busy_ok) return false;
+    if (e->io == NULL || ev->busy_ok || true) return false;
SPEC
)

# ---- parse: N\tFILE\tDESCRIPTION, search and replacement into $work/spec/N.{s,r} ----
work=$(mktemp -d "${TMPDIR:-/tmp}/dslab-mutate.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/spec" "$work/tree"
printf '%s\n' "$MUTANTS_SPEC" | awk -v dir="$work/spec" '
    /^@@ / { n++; split(substr($0, 4), a, " \\| "); print n "\t" a[1] "\t" a[2] > (dir "/index"); next }
    /^-/ { print substr($0, 2) > (dir "/" n ".s"); next }
    /^\+/ { print substr($0, 2) > (dir "/" n ".r"); next }'
total=$(wc -l <"$work/spec/index")

(cd "$root" && git ls-files -z | tar --null -T - -cf -) | (cd "$work/tree" && tar xf -) || exit 2
cd "$work/tree" || exit 2
B=build-mut
suites=$FIRST
for t in tests/test_*.c; do
    s=$(basename "$t" .c)
    case " $FIRST $SKIP " in *" $s "*) ;; *) suites="$suites $s" ;; esac
done

# apply N: replace the one occurrence of N.s in FILE by N.r (perl-base is always on Debian).
apply() {
    S="$work/spec/$1.s" R="$work/spec/$1.r" perl -0777 -e '
        local $/; open my $f, "<", $ENV{S} or die; my $s = <$f>; close $f;
        open $f, "<", $ENV{R} or die; my $r = <$f>; close $f;
        my $t = <>; my $c = () = $t =~ /\Q$s\E/g;
        if ($c != 1) { print $t; exit 3 }
        $t =~ s/\Q$s\E/$r/; print $t;' "$2"
}

run_suites() { # prints the first suite that fails, or nothing; "BUILD" when it does not build
    make -s -j"$JOBS" BUILD=$B "$B/libdslab.a" "$B/libdssim.a" >/dev/null 2>&1 || { echo BUILD; return; }
    for s in $suites; do
        make -s -j"$JOBS" BUILD=$B "$B/tests/$s" >/dev/null 2>&1 || { echo "$s (build)"; return; }
        timeout 300 "$B/tests/$s" >/dev/null 2>&1 || { echo "$s"; return; }
    done
}

echo "mutate: $total mutants, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD)"
make -s -j"$JOBS" BUILD=$B "$B/libdslab.a" "$B/libdssim.a" >/dev/null 2>&1 \
    || { echo "mutate: the unmutated tree does not build" >&2; exit 2; }
base=$(run_suites)
[ -z "$base" ] || { echo "mutate: the unmutated tree fails $base" >&2; exit 2; }
killed=0 survived=0
while IFS=$'\t' read -r n file what; do
    [ -n "${MUTANTS:-}" ] && case " $MUTANTS " in *" $n "*) ;; *) continue ;; esac
    cp "$file" "$work/orig"
    if ! apply "$n" "$file" >"$work/mutated"; then
        echo "mutate: mutant $n does not apply: its text is not (exactly once) in $file" >&2
        exit 2
    fi
    cp "$work/mutated" "$file"
    by=$(run_suites)
    cp "$work/orig" "$file"
    if [ "$by" = BUILD ]; then
        echo "mutate: mutant $n does not build: rewrite it for the current $file" >&2
        exit 2
    fi
    if [ -n "$by" ]; then
        killed=$((killed + 1))
        printf 'mutant %2d killed by %-26s %s: %s\n' "$n" "$by" "$file" "$what"
    else
        survived=$((survived + 1))
        printf 'mutant %2d SURVIVED                            %s: %s\n' "$n" "$file" "$what"
    fi
done <"$work/spec/index"
echo "mutate: $killed killed, $survived survived"
[ "$survived" -eq 0 ]
