/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/parse.h"

#define STR_(name, str) [WEIR_DROP_##name] = str,
static const char *const drop_names[WEIR_DROP_COUNT] = {[WEIR_DROP_NONE] = "none",
                                                        WEIR_DROP_REASONS(STR_)};
#undef STR_

const char *weir_drop_reason_name(enum weir_drop_reason r)
{
	return (unsigned)r < WEIR_DROP_COUNT && drop_names[r] ? drop_names[r] : "unknown";
}

/* Headers of at most this many bytes are read at once. */
#define HDR_MAX 64

static const void *hdr(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	if (off + len > rte_pktmbuf_pkt_len(m))
		return NULL;
	return rte_pktmbuf_read(m, off, len, buf);
}

static enum weir_drop_reason parse_l4(const struct rte_mbuf *m, struct weir_pkt *p, uint32_t end)
{
	uint8_t buf[HDR_MAX];
	uint32_t off = p->l4_off;

	switch (p->proto) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *t = hdr(m, off, sizeof(*t), buf);
		uint32_t hl;

		if (t == NULL || off + sizeof(*t) > end)
			return WEIR_DROP_TRUNCATED_L4;
		hl = (uint32_t)(t->data_off >> 4) * 4;
		if (hl < sizeof(*t) || off + hl > end)
			return WEIR_DROP_TRUNCATED_L4;
		p->sport = rte_be_to_cpu_16(t->src_port);
		p->dport = rte_be_to_cpu_16(t->dst_port);
		p->tcp_flags = t->tcp_flags;
		p->l4_len = (uint16_t)hl;
		p->has_ports = true;
		return WEIR_DROP_NONE;
	}
	case IPPROTO_UDP:
	case IPPROTO_SCTP: {
		/* both start with 16-bit source and destination ports */
		const struct rte_udp_hdr *u = hdr(m, off, 8, buf);
		uint32_t hl = p->proto == IPPROTO_UDP ? 8 : 12;

		if (u == NULL || off + hl > end)
			return WEIR_DROP_TRUNCATED_L4;
		p->sport = rte_be_to_cpu_16(u->src_port);
		p->dport = rte_be_to_cpu_16(u->dst_port);
		p->l4_len = (uint16_t)hl;
		p->has_ports = true;
		return WEIR_DROP_NONE;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		const uint8_t *ic = hdr(m, off, 4, buf);

		if (ic == NULL || off + 4 > end)
			return WEIR_DROP_TRUNCATED_L4;
		p->icmp_type = ic[0];
		p->icmp_code = ic[1];
		p->l4_len = 8 <= end - off ? 8 : 4;
		p->has_icmp = true;
		return WEIR_DROP_NONE;
	}
	default:
		/* other protocols: no transport fields, nothing to check */
		p->l4_len = 0;
		return WEIR_DROP_NONE;
	}
}

static enum weir_drop_reason parse_v4(const struct rte_mbuf *m, struct weir_pkt *p)
{
	uint8_t buf[HDR_MAX];
	const struct rte_ipv4_hdr *ip = hdr(m, p->l3_off, sizeof(*ip), buf);
	uint32_t hl, tot, frag;

	if (ip == NULL)
		return WEIR_DROP_TRUNCATED_L3;
	if ((ip->version_ihl >> 4) != 4)
		return WEIR_DROP_BAD_IP_VERSION;
	hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (hl < sizeof(*ip) || tot < hl)
		return WEIR_DROP_BAD_IP_HEADER;
	if (p->l3_off + tot > p->pkt_len)
		return WEIR_DROP_BAD_IP_LENGTH;
	p->ip_version = 4;
	p->l3_len = (uint16_t)hl;
	p->proto = ip->next_proto_id;
	p->ttl = ip->time_to_live;
	p->dscp = ip->type_of_service >> 2;
	p->v4_src = rte_be_to_cpu_32(ip->src_addr);
	p->v4_dst = rte_be_to_cpu_32(ip->dst_addr);
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	p->fragment = (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
	/* only the first fragment carries the transport header */
	if (frag & RTE_IPV4_HDR_OFFSET_MASK)
		return WEIR_DROP_NONE;
	p->l4_off = (uint16_t)(p->l3_off + hl);
	return parse_l4(m, p, p->l3_off + tot);
}

static bool is_v6_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

static enum weir_drop_reason parse_v6(const struct rte_mbuf *m, struct weir_pkt *p)
{
	uint8_t buf[HDR_MAX];
	const struct rte_ipv6_hdr *ip = hdr(m, p->l3_off, sizeof(*ip), buf);
	uint32_t off, end, plen, n = 0;
	uint8_t nh;

	if (ip == NULL)
		return WEIR_DROP_TRUNCATED_L3;
	if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)
		return WEIR_DROP_BAD_IP_VERSION;
	plen = rte_be_to_cpu_16(ip->payload_len);
	end = p->l3_off + (uint32_t)sizeof(*ip) + plen;
	if (end > p->pkt_len)
		return WEIR_DROP_BAD_IP_LENGTH;
	p->ip_version = 6;
	p->ttl = ip->hop_limits;
	p->dscp = (uint8_t)((rte_be_to_cpu_32(ip->vtc_flow) >> 22) & 0x3f);
	memcpy(p->v6_src, ip->src_addr, 16);
	memcpy(p->v6_dst, ip->dst_addr, 16);
	nh = ip->proto;
	off = p->l3_off + (uint32_t)sizeof(*ip);
	/* walk extension headers, bounded so a crafted chain cannot loop long */
	while (is_v6_ext(nh) && n++ < 8) {
		const uint8_t *e = hdr(m, off, 8, buf);
		uint32_t elen;

		if (e == NULL || off + 8 > end)
			return WEIR_DROP_TRUNCATED_L3;
		if (nh == IPPROTO_FRAGMENT) {
			uint16_t fo = (uint16_t)(e[2] << 8 | e[3]);

			p->fragment = true;
			if (fo & 0xfff8) {
				/* not the first fragment: no transport header */
				p->proto = e[0];
				p->l3_len = (uint16_t)(off + 8 - p->l3_off);
				return WEIR_DROP_NONE;
			}
			elen = 8;
		} else if (nh == IPPROTO_AH) {
			elen = ((uint32_t)e[1] + 2) * 4;
		} else {
			elen = ((uint32_t)e[1] + 1) * 8;
		}
		nh = e[0];
		off += elen;
		if (off > end)
			return WEIR_DROP_TRUNCATED_L3;
	}
	if (is_v6_ext(nh))
		return WEIR_DROP_BAD_IP_HEADER;
	p->proto = nh;
	p->l3_len = (uint16_t)(off - p->l3_off);
	p->l4_off = (uint16_t)off;
	return parse_l4(m, p, end);
}

static enum weir_drop_reason parse_any(const struct rte_mbuf *m, struct weir_pkt *p)
{
	uint8_t buf[HDR_MAX];
	const struct rte_ether_hdr *eh;
	uint32_t off = sizeof(*eh);
	uint16_t et;
	int tags = 0;

	memset(p, 0, offsetof(struct weir_pkt, in_port));
	p->pkt_len = rte_pktmbuf_pkt_len(m);
	eh = hdr(m, 0, sizeof(*eh), buf);
	if (eh == NULL)
		return WEIR_DROP_TRUNCATED_L2;
	memcpy(p->eth_dst, &eh->dst_addr, 6);
	memcpy(p->eth_src, &eh->src_addr, 6);
	et = rte_be_to_cpu_16(eh->ether_type);
	while ((et == RTE_ETHER_TYPE_VLAN || et == RTE_ETHER_TYPE_QINQ) && tags++ < 2) {
		const struct rte_vlan_hdr *v = hdr(m, off, sizeof(*v), buf);

		if (v == NULL)
			return WEIR_DROP_TRUNCATED_L2;
		if (!p->has_vlan) {
			p->has_vlan = true;
			p->vlan_id = rte_be_to_cpu_16(v->vlan_tci) & 0xfff;
		}
		et = rte_be_to_cpu_16(v->eth_proto);
		off += sizeof(*v);
	}
	p->eth_type = et;
	if (et == RTE_ETHER_TYPE_IPV4) {
		p->l3_off = (uint16_t)off;
		return parse_v4(m, p);
	}
	if (et == RTE_ETHER_TYPE_IPV6) {
		p->l3_off = (uint16_t)off;
		return parse_v6(m, p);
	}
	/* not IP: only the mac-frame layers see it */
	return WEIR_DROP_NONE;
}

enum weir_drop_reason weir_parse_full(const struct rte_mbuf *m, struct weir_pkt *p)
{
	enum weir_drop_reason r = parse_any(m, p);

	p->pres = weir_pkt_presence(p);
	return r;
}

/*
 * The common frame, read in place: untagged IPv4 without options, not a
 * fragment, TCP or UDP, its headers in the first segment and every length
 * consistent. Anything else (and every malformed frame) takes
 * weir_parse_full(), which decides the drop reason; both give the same
 * summary for the frames this one accepts (tested differentially).
 */
/* What an IPv4 TCP or UDP packet has (weir_pkt_presence()), less the TCP/UDP bits. */
#define PRES_V4_L4                                                                                 \
	(WEIR_PKT_P_ALWAYS | WEIR_PKT_P_IP | WEIR_PKT_P_V4 | WEIR_PKT_P_L4 | WEIR_PKT_P_PORTS)

enum weir_drop_reason weir_parse(const struct rte_mbuf *m, struct weir_pkt *p)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)d;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(d + sizeof(*eh));
	const uint32_t l3 = sizeof(*eh), l4 = l3 + sizeof(*ip);
	uint32_t tot, hl = 8;
	uint8_t proto;

	if (unlikely(m->data_len < l4 + sizeof(struct rte_tcp_hdr)) ||
	    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return weir_parse_full(m, p);
	proto = ip->next_proto_id;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (proto == IPPROTO_TCP)
		hl = (uint32_t)(((const struct rte_tcp_hdr *)(d + l4))->data_off >> 4) * 4;
	else if (proto != IPPROTO_UDP)
		return weir_parse_full(m, p);
	if (hl < 8 || (proto == IPPROTO_TCP && hl < sizeof(struct rte_tcp_hdr)) ||
	    tot < sizeof(*ip) + hl || l3 + tot > rte_pktmbuf_pkt_len(m))
		return weir_parse_full(m, p);
	memset(p, 0, offsetof(struct weir_pkt, in_port));
	p->pkt_len = rte_pktmbuf_pkt_len(m);
	memcpy(p->eth_dst, &eh->dst_addr, 6);
	memcpy(p->eth_src, &eh->src_addr, 6);
	p->eth_type = RTE_ETHER_TYPE_IPV4;
	p->l3_off = (uint16_t)l3;
	p->ip_version = 4;
	p->l3_len = sizeof(*ip);
	p->proto = proto;
	p->ttl = ip->time_to_live;
	p->dscp = ip->type_of_service >> 2;
	p->v4_src = rte_be_to_cpu_32(ip->src_addr);
	p->v4_dst = rte_be_to_cpu_32(ip->dst_addr);
	p->l4_off = (uint16_t)l4;
	p->l4_len = (uint16_t)hl;
	p->has_ports = true;
	if (proto == IPPROTO_TCP) {
		const struct rte_tcp_hdr *t = (const struct rte_tcp_hdr *)(d + l4);

		p->sport = rte_be_to_cpu_16(t->src_port);
		p->dport = rte_be_to_cpu_16(t->dst_port);
		p->tcp_flags = t->tcp_flags;
		p->pres = PRES_V4_L4 | WEIR_PKT_P_TCP_PORTS;
	} else {
		const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)(d + l4);

		p->sport = rte_be_to_cpu_16(u->src_port);
		p->dport = rte_be_to_cpu_16(u->dst_port);
		p->pres = PRES_V4_L4 | WEIR_PKT_P_L4_NOT_TCP;
	}
	return WEIR_DROP_NONE;
}
