/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The fast classifier (internal): per layer, an rte_acl trie compiled off
 * the fast path that narrows each sublayer to where its first matching
 * filter can be, followed by the reference arbitration from there. It gives
 * exactly what weir_classify_reference() gives (verdict, deciding filter,
 * absorb, veto, counters, trace, classifyFn calls) because it does not
 * arbitrate itself.
 *
 * How it stays exact:
 * - Candidates. Each enabled filter becomes one ACL rule whose fields are a
 *   relaxation (superset) of its conditions: a packet that satisfies the
 *   filter always hits its rule; a hit does not mean a match. Priority is
 *   the position in arbitration order (earlier = higher); category is the
 *   sublayer (16 per rte_acl context, more sublayers use more contexts).
 *   So, per sublayer, rte_acl returns a filter h such that no filter before
 *   h in that sublayer matches.
 * - Arbitration. The sublayers with a hit are handed to the reference
 *   classifier as a narrowed view (sublayer i starts at h_i; sublayers
 *   without a hit are dropped, since nothing in them matches). The reference
 *   loop verifies h_i with weir_filter_match() and, on mismatch or CONTINUE,
 *   scans the rest of the sublayer with the reference matcher. The common
 *   case (exact rule, static or deciding action) costs one verify.
 * - Relaxation, per field (decided from the conditions, not from the layer
 *   table): the field's value type is the one its first condition compares
 *   with; only FWP_UINT8/32 (one 32-bit ACL field, RANGE, or MASK when
 *   every condition on it is a prefix), FWP_UINT16 (2-byte RANGE fields,
 *   two to a 32-bit input word; an odd one out takes a whole word) and
 *   FWP_BYTE_ARRAY16 (four 32-bit MASK fields) are mapped, up to
 *   RTE_ACL_MAX_FIELDS. The key is one leading zero byte (rte_acl's 1-byte
 *   first field) padded to a word, then the mapped fields, network order.
 *   Per rule, the first OR group on a mapped field becomes the hull of its conditions (EQUAL,
 *   ordering, RANGE, V4/V6 masks - a non-contiguous mask as its leading
 *   prefix); later AND groups, NOT_EQUAL, NOT_PREFIX, FLAGS_*, other value
 *   types and unmapped fields are wildcards. An absent (FWP_EMPTY) or
 *   differently typed incoming value is keyed as 0: only a wildcard or a
 *   relaxed rule can hit it, and verification rejects what does not match.
 *
 * Memory: each context is built with rte_acl_config.max_size =
 * weir_fast_max_size() (default WEIR_FAST_DEFAULT_MAX_SIZE); a layer that
 * does not fit fails with -ENOSPC and the caller keeps the reference path.
 * max_size bounds rte_acl's run-time tables only: its build-time memory
 * (malloc'ed trie nodes) is not bounded, and wildcard-heavy sets grow it
 * fast (ClassBench fw1 10k exceeds 3 GB in one context; it builds in
 * 0.8 s / 600 MB with weir_fast_set_max_rules(128) shards, at ~4x the
 * classify cost). A layer's filters are split into shards of at most
 * weir_fast_max_rules() consecutive filters per context.
 *
 * The narrowed view: weir_classify_fast() copies the layer's policy into a
 * stack weir_policy whose sublayers[] hold the per-sublayer starts, and runs
 * weir_classify_reference() on it; nothing is allocated per packet. (A
 * reference entry point taking the start indexes would avoid the copy.)
 *
 * EAL: rte_acl allocates from DPDK's heap, so nothing is built until the
 * data path (or a test) calls weir_fast_enable() after rte_eal_init();
 * until then weir_fast_build() leaves lp->fast NULL and
 * weir_classify_fast() runs the reference classifier.
 *
 * Delta tier (designed, not implemented yet): between full builds a layer
 * carries a small sorted array of filters added since the build (scanned
 * with the reference matcher and merged into each sublayer's start by
 * arbitration position) and a tombstone bitmap of deleted filter indexes
 * (a tombstoned candidate is skipped by moving the start past it); the
 * full rebuild runs on a background thread and is swapped in by the
 * snapshot's RCU publish. Until then every commit rebuilds the layers.
 */
#ifndef WEIR_CLASSIFY_FAST_H
#define WEIR_CLASSIFY_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify/reference.h"
#include "classify/snapshot.h"

/** Default bound of one rte_acl context's run-time structures (bytes). */
#define WEIR_FAST_DEFAULT_MAX_SIZE ((size_t)64 << 20)

/**
 * Default most filters in one rte_acl context: a layer with more is split
 * into shards (contexts over consecutive runs of the arbitration order),
 * each classified, the earliest hit per sublayer kept. Bounds each trie's
 * build; costs one more rte_acl_classify per shard.
 */
#define WEIR_FAST_DEFAULT_MAX_RULES 16384u

/** Most sublayers a layer may have for the fast classifier. */
#define WEIR_FAST_MAX_SUBLAYERS 256

/**
 * Allow (or forbid) building fast classifiers. Call with true once the EAL
 * is initialised (rte_acl needs DPDK's heap).
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
 * Compile @p lp (filters, sublayers already ordered) into lp->fast.
 * Control thread only; lp must not be published yet.
 *
 * @param lp the layer policy; lp->fast must be NULL.
 * @param layer the layer it belongs to.
 * @return 0: lp->fast is the compiled classifier, or stays NULL (not
 *   enabled, no filters); -ENOSPC: the layer does not fit max_size (logged)
 *   or has more than WEIR_FAST_MAX_SUBLAYERS sublayers or too many filters;
 *   -ENOMEM: out of memory; another negative errno from rte_acl. On error
 *   lp->fast stays NULL and the layer is classified by the reference path.
 */
int weir_fast_build(struct weir_layer_policy *lp, enum weir_layer layer);

/** Free what weir_fast_build() put in lp->fast (NULL is fine). */
void weir_fast_free(void *fast);

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
