/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The brute-force evaluator (see oracle.h). Written from the rules of
 * shared/reference/wfp-callout-model.md and reference.h, not from reference.c.
 */
#include <string.h>

#include "oracle.h"

enum state { UNDECIDED, SOFT_PERMIT, HARD_PERMIT, HARD_BLOCK };

/* What one filter contributes. */
enum decision {
	NOTHING, /* continue / skipped */
	D_SOFT_P,
	D_HARD_P,
	D_STATIC_B,  /* static (or unregistered-callout) block: hard, cannot veto */
	D_CALLOUT_B, /* a callout's block: hard, vetoes a hard permit */
	D_ABSORB_B,  /* a callout's block + absorb: as D_CALLOUT_B, then stop */
};

static bool cond_true(const struct om_cond *c, const struct om_packet *p)
{
	uint64_t x = p->v[c->field];

	if (!p->present[c->field])
		return false;
	if (c->kind == OM_RANGE)
		return c->mt == FWP_MATCH_RANGE && c->a <= x && x <= c->b;
	if (c->kind == OM_MASK) {
		bool in = (x & c->b) == (c->a & c->b);

		if (c->mt == FWP_MATCH_EQUAL || c->mt == FWP_MATCH_PREFIX)
			return in;
		if (c->mt == FWP_MATCH_NOT_EQUAL || c->mt == FWP_MATCH_NOT_PREFIX)
			return !in;
		return false;
	}
	switch (c->mt) {
	case FWP_MATCH_EQUAL:
		return x == c->a;
	case FWP_MATCH_NOT_EQUAL:
		return x != c->a;
	case FWP_MATCH_GREATER:
		return x > c->a;
	case FWP_MATCH_LESS:
		return x < c->a;
	case FWP_MATCH_GREATER_OR_EQUAL:
		return !(x < c->a);
	case FWP_MATCH_LESS_OR_EQUAL:
		return !(x > c->a);
	case FWP_MATCH_FLAGS_ALL_SET:
		return (~x & c->a) == 0;
	case FWP_MATCH_FLAGS_ANY_SET:
		return (x & c->a) != 0;
	case FWP_MATCH_FLAGS_NONE_SET:
		return (x & c->a) == 0;
	default:
		return false;
	}
}

/*
 * A filter matches when every run of conditions on one field has a true
 * member. Written as: for each condition that starts a run, look along the
 * run for a true one.
 */
static bool filter_matches(const struct om_filter *f, const struct om_packet *p)
{
	unsigned i, j;

	for (i = 0; i < f->n; i++) {
		bool starts = i == 0 || f->c[i - 1].field != f->c[i].field;
		bool found = false;

		if (!starts)
			continue;
		for (j = i; j < f->n && f->c[j].field == f->c[i].field; j++)
			found = found || cond_true(&f->c[j], p);
		if (!found)
			return false;
	}
	return true;
}

/* The (action, rights) a callout is shown in each state. */
static void shown(enum state s, FWP_ACTION_TYPE *a, uint32_t *rights)
{
	static const FWP_ACTION_TYPE act[] = {FWP_ACTION_NONE, FWP_ACTION_PERMIT, FWP_ACTION_PERMIT,
	                                      FWP_ACTION_BLOCK};
	static const uint32_t rts[] = {FWPS_RIGHT_ACTION_WRITE, FWPS_RIGHT_ACTION_WRITE, 0, 0};

	*a = act[s];
	*rights = rts[s];
}

static enum decision filter_decision(const struct om_policy *pol, const struct om_filter *f,
                                     const struct om_packet *p, const struct om_env *env,
                                     enum state s, uint64_t *outctx, struct om_result *r)
{
	bool clear = f->flags & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT;
	FWPS_CLASSIFY_OUT0 out;
	uint64_t fctx = 0;
	bool has = false;
	uint32_t c = f->callout;

	*outctx = 0;
	if (f->action == FWP_ACTION_PERMIT)
		return clear ? D_HARD_P : D_SOFT_P;
	if (f->action == FWP_ACTION_BLOCK)
		return D_STATIC_B;
	if (!pol->registered[c]) {
		if (f->action == FWP_ACTION_CALLOUT_INSPECTION)
			return NOTHING;
		if (f->flags & FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED)
			return clear ? D_HARD_P : D_SOFT_P;
		return D_STATIC_B;
	}
	if (p->has_flow)
		has = env->flow_context(p, c, &fctx);
	if (!has)
		fctx = 0;
	if (pol->conditional[c] && !has)
		return NOTHING;

	memset(&out, 0, sizeof(out));
	shown(s, &out.actionType, &out.rights);
	out.filterId = f->id;
	r->calls[r->ncalls].filterId = f->id;
	r->calls[r->ncalls].action_in = out.actionType;
	r->calls[r->ncalls].rights_in = out.rights;
	r->calls[r->ncalls].flow_ctx = fctx;
	r->ncalls++;
	env->program(f->context, p, fctx, &out);
	*outctx = out.outContext;

	if (out.actionType == FWP_ACTION_BLOCK && (out.flags & FWPS_CLASSIFY_OUT_FLAG_ABSORB))
		return D_ABSORB_B;
	if (f->action == FWP_ACTION_CALLOUT_INSPECTION)
		return NOTHING;
	if (out.actionType == FWP_ACTION_PERMIT)
		return clear || !(out.rights & FWPS_RIGHT_ACTION_WRITE) ? D_HARD_P : D_SOFT_P;
	if (out.actionType == FWP_ACTION_BLOCK)
		return D_CALLOUT_B;
	/* anything else: a terminating callout failed to decide (fail closed) */
	return f->action == FWP_ACTION_CALLOUT_TERMINATING ? D_CALLOUT_B : NOTHING;
}

/* Sublayer evaluation order: highest weight, then first added. */
static void sublayer_order(const struct om_policy *pol, unsigned *order)
{
	bool taken[OM_MAX_SUBLAYERS] = {false};
	unsigned k, i;

	for (k = 0; k < pol->nsub; k++) {
		int best = -1;

		for (i = 0; i < pol->nsub; i++) {
			if (taken[i])
				continue;
			if (best < 0 || pol->sub_weight[i] > pol->sub_weight[best])
				best = (int)i;
		}
		taken[best] = true;
		order[k] = (unsigned)best;
	}
}

/* The filters of sublayer @p s in evaluation order: weight desc, then id asc. */
static unsigned filter_order(const struct om_policy *pol, unsigned s, unsigned *order)
{
	bool taken[OM_MAX_FILTERS] = {false};
	unsigned n = 0, i;

	for (;;) {
		int best = -1;

		for (i = 0; i < pol->nf; i++) {
			const struct om_filter *f = &pol->f[i];

			if (taken[i] || f->sublayer != s)
				continue;
			if (best < 0 || f->weight > pol->f[best].weight ||
			    (f->weight == pol->f[best].weight && f->id < pol->f[best].id))
				best = (int)i;
		}
		if (best < 0)
			return n;
		taken[best] = true;
		order[n++] = (unsigned)best;
	}
}

void om_classify(const struct om_policy *pol, const struct om_packet *p, const struct om_env *env,
                 struct om_result *r)
{
	unsigned sub[OM_MAX_SUBLAYERS], fl[OM_MAX_FILTERS];
	enum state s = UNDECIDED;
	uint64_t decider = 0, decider_ctx = 0;
	unsigned k, i, n;

	memset(r, 0, sizeof(*r));
	sublayer_order(pol, sub);
	for (k = 0; k < pol->nsub; k++) {
		n = filter_order(pol, sub[k], fl);
		for (i = 0; i < n; i++) {
			const struct om_filter *f = &pol->f[fl[i]];
			enum decision d;
			uint64_t octx;
			bool can_write = s == UNDECIDED || s == SOFT_PERMIT;

			if (!filter_matches(f, p))
				continue;
			r->evaluated[r->nevaluated++] = f->id;
			d = filter_decision(pol, f, p, env, s, &octx, r);
			if (d == NOTHING)
				continue;
			if (can_write) {
				s = d == D_SOFT_P   ? SOFT_PERMIT
				    : d == D_HARD_P ? HARD_PERMIT
				                    : HARD_BLOCK;
				decider = f->id;
				decider_ctx = octx;
			} else if (s == HARD_PERMIT && (d == D_CALLOUT_B || d == D_ABSORB_B)) {
				s = HARD_BLOCK;
				r->veto = true;
				decider = f->id;
				decider_ctx = octx;
			} else if (d == D_ABSORB_B) {
				decider = f->id;
				decider_ctx = octx;
			}
			if (d == D_ABSORB_B) {
				r->absorbed = true;
				goto out;
			}
			break;
		}
	}
out:
	r->rights = s == UNDECIDED || s == SOFT_PERMIT ? FWPS_RIGHT_ACTION_WRITE : 0;
	if (s == UNDECIDED) {
		r->by_default = true;
		r->action = pol->deflt == FWP_ACTION_BLOCK ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
		return;
	}
	r->action = s == HARD_BLOCK ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
	r->filterId = decider;
	r->outContext = decider_ctx;
}
