/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The layer pipeline (internal): one burst from one port, parsed once, then
 * classified layer by layer in the order a forwarded packet meets them.
 *
 * Ownership after the pipeline: every packet is either in @p out (to be
 * transmitted), freed and counted (blocked by a verdict, or dropped with a
 * reason), or absorbed by a callout (counted, not freed: it owns the mbuf).
 */
#ifndef WEIR_DATAPLANE_PIPELINE_H
#define WEIR_DATAPLANE_PIPELINE_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include <netinet/in.h>

#include "classify/snapshot.h"
#include "core/layers.h"
#include "dataplane/parse.h"

struct weir_flow_table;

/** Counters of one worker (written by it alone). */
struct weir_worker_stats {
	uint64_t rx;                           /**< packets received */
	uint64_t tx;                           /**< packets transmitted */
	uint64_t blocked[WEIR_LAYER_COUNT];    /**< dropped by a BLOCK verdict, per layer */
	uint64_t absorbed;                     /**< taken by a callout */
	uint64_t dropped[WEIR_DROP_COUNT];     /**< dropped with a reason */
	uint64_t classified[WEIR_LAYER_COUNT]; /**< classifies run, per layer */
	uint64_t flows_new;                    /**< flows seen at ale-flow-established */
	uint64_t flows_reauth;                 /**< flows re-evaluated after a policy change */
} __rte_cache_aligned;

/** The most fields a layer has (weir_dataplane_start checks the layer table). */
#define WEIR_FIELDS_MAX 64

/** Storage for the values a layer's fields hold by pointer (UINT64): one per field. */
struct vstore {
	UINT64 u64[WEIR_FIELDS_MAX];
};

/**
 * Is layer @p l part of the pipeline? The stream layers are not yet (they
 * need TCP stream reassembly); every other layer is, in enum weir_layer
 * order.
 */
static inline bool weir_pipeline_wired(const struct weir_layer_desc *l)
{
	return l->id != WEIR_LAYER_STREAM_V4 && l->id != WEIR_LAYER_STREAM_V6;
}

/** Does layer @p l see packet @p p (IP version, transport header present ...)? */
static inline bool weir_pipeline_applies(const struct weir_layer_desc *l, const struct weir_pkt *p)
{
	if (l->ip_version == 0)
		return true;
	if (l->ip_version != p->ip_version)
		return false;
	switch (l->id) {
	case WEIR_LAYER_INBOUND_TRANSPORT_V4:
	case WEIR_LAYER_INBOUND_TRANSPORT_V6:
		/* non-first fragments carry no transport header (no reassembly yet) */
		return p->l4_off != 0;
	case WEIR_LAYER_DATAGRAM_DATA_V4:
	case WEIR_LAYER_DATAGRAM_DATA_V6:
		return p->l4_off != 0 && p->proto != IPPROTO_TCP;
	case WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4:
	case WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6:
		return p->l4_off != 0;
	default:
		return true;
	}
}

/**
 * Fill @p vals (l->field_count entries, at most WEIR_FIELDS_MAX) from @p p as
 * layer @p l sees it: each field from the packet attribute the layer table
 * names, in the field's WFP type (IPv4 addresses host-order FWP_UINT32, IPv6
 * addresses FWP_BYTE_ARRAY16 and MAC addresses FWP_BYTE_ARRAY6 pointing into
 * @p p, FWP_UINT64 pointing into @p vs); FWP_EMPTY where the packet has no
 * such value (ports of an ICMP packet, a VLAN id without a tag ...). The
 * values stay valid while @p p and @p vs do.
 */
void weir_pipeline_fill(const struct weir_layer_desc *l, const struct weir_pkt *p,
                        FWPS_INCOMING_VALUE0 *vals, struct vstore *vs);

/**
 * Fill the metadata layer @p l passes with packet @p p: packetDirection,
 * source/destination interface (the DPDK ports), ipHeaderSize and
 * transportHeaderSize (with their FWPS_METADATA_FIELD_* bits) where the
 * packet has those headers, frameLength, and weir's offsets and ports.
 */
void weir_pipeline_fill_meta(const struct weir_layer_desc *l, const struct weir_pkt *p,
                             FWPS_INCOMING_METADATA_VALUES0 *m);

/** The most packets one call handles. */
#define WEIR_BURST_MAX 64

/**
 * Run @p n packets received on @p in_port through every layer of @p s:
 * each layer classifies every packet it sees with one burst rte_acl call,
 * then settles the verdicts in packet order (see pipeline.c). A policy with no filter and no blocking default passes every packet
 * unread (nothing would read its headers).
 * @param ft the worker's flow table (NULL: no flow tracking). Flows are
 *   tracked while a flow layer (ale-flow-established, datagram-data) of the
 *   packet's IP version has filters: a new flow is classified once at
 *   ale-flow-established; after a policy change its next packet re-runs it
 *   with FWP_CONDITION_FLAG_IS_REAUTHORIZE.
 * @param out receives the packets to send on @p out_port, in order.
 * @return the number of packets in @p out.
 */
uint16_t weir_pipeline_run(const struct weir_snapshot *s, struct weir_flow_table *ft,
                           struct rte_mbuf **pkts, uint16_t n, uint16_t in_port, uint16_t out_port,
                           struct weir_worker_stats *st, struct rte_mbuf **out);

#endif /* WEIR_DATAPLANE_PIPELINE_H */
