/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference classifier: WFP arbitration spelled out step by step. The
 * rules are in reference.h; each function below implements one of them.
 */
#include <stdatomic.h>
#include <string.h>

#include "classify/match.h"
#include "classify/reference.h"

/* What one matching filter produced (rule 3). */
struct outcome {
	FWP_ACTION_TYPE result;         /* PERMIT, BLOCK or CONTINUE */
	bool hard;                      /* the decision clears the write right */
	bool from_callout;              /* a classifyFn answered: its BLOCK may veto */
	bool absorb;                    /* BLOCK + ABSORB: stop at once */
	FWP_ACTION_TYPE callout_action; /* what the classifyFn left, 0 when not called */
	UINT64 out_context;
	enum weir_explain_reason reason;
};

/* What the engine carries across sublayers (rule 4). */
struct carry {
	FWP_ACTION_TYPE action; /* FWP_ACTION_NONE until a decision is applied */
	UINT32 rights;
	UINT64 filter_id; /* the filter whose decision is the action */
	UINT64 out_context;
	bool veto;
};

static void decide(struct outcome *o, FWP_ACTION_TYPE result, bool hard,
                   enum weir_explain_reason reason)
{
	o->result = result;
	o->hard = hard;
	o->reason = reason;
}

/* The answers a classifyFn may give. */
static bool is_answer(FWP_ACTION_TYPE a)
{
	return a == FWP_ACTION_PERMIT || a == FWP_ACTION_BLOCK || a == FWP_ACTION_CONTINUE ||
	       a == FWP_ACTION_NONE || a == FWP_ACTION_NONE_NO_MATCH;
}

/* Turn what a classifyFn left in classifyOut into the filter's outcome. */
static void interpret(const FWPS_FILTER3 *rt, FWP_ACTION_TYPE passed, const FWPS_CLASSIFY_OUT0 *out,
                      struct outcome *o)
{
	FWP_ACTION_TYPE a = out->actionType;
	bool terminating = rt->action.type == FWP_ACTION_CALLOUT_TERMINATING;

	o->from_callout = true;
	o->callout_action = a;
	o->out_context = out->outContext;
	/* ownership of the packet has passed whatever the callout's type */
	if (a == FWP_ACTION_BLOCK && (out->flags & FWPS_CLASSIFY_OUT_FLAG_ABSORB)) {
		o->absorb = true;
		decide(o, FWP_ACTION_BLOCK, true, WEIR_EXPLAIN_CALLOUT_ABSORB);
		return;
	}
	if (rt->action.type == FWP_ACTION_CALLOUT_INSPECTION) {
		enum weir_explain_reason r = WEIR_EXPLAIN_CALLOUT_CONTINUE;

		if ((a == FWP_ACTION_PERMIT || a == FWP_ACTION_BLOCK) && a != passed)
			r = WEIR_EXPLAIN_INSPECTION_DECIDED;
		else if (!is_answer(a))
			r = WEIR_EXPLAIN_BAD_ACTION;
		decide(o, FWP_ACTION_CONTINUE, false, r);
		return;
	}
	switch (a) {
	case FWP_ACTION_PERMIT:
		decide(o, FWP_ACTION_PERMIT,
		       (rt->flags & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) ||
		           !(out->rights & FWPS_RIGHT_ACTION_WRITE),
		       WEIR_EXPLAIN_CALLOUT_PERMIT);
		break;
	case FWP_ACTION_BLOCK:
		decide(o, FWP_ACTION_BLOCK, true, WEIR_EXPLAIN_CALLOUT_BLOCK);
		break;
	case FWP_ACTION_CONTINUE:
	case FWP_ACTION_NONE:
	case FWP_ACTION_NONE_NO_MATCH:
		/* a terminating callout must decide: fail closed */
		if (terminating)
			decide(o, FWP_ACTION_BLOCK, true, WEIR_EXPLAIN_TERMINATING_CONTINUED);
		else
			decide(o, FWP_ACTION_CONTINUE, false, WEIR_EXPLAIN_CALLOUT_CONTINUE);
		break;
	default:
		if (terminating)
			decide(o, FWP_ACTION_BLOCK, true, WEIR_EXPLAIN_BAD_ACTION);
		else
			decide(o, FWP_ACTION_CONTINUE, false, WEIR_EXPLAIN_BAD_ACTION);
		break;
	}
}

/* The registered callout @p id in table @p t, or NULL. */
static struct weir_callout_reg *callout_of(const struct weir_callout_table *t, UINT32 id)
{
	return id < t->n ? t->regs[id] : NULL;
}

/* Rule 3: what matching filter @p f produces, given the carried state. */
static void evaluate(const struct weir_callout_table *callouts, struct weir_filter *f,
                     const struct carry *c, const FWPS_INCOMING_VALUES0 *in,
                     const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                     const void *classifyContext, const struct weir_flow_ops *flow,
                     struct outcome *o)
{
	const FWPS_FILTER3 *rt = &f->rt;
	bool clear = rt->flags & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT;
	struct weir_callout_reg *reg;
	FWPS_CLASSIFY_OUT0 out;
	UINT64 fctx = 0;
	bool has_ctx;

	memset(o, 0, sizeof(*o));
	switch (rt->action.type) {
	case FWP_ACTION_PERMIT:
		decide(o, FWP_ACTION_PERMIT, clear, WEIR_EXPLAIN_STATIC_PERMIT);
		return;
	case FWP_ACTION_BLOCK:
		decide(o, FWP_ACTION_BLOCK, true, WEIR_EXPLAIN_STATIC_BLOCK);
		return;
	case FWP_ACTION_CALLOUT_TERMINATING:
	case FWP_ACTION_CALLOUT_INSPECTION:
	case FWP_ACTION_CALLOUT_UNKNOWN:
		break;
	default:
		/* FwpmFilterAdd0 admits no other action; fail closed if one appears */
		decide(o, FWP_ACTION_BLOCK, true, WEIR_EXPLAIN_BAD_ACTION);
		return;
	}

	reg = callout_of(callouts, rt->action.calloutId);
	if (reg == NULL) {
		if (rt->action.type == FWP_ACTION_CALLOUT_INSPECTION)
			decide(o, FWP_ACTION_CONTINUE, false, WEIR_EXPLAIN_UNREGISTERED_SKIPPED);
		else if (rt->flags & FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED)
			decide(o, FWP_ACTION_PERMIT, clear, WEIR_EXPLAIN_UNREGISTERED_PERMIT);
		else
			decide(o, FWP_ACTION_BLOCK, true, WEIR_EXPLAIN_UNREGISTERED_BLOCK);
		return;
	}

	has_ctx =
	    flow && flow->get_context && flow->get_context(flow->flow, rt->action.calloutId, &fctx);
	if (!has_ctx)
		fctx = 0;
	if ((reg->flags & FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW) && !has_ctx) {
		decide(o, FWP_ACTION_CONTINUE, false, WEIR_EXPLAIN_NO_FLOW_CONTEXT);
		return;
	}
	/* re-evaluating an established flow: only callouts that asked for it */
	if (flow && flow->reauthorize && !(reg->flags & FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY)) {
		decide(o, FWP_ACTION_CONTINUE, false, WEIR_EXPLAIN_NOT_RECLASSIFIED);
		return;
	}

	memset(&out, 0, sizeof(out));
	out.actionType = c->action;
	out.rights = c->rights;
	out.filterId = rt->filterId;
	atomic_fetch_add_explicit(&reg->calls, 1, memory_order_relaxed);
	weir_callout_classify(reg, in, meta, layerData, classifyContext, rt, fctx, &out);
	interpret(rt, c->action, &out, o);
}

/* Rule 4: fold a sublayer's decision into the carried state. */
static enum weir_explain_effect arbitrate(struct carry *c, const struct outcome *o, UINT64 id)
{
	enum weir_explain_effect e;

	if (c->rights & FWPS_RIGHT_ACTION_WRITE) {
		c->action = o->result;
		c->rights = o->hard ? 0 : FWPS_RIGHT_ACTION_WRITE;
		e = WEIR_EXPLAIN_EFFECT_APPLIED;
	} else if (o->result == FWP_ACTION_BLOCK && o->from_callout &&
	           c->action == FWP_ACTION_PERMIT) {
		/* no right and a permit carried: that permit is hard */
		c->action = FWP_ACTION_BLOCK;
		c->veto = true;
		e = WEIR_EXPLAIN_EFFECT_VETO;
	} else if (o->absorb) {
		/* BLOCK on BLOCK: the verdict stays, but the absorber owns the packet */
		e = WEIR_EXPLAIN_EFFECT_NO_RIGHT;
	} else {
		return WEIR_EXPLAIN_EFFECT_NO_RIGHT;
	}
	c->filter_id = id;
	c->out_context = o->out_context;
	return e;
}

static void trace_add(struct weir_trace *t, const struct weir_explain_entry *e)
{
	if (t->n < t->cap)
		t->e[t->n] = *e;
	t->n++;
}

static void trace_filter(struct weir_trace *t, const struct weir_sublayer_rules *sl,
                         const struct weir_filter *f, const struct outcome *o,
                         const struct carry *c, enum weir_explain_effect effect)
{
	struct weir_explain_entry e = {
	    .filterId = f->rt.filterId,
	    .subLayerWeight = sl->weight,
	    .weight = f->weight,
	    .filterAction = f->rt.action.type,
	    .calloutId = (f->rt.action.type & FWP_ACTION_FLAG_CALLOUT) ? f->rt.action.calloutId : 0,
	    .calloutAction = o->callout_action,
	    .result = o->result,
	    .actionAfter = c->action,
	    .rightsAfter = c->rights,
	    .reason = o->reason,
	    .effect = effect,
	};

	trace_add(t, &e);
}

void weir_classify_arbitrate(const struct weir_layer_policy *lp,
                             const struct weir_sublayer_rules *sublayers, uint32_t n_sublayers,
                             const struct weir_callout_table *callouts,
                             const FWPS_INCOMING_VALUES0 *in,
                             const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                             const void *classifyContext, const struct weir_flow_ops *flow,
                             struct weir_classify_result *res, struct weir_trace *trace)
{
	struct carry c = {.action = FWP_ACTION_NONE, .rights = FWPS_RIGHT_ACTION_WRITE};
	bool absorbed = false;
	uint32_t i, k;

	if (trace)
		trace->n = 0;
	/* rule 2: every sublayer, each until its first decision */
	for (i = 0; i < n_sublayers && !absorbed; i++) {
		const struct weir_sublayer_rules *sl = &sublayers[i];

		for (k = 0; k < sl->count; k++) {
			struct weir_filter *f = lp->filters[sl->first + k];
			enum weir_explain_effect effect = WEIR_EXPLAIN_EFFECT_NONE;
			struct outcome o;

			if (!weir_filter_match(&f->rt, in))
				continue;
			weir_filter_hit(f);
			evaluate(callouts, f, &c, in, meta, layerData, classifyContext, flow, &o);
			if (o.result != FWP_ACTION_CONTINUE)
				effect = arbitrate(&c, &o, f->rt.filterId);
			if (trace)
				trace_filter(trace, sl, f, &o, &c, effect);
			if (o.absorb) {
				absorbed = true;
				break;
			}
			if (o.result != FWP_ACTION_CONTINUE)
				break;
		}
	}

	memset(res, 0, sizeof(*res));
	res->absorbed = absorbed;
	res->veto = c.veto;
	res->rights = c.rights;
	if (c.action != FWP_ACTION_NONE) {
		res->action = c.action;
		res->filterId = c.filter_id;
		res->outContext = c.out_context;
		return;
	}
	/* rule 5 */
	res->by_default = true;
	res->action = lp->default_action == FWP_ACTION_BLOCK ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
	if (trace) {
		struct weir_explain_entry e = {
		    .result = res->action,
		    .actionAfter = res->action,
		    .rightsAfter = c.rights,
		    .reason = WEIR_EXPLAIN_LAYER_DEFAULT,
		    .effect = WEIR_EXPLAIN_EFFECT_DEFAULT,
		};

		trace_add(trace, &e);
	}
}

void weir_classify_reference(const struct weir_snapshot *s, enum weir_layer layer,
                             const FWPS_INCOMING_VALUES0 *in,
                             const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                             const void *classifyContext, const struct weir_flow_ops *flow,
                             struct weir_classify_result *res, struct weir_trace *trace)
{
	const struct weir_layer_policy *lp = &s->policy->layers[layer];

	weir_classify_arbitrate(lp, lp->sublayers, lp->n_sublayers, s->callouts, in, meta,
	                        layerData, classifyContext, flow, res, trace);
}
