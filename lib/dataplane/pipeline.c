/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The layer pipeline: each layer classifies the whole burst before the next
 * one runs, so a layer's policy stays hot in cache for the burst.
 */
#include <string.h>

#include <rte_ip.h>

#include "classify/fast.h"
#include "classify/reference.h"
#include "core/layers.h"
#include "dataplane/pipeline.h"
#include "flow/flow.h"

/* Layers in the order a forwarded packet meets them (stream: not yet). */
static const enum weir_layer order[] = {
    WEIR_LAYER_INBOUND_MAC_FRAME,
    WEIR_LAYER_INBOUND_IPPACKET_V4,
    WEIR_LAYER_INBOUND_IPPACKET_V6,
    WEIR_LAYER_IPFORWARD_V4,
    WEIR_LAYER_IPFORWARD_V6,
    WEIR_LAYER_INBOUND_TRANSPORT_V4,
    WEIR_LAYER_INBOUND_TRANSPORT_V6,
    WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4, /* with the flow look-up */
    WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6,
    WEIR_LAYER_DATAGRAM_DATA_V4,
    WEIR_LAYER_DATAGRAM_DATA_V6,
    WEIR_LAYER_OUTBOUND_IPPACKET_V4,
    WEIR_LAYER_OUTBOUND_IPPACKET_V6,
    WEIR_LAYER_OUTBOUND_MAC_FRAME,
};

static void set_uint(FWP_VALUE0 *v, FWP_DATA_TYPE t, uint64_t x, UINT64 *u64)
{
	v->type = t;
	switch (t) {
	case FWP_UINT8:
		v->uint8 = (UINT8)x;
		break;
	case FWP_UINT16:
		v->uint16 = (UINT16)x;
		break;
	case FWP_UINT32:
		v->uint32 = (UINT32)x;
		break;
	case FWP_UINT64:
		*u64 = x;
		v->uint64 = u64;
		break;
	default:
		v->type = FWP_EMPTY;
		break;
	}
}

static uint8_t addr_type(const struct weir_pkt *p)
{
	if (p->ip_version == 4) {
		if (p->v4_dst == 0xffffffffu)
			return 4;
		return (p->v4_dst >> 28) == 0xe ? 3 : 1;
	}
	return p->v6_dst[0] == 0xff ? 3 : 1;
}

static void set_addr(FWP_VALUE0 *v, const struct weir_field_desc *fd, const struct weir_pkt *p,
                     bool src)
{
	if (fd->type == FWP_BYTE_ARRAY16_TYPE) {
		v->type = FWP_BYTE_ARRAY16_TYPE;
		v->byteArray16 = (FWP_BYTE_ARRAY16 *)(src ? p->v6_src : p->v6_dst);
	} else {
		v->type = FWP_UINT32;
		v->uint32 = src ? p->v4_src : p->v4_dst;
	}
}

/* Field @p i of layer @p l for packet @p p (UINT64 values stored in *u). */
static __rte_always_inline void fill_one(const struct weir_layer_desc *l, uint32_t i,
                                         const struct weir_pkt *p, FWP_VALUE0 *v, UINT64 *u)
{
	const struct weir_field_desc *fd = &l->fields[i];

	v->type = FWP_EMPTY;
	switch (fd->attr) {
	case WEIR_ATTR_IP_SRC:
		set_addr(v, fd, p, true);
		break;
	case WEIR_ATTR_IP_DST:
		set_addr(v, fd, p, false);
		break;
	case WEIR_ATTR_IP_PROTO:
		set_uint(v, fd->type, p->proto, u);
		break;
	case WEIR_ATTR_SRC_PORT:
		if (p->has_ports)
			set_uint(v, fd->type, p->sport, u);
		break;
	case WEIR_ATTR_DST_PORT:
		if (p->has_ports)
			set_uint(v, fd->type, p->dport, u);
		break;
	case WEIR_ATTR_DPORT_OR_ICMP_TYPE:
		if (p->has_ports || p->has_icmp)
			set_uint(v, fd->type, p->has_ports ? p->dport : p->icmp_type, u);
		break;
	case WEIR_ATTR_SPORT_OR_ICMP_CODE:
		if (p->has_ports || p->has_icmp)
			set_uint(v, fd->type, p->has_ports ? p->sport : p->icmp_code, u);
		break;
	case WEIR_ATTR_SPORT_OR_ICMP_TYPE:
		if (p->has_ports || p->has_icmp)
			set_uint(v, fd->type, p->has_ports ? p->sport : p->icmp_type, u);
		break;
	case WEIR_ATTR_DPORT_OR_ICMP_CODE:
		if (p->has_ports || p->has_icmp)
			set_uint(v, fd->type, p->has_ports ? p->dport : p->icmp_code, u);
		break;
	case WEIR_ATTR_ICMP_TYPE:
		if (p->has_icmp)
			set_uint(v, fd->type, p->icmp_type, u);
		break;
	case WEIR_ATTR_ICMP_CODE:
		if (p->has_icmp)
			set_uint(v, fd->type, p->icmp_code, u);
		break;
	case WEIR_ATTR_TCP_FLAGS:
		if (p->has_ports && p->proto == IPPROTO_TCP)
			set_uint(v, fd->type, p->tcp_flags, u);
		break;
	case WEIR_ATTR_DSCP:
		if (p->ip_version)
			set_uint(v, fd->type, p->dscp, u);
		break;
	case WEIR_ATTR_TTL:
		if (p->ip_version)
			set_uint(v, fd->type, p->ttl, u);
		break;
	case WEIR_ATTR_PKT_LEN:
		set_uint(v, fd->type, p->pkt_len, u);
		break;
	case WEIR_ATTR_IF_IN:
		set_uint(v, fd->type, p->in_port, u);
		break;
	case WEIR_ATTR_IF_OUT:
		set_uint(v, fd->type, p->out_port, u);
		break;
	case WEIR_ATTR_ETH_TYPE:
		set_uint(v, fd->type, p->eth_type, u);
		break;
	case WEIR_ATTR_ETH_SRC:
		v->type = FWP_BYTE_ARRAY6_TYPE;
		v->byteArray6 = (FWP_BYTE_ARRAY6 *)p->eth_src;
		break;
	case WEIR_ATTR_ETH_DST:
		v->type = FWP_BYTE_ARRAY6_TYPE;
		v->byteArray6 = (FWP_BYTE_ARRAY6 *)p->eth_dst;
		break;
	case WEIR_ATTR_VLAN_ID:
		if (p->has_vlan)
			set_uint(v, fd->type, p->vlan_id, u);
		break;
	case WEIR_ATTR_DST_ADDR_TYPE:
		if (p->ip_version)
			set_uint(v, fd->type, addr_type(p), u);
		break;
	case WEIR_ATTR_FLAGS:
		set_uint(v, fd->type,
		         p->cond_flags | (p->fragment ? FWP_CONDITION_FLAG_IS_FRAGMENT : 0), u);
		break;
	case WEIR_ATTR_DIRECTION:
		set_uint(v, fd->type, l->outbound ? FWP_DIRECTION_OUTBOUND : FWP_DIRECTION_INBOUND,
		         u);
		break;
	case WEIR_ATTR_INTERFACE_TYPE:
		set_uint(v, fd->type, 6, u);
		break;
	case WEIR_ATTR_ZERO:
		set_uint(v, fd->type, 0, u);
		break;
	default:
		break;
	}
}

void weir_pipeline_fill(const struct weir_layer_desc *l, const struct weir_pkt *p,
                        FWPS_INCOMING_VALUE0 *vals, struct vstore *vs)
{
	uint32_t i;

	for (i = 0; i < l->field_count && i < WEIR_FIELDS_MAX; i++)
		fill_one(l, i, p, &vals[i].value, &vs->u64[i]);
}

void weir_pipeline_fill_meta(const struct weir_layer_desc *l, const struct weir_pkt *p,
                             FWPS_INCOMING_METADATA_VALUES0 *m)
{
	memset(m, 0, sizeof(*m));
	m->currentMetadataValues = FWPS_METADATA_FIELD_PACKET_DIRECTION |
	                           FWPS_METADATA_FIELD_SOURCE_INTERFACE_INDEX |
	                           FWPS_METADATA_FIELD_DESTINATION_INTERFACE_INDEX;
	m->packetDirection = l->outbound ? FWP_DIRECTION_OUTBOUND : FWP_DIRECTION_INBOUND;
	m->sourceInterfaceIndex = p->in_port;
	m->destinationInterfaceIndex = p->out_port;
	m->frameLength = (UINT16)(p->pkt_len > 0xffff ? 0xffff : p->pkt_len);
	if (p->ip_version) {
		m->currentMetadataValues |= FWPS_METADATA_FIELD_IP_HEADER_SIZE;
		m->ipHeaderSize = p->l3_len;
		m->weirL3Offset = p->l3_off;
	}
	if (p->l4_off) {
		m->currentMetadataValues |= FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE;
		m->transportHeaderSize = p->l4_len;
		m->weirL4Offset = p->l4_off;
	}
	m->weirInPort = p->in_port;
	m->weirOutPort = p->out_port;
	m->weirLcore = rte_lcore_id();
}

static bool is_ale(enum weir_layer l)
{
	return l == WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4 || l == WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6;
}

/* Do the flow layers of this IP version have anything to do? */
static bool flows_needed(const struct weir_snapshot *s, uint8_t ipv)
{
	const struct weir_layer_policy *l = s->policy->layers;

	if (ipv == 4)
		return l[WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4].n_filters ||
		       l[WEIR_LAYER_DATAGRAM_DATA_V4].n_filters;
	if (ipv == 6)
		return l[WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6].n_filters ||
		       l[WEIR_LAYER_DATAGRAM_DATA_V6].n_filters;
	return false;
}

/*
 * Find or create the packet's flow. @return false if the packet must be
 * dropped (table full).
 */
static bool flow_attach(struct weir_flow_table *ft, struct weir_pkt *p, struct rte_mbuf *m,
                        struct weir_flow_entry **fe, bool *is_new, uint64_t now)
{
	struct weir_flow_key k;
	enum weir_flow_refusal why;
	uint16_t sp = p->sport, dp = p->dport;
	int dir;

	(void)m;
	if (!p->has_ports)
		sp = dp = 0;
	if (p->ip_version == 4)
		dir =
		    weir_flow_key_v4(&k, p->v4_src, p->v4_dst, sp, dp, p->proto, p->in_port & ~1u);
	else
		dir =
		    weir_flow_key_v6(&k, p->v6_src, p->v6_dst, sp, dp, p->proto, p->in_port & ~1u);
	*fe = weir_flow_lookup_or_create(ft, &k, dir, now, is_new, &why);
	if (*fe == NULL)
		return false;
	if (p->proto == IPPROTO_TCP && p->has_ports)
		weir_flow_update_tcp(ft, *fe, dir, p->tcp_flags);
	return true;
}

/* Apply verdict @p res to packet @p i: keep it, or count and free (or leave to its absorber). */
static inline void apply(const struct weir_classify_result *res, enum weir_layer lid,
                         struct rte_mbuf **pkts, bool *alive, uint16_t i,
                         struct weir_worker_stats *st)
{
	if (res->action == FWP_ACTION_PERMIT)
		return;
	alive[i] = false;
	if (res->absorbed) {
		st->absorbed++;
	} else {
		st->blocked[lid]++;
		rte_pktmbuf_free(pkts[i]);
	}
}

/*
 * The slow path of one packet: incoming values and metadata, then classify
 * (from candidates @p row when there are some). With a flow @p fe of table
 * @p ft, its handle and contexts are passed to the callouts.
 */
static void classify_values(const struct weir_snapshot *s, enum weir_layer lid,
                            const struct weir_layer_desc *l, const struct weir_pkt *p,
                            struct rte_mbuf *m, const uint32_t *row, struct weir_flow_table *ft,
                            struct weir_flow_entry *fe, struct weir_classify_result *res)
{
	FWPS_INCOMING_VALUE0 vals[WEIR_FIELDS_MAX];
	FWPS_INCOMING_VALUES0 in;
	FWPS_INCOMING_METADATA_VALUES0 meta;
	struct weir_flow_ops ops;
	struct vstore vs;

	in.layerId = l->fwps_id;
	in.valueCount = l->field_count;
	in.incomingValue = vals;
	weir_pipeline_fill(l, p, vals, &vs);
	weir_pipeline_fill_meta(l, p, &meta);
	if (fe) {
		meta.flowHandle = weir_flow_id(ft, fe);
		meta.currentMetadataValues |= FWPS_METADATA_FIELD_FLOW_HANDLE;
		ops.get_context = weir_flow_get_context;
		ops.flow = fe;
		ops.reauthorize = p->cond_flags & FWP_CONDITION_FLAG_IS_REAUTHORIZE;
		weir_flow_classify_begin(fe);
	}
	if (row)
		weir_fast_arbitrate(s, lid, row, &in, &meta, m, NULL, fe ? &ops : NULL, res, NULL);
	else
		weir_classify_fast(s, lid, &in, &meta, m, NULL, fe ? &ops : NULL, res, NULL);
	if (fe)
		weir_flow_classify_end(ft, fe);
}

/*
 * Classify packets @p todo at a layer without flows: rte_acl over the whole
 * list at once, keys built straight from the parsed packets; the incoming
 * values are only built for packets the candidates do not settle.
 */
static void classify_burst(const struct weir_snapshot *s, enum weir_layer lid,
                           const struct weir_layer_desc *l, const struct weir_pkt *pk,
                           struct rte_mbuf **pkts, const uint16_t *todo, uint16_t nt, bool *alive,
                           struct weir_worker_stats *st)
{
	const struct weir_layer_policy *lp = &s->policy->layers[lid];
	const struct weir_fast *v = lp->fast;
	const struct weir_fast_base *b;
	uint32_t keys[WEIR_BURST_MAX * RTE_ACL_MAX_FIELDS] __rte_aligned(16);
	uint32_t cand[WEIR_BURST_MAX * RTE_ACL_MAX_CATEGORIES];
	const uint8_t *kp[WEIR_BURST_MAX];
	bool exact[WEIR_BURST_MAX];
	struct weir_classify_result res;
	uint16_t t;
	uint32_t k;

	if (v == NULL || !v->base->one_group) {
		for (t = 0; t < nt; t++) {
			classify_values(s, lid, l, &pk[todo[t]], pkts[todo[t]], NULL, NULL, NULL,
			                &res);
			apply(&res, lid, pkts, alive, todo[t], st);
		}
		return;
	}
	b = v->base;
	for (t = 0; t < nt; t++) {
		kp[t] = (const uint8_t *)&keys[t * b->n_words];
		memset(&keys[t * b->n_words], 0, 4 * b->n_words);
		exact[t] = true;
	}
	/* field by field: the same extraction for the whole list */
	for (k = 0; k < b->n_maps; k++) {
		UINT16 fld = b->maps[k].field;

		if (fld >= l->field_count || fld >= WEIR_FIELDS_MAX) {
			memset(exact, 0, nt * sizeof(exact[0])); /* keyed as 0 */
			continue;
		}
		for (t = 0; t < nt; t++) {
			FWP_VALUE0 val;
			UINT64 u;

			fill_one(l, fld, &pk[todo[t]], &val, &u);
			if (!weir_fast_key_put(b, k, &val, &keys[t * b->n_words]))
				exact[t] = false;
		}
	}
	weir_fast_candidates(v, kp, nt, cand);
	for (t = 0; t < nt; t++) {
		const uint32_t *row = &cand[t * b->stride];
		uint16_t i = todo[t];

		if (!weir_fast_decide(lp, row, exact[t], &res))
			classify_values(s, lid, l, &pk[i], pkts[i], row, NULL, NULL, &res);
		apply(&res, lid, pkts, alive, i, st);
	}
}

uint16_t weir_pipeline_run(const struct weir_snapshot *s, struct weir_flow_table *ft,
                           struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint16_t out_port,
                           struct weir_worker_stats *st, struct rte_mbuf **out)
{
	struct weir_pkt pk[WEIR_BURST_MAX];
	bool alive[WEIR_BURST_MAX];
	struct weir_flow_entry *fe[WEIR_BURST_MAX];
	bool fresh[WEIR_BURST_MAX];
	uint16_t todo[WEIR_BURST_MAX];
	uint16_t i, n_out = 0;
	uint64_t now = 0;
	unsigned k;
	bool flows4 = ft && flows_needed(s, 4), flows6 = ft && flows_needed(s, 6);
	bool have_flows = false; /* some packet has a flow: classify one by one */

	st->rx += n;
	if (!s->policy->active) {
		/*
		 * No filter anywhere and every default permits: nothing reads the
		 * headers, so the frames pass as on a wire, unread (malformed ones
		 * too: validation is part of classification, see wfp-semantics.md).
		 */
		memcpy(out, pkts, n * sizeof(*pkts));
		return n;
	}
	if (flows4 || flows6)
		now = rte_rdtsc();
	for (i = 0; i < n; i++) {
		enum weir_drop_reason r = weir_parse(pkts[i], &pk[i]);

		pk[i].in_port = in_port;
		pk[i].out_port = out_port;
		pk[i].cond_flags = 0;
		fe[i] = NULL;
		fresh[i] = false;
		alive[i] = r == WEIR_DROP_NONE;
		if (!alive[i]) {
			st->dropped[r]++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	for (k = 0; k < RTE_DIM(order); k++) {
		enum weir_layer lid = order[k];
		const struct weir_layer_desc *l = weir_layer_get(lid);
		const struct weir_layer_policy *lp = &s->policy->layers[lid];
		bool flows = l->ip_version == 4 ? flows4 : flows6;
		uint16_t nt = 0;

		if (is_ale(lid) && flows) {
			/* the flow stage: after the transport layer, before datagram-data */
			for (i = 0; i < n; i++) {
				if (!alive[i] || !weir_pipeline_applies(l, &pk[i]))
					continue;
				if (!flow_attach(ft, &pk[i], pkts[i], &fe[i], &fresh[i], now)) {
					alive[i] = false;
					st->dropped[WEIR_DROP_FLOW_TABLE_FULL]++;
					rte_pktmbuf_free(pkts[i]);
				}
				st->flows_new += fresh[i];
				have_flows |= fe[i] != NULL;
			}
		}
		if (lp->n_filters == 0 && lp->default_action != FWP_ACTION_BLOCK)
			continue; /* nothing can change the verdict: skip the layer */
		for (i = 0; i < n; i++) {
			struct weir_classify_result res;

			if (!alive[i] || !weir_pipeline_applies(l, &pk[i]))
				continue;
			if (is_ale(lid) && fe[i]) {
				/* once per flow, again after a policy change */
				if (!fresh[i] && fe[i]->generation == s->generation) {
					if (fe[i]->verdict == 0)
						continue;
					alive[i] = false;
					st->blocked[lid]++;
					rte_pktmbuf_free(pkts[i]);
					continue;
				}
				if (!fresh[i]) {
					st->flows_reauth++;
					pk[i].cond_flags = FWP_CONDITION_FLAG_IS_REAUTHORIZE;
				}
			}
			st->classified[lid]++;
			if (lp->n_filters == 0) {
				res.action = FWP_ACTION_BLOCK;
				res.absorbed = false;
				apply(&res, lid, pkts, alive, i, st);
				continue;
			}
			if (!have_flows) {
				todo[nt++] = i; /* classified together below */
				continue;
			}
			/* with flows, in order: a packet's verdict may cache its flow's */
			classify_values(s, lid, l, &pk[i], pkts[i], NULL, ft, fe[i], &res);
			pk[i].cond_flags = 0;
			if (is_ale(lid) && fe[i]) {
				fe[i]->generation = s->generation;
				fe[i]->verdict = res.action == FWP_ACTION_PERMIT ? 0 : 1;
			}
			apply(&res, lid, pkts, alive, i, st);
		}
		if (nt)
			classify_burst(s, lid, l, pk, pkts, todo, nt, alive, st);
	}
	for (i = 0; i < n; i++)
		if (alive[i])
			out[n_out++] = pkts[i];
	return n_out;
}
