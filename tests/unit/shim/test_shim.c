/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run-time callout API (Fwps*): registration, unregistration with grace
 * periods, notifications, and their interplay with the management objects.
 * No EAL: rte_rcu_qsbr works on plain memory.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <rte_rcu_qsbr.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir.h>

#include "classify/snapshot.h"
#include "shim/registry.h"

#define ok(x) assert_int_equal((x), STATUS_SUCCESS)
#define st(x, want) assert_int_equal((x), (want))

static const GUID KEY_A = {0xa0a0a0a0, 0xa0a0, 0x40a0, {0x80, 1, 2, 3, 4, 5, 6, 7}};
static const GUID KEY_B = {0xb0b0b0b0, 0xb0b0, 0x40b0, {0x80, 1, 2, 3, 4, 5, 6, 8}};
static int device_token;
#define DEV ((void *)&device_token)

static void classify0(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *m,
                      void *ld, const FWPS_FILTER0 *f, UINT64 fc, FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)m, (void)ld, (void)f, (void)fc;
	out->actionType = FWP_ACTION_PERMIT;
}

static void classify1(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *m,
                      void *ld, const void *cc, const FWPS_FILTER1 *f, UINT64 fc,
                      FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)m, (void)ld, (void)cc, (void)f, (void)fc;
	out->actionType = FWP_ACTION_CONTINUE;
}

static void classify2(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *m,
                      void *ld, const void *cc, const FWPS_FILTER2 *f, UINT64 fc,
                      FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)m, (void)ld, (void)cc, (void)f, (void)fc;
	out->actionType = FWP_ACTION_CONTINUE;
}

static void classify3(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *m,
                      void *ld, const void *cc, const FWPS_FILTER3 *f, UINT64 fc,
                      FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)m, (void)ld, (void)cc, (void)f, (void)fc;
	out->actionType = FWP_ACTION_CONTINUE;
}

/* notifyFn recorder */
static struct {
	int add, del, post;
	NTSTATUS add_result;
	UINT64 set_context;
	UINT64 last_filter_id;
} nt;

static NTSTATUS notify1(FWPS_CALLOUT_NOTIFY_TYPE type, const GUID *key, FWPS_FILTER1 *filter)
{
	(void)key;
	nt.last_filter_id = filter->filterId;
	switch (type) {
	case FWPS_CALLOUT_NOTIFY_ADD_FILTER:
		nt.add++;
		if (nt.set_context)
			filter->context = nt.set_context;
		return nt.add_result;
	case FWPS_CALLOUT_NOTIFY_DELETE_FILTER:
		nt.del++;
		return STATUS_SUCCESS;
	case FWPS_CALLOUT_NOTIFY_ADD_FILTER_POST_COMMIT:
		nt.post++;
		return STATUS_SUCCESS;
	default:
		return STATUS_SUCCESS;
	}
}

static HANDLE eng;

static int setup(void **state)
{
	FWPM_SESSION0 s = {0};

	(void)state;
	memset(&nt, 0, sizeof(nt));
	s.flags = FWPM_SESSION_FLAG_DYNAMIC;
	ok(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &eng));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	FwpsCalloutUnregisterByKey0(&KEY_A);
	FwpsCalloutUnregisterByKey0(&KEY_B);
	ok(FwpmEngineClose0(eng));
	return 0;
}

static NTSTATUS reg1(const GUID *key, UINT32 flags, UINT32 *id)
{
	FWPS_CALLOUT1 c = {0};

	c.calloutKey = *key;
	c.flags = flags;
	c.classifyFn = classify1;
	c.notifyFn = notify1;
	return FwpsCalloutRegister1(DEV, &c, id);
}

static NTSTATUS add_mgmt(const GUID *key, UINT32 *id)
{
	FWPM_CALLOUT0 c = {0};

	c.calloutKey = *key;
	c.displayData.name = L"c";
	c.applicableLayer = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	return FwpmCalloutAdd0(eng, &c, NULL, id);
}

static NTSTATUS add_filter(const GUID *callout, FWP_ACTION_TYPE type, UINT64 *id)
{
	FWPM_FILTER0 f = {0};

	f.displayData.name = L"f";
	f.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	f.action.type = type;
	f.action.calloutKey = *callout;
	f.rawContext = 7;
	return FwpmFilterAdd0(eng, &f, NULL, id);
}

static bool registered_flag(const GUID *key)
{
	FWPM_CALLOUT0 *c = NULL;
	bool r;

	ok(FwpmCalloutGetByKey0(eng, key, &c));
	r = c->flags & FWPM_CALLOUT_FLAG_REGISTERED;
	FwpmFreeMemory0((void **)&c);
	return r;
}

static void t_register_then_add_same_id(void **state)
{
	UINT32 rid = 0, mid = 0;

	(void)state;
	ok(reg1(&KEY_A, 0, &rid));
	ok(add_mgmt(&KEY_A, &mid));
	assert_int_equal(rid, mid);
	assert_true(registered_flag(&KEY_A));
}

static void t_add_then_register_same_id(void **state)
{
	UINT32 rid = 0, mid = 0;

	(void)state;
	ok(add_mgmt(&KEY_B, &mid));
	assert_false(registered_flag(&KEY_B));
	ok(reg1(&KEY_B, 0, &rid));
	assert_int_equal(rid, mid);
	assert_true(registered_flag(&KEY_B));
	ok(FwpsCalloutUnregisterById0(rid));
	assert_false(registered_flag(&KEY_B));
}

static void t_register_errors(void **state)
{
	FWPS_CALLOUT0 c0 = {0};
	FWPS_CALLOUT1 c1 = {0};
	FWPS_CALLOUT2 c2 = {0};
	FWPS_CALLOUT3 c3 = {0};
	UINT32 id;

	(void)state;
	c0.calloutKey = KEY_A;
	c0.classifyFn = classify0;
	st(FwpsCalloutRegister0(NULL, &c0, &id), STATUS_FWP_NULL_POINTER);
	st(FwpsCalloutRegister0(DEV, NULL, &id), STATUS_FWP_NULL_POINTER);
	c0.classifyFn = NULL;
	st(FwpsCalloutRegister0(DEV, &c0, &id), STATUS_FWP_NULL_POINTER);
	c0.classifyFn = classify0;
	memset(&c0.calloutKey, 0, sizeof(GUID));
	st(FwpsCalloutRegister0(DEV, &c0, &id), STATUS_INVALID_PARAMETER);
	c0.calloutKey = KEY_A;
	/* flags the struct version does not know */
	c0.flags = FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY;
	st(FwpsCalloutRegister0(DEV, &c0, &id), STATUS_FWP_INVALID_FLAGS);
	c1.calloutKey = KEY_A;
	c1.classifyFn = classify1;
	c1.flags = FWP_CALLOUT_FLAG_ALLOW_RSC;
	st(FwpsCalloutRegister1(DEV, &c1, &id), STATUS_FWP_INVALID_FLAGS);
	c2.calloutKey = KEY_A;
	c2.classifyFn = classify2;
	c2.flags = FWP_CALLOUT_FLAG_ALLOW_USO;
	st(FwpsCalloutRegister2(DEV, &c2, &id), STATUS_FWP_INVALID_FLAGS);
	c2.flags = FWP_CALLOUT_FLAG_ALLOW_RSC | FWP_CALLOUT_FLAG_ALLOW_L2_BATCH_CLASSIFY;
	ok(FwpsCalloutRegister2(DEV, &c2, &id));
	st(FwpsCalloutRegister2(DEV, &c2, &id), STATUS_FWP_ALREADY_EXISTS);
	ok(FwpsCalloutUnregisterById0(id));
	c3.calloutKey = KEY_A;
	c3.classifyFn = classify3;
	c3.flags = FWP_CALLOUT_FLAG_ALLOW_USO | FWP_CALLOUT_FLAG_ALLOW_URO;
	ok(FwpsCalloutRegister3(DEV, &c3, NULL));
	c0.flags = FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW | FWP_CALLOUT_FLAG_ALLOW_OFFLOAD;
	st(FwpsCalloutRegister0(DEV, &c0, &id), STATUS_FWP_ALREADY_EXISTS);
	c0.calloutKey = KEY_B;
	ok(FwpsCalloutRegister0(DEV, &c0, &id));
}

static void t_unregister_errors(void **state)
{
	UINT32 id;

	(void)state;
	st(FwpsCalloutUnregisterById0(0), STATUS_FWP_CALLOUT_NOT_FOUND);
	st(FwpsCalloutUnregisterById0(123456), STATUS_FWP_CALLOUT_NOT_FOUND);
	st(FwpsCalloutUnregisterByKey0(NULL), STATUS_FWP_NULL_POINTER);
	st(FwpsCalloutUnregisterByKey0(&KEY_A), STATUS_FWP_CALLOUT_NOT_FOUND);
	ok(reg1(&KEY_A, 0, &id));
	ok(FwpsCalloutUnregisterByKey0(&KEY_A));
	st(FwpsCalloutUnregisterByKey0(&KEY_A), STATUS_FWP_CALLOUT_NOT_FOUND);
	st(FwpsCalloutUnregisterById0(id), STATUS_FWP_CALLOUT_NOT_FOUND);
}

static void t_unregister_device_busy(void **state)
{
	struct weir_callout_reg *r;
	UINT32 id;

	(void)state;
	ok(reg1(&KEY_A, 0, &id));
	r = weir_registry_get(id);
	assert_non_null(r);
	atomic_fetch_add(&r->contexts, 1);
	st(FwpsCalloutUnregisterById0(id), STATUS_DEVICE_BUSY);
	/* it stays registered */
	assert_non_null(weir_snapshot_callout(weir_snapshot_current(), id));
	assert_true(weir_device_has_registrations(DEV));
	atomic_fetch_sub(&r->contexts, 1);
	ok(FwpsCalloutUnregisterById0(id));
	assert_null(weir_snapshot_callout(weir_snapshot_current(), id));
	assert_false(weir_device_has_registrations(DEV));
}

static void t_snapshot_table(void **state)
{
	UINT32 id;
	struct weir_callout_reg *r;

	(void)state;
	ok(reg1(&KEY_A, FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY, &id));
	r = weir_snapshot_callout(weir_snapshot_current(), id);
	assert_non_null(r);
	assert_int_equal(r->version, 1);
	assert_int_equal(r->flags, FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY);
	assert_ptr_equal(r->device, DEV);
}

static void t_notify_add_and_context(void **state)
{
	UINT32 id;
	UINT64 fid;
	const struct weir_layer_policy *lp;

	(void)state;
	ok(reg1(&KEY_A, 0, &id));
	ok(add_mgmt(&KEY_A, NULL));
	nt.set_context = 0x5151;
	ok(add_filter(&KEY_A, FWP_ACTION_CALLOUT_TERMINATING, &fid));
	assert_int_equal(nt.add, 1);
	assert_int_equal(nt.last_filter_id, fid);
	lp = &weir_snapshot_current()->policy->layers[WEIR_LAYER_INBOUND_TRANSPORT_V4];
	assert_int_equal(lp->n_filters, 1);
	assert_int_equal(lp->filters[0]->rt.context, 0x5151);
	assert_int_equal(lp->filters[0]->rt.action.calloutId, id);
	ok(FwpmFilterDeleteById0(eng, fid));
	assert_int_equal(nt.del, 1);
}

static void t_notify_refuses(void **state)
{
	UINT64 fid = 0;
	FWPM_FILTER0 *f = NULL;

	(void)state;
	ok(reg1(&KEY_A, 0, NULL));
	ok(add_mgmt(&KEY_A, NULL));
	nt.add_result = STATUS_UNSUCCESSFUL;
	st(add_filter(&KEY_A, FWP_ACTION_CALLOUT_INSPECTION, &fid),
	   STATUS_FWP_CALLOUT_NOTIFICATION_FAILED);
	assert_int_equal(nt.add, 1);
	assert_int_equal(nt.del, 0);
	assert_int_equal(
	    weir_snapshot_current()->policy->layers[WEIR_LAYER_INBOUND_TRANSPORT_V4].n_filters, 0);
	st(FwpmFilterGetById0(eng, fid, &f), STATUS_FWP_FILTER_NOT_FOUND);
}

static void t_notify_post_commit(void **state)
{
	(void)state;
	ok(reg1(&KEY_A, FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY, NULL));
	ok(reg1(&KEY_B, 0, NULL));
	ok(add_mgmt(&KEY_A, NULL));
	ok(add_mgmt(&KEY_B, NULL));
	ok(FwpmTransactionBegin0(eng, 0));
	ok(add_filter(&KEY_A, FWP_ACTION_CALLOUT_INSPECTION, NULL));
	assert_int_equal(nt.add, 1);
	assert_int_equal(nt.post, 0);
	ok(add_filter(&KEY_B, FWP_ACTION_CALLOUT_INSPECTION, NULL));
	ok(FwpmTransactionCommit0(eng));
	/* only the callout that asked for it */
	assert_int_equal(nt.post, 1);
	assert_int_equal(nt.add, 2);
}

static void t_notify_abort_and_replay(void **state)
{
	UINT64 fid;

	(void)state;
	ok(add_mgmt(&KEY_A, NULL));
	/* filter added before registration: no ADD replay ... */
	ok(add_filter(&KEY_A, FWP_ACTION_CALLOUT_UNKNOWN, &fid));
	ok(reg1(&KEY_A, 0, NULL));
	assert_int_equal(nt.add, 0);
	/* ... but DELETE is delivered */
	ok(FwpmFilterDeleteById0(eng, fid));
	assert_int_equal(nt.del, 1);
	/* an aborted add gets its DELETE too */
	ok(FwpmTransactionBegin0(eng, 0));
	ok(add_filter(&KEY_A, FWP_ACTION_CALLOUT_UNKNOWN, &fid));
	assert_int_equal(nt.add, 1);
	ok(FwpmTransactionAbort0(eng));
	assert_int_equal(nt.del, 2);
	/* a delete inside a transaction is notified at commit */
	ok(add_filter(&KEY_A, FWP_ACTION_CALLOUT_UNKNOWN, &fid));
	ok(FwpmTransactionBegin0(eng, 0));
	ok(FwpmFilterDeleteById0(eng, fid));
	assert_int_equal(nt.del, 2);
	ok(FwpmTransactionCommit0(eng));
	assert_int_equal(nt.del, 3);
}

static void t_filters_stay_after_unregister(void **state)
{
	UINT32 id;
	UINT64 fid;
	const struct weir_snapshot *s;

	(void)state;
	ok(reg1(&KEY_A, 0, &id));
	ok(add_mgmt(&KEY_A, NULL));
	ok(add_filter(&KEY_A, FWP_ACTION_CALLOUT_TERMINATING, &fid));
	ok(FwpsCalloutUnregisterById0(id));
	s = weir_snapshot_current();
	assert_int_equal(s->policy->layers[WEIR_LAYER_INBOUND_TRANSPORT_V4].n_filters, 1);
	assert_null(weir_snapshot_callout(s, id));
	/* and a DELETE after unregistration reaches nobody */
	ok(FwpmFilterDeleteById0(eng, fid));
	assert_int_equal(nt.del, 0);
}

/* Grace period: a worker holding the old snapshot delays unregistration. */
static struct rte_rcu_qsbr *qs;
static atomic_int worker_holding, worker_release, unreg_done;
static UINT32 grace_id;

static void *worker(void *arg)
{
	const struct weir_snapshot *s;

	(void)arg;
	rte_rcu_qsbr_thread_register(qs, 0);
	rte_rcu_qsbr_thread_online(qs, 0);
	s = weir_snapshot_current();
	assert_non_null(weir_snapshot_callout(s, grace_id));
	atomic_store(&worker_holding, 1);
	while (!atomic_load(&worker_release))
		rte_pause();
	/* unregistration must still be waiting for us */
	assert_int_equal(atomic_load(&unreg_done), 0);
	rte_rcu_qsbr_quiescent(qs, 0);
	rte_rcu_qsbr_thread_offline(qs, 0);
	rte_rcu_qsbr_thread_unregister(qs, 0);
	return NULL;
}

static void *unregisterer(void *arg)
{
	NTSTATUS s = FwpsCalloutUnregisterById0(grace_id);

	(void)arg;
	atomic_store(&unreg_done, 1);
	return (void *)(intptr_t)s;
}

static void t_unregister_grace_period(void **state)
{
	pthread_t w, u;
	void *ret;
	struct timespec d = {0, 30 * 1000000};
	size_t sz = rte_rcu_qsbr_get_memsize(1);

	(void)state;
	qs = aligned_alloc(RTE_CACHE_LINE_SIZE,
	                   (sz + RTE_CACHE_LINE_SIZE - 1) & ~(size_t)(RTE_CACHE_LINE_SIZE - 1));
	assert_non_null(qs);
	assert_int_equal(rte_rcu_qsbr_init(qs, 1), 0);
	ok(reg1(&KEY_A, 0, &grace_id));
	weir_snapshot_attach_rcu(qs);
	atomic_store(&worker_holding, 0);
	atomic_store(&worker_release, 0);
	atomic_store(&unreg_done, 0);
	pthread_create(&w, NULL, worker, NULL);
	while (!atomic_load(&worker_holding))
		rte_pause();
	pthread_create(&u, NULL, unregisterer, NULL);
	nanosleep(&d, NULL);
	/* meanwhile: the same callout is busy; the engine is not locked */
	st(FwpsCalloutUnregisterById0(grace_id), STATUS_FWP_IN_USE);
	st(reg1(&KEY_A, 0, NULL), STATUS_FWP_IN_USE);
	assert_true(weir_device_has_registrations(DEV));
	assert_int_equal(atomic_load(&unreg_done), 0);
	atomic_store(&worker_release, 1);
	pthread_join(w, NULL);
	pthread_join(u, &ret);
	ok((NTSTATUS)(intptr_t)ret);
	weir_snapshot_attach_rcu(NULL);
	free(qs);
	ok(reg1(&KEY_A, 0, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(t_register_then_add_same_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_add_then_register_same_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_register_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_unregister_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_unregister_device_busy, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_snapshot_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_notify_add_and_context, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_notify_refuses, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_notify_post_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_notify_abort_and_replay, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filters_stay_after_unregister, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_unregister_grace_period, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
