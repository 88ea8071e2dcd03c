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

#include "classify/snapshot.h"
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

/** Storage for the values a layer's fields hold by pointer (UINT64). */
struct vstore {
	UINT64 u64[8];
	unsigned n;
};

struct weir_layer_desc;

/** Does layer @p l see packet @p p (IP version, transport header present ...)? */
bool weir_pipeline_applies(const struct weir_layer_desc *l, const struct weir_pkt *p);

/** Fill @p vals (l->field_count entries) from @p p as layer @p l sees it. */
void weir_pipeline_fill(const struct weir_layer_desc *l, const struct weir_pkt *p,
                        FWPS_INCOMING_VALUE0 *vals, struct vstore *vs);

/** The most packets one call handles. */
#define WEIR_BURST_MAX 64

/**
 * Run @p n packets received on @p in_port through every layer of @p s.
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
