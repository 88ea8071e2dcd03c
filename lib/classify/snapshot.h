/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The immutable policy the data path reads (internal).
 *
 * A snapshot pairs a compiled policy (from the last commit) with the callout
 * table (from the last registration change). The control thread builds a new
 * one for every change, publishes it with one atomic pointer store, and frees
 * the replaced one after an RCU grace period: workers never lock and never
 * see half of a change.
 */
#ifndef WEIR_CLASSIFY_SNAPSHOT_H
#define WEIR_CLASSIFY_SNAPSHOT_H

#include <stdatomic.h>
#include <stdint.h>

#include <weir/weir.h>
#include "mgmt/store.h"
#include "shim/registry.h"

/** The filters of one sublayer of a layer, in evaluation order. */
struct weir_sublayer_rules {
	UINT16 weight;
	uint32_t first; /**< index into weir_layer_policy.filters */
	uint32_t count;
};

/** One layer of a compiled policy. */
struct weir_layer_policy {
	FWP_ACTION_TYPE default_action; /**< FWP_ACTION_PERMIT or FWP_ACTION_BLOCK */
	uint32_t n_filters;             /**< enabled filters */
	/**
	 * Arbitration order: sublayer weight descending (equal weights: the
	 * sublayer added first), then filter weight descending (equal weights:
	 * lower filter id first).
	 */
	struct weir_filter **filters;
	uint32_t n_sublayers; /**< sublayers that have filters here */
	struct weir_sublayer_rules *sublayers;
	void *fast; /**< compiled fast classifier, or NULL */
};

/**
 * A filter's place in arbitration order (see weir_layer_policy.filters),
 * copied out of it: sorting and merging compare keys in contiguous memory,
 * and a compiled classifier keeps them after the filter itself is gone.
 */
struct weir_order_key {
	UINT64 id, weight, sl_ordinal;
	UINT16 sl_weight;
};

static inline struct weir_order_key weir_order_key_of(const struct weir_filter *f)
{
	struct weir_order_key k = {
	    .id = f->m.filterId,
	    .weight = f->weight,
	    .sl_ordinal = f->sublayer->ordinal,
	    .sl_weight = f->sublayer->weight,
	};

	return k;
}

/** Arbitration order of two filters: < 0 when @p x comes first. */
static inline int weir_order_cmp(const struct weir_order_key *x, const struct weir_order_key *y)
{
	if (x->sl_weight != y->sl_weight)
		return x->sl_weight > y->sl_weight ? -1 : 1;
	if (x->sl_ordinal != y->sl_ordinal)
		return x->sl_ordinal < y->sl_ordinal ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/** A committed policy: built at each commit, shared by snapshots. */
struct weir_policy {
	uint64_t generation;
	bool active; /**< some layer has a filter or a blocking default */
	struct weir_layer_policy layers[WEIR_LAYER_COUNT];
};

/** The callout table: built at each (un)registration. */
struct weir_callout_table {
	UINT32 n;                        /**< ids 0..n-1 */
	struct weir_callout_reg *regs[]; /**< NULL: not registered */
};

/** What workers read. */
struct weir_snapshot {
	uint64_t generation;
	const struct weir_policy *policy;
	const struct weir_callout_table *callouts;
};

/** The registered callout @p id in @p s, or NULL. */
static inline struct weir_callout_reg *weir_snapshot_callout(const struct weir_snapshot *s,
                                                             UINT32 id)
{
	return id < s->callouts->n ? s->callouts->regs[id] : NULL;
}

/**
 * The current snapshot. Workers call it between quiescent-state reports; the
 * control thread may call it with the engine lock held.
 */
const struct weir_snapshot *weir_snapshot_current(void);

struct rte_rcu_qsbr;

/**
 * Make every later publication wait for a grace period of @p qs before it
 * frees what it replaced (and before FwpsCalloutUnregister returns). The
 * data path creates @p qs, registers one thread id per worker lcore, and has
 * each worker report a quiescent state once per loop. NULL detaches (no
 * workers: replaced snapshots are freed at once).
 * @return 0.
 */
int weir_snapshot_attach_rcu(struct rte_rcu_qsbr *qs);

/**
 * Publish the current policy again with layer @p layer's fast classifier
 * replaced by @p fast (the background builder's fresh compile). The
 * generation stays: nothing a packet sees changes. Engine lock held.
 * @return 0 (@p fast is the new policy's); -ENOMEM or -EINVAL (no snapshot
 *   yet): nothing published, @p fast still the caller's.
 */
int weir_snapshot_replace_fast(enum weir_layer layer, void *fast);

#endif /* WEIR_CLASSIFY_SNAPSHOT_H */
