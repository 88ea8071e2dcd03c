/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct tb_call tb_log[TB_MAX_LOG];
unsigned tb_nlog;

void tb_log_reset(void)
{
	memset(tb_log, 0, sizeof(tb_log));
	tb_nlog = 0;
}

struct tb *tb_new(FWP_ACTION_TYPE deflt)
{
	struct tb *b = calloc(1, sizeof(*b));

	if (b == NULL)
		abort();
	b->table = calloc(1, sizeof(*b->table) + TB_MAX_CALLOUTS * sizeof(b->table->regs[0]));
	if (b->table == NULL)
		abort();
	b->table->n = TB_MAX_CALLOUTS;
	b->policy.layers[TB_LAYER].default_action = deflt;
	b->snap.policy = &b->policy;
	b->snap.callouts = b->table;
	b->snap.generation = 1;
	return b;
}

void tb_free(struct tb *b)
{
	free(b->table);
	free(b);
}

unsigned tb_sublayer(struct tb *b, UINT16 weight)
{
	if (b->nsl >= TB_MAX_SUBLAYERS)
		abort();
	b->sl_weight[b->nsl] = weight;
	return b->nsl++;
}

struct weir_filter *tb_filter(struct tb *b, unsigned sublayer, UINT64 weight, UINT64 id,
                              FWP_ACTION_TYPE type, UINT32 calloutId, UINT16 flags, UINT64 context)
{
	struct weir_filter *f;
	unsigned i = b->nf;

	if (i >= TB_MAX_FILTERS || sublayer >= b->nsl)
		abort();
	b->nf++;
	f = &b->f[i];
	memset(f, 0, sizeof(*f));
	b->f_sublayer[i] = sublayer;
	b->weight_store[i] = weight;
	f->weight = weight;
	f->layer = TB_LAYER;
	f->callout_id = (type & FWP_ACTION_FLAG_CALLOUT) ? calloutId : 0;
	f->m.filterId = id;
	f->rt.filterId = id;
	f->rt.weight.type = FWP_UINT64;
	f->rt.weight.uint64 = &b->weight_store[i];
	f->rt.subLayerWeight = b->sl_weight[sublayer];
	f->rt.flags = flags;
	f->rt.filterCondition = b->conds[i];
	f->rt.action.type = type;
	f->rt.action.calloutId = f->callout_id;
	f->rt.context = context;
	atomic_init(&f->hits, 0);
	return f;
}

FWPS_FILTER_CONDITION0 *tb_cond(struct tb *b, struct weir_filter *f, UINT16 field,
                                FWP_MATCH_TYPE mt)
{
	FWPS_FILTER_CONDITION0 *c;

	(void)b;
	if (f->rt.numFilterConditions >= TB_MAX_CONDS)
		abort();
	c = &f->rt.filterCondition[f->rt.numFilterConditions++];
	memset(c, 0, sizeof(*c));
	c->fieldId = field;
	c->matchType = mt;
	return c;
}

struct weir_callout_reg *tb_register_fn(struct tb *b, UINT32 id, FWPS_CALLOUT_CLASSIFY_FN3 fn,
                                        FWPS_CALLOUT_CLASSIFY_FN0 fn0, UINT32 flags)
{
	struct weir_callout_reg *r;

	if (id >= TB_MAX_CALLOUTS)
		abort();
	r = &b->regs[id];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->flags = flags;
	if (fn) {
		r->version = 3;
		r->classify.v3 = fn;
	} else {
		r->version = 0;
		r->classify.v0 = fn0;
	}
	atomic_init(&r->calls, 0);
	atomic_init(&r->contexts, 0);
	b->table->regs[id] = r;
	return r;
}

struct weir_callout_reg *tb_register(struct tb *b, UINT32 id, int version, UINT32 flags)
{
	if (version == 0)
		return tb_register_fn(b, id, NULL, tb_script0, flags);
	return tb_register_fn(b, id, tb_script3, NULL, flags);
}

void tb_unregister(struct tb *b, UINT32 id)
{
	b->table->regs[id] = NULL;
}

/* The snapshot compiler's order: true when filter i goes before filter j. */
static bool before(const struct tb *b, unsigned i, unsigned j)
{
	unsigned si = b->f_sublayer[i], sj = b->f_sublayer[j];

	if (b->sl_weight[si] != b->sl_weight[sj])
		return b->sl_weight[si] > b->sl_weight[sj];
	if (si != sj)
		return si < sj;
	if (b->f[i].weight != b->f[j].weight)
		return b->f[i].weight > b->f[j].weight;
	return b->f[i].rt.filterId < b->f[j].rt.filterId;
}

const struct weir_snapshot *tb_build(struct tb *b)
{
	struct weir_layer_policy *lp = &b->policy.layers[TB_LAYER];
	unsigned idx[TB_MAX_FILTERS];
	unsigned i, j, n = b->nf;

	for (i = 0; i < n; i++)
		idx[i] = i;
	/* insertion sort: stable and plain */
	for (i = 1; i < n; i++) {
		unsigned x = idx[i];

		for (j = i; j > 0 && before(b, x, idx[j - 1]); j--)
			idx[j] = idx[j - 1];
		idx[j] = x;
	}
	lp->n_filters = n;
	lp->filters = b->order;
	lp->sublayers = b->rules;
	lp->n_sublayers = 0;
	for (i = 0; i < n; i++) {
		b->order[i] = &b->f[idx[i]];
		if (i == 0 || b->f_sublayer[idx[i]] != b->f_sublayer[idx[i - 1]]) {
			struct weir_sublayer_rules *r = &b->rules[lp->n_sublayers++];

			r->weight = b->sl_weight[b->f_sublayer[idx[i]]];
			r->first = i;
			r->count = 0;
		}
		b->rules[lp->n_sublayers - 1].count++;
	}
	return &b->snap;
}

void tb_pkt_init(struct tb_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->in.layerId = 0;
	p->in.valueCount = TB_NFIELDS;
	p->in.incomingValue = p->v;
}

void tb_pkt_u8(struct tb_pkt *p, unsigned field, UINT8 x)
{
	p->v[field].value.type = FWP_UINT8;
	p->v[field].value.uint8 = x;
}

void tb_pkt_u16(struct tb_pkt *p, unsigned field, UINT16 x)
{
	p->v[field].value.type = FWP_UINT16;
	p->v[field].value.uint16 = x;
}

void tb_pkt_u32(struct tb_pkt *p, unsigned field, UINT32 x)
{
	p->v[field].value.type = FWP_UINT32;
	p->v[field].value.uint32 = x;
}

static void script(const void *layerData, const void *classifyContext, const FWPS_FILTER3 *f,
                   UINT64 flowContext, FWPS_CLASSIFY_OUT0 *out)
{
	UINT64 ctx = f->context;

	if (tb_nlog < TB_MAX_LOG) {
		struct tb_call *c = &tb_log[tb_nlog];

		c->calloutId = f->action.calloutId;
		c->filterId = f->filterId;
		c->action_in = out->actionType;
		c->rights_in = out->rights;
		c->out_filter_in = out->filterId;
		c->flags_in = out->flags;
		c->flow_context = flowContext;
		c->layer_data = layerData;
		c->classify_context = classifyContext;
	}
	tb_nlog++;
	if ((UINT32)ctx)
		out->actionType = (UINT32)ctx;
	if (ctx & SCRIPT_CLEAR)
		out->rights &= ~(UINT32)FWPS_RIGHT_ACTION_WRITE;
	if (ctx & SCRIPT_ABSORB)
		out->flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
	if (ctx & SCRIPT_CTX)
		out->outContext = f->filterId * 100;
}

void tb_script3(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                void *layerData, const void *classifyContext, const FWPS_FILTER3 *filter,
                UINT64 flowContext, FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)meta;
	script(layerData, classifyContext, filter, flowContext, out);
}

void tb_script0(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                void *layerData, const FWPS_FILTER0 *filter, UINT64 flowContext,
                FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)meta;
	/* FILTER0..3 share one layout (fwpsk.h) */
	script(layerData, NULL, (const FWPS_FILTER3 *)filter, flowContext, out);
}

void tb_classify(const struct weir_snapshot *s, struct tb_pkt *p, const struct weir_flow_ops *flow,
                 struct weir_classify_result *res, struct weir_trace *t,
                 struct weir_explain_entry *buf, uint32_t cap)
{
	FWPS_INCOMING_METADATA_VALUES0 meta;

	memset(&meta, 0, sizeof(meta));
	t->n = 0xdead; /* the classifier must reset it */
	t->cap = cap;
	t->e = buf;
	weir_classify_reference(s, TB_LAYER, &p->in, &meta, NULL, NULL, flow, res, t);
}
