/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The layer pipeline, in stages: parse the burst; then, layer by layer in
 * enum weir_layer order (the flow stage just before ale-flow-established),
 * build the keys of every packet the layer sees with the base's extractors,
 * make one rte_acl call for all of them, and settle each packet's verdict in
 * packet order (from its candidates, or by the slow path with its flow's
 * handle and contexts). A layer's policy stays hot in cache for the burst;
 * settling in order keeps callout order and lets a flow's verdict, cached by
 * one packet, serve the next packets of that flow in the same burst.
 */
#include <string.h>

#include <rte_ip.h>

#include "classify/fast.h"
#include "classify/reference.h"
#include "core/layers.h"
#include "dataplane/pipeline.h"
#include "flow/flow.h"

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

static inline bool is_ale(enum weir_layer l)
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
 * The WEIR_PKT_P_* bits a packet needs, all of them, to be seen by layer
 * @p l (WEIR_PKT_P_ALWAYS: it is still in the burst).
 */
static uint16_t layer_needs(const struct weir_layer_desc *l)
{
	uint16_t b;

	if (l->ip_version == 0)
		return WEIR_PKT_P_ALWAYS;
	b = WEIR_PKT_P_ALWAYS | (l->ip_version == 4 ? WEIR_PKT_P_V4 : WEIR_PKT_P_V6);
	switch (l->id) {
	case WEIR_LAYER_INBOUND_TRANSPORT_V4:
	case WEIR_LAYER_INBOUND_TRANSPORT_V6:
	case WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4:
	case WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6:
		return b | WEIR_PKT_P_L4;
	case WEIR_LAYER_DATAGRAM_DATA_V4:
	case WEIR_LAYER_DATAGRAM_DATA_V6:
		return b | WEIR_PKT_P_L4_NOT_TCP;
	default:
		return b;
	}
}

/*
 * Find or create the packet's flow. @return false if the packet must be
 * dropped (table full).
 */
static bool flow_attach(struct weir_flow_table *ft, struct weir_pkt *p, struct weir_flow_entry **fe,
                        bool *is_new, uint64_t now)
{
	struct weir_flow_key k;
	enum weir_flow_refusal why;
	uint16_t sp = p->sport, dp = p->dport;
	int dir;

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

/* One burst on its way through the layers. */
struct burst {
	const struct weir_snapshot *s;
	struct weir_flow_table *ft;
	struct rte_mbuf **pkts;
	struct weir_worker_stats *st;
	uint16_t n;
	bool flows; /* flows are tracked: fe and fresh are valid */
	struct weir_pkt pk[WEIR_BURST_MAX];
	uint16_t dead; /* packets that left the burst (their pres is 0) */
	struct weir_flow_entry *fe[WEIR_BURST_MAX]; /* NULL: no flow (yet) */
	bool fresh[WEIR_BURST_MAX];                 /* its flow was created by this packet */
};

/* Packet @p i leaves the burst: blocked at layer @p lid (freed) or absorbed. */
static inline void kill(struct burst *b, uint16_t i, enum weir_layer lid, bool absorbed)
{
	b->pk[i].pres = 0;
	b->dead++;
	if (absorbed) {
		b->st->absorbed++;
	} else {
		b->st->blocked[lid]++;
		rte_pktmbuf_free(b->pkts[i]);
	}
}

/*
 * The slow path of one packet: incoming values and metadata, then classify
 * (from candidates @p row when there are some). With a flow @p fe, its
 * handle and contexts are passed to the callouts. Not inlined: it is rare,
 * and callgrind names it (bench/callgrind.sh).
 */
static __rte_noinline void classify_slow(const struct weir_snapshot *s, enum weir_layer lid,
                                         const struct weir_layer_desc *l, const struct weir_pkt *p,
                                         struct rte_mbuf *m, const uint32_t *row,
                                         struct weir_flow_table *ft, struct weir_flow_entry *fe,
                                         struct weir_classify_result *res)
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

/* The flow stage, before ale-flow-established: each packet finds or creates its flow. */
static void attach_flows(struct burst *b, uint16_t need, uint64_t now)
{
	uint16_t i;

	for (i = 0; i < b->n; i++) {
		if ((b->pk[i].pres & need) != need)
			continue;
		if (!flow_attach(b->ft, &b->pk[i], &b->fe[i], &b->fresh[i], now)) {
			b->pk[i].pres = 0;
			b->dead++;
			b->st->dropped[WEIR_DROP_FLOW_TABLE_FULL]++;
			rte_pktmbuf_free(b->pkts[i]);
		}
		b->st->flows_new += b->fresh[i];
	}
}

/*
 * Classify at layer @p lid every live packet it sees: keys for the whole
 * burst, one rte_acl call, then each packet's verdict in order (decided from
 * its candidates, or the slow path), so a packet's callouts run after those
 * of the packets before it and a flow's verdict cached by one packet serves
 * the next ones of its flow.
 */
static void run_layer(struct burst *b, enum weir_layer lid, const struct weir_layer_desc *l,
                      const struct weir_layer_policy *lp)
{
	const struct weir_snapshot *s = b->s;
	const uint16_t need = layer_needs(l);
	const bool ale = b->flows && is_ale(lid); /* the flow cache applies */
	const struct weir_fast *v = lp->fast;
	const struct weir_fast_base *fb = NULL; /* burst classification */
	uint32_t keys[WEIR_BURST_MAX * RTE_ACL_MAX_FIELDS] __rte_aligned(16);
	uint32_t cand[WEIR_BURST_MAX * RTE_ACL_MAX_CATEGORIES];
	const uint8_t *kp[WEIR_BURST_MAX];
	const struct weir_pkt *pp[WEIR_BURST_MAX];
	uint8_t exact[WEIR_BURST_MAX];
	uint16_t i, t, nt = 0;
	uint32_t stride = 0;
	uint8_t *kb = (uint8_t *)keys;

	if (lp->n_filters && v != NULL && v->base->one_group) {
		fb = v->base;
		stride = 4 * fb->n_words;
	}
	if (!ale) {
		const struct weir_pkt *p = b->pk;

		for (i = 0; i < b->n; i++, p++) {
			if ((p->pres & need) != need)
				continue;
			pp[nt] = p;
			kp[nt] = kb;
			nt++;
			kb += stride;
		}
	} else {
		for (i = 0; i < b->n; i++) {
			const struct weir_flow_entry *f = b->fe[i];

			if ((b->pk[i].pres & need) != need)
				continue;
			if (f && !b->fresh[i]) {
				/* once per flow, again after a policy change */
				if (f->generation == s->generation) {
					if (f->verdict != 0)
						kill(b, i, lid, false);
					continue;
				}
				b->pk[i].cond_flags = FWP_CONDITION_FLAG_IS_REAUTHORIZE;
			}
			pp[nt] = &b->pk[i];
			kp[nt] = kb;
			nt++;
			kb += stride;
		}
	}
	if (nt == 0)
		return;
	if (fb) {
		weir_extract_keys(&fb->extract, pp, nt, (uint8_t *)keys, stride, exact);
		weir_fast_candidates(v, kp, nt, cand);
		if (!ale) {
			/* the common case: no flow verdict to cache, candidates first */
			const uint32_t *row = cand;
			const uint32_t rs = fb->stride;

			b->st->classified[lid] += nt;
			for (t = 0; t < nt; t++, row += rs) {
				struct weir_classify_result res;

				if (unlikely(!weir_fast_decide(lp, row, exact[t], &res))) {
					i = (uint16_t)(pp[t] - b->pk);
					classify_slow(s, lid, l, pp[t], b->pkts[i], row, b->ft,
					              b->flows ? b->fe[i] : NULL, &res);
				}
				if (unlikely(res.action != FWP_ACTION_PERMIT))
					kill(b, (uint16_t)(pp[t] - b->pk), lid, res.absorbed);
			}
			return;
		}
	}
	for (t = 0; t < nt; t++) {
		struct weir_flow_entry *f;
		struct weir_classify_result res;
		const uint32_t *row = NULL;

		i = (uint16_t)(pp[t] - b->pk);
		f = b->flows ? b->fe[i] : NULL;
		if (ale && f) {
			if (!b->fresh[i] && f->generation == s->generation) {
				/* an earlier packet of this burst classified the flow */
				b->pk[i].cond_flags = 0;
				if (f->verdict != 0)
					kill(b, i, lid, false);
				continue;
			}
			b->st->flows_reauth += !b->fresh[i];
		}
		b->st->classified[lid]++;
		if (lp->n_filters == 0) {
			kill(b, i, lid, false); /* a blocking default and nothing else */
			continue;
		}
		if (fb) {
			row = &cand[t * fb->stride];
			if (!weir_fast_decide(lp, row, exact[t], &res))
				classify_slow(s, lid, l, &b->pk[i], b->pkts[i], row, b->ft, f,
				              &res);
		} else {
			classify_slow(s, lid, l, &b->pk[i], b->pkts[i], NULL, b->ft, f, &res);
		}
		b->pk[i].cond_flags = 0;
		if (ale && f) {
			f->generation = s->generation;
			f->verdict = res.action == FWP_ACTION_PERMIT ? 0 : 1;
		}
		if (res.action != FWP_ACTION_PERMIT)
			kill(b, i, lid, res.absorbed);
	}
}

uint16_t weir_pipeline_run(const struct weir_snapshot *s, struct weir_flow_table *ft,
                           struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint16_t out_port,
                           struct weir_worker_stats *st, struct rte_mbuf **out)
{
	const struct weir_layer_policy *layers = s->policy->layers;
	uint32_t stages = 0, work; /* layers: the flow stage's, those to run */
	struct burst b;
	uint16_t i, n_out = 0;
	uint64_t now = 0;
	unsigned lid;
	bool flows4 = ft && flows_needed(s, 4), flows6 = ft && flows_needed(s, 6);

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
	b.s = s;
	b.ft = ft;
	b.pkts = pkts;
	b.st = st;
	b.n = n;
	b.flows = flows4 || flows6;
	b.dead = 0;
	if (b.flows)
		stages = 1u << WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4 |
		         1u << WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6;
	if (b.flows) {
		now = rte_rdtsc();
		memset(b.fe, 0, n * sizeof(b.fe[0]));
		memset(b.fresh, 0, n * sizeof(b.fresh[0]));
	}
	for (i = 0; i < n; i++) {
		struct weir_pkt *p = &b.pk[i];
		const enum weir_drop_reason r = weir_parse(pkts[i], p);

		p->in_port = in_port; /* cond_flags: 0 from the parser */
		p->out_port = out_port;
		if (unlikely(r != WEIR_DROP_NONE)) {
			p->pres = 0;
			b.dead++;
			st->dropped[r]++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	/* the layers that can change a verdict, and those holding the flow stage */
	RTE_BUILD_BUG_ON(WEIR_LAYER_COUNT > 32);
	work = stages;
#pragma GCC unroll 16
	for (lid = 0; lid < WEIR_LAYER_COUNT; lid++)
		work |= (uint32_t)(layers[lid].n_filters != 0 ||
		                   layers[lid].default_action == FWP_ACTION_BLOCK)
		        << lid;
	/* enum weir_layer is in the order a forwarded packet meets the layers */
	for (; work; work &= work - 1) {
		const struct weir_layer_policy *lp;
		const struct weir_layer_desc *l;

		lid = (unsigned)__builtin_ctz(work);
		lp = &layers[lid];
		l = weir_layer_get(lid);
		if (is_ale(lid) && (l->ip_version == 4 ? flows4 : flows6))
			attach_flows(&b, layer_needs(l), now);
		if ((lp->n_filters || lp->default_action == FWP_ACTION_BLOCK) &&
		    weir_pipeline_wired(l))
			run_layer(&b, lid, l, lp);
	}
	if (likely(b.dead == 0)) {
		memcpy(out, pkts, n * sizeof(*pkts));
		return n;
	}
	for (i = 0; i < n; i++) {
		out[n_out] = pkts[i];
		n_out += b.pk[i].pres != 0;
	}
	return n_out;
}
