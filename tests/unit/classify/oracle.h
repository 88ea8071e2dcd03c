/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A brute-force WFP arbitration evaluator, written apart from the reference
 * classifier and shaped differently on purpose: it works on a plain policy
 * description (not a snapshot), orders sublayers and filters itself, matches
 * conditions with its own code, and folds sublayer decisions through an
 * explicit four-state machine (undecided, soft permit, hard permit, hard
 * block) instead of carrying an action and rights.
 */
#ifndef WEIR_TEST_CLASSIFY_ORACLE_H
#define WEIR_TEST_CLASSIFY_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include <weir/fwpsk.h>

#define OM_NFIELDS 4 /* 0: UINT8, 1: UINT16, 2: UINT32, 3: UINT16 */
#define OM_MAX_FILTERS 16
#define OM_MAX_SUBLAYERS 5
#define OM_MAX_CONDS 4
#define OM_MAX_CALLOUTS 8

enum om_kind {
	OM_VALUE, /* compare with a: EQUAL..LESS_OR_EQUAL, FLAGS_* */
	OM_RANGE, /* a <= x <= b */
	OM_MASK,  /* (x & b) == (a & b): EQUAL/PREFIX, negated by NOT_EQUAL/NOT_PREFIX */
};

struct om_cond {
	unsigned field;
	FWP_MATCH_TYPE mt;
	enum om_kind kind;
	uint64_t a, b;
};

struct om_filter {
	uint64_t id;
	uint64_t weight;
	unsigned sublayer; /* index into om_policy.sub_weight */
	FWP_ACTION_TYPE action;
	uint32_t callout;
	uint16_t flags;   /* FWPS_FILTER_FLAG_* */
	uint64_t context; /* the callout program's instructions */
	unsigned n;
	struct om_cond c[OM_MAX_CONDS];
};

struct om_policy {
	FWP_ACTION_TYPE deflt;
	unsigned nsub;
	uint16_t sub_weight[OM_MAX_SUBLAYERS]; /* index = insertion order */
	unsigned nf;
	struct om_filter f[OM_MAX_FILTERS];
	bool registered[OM_MAX_CALLOUTS];
	bool conditional[OM_MAX_CALLOUTS]; /* FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW */
};

struct om_packet {
	uint64_t v[OM_NFIELDS];
	bool present[OM_NFIELDS];
	bool has_flow;
	uint64_t flow;
};

/* The world outside arbitration, shared with the classifyFns under test. */
struct om_env {
	/* what a callout answers; @p out arrives as the engine fills it */
	void (*program)(uint64_t context, const struct om_packet *p, uint64_t flow_ctx,
	                FWPS_CLASSIFY_OUT0 *out);
	/* the flow's context for a callout (only asked when p->has_flow) */
	bool (*flow_context)(const struct om_packet *p, uint32_t callout, uint64_t *ctx);
};

struct om_call {
	uint64_t filterId;
	FWP_ACTION_TYPE action_in;
	uint32_t rights_in;
	uint64_t flow_ctx;
};

struct om_result {
	FWP_ACTION_TYPE action;
	bool absorbed, veto, by_default;
	uint64_t filterId;
	uint32_t rights;
	uint64_t outContext;
	unsigned nevaluated;
	uint64_t evaluated[OM_MAX_FILTERS]; /* ids of the matching filters evaluated */
	unsigned ncalls;
	struct om_call calls[OM_MAX_FILTERS];
};

void om_classify(const struct om_policy *pol, const struct om_packet *p, const struct om_env *env,
                 struct om_result *r);

#endif /* WEIR_TEST_CLASSIFY_ORACLE_H */
