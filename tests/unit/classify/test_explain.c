/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Explain (<weir/weir_explain.h>): argument checks with their exact status
 * codes, incoming-value preparation, names, and explain over a policy
 * committed through the management API (the published snapshot). No EAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir.h>
#include <weir/weir_explain.h>

#include "core/layers.h"

#define ok(x) assert_int_equal((x), STATUS_SUCCESS)
#define st(x, want) assert_int_equal((x), (want))

#define LAYER WEIR_LAYER_INBOUND_TRANSPORT_V4
#define MAXV 64

static const GUID SUB_HI = {0xe1e1e1e1, 0x0001, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 1}};
static const GUID SUB_LO = {0xe1e1e1e1, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 2}};
static const GUID CALLOUT = {0xe1e1e1e1, 0x0003, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 3}};
static int device_token;

static HANDLE open_dynamic(void)
{
	FWPM_SESSION0 s = {0};
	HANDLE h = NULL;

	s.flags = FWPM_SESSION_FLAG_DYNAMIC;
	ok(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h));
	return h;
}

static void values(enum weir_layer layer, FWPS_INCOMING_VALUES0 *in, FWPS_INCOMING_VALUE0 *v)
{
	ok(weir_incoming_values_init(layer, in, v, MAXV));
}

static void test_values_init(void **state)
{
	FWPS_INCOMING_VALUE0 v[MAXV];
	FWPS_INCOMING_VALUES0 in;
	int l;

	(void)state;
	for (l = 0; l < WEIR_LAYER_COUNT; l++) {
		UINT32 n = weir_incoming_values_count(l), i;

		assert_true(n > 0 && n <= MAXV);
		memset(v, 0xEE, sizeof(v));
		memset(&in, 0, sizeof(in));
		st(weir_incoming_values_init(l, &in, v, n - 1), STATUS_BUFFER_TOO_SMALL);
		assert_null(in.incomingValue); /* nothing written */
		ok(weir_incoming_values_init(l, &in, v, n));
		assert_int_equal(in.layerId, weir_layer_fwps_id(l));
		assert_int_equal(in.valueCount, n);
		assert_ptr_equal(in.incomingValue, v);
		for (i = 0; i < n; i++)
			assert_int_equal(v[i].value.type, FWP_EMPTY);
	}
	assert_int_equal(weir_incoming_values_count(WEIR_LAYER_COUNT), 0);
	assert_int_equal(weir_incoming_values_count(-1), 0);
	st(weir_incoming_values_init(LAYER, NULL, v, MAXV), STATUS_FWP_NULL_POINTER);
	st(weir_incoming_values_init(LAYER, &in, NULL, MAXV), STATUS_FWP_NULL_POINTER);
	st(weir_incoming_values_init(WEIR_LAYER_COUNT, &in, v, MAXV), STATUS_FWP_LAYER_NOT_FOUND);
}

/* A field of @p layer whose values are held by pointer, or -1. */
static int pointer_field(enum weir_layer layer)
{
	const struct weir_layer_desc *ld = weir_layer_get(layer);
	UINT32 i;

	for (i = 0; i < ld->field_count; i++)
		if (ld->fields[i].type == FWP_BYTE_ARRAY16_TYPE || ld->fields[i].type == FWP_UINT64)
			return (int)i;
	return -1;
}

static void test_explain_args(void **state)
{
	FWPS_INCOMING_VALUE0 v[MAXV];
	struct weir_explain_entry e[4];
	struct weir_explain x = {.entries = e, .capacity = 4};
	FWPS_INCOMING_VALUES0 in;
	HANDLE h = open_dynamic();
	int bogus, pf;

	(void)state;
	values(LAYER, &in, v);
	st(weir_explain(NULL, LAYER, &in, &x), STATUS_INVALID_HANDLE);
	st(weir_explain(&bogus, LAYER, &in, &x), STATUS_INVALID_HANDLE);
	st(weir_explain(h, LAYER, NULL, &x), STATUS_FWP_NULL_POINTER);
	st(weir_explain(h, LAYER, &in, NULL), STATUS_FWP_NULL_POINTER);
	x.entries = NULL;
	st(weir_explain(h, LAYER, &in, &x), STATUS_FWP_NULL_POINTER);
	x.capacity = 0;
	ok(weir_explain(h, LAYER, &in, &x)); /* no trace wanted: fine */
	x.entries = e;
	x.capacity = 4;
	st(weir_explain(h, WEIR_LAYER_COUNT, &in, &x), STATUS_FWP_LAYER_NOT_FOUND);
	st(weir_explain(h, -1, &in, &x), STATUS_FWP_LAYER_NOT_FOUND);
	/* values of another layer */
	st(weir_explain(h, WEIR_LAYER_INBOUND_TRANSPORT_V6, &in, &x), STATUS_INVALID_PARAMETER);
	in.layerId++;
	st(weir_explain(h, LAYER, &in, &x), STATUS_INVALID_PARAMETER);
	in.layerId--;
	in.valueCount--;
	st(weir_explain(h, LAYER, &in, &x), STATUS_INVALID_PARAMETER);
	in.valueCount++;
	in.incomingValue = NULL;
	st(weir_explain(h, LAYER, &in, &x), STATUS_FWP_NULL_POINTER);
	in.incomingValue = v;
	/* a value of the wrong type for its field */
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.type = FWP_UINT64;
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.uint64 = NULL;
	st(weir_explain(h, LAYER, &in, &x), STATUS_INVALID_PARAMETER);
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.type = FWP_UINT8;
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.uint8 = 6;
	ok(weir_explain(h, LAYER, &in, &x));
	/* a pointer-typed value with no pointer */
	pf = pointer_field(WEIR_LAYER_INBOUND_TRANSPORT_V6);
	if (pf >= 0) {
		values(WEIR_LAYER_INBOUND_TRANSPORT_V6, &in, v);
		v[pf].value.type = weir_layer_get(WEIR_LAYER_INBOUND_TRANSPORT_V6)->fields[pf].type;
		v[pf].value.byteArray16 = NULL;
		st(weir_explain(h, WEIR_LAYER_INBOUND_TRANSPORT_V6, &in, &x),
		   STATUS_FWP_NULL_POINTER);
	}
	ok(FwpmEngineClose0(h));
	/* a closed session is no session */
	values(LAYER, &in, v);
	st(weir_explain(h, LAYER, &in, &x), STATUS_INVALID_HANDLE);
}

static void test_names(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < WEIR_EXPLAIN_REASON_COUNT; i++) {
		assert_string_not_equal(weir_explain_reason_name(i), "unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(weir_explain_reason_name(i),
			                        weir_explain_reason_name(j));
	}
	for (i = 0; i < WEIR_EXPLAIN_EFFECT_COUNT; i++) {
		assert_string_not_equal(weir_explain_effect_name(i), "unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(weir_explain_effect_name(i),
			                        weir_explain_effect_name(j));
	}
	assert_string_equal(weir_explain_reason_name(WEIR_EXPLAIN_CALLOUT_ABSORB),
	                    "callout-absorb");
	assert_string_equal(weir_explain_effect_name(WEIR_EXPLAIN_EFFECT_NO_RIGHT), "no-right");
	assert_string_equal(weir_explain_reason_name(-1), "unknown");
	assert_string_equal(weir_explain_reason_name(WEIR_EXPLAIN_REASON_COUNT), "unknown");
	assert_string_equal(weir_explain_effect_name(WEIR_EXPLAIN_EFFECT_COUNT), "unknown");
}

/* With no filters: the layer default, as last set and committed. */
static void test_explain_default(void **state)
{
	FWPS_INCOMING_VALUE0 v[MAXV];
	struct weir_explain_entry e[4];
	struct weir_explain x = {.entries = e, .capacity = 4};
	FWPS_INCOMING_VALUES0 in;
	HANDLE h = open_dynamic();

	(void)state;
	values(WEIR_LAYER_STREAM_V6, &in, v);
	ok(weir_layer_set_default(h, WEIR_LAYER_STREAM_V6, FWP_ACTION_BLOCK));
	ok(weir_explain(h, WEIR_LAYER_STREAM_V6, &in, &x));
	assert_int_equal(x.action, FWP_ACTION_BLOCK);
	assert_true(x.by_default);
	assert_int_equal(x.filterId, 0);
	assert_int_equal(x.n_entries, 1);
	assert_int_equal(e[0].reason, WEIR_EXPLAIN_LAYER_DEFAULT);
	assert_int_equal(x.generation, weir_policy_generation());
	ok(weir_layer_set_default(h, WEIR_LAYER_STREAM_V6, FWP_ACTION_PERMIT));
	ok(weir_explain(h, WEIR_LAYER_STREAM_V6, &in, &x));
	assert_int_equal(x.action, FWP_ACTION_PERMIT);
	assert_true(x.by_default);
	ok(FwpmEngineClose0(h));
}

static NTSTATUS add_sublayer(HANDLE h, const GUID *key, UINT16 weight)
{
	FWPM_SUBLAYER0 sl = {0};

	sl.subLayerKey = *key;
	sl.displayData.name = L"explain";
	sl.weight = weight;
	return FwpmSubLayerAdd0(h, &sl, NULL);
}

static NTSTATUS add_filter(HANDLE h, const GUID *sub, FWP_ACTION_TYPE action, UINT32 flags,
                           UINT8 proto, UINT64 *id)
{
	FWPM_FILTER_CONDITION0 c = {0};
	FWPM_FILTER0 f = {0};

	f.displayData.name = L"explain";
	f.layerKey = *weir_layer_key(LAYER);
	f.subLayerKey = *sub;
	f.flags = flags;
	f.action.type = action;
	if (action & FWP_ACTION_FLAG_CALLOUT)
		f.action.calloutKey = CALLOUT;
	f.weight.type = FWP_UINT8;
	f.weight.uint8 = 3;
	if (proto) {
		c = (FWPM_FILTER_CONDITION0){.fieldKey = FWPM_CONDITION_IP_PROTOCOL,
		                             .matchType = FWP_MATCH_EQUAL,
		                             .conditionValue = {.type = FWP_UINT8, .uint8 = proto}};
		f.numFilterConditions = 1;
		f.filterCondition = &c;
	}
	return FwpmFilterAdd0(h, &f, NULL, id);
}

/* The classic puzzle: a hard permit above silently beats a block below. */
static void test_explain_hard_permit(void **state)
{
	FWPS_INCOMING_VALUE0 v[MAXV];
	struct weir_explain_entry e[8];
	struct weir_explain x = {.entries = e, .capacity = 8};
	FWPS_INCOMING_VALUES0 in;
	UINT64 permit, block, later;
	HANDLE h = open_dynamic();

	(void)state;
	ok(add_sublayer(h, &SUB_HI, 0x7000));
	ok(add_sublayer(h, &SUB_LO, 0x6000));
	ok(add_filter(h, &SUB_HI, FWP_ACTION_PERMIT, FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT, 6,
	              &permit));
	ok(add_filter(h, &SUB_LO, FWP_ACTION_BLOCK, 0, 0, &block));
	/* equal weight, same sublayer, added later: higher id, never reached */
	ok(add_filter(h, &SUB_LO, FWP_ACTION_PERMIT, 0, 0, &later));
	assert_true(block < later);

	values(LAYER, &in, v);
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.type = FWP_UINT8;
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.uint8 = 6;
	ok(weir_explain(h, LAYER, &in, &x));
	assert_int_equal(x.action, FWP_ACTION_PERMIT);
	assert_int_equal(x.filterId, permit);
	assert_int_equal(x.rights, 0);
	assert_int_equal(x.n_entries, 2);
	assert_int_equal(e[0].filterId, permit);
	assert_int_equal(e[0].subLayerWeight, 0x7000);
	assert_int_equal(e[0].effect, WEIR_EXPLAIN_EFFECT_APPLIED);
	assert_int_equal(e[1].filterId, block);
	assert_int_equal(e[1].subLayerWeight, 0x6000);
	assert_int_equal(e[1].reason, WEIR_EXPLAIN_STATIC_BLOCK);
	assert_int_equal(e[1].effect, WEIR_EXPLAIN_EFFECT_NO_RIGHT);

	/* UDP does not match the permit: the block decides */
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.uint8 = 17;
	ok(weir_explain(h, LAYER, &in, &x));
	assert_int_equal(x.action, FWP_ACTION_BLOCK);
	assert_int_equal(x.filterId, block);
	assert_int_equal(x.n_entries, 1);

	/* a short trace buffer: the verdict is whole, the count tells */
	x.capacity = 0;
	x.entries = NULL;
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.uint8 = 6;
	ok(weir_explain(h, LAYER, &in, &x));
	assert_int_equal(x.action, FWP_ACTION_PERMIT);
	assert_int_equal(x.n_entries, 2);
	ok(FwpmEngineClose0(h));
}

static unsigned vetoes;
static bool saw_documented_inputs;

static void veto3(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                  void *layerData, const void *classifyContext, const FWPS_FILTER3 *filter,
                  UINT64 flowContext, FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)classifyContext, (void)filter;
	/* what explain documents a callout sees (asserted outside: the engine lock is held) */
	saw_documented_inputs = meta && meta->currentMetadataValues == 0 && meta->flowHandle == 0 &&
	                        layerData == NULL && flowContext == 0;
	vetoes++;
	out->actionType = FWP_ACTION_BLOCK;
	out->rights &= ~(UINT32)FWPS_RIGHT_ACTION_WRITE;
}

/* Explain runs the callouts it reaches: their answer is the explanation. */
static void test_explain_runs_callouts(void **state)
{
	FWPS_INCOMING_VALUE0 v[MAXV];
	struct weir_explain_entry e[8];
	struct weir_explain x = {.entries = e, .capacity = 8};
	FWPS_CALLOUT3 reg = {0};
	FWPM_CALLOUT0 co = {0};
	FWPS_INCOMING_VALUES0 in;
	UINT64 permit, callout;
	UINT32 cid;
	HANDLE h = open_dynamic();

	(void)state;
	reg.calloutKey = CALLOUT;
	reg.classifyFn = veto3;
	ok(FwpsCalloutRegister3(&device_token, &reg, &cid));
	co.calloutKey = CALLOUT;
	co.displayData.name = L"explain";
	co.applicableLayer = *weir_layer_key(LAYER);
	ok(FwpmCalloutAdd0(h, &co, NULL, NULL));
	ok(add_sublayer(h, &SUB_HI, 0x7000));
	ok(add_sublayer(h, &SUB_LO, 0x6000));
	ok(add_filter(h, &SUB_HI, FWP_ACTION_PERMIT, FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT, 0,
	              &permit));
	ok(add_filter(h, &SUB_LO, FWP_ACTION_CALLOUT_TERMINATING, 0, 0, &callout));

	values(LAYER, &in, v);
	vetoes = 0;
	ok(weir_explain(h, LAYER, &in, &x));
	assert_int_equal(vetoes, 1);
	assert_true(saw_documented_inputs);
	assert_int_equal(x.action, FWP_ACTION_BLOCK);
	assert_true(x.veto);
	assert_int_equal(x.filterId, callout);
	assert_int_equal(x.n_entries, 2);
	assert_int_equal(e[1].calloutId, cid);
	assert_int_equal(e[1].effect, WEIR_EXPLAIN_EFFECT_VETO);

	/* unregistered: the terminating filter is a static block, which cannot veto */
	ok(FwpsCalloutUnregisterById0(cid));
	ok(weir_explain(h, LAYER, &in, &x));
	assert_int_equal(vetoes, 1);
	assert_int_equal(x.action, FWP_ACTION_PERMIT);
	assert_false(x.veto);
	assert_int_equal(e[1].reason, WEIR_EXPLAIN_UNREGISTERED_BLOCK);
	ok(FwpmEngineClose0(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values_init),
	    cmocka_unit_test(test_explain_args),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_explain_default),
	    cmocka_unit_test(test_explain_hard_permit),
	    cmocka_unit_test(test_explain_runs_callouts),
	};

	return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
}
