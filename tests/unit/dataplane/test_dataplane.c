/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parser and weir_explain_frame() over frames built by hand (no EAL:
 * mbufs are plain memory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <weir/weir.h>
#include <weir/weir_explain.h>

#include "dataplane/parse.h"

static uint8_t fr[256];
static size_t fl;

static void put(const void *b, size_t n)
{
	memcpy(fr + fl, b, n);
	fl += n;
}

static void eth(uint16_t type)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	uint8_t t[2] = {(uint8_t)(type >> 8), (uint8_t)type};

	fl = 0;
	put(macs, 12);
	put(t, 2);
}

static void ipv4(uint8_t proto, uint16_t payload, uint8_t ihl_words, uint16_t frag)
{
	uint8_t h[60] = {0};
	uint16_t tot = (uint16_t)(ihl_words * 4 + payload);

	h[0] = (uint8_t)(0x40 | ihl_words);
	h[1] = 0xb8; /* DSCP 46 */
	h[2] = (uint8_t)(tot >> 8);
	h[3] = (uint8_t)tot;
	h[6] = (uint8_t)(frag >> 8);
	h[7] = (uint8_t)frag;
	h[8] = 33;
	h[9] = proto;
	memcpy(h + 12, (uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
	put(h, (size_t)ihl_words * 4);
}

static void tcp(uint16_t sp, uint16_t dp, uint8_t flags)
{
	uint8_t h[20] = {0};

	h[0] = (uint8_t)(sp >> 8), h[1] = (uint8_t)sp;
	h[2] = (uint8_t)(dp >> 8), h[3] = (uint8_t)dp;
	h[12] = 5 << 4;
	h[13] = flags;
	put(h, 20);
}

static enum weir_drop_reason parse(struct weir_pkt *p)
{
	struct rte_mbuf m;

	memset(&m, 0, sizeof(m));
	m.buf_addr = fr;
	m.buf_len = sizeof(fr);
	m.data_len = (uint16_t)fl;
	m.pkt_len = (uint32_t)fl;
	m.nb_segs = 1;
	return weir_parse(&m, p);
}

static void t_ipv4_tcp_options(void **state)
{
	struct weir_pkt p;

	(void)state;
	eth(0x0800);
	ipv4(6, 20, 6, 0);
	tcp(1234, 23, 0x12);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_int_equal(p.ip_version, 4);
	assert_int_equal(p.l3_len, 24);
	assert_int_equal(p.l4_off, 14 + 24);
	assert_int_equal(p.sport, 1234);
	assert_int_equal(p.dport, 23);
	assert_int_equal(p.tcp_flags, 0x12);
	assert_int_equal(p.dscp, 46);
	assert_int_equal(p.ttl, 33);
	assert_int_equal(p.v4_src, 0x0a000001);
}

static void t_vlan_and_non_ip(void **state)
{
	struct weir_pkt p;
	uint8_t tag[4] = {0x20, 0x07, 0x08, 0x06}; /* prio 1, vid 7, then ARP */

	(void)state;
	eth(0x8100);
	put(tag, 4);
	put((uint8_t[28]){0}, 28);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_true(p.has_vlan);
	assert_int_equal(p.vlan_id, 7);
	assert_int_equal(p.eth_type, 0x0806);
	assert_int_equal(p.ip_version, 0);
}

static void t_malformed(void **state)
{
	struct weir_pkt p;

	(void)state;
	eth(0x0800);
	fl = 10;
	assert_int_equal(parse(&p), WEIR_DROP_TRUNCATED_L2);
	eth(0x0800);
	ipv4(6, 20, 5, 0);
	fl -= 8;
	assert_int_equal(parse(&p), WEIR_DROP_TRUNCATED_L3);
	eth(0x0800);
	ipv4(6, 20, 5, 0);
	tcp(1, 2, 0);
	fr[14] = 0x75; /* version 7 */
	assert_int_equal(parse(&p), WEIR_DROP_BAD_IP_VERSION);
	fr[14] = 0x44; /* IHL 4 */
	assert_int_equal(parse(&p), WEIR_DROP_BAD_IP_HEADER);
	fr[14] = 0x45;
	fl -= 1; /* total length says more than the frame has */
	assert_int_equal(parse(&p), WEIR_DROP_BAD_IP_LENGTH);
	eth(0x0800);
	ipv4(6, 10, 5, 0);
	put((uint8_t[10]){0}, 10); /* 10 bytes cannot be a TCP header */
	assert_int_equal(parse(&p), WEIR_DROP_TRUNCATED_L4);
	assert_string_equal(weir_drop_reason_name(WEIR_DROP_TRUNCATED_L4), "truncated-l4");
}

static void t_fragments(void **state)
{
	struct weir_pkt p;

	(void)state;
	eth(0x0800);
	ipv4(6, 8, 5, 100); /* offset 100*8: no transport header */
	put((uint8_t[8]){0}, 8);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_true(p.fragment);
	assert_int_equal(p.l4_off, 0);
	assert_false(p.has_ports);
}

static void t_ipv6_ext(void **state)
{
	struct weir_pkt p;
	uint8_t h[40] = {0x60, 0, 0, 0, 0, 28, 0 /* hop-by-hop */, 64};
	uint8_t hbh[8] = {6 /* next: TCP */, 0};

	(void)state;
	h[8] = 0x20, h[9] = 0x01;
	h[24] = 0x20, h[25] = 0x01, h[39] = 2;
	eth(0x86dd);
	put(h, 40);
	put(hbh, 8);
	tcp(443, 8443, 0x02);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_int_equal(p.ip_version, 6);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.l3_len, 48);
	assert_int_equal(p.dport, 8443);
	assert_int_equal(p.v6_dst[15], 2);
}

static void t_explain_frame(void **state)
{
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c;
	struct weir_explain_entry e[8];
	struct weir_explain ex = {.entries = e, .capacity = 8};
	HANDLE h;
	UINT64 id;
	FWPM_SESSION0 s = {.flags = FWPM_SESSION_FLAG_DYNAMIC};

	(void)state;
	assert_int_equal(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h), 0);
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	c.fieldKey = WEIR_CONDITION_L4_DST_PORT;
	c.matchType = FWP_MATCH_EQUAL;
	c.conditionValue.type = FWP_UINT16;
	c.conditionValue.uint16 = 23;
	f.displayData.name = L"telnet";
	f.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	f.action.type = FWP_ACTION_BLOCK;
	f.numFilterConditions = 1;
	f.filterCondition = &c;
	assert_int_equal(FwpmFilterAdd0(h, &f, NULL, &id), 0);
	eth(0x0800);
	ipv4(6, 20, 5, 0);
	tcp(1000, 23, 0x02);
	assert_int_equal(
	    weir_explain_frame(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, fr, (UINT32)fl, 0, &ex), 0);
	assert_int_equal(ex.action, FWP_ACTION_BLOCK);
	assert_int_equal(ex.filterId, id);
	fr[14 + 20 + 3] = 24; /* port 24 */
	assert_int_equal(
	    weir_explain_frame(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, fr, (UINT32)fl, 0, &ex), 0);
	assert_int_equal(ex.action, FWP_ACTION_PERMIT);
	assert_true(ex.by_default);
	/* an IPv4 frame at an IPv6 layer, a malformed frame, bad arguments */
	assert_int_equal(
	    weir_explain_frame(h, WEIR_LAYER_INBOUND_TRANSPORT_V6, fr, (UINT32)fl, 0, &ex),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(weir_explain_frame(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, fr, 20, 0, &ex),
	                 STATUS_INVALID_PARAMETER);
	assert_int_equal(weir_explain_frame(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, NULL, 20, 0, &ex),
	                 STATUS_FWP_NULL_POINTER);
	assert_int_equal(weir_explain_frame(h, WEIR_LAYER_COUNT, fr, (UINT32)fl, 0, &ex),
	                 STATUS_FWP_LAYER_NOT_FOUND);
	assert_int_equal(
	    weir_explain_frame(&ex, WEIR_LAYER_INBOUND_TRANSPORT_V4, fr, (UINT32)fl, 0, &ex),
	    STATUS_INVALID_HANDLE);
	assert_int_equal(FwpmEngineClose0(h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(t_ipv4_tcp_options), cmocka_unit_test(t_vlan_and_non_ip),
	    cmocka_unit_test(t_malformed),        cmocka_unit_test(t_fragments),
	    cmocka_unit_test(t_ipv6_ext),         cmocka_unit_test(t_explain_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
