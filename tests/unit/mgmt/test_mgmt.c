/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Management API (Fwpm*): sessions, transactions, objects and every status
 * code they return. No EAL.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir.h>

#include "classify/snapshot.h"
#include "mgmt/engine.h"

#define ok(x) assert_int_equal((x), STATUS_SUCCESS)
#define st(x, want) assert_int_equal((x), (want))

static const GUID PROV = {0x11111111, 0x1111, 0x1111, {1, 1, 1, 1, 1, 1, 1, 1}};
static const GUID SUBL = {0x22222222, 0x2222, 0x2222, {2, 2, 2, 2, 2, 2, 2, 2}};
static const GUID CALL = {0x33333333, 0x3333, 0x3333, {3, 3, 3, 3, 3, 3, 3, 3}};
static const GUID FILT = {0x44444444, 0x4444, 0x4444, {4, 4, 4, 4, 4, 4, 4, 4}};
static const GUID NOPE = {0x55555555, 0x5555, 0x5555, {5, 5, 5, 5, 5, 5, 5, 5}};

static HANDLE open_session(UINT32 flags, UINT32 wait_ms)
{
	FWPM_SESSION0 s = {0};
	HANDLE h = NULL;

	s.flags = flags;
	s.txnWaitTimeoutInMSec = wait_ms;
	ok(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h));
	assert_non_null(h);
	return h;
}

/* Each test gets a fresh dynamic session: its objects vanish at close. */
static int setup(void **state)
{
	*state = open_session(FWPM_SESSION_FLAG_DYNAMIC, 0);
	return 0;
}

static int teardown(void **state)
{
	ok(FwpmEngineClose0(*state));
	return 0;
}

static NTSTATUS add_provider(HANDLE h, const GUID *key)
{
	FWPM_PROVIDER0 p = {0};

	p.providerKey = *key;
	p.displayData.name = L"prov";
	return FwpmProviderAdd0(h, &p, NULL);
}

static NTSTATUS add_sublayer(HANDLE h, const GUID *key, UINT16 weight, const GUID *prov)
{
	FWPM_SUBLAYER0 sl = {0};

	sl.subLayerKey = *key;
	sl.displayData.name = L"sublayer";
	sl.weight = weight;
	sl.providerKey = (GUID *)prov;
	return FwpmSubLayerAdd0(h, &sl, NULL);
}

static NTSTATUS add_callout(HANDLE h, const GUID *key, const GUID *layer, UINT32 *id)
{
	FWPM_CALLOUT0 c = {0};

	c.calloutKey = *key;
	c.displayData.name = L"callout";
	c.applicableLayer = *layer;
	return FwpmCalloutAdd0(h, &c, NULL, id);
}

/* A filter at inbound-transport-v4 with optional single condition. */
static void filter_init(FWPM_FILTER0 *f, FWP_ACTION_TYPE action)
{
	memset(f, 0, sizeof(*f));
	f->displayData.name = L"filter";
	f->layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	f->action.type = action;
}

static NTSTATUS add_block(HANDLE h, UINT64 *id)
{
	FWPM_FILTER0 f;

	filter_init(&f, FWP_ACTION_BLOCK);
	return FwpmFilterAdd0(h, &f, NULL, id);
}

/* Sessions --------------------------------------------------------------- */

static void t_open_close(void **state)
{
	HANDLE h = NULL;

	(void)state;
	ok(FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, NULL, &h));
	ok(FwpmEngineClose0(h));
}

static void t_open_errors(void **state)
{
	FWPM_SESSION0 s = {0};
	HANDLE h = (HANDLE)1;

	(void)state;
	st(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, NULL), STATUS_FWP_NULL_POINTER);
	st(FwpmEngineOpen0(L"remote", RPC_C_AUTHN_WINNT, NULL, NULL, &h), STATUS_INVALID_PARAMETER);
	assert_null(h);
	st(FwpmEngineOpen0(NULL, 9, NULL, NULL, &h), STATUS_INVALID_PARAMETER);
	s.flags = 0x80;
	st(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h), STATUS_INVALID_PARAMETER);
}

static void t_bad_handles(void **state)
{
	HANDLE h = open_session(0, 0);
	int x;

	(void)state;
	ok(FwpmEngineClose0(h));
	st(FwpmEngineClose0(h), STATUS_INVALID_HANDLE);
	st(FwpmEngineClose0(NULL), STATUS_INVALID_HANDLE);
	st(FwpmEngineClose0(&x), STATUS_INVALID_HANDLE);
	st(FwpmTransactionBegin0(&x, 0), STATUS_INVALID_HANDLE);
	st(FwpmTransactionCommit0(&x), STATUS_INVALID_HANDLE);
	st(FwpmTransactionAbort0(&x), STATUS_INVALID_HANDLE);
	st(add_provider(&x, &PROV), STATUS_INVALID_HANDLE);
	st(add_block(&x, NULL), STATUS_INVALID_HANDLE);
	st(weir_engine_check_handle(&x), STATUS_INVALID_HANDLE);
}

/* Transactions ----------------------------------------------------------- */

static void t_txn_codes(void **state)
{
	HANDLE h = *state;

	st(FwpmTransactionCommit0(h), STATUS_FWP_NO_TXN_IN_PROGRESS);
	st(FwpmTransactionAbort0(h), STATUS_FWP_NO_TXN_IN_PROGRESS);
	st(FwpmTransactionBegin0(h, 0x8), STATUS_INVALID_PARAMETER);
	ok(FwpmTransactionBegin0(h, 0));
	st(FwpmTransactionBegin0(h, 0), STATUS_FWP_TXN_IN_PROGRESS);
	ok(FwpmTransactionCommit0(h));
	st(FwpmTransactionCommit0(h), STATUS_FWP_NO_TXN_IN_PROGRESS);
}

static void t_txn_read_only(void **state)
{
	HANDLE h = *state;
	FWPM_SUBLAYER0 *sl = NULL;

	ok(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY));
	st(add_provider(h, &PROV), STATUS_FWP_INCOMPATIBLE_TXN);
	st(add_block(h, NULL), STATUS_FWP_INCOMPATIBLE_TXN);
	st(weir_layer_set_default(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, FWP_ACTION_BLOCK),
	   STATUS_FWP_INCOMPATIBLE_TXN);
	/* reads work */
	ok(FwpmSubLayerGetByKey0(h, &FWPM_SUBLAYER_UNIVERSAL, &sl));
	FwpmFreeMemory0((void **)&sl);
	ok(FwpmTransactionCommit0(h));
}

static void t_txn_abort_rolls_back_adds(void **state)
{
	HANDLE h = *state;
	FWPM_PROVIDER0 *p = NULL;
	FWPM_FILTER0 *f = NULL;
	UINT64 fid = 0;
	UINT32 cid = 0;
	FWP_ACTION_TYPE a;

	ok(FwpmTransactionBegin0(h, 0));
	ok(add_provider(h, &PROV));
	ok(add_sublayer(h, &SUBL, 10, &PROV));
	ok(add_callout(h, &CALL, &FWPM_LAYER_INBOUND_TRANSPORT_V4, &cid));
	ok(add_block(h, &fid));
	ok(weir_layer_set_default(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, FWP_ACTION_BLOCK));
	/* the transaction sees its own changes */
	ok(FwpmFilterGetById0(h, fid, &f));
	FwpmFreeMemory0((void **)&f);
	ok(FwpmTransactionAbort0(h));
	st(FwpmProviderGetByKey0(h, &PROV, &p), STATUS_FWP_PROVIDER_NOT_FOUND);
	st(FwpmFilterGetById0(h, fid, &f), STATUS_FWP_FILTER_NOT_FOUND);
	st(FwpmCalloutGetById0(h, cid, NULL), STATUS_FWP_NULL_POINTER);
	{
		FWPM_CALLOUT0 *c = NULL;

		st(FwpmCalloutGetByKey0(h, &CALL, &c), STATUS_FWP_CALLOUT_NOT_FOUND);
	}
	ok(weir_layer_get_default(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, &a));
	assert_int_equal(a, FWP_ACTION_PERMIT);
	/* the aborted keys can be added again */
	ok(add_provider(h, &PROV));
}

static void t_txn_abort_rolls_back_deletes(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 *f = NULL;
	UINT64 fid = 0;

	ok(add_block(h, &fid));
	ok(FwpmTransactionBegin0(h, 0));
	ok(FwpmFilterDeleteById0(h, fid));
	st(FwpmFilterGetById0(h, fid, &f), STATUS_FWP_FILTER_NOT_FOUND);
	ok(FwpmTransactionAbort0(h));
	ok(FwpmFilterGetById0(h, fid, &f));
	assert_int_equal(f->filterId, fid);
	FwpmFreeMemory0((void **)&f);
}

static void t_txn_failed_call_does_not_doom(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f, *g = NULL;
	UINT64 a = 0, b = 0;

	ok(FwpmTransactionBegin0(h, 0));
	ok(add_block(h, &a));
	filter_init(&f, FWP_ACTION_CONTINUE);
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_ACTION_TYPE);
	ok(add_block(h, &b));
	ok(FwpmTransactionCommit0(h));
	ok(FwpmFilterGetById0(h, a, &g));
	FwpmFreeMemory0((void **)&g);
	ok(FwpmFilterGetById0(h, b, &g));
	FwpmFreeMemory0((void **)&g);
}

static void t_txn_isolation(void **state)
{
	HANDLE h = *state;
	HANDLE other = open_session(0, 0);
	FWPM_FILTER0 *f = NULL;
	UINT64 fid = 0;
	uint64_t gen = weir_policy_generation();

	ok(FwpmTransactionBegin0(h, 0));
	ok(add_block(h, &fid));
	/* readers never see half a transaction: they wait (here: not at all) */
	st(FwpmFilterGetById0(other, fid, &f), STATUS_FWP_TIMEOUT);
	st(add_provider(other, &NOPE), STATUS_FWP_TIMEOUT);
	st(FwpmTransactionBegin0(other, 0), STATUS_FWP_TIMEOUT);
	/* nor does the data path */
	assert_int_equal(weir_policy_generation(), gen);
	ok(FwpmTransactionCommit0(h));
	assert_true(weir_policy_generation() > gen);
	ok(FwpmFilterGetById0(other, fid, &f));
	FwpmFreeMemory0((void **)&f);
	ok(FwpmEngineClose0(other));
}

static void t_txn_wait_timeout(void **state)
{
	HANDLE h = *state;
	HANDLE other = open_session(0, 50);
	struct timespec a, b;
	long ms;

	ok(FwpmTransactionBegin0(h, 0));
	clock_gettime(CLOCK_MONOTONIC, &a);
	st(add_provider(other, &NOPE), STATUS_FWP_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 45);
	ok(FwpmTransactionAbort0(h));
	ok(FwpmEngineClose0(other));
}

static void *waiter(void *arg)
{
	HANDLE other = arg;

	return (void *)(intptr_t)add_provider(other, &NOPE);
}

static void t_txn_wait_infinite(void **state)
{
	HANDLE h = *state;
	HANDLE other = open_session(FWPM_SESSION_FLAG_DYNAMIC, INFINITE);
	pthread_t t;
	void *ret;
	struct timespec d = {0, 20 * 1000000};

	ok(FwpmTransactionBegin0(h, 0));
	ok(add_provider(h, &PROV));
	assert_int_equal(pthread_create(&t, NULL, waiter, other), 0);
	nanosleep(&d, NULL);
	ok(FwpmTransactionCommit0(h));
	pthread_join(t, &ret);
	ok((NTSTATUS)(intptr_t)ret);
	ok(FwpmEngineClose0(other));
}

static void t_close_aborts_txn(void **state)
{
	HANDLE h = open_session(0, 0);
	FWPM_PROVIDER0 *p = NULL;

	ok(FwpmTransactionBegin0(h, 0));
	ok(add_provider(h, &NOPE));
	ok(FwpmEngineClose0(h));
	st(FwpmProviderGetByKey0(*state, &NOPE, &p), STATUS_FWP_PROVIDER_NOT_FOUND);
}

static void t_dynamic_session(void **state)
{
	HANDLE d = open_session(FWPM_SESSION_FLAG_DYNAMIC, 0);
	HANDLE h = *state;
	FWPM_FILTER0 *f = NULL;
	FWPM_SUBLAYER0 *sl = NULL;
	UINT64 fid = 0;

	ok(add_provider(d, &NOPE));
	ok(add_sublayer(d, &SUBL, 5, &NOPE));
	ok(add_block(d, &fid));
	ok(FwpmEngineClose0(d));
	st(FwpmFilterGetById0(h, fid, &f), STATUS_FWP_FILTER_NOT_FOUND);
	st(FwpmSubLayerGetByKey0(h, &SUBL, &sl), STATUS_FWP_SUBLAYER_NOT_FOUND);
}

static void t_dynamic_close_during_other_txn(void **state)
{
	HANDLE d = open_session(FWPM_SESSION_FLAG_DYNAMIC, 0);
	HANDLE h = *state;
	FWPM_PROVIDER0 *p = NULL;

	ok(add_provider(d, &NOPE));
	ok(FwpmTransactionBegin0(h, 0));
	/* closing never blocks: its objects go once the engine is free */
	ok(FwpmEngineClose0(d));
	ok(FwpmProviderGetByKey0(h, &NOPE, &p));
	FwpmFreeMemory0((void **)&p);
	ok(FwpmTransactionCommit0(h));
	st(FwpmProviderGetByKey0(h, &NOPE, &p), STATUS_FWP_PROVIDER_NOT_FOUND);
}

/* Providers and sublayers ------------------------------------------------ */

static void t_provider(void **state)
{
	HANDLE h = *state;
	FWPM_PROVIDER0 p = {0}, *got = NULL;
	UINT8 data[3] = {1, 2, 3};

	st(FwpmProviderAdd0(h, NULL, NULL), STATUS_FWP_NULL_POINTER);
	p.providerKey = PROV;
	st(FwpmProviderAdd0(h, &p, NULL), STATUS_FWP_NULL_DISPLAY_NAME);
	p.displayData.name = L"weir test";
	p.displayData.description = L"desc";
	p.providerData.size = 3;
	p.providerData.data = data;
	p.serviceName = L"svc";
	ok(FwpmProviderAdd0(h, &p, NULL));
	st(FwpmProviderAdd0(h, &p, NULL), STATUS_FWP_ALREADY_EXISTS);
	memset(&p.providerKey, 0, sizeof(GUID));
	st(FwpmProviderAdd0(h, &p, NULL), STATUS_INVALID_PARAMETER);
	ok(FwpmProviderGetByKey0(h, &PROV, &got));
	assert_true(wcscmp(got->displayData.name, L"weir test") == 0);
	assert_true(wcscmp(got->displayData.description, L"desc") == 0);
	assert_true(wcscmp(got->serviceName, L"svc") == 0);
	assert_int_equal(got->providerData.size, 3);
	assert_memory_equal(got->providerData.data, data, 3);
	FwpmFreeMemory0((void **)&got);
	assert_null(got);
	st(FwpmProviderGetByKey0(h, &NOPE, &got), STATUS_FWP_PROVIDER_NOT_FOUND);
	st(FwpmProviderGetByKey0(h, NULL, &got), STATUS_FWP_NULL_POINTER);
	st(FwpmProviderDeleteByKey0(h, &NOPE), STATUS_FWP_PROVIDER_NOT_FOUND);
	st(FwpmProviderDeleteByKey0(h, NULL), STATUS_FWP_NULL_POINTER);
	ok(add_sublayer(h, &SUBL, 1, &PROV));
	st(FwpmProviderDeleteByKey0(h, &PROV), STATUS_FWP_IN_USE);
	ok(FwpmSubLayerDeleteByKey0(h, &SUBL));
	ok(FwpmProviderDeleteByKey0(h, &PROV));
}

static void t_sublayer(void **state)
{
	HANDLE h = *state;
	FWPM_SUBLAYER0 *got = NULL;
	FWPM_FILTER0 f;

	st(FwpmSubLayerAdd0(h, NULL, NULL), STATUS_FWP_NULL_POINTER);
	st(add_sublayer(h, &SUBL, 7, &NOPE), STATUS_FWP_PROVIDER_NOT_FOUND);
	ok(add_sublayer(h, &SUBL, 7, NULL));
	st(add_sublayer(h, &SUBL, 7, NULL), STATUS_FWP_ALREADY_EXISTS);
	ok(FwpmSubLayerGetByKey0(h, &SUBL, &got));
	assert_int_equal(got->weight, 7);
	assert_null(got->providerKey);
	FwpmFreeMemory0((void **)&got);
	st(FwpmSubLayerGetByKey0(h, &NOPE, &got), STATUS_FWP_SUBLAYER_NOT_FOUND);
	st(FwpmSubLayerDeleteByKey0(h, &NOPE), STATUS_FWP_SUBLAYER_NOT_FOUND);
	st(FwpmSubLayerDeleteByKey0(h, &FWPM_SUBLAYER_UNIVERSAL), STATUS_FWP_BUILTIN_OBJECT);
	filter_init(&f, FWP_ACTION_PERMIT);
	f.subLayerKey = SUBL;
	f.filterKey = FILT;
	ok(FwpmFilterAdd0(h, &f, NULL, NULL));
	st(FwpmSubLayerDeleteByKey0(h, &SUBL), STATUS_FWP_IN_USE);
	ok(FwpmFilterDeleteByKey0(h, &FILT));
	ok(FwpmSubLayerDeleteByKey0(h, &SUBL));
}

static void t_sublayer_name_required(void **state)
{
	FWPM_SUBLAYER0 sl = {0};

	sl.subLayerKey = SUBL;
	st(FwpmSubLayerAdd0(*state, &sl, NULL), STATUS_FWP_NULL_DISPLAY_NAME);
	memset(&sl.subLayerKey, 0, sizeof(GUID));
	sl.displayData.name = L"x";
	st(FwpmSubLayerAdd0(*state, &sl, NULL), STATUS_INVALID_PARAMETER);
}

/* Callouts --------------------------------------------------------------- */

static void t_callout_add_get(void **state)
{
	HANDLE h = *state;
	FWPM_CALLOUT0 c = {0}, *got = NULL;
	UINT32 id = 0, id2 = 0;

	st(FwpmCalloutAdd0(h, NULL, NULL, &id), STATUS_FWP_NULL_POINTER);
	c.calloutKey = CALL;
	c.applicableLayer = FWPM_LAYER_STREAM_V4;
	st(FwpmCalloutAdd0(h, &c, NULL, &id), STATUS_FWP_NULL_DISPLAY_NAME);
	c.displayData.name = L"watch";
	ok(FwpmCalloutAdd0(h, &c, NULL, &id));
	assert_true(id != 0);
	st(FwpmCalloutAdd0(h, &c, NULL, &id2), STATUS_FWP_ALREADY_EXISTS);
	ok(FwpmCalloutGetById0(h, id, &got));
	assert_memory_equal(&got->calloutKey, &CALL, sizeof(GUID));
	assert_memory_equal(&got->applicableLayer, &FWPM_LAYER_STREAM_V4, sizeof(GUID));
	assert_int_equal(got->calloutId, id);
	assert_false(got->flags & FWPM_CALLOUT_FLAG_REGISTERED);
	FwpmFreeMemory0((void **)&got);
	ok(FwpmCalloutGetByKey0(h, &CALL, &got));
	assert_int_equal(got->calloutId, id);
	FwpmFreeMemory0((void **)&got);
	st(FwpmCalloutGetById0(h, 999999, &got), STATUS_FWP_CALLOUT_NOT_FOUND);
	st(FwpmCalloutGetByKey0(h, &NOPE, &got), STATUS_FWP_CALLOUT_NOT_FOUND);
	st(FwpmCalloutGetByKey0(h, NULL, &got), STATUS_FWP_NULL_POINTER);
}

static void t_callout_generated_key(void **state)
{
	HANDLE h = *state;
	FWPM_CALLOUT0 c = {0}, *got = NULL;
	UINT32 a = 0, b = 0;
	static const GUID zero;

	c.displayData.name = L"anon";
	c.applicableLayer = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	ok(FwpmCalloutAdd0(h, &c, NULL, &a));
	ok(FwpmCalloutAdd0(h, &c, NULL, &b));
	assert_true(a != b);
	ok(FwpmCalloutGetById0(h, a, &got));
	assert_memory_not_equal(&got->calloutKey, &zero, sizeof(GUID));
	FwpmFreeMemory0((void **)&got);
	/* id is optional */
	c.calloutKey = CALL;
	ok(FwpmCalloutAdd0(h, &c, NULL, NULL));
}

static void t_callout_errors(void **state)
{
	HANDLE h = *state;
	FWPM_CALLOUT0 c = {0};

	c.calloutKey = CALL;
	c.displayData.name = L"c";
	c.applicableLayer = NOPE;
	st(FwpmCalloutAdd0(h, &c, NULL, NULL), STATUS_FWP_LAYER_NOT_FOUND);
	c.applicableLayer = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	c.flags = 0x1;
	st(FwpmCalloutAdd0(h, &c, NULL, NULL), STATUS_FWP_INVALID_FLAGS);
	c.flags = 0;
	c.providerKey = (GUID *)&NOPE;
	st(FwpmCalloutAdd0(h, &c, NULL, NULL), STATUS_FWP_PROVIDER_NOT_FOUND);
}

/* A minimal valid self-relative security descriptor: owner SID S-1-5-18. */
static const uint8_t SD[] = {1, 0, 0x04, 0x80, 20,   0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0,
                             0, 0, 0,    0,    0x01, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};

static void t_security_descriptor(void **state)
{
	HANDLE h = *state;
	FWPM_CALLOUT0 c = {0};
	uint8_t bad[20] = {9};
	UINT64 fid;
	FWPM_FILTER0 f;

	c.calloutKey = CALL;
	c.displayData.name = L"c";
	c.applicableLayer = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	st(FwpmCalloutAdd0(h, &c, bad, NULL), STATUS_INVALID_PARAMETER);
	ok(FwpmCalloutAdd0(h, &c, (PSECURITY_DESCRIPTOR)SD, NULL));
	filter_init(&f, FWP_ACTION_BLOCK);
	st(FwpmFilterAdd0(h, &f, bad, &fid), STATUS_INVALID_PARAMETER);
	ok(FwpmFilterAdd0(h, &f, (PSECURITY_DESCRIPTOR)SD, &fid));
}

static void t_callout_delete(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f;
	UINT32 id = 0;
	UINT64 fid = 0;

	ok(add_callout(h, &CALL, &FWPM_LAYER_INBOUND_TRANSPORT_V4, &id));
	filter_init(&f, FWP_ACTION_CALLOUT_TERMINATING);
	f.action.calloutKey = CALL;
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	st(FwpmCalloutDeleteById0(h, id), STATUS_FWP_IN_USE);
	st(FwpmCalloutDeleteByKey0(h, &CALL), STATUS_FWP_IN_USE);
	ok(FwpmFilterDeleteById0(h, fid));
	ok(FwpmCalloutDeleteById0(h, id));
	st(FwpmCalloutDeleteById0(h, id), STATUS_FWP_CALLOUT_NOT_FOUND);
	st(FwpmCalloutDeleteByKey0(h, &CALL), STATUS_FWP_CALLOUT_NOT_FOUND);
	st(FwpmCalloutDeleteByKey0(h, NULL), STATUS_FWP_NULL_POINTER);
	/* re-adding keeps the run-time id of that GUID */
	{
		UINT32 again = 0;

		ok(add_callout(h, &CALL, &FWPM_LAYER_INBOUND_TRANSPORT_V4, &again));
		assert_int_equal(again, id);
	}
}

/* Filters ---------------------------------------------------------------- */

static void t_filter_add_get(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f, *got = NULL;
	FWPM_FILTER_CONDITION0 c[2];
	FWP_V4_ADDR_AND_MASK am = {0x0a000000, 0xff000000};
	UINT64 fid = 0, w = 77;

	filter_init(&f, FWP_ACTION_PERMIT);
	f.filterKey = FILT;
	f.displayData.description = L"d";
	c[0] = (FWPM_FILTER_CONDITION0){
	    .fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS,
	    .matchType = FWP_MATCH_EQUAL,
	    .conditionValue = {.type = FWP_V4_ADDR_MASK, .v4AddrMask = &am}};
	c[1] = (FWPM_FILTER_CONDITION0){.fieldKey = FWPM_CONDITION_IP_PROTOCOL,
	                                .matchType = FWP_MATCH_EQUAL,
	                                .conditionValue = {.type = FWP_UINT8, .uint8 = 6}};
	f.numFilterConditions = 2;
	f.filterCondition = c;
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = &w;
	f.rawContext = 0xabc;
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	assert_true(fid != 0);
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_ALREADY_EXISTS);
	ok(FwpmFilterGetById0(h, fid, &got));
	assert_int_equal(got->filterId, fid);
	assert_int_equal(got->numFilterConditions, 2);
	assert_int_equal(got->filterCondition[0].conditionValue.v4AddrMask->mask, 0xff000000);
	assert_int_equal(got->filterCondition[1].conditionValue.uint8, 6);
	assert_int_equal(got->effectiveWeight.type, FWP_UINT64);
	assert_int_equal(*got->effectiveWeight.uint64, 77);
	assert_int_equal(got->rawContext, 0xabc);
	assert_true(wcscmp(got->displayData.name, L"filter") == 0);
	FwpmFreeMemory0((void **)&got);
	ok(FwpmFilterGetByKey0(h, &FILT, &got));
	assert_int_equal(got->filterId, fid);
	FwpmFreeMemory0((void **)&got);
	st(FwpmFilterGetByKey0(h, &NOPE, &got), STATUS_FWP_FILTER_NOT_FOUND);
	st(FwpmFilterGetById0(h, 0, &got), STATUS_FWP_FILTER_NOT_FOUND);
	st(FwpmFilterGetById0(h, fid, NULL), STATUS_FWP_NULL_POINTER);
}

static void t_filter_refs_errors(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f;
	UINT32 id;

	st(FwpmFilterAdd0(h, NULL, NULL, NULL), STATUS_FWP_NULL_POINTER);
	filter_init(&f, FWP_ACTION_BLOCK);
	f.displayData.name = NULL;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_NULL_DISPLAY_NAME);
	filter_init(&f, FWP_ACTION_BLOCK);
	f.layerKey = NOPE;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_LAYER_NOT_FOUND);
	filter_init(&f, FWP_ACTION_BLOCK);
	f.subLayerKey = NOPE;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_SUBLAYER_NOT_FOUND);
	filter_init(&f, FWP_ACTION_BLOCK);
	f.providerKey = (GUID *)&NOPE;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_PROVIDER_NOT_FOUND);
	filter_init(&f, FWP_ACTION_CALLOUT_INSPECTION);
	f.action.calloutKey = NOPE;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_CALLOUT_NOT_FOUND);
	ok(add_callout(h, &CALL, &FWPM_LAYER_STREAM_V4, &id));
	f.action.calloutKey = CALL;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INCOMPATIBLE_LAYER);
	filter_init(&f, FWP_ACTION_CONTINUE);
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_ACTION_TYPE);
	filter_init(&f, 0x1234);
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_ACTION_TYPE);
}

static void t_filter_flags(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f;
	UINT32 id;

	filter_init(&f, FWP_ACTION_BLOCK);
	f.flags = 0x8000;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_FLAGS);
	f.flags = FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_FLAGS);
	ok(add_callout(h, &CALL, &FWPM_LAYER_INBOUND_TRANSPORT_V4, &id));
	filter_init(&f, FWP_ACTION_CALLOUT_INSPECTION);
	f.action.calloutKey = CALL;
	f.flags = FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_FLAGS);
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	ok(FwpmFilterAdd0(h, &f, NULL, NULL));
	f.action.type = FWP_ACTION_CALLOUT_UNKNOWN;
	f.flags |= FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT;
	ok(FwpmFilterAdd0(h, &f, NULL, NULL));
}

static void t_filter_weight_forms(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f, *got = NULL;
	UINT64 fid, w = 5;

	filter_init(&f, FWP_ACTION_BLOCK);
	f.weight.type = FWP_UINT8;
	f.weight.uint8 = 16;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_WEIGHT);
	f.weight.type = FWP_UINT32;
	f.weight.uint32 = 1;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_WEIGHT);
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = NULL;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_NULL_POINTER);
	f.weight.uint64 = &w;
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	f.weight.type = FWP_UINT8;
	f.weight.uint8 = 15;
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	ok(FwpmFilterGetById0(h, fid, &got));
	assert_int_equal(*got->effectiveWeight.uint64 >> 60, 15);
	assert_int_equal(got->weight.type, FWP_UINT8);
	FwpmFreeMemory0((void **)&got);
	f.weight.type = FWP_EMPTY;
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	ok(FwpmFilterGetById0(h, fid, &got));
	assert_int_equal(*got->effectiveWeight.uint64 >> 60, 0);
	FwpmFreeMemory0((void **)&got);
}

static UINT64 added_weight(HANDLE h, FWPM_FILTER_CONDITION0 *c, UINT32 n)
{
	FWPM_FILTER0 f, *got = NULL;
	UINT64 fid, w;

	filter_init(&f, FWP_ACTION_BLOCK);
	f.numFilterConditions = n;
	f.filterCondition = c;
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	ok(FwpmFilterGetById0(h, fid, &got));
	w = *got->effectiveWeight.uint64;
	FwpmFreeMemory0((void **)&got);
	return w;
}

static void t_filter_auto_weight(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER_CONDITION0 c[2];
	FWP_V4_ADDR_AND_MASK m8 = {0x0a000000, 0xff000000}, m24 = {0x0a000100, 0xffffff00};
	UINT64 none, p8, p24, p24proto;

	none = added_weight(h, NULL, 0);
	c[0] = (FWPM_FILTER_CONDITION0){
	    .fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS,
	    .matchType = FWP_MATCH_EQUAL,
	    .conditionValue = {.type = FWP_V4_ADDR_MASK, .v4AddrMask = &m8}};
	p8 = added_weight(h, c, 1);
	c[0].conditionValue.v4AddrMask = &m24;
	p24 = added_weight(h, c, 1);
	c[1] = (FWPM_FILTER_CONDITION0){.fieldKey = FWPM_CONDITION_IP_PROTOCOL,
	                                .matchType = FWP_MATCH_EQUAL,
	                                .conditionValue = {.type = FWP_UINT8, .uint8 = 17}};
	p24proto = added_weight(h, c, 2);
	/* more specific filters weigh more */
	assert_true(none < p8);
	assert_true(p8 < p24);
	assert_true(p24 < p24proto);
}

static void t_filter_condition_errors(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c;
	FWP_RANGE0 r;
	FWP_V4_ADDR_AND_MASK am = {0x0a000000, 0xff00ff00};
	FWP_V6_ADDR_AND_MASK a6 = {{0x20, 0x01}, 129};

	filter_init(&f, FWP_ACTION_BLOCK);
	f.numFilterConditions = 1;
	f.filterCondition = NULL;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_NULL_POINTER);
	f.filterCondition = &c;
	/* a field the layer lacks */
	memset(&c, 0, sizeof(c));
	c.fieldKey = FWPM_CONDITION_ETHER_TYPE;
	c.conditionValue.type = FWP_UINT16;
	c.conditionValue.uint16 = 0x800;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_CONDITION_NOT_FOUND);
	/* value type not valid for the field */
	c.fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c.conditionValue.type = FWP_UINT16;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_TYPE_MISMATCH);
	c.conditionValue.type = FWP_V6_ADDR_MASK;
	c.conditionValue.v6AddrMask = &a6;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_TYPE_MISMATCH);
	/* match type not valid for the value */
	c.conditionValue.type = FWP_UINT32;
	c.conditionValue.uint32 = 1;
	c.matchType = FWP_MATCH_RANGE;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_MATCH_TYPE_MISMATCH);
	c.matchType = FWP_MATCH_PREFIX;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_MATCH_TYPE_MISMATCH);
	c.matchType = (FWP_MATCH_TYPE)99;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_MATCH_TYPE_MISMATCH);
	/* masks */
	c.matchType = FWP_MATCH_EQUAL;
	c.conditionValue.type = FWP_V4_ADDR_MASK;
	c.conditionValue.v4AddrMask = &am;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_NET_MASK);
	c.matchType = FWP_MATCH_GREATER;
	am.mask = 0xffff0000;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_MATCH_TYPE_MISMATCH);
	c.conditionValue.v4AddrMask = NULL;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_NULL_POINTER);
	/* ranges */
	c = (FWPM_FILTER_CONDITION0){.fieldKey = FWPM_CONDITION_IP_PROTOCOL,
	                             .matchType = FWP_MATCH_RANGE,
	                             .conditionValue = {.type = FWP_RANGE_TYPE, .rangeValue = &r}};
	r.valueLow.type = FWP_UINT8;
	r.valueLow.uint8 = 17;
	r.valueHigh.type = FWP_UINT8;
	r.valueHigh.uint8 = 6;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_RANGE);
	r.valueHigh.type = FWP_UINT16;
	r.valueHigh.uint16 = 60;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_TYPE_MISMATCH);
	r.valueHigh.type = FWP_UINT8;
	r.valueHigh.uint8 = 17;
	c.matchType = FWP_MATCH_EQUAL;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_MATCH_TYPE_MISMATCH);
	c.matchType = FWP_MATCH_RANGE;
	ok(FwpmFilterAdd0(h, &f, NULL, NULL));
}

static void t_filter_v6_and_flags(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f, *got = NULL;
	FWPM_FILTER_CONDITION0 c[3];
	FWP_V6_ADDR_AND_MASK a6 = {{0x20, 0x01, 0x0d, 0xb8}, 32};
	FWP_BYTE_ARRAY16 exact = {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
	UINT64 fid;

	filter_init(&f, FWP_ACTION_BLOCK);
	f.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V6;
	c[0] = (FWPM_FILTER_CONDITION0){
	    .fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS,
	    .matchType = FWP_MATCH_EQUAL,
	    .conditionValue = {.type = FWP_V6_ADDR_MASK, .v6AddrMask = &a6}};
	/* consecutive same field: ORed */
	c[1] = (FWPM_FILTER_CONDITION0){
	    .fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS,
	    .matchType = FWP_MATCH_EQUAL,
	    .conditionValue = {.type = FWP_BYTE_ARRAY16_TYPE, .byteArray16 = &exact}};
	c[2] = (FWPM_FILTER_CONDITION0){.fieldKey = WEIR_CONDITION_TCP_FLAGS,
	                                .matchType = FWP_MATCH_FLAGS_ALL_SET,
	                                .conditionValue = {.type = FWP_UINT8, .uint8 = 0x12}};
	f.numFilterConditions = 3;
	f.filterCondition = c;
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	ok(FwpmFilterGetById0(h, fid, &got));
	assert_int_equal(got->filterCondition[0].conditionValue.v6AddrMask->prefixLength, 32);
	assert_memory_equal(got->filterCondition[1].conditionValue.byteArray16, &exact, 16);
	FwpmFreeMemory0((void **)&got);
	c[1].conditionValue.byteArray16 = NULL;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_NULL_POINTER);
	a6.prefixLength = 200;
	c[1].conditionValue.byteArray16 = &exact;
	st(FwpmFilterAdd0(h, &f, NULL, NULL), STATUS_FWP_INVALID_NET_MASK);
}

static void t_filter_delete(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f;
	UINT64 fid;

	st(FwpmFilterDeleteById0(h, 424242), STATUS_FWP_FILTER_NOT_FOUND);
	st(FwpmFilterDeleteByKey0(h, &NOPE), STATUS_FWP_FILTER_NOT_FOUND);
	st(FwpmFilterDeleteByKey0(h, NULL), STATUS_FWP_NULL_POINTER);
	filter_init(&f, FWP_ACTION_BLOCK);
	f.filterKey = FILT;
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	ok(FwpmFilterDeleteByKey0(h, &FILT));
	st(FwpmFilterDeleteById0(h, fid), STATUS_FWP_FILTER_NOT_FOUND);
	ok(FwpmFilterAdd0(h, &f, NULL, &fid));
	ok(FwpmFilterDeleteById0(h, fid));
}

/* Enumeration ------------------------------------------------------------ */

static UINT32 count_filters(HANDLE h, const FWPM_FILTER_ENUM_TEMPLATE0 *t)
{
	HANDLE e = NULL;
	FWPM_FILTER0 **entries = NULL;
	UINT32 n = 0, total = 0;

	ok(FwpmFilterCreateEnumHandle0(h, t, &e));
	do {
		ok(FwpmFilterEnum0(h, e, 2, &entries, &n));
		total += n;
		if (n)
			assert_non_null(entries[n - 1]->displayData.name);
		FwpmFreeMemory0((void **)&entries);
	} while (n);
	ok(FwpmFilterDestroyEnumHandle0(h, e));
	return total;
}

static void t_enum_filters(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER_ENUM_TEMPLATE0 t = {0};
	FWPM_FILTER_CONDITION0 c = {0};
	FWPM_FILTER0 f;
	UINT32 base, id;
	HANDLE e;

	base = count_filters(h, NULL);
	ok(add_block(h, NULL));
	ok(add_block(h, NULL));
	filter_init(&f, FWP_ACTION_PERMIT);
	f.layerKey = FWPM_LAYER_OUTBOUND_IPPACKET_V4;
	ok(FwpmFilterAdd0(h, &f, NULL, NULL));
	ok(add_callout(h, &CALL, &FWPM_LAYER_INBOUND_TRANSPORT_V4, &id));
	filter_init(&f, FWP_ACTION_CALLOUT_INSPECTION);
	f.action.calloutKey = CALL;
	ok(FwpmFilterAdd0(h, &f, NULL, NULL));
	assert_int_equal(count_filters(h, NULL), base + 4);
	t.layerKey = FWPM_LAYER_OUTBOUND_IPPACKET_V4;
	t.actionMask = 0xFFFFFFFF;
	assert_int_equal(count_filters(h, &t), 1);
	t.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	t.actionMask = FWP_ACTION_FLAG_CALLOUT;
	assert_int_equal(count_filters(h, &t), 1);
	t.actionMask = 0xFFFFFFFF;
	t.calloutKey = (GUID *)&CALL;
	assert_int_equal(count_filters(h, &t), 1);
	t.calloutKey = NULL;
	t.layerKey = NOPE;
	st(FwpmFilterCreateEnumHandle0(h, &t, &e), STATUS_FWP_LAYER_NOT_FOUND);
	t.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	t.numFilterConditions = 1;
	t.filterCondition = &c;
	st(FwpmFilterCreateEnumHandle0(h, &t, &e), STATUS_NOT_SUPPORTED);
	st(FwpmFilterCreateEnumHandle0(h, NULL, NULL), STATUS_FWP_NULL_POINTER);
	st(FwpmFilterDestroyEnumHandle0(h, (HANDLE)&t), STATUS_INVALID_HANDLE);
	{
		FWPM_FILTER0 **entries;
		UINT32 n;

		st(FwpmFilterEnum0(h, (HANDLE)&t, 1, &entries, &n), STATUS_INVALID_HANDLE);
	}
}

static void t_enum_callouts(void **state)
{
	HANDLE h = *state;
	FWPM_CALLOUT_ENUM_TEMPLATE0 t = {0};
	FWPM_CALLOUT0 **entries = NULL;
	HANDLE e = NULL;
	UINT32 n = 0, id;

	ok(add_callout(h, &CALL, &FWPM_LAYER_DATAGRAM_DATA_V4, &id));
	t.layerKey = FWPM_LAYER_DATAGRAM_DATA_V4;
	ok(FwpmCalloutCreateEnumHandle0(h, &t, &e));
	ok(FwpmCalloutEnum0(h, e, 10, &entries, &n));
	assert_int_equal(n, 1);
	assert_int_equal(entries[0]->calloutId, id);
	FwpmFreeMemory0((void **)&entries);
	ok(FwpmCalloutEnum0(h, e, 10, &entries, &n));
	assert_int_equal(n, 0);
	st(FwpmCalloutEnum0(h, e, 10, NULL, &n), STATUS_FWP_NULL_POINTER);
	ok(FwpmCalloutDestroyEnumHandle0(h, e));
	st(FwpmCalloutDestroyEnumHandle0(h, e), STATUS_INVALID_HANDLE);
	t.layerKey = NOPE;
	st(FwpmCalloutCreateEnumHandle0(h, &t, &e), STATUS_FWP_LAYER_NOT_FOUND);
}

/* Native ----------------------------------------------------------------- */

static void t_layer_default(void **state)
{
	HANDLE h = *state;
	FWP_ACTION_TYPE a = 0;

	st(weir_layer_set_default(h, WEIR_LAYER_COUNT, FWP_ACTION_BLOCK),
	   STATUS_FWP_LAYER_NOT_FOUND);
	st(weir_layer_set_default(h, WEIR_LAYER_STREAM_V4, FWP_ACTION_CONTINUE),
	   STATUS_FWP_INVALID_ACTION_TYPE);
	ok(weir_layer_set_default(h, WEIR_LAYER_STREAM_V4, FWP_ACTION_BLOCK));
	ok(weir_layer_get_default(h, WEIR_LAYER_STREAM_V4, &a));
	assert_int_equal(a, FWP_ACTION_BLOCK);
	st(weir_layer_get_default(h, WEIR_LAYER_STREAM_V4, NULL), STATUS_FWP_NULL_POINTER);
	assert_int_equal(
	    weir_snapshot_current()->policy->layers[WEIR_LAYER_STREAM_V4].default_action,
	    FWP_ACTION_BLOCK);
	ok(weir_layer_set_default(h, WEIR_LAYER_STREAM_V4, FWP_ACTION_PERMIT));
}

static void t_layer_names(void **state)
{
	(void)state;
	assert_int_equal(weir_layer_from_name("inbound-transport-v4"),
	                 WEIR_LAYER_INBOUND_TRANSPORT_V4);
	assert_int_equal(weir_layer_from_name("no-such-layer"), -1);
	assert_int_equal(weir_layer_from_key(&FWPM_LAYER_STREAM_V6), WEIR_LAYER_STREAM_V6);
	assert_int_equal(weir_layer_from_key(&NOPE), -1);
	assert_string_equal(weir_layer_name(WEIR_LAYER_OUTBOUND_MAC_FRAME), "outbound-mac-frame");
	assert_memory_equal(weir_layer_key(WEIR_LAYER_IPFORWARD_V4), &FWPM_LAYER_IPFORWARD_V4,
	                    sizeof(GUID));
	assert_int_equal(weir_layer_fwps_id(WEIR_LAYER_COUNT), 0xFFFF);
}

static void t_status_and_guids(void **state)
{
	char buf[37];
	GUID g;

	(void)state;
	assert_string_equal(weir_status_name(STATUS_FWP_IN_USE), "STATUS_FWP_IN_USE");
	assert_string_equal(weir_status_name(0x12345), "STATUS_UNKNOWN");
	assert_int_equal(weir_guid_from_string("5f1a7a10-6c4e-4c36-9a6e-2f0d3c9b1e01", &g), 0);
	assert_int_equal(g.Data1, 0x5f1a7a10);
	assert_int_equal(g.Data4[7], 0x01);
	assert_string_equal(weir_guid_to_string(&g, buf), "5f1a7a10-6c4e-4c36-9a6e-2f0d3c9b1e01");
	assert_int_equal(weir_guid_from_string("5f1a7a10-6c4e-4c36-9a6e-2f0d3c9b1e0", &g), -EINVAL);
	assert_int_equal(weir_guid_from_string("5f1a7a10x6c4e-4c36-9a6e-2f0d3c9b1e01", &g),
	                 -EINVAL);
	FwpmFreeMemory0(NULL);
}

static void t_snapshot_order(void **state)
{
	HANDLE h = *state;
	FWPM_FILTER0 f;
	UINT64 lo = 1, hi = 100, a, b, c;
	const struct weir_layer_policy *lp;

	ok(add_sublayer(h, &SUBL, 0x9000, NULL));
	filter_init(&f, FWP_ACTION_BLOCK);
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = &lo;
	f.layerKey = FWPM_LAYER_DATAGRAM_DATA_V6;
	ok(FwpmFilterAdd0(h, &f, NULL, &a));
	f.weight.uint64 = &hi;
	ok(FwpmFilterAdd0(h, &f, NULL, &b));
	f.subLayerKey = SUBL;
	f.weight.uint64 = &lo;
	ok(FwpmFilterAdd0(h, &f, NULL, &c));
	lp = &weir_snapshot_current()->policy->layers[WEIR_LAYER_DATAGRAM_DATA_V6];
	assert_int_equal(lp->n_filters, 3);
	assert_int_equal(lp->n_sublayers, 2);
	/* higher sublayer first, then higher filter weight */
	assert_int_equal(lp->filters[0]->m.filterId, c);
	assert_int_equal(lp->filters[1]->m.filterId, b);
	assert_int_equal(lp->filters[2]->m.filterId, a);
	assert_int_equal(lp->sublayers[0].weight, 0x9000);
	assert_int_equal(lp->sublayers[1].count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_open_close),
	    cmocka_unit_test(t_open_errors),
	    cmocka_unit_test(t_bad_handles),
	    cmocka_unit_test_setup_teardown(t_txn_codes, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_txn_read_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_txn_abort_rolls_back_adds, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_txn_abort_rolls_back_deletes, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_txn_failed_call_does_not_doom, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_txn_isolation, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_txn_wait_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_txn_wait_infinite, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_close_aborts_txn, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_dynamic_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_dynamic_close_during_other_txn, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_provider, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_sublayer, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_sublayer_name_required, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_callout_add_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_callout_generated_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_callout_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_security_descriptor, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_callout_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filter_add_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filter_refs_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filter_flags, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filter_weight_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filter_auto_weight, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filter_condition_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filter_v6_and_flags, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_filter_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_enum_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_enum_callouts, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_layer_default, setup, teardown),
	    cmocka_unit_test(t_layer_names),
	    cmocka_unit_test(t_status_and_guids),
	    cmocka_unit_test_setup_teardown(t_snapshot_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
