/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parser, the incoming values and metadata each layer gets, the layer
 * pipeline over a burst, and weir_explain_frame(), over frames built by hand
 * (no EAL: mbufs are plain memory; a packet the pipeline frees has its
 * reference count dropped from 2 to 1 instead of going back to a pool).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_ethdev.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir.h>
#include <weir/weir_dataplane.h>
#include <weir/weir_explain.h>

#include "classify/snapshot.h"
#include "core/layers.h"
#include "classify/fast.h"
#include "dataplane/extract.h"
#include "dataplane/parse.h"
#include "dataplane/pipeline.h"

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

static void udp(uint16_t sp, uint16_t dp, uint16_t payload)
{
	uint8_t h[8] = {0};

	h[0] = (uint8_t)(sp >> 8), h[1] = (uint8_t)sp;
	h[2] = (uint8_t)(dp >> 8), h[3] = (uint8_t)dp;
	h[4] = (uint8_t)((8 + payload) >> 8), h[5] = (uint8_t)(8 + payload);
	put(h, 8);
	while (payload--)
		put((uint8_t[]){0xee}, 1);
}

/* An IPv6 header from 2001:db8::1 to 2001:db8::2. */
static void ipv6(uint8_t nh, uint16_t payload)
{
	uint8_t h[40] = {0x60, 0, 0, 0, (uint8_t)(payload >> 8), (uint8_t)payload, nh, 64};

	h[8] = 0x20, h[9] = 0x01, h[10] = 0x0d, h[11] = 0xb8, h[23] = 1;
	h[24] = 0x20, h[25] = 0x01, h[26] = 0x0d, h[27] = 0xb8, h[39] = 2;
	put(h, 40);
}

/* A one-segment mbuf over @p buf. */
static void mbuf_over(struct rte_mbuf *m, uint8_t *buf, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = buf;
	m->buf_len = (uint16_t)len;
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	m->nb_segs = 1;
	rte_mbuf_refcnt_set(m, 1);
}

static enum weir_drop_reason parse(struct weir_pkt *p)
{
	struct rte_mbuf m;

	mbuf_over(&m, fr, fl);
	return weir_parse(&m, p);
}

/* Incoming value @p name (a policy name, "ip.dst") of layer @p lid. */
static const FWP_VALUE0 *val(const FWPS_INCOMING_VALUE0 *vals, enum weir_layer lid,
                             const char *name)
{
	int i = weir_layer_field_by_policy(weir_layer_get(lid), name);

	assert_true(i >= 0);
	return &vals[i].value;
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

static void t_qinq_sctp(void **state)
{
	struct weir_pkt p;
	uint8_t outer[4] = {0x00, 0x64, 0x81, 0x00}; /* S-tag 100, then a C-tag */
	uint8_t inner[4] = {0x00, 0x05, 0x08, 0x00}; /* C-tag 5, then IPv4 */
	uint8_t sctp[12] = {0x0b, 0xb8, 0x0f, 0xa0}; /* 3000 -> 4000 */

	(void)state;
	eth(0x88a8);
	put(outer, 4);
	put(inner, 4);
	ipv4(132, 12, 5, 0);
	put(sctp, 12);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_true(p.has_vlan);
	assert_int_equal(p.vlan_id, 100); /* the outer tag */
	assert_int_equal(p.eth_type, 0x0800);
	assert_int_equal(p.l3_off, 22);
	assert_int_equal(p.proto, 132);
	assert_true(p.has_ports);
	assert_int_equal(p.sport, 3000);
	assert_int_equal(p.dport, 4000);
	assert_int_equal(p.l4_len, 12);
	/* an SCTP header cut short */
	fl -= 4;
	fr[22 + 3] -= 4;
	assert_int_equal(parse(&p), WEIR_DROP_TRUNCATED_L4);
}

static void t_ipv6_fragments_icmpv6(void **state)
{
	struct weir_pkt p;
	uint8_t frag_first[8] = {17, 0, 0x00, 0x01, 0, 0, 0, 9}; /* offset 0, M */
	uint8_t frag_later[8] = {17, 0, 0x05, 0x00, 0, 0, 0, 9}; /* offset 160 bytes */
	uint8_t icmp6[8] = {128, 0, 0, 0, 0, 1, 0, 1};           /* echo request */

	(void)state;
	eth(0x86dd);
	ipv6(44, 8 + 8 + 4);
	put(frag_first, 8);
	udp(53, 5353, 4);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_true(p.fragment);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.l3_len, 48);
	assert_int_equal(p.l4_off, 14 + 48);
	assert_int_equal(p.dport, 5353);

	eth(0x86dd);
	ipv6(44, 8 + 16);
	put(frag_later, 8);
	put((uint8_t[16]){0}, 16);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_true(p.fragment);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.l4_off, 0);
	assert_false(p.has_ports);

	eth(0x86dd);
	ipv6(58, 8);
	put(icmp6, 8);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_true(p.has_icmp);
	assert_int_equal(p.icmp_type, 128);
	assert_int_equal(p.icmp_code, 0);
	assert_int_equal(p.l4_len, 8);
}

static void t_ipv6_malformed(void **state)
{
	struct weir_pkt p;
	uint8_t hbh[8] = {60 /* next: destination options */, 0};
	uint8_t dst[8] = {6, 4}; /* says 40 bytes long */
	unsigned i;

	(void)state;
	/* an extension header running past the payload */
	eth(0x86dd);
	ipv6(0, 16);
	put(hbh, 8);
	put(dst, 8);
	assert_int_equal(parse(&p), WEIR_DROP_TRUNCATED_L3);
	/* a chain of nine hop-by-hop headers: longer than any real one */
	eth(0x86dd);
	ipv6(0, 9 * 8 + 20);
	for (i = 0; i < 9; i++)
		put((uint8_t[8]){0}, 8);
	tcp(1, 2, 0);
	assert_int_equal(parse(&p), WEIR_DROP_BAD_IP_HEADER);
	/* the payload length says more than the frame holds */
	eth(0x86dd);
	ipv6(6, 40);
	tcp(1, 2, 0);
	assert_int_equal(parse(&p), WEIR_DROP_BAD_IP_LENGTH);
	/* a truncated IPv6 header, and an IPv4 version inside an IPv6 EtherType */
	eth(0x86dd);
	ipv6(6, 20);
	fl = 14 + 30;
	assert_int_equal(parse(&p), WEIR_DROP_TRUNCATED_L3);
	eth(0x86dd);
	ipv4(6, 20, 5, 0);
	tcp(1, 2, 0);
	put((uint8_t[20]){0}, 20);
	assert_int_equal(parse(&p), WEIR_DROP_BAD_IP_VERSION);
	/* a VLAN tag cut short */
	eth(0x8100);
	put((uint8_t[2]){0, 7}, 2);
	assert_int_equal(parse(&p), WEIR_DROP_TRUNCATED_L2);
}

/* Headers split over three segments are read across the boundaries. */
static void t_segmented(void **state)
{
	static uint8_t seg[3][64];
	struct rte_mbuf m[3];
	struct weir_pkt p, q;
	size_t cut[4] = {0, 17, 40, 0}, k;

	(void)state;
	eth(0x0800);
	ipv4(17, 8 + 10, 6, 0);
	udp(1111, 2222, 10);
	cut[3] = fl;
	for (k = 0; k < 3; k++) {
		memcpy(seg[k], fr + cut[k], cut[k + 1] - cut[k]);
		mbuf_over(&m[k], seg[k], cut[k + 1] - cut[k]);
		m[k].next = k < 2 ? &m[k + 1] : NULL;
	}
	m[0].nb_segs = 3;
	m[0].pkt_len = (uint32_t)fl;
	assert_int_equal(weir_parse(&m[0], &p), WEIR_DROP_NONE);
	assert_int_equal(parse(&q), WEIR_DROP_NONE);
	assert_int_equal(p.l4_off, 14 + 24);
	assert_int_equal(p.sport, 1111);
	assert_int_equal(p.dport, 2222);
	assert_int_equal(p.v4_dst, q.v4_dst);
	assert_memory_equal(p.eth_src, q.eth_src, 6);
	/* the last segment missing: the UDP header is not there */
	m[1].next = NULL;
	m[0].pkt_len = (uint32_t)cut[2];
	assert_int_not_equal(weir_parse(&m[0], &p), WEIR_DROP_NONE);
}

static void t_values_v4(void **state)
{
	const struct weir_layer_desc *l = weir_layer_get(WEIR_LAYER_INBOUND_TRANSPORT_V4);
	FWPS_INCOMING_VALUE0 v[WEIR_FIELDS_MAX];
	struct vstore vs;
	struct weir_pkt p;
	enum weir_layer lid = WEIR_LAYER_INBOUND_TRANSPORT_V4;

	(void)state;
	eth(0x0800);
	ipv4(6, 20, 5, 0);
	tcp(40000, 443, 0x12);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	p.in_port = 2, p.out_port = 3;
	assert_true(weir_pipeline_applies(l, &p));
	weir_pipeline_fill(l, &p, v, &vs);
	/* WFP's fields by WFP's index: local = destination on the way in */
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.type, FWP_UINT8);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value.uint8, 6);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS].value.type,
	                 FWP_UINT32);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS].value.uint32,
	                 0x0a000002);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS].value.uint32,
	                 0x0a000001);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT].value.uint16, 443);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_PORT].value.uint16, 40000);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS_TYPE].value.uint8, 1);
	/* weir's extension fields */
	assert_int_equal(val(v, lid, "l4.dst-port")->uint16, 443);
	assert_int_equal(val(v, lid, "tcp.flags")->type, FWP_UINT8);
	assert_int_equal(val(v, lid, "tcp.flags")->uint8, 0x12);
	assert_int_equal(val(v, lid, "icmp.type")->type, FWP_EMPTY);
	assert_int_equal(val(v, lid, "ip.dscp")->uint8, 46);
	assert_int_equal(val(v, lid, "ip.ttl")->uint8, 33);
	assert_int_equal(val(v, lid, "pkt.len")->uint16, 14 + 20 + 20);
	assert_int_equal(val(v, lid, "if.in")->uint16, 2);
	assert_int_equal(val(v, lid, "if.out")->uint16, 3);

	/* ICMP: WFP's local/remote port fields carry the type and code */
	eth(0x0800);
	ipv4(1, 8, 5, 0);
	put((uint8_t[8]){3, 4}, 8);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	weir_pipeline_fill(l, &p, v, &vs);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_ICMP_TYPE].value.uint16, 3);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V4_ICMP_CODE].value.uint16, 4);
	assert_int_equal(val(v, lid, "l4.dst-port")->type, FWP_EMPTY);
	assert_int_equal(val(v, lid, "tcp.flags")->type, FWP_EMPTY);
	assert_int_equal(val(v, lid, "icmp.code")->uint8, 4);

	/* a non-first fragment reaches the IP layers only */
	eth(0x0800);
	ipv4(6, 8, 5, 3);
	put((uint8_t[8]){0}, 8);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_false(weir_pipeline_applies(l, &p));
	assert_true(weir_pipeline_applies(weir_layer_get(WEIR_LAYER_INBOUND_IPPACKET_V4), &p));
	weir_pipeline_fill(weir_layer_get(WEIR_LAYER_INBOUND_IPPACKET_V4), &p, v, &vs);
	assert_int_equal(val(v, WEIR_LAYER_INBOUND_IPPACKET_V4, "ip.proto")->uint8, 6);
	assert_int_equal(val(v, WEIR_LAYER_INBOUND_IPPACKET_V4, "l4.dst-port")->type, FWP_EMPTY);
}

static void t_values_v6_and_mac(void **state)
{
	const struct weir_layer_desc *l6 = weir_layer_get(WEIR_LAYER_INBOUND_TRANSPORT_V6);
	const struct weir_layer_desc *o6 = weir_layer_get(WEIR_LAYER_OUTBOUND_IPPACKET_V6);
	const struct weir_layer_desc *mac = weir_layer_get(WEIR_LAYER_INBOUND_MAC_FRAME);
	FWPS_INCOMING_VALUE0 v[WEIR_FIELDS_MAX];
	struct vstore vs;
	struct weir_pkt p;
	const FWP_VALUE0 *a;
	uint8_t tag[4] = {0x00, 0x2a, 0x86, 0xdd};

	(void)state;
	eth(0x8100);
	put(tag, 4);
	ipv6(17, 8);
	udp(1000, 2000, 0);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_false(weir_pipeline_applies(weir_layer_get(WEIR_LAYER_INBOUND_TRANSPORT_V4), &p));
	assert_true(weir_pipeline_applies(l6, &p));
	assert_true(weir_pipeline_applies(weir_layer_get(WEIR_LAYER_DATAGRAM_DATA_V6), &p));
	weir_pipeline_fill(l6, &p, v, &vs);
	/* IPv6 addresses point into the per-packet summary */
	a = &v[FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_ADDRESS].value;
	assert_int_equal(a->type, FWP_BYTE_ARRAY16_TYPE);
	assert_ptr_equal(a->byteArray16, (const void *)p.v6_dst);
	assert_int_equal(a->byteArray16->byteArray16[15], 2);
	a = &v[FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_REMOTE_ADDRESS].value;
	assert_ptr_equal(a->byteArray16, (const void *)p.v6_src);
	assert_int_equal(v[FWPS_FIELD_INBOUND_TRANSPORT_V6_IP_LOCAL_PORT].value.uint16, 2000);
	/* outbound: local = source */
	weir_pipeline_fill(o6, &p, v, &vs);
	a = &v[FWPS_FIELD_OUTBOUND_IPPACKET_V6_IP_LOCAL_ADDRESS].value;
	assert_ptr_equal(a->byteArray16, (const void *)p.v6_src);
	/* the mac-frame layer: MACs point into the summary, EtherType after the tag */
	weir_pipeline_fill(mac, &p, v, &vs);
	a = val(v, WEIR_LAYER_INBOUND_MAC_FRAME, "eth.dst");
	assert_int_equal(a->type, FWP_BYTE_ARRAY6_TYPE);
	assert_ptr_equal(a->byteArray6, (const void *)p.eth_dst);
	assert_int_equal(val(v, WEIR_LAYER_INBOUND_MAC_FRAME, "eth.type")->uint16, 0x86dd);
	assert_int_equal(val(v, WEIR_LAYER_INBOUND_MAC_FRAME, "vlan.id")->uint16, 42);
	/* TCP never reaches datagram-data */
	eth(0x86dd);
	ipv6(6, 20);
	tcp(1, 2, 2);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	assert_false(weir_pipeline_applies(weir_layer_get(WEIR_LAYER_DATAGRAM_DATA_V6), &p));
	/* non-IP: the mac-frame layers only */
	eth(0x0806);
	put((uint8_t[28]){0}, 28);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	for (unsigned k = 0; k < WEIR_LAYER_COUNT; k++)
		assert_int_equal(weir_pipeline_applies(weir_layer_get(k), &p),
		                 weir_layer_get(k)->ip_version == 0);
	weir_pipeline_fill(mac, &p, v, &vs);
	assert_int_equal(val(v, WEIR_LAYER_INBOUND_MAC_FRAME, "vlan.id")->type, FWP_EMPTY);
}

static void t_metadata(void **state)
{
	FWPS_INCOMING_METADATA_VALUES0 m;
	struct weir_pkt p;
	const UINT32 sizes =
	    FWPS_METADATA_FIELD_IP_HEADER_SIZE | FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE;

	(void)state;
	eth(0x0800);
	ipv4(6, 24, 6, 0);
	tcp(5, 6, 2);
	fr[14 + 24 + 12] = 6 << 4; /* TCP header with 4 bytes of options */
	put((uint8_t[4]){1, 1, 1, 0}, 4);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	p.in_port = 4, p.out_port = 5;
	weir_pipeline_fill_meta(weir_layer_get(WEIR_LAYER_INBOUND_TRANSPORT_V4), &p, &m);
	assert_int_equal(m.currentMetadataValues & sizes, sizes);
	assert_true(m.currentMetadataValues & FWPS_METADATA_FIELD_PACKET_DIRECTION);
	assert_int_equal(m.packetDirection, FWP_DIRECTION_INBOUND);
	assert_int_equal(m.ipHeaderSize, 24);
	assert_int_equal(m.transportHeaderSize, 24);
	assert_int_equal(m.weirL3Offset, 14);
	assert_int_equal(m.weirL4Offset, 14 + 24);
	assert_int_equal(m.weirInPort, 4);
	assert_int_equal(m.weirOutPort, 5);
	assert_int_equal(m.sourceInterfaceIndex, 4);
	assert_int_equal(m.destinationInterfaceIndex, 5);
	assert_int_equal(m.frameLength, fl);
	weir_pipeline_fill_meta(weir_layer_get(WEIR_LAYER_OUTBOUND_MAC_FRAME), &p, &m);
	assert_int_equal(m.packetDirection, FWP_DIRECTION_OUTBOUND);
	/* no IP: neither size is there */
	eth(0x0806);
	put((uint8_t[28]){0}, 28);
	assert_int_equal(parse(&p), WEIR_DROP_NONE);
	weir_pipeline_fill_meta(weir_layer_get(WEIR_LAYER_INBOUND_MAC_FRAME), &p, &m);
	assert_int_equal(m.currentMetadataValues & sizes, 0);
}

/*
 * weir_parse() reads the common IPv4 TCP/UDP frame in place and hands
 * everything else to weir_parse_full(): on valid frames and random
 * mutations of them (lengths, flags, header sizes, truncations), both give
 * the same reason and the same summary.
 */
static void t_parse_in_place(void **state)
{
	static uint8_t base[6][256];
	static size_t blen[6];
	unsigned nb = 0, it, k, accepted = 0;
	uint32_t seed = 777;

	(void)state;
#define KEEP() (memcpy(base[nb], fr, fl), blen[nb++] = fl)
	eth(0x0800), ipv4(6, 20, 5, 0), tcp(1234, 80, 0x12), KEEP();
	eth(0x0800), ipv4(6, 24, 5, 0x4000), tcp(1, 2, 3), put((uint8_t[4]){1, 1, 1, 1}, 4);
	fr[14 + 20 + 12] = 6 << 4, KEEP(); /* TCP options */
	eth(0x0800), ipv4(17, 8 + 30, 5, 0), udp(53, 5353, 30), KEEP();
	eth(0x0800), ipv4(17, 8, 5, 0), udp(9, 9, 0), put((uint8_t[18]){0}, 18), KEEP(); /* pad */
	eth(0x0800), ipv4(6, 20, 6, 0), tcp(1, 2, 3), KEEP(); /* IP options */
	eth(0x0800), ipv4(1, 8, 5, 0), put((uint8_t[8]){8}, 8), KEEP();
#undef KEEP
	for (it = 0; it < 300000; it++) {
		static const uint8_t hot[] = {12, 13, 14, 16, 17, 20, 21, 23, 46};
		unsigned b = it % nb, flips;
		struct weir_pkt a, c;
		struct rte_mbuf m;
		enum weir_drop_reason ra, rc;

		memcpy(fr, base[b], blen[b]);
		fl = blen[b];
		seed = seed * 1103515245u + 12345u;
		flips = (seed >> 16) % 3;
		for (k = 0; k < flips; k++) {
			unsigned at;

			seed = seed * 1103515245u + 12345u;
			at = (seed >> 20) % 2 ? hot[(seed >> 8) % sizeof(hot)] : (seed >> 8) % fl;
			if (at < fl)
				fr[at] ^= (uint8_t)(1u << ((seed >> 4) & 7));
		}
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 4 == 0)
			fl = (seed >> 4) % (fl + 1);
		memset(&a, 0x5a, sizeof(a));
		memset(&c, 0x5a, sizeof(c));
		mbuf_over(&m, fr, fl);
		ra = weir_parse(&m, &a);
		rc = weir_parse_full(&m, &c);
		assert_int_equal(ra, rc);
		assert_memory_equal(&a, &c, sizeof(a));
		accepted += ra == WEIR_DROP_NONE;
	}
	assert_true(accepted > 100000);
}

/* Valid frames, then random truncations and byte flips of them. */
static void t_mutations(void **state)
{
	static uint8_t base[8][256];
	static size_t blen[8];
	FWPS_INCOMING_VALUE0 v[WEIR_FIELDS_MAX];
	FWPS_INCOMING_METADATA_VALUES0 meta;
	struct vstore vs;
	struct weir_pkt p;
	unsigned nb = 0, it, k, ok = 0;
	uint32_t seed = 12345;

	(void)state;
#define KEEP() (memcpy(base[nb], fr, fl), blen[nb++] = fl)
	eth(0x0800), ipv4(6, 20, 6, 0), tcp(1, 2, 3), KEEP();
	eth(0x0800), ipv4(17, 8, 5, 0x2000), udp(1, 2, 0), KEEP();
	eth(0x0800), ipv4(1, 8, 5, 0), put((uint8_t[8]){8}, 8), KEEP();
	eth(0x86dd), ipv6(0, 8 + 20), put((uint8_t[8]){6}, 8), tcp(1, 2, 3), KEEP();
	eth(0x86dd), ipv6(44, 8 + 8), put((uint8_t[8]){17}, 8), udp(1, 2, 0), KEEP();
	eth(0x86dd), ipv6(58, 8), put((uint8_t[8]){128}, 8), KEEP();
	eth(0x8100), put((uint8_t[4]){0, 9, 0x08, 0}, 4), ipv4(132, 12, 5, 0),
	    put((uint8_t[12]){0}, 12), KEEP();
	eth(0x88a8), put((uint8_t[4]){0, 9, 0x81, 0}, 4), put((uint8_t[4]){0, 9, 0x86, 0xdd}, 4),
	    ipv6(17, 8), udp(9, 9, 0), KEEP();
#undef KEEP
	for (it = 0; it < 200000; it++) {
		unsigned b = it % nb, flips;

		memcpy(fr, base[b], blen[b]);
		fl = blen[b];
		seed = seed * 1103515245u + 12345u;
		flips = (seed >> 16) % 4;
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			fr[(seed >> 8) % fl] ^= (uint8_t)(1u << ((seed >> 4) & 7));
		}
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 3 == 0)
			fl = (seed >> 4) % (fl + 1);
		memset(&p, 0xa5, sizeof(p));
		if (parse(&p) != WEIR_DROP_NONE)
			continue;
		ok++;
		/* whatever was accepted lies inside the frame */
		assert_true(p.pkt_len == fl);
		if (p.ip_version) {
			assert_true(p.l3_off >= 14 && p.l3_off + p.l3_len <= fl);
			assert_true(p.ip_version == 4 || p.ip_version == 6);
		}
		if (p.l4_off)
			assert_true(p.l4_off == p.l3_off + p.l3_len && p.l4_off + p.l4_len <= fl);
		assert_false(p.has_ports && p.has_icmp);
		for (k = 0; k < WEIR_LAYER_COUNT; k++) {
			const struct weir_layer_desc *l = weir_layer_get(k);

			if (!weir_pipeline_applies(l, &p))
				continue;
			weir_pipeline_fill(l, &p, v, &vs);
			weir_pipeline_fill_meta(l, &p, &meta);
		}
	}
	/* most mutations still parse: the loop really exercised the fill */
	assert_true(ok > 50000);
}

/*
 * The key extractors against what they replace: for every field of every
 * layer, each value type and key placement (leading byte, half word, word,
 * IPv6 address) and each kind of packet, weir_extract_keys() writes every
 * byte of the key as weir_pipeline_fill() + weir_fast_key_put() over a
 * zeroed key do, and the same exactness (absent fields, other types, fields
 * not in the layer: keyed 0, inexact).
 */
enum { EX_PKTS = 10 };

static void ex_packets(struct weir_pkt *pk)
{
	static const uint8_t icmp[8] = {8, 3, 0, 0, 0, 1, 0, 1};
	static const uint8_t icmp6[8] = {128, 4, 0, 0, 0, 1, 0, 1};
	uint8_t tag[4] = {0x20, 0x07, 0x08, 0x00};
	unsigned n = 0, k;

	eth(0x0800), ipv4(6, 20, 5, 0), tcp(1000, 80, 0x12);
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x0800), ipv4(17, 8, 5, 0), udp(53, 5353, 0);
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x0800), ipv4(1, 8, 5, 0), put(icmp, 8);
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x0800), ipv4(17, 8, 5, 0x0010), udp(1, 2, 0); /* a later fragment */
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x86dd), ipv6(17, 8), udp(7, 9, 0);
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x86dd), ipv6(58, 8), put(icmp6, 8);
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x86dd), ipv6(6, 20), tcp(65535, 1, 0x02);
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x8100), put(tag, 4), ipv4(6, 20, 5, 0), tcp(443, 1024, 0x10);
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x0806), put((uint8_t[28]){0}, 28);
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	eth(0x0800), ipv4(132, 12, 5, 0), put((uint8_t[12]){0, 9, 0, 10}, 12); /* SCTP */
	assert_int_equal(parse(&pk[n++]), WEIR_DROP_NONE);
	assert_int_equal(n, EX_PKTS);
	for (k = 0; k < n; k++) {
		pk[k].in_port = (uint16_t)(k + 0x1234);
		pk[k].out_port = (uint16_t)(k * 3);
		pk[k].cond_flags = k % 2 ? FWP_CONDITION_FLAG_IS_REAUTHORIZE : 0;
		pk[k].pkt_len += 0x10000 * k; /* wider than a FWP_UINT16 */
		pk[k].v4_dst = k == 2 ? 0xffffffffu : k == 3 ? 0xe0000001u : pk[k].v4_dst;
	}
}

/* Compare the plan of @p n maps at layer @p lid with the incoming-value path. */
static void ex_check(const struct weir_layer_desc *l, const struct weir_pkt *pk,
                     struct weir_fast_map *maps, uint32_t n, uint32_t n_words)
{
	static struct weir_fast_base b;
	const struct weir_pkt *pp[EX_PKTS];
	uint8_t keys[EX_PKTS][RTE_ACL_MAX_FIELDS * 4];
	uint8_t exact[EX_PKTS];
	unsigned t, k;

	memset(&b, 0, sizeof(b));
	memcpy(b.maps, maps, n * sizeof(*maps));
	b.n_maps = n;
	b.n_words = n_words;
	weir_extract_plan_desc(&b.extract, l, b.maps, n);
	for (t = 0; t < EX_PKTS; t++)
		pp[t] = &pk[t];
	memset(keys, 0xa5, sizeof(keys)); /* every byte must be written */
	weir_extract_keys(&b.extract, pp, EX_PKTS, &keys[0][0], sizeof(keys[0]), exact);
	for (t = 0; t < EX_PKTS; t++) {
		FWPS_INCOMING_VALUE0 vals[WEIR_FIELDS_MAX];
		struct vstore vs;
		uint32_t want[RTE_ACL_MAX_FIELDS] = {0};
		bool ex = true;

		if (l->ip_version && !weir_pipeline_applies(l, &pk[t]))
			continue;
		weir_pipeline_fill(l, &pk[t], vals, &vs);
		for (k = 0; k < n; k++)
			if (maps[k].field >= l->field_count ||
			    !weir_fast_key_put(&b, k, &vals[maps[k].field].value, want))
				ex = false;
		if (memcmp(keys[t], want, 4 * n_words) != 0 || exact[t] != ex)
			fail_msg("layer %s field %u vtype %d packet %u: key or exactness differs",
			         l->name, maps[0].field, maps[0].vtype, t);
	}
}

/* Every field of layer @p l, each value type and key placement. */
static unsigned ex_layer(const struct weir_layer_desc *l, const struct weir_pkt *pk)
{
	static const FWP_DATA_TYPE vt[] = {FWP_UINT8, FWP_UINT16, FWP_UINT32,
	                                   FWP_BYTE_ARRAY16_TYPE};
	unsigned f, v, checks = 0;

	for (f = 0; f <= l->field_count; f++) { /* field_count: not in the layer */
		for (v = 0; v < RTE_DIM(vt); v++) {
			struct weir_fast_map m[2];

			memset(m, 0, sizeof(m));
			m[0].field = (UINT16)f;
			m[0].vtype = vt[v];
			if (vt[v] == FWP_BYTE_ARRAY16_TYPE) {
				m[0].kind = WEIR_FAST_K_V6, m[0].slot = 1;
				ex_check(l, pk, m, 1, 5);
				checks++;
				continue;
			}
			m[0].slot = 1; /* a whole word, no leading byte */
			ex_check(l, pk, m, 1, 2);
			if (vt[v] == FWP_UINT8) { /* the leading byte */
				m[0].slot = 0, m[0].lead = 1;
				ex_check(l, pk, m, 1, 1);
			}
			if (vt[v] == FWP_UINT16) { /* two halves of one word */
				m[1] = m[0];
				m[0].half = 1, m[1].half = 2;
				m[1].field = (UINT16)(f ? f - 1 : f + 1);
				ex_check(l, pk, m, 2, 2);
			}
			checks += 2;
		}
	}
	return checks;
}

static void t_extract(void **state)
{
	static const FWP_DATA_TYPE ft[] = {FWP_EMPTY,           FWP_UINT8,  FWP_UINT16,
	                                   FWP_UINT32,          FWP_UINT64, FWP_BYTE_ARRAY16_TYPE,
	                                   FWP_BYTE_ARRAY6_TYPE};
	static struct weir_field_desc all[WEIR_ATTR_COUNT * RTE_DIM(ft)];
	struct weir_layer_desc synth;
	struct weir_pkt pk[EX_PKTS];
	unsigned lid, a, t, n = 0, checks = 0;

	(void)state;
	ex_packets(pk);
	for (lid = 0; lid < WEIR_LAYER_COUNT; lid++)
		checks += ex_layer(weir_layer_get(lid), pk);
	/* every attribute in every WFP type, at an inbound and an outbound layer */
	for (a = 0; a < WEIR_ATTR_COUNT; a++)
		for (t = 0; t < RTE_DIM(ft); t++) {
			all[n].attr = (enum weir_pkt_attr)a;
			all[n++].type = ft[t];
		}
	assert_true(n <= WEIR_FIELDS_MAX * 4);
	for (a = 0; a < 2; a++) {
		unsigned first;

		synth = *weir_layer_get(a ? WEIR_LAYER_OUTBOUND_MAC_FRAME
		                          : WEIR_LAYER_INBOUND_MAC_FRAME);
		/* WEIR_FIELDS_MAX fields at a time (weir_pipeline_fill's bound) */
		for (first = 0; first < n; first += WEIR_FIELDS_MAX) {
			synth.fields = &all[first];
			synth.field_count =
			    n - first < WEIR_FIELDS_MAX ? n - first : WEIR_FIELDS_MAX;
			checks += ex_layer(&synth, pk);
		}
	}
	assert_true(checks > 1000);
}

/* The pipeline over a burst, with a real engine, policy and callout. */
static const GUID ABSORB_KEY = {
    0x5eedab50, 0x1111, 0x4222, {0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x99}};
static int device_token;
static unsigned absorb_calls;

static void NTAPI absorb_classify(const FWPS_INCOMING_VALUES0 *in,
                                  const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                                  const void *cc, const FWPS_FILTER1 *f, UINT64 fc,
                                  FWPS_CLASSIFY_OUT0 *out)
{
	const struct rte_mbuf *m = layerData;

	(void)in, (void)cc, (void)f, (void)fc;
	absorb_calls++;
	/* layerData is the packet; the metadata locates its headers in it */
	assert_non_null(m);
	assert_int_equal(meta->weirL4Offset, meta->weirL3Offset + meta->ipHeaderSize);
	assert_int_equal(rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->weirL4Offset)[3], 99);
	out->actionType = FWP_ACTION_BLOCK;
	out->flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
	out->rights &= ~FWPS_RIGHT_ACTION_WRITE;
}

static void add_filter(HANDLE h, const GUID *layer, FWP_ACTION_TYPE action, UINT8 proto,
                       UINT16 dport)
{
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[2];
	UINT64 id;

	memset(&f, 0, sizeof(f));
	memset(c, 0, sizeof(c));
	c[0].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	c[0].matchType = FWP_MATCH_EQUAL;
	c[0].conditionValue.type = FWP_UINT8;
	c[0].conditionValue.uint8 = proto;
	c[1].fieldKey = WEIR_CONDITION_L4_DST_PORT;
	c[1].matchType = FWP_MATCH_EQUAL;
	c[1].conditionValue.type = FWP_UINT16;
	c[1].conditionValue.uint16 = dport;
	f.displayData.name = L"t";
	f.layerKey = *layer;
	f.action.type = action;
	if (action & FWP_ACTION_FLAG_CALLOUT)
		f.action.calloutKey = ABSORB_KEY;
	f.numFilterConditions = dport ? 2 : 1;
	f.filterCondition = c;
	assert_int_equal(FwpmFilterAdd0(h, &f, NULL, &id), 0);
}

static void t_pipeline_burst(void **state)
{
	enum { N = 40 };
	static uint8_t bufs[N][128];
	struct rte_mbuf m[N], *pkts[N], *out[N];
	struct weir_worker_stats st;
	FWPM_SESSION0 s = {.flags = FWPM_SESSION_FLAG_DYNAMIC};
	FWPM_CALLOUT0 mc;
	FWPS_CALLOUT1 rc;
	HANDLE h;
	UINT32 cid;
	uint16_t n_out, i, k;
	unsigned freed = 0, kept = 0, absorbed = 0, want_block = 0, want_drop = 0, want_absorb = 0;
	uint64_t blocked = 0, dropped = 0;

	(void)state;
	assert_int_equal(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h), 0);
	memset(&rc, 0, sizeof(rc));
	rc.calloutKey = ABSORB_KEY;
	rc.classifyFn = absorb_classify;
	assert_int_equal(FwpsCalloutRegister1(&device_token, &rc, &cid), 0);
	memset(&mc, 0, sizeof(mc));
	mc.calloutKey = ABSORB_KEY;
	mc.displayData.name = L"absorb";
	mc.applicableLayer = FWPM_LAYER_DATAGRAM_DATA_V4;
	assert_int_equal(FwpmCalloutAdd0(h, &mc, NULL, &cid), 0);
	add_filter(h, &FWPM_LAYER_INBOUND_TRANSPORT_V4, FWP_ACTION_BLOCK, 6, 23);
	add_filter(h, &FWPM_LAYER_INBOUND_TRANSPORT_V6, FWP_ACTION_BLOCK, 17, 9);
	add_filter(h, &FWPM_LAYER_DATAGRAM_DATA_V4, FWP_ACTION_CALLOUT_TERMINATING, 17, 99);
	/* a mixed burst: permitted, blocked at two layers, absorbed, malformed */
	for (i = 0; i < N; i++) {
		switch (i % 5) {
		case 0:
			eth(0x0800), ipv4(6, 20, 5, 0), tcp(1000, i % 2 ? 23 : 80, 2);
			want_block += i % 2;
			break;
		case 1:
			eth(0x86dd), ipv6(17, 8), udp(7, i % 3 ? 9 : 10, 0);
			want_block += i % 3 != 0;
			break;
		case 2:
			eth(0x0800), ipv4(17, 8, 5, 0), udp(7, 99, 0);
			want_absorb++;
			break;
		case 3:
			eth(0x0800), ipv4(6, 20, 5, 0), tcp(1, 2, 0);
			fl -= 7; /* truncated: the IP total length says more */
			want_drop++;
			break;
		default:
			eth(0x0806), put((uint8_t[28]){0}, 28);
			break;
		}
		memcpy(bufs[i], fr, fl);
		mbuf_over(&m[i], bufs[i], fl);
		rte_mbuf_refcnt_set(&m[i], 2); /* a "free" leaves 1: visible, harmless */
		pkts[i] = &m[i];
	}
	memset(&st, 0, sizeof(st));
	n_out = weir_pipeline_run(weir_snapshot_current(), NULL, pkts, N, 0, 1, &st, out);
	for (i = 0; i < N; i++) {
		bool in_out = false;

		for (k = 0; k < n_out; k++)
			in_out |= out[k] == &m[i];
		if (rte_mbuf_refcnt_read(&m[i]) == 1) {
			assert_false(in_out);
			freed++;
		} else if (in_out) {
			kept++;
		} else {
			absorbed++;
		}
	}
	/* out keeps the arrival order */
	for (k = 1; k < n_out; k++)
		assert_true(out[k - 1] < out[k]);
	for (k = 0; k < WEIR_LAYER_COUNT; k++)
		blocked += st.blocked[k];
	for (k = 0; k < WEIR_DROP_COUNT; k++)
		dropped += st.dropped[k];
	assert_int_equal(st.rx, N);
	assert_int_equal(absorbed, want_absorb);
	assert_int_equal(st.absorbed, want_absorb);
	assert_int_equal(absorb_calls, want_absorb);
	assert_int_equal(blocked, want_block);
	assert_int_equal(st.blocked[WEIR_LAYER_INBOUND_TRANSPORT_V4] +
	                     st.blocked[WEIR_LAYER_INBOUND_TRANSPORT_V6],
	                 want_block);
	assert_int_equal(dropped, want_drop);
	assert_int_equal(st.dropped[WEIR_DROP_BAD_IP_LENGTH], want_drop);
	assert_int_equal(freed, want_block + want_drop);
	assert_int_equal(kept, n_out);
	/* conservation, over a burst where every outcome happened */
	assert_int_equal(st.rx, n_out + blocked + dropped + st.absorbed);
	assert_true(n_out > 0 && blocked > 0 && dropped > 0 && st.absorbed > 0);
	assert_int_equal(FwpsCalloutUnregisterByKey0(&ABSORB_KEY), 0);
	assert_int_equal(FwpmEngineClose0(h), 0);
}

/* Public names and counters before any start (no EAL needed). */
static void t_public_counters(void **state)
{
	struct weir_dataplane_counters c;
	struct rte_eth_stats es;
	unsigned k;

	(void)state;
	assert_string_equal(weir_drop_reason_name(WEIR_DROP_NONE), "none");
	assert_string_equal(weir_drop_reason_name(WEIR_DROP_TRUNCATED_L2), "truncated-l2");
	assert_string_equal(weir_drop_reason_name(WEIR_DROP_FLOW_TABLE_FULL), "flow-table-full");
	assert_string_equal(weir_drop_reason_name(WEIR_DROP_COUNT), "unknown");
	for (k = 1; k < WEIR_DROP_COUNT; k++)
		assert_string_not_equal(weir_drop_reason_name(k), "unknown");
	memset(&c, 0xff, sizeof(c));
	weir_dataplane_counters(&c);
	assert_int_equal(c.totals.rx, 0);
	assert_int_equal(c.dropped[WEIR_DROP_TX_FULL], 0);
	assert_int_equal(weir_dataplane_port_stats(0, &es), -EINVAL);
	assert_int_equal(weir_dataplane_port_stats(0, NULL), -EINVAL);
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
	    cmocka_unit_test(t_ipv4_tcp_options),
	    cmocka_unit_test(t_vlan_and_non_ip),
	    cmocka_unit_test(t_malformed),
	    cmocka_unit_test(t_fragments),
	    cmocka_unit_test(t_ipv6_ext),
	    cmocka_unit_test(t_qinq_sctp),
	    cmocka_unit_test(t_ipv6_fragments_icmpv6),
	    cmocka_unit_test(t_ipv6_malformed),
	    cmocka_unit_test(t_segmented),
	    cmocka_unit_test(t_values_v4),
	    cmocka_unit_test(t_values_v6_and_mac),
	    cmocka_unit_test(t_metadata),
	    cmocka_unit_test(t_mutations),
	    cmocka_unit_test(t_parse_in_place),
	    cmocka_unit_test(t_extract),
	    cmocka_unit_test(t_pipeline_burst),
	    cmocka_unit_test(t_explain_frame),
	    cmocka_unit_test(t_public_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
