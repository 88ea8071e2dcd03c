/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hand-built snapshots for the classifier tests: filters with their run-time
 * view filled in, sublayers, a callout table, ordered the way the snapshot
 * compiler orders them - without the management API.
 */
#ifndef WEIR_TEST_CLASSIFY_HARNESS_H
#define WEIR_TEST_CLASSIFY_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <weir/weir.h>

#include "classify/reference.h"
#include "classify/snapshot.h"
#include "mgmt/store.h"
#include "shim/registry.h"

#define TB_MAX_FILTERS 64
#define TB_MAX_SUBLAYERS 16
#define TB_MAX_CONDS 8
#define TB_MAX_CALLOUTS 32
#define TB_LAYER WEIR_LAYER_INBOUND_TRANSPORT_V4
#define TB_NFIELDS 6

struct tb {
	struct weir_filter f[TB_MAX_FILTERS];
	FWPS_FILTER_CONDITION0 conds[TB_MAX_FILTERS][TB_MAX_CONDS];
	UINT64 weight_store[TB_MAX_FILTERS];
	unsigned f_sublayer[TB_MAX_FILTERS];
	unsigned nf;
	UINT16 sl_weight[TB_MAX_SUBLAYERS]; /* index = insertion order */
	unsigned nsl;
	struct weir_callout_reg regs[TB_MAX_CALLOUTS];
	struct weir_filter *order[TB_MAX_FILTERS];
	struct weir_sublayer_rules rules[TB_MAX_SUBLAYERS];
	struct weir_policy policy;
	struct weir_callout_table *table;
	struct weir_snapshot snap;
};

/** A new empty builder whose layer TB_LAYER has default @p deflt. */
struct tb *tb_new(FWP_ACTION_TYPE deflt);
void tb_free(struct tb *b);

/** Add a sublayer; @return its index (insertion order breaks weight ties). */
unsigned tb_sublayer(struct tb *b, UINT16 weight);

/** Add a filter (no conditions yet). */
struct weir_filter *tb_filter(struct tb *b, unsigned sublayer, UINT64 weight, UINT64 id,
                              FWP_ACTION_TYPE type, UINT32 calloutId, UINT16 flags, UINT64 context);

/** Append a condition to @p f; the caller fills conditionValue. */
FWPS_FILTER_CONDITION0 *tb_cond(struct tb *b, struct weir_filter *f, UINT16 field,
                                FWP_MATCH_TYPE mt);

/** Register callout @p id with the scripted classifyFn of version @p version (0 or 3). */
struct weir_callout_reg *tb_register(struct tb *b, UINT32 id, int version, UINT32 flags);

/** Register callout @p id with classifyFn @p fn (v3) or @p fn0 (v0): one of them non-NULL. */
struct weir_callout_reg *tb_register_fn(struct tb *b, UINT32 id, FWPS_CALLOUT_CLASSIFY_FN3 fn,
                                        FWPS_CALLOUT_CLASSIFY_FN0 fn0, UINT32 flags);

/** Remove the registration of @p id from the table (the filters stay). */
void tb_unregister(struct tb *b, UINT32 id);

/**
 * Order the filters (sublayer weight desc, sublayer insertion order, filter
 * weight desc, filter id asc) and publish them as the snapshot's TB_LAYER.
 */
const struct weir_snapshot *tb_build(struct tb *b);

/** A packet: TB_NFIELDS values, all FWP_EMPTY until set. */
struct tb_pkt {
	FWPS_INCOMING_VALUE0 v[TB_NFIELDS];
	FWPS_INCOMING_VALUES0 in;
	UINT64 u64;
	FWP_BYTE_ARRAY16 a16;
	FWP_BYTE_ARRAY6 a6;
};

void tb_pkt_init(struct tb_pkt *p);
void tb_pkt_u8(struct tb_pkt *p, unsigned field, UINT8 x);
void tb_pkt_u16(struct tb_pkt *p, unsigned field, UINT16 x);
void tb_pkt_u32(struct tb_pkt *p, unsigned field, UINT32 x);

/*
 * The scripted callout: filter->context says what it answers.
 * Bits 0..31: the actionType to write (0: leave classifyOut->actionType as
 * passed in); SCRIPT_CLEAR: clear FWPS_RIGHT_ACTION_WRITE; SCRIPT_ABSORB: set
 * FWPS_CLASSIFY_OUT_FLAG_ABSORB; SCRIPT_CTX: outContext = filterId * 100.
 * Every call is logged.
 */
#define SCRIPT_CLEAR (1ull << 32)
#define SCRIPT_ABSORB (1ull << 33)
#define SCRIPT_CTX (1ull << 34)

struct tb_call {
	UINT32 calloutId;
	UINT64 filterId; /* filter->filterId */
	FWP_ACTION_TYPE action_in;
	UINT32 rights_in;
	UINT64 out_filter_in; /* classifyOut->filterId as passed */
	UINT32 flags_in;
	UINT64 flow_context;
	const void *layer_data;
	const void *classify_context;
};

#define TB_MAX_LOG 64
extern struct tb_call tb_log[TB_MAX_LOG];
extern unsigned tb_nlog;
void tb_log_reset(void);

void tb_script3(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                void *layerData, const void *classifyContext, const FWPS_FILTER3 *filter,
                UINT64 flowContext, FWPS_CLASSIFY_OUT0 *out);
void tb_script0(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                void *layerData, const FWPS_FILTER0 *filter, UINT64 flowContext,
                FWPS_CLASSIFY_OUT0 *out);

/** Classify @p p at TB_LAYER of @p s with a trace into @p t (cap entries of @p buf). */
void tb_classify(const struct weir_snapshot *s, struct tb_pkt *p, const struct weir_flow_ops *flow,
                 struct weir_classify_result *res, struct weir_trace *t,
                 struct weir_explain_entry *buf, uint32_t cap);

#endif /* WEIR_TEST_CLASSIFY_HARNESS_H */
