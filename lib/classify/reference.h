/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The reference classifier (internal): WFP filter arbitration over one layer
 * of a snapshot, written to be plainly, obviously correct rather than fast.
 * It is the oracle every faster classifier is tested against, and what
 * weir_explain() runs.
 *
 * The rules, in the order they apply:
 *
 * 1. Order. The snapshot's layer policy lists filters in arbitration order:
 *    sublayer weight descending (equal weights: the sublayer added first),
 *    then filter effective weight descending, then - equal weights - lower
 *    filter id first. The classifier follows that order as given, so equal
 *    weights resolve the same way on every run and every classifier.
 * 2. Sublayers. Every sublayer is evaluated, in that order. Inside one, the
 *    matching filters (match.h) run from the first until one produces PERMIT
 *    or BLOCK: that is the sublayer's decision, the rest of the sublayer is
 *    not evaluated (not counted, no classifyFn called). CONTINUE passes to the
 *    next filter; a sublayer where nothing decided has no decision.
 * 3. What a filter produces:
 *    - static PERMIT: PERMIT, soft (keeps the write right), or hard with
 *      FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT (from FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT:
 *      WFP's way to write a static hard permit); static BLOCK: BLOCK, hard
 *      (clears the right).
 *    - callout, not registered in the snapshot's callout table:
 *      CALLOUT_INSPECTION is skipped; CALLOUT_TERMINATING and CALLOUT_UNKNOWN
 *      act exactly as a static BLOCK, or as a static PERMIT (same flags) when
 *      the filter has FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED (the
 *      flag means nothing while the callout is registered).
 *    - callout registered with FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW and no
 *      context for it on the flow (no flow ops, or get_context false): skipped.
 *    - otherwise its classifyFn is called once, with classifyOut =
 *      {actionType: the carried action (FWP_ACTION_NONE before any decision),
 *      rights: the carried rights, filterId: this filter's id, outContext 0,
 *      flags 0}, and flowContext = the flow's context for this callout, or 0.
 *      What it leaves in classifyOut is its answer (a classifyFn that returns
 *      without writing answers the carried action):
 *      - PERMIT: soft, unless the filter has FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT
 *        or the callout cleared FWPS_RIGHT_ACTION_WRITE in classifyOut->rights:
 *        hard. ABSORB with PERMIT is ignored.
 *      - BLOCK: hard. With FWPS_CLASSIFY_OUT_FLAG_ABSORB the callout now owns
 *        the packet: the verdict is BLOCK, absorbed, and classification stops
 *        at once (no further filter or sublayer is evaluated). Absorb is
 *        honoured from any callout type, since ownership has already passed;
 *        the absorbing filter is res->filterId even under a carried hard
 *        BLOCK, and over a hard PERMIT the absorb is a veto.
 *      - CONTINUE, NONE, NONE_NO_MATCH: no decision (rights it wrote ignored).
 *      - contract violations: TERMINATING with no decision, or with a value
 *        that is no action type, is treated as its BLOCK (fail closed);
 *        INSPECTION never decides: any answer but BLOCK + ABSORB is CONTINUE
 *        (a PERMIT or BLOCK other than the action passed in is traced as a
 *        violation); UNKNOWN with a value that is no action type: CONTINUE.
 * 4. Across sublayers the engine carries (action, rights), starting with no
 *    action and FWPS_RIGHT_ACTION_WRITE. A sublayer's decision is applied
 *    only while the right is set: the action becomes the decision and the
 *    right stays (soft) or is cleared (hard). Without the right the decision
 *    is ignored, except a veto: a callout's BLOCK (including a terminating
 *    callout's fail-closed BLOCK, but not a static or unregistered-callout
 *    BLOCK) while the carried action is a hard PERMIT replaces it
 *    (res->veto).
 * 5. If no decision was ever applied, the verdict is the layer's
 *    default_action (FWP_ACTION_BLOCK, or FWP_ACTION_PERMIT for any other
 *    value), res->by_default.
 * 6. Counters: each matching filter evaluated gets hits + 1 (skipped ones
 *    included); each callout called gets calls + 1 (relaxed atomics).
 *
 * Runs on worker lcores: no locks, no allocation, nothing validated (the
 * caller passes a valid snapshot and layer and well-formed incoming values).
 */
#ifndef WEIR_CLASSIFY_REFERENCE_H
#define WEIR_CLASSIFY_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include <weir/weir.h>
#include <weir/weir_explain.h>

#include "classify/snapshot.h"

/** How the caller's flow table answers for the packet's flow (optional). */
struct weir_flow_ops {
	/**
	 * @return true and *ctx when @p flow has a context associated for
	 *   callout @p calloutId; false when it has none. NULL: no contexts.
	 */
	bool (*get_context)(void *flow, UINT32 calloutId, UINT64 *ctx);
	void *flow; /**< passed back to get_context */
	/**
	 * true: an established flow is being re-evaluated after a policy change
	 * (FWP_CONDITION_FLAG_IS_REAUTHORIZE); callouts registered without
	 * FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY are then skipped (CONTINUE).
	 */
	bool reauthorize;
};

/**
 * A trace buffer provided by the caller. The classifier resets n, then
 * appends one entry per matching filter evaluated (and one LAYER_DEFAULT
 * entry when the default decided); entries past cap are counted in n but not
 * stored.
 */
struct weir_trace {
	uint32_t n;   /**< entries produced (may exceed cap) */
	uint32_t cap; /**< entries e holds */
	struct weir_explain_entry *e;
};

/** The verdict of one classify. */
struct weir_classify_result {
	FWP_ACTION_TYPE action; /**< FWP_ACTION_PERMIT or FWP_ACTION_BLOCK */
	bool absorbed;          /**< a callout took the packet (BLOCK + ABSORB) */
	bool veto;              /**< a callout's BLOCK overrode a hard permit */
	bool by_default;        /**< no filter decided: the layer default */
	UINT64 filterId;        /**< deciding filter (the absorber if absorbed); 0 by default */
	UINT32 rights;          /**< carried rights at the end */
	UINT64 outContext;      /**< classifyOut->outContext of the deciding callout, else 0 */
};

/**
 * Classify one packet at @p layer of snapshot @p s with the rules above.
 *
 * @param s the snapshot (its policy and callout table).
 * @param layer a valid layer.
 * @param in the packet's incoming values.
 * @param meta passed to classifyFn as inMetaValues.
 * @param layerData passed to classifyFn.
 * @param classifyContext passed to classifyFn (v1 and later).
 * @param flow the flow's contexts, or NULL (no flow).
 * @param res receives the verdict.
 * @param trace receives the trace, or NULL.
 */
void weir_classify_reference(const struct weir_snapshot *s, enum weir_layer layer,
                             const FWPS_INCOMING_VALUES0 *in,
                             const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                             const void *classifyContext, const struct weir_flow_ops *flow,
                             struct weir_classify_result *res, struct weir_trace *trace);

/**
 * The arbitration core: the rules above over the sublayer views
 * @p sublayers of layer policy @p lp - each a run of lp->filters (a whole
 * sublayer, or its tail from where a faster classifier knows the first match
 * can be) - in the order given. weir_classify_reference() passes the layer's
 * own sublayers; the fast classifier passes narrowed ones.
 *
 * @param lp the layer policy: its filters and default_action.
 * @param sublayers the sublayer views, in arbitration order.
 * @param n_sublayers how many.
 * @param callouts the callout table (the snapshot's).
 * Other parameters as weir_classify_reference().
 */
void weir_classify_arbitrate(const struct weir_layer_policy *lp,
                             const struct weir_sublayer_rules *sublayers, uint32_t n_sublayers,
                             const struct weir_callout_table *callouts,
                             const FWPS_INCOMING_VALUES0 *in,
                             const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                             const void *classifyContext, const struct weir_flow_ops *flow,
                             struct weir_classify_result *res, struct weir_trace *trace);

#endif /* WEIR_CLASSIFY_REFERENCE_H */
