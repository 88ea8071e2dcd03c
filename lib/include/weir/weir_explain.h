/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Explain: why a packet gets its verdict. Given a layer and the packet's
 * incoming values, weir_explain() runs WFP arbitration over the currently
 * published policy with the reference classifier and returns the verdict
 * together with a trace: one entry per matching filter evaluated, in
 * evaluation order, saying what the filter produced and what arbitration did
 * with it (applied, ignored for lack of the write right, veto...).
 *
 * Hard permits in a higher sublayer silently overriding lower blocks is the
 * classic WFP puzzle; the trace shows it (effect "no-right" on the block).
 *
 * Explain really runs the classifyFn of every callout it reaches — a callout's
 * answer is what decides, there is nothing to explain without it — so those
 * calls, and the filters' hit counters, count like any packet's. Callouts see:
 * empty metadata (currentMetadataValues 0, flowHandle 0), layerData NULL,
 * classifyContext NULL and no flow (callouts registered with
 * FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW are skipped, others get flowContext 0).
 * A callout that needs packet data must check layerData before using it.
 */
#ifndef WEIR_WEIR_EXPLAIN_H
#define WEIR_WEIR_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <weir/weir.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * How a matching filter produced its result (X-macro: the enum and the names
 * come from one list so they cannot drift):
 * - STATIC_PERMIT / STATIC_BLOCK: a FWP_ACTION_PERMIT filter (soft; hard with
 *   FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT) / a FWP_ACTION_BLOCK filter (hard).
 * - CALLOUT_PERMIT / CALLOUT_BLOCK: the classifyFn returned PERMIT / BLOCK.
 * - CALLOUT_ABSORB: BLOCK with FWPS_CLASSIFY_OUT_FLAG_ABSORB; the callout owns
 *   the packet and classification stopped there.
 * - CALLOUT_CONTINUE: CONTINUE, NONE or NONE_NO_MATCH (no decision).
 * - UNREGISTERED_SKIPPED: an inspection callout that is not registered.
 * - UNREGISTERED_BLOCK / UNREGISTERED_PERMIT: a terminating or unknown callout
 *   that is not registered acts as a static BLOCK, or a static PERMIT with
 *   FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED.
 * - NO_FLOW_CONTEXT: a FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW callout and the
 *   flow has no context for it: skipped.
 * - TERMINATING_CONTINUED: contract broken, a terminating callout returned no
 *   decision: treated as its BLOCK (fail closed).
 * - INSPECTION_DECIDED: contract broken, an inspection callout returned
 *   PERMIT or BLOCK: treated as CONTINUE.
 * - BAD_ACTION: the classifyFn left a value that is no action type: BLOCK for
 *   a terminating callout, CONTINUE otherwise.
 * - LAYER_DEFAULT: no filter decided; the layer's default verdict.
 */
#define WEIR_EXPLAIN_REASONS(X)                                                                    \
	X(STATIC_PERMIT, "static-permit")                                                          \
	X(STATIC_BLOCK, "static-block")                                                            \
	X(CALLOUT_PERMIT, "callout-permit")                                                        \
	X(CALLOUT_BLOCK, "callout-block")                                                          \
	X(CALLOUT_ABSORB, "callout-absorb")                                                        \
	X(CALLOUT_CONTINUE, "callout-continue")                                                    \
	X(UNREGISTERED_SKIPPED, "unregistered-skipped")                                            \
	X(UNREGISTERED_BLOCK, "unregistered-block")                                                \
	X(UNREGISTERED_PERMIT, "unregistered-permit")                                              \
	X(NO_FLOW_CONTEXT, "no-flow-context")                                                      \
	X(NOT_RECLASSIFIED, "not-reclassified")                                                    \
	X(TERMINATING_CONTINUED, "terminating-continued")                                          \
	X(INSPECTION_DECIDED, "inspection-decided")                                                \
	X(BAD_ACTION, "bad-action")                                                                \
	X(LAYER_DEFAULT, "layer-default")

/**
 * What arbitration did with a filter's result:
 * - NONE: no decision (continue or skipped): on to the next filter.
 * - APPLIED: the write right was set, the result became the action.
 * - NO_RIGHT: the right had been cleared by a hard decision above: ignored.
 * - VETO: a callout's BLOCK overrode a hard permit.
 * - DEFAULT: the layer default verdict.
 */
#define WEIR_EXPLAIN_EFFECTS(X)                                                                    \
	X(NONE, "none")                                                                            \
	X(APPLIED, "applied")                                                                      \
	X(NO_RIGHT, "no-right")                                                                    \
	X(VETO, "veto")                                                                            \
	X(DEFAULT, "default")

#define WEIR_EXPLAIN_ENUM_REASON_(name, str) WEIR_EXPLAIN_##name,
#define WEIR_EXPLAIN_ENUM_EFFECT_(name, str) WEIR_EXPLAIN_EFFECT_##name,

/** Why a trace entry's result is what it is (names: weir_explain_reason_name()). */
enum weir_explain_reason {
	WEIR_EXPLAIN_REASONS(WEIR_EXPLAIN_ENUM_REASON_)
	/** the number of reasons */
	WEIR_EXPLAIN_REASON_COUNT
};

/** What arbitration did with a trace entry (names: weir_explain_effect_name()). */
enum weir_explain_effect {
	WEIR_EXPLAIN_EFFECTS(WEIR_EXPLAIN_ENUM_EFFECT_)
	/** the number of effects */
	WEIR_EXPLAIN_EFFECT_COUNT
};

/** One step of arbitration: a matching filter evaluated, or the layer default. */
struct weir_explain_entry {
	UINT64 filterId; /**< 0 for the layer default */
	UINT16 subLayerWeight;
	UINT64 weight;                 /**< the filter's effective weight */
	FWP_ACTION_TYPE filterAction;  /**< the filter's action type (FWP_ACTION_*) */
	UINT32 calloutId;              /**< callout actions, else 0 */
	FWP_ACTION_TYPE calloutAction; /**< actionType the classifyFn left; 0 when not called */
	FWP_ACTION_TYPE result;        /**< after weir's rules: PERMIT, BLOCK or CONTINUE */
	FWP_ACTION_TYPE actionAfter;   /**< carried action afterwards; FWP_ACTION_NONE: none yet */
	UINT32 rightsAfter;            /**< carried rights afterwards (FWPS_RIGHT_ACTION_WRITE) */
	enum weir_explain_reason reason;
	enum weir_explain_effect effect;
};

/** Input (the trace buffer) and output of weir_explain(). */
struct weir_explain {
	/* in */
	struct weir_explain_entry *entries; /**< trace buffer; may be NULL when capacity is 0 */
	uint32_t capacity;                  /**< entries it holds */
	/* out */
	uint32_t n_entries;     /**< entries produced; more than capacity: the rest were dropped */
	FWP_ACTION_TYPE action; /**< FWP_ACTION_PERMIT or FWP_ACTION_BLOCK */
	bool absorbed;          /**< a callout took the packet (BLOCK + ABSORB) */
	bool veto;              /**< a callout's BLOCK overrode a hard permit */
	bool by_default;        /**< no filter decided: the layer default */
	UINT64 filterId;        /**< deciding filter (the absorber if absorbed); 0 by default */
	UINT32 rights;          /**< FWPS_RIGHT_ACTION_WRITE if still set at the end */
	UINT64 outContext;      /**< classifyOut->outContext of the deciding callout, else 0 */
	uint64_t generation;    /**< the published policy generation that was explained */
};

/**
 * Explain the verdict the current published policy gives a packet at a layer
 * (see the file comment for what callouts see, and the reference classifier's
 * rules in docs/wfp-semantics.md). The trace lists every matching filter
 * evaluated, in order, then a LAYER_DEFAULT entry when no filter decided.
 *
 * @param engineHandle an open session (FwpmEngineOpen0).
 * @param layer the layer to classify at.
 * @param in the packet's fields: layerId the layer's FWPS_LAYER_* id,
 *   valueCount the layer's field count, each value FWP_EMPTY or of the
 *   field's type (weir_incoming_values_init() prepares one).
 * @param out in: the trace buffer; out: verdict and trace. Untouched on error.
 * @return STATUS_SUCCESS (also when the trace was truncated: n_entries >
 *   capacity); STATUS_INVALID_HANDLE (not an open session);
 *   STATUS_FWP_NULL_POINTER (@p in or @p out NULL, in->incomingValue NULL,
 *   a pointer-typed value with a NULL pointer, or entries NULL with a
 *   non-zero capacity); STATUS_FWP_LAYER_NOT_FOUND (@p layer out of range);
 *   STATUS_INVALID_PARAMETER (in->layerId is not the layer's FWPS id,
 *   in->valueCount is not its field count, or a value is neither FWP_EMPTY
 *   nor of its field's type).
 */
NTSTATUS weir_explain(HANDLE engineHandle, enum weir_layer layer, const FWPS_INCOMING_VALUES0 *in,
                      struct weir_explain *out);

/**
 * Explain the verdict for a raw Ethernet frame arriving on @p inPort (its
 * pair is the output port), parsed and turned into @p layer's incoming
 * values exactly as the data path does it; otherwise as weir_explain().
 *
 * @return as weir_explain(), and STATUS_FWP_NULL_POINTER (@p frame NULL);
 *   STATUS_INVALID_PARAMETER (@p length 0 or over 65535, a frame the data
 *   path would drop as malformed, or one @p layer does not see — e.g. an
 *   IPv6 frame at a -v4 layer, or a non-first fragment at a transport layer).
 */
NTSTATUS weir_explain_frame(HANDLE engineHandle, enum weir_layer layer, const void *frame,
                            UINT32 length, UINT16 inPort, struct weir_explain *out);

/**
 * The number of incoming values of a layer (FWPS_INCOMING_VALUES0.valueCount
 * a classify at that layer carries: WFP's fields, then weir's).
 * @return the count; 0 if @p layer is out of range.
 */
UINT32 weir_incoming_values_count(enum weir_layer layer);

/**
 * Prepare incoming values for @p layer: layerId and valueCount set, every
 * value FWP_EMPTY, stored in @p storage. Set the fields you need afterwards
 * (in->incomingValue[FWPS_FIELD_..._].value).
 *
 * @param layer the layer.
 * @param in receives the header.
 * @param storage at least weir_incoming_values_count(layer) values.
 * @param n the number of values @p storage holds.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER (@p in or @p storage NULL);
 *   STATUS_FWP_LAYER_NOT_FOUND (@p layer out of range);
 *   STATUS_BUFFER_TOO_SMALL (@p n below the layer's field count; nothing
 *   written).
 */
NTSTATUS weir_incoming_values_init(enum weir_layer layer, FWPS_INCOMING_VALUES0 *in,
                                   FWPS_INCOMING_VALUE0 *storage, UINT32 n);

/**
 * The name of an explain reason ("callout-absorb").
 * @return a static string; "unknown" when @p reason is out of range.
 */
const char *weir_explain_reason_name(int reason);

/**
 * The name of an explain effect ("no-right").
 * @return a static string; "unknown" when @p effect is out of range.
 */
const char *weir_explain_effect_name(int effect);

#ifdef __cplusplus
}
#endif

#endif /* WEIR_WEIR_EXPLAIN_H */
