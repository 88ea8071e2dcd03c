/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier's run path (data side, worker lcores): candidates from
 * the rte_acl contexts, exact static candidates settled on the spot, the
 * reference arbitration from the candidates otherwise. No locks, no
 * allocation.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_acl.h>

#include "classify/fast_private.h"
#include "classify/match.h"

void weir_fast_candidates(const struct weir_fast *v, const uint8_t *const *keys, uint32_t n,
                          uint32_t *cand)
{
	const struct weir_fast_base *b = v->base;
	uint32_t tmp[WEIR_FAST_BURST * CATS_PER_CTX];
	uint32_t c, k, m = n * b->stride;

	rte_acl_classify(b->ctx[0].acl, (const uint8_t **)keys, cand, n, b->ctx[0].n_cat);
	for (c = 1; c < b->n_ctx; c++) {
		rte_acl_classify(b->ctx[c].acl, (const uint8_t **)keys, tmp, n, b->ctx[c].n_cat);
		for (k = 0; k < m; k++)
			if (cand[k] == 0)
				cand[k] = tmp[k];
	}
}

/* Candidates of one packet, any number of sublayer groups: best[base sublayer]. */
static void candidates_one(const struct weir_fast_base *b, const uint8_t *key, uint32_t *best)
{
	uint32_t hit[CATS_PER_CTX], c, i;

	memset(best, 0, b->n_sublayers * sizeof(*best));
	for (c = 0; c < b->n_ctx; c++) {
		const struct weir_fast_ctx *x = &b->ctx[c];

		rte_acl_classify(x->acl, &key, hit, 1, x->n_cat);
		for (i = 0; i < x->n_sl; i++)
			if (best[x->first_sl + i] == 0)
				best[x->first_sl + i] = hit[i];
	}
}

bool weir_fast_decide(const struct weir_layer_policy *lp, const uint32_t *row, bool key_exact,
                      struct weir_classify_result *res)
{
	const struct weir_fast *v = lp->fast;
	const struct weir_fast_base *b = v->base;
	uint32_t hit[WEIR_FAST_MAX_SUBLAYERS];
	FWP_ACTION_TYPE action = FWP_ACTION_NONE;
	UINT32 rights = FWPS_RIGHT_ACTION_WRITE;
	UINT64 id = 0;
	uint32_t s, n = 0;

	if (v->n_added)
		return false;
	if (b->n_sublayers == 1 && v->identity) {
		/* the usual layer: one sublayer, nothing changed since the compile */
		uint32_t h = row[0];
		uint8_t o;

		res->absorbed = false;
		res->veto = false;
		res->outContext = 0;
		if (h == 0) {
			res->rights = FWPS_RIGHT_ACTION_WRITE;
			res->by_default = true;
			res->filterId = 0;
			res->action = lp->default_action == FWP_ACTION_BLOCK ? FWP_ACTION_BLOCK
			                                                     : FWP_ACTION_PERMIT;
			return true;
		}
		o = b->settle[h - 1];
		if (!key_exact || o == WEIR_FAST_S_NONE)
			return false;
		weir_filter_hit(lp->filters[h - 1]);
		res->action = o == WEIR_FAST_S_BLOCK ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
		res->rights = o == WEIR_FAST_S_PERMIT ? FWPS_RIGHT_ACTION_WRITE : 0;
		res->filterId = b->keys[h - 1].id;
		res->by_default = false;
		return true;
	}
	for (s = 0; s < b->n_sublayers; s++) {
		uint32_t h = row[s];
		uint8_t o;

		if (h == 0)
			continue;
		h--;
		o = b->settle[h];
		if (!key_exact || o == WEIR_FAST_S_NONE || (!v->identity && v->gone[h]))
			return false;
		hit[n++] = h;
		/* rule 4 for static outcomes: applied while the right is held, no veto */
		if (rights & FWPS_RIGHT_ACTION_WRITE) {
			action = o == WEIR_FAST_S_BLOCK ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
			rights = o == WEIR_FAST_S_PERMIT ? FWPS_RIGHT_ACTION_WRITE : 0;
			id = b->keys[h].id;
		}
	}
	for (s = 0; s < n; s++)
		weir_filter_hit(lp->filters[v->identity ? hit[s] : v->pos[hit[s]]]);
	res->absorbed = false;
	res->veto = false;
	res->outContext = 0;
	res->rights = rights;
	if (action != FWP_ACTION_NONE) {
		res->action = action;
		res->filterId = id;
		res->by_default = false;
	} else {
		res->by_default = true;
		res->filterId = 0;
		res->action =
		    lp->default_action == FWP_ACTION_BLOCK ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
	}
	return true;
}

void weir_fast_arbitrate(const struct weir_snapshot *s, enum weir_layer layer, const uint32_t *row,
                         const FWPS_INCOMING_VALUES0 *in,
                         const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                         const void *classifyContext, const struct weir_flow_ops *flow,
                         struct weir_classify_result *res, struct weir_trace *trace)
{
	const struct weir_layer_policy *lp = &s->policy->layers[layer];
	const struct weir_fast *v = lp->fast;
	const struct weir_fast_base *b = v->base;
	uint32_t start[WEIR_FAST_MAX_SUBLAYERS];
	struct weir_sublayer_rules view_sl[WEIR_FAST_MAX_SUBLAYERS];
	uint32_t i, t, n = 0;

	for (t = 0; t < lp->n_sublayers && t < WEIR_FAST_MAX_SUBLAYERS; t++)
		start[t] = lp->sublayers[t].first + lp->sublayers[t].count;
	for (i = 0; i < b->n_sublayers; i++) {
		uint32_t h = row[i], p;

		if (h == 0)
			continue;
		h--;
		t = v->identity ? i : v->sl_map[i];
		if (t == NONE)
			continue; /* every filter of that sublayer is gone */
		p = v->identity ? h : v->pos[h];
		if (p < start[t])
			start[t] = p;
	}
	/* filters added since the base: only they can start a sublayer earlier */
	for (i = 0; i < v->n_added; i++) {
		uint32_t j = v->added[i];

		t = v->add_sl[i];
		if (j < start[t] && weir_filter_match(&lp->filters[j]->rt, in))
			start[t] = j;
	}
	for (t = 0; t < lp->n_sublayers && t < WEIR_FAST_MAX_SUBLAYERS; t++) {
		const struct weir_sublayer_rules *sl = &lp->sublayers[t];

		if (start[t] >= sl->first + sl->count)
			continue; /* nothing in this sublayer can match */
		view_sl[n].weight = sl->weight;
		view_sl[n].first = start[t];
		view_sl[n].count = sl->first + sl->count - start[t];
		n++;
	}
	/* the reference arbitration over the narrowed sublayers */
	weir_classify_arbitrate(lp, view_sl, n, s->callouts, in, meta, layerData, classifyContext,
	                        flow, res, trace);
}

void weir_classify_fast(const struct weir_snapshot *s, enum weir_layer layer,
                        const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                        void *layerData, const void *classifyContext,
                        const struct weir_flow_ops *flow, struct weir_classify_result *res,
                        struct weir_trace *trace)
{
	const struct weir_layer_policy *lp = &s->policy->layers[layer];
	const struct weir_fast *v = lp->fast;
	uint32_t key[RTE_ACL_MAX_FIELDS] __rte_aligned(16);
	uint32_t best[WEIR_FAST_MAX_SUBLAYERS];
	const struct weir_fast_base *b;
	bool exact = true;
	uint32_t k;

	if (v == NULL || lp->n_sublayers > WEIR_FAST_MAX_SUBLAYERS) {
		weir_classify_reference(s, layer, in, meta, layerData, classifyContext, flow, res,
		                        trace);
		return;
	}
	b = v->base;
	memset(key, 0, 4 * b->n_words);
	for (k = 0; k < b->n_maps; k++) {
		UINT16 fld = b->maps[k].field;

		if (fld >= in->valueCount ||
		    !weir_fast_key_put(b, k, &in->incomingValue[fld].value, key))
			exact = false;
	}
	candidates_one(b, (const uint8_t *)key, best);
	if (trace == NULL && weir_fast_decide(lp, best, exact, res))
		return;
	weir_fast_arbitrate(s, layer, best, in, meta, layerData, classifyContext, flow, res, trace);
}
