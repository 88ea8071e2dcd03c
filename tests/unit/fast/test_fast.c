/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier against the reference: random policies (every match
 * type, OR groups, sublayers, weights, scripted callouts incl. CONTINUE,
 * absorb and unregistered ones) x random packets, and the ClassBench 1k sets
 * against their traces with a first-match oracle. Needs the EAL (--no-huge).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "../classify/harness.h"
#include "classify/fast.h"
#include "mgmt/engine.h"
#include <weir/fwpmk.h>
#include <weir/fwpmguid.h>

#define LAYER WEIR_LAYER_INBOUND_TRANSPORT_V4
#define NFIELDS 8 /* 0 u8, 1-2 u32, 3-4 u16, 5 v6, 6 u64, 7 u32 */
#define MAXC 8
#define MAXSL 300    /* sublayers a test policy may have */
#define NCALLOUTS 12 /* 0..7 registered, 8..11 not */

/* Backing store of one condition's value. */
struct cstore {
	FWP_V4_ADDR_AND_MASK v4;
	FWP_V6_ADDR_AND_MASK v6;
	FWP_RANGE0 rg;
	FWP_BYTE_ARRAY16 a16, lo16, hi16;
	UINT64 u64, u64hi;
};

struct pol {
	unsigned nf, nsl;
	struct weir_filter *f;
	FWPS_FILTER_CONDITION0 *conds;
	struct cstore *cs;
	UINT64 *wstore;
	unsigned *fsl;
	UINT16 slw[MAXSL];
	struct weir_sublayer sls[MAXSL];
	struct weir_filter **order;
	struct weir_sublayer_rules *rules;
	struct weir_policy *policy;
	struct weir_snapshot snap;
};

static struct tb *cb; /* the callout table (harness) */
static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned rn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static struct pol *pol_new(unsigned nf, FWP_ACTION_TYPE deflt)
{
	struct pol *p = calloc(1, sizeof(*p));

	p->f = calloc(nf, sizeof(*p->f));
	p->conds = calloc((size_t)nf * MAXC, sizeof(*p->conds));
	p->cs = calloc((size_t)nf * MAXC, sizeof(*p->cs));
	p->wstore = calloc(nf, sizeof(*p->wstore));
	p->fsl = calloc(nf, sizeof(*p->fsl));
	p->order = calloc(nf, sizeof(*p->order));
	p->rules = calloc(nf, sizeof(*p->rules));
	p->policy = calloc(1, sizeof(*p->policy));
	assert_non_null(p->rules);
	p->policy->layers[LAYER].default_action = deflt;
	p->snap.policy = p->policy;
	p->snap.callouts = cb->table;
	p->snap.generation = 1;
	return p;
}

static void pol_free(struct pol *p)
{
	weir_fast_free(p->policy->layers[LAYER].fast);
	free(p->f);
	free(p->conds);
	free(p->cs);
	free(p->wstore);
	free(p->fsl);
	free(p->order);
	free(p->rules);
	free(p->policy);
	free(p);
}

static struct weir_filter *pol_filter(struct pol *p, unsigned sl, UINT64 weight,
                                      FWP_ACTION_TYPE type, UINT32 calloutId, UINT16 flags,
                                      UINT64 context)
{
	unsigned i = p->nf++;
	struct weir_filter *f = &p->f[i];

	p->fsl[i] = sl;
	p->wstore[i] = weight;
	f->weight = weight;
	f->layer = LAYER;
	f->callout_id = (type & FWP_ACTION_FLAG_CALLOUT) ? calloutId : 0;
	f->m.filterId = i + 1;
	f->rt.filterId = i + 1;
	f->rt.weight.type = FWP_UINT64;
	f->rt.weight.uint64 = &p->wstore[i];
	f->rt.subLayerWeight = p->slw[sl];
	f->rt.flags = flags;
	f->rt.filterCondition = &p->conds[(size_t)i * MAXC];
	f->rt.action.type = type;
	f->rt.action.calloutId = f->callout_id;
	f->rt.context = context;
	return f;
}

static FWPS_FILTER_CONDITION0 *pol_cond(struct pol *p, struct weir_filter *f, UINT16 field,
                                        FWP_MATCH_TYPE mt, struct cstore **cs)
{
	size_t i = (size_t)(f - p->f);
	FWPS_FILTER_CONDITION0 *c = &f->rt.filterCondition[f->rt.numFilterConditions];

	*cs = &p->cs[i * MAXC + f->rt.numFilterConditions];
	f->rt.numFilterConditions++;
	c->fieldId = field;
	c->matchType = mt;
	return c;
}

static const struct pol *cmp_pol;

static int cmp_idx(const void *a, const void *b)
{
	unsigned i = *(const unsigned *)a, j = *(const unsigned *)b;
	const struct pol *p = cmp_pol;
	unsigned si = p->fsl[i], sj = p->fsl[j];

	if (p->slw[si] != p->slw[sj])
		return p->slw[si] > p->slw[sj] ? -1 : 1;
	if (si != sj)
		return si < sj ? -1 : 1;
	if (p->f[i].weight != p->f[j].weight)
		return p->f[i].weight > p->f[j].weight ? -1 : 1;
	return p->f[i].rt.filterId < p->f[j].rt.filterId ? -1 : 1;
}

/* Order like the snapshot compiler, then compile the fast classifier. */
static int pol_build(struct pol *p)
{
	struct weir_layer_policy *lp = &p->policy->layers[LAYER];
	unsigned *idx = calloc(p->nf + 1, sizeof(*idx));
	unsigned i;

	for (i = 0; i < MAXSL; i++) {
		p->sls[i].weight = p->slw[i];
		p->sls[i].ordinal = i;
	}
	for (i = 0; i < p->nf; i++) {
		idx[i] = i;
		p->f[i].sublayer = &p->sls[p->fsl[i]];
	}
	cmp_pol = p;
	qsort(idx, p->nf, sizeof(*idx), cmp_idx);
	lp->n_filters = p->nf;
	lp->filters = p->order;
	lp->sublayers = p->rules;
	lp->n_sublayers = 0;
	for (i = 0; i < p->nf; i++) {
		p->order[i] = &p->f[idx[i]];
		if (i == 0 || p->fsl[idx[i]] != p->fsl[idx[i - 1]]) {
			struct weir_sublayer_rules *r = &p->rules[lp->n_sublayers++];

			r->weight = p->slw[p->fsl[idx[i]]];
			r->first = i;
			r->count = 0;
		}
		p->rules[lp->n_sublayers - 1].count++;
	}
	free(idx);
	return weir_fast_build(lp, LAYER);
}

/* ---- random values drawn from small pools so that conditions often hit ---- */

static const UINT8 protos[] = {0, 1, 6, 17, 47, 255};
static const UINT16 ports[] = {0, 1, 53, 80, 443, 1024, 8080, 65534, 65535};
static const UINT32 nets[] = {0x0A000000, 0x0A010000, 0xC0A80100, 0xC0A80180, 0, 0xFFFFFFFF};
static const UINT8 v6base[3][16] = {
    {0x20, 0x01, 0x0d, 0xb8},
    {0x20, 0x01, 0x0d, 0xb8, 0x80},
    {0xfe, 0x80},
};

static UINT8 r_u8(void)
{
	return rn(4) ? protos[rn(sizeof(protos))] : (UINT8)rnd();
}

static UINT16 r_u16(void)
{
	UINT16 v = ports[rn(sizeof(ports) / sizeof(ports[0]))];

	return rn(4) ? v : (UINT16)(v + rn(5) - 2);
}

static UINT32 r_u32(void)
{
	UINT32 v = nets[rn(sizeof(nets) / sizeof(nets[0]))];

	switch (rn(4)) {
	case 0:
		return v;
	case 1:
		return v | rn(256);
	case 2:
		return v | (UINT32)rn(1 << 16);
	default:
		return (UINT32)rnd();
	}
}

static void r_v6(UINT8 a[16])
{
	unsigned i;

	memcpy(a, v6base[rn(3)], 16);
	for (i = 6 + rn(10); i < 16; i++)
		a[i] = (UINT8)(rn(3) ? 0 : rnd());
}

static const FWP_MATCH_TYPE scalar_mt[] = {
    FWP_MATCH_EQUAL,          FWP_MATCH_GREATER,
    FWP_MATCH_LESS,           FWP_MATCH_GREATER_OR_EQUAL,
    FWP_MATCH_LESS_OR_EQUAL,  FWP_MATCH_NOT_EQUAL,
    FWP_MATCH_FLAGS_ALL_SET,  FWP_MATCH_FLAGS_ANY_SET,
    FWP_MATCH_FLAGS_NONE_SET,
};

static void set_scalar(FWP_CONDITION_VALUE0 *cv, FWP_DATA_TYPE t, UINT64 x, struct cstore *cs)
{
	cv->type = t;
	if (t == FWP_UINT8)
		cv->uint8 = (UINT8)x;
	else if (t == FWP_UINT16)
		cv->uint16 = (UINT16)x;
	else if (t == FWP_UINT32)
		cv->uint32 = (UINT32)x;
	else {
		cs->u64 = x;
		cv->uint64 = &cs->u64;
	}
}

static void set_rvalue(FWP_VALUE0 *v, FWP_DATA_TYPE t, UINT64 x, UINT64 *store)
{
	v->type = t;
	if (t == FWP_UINT8)
		v->uint8 = (UINT8)x;
	else if (t == FWP_UINT16)
		v->uint16 = (UINT16)x;
	else if (t == FWP_UINT32)
		v->uint32 = (UINT32)x;
	else {
		*store = x;
		v->uint64 = store;
	}
}

static UINT64 r_of(FWP_DATA_TYPE t)
{
	return t == FWP_UINT8    ? r_u8()
	       : t == FWP_UINT16 ? r_u16()
	       : t == FWP_UINT32 ? r_u32()
	                         : rnd() % 8;
}

static FWP_DATA_TYPE field_type(unsigned field)
{
	static const FWP_DATA_TYPE t[NFIELDS] = {FWP_UINT8,  FWP_UINT32, FWP_UINT32,
	                                         FWP_UINT16, FWP_UINT16, FWP_BYTE_ARRAY16_TYPE,
	                                         FWP_UINT64, FWP_UINT32};

	return field < NFIELDS ? t[field] : FWP_UINT32;
}

/* One random condition on @p field. */
static void r_cond(struct pol *p, struct weir_filter *f, unsigned field)
{
	FWP_DATA_TYPE t = field_type(field);
	struct cstore *cs;
	FWPS_FILTER_CONDITION0 *c;
	unsigned k = rn(10);

	if (rn(25) == 0) /* a value type the field does not have: never matches */
		t = t == FWP_UINT16 ? FWP_UINT32 : FWP_UINT16;
	if (t == FWP_BYTE_ARRAY16_TYPE) {
		if (k < 6) {
			c = pol_cond(p, f, field,
			             k < 4    ? FWP_MATCH_EQUAL
			             : k == 4 ? FWP_MATCH_PREFIX
			                      : FWP_MATCH_NOT_PREFIX,
			             &cs);
			r_v6(cs->v6.addr);
			cs->v6.prefixLength = (UINT8)(rn(3) ? rn(131) : 128);
			c->conditionValue.type = FWP_V6_ADDR_MASK;
			c->conditionValue.v6AddrMask = &cs->v6;
		} else if (k < 8) {
			c = pol_cond(p, f, field, k == 6 ? FWP_MATCH_EQUAL : FWP_MATCH_GREATER,
			             &cs);
			r_v6(cs->a16.byteArray16);
			c->conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
			c->conditionValue.byteArray16 = &cs->a16;
		} else {
			c = pol_cond(p, f, field, FWP_MATCH_RANGE, &cs);
			r_v6(cs->lo16.byteArray16);
			memcpy(&cs->hi16, &cs->lo16, 16);
			cs->hi16.byteArray16[15] = 0xFF;
			cs->rg.valueLow.type = cs->rg.valueHigh.type = FWP_BYTE_ARRAY16_TYPE;
			cs->rg.valueLow.byteArray16 = &cs->lo16;
			cs->rg.valueHigh.byteArray16 = &cs->hi16;
			c->conditionValue.type = FWP_RANGE_TYPE;
			c->conditionValue.rangeValue = &cs->rg;
		}
		return;
	}
	if (t == FWP_UINT32 && k < 4) {
		unsigned len = rn(33);

		c = pol_cond(p, f, field,
		             k < 2    ? FWP_MATCH_EQUAL
		             : k == 2 ? FWP_MATCH_PREFIX
		                      : FWP_MATCH_NOT_PREFIX,
		             &cs);
		cs->v4.addr = r_u32();
		cs->v4.mask = len ? 0xFFFFFFFFu << (32 - len) : 0;
		if (rn(10) == 0)
			cs->v4.mask = (UINT32)rnd(); /* not a prefix */
		c->conditionValue.type = FWP_V4_ADDR_MASK;
		c->conditionValue.v4AddrMask = &cs->v4;
		return;
	}
	if (k < 3) {
		UINT64 a = r_of(t), b = r_of(t);

		c = pol_cond(p, f, field, FWP_MATCH_RANGE, &cs);
		if (a > b && rn(8))
			a ^= b, b ^= a, a ^= b;
		set_rvalue(&cs->rg.valueLow, t, a, &cs->u64);
		set_rvalue(&cs->rg.valueHigh, t, b, &cs->u64hi);
		c->conditionValue.type = FWP_RANGE_TYPE;
		c->conditionValue.rangeValue = &cs->rg;
		return;
	}
	c = pol_cond(p, f, field, scalar_mt[rn(k < 6 ? 5 : 9)], &cs);
	set_scalar(&c->conditionValue, t, r_of(t), cs);
}

/* Scripted callout answers (harness.h): what filter->context says. */
static UINT64 r_script(void)
{
	static const UINT64 a[] = {
	    0,
	    FWP_ACTION_PERMIT,
	    FWP_ACTION_BLOCK,
	    FWP_ACTION_CONTINUE,
	    FWP_ACTION_CONTINUE,
	    FWP_ACTION_NONE,
	    FWP_ACTION_NONE_NO_MATCH,
	    FWP_ACTION_BLOCK | SCRIPT_ABSORB,
	    FWP_ACTION_PERMIT | SCRIPT_CLEAR,
	    FWP_ACTION_PERMIT | SCRIPT_ABSORB,
	    0x1234,
	};

	return a[rn(sizeof(a) / sizeof(a[0]))] | (rn(2) ? SCRIPT_CTX : 0);
}

/* Policies of exact static filters only (what weir_fast_decide settles). */
static bool r_static;

/* One random filter in a random sublayer of @p p; @p id: its filterId (0: its index + 1). */
static void r_add_filter(struct pol *p, UINT64 id)
{
	static const FWP_ACTION_TYPE acts[] = {
	    FWP_ACTION_PERMIT,
	    FWP_ACTION_BLOCK,
	    FWP_ACTION_CALLOUT_TERMINATING,
	    FWP_ACTION_CALLOUT_INSPECTION,
	    FWP_ACTION_CALLOUT_UNKNOWN,
	    FWP_ACTION_CALLOUT_INSPECTION,
	};
	FWP_ACTION_TYPE a = r_static ? (rn(2) ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK)
	                             : acts[rn(sizeof(acts) / sizeof(acts[0]))];
	UINT16 flags = (UINT16)rn(4); /* CLEAR_ACTION_RIGHT | PERMIT_IF_CALLOUT_UNREGISTERED */
	struct weir_filter *f =
	    pol_filter(p, rn(p->nsl), rn(6), a, rn(NCALLOUTS), flags, r_script());
	bool used[NFIELDS + 2] = {false};
	unsigned nc = rn(5), j;

	if (id) {
		f->m.filterId = id;
		f->rt.filterId = id;
	}
	for (j = 0; j < nc && f->rt.numFilterConditions < MAXC - 2; j++) {
		unsigned field = rn(30) == 0 ? NFIELDS + 1 : rn(NFIELDS);
		unsigned g = rn(4) == 0 ? 1 + rn(3) : 1; /* OR group */

		if (r_static) {
			if (field >= NFIELDS || used[field])
				continue;
			used[field] = true;
			g = 1;
		}
		while (g-- > 0)
			r_cond(p, f, field);
	}
}

static struct pol *r_policy(unsigned nf, unsigned nsl)
{
	struct pol *p = pol_new(nf, rn(2) ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK);
	unsigned i;

	p->nsl = nsl;
	for (i = 0; i < nsl; i++)
		p->slw[i] = (UINT16)rn(4); /* equal weights: insertion order */
	for (i = 0; i < nf; i++)
		r_add_filter(p, 0);
	return p;
}

struct r_pkt {
	FWPS_INCOMING_VALUE0 v[NFIELDS];
	FWPS_INCOMING_VALUES0 in;
	UINT64 u64;
	FWP_BYTE_ARRAY16 a16;
};

static void r_packet(struct r_pkt *k)
{
	unsigned i;

	memset(k, 0, sizeof(*k));
	k->in.valueCount = NFIELDS;
	k->in.incomingValue = k->v;
	for (i = 0; i < NFIELDS; i++) {
		FWP_VALUE0 *v = &k->v[i].value;
		FWP_DATA_TYPE t = field_type(i);

		if (rn(10) == 0)
			continue; /* FWP_EMPTY */
		if (rn(40) == 0)
			t = t == FWP_UINT16 ? FWP_UINT32 : FWP_UINT16; /* mistyped */
		if (t == FWP_BYTE_ARRAY16_TYPE) {
			r_v6(k->a16.byteArray16);
			v->type = t;
			v->byteArray16 = &k->a16;
		} else {
			set_rvalue(v, t, r_of(t), &k->u64);
		}
	}
}

static bool has_ctx(void *flow, UINT32 id, UINT64 *ctx)
{
	(void)flow;
	*ctx = 1000 + id;
	return id % 3 == 0;
}

struct run {
	uint64_t hits; /* checksum of the filters' hit counts added by the run */
	struct weir_classify_result res;
	struct weir_explain_entry e[64];
	struct weir_trace t;
	unsigned nlog;
	struct tb_call log[TB_MAX_LOG];
};

static uint64_t hits_sum(const struct pol *p)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < p->nf; i++)
		n += weir_filter_hits(&p->f[i]) * (i + 1);
	return n;
}

/* fast: 0 reference, 1 fast with a trace, 2 fast without (may settle on the spot) */
static void run_one(const struct pol *p, const FWPS_INCOMING_VALUES0 *in, int fast, struct run *r)
{
	static const struct weir_flow_ops flow = {.get_context = has_ctx};
	FWPS_INCOMING_METADATA_VALUES0 meta;
	uint64_t h0 = hits_sum(p);

	memset(&meta, 0, sizeof(meta));
	memset(r, 0, sizeof(*r));
	r->t.cap = 64;
	r->t.e = r->e;
	tb_log_reset();
	if (fast)
		weir_classify_fast(&p->snap, LAYER, in, &meta, NULL, NULL, &flow, &r->res,
		                   fast == 1 ? &r->t : NULL);
	else
		weir_classify_reference(&p->snap, LAYER, in, &meta, NULL, NULL, &flow, &r->res,
		                        &r->t);
	r->hits = hits_sum(p) - h0;
	r->nlog = tb_nlog;
	memcpy(r->log, tb_log, sizeof(r->log));
}

/* Same verdict, counters and classifyFn calls; the trace too when @p b has one. */
static void same(const struct run *a, const struct run *b)
{
	unsigned i;

	assert_int_equal(a->hits, b->hits);
	assert_int_equal(a->res.action, b->res.action);
	assert_int_equal(a->res.filterId, b->res.filterId);
	assert_int_equal(a->res.absorbed, b->res.absorbed);
	assert_int_equal(a->res.veto, b->res.veto);
	assert_int_equal(a->res.by_default, b->res.by_default);
	assert_int_equal(a->res.rights, b->res.rights);
	assert_int_equal(a->res.outContext, b->res.outContext);
	if (b->t.e == NULL || b->t.cap == 0)
		goto calls;
	assert_int_equal(a->t.n, b->t.n);
	for (i = 0; i < a->t.n && i < a->t.cap; i++) {
		assert_int_equal(a->e[i].filterId, b->e[i].filterId);
		assert_int_equal(a->e[i].result, b->e[i].result);
		assert_int_equal(a->e[i].effect, b->e[i].effect);
	}
calls:
	assert_int_equal(a->nlog, b->nlog);
	for (i = 0; i < a->nlog && i < TB_MAX_LOG; i++) {
		assert_int_equal(a->log[i].filterId, b->log[i].filterId);
		assert_int_equal(a->log[i].action_in, b->log[i].action_in);
		assert_int_equal(a->log[i].rights_in, b->log[i].rights_in);
		assert_int_equal(a->log[i].flow_context, b->log[i].flow_context);
	}
}

/* The reference, the fast classifier with a trace and without: all the same. */
static void compare(const struct pol *p, const FWPS_INCOMING_VALUES0 *in)
{
	struct run a, b;

	run_one(p, in, 0, &a);
	run_one(p, in, 1, &b);
	same(&a, &b);
	run_one(p, in, 2, &b);
	b.t.e = NULL;
	same(&a, &b);
}

static void random_round(unsigned nf, unsigned nsl, unsigned npkts)
{
	struct pol *p = r_policy(nf, nsl);
	struct r_pkt k;
	unsigned i;

	assert_int_equal(pol_build(p), 0);
	assert_non_null(p->policy->layers[LAYER].fast);
	for (i = 0; i < npkts; i++) {
		r_packet(&k);
		compare(p, &k.in);
	}
	pol_free(p);
}

static void test_random_small(void **state)
{
	unsigned r;

	(void)state;
	for (r = 0; r < 150; r++)
		random_round(1 + rn(12), 1 + rn(3), 300);
}

static void test_random_many_sublayers(void **state)
{
	unsigned r;

	(void)state;
	/* more than 16 sublayers: several rte_acl contexts */
	for (r = 0; r < 10; r++)
		random_round(100 + rn(200), 17 + rn(20), 2000);
}

static void test_random_sharded(void **state)
{
	unsigned r;

	(void)state;
	/* a layer split into many rte_acl contexts of 7 filters each */
	weir_fast_set_max_rules(7);
	for (r = 0; r < 20; r++)
		random_round(20 + rn(100), 1 + rn(20), 1000);
	weir_fast_set_max_rules(0);
	assert_int_equal(weir_fast_max_rules(), WEIR_FAST_DEFAULT_MAX_RULES);
}

static void test_random_large(void **state)
{
	(void)state;
	random_round(2000, 4, 5000);
}

static void test_random_static(void **state)
{
	unsigned r;

	(void)state;
	/* exact static filters: most packets settled without the incoming values */
	r_static = true;
	for (r = 0; r < 100; r++)
		random_round(1 + rn(40), 1 + rn(3), 300);
	weir_fast_set_max_rules(500);
	random_round(1500, 3, 3000);
	weir_fast_set_max_rules(0);
	r_static = false;
}

/*
 * A base compiled for a random policy, then a commit that deletes @p ndel
 * and adds @p nadd filters (new ids; perhaps in a new sublayer): the view
 * over the old base must classify the new policy exactly.
 */
static void delta_round(unsigned nf, unsigned nsl, unsigned ndel, unsigned nadd, unsigned npkts,
                        bool expect_delta)
{
	struct pol *p0 = r_policy(nf, nsl), *p1;
	const struct weir_fast *v;
	bool *del = calloc(nf + 1, sizeof(*del));
	struct r_pkt k;
	unsigned i, j;

	weir_fast_set_delta(false);
	assert_int_equal(pol_build(p0), 0);
	weir_fast_set_delta(true);
	p1 = pol_new(nf + nadd, p0->policy->layers[LAYER].default_action);
	memcpy(p1->slw, p0->slw, sizeof(p1->slw));
	p1->nsl = nsl + 1 < MAXSL ? nsl + 1 : nsl;
	if (nsl + 1 < MAXSL)
		p1->slw[nsl] = (UINT16)rn(4);
	for (j = 0; j < ndel && j < nf;) {
		i = rn(nf);
		if (!del[i]) {
			del[i] = true;
			j++;
		}
	}
	for (i = 0; i < nf; i++) {
		if (del[i])
			continue;
		p1->f[p1->nf] = p0->f[i];
		atomic_store(&p1->f[p1->nf].hits, 0);
		p1->fsl[p1->nf] = p0->fsl[i];
		p1->wstore[p1->nf] = p0->wstore[i];
		p1->nf++;
	}
	for (i = 0; i < nadd; i++)
		r_add_filter(p1, nf + 1 + i);
	assert_int_equal(pol_build(p1), 0);
	v = p1->policy->layers[LAYER].fast;
	if (p1->nf) {
		assert_non_null(v);
		assert_int_equal(!v->identity, expect_delta && (ndel || nadd));
		if (expect_delta)
			assert_ptr_equal(
			    v->base,
			    ((const struct weir_fast *)p0->policy->layers[LAYER].fast)->base);
	}
	for (i = 0; i < npkts; i++) {
		r_packet(&k);
		compare(p1, &k.in);
	}
	pol_free(p1);
	pol_free(p0);
	free(del);
	weir_fast_set_delta(false);
}

static void test_delta(void **state)
{
	unsigned r;

	(void)state;
	for (r = 0; r < 60; r++)
		delta_round(1 + rn(60), 1 + rn(4), rn(4), rn(6), 300, true);
	/* only deletions (settled on the spot where exact), only additions */
	r_static = true;
	for (r = 0; r < 30; r++)
		delta_round(5 + rn(60), 1 + rn(3), 1 + rn(4), 0, 300, true);
	for (r = 0; r < 30; r++)
		delta_round(5 + rn(60), 1 + rn(3), 0, 1 + rn(4), 300, true);
	r_static = false;
	/* a whole sublayer deleted, many sublayers, a large base */
	delta_round(3, 1, 3, 2, 200, true);
	delta_round(300, 20, 30, 30, 2000, true);
	weir_fast_set_max_rules(200); /* a sharded base */
	delta_round(1200, 4, 100, WEIR_FAST_DELTA_MAX, 2000, true);
	weir_fast_set_max_rules(0);
	/* too big a change: compiled afresh */
	delta_round(100, 2, 0, WEIR_FAST_DELTA_MAX + 1, 500, false);
	delta_round(WEIR_FAST_DELTA_MAX + 10, 2, WEIR_FAST_DELTA_MAX + 1, 0, 500, false);
}

/* A filter through the management API, as an operator adds one. */
static UINT64 api_filter(HANDLE h, UINT32 net, UINT16 port, FWP_ACTION_TYPE act, UINT64 weight)
{
	FWPM_FILTER_CONDITION0 c[2];
	FWP_V4_ADDR_AND_MASK am = {.addr = net, .mask = 0xFFFFFF00u};
	FWPM_FILTER0 f;
	UINT64 id = 0;

	memset(&f, 0, sizeof(f));
	memset(c, 0, sizeof(c));
	c[0].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[0].matchType = FWP_MATCH_EQUAL;
	c[0].conditionValue.type = FWP_V4_ADDR_MASK;
	c[0].conditionValue.v4AddrMask = &am;
	c[1].fieldKey = FWPM_CONDITION_IP_LOCAL_PORT;
	c[1].matchType = FWP_MATCH_EQUAL;
	c[1].conditionValue.type = FWP_UINT16;
	c[1].conditionValue.uint16 = port;
	f.displayData.name = L"t";
	f.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	f.action.type = act;
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = &weight;
	f.numFilterConditions = 2;
	f.filterCondition = c;
	assert_int_equal(FwpmFilterAdd0(h, &f, NULL, &id), STATUS_SUCCESS);
	return id;
}

/* The current snapshot's verdict for remote address @p a, local port @p port. */
static UINT64 api_classify(UINT32 a, UINT16 port, FWP_ACTION_TYPE *act)
{
	FWPS_INCOMING_VALUE0 v[FWPS_FIELD_INBOUND_TRANSPORT_V4_MAX];
	FWPS_INCOMING_VALUES0 in = {.valueCount = FWPS_FIELD_INBOUND_TRANSPORT_V4_MAX,
	                            .incomingValue = v};
	FWPS_INCOMING_METADATA_VALUES0 meta;
	struct weir_classify_result res, ref;
	const struct weir_snapshot *s = weir_snapshot_current();

	memset(v, 0, sizeof(v));
	memset(&meta, 0, sizeof(meta));
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS].value.type = FWP_UINT32;
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS].value.uint32 = a;
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT].value.type = FWP_UINT16;
	v[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT].value.uint16 = port;
	weir_classify_fast(s, LAYER, &in, &meta, NULL, NULL, NULL, &res, NULL);
	weir_classify_reference(s, LAYER, &in, &meta, NULL, NULL, NULL, &ref, NULL);
	assert_int_equal(res.action, ref.action);
	assert_int_equal(res.filterId, ref.filterId);
	*act = res.action;
	return res.filterId;
}

static const struct weir_fast *api_view(void)
{
	return weir_snapshot_current()->policy->layers[LAYER].fast;
}

/*
 * Through the engine: a commit of one filter over a compiled layer is a
 * delta over the same base, visible at once; the background builder then
 * swaps in a fresh base with the same generation; deletions likewise.
 */
static void test_delta_engine(void **state)
{
	FWPM_SESSION0 ses = {.flags = FWPM_SESSION_FLAG_DYNAMIC};
	const struct weir_fast_base *b0;
	FWP_ACTION_TYPE act;
	UINT64 x, gen;
	HANDLE h;
	UINT32 i;

	(void)state;
	weir_fast_set_delta(true);
	assert_int_equal(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &ses, &h), STATUS_SUCCESS);
	assert_int_equal(FwpmTransactionBegin0(h, 0), STATUS_SUCCESS);
	for (i = 0; i < 300; i++)
		api_filter(h, 0x0A000000u + (i << 8), (UINT16)(1000 + i), FWP_ACTION_PERMIT, 10);
	assert_int_equal(FwpmTransactionCommit0(h), STATUS_SUCCESS);
	weir_fast_sync();
	assert_non_null(api_view());
	b0 = api_view()->base;
	assert_true(api_view()->identity);
	assert_int_equal(api_classify(0x0A000507u, 1005, &act) != 0, 1);
	assert_int_equal(act, FWP_ACTION_PERMIT);

	/* one BLOCK above everything: a delta over b0, decisive at once */
	weir_fast_hold(true); /* look at the delta before the compile replaces it */
	x = api_filter(h, 0x0A000500u, 1005, FWP_ACTION_BLOCK, 1000);
	assert_ptr_equal(api_view()->base, b0);
	assert_int_equal(api_view()->n_added, 1);
	assert_int_equal(api_classify(0x0A000507u, 1005, &act), x);
	assert_int_equal(act, FWP_ACTION_BLOCK);
	gen = weir_policy_generation();

	/* the background compile: a new base, same generation, same verdicts */
	weir_fast_hold(false);
	weir_fast_sync();
	assert_true(api_view()->identity);
	assert_ptr_not_equal(api_view()->base, b0);
	assert_int_equal(weir_policy_generation(), gen);
	assert_int_equal(api_classify(0x0A000507u, 1005, &act), x);
	assert_int_equal(act, FWP_ACTION_BLOCK);

	/* deleted: a tombstone until the next compile */
	b0 = api_view()->base;
	weir_fast_hold(true);
	assert_int_equal(FwpmFilterDeleteById0(h, x), STATUS_SUCCESS);
	assert_ptr_equal(api_view()->base, b0);
	assert_int_equal(api_view()->n_gone, 1);
	assert_int_not_equal(api_classify(0x0A000507u, 1005, &act), x);
	assert_int_equal(act, FWP_ACTION_PERMIT);
	weir_fast_hold(false);
	weir_fast_sync();
	assert_true(api_view()->identity);
	assert_int_not_equal(api_classify(0x0A000507u, 1005, &act), x);
	assert_true(weir_fast_background_builds() >= 2);

	assert_int_equal(FwpmEngineClose0(h), STATUS_SUCCESS);
	weir_fast_sync();
	assert_null(api_view()); /* the dynamic session's filters are gone */
	weir_fast_set_delta(false);
}

/* A transaction of @p n filters /24 10.<i>.x, local port 1000 + i, from @p first. */
static void api_filters(HANDLE h, UINT32 first, UINT32 n)
{
	UINT32 i;

	assert_int_equal(FwpmTransactionBegin0(h, 0), STATUS_SUCCESS);
	for (i = first; i < first + n; i++)
		api_filter(h, 0x0A000000u + (i << 8), (UINT16)(1000 + i), FWP_ACTION_PERMIT, 10);
	assert_int_equal(FwpmTransactionCommit0(h), STATUS_SUCCESS);
}

/*
 * The background builder works from its job alone: it compiles while this
 * thread holds the engine lock, and its result waits for a drain. A result
 * overtaken by a commit too big for a delta over it is dropped.
 */
static void test_builder_job(void **state)
{
	FWPM_SESSION0 ses = {.flags = FWPM_SESSION_FLAG_DYNAMIC};
	const struct weir_fast_base *b0, *b1;
	FWP_ACTION_TYPE act;
	UINT64 x, n0;
	HANDLE h;
	int w;

	(void)state;
	weir_fast_set_delta(true);
	assert_int_equal(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &ses, &h), STATUS_SUCCESS);
	api_filters(h, 0, 300);
	weir_fast_sync();
	b0 = api_view()->base;
	assert_true(api_view()->identity);

	/* the commit leaves a delta; a drain queues its job (held) */
	weir_fast_hold(true);
	x = api_filter(h, 0x0A000500u, 1005, FWP_ACTION_BLOCK, 1000);
	assert_int_equal(api_view()->n_added, 1);
	weir_fast_drain();
	n0 = weir_fast_background_builds();
	pthread_mutex_lock(&weir_eng.lock);
	weir_fast_hold(false);
	for (w = 0; w < 30000 && weir_fast_background_builds() == n0; w++)
		usleep(1000);
	assert_true(weir_fast_background_builds() > n0); /* compiled under our lock */
	assert_ptr_equal(api_view()->base, b0);          /* installed by a drain only */
	pthread_mutex_unlock(&weir_eng.lock);
	weir_fast_drain();
	assert_true(api_view()->identity);
	assert_ptr_not_equal(api_view()->base, b0);
	assert_int_equal(api_classify(0x0A000507u, 1005, &act), x);
	assert_int_equal(act, FWP_ACTION_BLOCK);

	/* a job queued, then a commit compiled afresh: the job's result is dropped */
	weir_fast_hold(true);
	assert_int_equal(FwpmFilterDeleteById0(h, x), STATUS_SUCCESS);
	assert_int_equal(api_view()->n_gone, 1);
	weir_fast_drain();
	api_filters(h, 300, WEIR_FAST_DELTA_MAX + 1);
	b1 = api_view()->base;
	assert_true(api_view()->identity);
	weir_fast_hold(false);
	weir_fast_sync();
	assert_ptr_equal(api_view()->base, b1);
	assert_true(api_view()->identity);
	assert_int_not_equal(api_classify(0x0A000507u, 1005, &act), x);
	assert_int_equal(act, FWP_ACTION_PERMIT);

	assert_int_equal(FwpmEngineClose0(h), STATUS_SUCCESS);
	weir_fast_sync();
	assert_null(api_view());
	weir_fast_set_delta(false);
}

/* Shards that grow while their compile stays cheap: fewer contexts, same results. */
static void grow_round(unsigned nf, unsigned nsl)
{
	const struct weir_fast *v;
	struct r_pkt k;
	struct pol *p;
	unsigned i;

	p = r_policy(nf, nsl);
	assert_int_equal(pol_build(p), 0);
	v = p->policy->layers[LAYER].fast;
	assert_non_null(v);
	assert_true(v->base->n_ctx < nf / 16); /* planned: one per 16 filters */
	for (i = 0; i + 1 < v->base->n_ctx; i++)
		if (v->base->ctx[i].first_sl == v->base->ctx[i + 1].first_sl)
			assert_int_equal(v->base->ctx[i].hi, v->base->ctx[i + 1].lo);
	for (i = 0; i < 3000; i++) {
		r_packet(&k);
		compare(p, &k.in);
	}
	pol_free(p);
}

static void test_grow(void **state)
{
	(void)state;
	r_static = true;
	weir_fast_set_max_rules(16);
	weir_fast_set_grow(true);
	grow_round(600, 2);
	grow_round(600, 20); /* two sublayer groups: no shard spans both */
	weir_fast_set_grow(false);
	weir_fast_set_max_rules(0);
	r_static = false;
}

/*
 * More sublayers than a view holds, reached by a commit small enough for a
 * delta (252 filters in 252 new sublayers over a compiled 5): no fast
 * classifier, the reference decides.
 */
static void test_too_many_sublayers(void **state)
{
	const unsigned nsl0 = 5, nadd = WEIR_FAST_MAX_SUBLAYERS + 1 - nsl0 + 1;
	struct pol *p0 = r_policy(20, nsl0), *p1;
	struct r_pkt k;
	unsigned i;

	(void)state;
	assert_true(nadd <= WEIR_FAST_DELTA_MAX);
	assert_int_equal(pol_build(p0), 0);
	weir_fast_set_delta(true);
	p1 = pol_new(20 + nadd, FWP_ACTION_BLOCK);
	p1->nsl = nsl0 + nadd;
	for (i = 0; i < p1->nsl; i++)
		p1->slw[i] = i < nsl0 ? p0->slw[i] : (UINT16)rn(4);
	for (i = 0; i < p0->nf; i++) {
		p1->f[p1->nf] = p0->f[i];
		p1->fsl[p1->nf] = p0->fsl[i];
		p1->wstore[p1->nf] = p0->wstore[i];
		p1->nf++;
	}
	for (i = 0; i < nadd; i++) {
		struct weir_filter *f = pol_filter(
		    p1, nsl0 + i, rn(6), rn(2) ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK, 0, 0, 0);

		f->m.filterId = f->rt.filterId = 1000 + i;
		r_cond(p1, f, rn(NFIELDS));
	}
	assert_int_equal(pol_build(p1), -ENOSPC);
	assert_null(p1->policy->layers[LAYER].fast);
	for (i = 0; i < 500; i++) {
		r_packet(&k);
		compare(p1, &k.in);
	}
	pol_free(p1);
	pol_free(p0);
	weir_fast_set_delta(false);
}

static void test_disabled_and_empty(void **state)
{
	struct pol *p = pol_new(1, FWP_ACTION_BLOCK);

	(void)state;
	assert_int_equal(pol_build(p), 0); /* no filters: nothing to build */
	assert_null(p->policy->layers[LAYER].fast);
	pol_free(p);
	weir_fast_enable(false);
	p = r_policy(10, 2);
	assert_int_equal(pol_build(p), 0);
	assert_null(p->policy->layers[LAYER].fast);
	pol_free(p);
	weir_fast_enable(true);
	weir_fast_free(NULL);
}

static void test_max_size(void **state)
{
	struct pol *p = r_policy(3000, 2);
	struct r_pkt k;
	struct run a, b;

	(void)state;
	weir_fast_set_max_size(4096);
	assert_int_equal(pol_build(p), -ENOSPC);
	assert_null(p->policy->layers[LAYER].fast);
	weir_fast_set_max_size(0);
	assert_int_equal(weir_fast_max_size(), WEIR_FAST_DEFAULT_MAX_SIZE);
	/* without a compiled classifier it is the reference */
	r_packet(&k);
	run_one(p, &k.in, false, &a);
	run_one(p, &k.in, true, &b);
	same(&a, &b);
	pol_free(p);
}

/* ---- ClassBench ---- */

struct cb_rule {
	UINT32 src, smask, dst, dmask;
	UINT16 sp_lo, sp_hi, dp_lo, dp_hi;
	UINT8 proto, pmask;
	FWP_ACTION_TYPE action;
};

static char *data_path(const char *name)
{
	const char *root = getenv("WEIR_SOURCE_ROOT");
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/../shared/data/classbench/%s", root ? root : ".", name);
	return buf;
}

static UINT32 len_mask(unsigned len)
{
	return len ? 0xFFFFFFFFu << (32 - len) : 0;
}

static unsigned cb_load(const char *name, struct cb_rule **out)
{
	FILE *fp = fopen(data_path(name), "r");
	unsigned a[4], b[4], sl, dl, n = 0, cap = 0;
	unsigned s0, s1, d0, d1, pr, pm;
	struct cb_rule *r = NULL;
	char line[512];

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "@%u.%u.%u.%u/%u %u.%u.%u.%u/%u %u : %u %u : %u %x/%x", &a[0],
		           &a[1], &a[2], &a[3], &sl, &b[0], &b[1], &b[2], &b[3], &dl, &s0, &s1, &d0,
		           &d1, &pr, &pm) != 16)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			r = realloc(r, cap * sizeof(*r));
		}
		r[n].src = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
		r[n].smask = len_mask(sl);
		r[n].dst = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
		r[n].dmask = len_mask(dl);
		r[n].sp_lo = (UINT16)s0, r[n].sp_hi = (UINT16)s1;
		r[n].dp_lo = (UINT16)d0, r[n].dp_hi = (UINT16)d1;
		r[n].proto = (UINT8)pr, r[n].pmask = (UINT8)pm;
		r[n].action = rn(2) ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
		n++;
	}
	fclose(fp);
	*out = r;
	return n;
}

static void port_cond(struct pol *p, struct weir_filter *f, unsigned field, UINT16 lo, UINT16 hi)
{
	struct cstore *cs;
	FWPS_FILTER_CONDITION0 *c;

	if (lo == 0 && hi == 65535)
		return;
	if (lo == hi) {
		c = pol_cond(p, f, field, FWP_MATCH_EQUAL, &cs);
		set_scalar(&c->conditionValue, FWP_UINT16, lo, cs);
		return;
	}
	c = pol_cond(p, f, field, FWP_MATCH_RANGE, &cs);
	set_rvalue(&cs->rg.valueLow, FWP_UINT16, lo, NULL);
	set_rvalue(&cs->rg.valueHigh, FWP_UINT16, hi, NULL);
	c->conditionValue.type = FWP_RANGE_TYPE;
	c->conditionValue.rangeValue = &cs->rg;
}

static void addr_cond(struct pol *p, struct weir_filter *f, unsigned field, UINT32 a, UINT32 m)
{
	struct cstore *cs;
	FWPS_FILTER_CONDITION0 *c;

	if (m == 0)
		return;
	c = pol_cond(p, f, field, FWP_MATCH_EQUAL, &cs);
	cs->v4.addr = a;
	cs->v4.mask = m;
	c->conditionValue.type = FWP_V4_ADDR_MASK;
	c->conditionValue.v4AddrMask = &cs->v4;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void classbench(const char *set)
{
	char trace[64];
	struct cb_rule *r = NULL;
	unsigned n = cb_load(set, &r), i, j, npk = 0;
	struct r_pkt *pk;
	struct weir_classify_result *ref, res;
	FWPS_INCOMING_METADATA_VALUES0 meta;
	struct pol *p;
	FILE *fp;
	double t0, t_ref, t_fast, t_build;
	unsigned long long s, d, sp, dp, pr;

	if (n == 0) {
		printf("SKIP: %s not found (WEIR_SOURCE_ROOT/../shared/data/classbench)\n",
		       data_path(set));
		skip();
	}
	p = pol_new(n, FWP_ACTION_BLOCK);
	p->nsl = 1;
	for (i = 0; i < n; i++) {
		struct weir_filter *f = pol_filter(p, 0, n - i, r[i].action, 0, 0, 0);
		struct cstore *cs;

		addr_cond(p, f, 1, r[i].src, r[i].smask);
		addr_cond(p, f, 2, r[i].dst, r[i].dmask);
		port_cond(p, f, 3, r[i].sp_lo, r[i].sp_hi);
		port_cond(p, f, 4, r[i].dp_lo, r[i].dp_hi);
		if (r[i].pmask == 0xFF) {
			FWPS_FILTER_CONDITION0 *c = pol_cond(p, f, 0, FWP_MATCH_EQUAL, &cs);

			set_scalar(&c->conditionValue, FWP_UINT8, r[i].proto, cs);
		}
	}
	t0 = now_ns();
	assert_int_equal(pol_build(p), 0);
	t_build = now_ns() - t0;
	assert_non_null(p->policy->layers[LAYER].fast);

	snprintf(trace, sizeof(trace), "%s.trace", set);
	fp = fopen(data_path(trace), "r");
	assert_non_null(fp);
	pk = calloc(1 << 17, sizeof(*pk));
	while (npk < (1 << 17) &&
	       fscanf(fp, "%llu %llu %llu %llu %llu", &s, &d, &sp, &dp, &pr) == 5) {
		struct r_pkt *k = &pk[npk++];

		k->in.valueCount = NFIELDS;
		k->in.incomingValue = k->v;
		set_rvalue(&k->v[0].value, FWP_UINT8, pr, NULL);
		set_rvalue(&k->v[1].value, FWP_UINT32, s, NULL);
		set_rvalue(&k->v[2].value, FWP_UINT32, d, NULL);
		set_rvalue(&k->v[3].value, FWP_UINT16, sp, NULL);
		set_rvalue(&k->v[4].value, FWP_UINT16, dp, NULL);
	}
	fclose(fp);
	assert_true(npk > 0);
	memset(&meta, 0, sizeof(meta));
	ref = calloc(npk, sizeof(*ref));

	t0 = now_ns();
	for (i = 0; i < npk; i++)
		weir_classify_reference(&p->snap, LAYER, &pk[i].in, &meta, NULL, NULL, NULL,
		                        &ref[i], NULL);
	t_ref = now_ns() - t0;
	t0 = now_ns();
	for (i = 0; i < npk; i++) {
		weir_classify_fast(&p->snap, LAYER, &pk[i].in, &meta, NULL, NULL, NULL, &res, NULL);
		if (res.filterId != ref[i].filterId || res.action != ref[i].action)
			fail_msg("%s packet %u: fast %llu, reference %llu", set, i,
			         (unsigned long long)res.filterId,
			         (unsigned long long)ref[i].filterId);
	}
	t_fast = now_ns() - t0;

	/* first-match oracle straight from the rule file */
	for (i = 0; i < npk; i++) {
		const FWP_VALUE0 *v = &pk[i].v[0].value;
		UINT32 sa = v[1].uint32, da = pk[i].v[2].value.uint32;
		UINT16 spo = pk[i].v[3].value.uint16, dpo = pk[i].v[4].value.uint16;
		UINT8 pro = v->uint8;

		for (j = 0; j < n; j++)
			if (((sa ^ r[j].src) & r[j].smask) == 0 &&
			    ((da ^ r[j].dst) & r[j].dmask) == 0 && spo >= r[j].sp_lo &&
			    spo <= r[j].sp_hi && dpo >= r[j].dp_lo && dpo <= r[j].dp_hi &&
			    ((pro ^ r[j].proto) & r[j].pmask) == 0)
				break;
		if (j == n) {
			assert_true(ref[i].by_default);
			assert_int_equal(ref[i].action, FWP_ACTION_BLOCK);
		} else {
			assert_int_equal(ref[i].filterId, j + 1);
			assert_int_equal(ref[i].action, r[j].action);
		}
	}
	printf("%s: %u rules, build %.1f ms, %u packets: reference %.0f ns/packet, fast %.0f "
	       "ns/packet\n",
	       set, n, t_build / 1e6, npk, t_ref / npk, t_fast / npk);
	free(ref);
	free(pk);
	free(r);
	pol_free(p);
}

static void test_acl1_1k(void **state)
{
	(void)state;
	classbench("acl1_1k");
}

static void test_fw1_1k(void **state)
{
	(void)state;
	classbench("fw1_1k");
}

static void test_ipc1_1k(void **state)
{
	(void)state;
	classbench("ipc1_1k");
}

static void apply_env(void);

/*
 * 10k rules: acl1 by default (compiles in about a second); WEIR_FAST_10K=1
 * runs all three (fw1 and ipc1 compile for many seconds), =<set> one, =0 none.
 */
static void test_10k(void **state)
{
	const char *only = getenv("WEIR_FAST_10K");

	(void)state;
	if (only != NULL && strcmp(only, "0") == 0)
		skip();
	apply_env(); /* earlier tests reset the shard settings */
	if (only == NULL) {
		classbench("acl1_10k");
		return;
	}
	if (strcmp(only, "1") != 0) { /* one set by name */
		classbench(only);
		return;
	}
	classbench("acl1_10k");
	classbench("fw1_10k");
	classbench("ipc1_10k");
}

/* WEIR_FAST_MAX_RULES / _MAX_SIZE / _GROW: build the ClassBench cases another way. */
static void apply_env(void)
{
	weir_fast_set_max_rules(getenv("WEIR_FAST_MAX_RULES")
	                            ? (uint32_t)strtoul(getenv("WEIR_FAST_MAX_RULES"), NULL, 0)
	                            : 0);
	weir_fast_set_max_size(
	    getenv("WEIR_FAST_MAX_SIZE") ? strtoull(getenv("WEIR_FAST_MAX_SIZE"), NULL, 0) : 0);
	weir_fast_set_grow(getenv("WEIR_FAST_GROW") && strcmp(getenv("WEIR_FAST_GROW"), "0") != 0);
}

static int setup(void **state)
{
	char prefix[64];
	char *argv[] = {"test_fast", "--no-huge",     "-m",   "256",
	                "--no-pci",  "--file-prefix", prefix, "--log-level=*:error",
	                NULL};

	(void)state;
	snprintf(prefix, sizeof(prefix), "weir-fast-%d", (int)getpid());
	if (rte_eal_init(8, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return -1;
	}
	weir_fast_enable(true);
	weir_fast_set_delta(false); /* test_delta turns it on */
	apply_env();
	cb = tb_new(FWP_ACTION_BLOCK);
	for (UINT32 i = 0; i < 8; i++)
		tb_register(cb, i, i % 2 ? 3 : 0,
		            i == 6 ? FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW : 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tb_free(cb);
	weir_fast_enable(false); /* stops the background builder */
	rte_eal_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_disabled_and_empty),
	    cmocka_unit_test(test_random_small),
	    cmocka_unit_test(test_random_many_sublayers),
	    cmocka_unit_test(test_random_sharded),
	    cmocka_unit_test(test_random_large),
	    cmocka_unit_test(test_random_static),
	    cmocka_unit_test(test_delta),
	    cmocka_unit_test(test_delta_engine),
	    cmocka_unit_test(test_builder_job),
	    cmocka_unit_test(test_grow),
	    cmocka_unit_test(test_too_many_sublayers),
	    cmocka_unit_test(test_max_size),
	    cmocka_unit_test(test_acl1_1k),
	    cmocka_unit_test(test_fw1_1k),
	    cmocka_unit_test(test_ipc1_1k),
	    cmocka_unit_test(test_10k),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
