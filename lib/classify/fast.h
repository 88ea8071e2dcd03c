/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The fast classifier (internal): per layer, an rte_acl trie compiled off
 * the fast path that narrows each sublayer to where its first matching
 * filter can be, followed by the reference arbitration from there - or, when
 * the candidates are exact static filters, by the same arbitration done on
 * the spot. It gives exactly what weir_classify_reference() gives (verdict,
 * deciding filter, absorb, veto, counters, trace, classifyFn calls).
 *
 * How it stays exact:
 * - Candidates. Each enabled filter becomes one ACL rule whose fields are a
 *   relaxation (superset) of its conditions: a packet that satisfies the
 *   filter always hits its rule; a hit does not mean a match. Priority is
 *   the position in arbitration order (earlier = higher); category is the
 *   sublayer (16 per rte_acl context, more sublayers use more contexts).
 *   So, per sublayer, rte_acl returns a filter h such that no filter before
 *   h in that sublayer matches.
 * - Exact rules. A filter whose every condition is the only one on its
 *   field and is represented exactly by its rule (EQUAL, ordering and RANGE
 *   on integers, contiguous V4/V6 prefixes) matches whenever it is hit,
 *   provided the packet has every mapped field with the mapped type (the key
 *   is then "exact"). When every sublayer's candidate is such a filter with
 *   a static PERMIT or BLOCK, weir_fast_decide() arbitrates them itself
 *   (rules 2-5 of reference.h reduced to static outcomes) without building
 *   the incoming values at all: the common firewall case.
 * - Otherwise, arbitration. The sublayers with a hit are handed to the
 *   reference arbitration core, weir_classify_arbitrate(), as narrowed
 *   sublayer views of the layer policy (sublayer i starts at h_i; sublayers
 *   without a hit are dropped, since nothing in them matches).
 * - Relaxation, per field (decided from the conditions, not from the layer
 *   table): the field's value type is the one its first condition compares
 *   with; only FWP_UINT8/32 (one 32-bit ACL field, RANGE, or MASK when
 *   every condition on it is a prefix), FWP_UINT16 (2-byte RANGE fields,
 *   two to a 32-bit input word; an odd one out takes a whole word) and
 *   FWP_BYTE_ARRAY16 (four 32-bit MASK fields) are mapped, up to
 *   RTE_ACL_MAX_FIELDS. The key is one leading byte (rte_acl's 1-byte first
 *   field: the first FWP_UINT8 field, or 0) padded to a word, then the
 *   mapped fields, network order.
 *   Per rule, the first OR group on a mapped field becomes the hull of its
 *   conditions; later AND groups, NOT_EQUAL, NOT_PREFIX, FLAGS_*, other
 *   value types and unmapped fields are wildcards. An absent (FWP_EMPTY) or
 *   differently typed incoming value is keyed as 0: only a wildcard or a
 *   relaxed rule can hit it, and verification rejects what does not match.
 *
 * Delta tier: a compiled base (rte_acl contexts over the filters of one
 * moment) is shared, reference-counted, by the layer views of successive
 * policies. A commit that adds or deletes a few filters (at most
 * WEIR_FAST_DELTA_MAX each) does not recompile: the new policy's view maps
 * the base's filters onto the new arbitration order, marks deleted ones
 * (a deleted candidate starts the reference scan at the filter after it),
 * and lists the added ones, which are checked with the reference matcher
 * against each packet and can only move a sublayer's start earlier. So a
 * single filter change costs a sort and a merge, whatever the policy size.
 * A background builder then compiles the layer afresh, and the control
 * thread publishes it by RCU like any policy change (same policy generation:
 * flows are not re-authorized for it). Bigger changes compile at commit, as
 * a first load does.
 *
 * Background builder (fast_builder.c), in three steps:
 * 1. Job (control thread, engine lock). weir_fast_build() marks a layer it
 *    left with a delta view. A later drain copies what a compile needs from
 *    the published layer - field map, rules, order keys, settle outcomes,
 *    shard plan: the base fast_base_prepare() gives - into an immutable job
 *    and queues it. That copy costs about 1 us a filter, so it is never made
 *    by the commit that asked: the drain at a publication only queues layers
 *    asked for before it; the daemon's main loop and weir_fast_sync() queue
 *    every layer asked for. One job per layer at a time: a layer asked for
 *    again meanwhile is queued once the first job's result is drained.
 * 2. Compile (the "weir-acl-build" rte_ctrl_thread): it compiles the job's
 *    base and queues the result back. It never takes the engine lock nor
 *    reads the engine, store or snapshots; the two queues have their own
 *    mutex.
 * 3. Install (control thread, engine lock): a drain makes the compiled base
 *    the layer's latest and republishes the policy with a view of the
 *    current layer over it (weir_snapshot_replace_fast()): what was
 *    committed since the job was queued is that view's delta. The result is
 *    dropped when the fast classifier was disabled meanwhile, when the layer
 *    has no fast classifier any more, or when the change since is too big
 *    for a delta.
 * Drains: every engine publication (commit, callout (un)registration:
 * weir_fast_drain_locked()), weir_fast_sync() (weir_dataplane_compile_wait())
 * and the daemon's main loop (weir_dataplane_compile_poll(), every
 * millisecond). Until its result is installed a delta view classifies
 * exactly.
 *
 * Memory: each context is built with rte_acl_config.max_size =
 * weir_fast_max_size(); a layer that does not fit fails with -ENOSPC and the
 * layer keeps the reference path (the commit itself succeeds). max_size
 * bounds rte_acl's run-time tables only; build-time memory grows with
 * wildcard-heavy sets, so a layer's filters are split into shards that
 * start at weir_fast_max_rules() consecutive filters and double only while
 * the compile stays fast and about linear.
 *
 * EAL: rte_acl allocates from DPDK's heap, so nothing is built until the
 * data path (or a test) calls weir_fast_enable() after rte_eal_init();
 * until then lp->fast stays NULL and the reference classifier runs.
 */
#ifndef WEIR_CLASSIFY_FAST_H
#define WEIR_CLASSIFY_FAST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>

#include "classify/match.h"
#include "classify/reference.h"
#include "classify/snapshot.h"
#include "dataplane/extract.h"

/** Default bound of one rte_acl context's run-time structures (bytes). */
#define WEIR_FAST_DEFAULT_MAX_SIZE ((size_t)64 << 20)

/**
 * Default first size of a shard (an rte_acl context over a consecutive run
 * of the arbitration order; each is classified, the earliest hit per
 * sublayer kept). Shards then grow while their compile stays cheap and
 * about linear (fast_base_compile() in fast_build.c).
 */
#define WEIR_FAST_DEFAULT_MAX_RULES 16384u

/** A shard whose compile took this long (ms) is not grown further. */
#define WEIR_FAST_GROW_MAX_MS 100.0

/** Most sublayers a layer may have for the fast classifier. */
#define WEIR_FAST_MAX_SUBLAYERS 256

/** Most filters a commit may add (or delete) in a layer without a recompile. */
#define WEIR_FAST_DELTA_MAX 256u

/** Most packets one weir_fast_candidates() call takes. */
#define WEIR_FAST_BURST 64

/** 32-bit key words after the leading byte. */
#define WEIR_FAST_MAX_SLOTS (RTE_ACL_MAX_FIELDS - 1)

/** One mapped field of the layer's incoming values. */
struct weir_fast_map {
	UINT16 field;
	FWP_DATA_TYPE vtype; /**< the value type its conditions compare with */
	uint8_t kind;        /**< WEIR_FAST_K_* */
	uint8_t slot;        /**< first 32-bit key word (word 0 holds the leading byte) */
	uint8_t def;         /**< first rte_acl field */
	uint8_t half;        /**< FWP_UINT16 paired in one word: 1 upper, 2 lower half; else 0 */
	uint8_t lead;        /**< the one-byte leading field (slot 0, def 0) */
};

enum { WEIR_FAST_K_RANGE, WEIR_FAST_K_MASK, WEIR_FAST_K_V6 };

/** Static outcomes of exact filters (weir_fast_base.settle). */
enum { WEIR_FAST_S_NONE, WEIR_FAST_S_PERMIT, WEIR_FAST_S_PERMIT_HARD, WEIR_FAST_S_BLOCK };

/** One rte_acl context of a base. */
struct weir_fast_ctx {
	struct rte_acl_ctx *acl;
	uint32_t first_sl; /**< base sublayer of category 0 */
	uint32_t n_sl;     /**< sublayers in this context */
	uint32_t lo, hi;   /**< the base filters it holds: [lo, hi) */
	bool last;         /**< last shard of its sublayer group */
	uint32_t n_cat;    /**< categories passed to classify */
};

/** A compiled layer (immutable once built, shared by views). */
struct weir_fast_base {
	atomic_uint ref;
	uint32_t n_maps;
	uint32_t n_words; /**< key words including word 0 */
	uint32_t n_defs;  /**< rte_acl fields including the leading byte */
	uint32_t n_filters, n_sublayers;
	uint32_t stride; /**< results per packet of weir_fast_candidates (one group) */
	bool one_group;  /**< at most 16 sublayers: burst classification */
	struct weir_fast_map maps[WEIR_FAST_MAX_SLOTS];
	/** per filter, in the base's arbitration order */
	struct weir_order_key *keys;
	/**
	 * per filter, what a hit settles without the incoming values: 0 nothing
	 * (relaxed rule or callout), else its static outcome (WEIR_FAST_S_*)
	 */
	uint8_t *settle;
	uint32_t *sl_of; /**< per filter: its base sublayer */
	void *rules;     /**< rules kept between prepare and compile */
	/** how the data path builds keys (weir_extract_plan()) */
	struct weir_extract extract;
	uint32_t n_ctx;
	struct weir_fast_ctx *ctx;
};

/**
 * A layer policy's fast classifier (lp->fast): a base and how the layer's
 * filters differ from it. Reference-counted: a policy republished with a
 * new base shares the other layers' views.
 */
struct weir_fast {
	atomic_uint ref;
	struct weir_fast_base *base;
	bool identity;    /**< no delta: base filter i is lp->filters[i] */
	uint32_t *pos;    /**< per base filter: its lp index, or the next survivor's if gone */
	uint8_t *gone;    /**< per base filter: deleted since the base */
	uint32_t *sl_map; /**< per base sublayer: lp sublayer, or UINT32_MAX */
	uint32_t n_added; /**< filters added since the base */
	uint32_t *added;  /**< their lp indexes, ascending */
	uint32_t *add_sl; /**< their lp sublayers */
	uint32_t n_gone;
};

/**
 * Allow (or forbid) building fast classifiers. Call with true once the EAL
 * is initialised (rte_acl needs DPDK's heap); false also stops the
 * background builder (waiting for a build under way).
 */
void weir_fast_enable(bool on);

/** @return true when weir_fast_build() builds. */
bool weir_fast_enabled(void);

/**
 * Set the bound given to rte_acl as max_size for each context; 0 restores
 * WEIR_FAST_DEFAULT_MAX_SIZE. Takes effect at the next build.
 */
void weir_fast_set_max_size(size_t bytes);

/** @return the current bound (bytes). */
size_t weir_fast_max_size(void);

/**
 * Set the most filters per rte_acl context (shard); 0 restores
 * WEIR_FAST_DEFAULT_MAX_RULES. Takes effect at the next build.
 */
void weir_fast_set_max_rules(uint32_t n);

/** @return the current shard size (filters). */
uint32_t weir_fast_max_rules(void);

/**
 * Enable (default) or disable shard growth: disabled, every context holds
 * exactly weir_fast_max_rules() filters (tests of the shard merge).
 */
void weir_fast_set_grow(bool on);

/**
 * Enable (default) or disable the delta tier: disabled, every commit
 * recompiles the changed layers (tests compare both ways).
 */
void weir_fast_set_delta(bool on);

/**
 * Give @p lp (filters, sublayers already ordered) its fast classifier:
 * a delta view over the layer's last base when the change is small, else a
 * fresh compile. Control thread, engine lock held; lp not published yet.
 *
 * @param lp the layer policy; lp->fast must be NULL.
 * @param layer the layer it belongs to.
 * @return 0: lp->fast is set, or stays NULL (not enabled, no filters);
 *   -ENOSPC: the layer does not fit max_size (logged) or has more than
 *   WEIR_FAST_MAX_SUBLAYERS sublayers or too many filters; -ENOMEM: out of
 *   memory; another negative errno from rte_acl. On error lp->fast stays
 *   NULL and the layer is classified by the reference path.
 */
int weir_fast_build(struct weir_layer_policy *lp, enum weir_layer layer);

/** Take one more reference on a view (NULL is fine). @return @p fast. */
void *weir_fast_ref(void *fast);

/** Drop a reference taken by weir_fast_build() or weir_fast_ref() (NULL is fine). */
void weir_fast_free(void *fast);

/**
 * Drain the background builder at a publication (control thread, engine
 * lock held, right after the new snapshot is published): install the
 * compiles it finished (republish their layers over the new bases) and
 * queue a job for each layer weir_fast_build() left a delta in before this
 * publication. Cheap when there is nothing to do.
 */
void weir_fast_drain_locked(void);

/**
 * Drain the background builder (control thread, engine lock not held; the
 * daemon's main loop): install what it finished and queue a job for every
 * layer asked for. Takes the engine lock only when there is something to do.
 * @return 0.
 */
int weir_fast_drain(void);

/**
 * Wait until the background builder has nothing queued or under way, and
 * drain it (tests, benchmarks; engine lock not held). @return 0.
 */
int weir_fast_sync(void);

/**
 * Hold (true) or release the background builder: held, it queues jobs but
 * starts none, so a test can look at a delta view before the compile
 * replaces it. weir_fast_sync() does not wait for held work.
 */
void weir_fast_hold(bool on);

/** Builds finished by the background builder so far. */
uint64_t weir_fast_background_builds(void);

/**
 * Put incoming value @p v of mapped field @p k into @p key (zeroed
 * beforehand, base->n_words words).
 * @return true when the value is present with the mapped type (the key
 *   holds it exactly); false: it is keyed as 0.
 */
static inline bool weir_fast_key_put(const struct weir_fast_base *b, uint32_t k,
                                     const FWP_VALUE0 *v, uint32_t *key)
{
	const struct weir_fast_map *m = &b->maps[k];
	uint32_t x;
	UINT64 u;

	if (v->type != m->vtype)
		return false;
	if (v->type == FWP_BYTE_ARRAY16_TYPE) {
		memcpy(&key[m->slot], v->byteArray16->byteArray16, 16);
		return true;
	}
	if (!weir_match_value_uint(v, &u))
		return false;
	x = (uint32_t)u; /* mapped scalars are 8, 16 or 32 bits */
	if (m->lead) {
		*(uint8_t *)key = (uint8_t)x;
	} else if (m->half) {
		uint16_t be = rte_cpu_to_be_16((uint16_t)x);

		memcpy((uint8_t *)&key[m->slot] + 2 * (m->half - 1), &be, 2);
	} else {
		key[m->slot] = rte_cpu_to_be_32(x);
	}
	return true;
}

/**
 * Per sublayer of the base, the first candidate filter (base index + 1, 0:
 * none) of each of @p n keys (n <= WEIR_FAST_BURST; base->one_group only):
 * @p cand[i * base->stride + s].
 */
void weir_fast_candidates(const struct weir_fast *v, const uint8_t *const *keys, uint32_t n,
                          uint32_t *cand);

/**
 * Arbitrate one packet's candidates @p row when they settle it without the
 * incoming values: every sublayer's candidate an exact rule with a static
 * action (or no candidate at all), @p key_exact, and no filter added since
 * the base. Counts hits as the reference classifier does.
 * @return true and *res (as weir_classify_reference() would give, without
 *   trace); false: nothing done, call weir_fast_arbitrate().
 */
bool weir_fast_decide(const struct weir_layer_policy *lp, const uint32_t *row, bool key_exact,
                      struct weir_classify_result *res);

/**
 * Classify one packet from its candidates @p row (base sublayers) with the
 * reference arbitration core over the narrowed sublayers: parameters and
 * results as weir_classify_reference().
 */
void weir_fast_arbitrate(const struct weir_snapshot *s, enum weir_layer layer, const uint32_t *row,
                         const FWPS_INCOMING_VALUES0 *in,
                         const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                         const void *classifyContext, const struct weir_flow_ops *flow,
                         struct weir_classify_result *res, struct weir_trace *trace);

/**
 * Classify like weir_classify_reference() (same parameters, same results,
 * same side effects), using lp->fast when the layer has one.
 */
void weir_classify_fast(const struct weir_snapshot *s, enum weir_layer layer,
                        const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                        void *layerData, const void *classifyContext,
                        const struct weir_flow_ops *flow, struct weir_classify_result *res,
                        struct weir_trace *trace);

#endif /* WEIR_CLASSIFY_FAST_H */
