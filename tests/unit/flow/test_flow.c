/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables and flow contexts: canonical keys, TCP states, idle expiry,
 * full tables, FwpsFlowAssociateContext0 / FwpsFlowRemoveContext0 codes,
 * flowDeleteFn accounting, unregister vs contexts, the control-thread ring.
 * The EAL runs without huge pages; the fake clock ticks once per second
 * (tsc_hz = 1).
 */
#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include <weir/fwpsk.h>
#include <weir/weir.h>
#include <weir/weir_flow.h>

#include "classify/reference.h"
#include "flow/flow.h"
#include "shim/registry.h"

#define st(x, want) assert_int_equal((x), (want))

static const GUID KEY_A = {0xf1000001, 0x1, 0x4001, {0x80, 1, 2, 3, 4, 5, 6, 1}};
static const GUID KEY_B = {0xf1000002, 0x2, 0x4002, {0x80, 1, 2, 3, 4, 5, 6, 2}};
static const GUID KEY_N = {0xf1000003, 0x3, 0x4003, {0x80, 1, 2, 3, 4, 5, 6, 3}};
static int device_token;
#define DEV ((void *)&device_token)
#define IP(a, b, c, d) htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static UINT32 id_a, id_b, id_n; /* A, B: with flowDeleteFn; N: without */

/* flowDeleteFn recorder */
#define MAX_DEL 64
static struct {
	int n;
	UINT16 layer[MAX_DEL];
	UINT32 callout[MAX_DEL];
	UINT64 ctx[MAX_DEL];
} del;

static void flow_delete(UINT16 layerId, UINT32 calloutId, UINT64 ctx)
{
	if (del.n < MAX_DEL) {
		del.layer[del.n] = layerId;
		del.callout[del.n] = calloutId;
		del.ctx[del.n] = ctx;
	}
	del.n++;
}

static int deletes_of(UINT64 ctx)
{
	int n = 0;

	for (int i = 0; i < del.n && i < MAX_DEL; i++)
		n += del.ctx[i] == ctx;
	return n;
}

static void classify1(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *m,
                      void *ld, const void *cc, const FWPS_FILTER1 *f, UINT64 fc,
                      FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)m, (void)ld, (void)cc, (void)f, (void)fc;
	out->actionType = FWP_ACTION_CONTINUE;
}

static UINT32 reg(const GUID *key, bool with_delete, UINT32 flags)
{
	FWPS_CALLOUT1 c = {.calloutKey = *key,
	                   .flags = flags,
	                   .classifyFn = classify1,
	                   .flowDeleteFn = with_delete ? flow_delete : NULL};
	UINT32 id = 0;

	st(FwpsCalloutRegister1(DEV, &c, &id), STATUS_SUCCESS);
	return id;
}

static struct weir_flow_table *tab;

static struct weir_flow_table *mk(unsigned index, uint32_t capacity)
{
	struct weir_flow_params p = {.capacity = capacity, .tsc_hz = 1, .socket = -1};
	struct weir_flow_table *t = weir_flow_table_create(index, &p);

	assert_non_null(t);
	/* the table of this lcore runs here: calls take the worker's direct path */
	if (index == rte_lcore_id())
		weir_flow_table_set_running(t, true);
	return t;
}

static int setup(void **state)
{
	(void)state;
	memset(&del, 0, sizeof(del));
	id_a = reg(&KEY_A, true, FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW);
	id_b = reg(&KEY_B, true, 0);
	id_n = reg(&KEY_N, false, 0);
	tab = mk(0, 1024);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	weir_flow_table_destroy(tab);
	tab = NULL;
	st(FwpsCalloutUnregisterById0(id_a), STATUS_SUCCESS);
	st(FwpsCalloutUnregisterById0(id_b), STATUS_SUCCESS);
	st(FwpsCalloutUnregisterById0(id_n), STATUS_SUCCESS);
	return 0;
}

/* A TCP/UDP v4 flow from a:sp to b:dp in zone z. */
static struct weir_flow_entry *pkt4(uint32_t a, uint32_t b, uint16_t sp, uint16_t dp, uint8_t proto,
                                    uint16_t z, uint64_t now, int *dir, bool *is_new)
{
	struct weir_flow_key k;
	enum weir_flow_refusal why;
	int d = weir_flow_key_v4(&k, a, b, sp, dp, proto, z);

	if (dir)
		*dir = d;
	return weir_flow_lookup_or_create(tab, &k, d, now, is_new, &why);
}

static void t_both_directions_v4(void **state)
{
	bool n1, n2;
	int d1, d2;
	struct weir_flow_entry *e1, *e2;

	(void)state;
	e1 = pkt4(IP(10, 0, 0, 2), IP(10, 0, 0, 1), 40000, 80, IPPROTO_TCP, 0, 1, &d1, &n1);
	e2 = pkt4(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 80, 40000, IPPROTO_TCP, 0, 2, &d2, &n2);
	assert_non_null(e1);
	assert_ptr_equal(e1, e2);
	assert_true(n1);
	assert_false(n2);
	assert_int_not_equal(d1, d2);
	st(weir_flow_table_count(tab), 1);
	/* same addresses, different ports: another flow */
	e2 = pkt4(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 81, 40000, IPPROTO_TCP, 0, 2, NULL, &n2);
	assert_ptr_not_equal(e1, e2);
	assert_true(n2);
	/* same endpoints, UDP: another flow */
	e2 = pkt4(IP(10, 0, 0, 1), IP(10, 0, 0, 2), 80, 40000, IPPROTO_UDP, 0, 2, NULL, &n2);
	assert_true(n2);
	/* equal addresses: ports decide the order, both directions still meet */
	e1 = pkt4(IP(10, 0, 0, 9), IP(10, 0, 0, 9), 5, 6, IPPROTO_UDP, 0, 2, &d1, &n1);
	e2 = pkt4(IP(10, 0, 0, 9), IP(10, 0, 0, 9), 6, 5, IPPROTO_UDP, 0, 2, &d2, &n2);
	assert_ptr_equal(e1, e2);
	assert_int_not_equal(d1, d2);
	st(weir_flow_table_count(tab), 4);
}

static void t_both_directions_v6(void **state)
{
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	struct weir_flow_key k1, k2, k4;
	bool n1, n2;
	int d1, d2;

	(void)state;
	d1 = weir_flow_key_v6(&k1, b, a, 5353, 53, IPPROTO_UDP, 3);
	d2 = weir_flow_key_v6(&k2, a, b, 53, 5353, IPPROTO_UDP, 3);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_not_equal(d1, d2);
	struct weir_flow_entry *e1 = weir_flow_lookup_or_create(tab, &k1, d1, 1, &n1, NULL);
	struct weir_flow_entry *e2 = weir_flow_lookup_or_create(tab, &k2, d2, 1, &n2, NULL);

	assert_ptr_equal(e1, e2);
	assert_true(n1);
	assert_false(n2);
	/* a v4 key with the same leading bytes is another flow */
	weir_flow_key_v4(&k4, 0xb80d0120, 0xb80d0120, 53, 5353, IPPROTO_UDP, 3);
	assert_null(weir_flow_lookup(tab, &k4));
	/* ICMPv6 echo: the id names the flow in both directions */
	d1 = weir_flow_key_v6(&k1, a, b, 77, 0, IPPROTO_ICMPV6, 3);
	d2 = weir_flow_key_v6(&k2, b, a, 77, 0, IPPROTO_ICMPV6, 3);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_not_equal(d1, d2);
}

static void t_zone_separates(void **state)
{
	bool n;
	struct weir_flow_entry *e1, *e2;

	(void)state;
	e1 = pkt4(IP(1, 1, 1, 1), IP(2, 2, 2, 2), 1000, 53, IPPROTO_UDP, 1, 1, NULL, &n);
	e2 = pkt4(IP(2, 2, 2, 2), IP(1, 1, 1, 1), 53, 1000, IPPROTO_UDP, 2, 1, NULL, &n);
	assert_non_null(e2);
	assert_ptr_not_equal(e1, e2);
	assert_true(n);
	st(weir_flow_table_count(tab), 2);
}

/* Associate two contexts with the flow (worker-direct path: table running on this lcore). */
static UINT64 with_contexts(struct weir_flow_entry *e, UINT64 ca, UINT64 cb)
{
	UINT64 id = weir_flow_id(tab, e);

	st(FwpsFlowAssociateContext0(id, 20, id_a, ca), STATUS_SUCCESS);
	st(FwpsFlowAssociateContext0(id, 22, id_b, cb), STATUS_SUCCESS);
	return id;
}

static void t_tcp_handshake_fin(void **state)
{
	int dc, ds;
	struct weir_flow_entry *e;
	UINT64 id;

	(void)state;
	e = pkt4(IP(10, 0, 0, 7), IP(10, 0, 0, 1), 40000, 443, IPPROTO_TCP, 0, 1, &dc, NULL);
	ds = !dc;
	st(e->state, WEIR_FLOW_NEW);
	id = with_contexts(e, 0xa1, 0xb1);
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_SYN_FLAG), WEIR_FLOW_SYN_SEEN);
	/* an ACK from the client before the SYN-ACK does not establish */
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_ACK_FLAG), WEIR_FLOW_SYN_SEEN);
	st(weir_flow_update_tcp(tab, e, ds, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG),
	   WEIR_FLOW_SYN_SEEN);
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_ACK_FLAG), WEIR_FLOW_ESTABLISHED);
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG),
	   WEIR_FLOW_ESTABLISHED);
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG),
	   WEIR_FLOW_FIN_WAIT);
	/* a second FIN from the same side does not close */
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG),
	   WEIR_FLOW_FIN_WAIT);
	st(del.n, 0);
	st(weir_flow_update_tcp(tab, e, ds, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG), WEIR_FLOW_CLOSED);
	/* closed: each context's flowDeleteFn once, with its layer and callout */
	st(del.n, 2);
	st(deletes_of(0xa1), 1);
	st(deletes_of(0xb1), 1);
	for (int i = 0; i < 2; i++) {
		if (del.ctx[i] == 0xa1) {
			st(del.layer[i], 20);
			st(del.callout[i], id_a);
		} else {
			st(del.layer[i], 22);
			st(del.callout[i], id_b);
		}
	}
	/* later packets do not reopen it nor call flowDeleteFn again */
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_ACK_FLAG), WEIR_FLOW_CLOSED);
	st(FwpsFlowRemoveContext0(id, 20, id_a), STATUS_UNSUCCESSFUL);
	st(weir_flow_expire(tab, 1000000, 4096), 1);
	st(del.n, 2);
	st(weir_flow_table_stats(tab)->closed, 1);
}

static void t_tcp_rst(void **state)
{
	int dc;
	struct weir_flow_entry *e;

	(void)state;
	e = pkt4(IP(10, 0, 0, 7), IP(10, 0, 0, 1), 40001, 443, IPPROTO_TCP, 0, 1, &dc, NULL);
	with_contexts(e, 0xa2, 0xb2);
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_SYN_FLAG), WEIR_FLOW_SYN_SEEN);
	st(weir_flow_update_tcp(tab, e, !dc, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG),
	   WEIR_FLOW_CLOSED);
	st(del.n, 2);
	/* mid-stream pick-up: an ACK on a new flow is established */
	e = pkt4(IP(10, 0, 0, 8), IP(10, 0, 0, 1), 40002, 443, IPPROTO_TCP, 0, 1, &dc, NULL);
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_ACK_FLAG), WEIR_FLOW_ESTABLISHED);
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_RST_FLAG), WEIR_FLOW_CLOSED);
}

static void t_close_during_classify(void **state)
{
	int dc;
	struct weir_flow_entry *e;

	(void)state;
	e = pkt4(IP(10, 0, 0, 7), IP(10, 0, 0, 1), 40003, 443, IPPROTO_TCP, 0, 1, &dc, NULL);
	with_contexts(e, 0xa3, 0xb3);
	weir_flow_classify_begin(e);
	st(weir_flow_update_tcp(tab, e, dc, RTE_TCP_RST_FLAG), WEIR_FLOW_CLOSED);
	st(del.n, 0); /* the classify may still use them */
	weir_flow_classify_end(tab, e);
	st(del.n, 2);
}

static void t_idle_timeouts(void **state)
{
	struct weir_flow_params p = {
	    .capacity = 64,
	    .tsc_hz = 1,
	    .socket = -1,
	    .timeouts = {
	        .tcp_established = 100, .tcp_transitory = 20, .udp = 30, .icmp = 10, .other = 40}};
	struct weir_flow_entry *tcp_est, *tcp_syn, *udp, *icmp, *gre;
	int d;

	(void)state;
	weir_flow_table_destroy(tab);
	tab = weir_flow_table_create(0, &p);
	assert_non_null(tab);
	weir_flow_table_set_running(tab, true);
	tcp_est = pkt4(IP(1, 0, 0, 1), IP(1, 0, 0, 2), 1, 2, IPPROTO_TCP, 0, 1000, &d, NULL);
	weir_flow_update_tcp(tab, tcp_est, d, RTE_TCP_SYN_FLAG);
	weir_flow_update_tcp(tab, tcp_est, !d, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	weir_flow_update_tcp(tab, tcp_est, d, RTE_TCP_ACK_FLAG);
	st(tcp_est->state, WEIR_FLOW_ESTABLISHED);
	tcp_syn = pkt4(IP(1, 0, 0, 1), IP(1, 0, 0, 2), 3, 2, IPPROTO_TCP, 0, 1000, &d, NULL);
	weir_flow_update_tcp(tab, tcp_syn, d, RTE_TCP_SYN_FLAG);
	udp = pkt4(IP(1, 0, 0, 1), IP(1, 0, 0, 2), 1, 2, IPPROTO_UDP, 0, 1000, NULL, NULL);
	icmp = pkt4(IP(1, 0, 0, 1), IP(1, 0, 0, 2), 9, 0, IPPROTO_ICMP, 0, 1000, NULL, NULL);
	gre = pkt4(IP(1, 0, 0, 1), IP(1, 0, 0, 2), 0, 0, IPPROTO_GRE, 0, 1000, NULL, NULL);
	with_contexts(udp, 0xa4, 0xb4);
	(void)gre, (void)icmp;
	st(weir_flow_table_count(tab), 5);
	/* the second packet makes a UDP flow ACTIVE and refreshes it */
	assert_ptr_equal(
	    pkt4(IP(1, 0, 0, 2), IP(1, 0, 0, 1), 2, 1, IPPROTO_UDP, 0, 1005, NULL, NULL), udp);
	st(udp->state, WEIR_FLOW_ACTIVE);

	st(weir_flow_expire(tab, 1009, 64), 0);
	st(weir_flow_expire(tab, 1010, 64), 1); /* icmp */
	st(weir_flow_table_count(tab), 4);
	st(weir_flow_expire(tab, 1019, 64), 0);
	st(weir_flow_expire(tab, 1020, 64), 1); /* tcp in SYN_SEEN */
	st(weir_flow_expire(tab, 1034, 64), 0);
	st(del.n, 0);
	st(weir_flow_expire(tab, 1035, 64), 1); /* udp, refreshed at 1005 */
	st(del.n, 2);
	st(deletes_of(0xa4) + deletes_of(0xb4), 2);
	st(weir_flow_expire(tab, 1040, 64), 1); /* other */
	st(weir_flow_expire(tab, 1099, 64), 0);
	st(weir_flow_expire(tab, 1100, 64), 1); /* established */
	st(weir_flow_table_count(tab), 0);
	st(weir_flow_table_stats(tab)->expired, 5);

	/* the budget bounds one call's scan; the cursor resumes */
	for (int i = 0; i < 10; i++)
		pkt4(IP(1, 0, 0, 1), IP(1, 0, 0, 3), (uint16_t)(100 + i), 2, IPPROTO_UDP, 0, 0,
		     NULL, NULL);
	uint32_t ended = 0;

	for (int i = 0; i < 64 && ended < 10; i++)
		ended += weir_flow_expire(tab, 100, 1);
	st(ended, 10);
}

static void t_table_full(void **state)
{
	struct weir_flow_entry *e[16];
	enum weir_flow_refusal why = WEIR_FLOW_OK;
	struct weir_flow_key k;
	int d;

	(void)state;
	weir_flow_table_destroy(tab);
	tab = mk(0, 16);
	for (int i = 0; i < 16; i++) {
		e[i] =
		    pkt4(IP(10, 1, 0, i), IP(10, 2, 0, 1), 1000, 80, IPPROTO_TCP, 0, 1, &d, NULL);
		assert_non_null(e[i]);
		weir_flow_update_tcp(tab, e[i], d, RTE_TCP_ACK_FLAG);
	}
	d = weir_flow_key_v4(&k, IP(10, 9, 9, 9), IP(10, 2, 0, 1), 1000, 80, IPPROTO_TCP, 0);
	for (int i = 0; i < 3; i++) {
		assert_null(weir_flow_lookup_or_create(tab, &k, d, 2, NULL, &why));
		st(why, WEIR_FLOW_FULL);
	}
	st(weir_flow_table_stats(tab)->refused_full, 3);
	/* every established flow is still there, untouched */
	for (int i = 0; i < 16; i++) {
		assert_ptr_equal(
		    pkt4(IP(10, 2, 0, 1), IP(10, 1, 0, i), 80, 1000, IPPROTO_TCP, 0, 3, NULL, NULL),
		    e[i]);
		st(e[i]->state, WEIR_FLOW_ESTABLISHED);
	}
	/* once one ends, the new flow gets its place */
	weir_flow_end(tab, e[5]);
	assert_non_null(weir_flow_lookup_or_create(tab, &k, d, 4, NULL, &why));
	st(weir_flow_table_count(tab), 16);
}

static void t_associate_codes(void **state)
{
	struct weir_flow_entry *e =
	    pkt4(IP(3, 0, 0, 1), IP(3, 0, 0, 2), 5, 6, IPPROTO_UDP, 0, 1, NULL, NULL);
	UINT64 id = weir_flow_id(tab, e);
	struct weir_callout_reg *ra = weir_registry_get(id_a);

	(void)state;
	st(FwpsFlowAssociateContext0(id, 20, id_a, 0), STATUS_INVALID_PARAMETER);
	st(FwpsFlowAssociateContext0(id, 20, id_n, 7), STATUS_INVALID_PARAMETER);
	st(FwpsFlowAssociateContext0(id, 20, 4000, 7), STATUS_INVALID_PARAMETER);
	st(FwpsFlowAssociateContext0(id ^ (1ull << 32), 20, id_a, 7), STATUS_INVALID_PARAMETER);
	st(FwpsFlowAssociateContext0(id + 1, 20, id_a, 7), STATUS_INVALID_PARAMETER);
	st(FwpsFlowAssociateContext0(7ull << 56, 20, id_a, 7), STATUS_INVALID_PARAMETER);
	st(atomic_load(&ra->contexts), 0);
	st(FwpsFlowAssociateContext0(id, 20, id_a, 7), STATUS_SUCCESS);
	st(atomic_load(&ra->contexts), 1);
	/* one context per callout, whatever the layer */
	st(FwpsFlowAssociateContext0(id, 20, id_a, 8), STATUS_OBJECT_NAME_EXISTS);
	st(FwpsFlowAssociateContext0(id, 44, id_a, 8), STATUS_OBJECT_NAME_EXISTS);
	st(atomic_load(&ra->contexts), 1);
	st(FwpsFlowRemoveContext0(id, 20, id_b), STATUS_UNSUCCESSFUL);
	st(FwpsFlowRemoveContext0(id, 20, id_a), STATUS_SUCCESS);
	st(del.n, 1);
	st(del.ctx[0], 7);
	st(atomic_load(&ra->contexts), 0);
	st(FwpsFlowRemoveContext0(id, 20, id_a), STATUS_UNSUCCESSFUL);
	st(FwpsFlowRemoveContext0(id + 1, 20, id_a), STATUS_UNSUCCESSFUL);
	/* a stale id (the flow ended, the slot was reused) names nothing */
	weir_flow_end(tab, e);
	e = pkt4(IP(3, 0, 0, 1), IP(3, 0, 0, 2), 5, 6, IPPROTO_UDP, 0, 1, NULL, NULL);
	assert_int_not_equal(weir_flow_id(tab, e), id);
	st(FwpsFlowAssociateContext0(id, 20, id_a, 7), STATUS_INVALID_PARAMETER);
}

static void t_get_context_and_overflow(void **state)
{
	struct weir_flow_entry *e =
	    pkt4(IP(3, 0, 0, 1), IP(3, 0, 0, 2), 5, 6, IPPROTO_UDP, 0, 1, NULL, NULL);
	UINT64 id = weir_flow_id(tab, e);
	static const GUID base = {0xf2000000, 0, 0x4000, {0x80, 9, 9, 9, 9, 9, 9, 0}};
	UINT32 ids[8];
	UINT64 c;
	struct weir_flow_ops ops = {weir_flow_get_context, e};

	(void)state;
	assert_false(ops.get_context(ops.flow, id_a, &c));
	st(FwpsFlowAssociateContext0(id, 20, id_a, 0x55), STATUS_SUCCESS);
	assert_true(ops.get_context(ops.flow, id_a, &c));
	assert_int_equal(c, 0x55);
	assert_false(ops.get_context(ops.flow, id_b, &c));
	assert_false(weir_flow_get_context(NULL, id_a, &c));
	/* more contexts than the entry holds: overflow blocks */
	for (int i = 0; i < 8; i++) {
		GUID g = base;

		g.Data1 += (unsigned)i;
		ids[i] = reg(&g, true, 0);
		st(FwpsFlowAssociateContext0(id, (UINT16)i, ids[i], 0x100u + (unsigned)i),
		   STATUS_SUCCESS);
	}
	for (int i = 0; i < 8; i++) {
		assert_true(weir_flow_get_context(e, ids[i], &c));
		assert_int_equal(c, 0x100u + (unsigned)i);
	}
	st(FwpsFlowRemoveContext0(id, 3, ids[3]), STATUS_SUCCESS);
	assert_false(weir_flow_get_context(e, ids[3], &c));
	st(FwpsFlowAssociateContext0(id, 3, ids[3], 0x200), STATUS_SUCCESS);
	weir_flow_end(tab, e);
	st(del.n, 1 + 9);
	for (int i = 0; i < 8; i++)
		st(FwpsCalloutUnregisterById0(ids[i]), STATUS_SUCCESS);
}

static void t_remove_pending(void **state)
{
	struct weir_flow_entry *e =
	    pkt4(IP(3, 0, 0, 1), IP(3, 0, 0, 2), 5, 6, IPPROTO_UDP, 0, 1, NULL, NULL);
	UINT64 id = weir_flow_id(tab, e);
	struct weir_callout_reg *ra = weir_registry_get(id_a);
	UINT64 c;

	(void)state;
	st(FwpsFlowAssociateContext0(id, 20, id_a, 9), STATUS_SUCCESS);
	weir_flow_classify_begin(e);
	st(FwpsFlowRemoveContext0(id, 20, id_a), STATUS_PENDING);
	st(del.n, 0);
	st(atomic_load(&ra->contexts), 1);
	assert_false(weir_flow_get_context(e, id_a, &c));
	st(FwpsFlowRemoveContext0(id, 20, id_a), STATUS_UNSUCCESSFUL);
	weir_flow_classify_end(tab, e);
	st(del.n, 1);
	st(del.ctx[0], 9);
	st(atomic_load(&ra->contexts), 0);
	/* a new association after the deferred removal */
	st(FwpsFlowAssociateContext0(id, 20, id_a, 10), STATUS_SUCCESS);
	weir_flow_classify_begin(e);
	weir_flow_classify_end(tab, e);
	st(del.n, 1);
}

static void t_unregister_busy(void **state)
{
	struct weir_flow_entry *e =
	    pkt4(IP(3, 0, 0, 1), IP(3, 0, 0, 2), 5, 6, IPPROTO_UDP, 0, 1, NULL, NULL);
	UINT64 id = weir_flow_id(tab, e);

	(void)state;
	st(FwpsFlowAssociateContext0(id, 20, id_b, 11), STATUS_SUCCESS);
	st(FwpsCalloutUnregisterById0(id_b), STATUS_DEVICE_BUSY);
	st(FwpsCalloutUnregisterByKey0(&KEY_B), STATUS_DEVICE_BUSY);
	/* the flow ends by idle timeout (UDP 60 s) */
	st(weir_flow_expire(tab, 61, 4096), 1);
	st(del.n, 1);
	st(FwpsCalloutUnregisterById0(id_b), STATUS_SUCCESS);
	/* gone: associations to it are refused */
	e = pkt4(IP(3, 0, 0, 1), IP(3, 0, 0, 2), 5, 6, IPPROTO_UDP, 0, 100, NULL, NULL);
	st(FwpsFlowAssociateContext0(weir_flow_id(tab, e), 20, id_b, 11), STATUS_INVALID_PARAMETER);
	id_b = reg(&KEY_B, true, 0);
}

static void t_destroy_ends_all(void **state)
{
	struct weir_callout_reg *ra = weir_registry_get(id_a), *rb = weir_registry_get(id_b);

	(void)state;
	for (int i = 0; i < 20; i++) {
		struct weir_flow_entry *e = pkt4(IP(4, 0, 0, 1), IP(4, 0, 0, 2), (uint16_t)i, 6,
		                                 IPPROTO_UDP, 0, 1, NULL, NULL);

		with_contexts(e, 0x1000u + (unsigned)i, 0x2000u + (unsigned)i);
	}
	st(atomic_load(&ra->contexts), 20);
	st(FwpsCalloutUnregisterById0(id_a), STATUS_DEVICE_BUSY);
	weir_flow_table_destroy(tab);
	tab = NULL;
	st(del.n, 40);
	for (int i = 0; i < 20; i++) {
		st(deletes_of(0x1000u + (unsigned)i), 1);
		st(deletes_of(0x2000u + (unsigned)i), 1);
	}
	st(atomic_load(&ra->contexts), 0);
	st(atomic_load(&rb->contexts), 0);
	assert_null(weir_flow_table_get(0));
}

/* The control thread reaches a running worker's flows through its ring. */
static atomic_bool stop_worker;

static int worker(void *arg)
{
	struct weir_flow_table *t = arg;

	while (!atomic_load(&stop_worker))
		weir_flow_service(t, 32);
	return 0;
}

static void t_control_thread_ring(void **state)
{
	unsigned wl = rte_get_next_lcore(-1, 1, 0);
	struct weir_flow_table *t;
	struct weir_flow_key k;
	struct weir_flow_entry *e;
	UINT64 id, c;

	(void)state;
	if (wl >= RTE_MAX_LCORE)
		skip();
	t = mk(wl, 64);
	weir_flow_key_v4(&k, IP(5, 0, 0, 1), IP(5, 0, 0, 2), 1, 2, IPPROTO_UDP, 0);
	e = weir_flow_lookup_or_create(t, &k, 0, 1, NULL, NULL);
	id = weir_flow_id(t, e);
	weir_flow_table_set_running(t, true);
	/* from lcore 0's running worker, another worker's flow is out of reach */
	st(FwpsFlowAssociateContext0(id, 20, id_a, 0x76), STATUS_INVALID_PARAMETER);
	st(FwpsFlowRemoveContext0(id, 20, id_a), STATUS_INVALID_PARAMETER);
	/* now this thread acts as the control thread */
	weir_flow_table_set_running(tab, false);
	/* no worker serves the ring yet: the caller gives up, nothing is done */
	st(FwpsFlowAssociateContext0(id, 20, id_a, 0x77), STATUS_FWP_TIMEOUT);
	st(atomic_load(&weir_registry_get(id_a)->contexts), 0);
	atomic_store(&stop_worker, false);
	assert_int_equal(rte_eal_remote_launch(worker, t, wl), 0);
	st(FwpsFlowAssociateContext0(id, 20, id_a, 0x78), STATUS_SUCCESS);
	st(FwpsFlowAssociateContext0(id, 20, id_a, 0x79), STATUS_OBJECT_NAME_EXISTS);
	st(FwpsFlowAssociateContext0(id, 20, id_n, 0x79), STATUS_INVALID_PARAMETER);
	st(atomic_load(&weir_registry_get(id_a)->contexts), 1);
	st(FwpsFlowRemoveContext0(id, 20, id_a), STATUS_SUCCESS);
	st(del.n, 1);
	st(del.ctx[0], 0x78);
	st(FwpsFlowRemoveContext0(id, 20, id_a), STATUS_UNSUCCESSFUL);
	st(FwpsFlowAssociateContext0(id, 20, id_a, 0x7a), STATUS_SUCCESS);
	atomic_store(&stop_worker, true);
	rte_eal_wait_lcore(wl);
	weir_flow_table_set_running(t, false);
	/* stopped: direct from this thread */
	assert_true(weir_flow_get_context(e, id_a, &c));
	assert_int_equal(c, 0x7a);
	st(weir_flow_table_stats(t)->msgs, 6); /* the abandoned one included */
	weir_flow_table_destroy(t);
	st(del.n, 2);
}

/*
 * Stress: a worker creates, classifies and expires flows while this thread
 * associates and removes contexts through the ring; every successful
 * association ends with exactly one flowDeleteFn and the counter returns to 0.
 */
#define STRESS_FLOWS 8
static _Atomic UINT64 stress_ids[STRESS_FLOWS];

static int stress_worker(void *arg)
{
	struct weir_flow_table *t = arg;
	uint64_t now = 0;

	while (!atomic_load(&stop_worker)) {
		now++;
		for (int i = 0; i < STRESS_FLOWS; i++) {
			struct weir_flow_key k;
			struct weir_flow_entry *e;
			int d = weir_flow_key_v4(&k, IP(6, 0, 0, 1), IP(6, 0, 0, 2), (uint16_t)i, 9,
			                         IPPROTO_UDP, 0);

			/* flows 0..3 stay busy; 4..7 are seen every 128 ticks and expire */
			if (i >= 4 && now % 128 != 0)
				continue;
			e = weir_flow_lookup_or_create(t, &k, d, now, NULL, NULL);
			if (e == NULL)
				continue;
			atomic_store(&stress_ids[i], weir_flow_id(t, e));
			weir_flow_classify_begin(e);
			weir_flow_classify_end(t, e);
		}
		weir_flow_service(t, 32);
		weir_flow_expire(t, now, 16);
	}
	return 0;
}

static void t_stress_ring(void **state)
{
	unsigned wl = rte_get_next_lcore(-1, 1, 0);
	struct weir_flow_params p = {.capacity = 64, .tsc_hz = 1, .socket = -1};
	struct weir_callout_reg *ra = weir_registry_get(id_a);
	struct weir_flow_table *t;
	int ok = 0, removed = 0;

	(void)state;
	if (wl >= RTE_MAX_LCORE)
		skip();
	weir_flow_table_set_running(tab, false);
	p.timeouts.udp = 60;
	t = weir_flow_table_create(wl, &p);
	assert_non_null(t);
	weir_flow_table_set_running(t, true);
	atomic_store(&stop_worker, false);
	assert_int_equal(rte_eal_remote_launch(stress_worker, t, wl), 0);
	for (int n = 0; n < 20000; n++) {
		UINT64 id = atomic_load(&stress_ids[n % STRESS_FLOWS]);
		NTSTATUS s;

		if (id == 0)
			continue;
		s = n % 3 == 2 ? FwpsFlowRemoveContext0(id, 20, id_a)
		               : FwpsFlowAssociateContext0(id, 20, id_a, (UINT64)n + 1);
		if (n % 3 == 2) {
			assert_true(s == STATUS_SUCCESS || s == STATUS_UNSUCCESSFUL);
			removed += s == STATUS_SUCCESS;
		} else {
			assert_true(s == STATUS_SUCCESS || s == STATUS_OBJECT_NAME_EXISTS ||
			            s == STATUS_INVALID_PARAMETER);
			ok += s == STATUS_SUCCESS;
		}
	}
	atomic_store(&stop_worker, true);
	rte_eal_wait_lcore(wl);
	weir_flow_table_set_running(t, false);
	weir_flow_table_destroy(t);
	assert_true(ok > 0);
	assert_true(removed > 0);
	st(del.n, ok);
	st(atomic_load(&ra->contexts), 0);
	printf("# stress: %d associated, %d removed, %d ended with their flow\n", ok, removed,
	       ok - removed);
}

/* The default table (1M flows) fits the test's 256 MB without huge pages. */
static void t_default_capacity(void **state)
{
	struct rte_malloc_socket_stats before, after;
	struct weir_flow_table *t;

	(void)state;
	rte_malloc_get_socket_stats(0, &before);
	t = weir_flow_table_create(200, NULL);
	assert_non_null(t);
	rte_malloc_get_socket_stats(0, &after);
	printf("# default table: %u flows, %zu MB\n", WEIR_FLOW_DEFAULT_CAPACITY,
	       (after.heap_allocsz_bytes - before.heap_allocsz_bytes) >> 20);
	weir_flow_table_destroy(t);
}

/* Leave no per-run directory behind in the DPDK runtime dir. */
static void remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX + 256];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {argv[0],         "--no-huge", "-m", "256", "--no-pci",
	               "--file-prefix", prefix,      "-l", "0-1", "--log-level=*:error"};
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(t_both_directions_v4, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_both_directions_v6, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_zone_separates, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_tcp_handshake_fin, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_tcp_rst, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_close_during_classify, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_idle_timeouts, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_table_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_associate_codes, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_get_context_and_overflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_remove_pending, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_unregister_busy, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_destroy_ends_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_control_thread_ring, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_stress_ring, setup, teardown),
	    cmocka_unit_test(t_default_capacity),
	};
	int n = (int)(sizeof(eal) / sizeof(eal[0]));

	(void)argc;
	snprintf(prefix, sizeof(prefix), "weir-flow-%d", (int)getpid());
	if (rte_eal_init(n, eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(dir);
	return rc;
}
