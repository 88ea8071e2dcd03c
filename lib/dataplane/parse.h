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
	uint16_t in_port, out_port;
	uint32_t cond_flags; /**< FWP_CONDITION_FLAG_* of the current classify */
};

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
