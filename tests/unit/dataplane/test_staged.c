/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The staged pipeline with flows and the fast classifier (needs the EAL,
 * --no-huge): a burst mixing packets with and without flows, several of one
 * flow, gives the same verdicts, counters and classifyFn calls as the same
 * packets classified one at a time, before and after a policy change
 * (re-authorization) and once flows are established (cached verdicts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir.h>
#include <weir/weir_flow.h>

#include "classify/fast.h"
#include "classify/snapshot.h"
#include "core/layers.h"
#include "dataplane/pipeline.h"
#include "flow/flow.h"

static const GUID KEY_ALE = {
    0x5eedab51, 0x1111, 0x4222, {0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x01}};
static const GUID KEY_DG = {
    0x5eedab52, 0x1111, 0x4222, {0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x02}};
static int device_token;
static UINT32 id_dg;

/* What the callouts saw in one mode. */
static struct seen {
	unsigned ale_calls, ale_reauth, dg_calls;
	uint64_t dg_ctx_sum;
} seen;

static void NTAPI ale_classify(const FWPS_INCOMING_VALUES0 *in,
                               const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                               const void *cc, const FWPS_FILTER1 *f, UINT64 fc,
                               FWPS_CLASSIFY_OUT0 *out)
{
	const struct weir_layer_desc *l = weir_layer_get(WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4);
	int lp = weir_layer_field_by_key(l, &FWPM_CONDITION_IP_LOCAL_PORT);
	int fl = weir_layer_field_by_key(l, &FWPM_CONDITION_FLAGS);
	UINT16 dport;

	(void)layerData, (void)cc, (void)f, (void)fc;
	assert_true(lp >= 0 && fl >= 0);
	assert_true(meta->currentMetadataValues & FWPS_METADATA_FIELD_FLOW_HANDLE);
	seen.ale_calls++;
	if (in->incomingValue[fl].value.uint32 & FWP_CONDITION_FLAG_IS_REAUTHORIZE)
		seen.ale_reauth++;
	dport = in->incomingValue[lp].value.uint16;
	/* the datagram-data callout runs on the flows that have its context */
	if (dport % 2)
		FwpsFlowAssociateContext0(meta->flowHandle,
		                          weir_layer_fwps_id(WEIR_LAYER_DATAGRAM_DATA_V4), id_dg,
		                          (UINT64)dport + 1);
	out->actionType = dport % 3 == 0 ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
	if (out->actionType == FWP_ACTION_BLOCK)
		out->rights &= ~FWPS_RIGHT_ACTION_WRITE;
}

static void NTAPI dg_classify(const FWPS_INCOMING_VALUES0 *in,
                              const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                              const void *cc, const FWPS_FILTER1 *f, UINT64 fc,
                              FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)layerData, (void)cc, (void)f;
	assert_true(meta->currentMetadataValues & FWPS_METADATA_FIELD_FLOW_HANDLE);
	seen.dg_calls++;
	seen.dg_ctx_sum += fc;
	out->actionType = FWP_ACTION_CONTINUE;
}

static NTSTATUS NTAPI notify(FWPS_CALLOUT_NOTIFY_TYPE t, const GUID *k, FWPS_FILTER1 *f)
{
	(void)t, (void)k, (void)f;
	return STATUS_SUCCESS;
}

static void NTAPI flow_delete(UINT16 layerId, UINT32 calloutId, UINT64 ctx)
{
	(void)layerId, (void)calloutId, (void)ctx;
}

static UINT32 reg(const GUID *key, FWPS_CALLOUT_CLASSIFY_FN1 fn, UINT32 flags)
{
	FWPS_CALLOUT1 c;
	UINT32 id = 0;

	memset(&c, 0, sizeof(c));
	c.calloutKey = *key;
	c.classifyFn = fn;
	c.notifyFn = notify;
	c.flowDeleteFn = flow_delete;
	c.flags = flags;
	assert_int_equal(FwpsCalloutRegister1(&device_token, &c, &id), 0);
	return id;
}

static void add_callout(HANDLE h, const GUID *key, const GUID *layer)
{
	FWPM_CALLOUT0 mc;
	UINT32 id;

	memset(&mc, 0, sizeof(mc));
	mc.calloutKey = *key;
	mc.displayData.name = L"c";
	mc.applicableLayer = *layer;
	assert_int_equal(FwpmCalloutAdd0(h, &mc, NULL, &id), 0);
}

/* A filter on @p layer: protocol @p proto (0: any) and destination port @p dport (0: any). */
static void add_filter(HANDLE h, const GUID *layer, FWP_ACTION_TYPE action, const GUID *callout,
                       UINT8 proto, UINT16 dport, UINT64 weight)
{
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[2];
	UINT32 n = 0;
	UINT64 id;

	memset(&f, 0, sizeof(f));
	memset(c, 0, sizeof(c));
	if (proto) {
		c[n].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
		c[n].matchType = FWP_MATCH_EQUAL;
		c[n].conditionValue.type = FWP_UINT8;
		c[n++].conditionValue.uint8 = proto;
	}
	if (dport) {
		c[n].fieldKey = FWPM_CONDITION_IP_LOCAL_PORT;
		c[n].matchType = FWP_MATCH_EQUAL;
		c[n].conditionValue.type = FWP_UINT16;
		c[n++].conditionValue.uint16 = dport;
	}
	f.displayData.name = L"t";
	f.layerKey = *layer;
	f.action.type = action;
	if (callout)
		f.action.calloutKey = *callout;
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = &weight;
	f.numFilterConditions = n;
	f.filterCondition = n ? c : NULL;
	assert_int_equal(FwpmFilterAdd0(h, &f, NULL, &id), 0);
}

enum { N = 48 };
static uint8_t bufs[2][N][128];
static size_t lens[N];
static struct rte_mbuf mb[2][N];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

/* Frame @p i of the burst: TCP and UDP over a few flows, ICMP, IPv6, ARP. */
static size_t frame(unsigned i, uint8_t *f)
{
	static const uint16_t dports[] = {23, 25, 53, 80, 81, 9000, 9001};
	uint8_t proto = i % 4 == 3 ? 6 : 17;
	uint16_t l4 = proto == 6 ? 20 : 8;

	memset(f, 0, 128);
	memcpy(f, (uint8_t[]){2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}, 12);
	if (i == 7) { /* ARP */
		put16(f + 12, 0x0806);
		return 14 + 28;
	}
	if (i == 11) { /* IPv6 UDP: no IPv6 flow layer has filters */
		put16(f + 12, 0x86dd);
		f[14] = 0x60, put16(f + 18, 8), f[20] = 17, f[21] = 64;
		f[22] = 0x20, f[37] = 1, f[38] = 0x20, f[53] = 2;
		put16(f + 54, 7), put16(f + 56, 9), put16(f + 58, 8);
		return 14 + 40 + 8;
	}
	if (i == 13 || i == 29) { /* ICMP echo: a flow without ports */
		proto = 1, l4 = 8;
	}
	put16(f + 12, 0x0800);
	f[14] = 0x45, put16(f + 16, (uint16_t)(20 + l4)), f[22] = 64, f[23] = proto;
	memcpy(f + 26, (uint8_t[]){10, 0, 0, (uint8_t)(1 + i % 2), 10, 0, 0, 2}, 8);
	if (proto == 1) {
		f[34] = 8;
	} else {
		put16(f + 34, (uint16_t)(1000 + i % 3));
		put16(f + 36, dports[i % RTE_DIM(dports)]);
		if (proto == 6)
			f[46] = 5 << 4, f[47] = 0x02;
		else
			put16(f + 38, 8);
	}
	return 14 + 20 + l4;
}

static void mbufs(unsigned mode)
{
	unsigned i;

	for (i = 0; i < N; i++) {
		struct rte_mbuf *m = &mb[mode][i];

		lens[i] = frame(i, bufs[mode][i]);
		memset(m, 0, sizeof(*m));
		m->buf_addr = bufs[mode][i];
		m->buf_len = 128;
		m->data_len = (uint16_t)lens[i];
		m->pkt_len = (uint32_t)lens[i];
		m->nb_segs = 1;
		rte_mbuf_refcnt_set(m, 2); /* a "free" leaves 1 */
	}
}

struct outcome {
	struct weir_worker_stats st;
	struct seen seen;
	bool kept[N];
};

/* Mode 0: one burst; mode 1: the same packets one at a time. */
static void run(unsigned mode, struct weir_flow_table *ft, struct outcome *o)
{
	struct rte_mbuf *pkts[N], *out[N];
	uint16_t i, k, n_out = 0;

	mbufs(mode);
	memset(o, 0, sizeof(*o));
	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < N; i++)
		pkts[i] = &mb[mode][i];
	if (mode == 0) {
		n_out = weir_pipeline_run(weir_snapshot_current(), ft, pkts, N, 0, 1, &o->st, out);
	} else {
		for (i = 0; i < N; i++)
			n_out += weir_pipeline_run(weir_snapshot_current(), ft, &pkts[i], 1, 0, 1,
			                           &o->st, &out[n_out]);
	}
	for (k = 0; k < n_out; k++)
		o->kept[out[k] - mb[mode]] = true;
	o->seen = seen;
}

static void same(const struct outcome *a, const struct outcome *b)
{
	unsigned k;

	assert_memory_equal(a->kept, b->kept, sizeof(a->kept));
	assert_int_equal(a->st.rx, b->st.rx);
	assert_int_equal(a->st.absorbed, b->st.absorbed);
	assert_int_equal(a->st.flows_new, b->st.flows_new);
	assert_int_equal(a->st.flows_reauth, b->st.flows_reauth);
	for (k = 0; k < WEIR_LAYER_COUNT; k++) {
		assert_int_equal(a->st.blocked[k], b->st.blocked[k]);
		assert_int_equal(a->st.classified[k], b->st.classified[k]);
	}
	for (k = 0; k < WEIR_DROP_COUNT; k++)
		assert_int_equal(a->st.dropped[k], b->st.dropped[k]);
	assert_int_equal(a->seen.ale_calls, b->seen.ale_calls);
	assert_int_equal(a->seen.ale_reauth, b->seen.ale_reauth);
	assert_int_equal(a->seen.dg_calls, b->seen.dg_calls);
	assert_int_equal(a->seen.dg_ctx_sum, b->seen.dg_ctx_sum);
}

static void t_staged_flows(void **state)
{
	FWPM_SESSION0 s = {.flags = FWPM_SESSION_FLAG_DYNAMIC};
	struct weir_flow_params p = {.capacity = 1024, .tsc_hz = 1, .socket = -1};
	struct weir_flow_table *ft[2];
	struct outcome o[2];
	unsigned round, blocked, k;
	HANDLE h;

	(void)state;
	assert_int_equal(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h), 0);
	reg(&KEY_ALE, ale_classify, FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY);
	id_dg = reg(&KEY_DG, dg_classify, FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW);
	add_callout(h, &KEY_ALE, &FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4);
	add_callout(h, &KEY_DG, &FWPM_LAYER_DATAGRAM_DATA_V4);
	/* static exact filters (decided from the candidates) and callouts (slow path) */
	add_filter(h, &FWPM_LAYER_INBOUND_TRANSPORT_V4, FWP_ACTION_BLOCK, NULL, 6, 23, 10);
	add_filter(h, &FWPM_LAYER_INBOUND_TRANSPORT_V4, FWP_ACTION_PERMIT, NULL, 17, 53, 9);
	add_filter(h, &FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4, FWP_ACTION_BLOCK, NULL, 17, 25, 10);
	add_filter(h, &FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4, FWP_ACTION_CALLOUT_TERMINATING, &KEY_ALE,
	           0, 0, 5);
	add_filter(h, &FWPM_LAYER_DATAGRAM_DATA_V4, FWP_ACTION_CALLOUT_INSPECTION, &KEY_DG, 17, 0,
	           5);
	add_filter(h, &FWPM_LAYER_OUTBOUND_IPPACKET_V4, FWP_ACTION_BLOCK, NULL, 1, 0, 5);
	for (k = 0; k < 2; k++) {
		ft[k] = weir_flow_table_create(k, &p);
		assert_non_null(ft[k]);
	}
	assert_non_null(((const struct weir_layer_policy *)&weir_snapshot_current()
	                     ->policy->layers[WEIR_LAYER_INBOUND_TRANSPORT_V4])
	                    ->fast);
	/* new flows; established ones (cached); after a change (re-authorized); cached again */
	for (round = 0; round < 4; round++) {
		if (round == 2)
			add_filter(h, &FWPM_LAYER_INBOUND_TRANSPORT_V4, FWP_ACTION_BLOCK, NULL, 6,
			           4444, 20);
		run(0, ft[0], &o[0]);
		run(1, ft[1], &o[1]);
		same(&o[0], &o[1]);
		blocked = 0;
		for (k = 0; k < WEIR_LAYER_COUNT; k++)
			blocked += o[0].st.blocked[k];
		assert_true(blocked > 0);
		assert_true(o[0].seen.dg_calls > 0 && o[0].seen.dg_ctx_sum > 0);
		if (round == 0)
			assert_true(o[0].st.flows_new > 0 && o[0].seen.ale_calls > 0 &&
			            o[0].seen.ale_calls < o[0].st.flows_new + 1);
		else
			assert_int_equal(o[0].st.flows_new, 0);
		if (round == 2)
			assert_true(o[0].st.flows_reauth > 0 && o[0].seen.ale_reauth > 0);
		else
			assert_int_equal(o[0].st.flows_reauth, 0);
		if (round == 1 || round == 3)
			assert_int_equal(o[0].seen.ale_calls, 0);
	}
	for (k = 0; k < 2; k++)
		weir_flow_table_destroy(ft[k]);
	assert_int_equal(FwpsCalloutUnregisterByKey0(&KEY_ALE), 0);
	assert_int_equal(FwpsCalloutUnregisterByKey0(&KEY_DG), 0);
	assert_int_equal(FwpmEngineClose0(h), 0);
}

static int setup(void **state)
{
	char prefix[64];
	char *argv[] = {"test_staged", "--no-huge",     "-m",   "128",
	                "--no-pci",    "--file-prefix", prefix, "--log-level=*:error",
	                NULL};

	(void)state;
	snprintf(prefix, sizeof(prefix), "weir-staged-%d", (int)getpid());
	if (rte_eal_init(8, argv) < 0)
		return -1;
	weir_fast_enable(true);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_staged_flows),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
