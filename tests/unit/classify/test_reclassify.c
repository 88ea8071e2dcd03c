/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Re-evaluation of an established flow (FWP_CONDITION_FLAG_IS_REAUTHORIZE):
 * only callouts registered with FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY are called.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <weir/weir.h>

#include "classify/reference.h"

static const GUID K_RE = {0x7e7e0001, 0x1, 0x4001, {0x80, 1, 1, 1, 1, 1, 1, 1}};
static const GUID K_NO = {0x7e7e0002, 0x1, 0x4001, {0x80, 1, 1, 1, 1, 1, 1, 2}};
static int calls_re, calls_no, dev;

static void cl_re(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *m,
                  void *ld, const void *cc, const FWPS_FILTER1 *f, UINT64 fc, FWPS_CLASSIFY_OUT0 *o)
{
	(void)in, (void)m, (void)ld, (void)cc, (void)f, (void)fc;
	calls_re++;
	o->actionType = FWP_ACTION_CONTINUE;
}

static void cl_no(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *m,
                  void *ld, const void *cc, const FWPS_FILTER1 *f, UINT64 fc, FWPS_CLASSIFY_OUT0 *o)
{
	(void)in, (void)m, (void)ld, (void)cc, (void)f, (void)fc;
	calls_no++;
	o->actionType = FWP_ACTION_BLOCK;
}

static bool no_ctx(void *flow, UINT32 id, UINT64 *ctx)
{
	(void)flow, (void)id, (void)ctx;
	return false;
}

static void add(HANDLE h, const GUID *key, FWP_ACTION_TYPE type, UINT64 weight)
{
	FWPM_CALLOUT0 c;
	FWPM_FILTER0 f;

	memset(&c, 0, sizeof(c));
	c.calloutKey = *key;
	c.displayData.name = L"c";
	c.applicableLayer = FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4;
	assert_int_equal(FwpmCalloutAdd0(h, &c, NULL, NULL), 0);
	memset(&f, 0, sizeof(f));
	f.displayData.name = L"f";
	f.layerKey = FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4;
	f.action.type = type;
	f.action.calloutKey = *key;
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = &weight;
	assert_int_equal(FwpmFilterAdd0(h, &f, NULL, NULL), 0);
}

static void t_reclassify(void **state)
{
	FWPS_CALLOUT1 re = {
	    .calloutKey = K_RE, .flags = FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY, .classifyFn = cl_re};
	FWPS_CALLOUT1 no = {.calloutKey = K_NO, .classifyFn = cl_no};
	FWPM_SESSION0 s = {.flags = FWPM_SESSION_FLAG_DYNAMIC};
	FWPS_INCOMING_VALUE0 v[64];
	FWPS_INCOMING_VALUES0 in;
	struct weir_flow_ops ops = {.get_context = no_ctx};
	struct weir_classify_result r;
	HANDLE h;

	(void)state;
	assert_int_equal(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h), 0);
	assert_int_equal(FwpsCalloutRegister1(&dev, &re, NULL), 0);
	assert_int_equal(FwpsCalloutRegister1(&dev, &no, NULL), 0);
	add(h, &K_RE, FWP_ACTION_CALLOUT_INSPECTION, 20);
	add(h, &K_NO, FWP_ACTION_CALLOUT_TERMINATING, 10);
	assert_int_equal(weir_incoming_values_init(WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4, &in, v, 64),
	                 0);
	/* first evaluation: both called, the terminating one blocks */
	weir_classify_reference(weir_snapshot_current(), WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4, &in,
	                        NULL, NULL, NULL, &ops, &r, NULL);
	assert_int_equal(calls_re, 1);
	assert_int_equal(calls_no, 1);
	assert_int_equal(r.action, FWP_ACTION_BLOCK);
	/* re-evaluation: only the ALLOW_RECLASSIFY callout runs */
	ops.reauthorize = true;
	weir_classify_reference(weir_snapshot_current(), WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4, &in,
	                        NULL, NULL, NULL, &ops, &r, NULL);
	assert_int_equal(calls_re, 2);
	assert_int_equal(calls_no, 1);
	assert_int_equal(r.action, FWP_ACTION_PERMIT);
	assert_true(r.by_default);
	assert_string_equal(weir_explain_reason_name(WEIR_EXPLAIN_NOT_RECLASSIFIED),
	                    "not-reclassified");
	assert_int_equal(FwpmEngineClose0(h), 0);
	assert_int_equal(FwpsCalloutUnregisterByKey0(&K_RE), 0);
	assert_int_equal(FwpsCalloutUnregisterByKey0(&K_NO), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(t_reclassify)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
