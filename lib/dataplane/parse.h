/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet parsing (internal): each packet is parsed once per burst into a
 * compact summary every layer reads its fields from.
 *
 * The parser reads headers through rte_pktmbuf_read(), so segmented mbufs
 * and truncated frames are safe; a frame that cannot be parsed is dropped
 * with a reason, never dereferenced past its end.
 */
#ifndef WEIR_DATAPLANE_PARSE_H
#define WEIR_DATAPLANE_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include <netinet/in.h>

#include <weir/weir_dataplane.h>

/* The drop reasons (WEIR_DROP_REASONS, enum weir_drop_reason) are public. */

/** What the layers need of one packet. */
struct weir_pkt {
	uint32_t pkt_len;   /**< frame length */
	uint16_t l3_off;    /**< offset of the IP header (0 if not IP) */
	uint16_t l3_len;    /**< IP header incl. options / extension headers */
	uint16_t l4_off;    /**< offset of the transport header (0 if none) */
	uint16_t l4_len;    /**< transport header size (0 if none) */
	uint16_t eth_type;  /**< after VLAN tags */
	uint16_t vlan_id;   /**< outer VLAN id (valid if has_vlan) */
	uint8_t ip_version; /**< 0 (not IP), 4 or 6 */
	uint8_t proto;      /**< IPv4 protocol / IPv6 upper-layer header */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint8_t dscp, ttl;
	bool has_vlan;
	bool has_ports; /**< TCP/UDP/SCTP header present */
	bool has_icmp;  /**< ICMP/ICMPv6 header present */
	bool fragment;  /**< part of a fragmented datagram */
	uint16_t sport, dport;
	uint32_t v4_src, v4_dst; /**< host order */
	uint8_t v6_src[16], v6_dst[16];
	uint8_t eth_src[6], eth_dst[6];
	uint32_t cond_flags; /**< FWP_CONDITION_FLAG_* of the current classify (parsed: 0) */
	uint16_t in_port, out_port;
	uint16_t pres; /**< WEIR_PKT_P_* bits (weir_pkt_presence()), set by the parser */
};

/**
 * What a parsed packet has, as bits: which layers see it (all of a layer's
 * bits) and which values exist (any of an extracted field's bits).
 */
enum {
	WEIR_PKT_P_ALWAYS = 1u << 0,     /**< every packet */
	WEIR_PKT_P_IP = 1u << 1,         /**< IPv4 or IPv6 */
	WEIR_PKT_P_V4 = 1u << 2,         /**< IPv4 */
	WEIR_PKT_P_V6 = 1u << 3,         /**< IPv6 */
	WEIR_PKT_P_L4 = 1u << 4,         /**< a transport header (not a later fragment) */
	WEIR_PKT_P_L4_NOT_TCP = 1u << 5, /**< a transport header, not TCP */
	WEIR_PKT_P_PORTS = 1u << 6,      /**< has_ports */
	WEIR_PKT_P_ICMP = 1u << 7,       /**< has_icmp */
	WEIR_PKT_P_TCP_PORTS = 1u << 8,  /**< has_ports and TCP */
	WEIR_PKT_P_VLAN = 1u << 9,       /**< has_vlan */
};

/** The WEIR_PKT_P_* bits of a parsed packet @p p. */
static inline uint16_t weir_pkt_presence(const struct weir_pkt *p)
{
	uint16_t b = WEIR_PKT_P_ALWAYS;

	if (p->ip_version)
		b |= WEIR_PKT_P_IP | (p->ip_version == 4 ? WEIR_PKT_P_V4 : WEIR_PKT_P_V6);
	if (p->l4_off)
		b |= WEIR_PKT_P_L4 | (p->proto != IPPROTO_TCP ? WEIR_PKT_P_L4_NOT_TCP : 0);
	if (p->has_ports)
		b |= WEIR_PKT_P_PORTS | (p->proto == IPPROTO_TCP ? WEIR_PKT_P_TCP_PORTS : 0);
	if (p->has_icmp)
		b |= WEIR_PKT_P_ICMP;
	if (p->has_vlan)
		b |= WEIR_PKT_P_VLAN;
	return b;
}

/**
 * Parse the frame in @p m.
 * @return WEIR_DROP_NONE, or why the frame must be dropped.
 */
enum weir_drop_reason weir_parse(const struct rte_mbuf *m, struct weir_pkt *p);

/**
 * The general parser weir_parse() falls back to (any frame, segmented
 * mbufs, every drop reason); same contract. Exposed for the differential
 * test of weir_parse()'s in-place path.
 */
enum weir_drop_reason weir_parse_full(const struct rte_mbuf *m, struct weir_pkt *p);

#endif /* WEIR_DATAPLANE_PARSE_H */
