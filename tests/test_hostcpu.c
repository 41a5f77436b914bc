/*
 * test_hostcpu.c - the host-cpu bookkeeping (sim/hostcpu.c): who holds a core and who gets
 * the next one. The rules pinned here are the model's: a free core is taken at once; when
 * every core is busy the main thread waits first in line, ahead of IO threads that asked
 * before it; IO threads wait in FIFO order; a released core nobody waits for is idle.
 */
#include <check.h>
#include <string.h>

#include "hostcpu.h"
#include "testmain.h"

START_TEST(test_free_cores_are_taken_at_once) {
    ds_hostcpu h;
    ck_assert(ds_hostcpu_init(&h, 2, 4));
    ck_assert(ds_hostcpu_io_want(&h, 0));
    ck_assert(ds_hostcpu_main_want(&h));
    ck_assert_uint_eq(h.busy, 2);
    ck_assert(!ds_hostcpu_io_want(&h, 1)); /* both busy: waits */
    ck_assert_uint_eq(ds_hostcpu_release(&h), 1);
    ck_assert_uint_eq(h.busy, 2); /* passed on, still busy */
    ck_assert_uint_eq(ds_hostcpu_release(&h), DS_HOSTCPU_NONE);
    ck_assert_uint_eq(ds_hostcpu_release(&h), DS_HOSTCPU_NONE);
    ck_assert_uint_eq(h.busy, 0);
    ds_hostcpu_free(&h);
}
END_TEST

START_TEST(test_main_thread_goes_first_then_io_fifo) {
    ds_hostcpu h;
    ck_assert(ds_hostcpu_init(&h, 1, 4));
    ck_assert(ds_hostcpu_io_want(&h, 3));
    ck_assert(!ds_hostcpu_io_want(&h, 1));
    ck_assert(!ds_hostcpu_io_want(&h, 2));
    ck_assert(!ds_hostcpu_main_want(&h)); /* asked last, served first */
    ck_assert_uint_eq(ds_hostcpu_release(&h), DS_HOSTCPU_MAIN);
    ck_assert_uint_eq(ds_hostcpu_release(&h), 1);
    ck_assert_uint_eq(ds_hostcpu_release(&h), 2);
    ck_assert_uint_eq(ds_hostcpu_release(&h), DS_HOSTCPU_NONE);
    /* a free core is not taken out of turn while others wait */
    ck_assert(ds_hostcpu_io_want(&h, 0));
    ck_assert(!ds_hostcpu_io_want(&h, 1));
    ds_hostcpu_free(&h);
}
END_TEST

START_TEST(test_model_parse_and_format) {
    ds_host_model m;
    ds_err err = {{0}};
    ck_assert(ds_host_model_parse("none", &m, &err) == DS_OK);
    ck_assert_uint_eq(m.cpus, 0);
    ck_assert(ds_host_model_parse("cpus=2,get=0.25,set=0.5", &m, &err) == DS_OK);
    ck_assert_uint_eq(m.cpus, 2);
    ck_assert(m.share[0] == 0.25 && m.share[1] == 0.5 && m.share[2] == 0);
    char buf[128];
    ds_host_model_format(&m, buf, sizeof buf);
    ck_assert_str_eq(buf, "cpus=2,get=0.25,set=0.5,del=0");
    ds_host_model back;
    ck_assert(ds_host_model_parse(buf, &back, &err) == DS_OK);
    ck_assert(back.cpus == m.cpus && back.share[1] == m.share[1]);
    ck_assert(ds_host_model_parse("cpus=0", &m, &err) != DS_OK);
    ck_assert(ds_host_model_parse("cpus=2,del=-0.1", &m, &err) != DS_OK);
    ck_assert(ds_host_model_parse("cpus=2,get", &m, &err) != DS_OK);
    ck_assert_msg(strstr(err.msg, "get") != NULL, "%s", err.msg);
}
END_TEST

/* preempt: an IO thread the running main thread wakes takes the main thread's core, even with
 * a core idle (it runs where its waker ran); the main thread then waits first in line, and the
 * idle core goes to the next IO thread that wants one. */
START_TEST(test_io_wake_preempts_the_main_thread) {
    ds_hostcpu h;
    ck_assert(ds_hostcpu_init(&h, 2, 4));
    ck_assert(ds_hostcpu_main_want(&h));
    ck_assert_int_eq(ds_hostcpu_io_wake(&h, 0, true), DS_HC_PREEMPT);
    ck_assert_uint_eq(h.busy, 1); /* the core changed hands */
    ck_assert(h.main_waits);
    ck_assert_int_eq(ds_hostcpu_io_wake(&h, 1, true), DS_HC_RUN); /* the idle core */
    ck_assert_uint_eq(h.busy, 2);
    ck_assert_int_eq(ds_hostcpu_io_wake(&h, 2, false), DS_HC_WAIT);
    ck_assert_uint_eq(ds_hostcpu_release(&h), DS_HOSTCPU_MAIN); /* main first, then IO FIFO */
    ck_assert_uint_eq(ds_hostcpu_release(&h), 2);
    /* without the draw, a woken IO thread takes a free core or waits its turn */
    ck_assert_uint_eq(ds_hostcpu_release(&h), DS_HOSTCPU_NONE);
    ck_assert_int_eq(ds_hostcpu_io_wake(&h, 3, false), DS_HC_RUN);
    /* a main thread that waits and no longer wants a core leaves the line */
    ck_assert(!ds_hostcpu_main_want(&h));
    ds_hostcpu_main_cancel(&h);
    ck_assert_uint_eq(ds_hostcpu_release(&h), DS_HOSTCPU_NONE);
    ds_hostcpu_free(&h);
}
END_TEST

START_TEST(test_model_preempt_parse_and_format) {
    ds_host_model m;
    ds_err err = {{0}};
    ck_assert(ds_host_model_parse("cpus=2,get=0.5,preempt=0.4", &m, &err) == DS_OK);
    ck_assert(m.preempt == 0.4);
    char buf[128];
    ds_host_model_format(&m, buf, sizeof buf);
    ck_assert_str_eq(buf, "cpus=2,get=0.5,set=0,del=0,preempt=0.4");
    ck_assert(ds_host_model_parse("cpus=2,preempt=1.5", &m, &err) != DS_OK);
    ck_assert_msg(strstr(err.msg, "preempt") != NULL, "%s", err.msg);
    ck_assert(ds_host_model_parse("cpus=2,preempt=x", &m, &err) != DS_OK);
}
END_TEST

int main(void) {
    Suite *s = suite_create("hostcpu");
    TCase *tc = tcase_create("hostcpu");
    tcase_add_test(tc, test_free_cores_are_taken_at_once);
    tcase_add_test(tc, test_main_thread_goes_first_then_io_fifo);
    tcase_add_test(tc, test_model_parse_and_format);
    tcase_add_test(tc, test_io_wake_preempts_the_main_thread);
    tcase_add_test(tc, test_model_preempt_parse_and_format);
    suite_add_tcase(s, tc);
    return ds_test_run(s);
}
