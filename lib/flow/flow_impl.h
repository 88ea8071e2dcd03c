/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals shared by flow.c (table) and ctx.c (contexts). */
#ifndef WEIR_FLOW_IMPL_H
#define WEIR_FLOW_IMPL_H

#include <stdatomic.h>

#include "flow/flow.h"

struct rte_hash;
struct rte_ring;

/** An overflow block of contexts. */
struct weir_flow_block {
	struct weir_flow_ctx ctx[WEIR_FLOW_BLOCK_CTX];
	uint32_t next; /**< next block + 1; 0: none (also the free-list link) */
};

struct weir_flow_table {
	struct rte_hash *hash;
	struct rte_ring *ring;
	struct weir_flow_entry *e;   /**< capacity entries, by hash position */
	struct weir_flow_block *blk; /**< overflow pool */
	uint32_t blk_free;           /**< first free block + 1 */
	uint32_t capacity;
	uint32_t n_blocks;
	uint32_t count;
	uint32_t cursor; /**< expire scan position */
	unsigned index;  /**< index in flow ids (the lcore) */
	atomic_bool running;
	struct {
		uint64_t est, trans, closed, udp, icmp, other;
	} tmo; /**< idle timeouts in ticks */
	struct weir_flow_stats st;
};

extern struct weir_flow_table *weir_flow_tables[WEIR_FLOW_MAX_TABLES];

/** End every context of @p e now (no classify in progress). */
void weir_flow_end_contexts(struct weir_flow_table *t, struct weir_flow_entry *e);

/** Run the removals deferred while a classify of @p e was in progress. */
void weir_flow_run_deferred(struct weir_flow_table *t, struct weir_flow_entry *e);

/** Serve one ring message (ctx.c). */
void weir_flow_serve_msg(struct weir_flow_table *t, void *msg);

#endif /* WEIR_FLOW_IMPL_H */
