/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Randomized property test: on random policies (sublayers, weights with ties,
 * static and callout filters, unregistered and flow-conditional callouts,
 * filter flags, conditions of every match type) and random packets, the
 * reference classifier and the independent brute-force evaluator (oracle.c)
 * agree on the verdict, on which filters were evaluated, on every classifyFn
 * call and what it was shown, and on the counters. Fixed seeds: a failure
 * prints the seed and case, and replays exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "oracle.h"

#define N_POLICIES 2000
#define N_PACKETS 200

static const FWP_DATA_TYPE field_type[OM_NFIELDS] = {FWP_UINT8, FWP_UINT16, FWP_UINT32, FWP_UINT16};

/* ---- randomness (splitmix64) ---------------------------------------------------------- */

static uint64_t rng;

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint64_t rnd(void)
{
	rng = mix(rng);
	return rng;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

/* ---- the callout program and the flows, shared by classifyFns and the oracle -------- */

enum mode {
	M_PERMIT,
	M_BLOCK,
	M_CONTINUE,
	M_ABSORB,
	M_PERMIT_CLEAR,
	M_NONE,
	M_NONE_NO_MATCH,
	M_UNTOUCHED,
	M_GARBAGE,
	M_SAMPLE_IDIOM,
	M_CONTINUE_CLEAR,
	M_PERMIT_ABSORB_FLAG,
	M_BLOCK_CLEAR,
	M_CONTINUE_ABSORB_FLAG,
	M_COUNT
};

static void program(uint64_t context, const struct om_packet *p, uint64_t fctx,
                    FWPS_CLASSIFY_OUT0 *out)
{
	uint64_t h = context;
	unsigned mode = context & 15, i;

	for (i = 0; i < OM_NFIELDS; i++)
		h = mix(h ^ (p->present[i] ? p->v[i] + 1 : 0));
	h = mix(h ^ out->actionType ^ ((uint64_t)out->rights << 20) ^ fctx ^ out->filterId);
	/* modes past the list: the answer depends on the packet and on what it is shown */
	if (mode >= M_COUNT)
		mode = (unsigned)(h % M_COUNT);
	out->outContext = h | 1;
	switch (mode) {
	case M_PERMIT:
		out->actionType = FWP_ACTION_PERMIT;
		break;
	case M_BLOCK:
		out->actionType = FWP_ACTION_BLOCK;
		break;
	case M_CONTINUE:
		out->actionType = FWP_ACTION_CONTINUE;
		break;
	case M_ABSORB:
		out->actionType = FWP_ACTION_BLOCK;
		out->flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
		break;
	case M_PERMIT_CLEAR:
		out->actionType = FWP_ACTION_PERMIT;
		out->rights &= ~(UINT32)FWPS_RIGHT_ACTION_WRITE;
		break;
	case M_NONE:
		out->actionType = FWP_ACTION_NONE;
		break;
	case M_NONE_NO_MATCH:
		out->actionType = FWP_ACTION_NONE_NO_MATCH;
		break;
	case M_UNTOUCHED:
		break;
	case M_GARBAGE:
		out->actionType = 0x4242;
		break;
	case M_SAMPLE_IDIOM:
		/* WFP samples: do nothing without the write right */
		if (!(out->rights & FWPS_RIGHT_ACTION_WRITE))
			break;
		out->actionType = (h >> 40) & 1 ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
		if (out->actionType == FWP_ACTION_BLOCK)
			out->rights &= ~(UINT32)FWPS_RIGHT_ACTION_WRITE;
		break;
	case M_CONTINUE_CLEAR:
		out->actionType = FWP_ACTION_CONTINUE;
		out->rights &= ~(UINT32)FWPS_RIGHT_ACTION_WRITE;
		break;
	case M_PERMIT_ABSORB_FLAG:
		out->actionType = FWP_ACTION_PERMIT;
		out->flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
		break;
	case M_BLOCK_CLEAR:
		out->actionType = FWP_ACTION_BLOCK;
		out->rights = 0;
		break;
	default:
		out->actionType = FWP_ACTION_CONTINUE;
		out->flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
		break;
	}
}

static bool flow_context(const struct om_packet *p, uint32_t callout, uint64_t *ctx)
{
	uint64_t h = mix(p->flow ^ ((uint64_t)callout << 32));

	if ((h & 3) == 0) {
		*ctx = h; /* garbage the classifier must not pass on */
		return false;
	}
	*ctx = h | 1;
	return true;
}

static const struct om_env env = {.program = program, .flow_context = flow_context};

/* The flow ops the reference classifier gets: the packet is the flow. */
static bool ops_get(void *flow, UINT32 calloutId, UINT64 *ctx)
{
	return flow_context(flow, calloutId, ctx);
}

/* ---- classifyFns under test ---------------------------------------------------------- */

static struct om_call calls[OM_MAX_FILTERS * 2];
static unsigned ncalls;

static void to_packet(const FWPS_INCOMING_VALUES0 *in, struct om_packet *p)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < OM_NFIELDS && i < in->valueCount; i++) {
		const FWP_VALUE0 *v = &in->incomingValue[i].value;

		p->present[i] = v->type != FWP_EMPTY;
		p->v[i] = v->type == FWP_UINT8    ? v->uint8
		          : v->type == FWP_UINT16 ? v->uint16
		                                  : v->uint32;
	}
}

static void pseudo(const FWPS_INCOMING_VALUES0 *in, const FWPS_FILTER3 *f, UINT64 fctx,
                   FWPS_CLASSIFY_OUT0 *out)
{
	struct om_packet p;

	to_packet(in, &p);
	if (ncalls < sizeof(calls) / sizeof(calls[0])) {
		calls[ncalls].filterId = f->filterId;
		calls[ncalls].action_in = out->actionType;
		calls[ncalls].rights_in = out->rights;
		calls[ncalls].flow_ctx = fctx;
	}
	ncalls++;
	if (out->filterId != f->filterId || out->flags != 0 || out->outContext != 0)
		fail_msg("classifyOut not initialised as documented");
	program(f->context, &p, fctx, out);
}

static void pseudo3(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                    void *layerData, const void *classifyContext, const FWPS_FILTER3 *filter,
                    UINT64 flowContext, FWPS_CLASSIFY_OUT0 *out)
{
	(void)meta, (void)layerData, (void)classifyContext;
	pseudo(in, filter, flowContext, out);
}

static void pseudo0(const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                    void *layerData, const FWPS_FILTER0 *filter, UINT64 flowContext,
                    FWPS_CLASSIFY_OUT0 *out)
{
	(void)meta, (void)layerData;
	pseudo(in, (const FWPS_FILTER3 *)filter, flowContext, out);
}

/* ---- random policies and packets ----------------------------------------------------- */

static uint64_t small_value(unsigned field)
{
	if (field == 2)
		return 0x0A000000u | (chance(50) ? below(8) : below(256) << 8 | below(256));
	if (chance(80))
		return below(8);
	return field == 0 ? below(256) : below(65536);
}

static void random_cond(struct om_cond *c, unsigned field)
{
	static const FWP_MATCH_TYPE value_mts[] = {
	    FWP_MATCH_EQUAL,         FWP_MATCH_NOT_EQUAL,        FWP_MATCH_GREATER,
	    FWP_MATCH_LESS,          FWP_MATCH_GREATER_OR_EQUAL, FWP_MATCH_LESS_OR_EQUAL,
	    FWP_MATCH_FLAGS_ALL_SET, FWP_MATCH_FLAGS_ANY_SET,    FWP_MATCH_FLAGS_NONE_SET};
	static const FWP_MATCH_TYPE mask_mts[] = {FWP_MATCH_EQUAL, FWP_MATCH_NOT_EQUAL,
	                                          FWP_MATCH_PREFIX, FWP_MATCH_NOT_PREFIX};
	unsigned r = below(10);

	c->field = field;
	if (field == 2 && r < 3) {
		unsigned len = below(33);

		c->kind = OM_MASK;
		c->mt = mask_mts[below(4)];
		c->a = small_value(2);
		c->b = len ? (uint32_t)(0xFFFFFFFFu << (32 - len)) : 0;
	} else if (r < 5) {
		uint64_t x = small_value(field), y = small_value(field);

		c->kind = OM_RANGE;
		c->mt = FWP_MATCH_RANGE;
		c->a = x < y ? x : y;
		c->b = x < y ? y : x;
	} else {
		c->kind = OM_VALUE;
		c->mt = value_mts[below(9)];
		c->a = small_value(field);
		if (c->mt >= FWP_MATCH_FLAGS_ALL_SET && c->mt <= FWP_MATCH_FLAGS_NONE_SET)
			c->a = below(8);
	}
}

static void random_policy(struct om_policy *pol)
{
	static const uint16_t sub_weights[] = {0, 3, 3, 7, 0xFFFF};
	static const uint64_t weights[] = {0, 1, 1, 2, 1ull << 60, UINT64_MAX};
	bool used_id[64] = {false};
	unsigned i, k;

	memset(pol, 0, sizeof(*pol));
	pol->deflt = chance(50) ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
	pol->nsub = 1 + below(4);
	for (i = 0; i < pol->nsub; i++)
		pol->sub_weight[i] = sub_weights[below(5)];
	for (i = 1; i < OM_MAX_CALLOUTS; i++) {
		pol->registered[i] = chance(75);
		pol->conditional[i] = chance(25);
	}
	pol->nf = below(13);
	for (i = 0; i < pol->nf; i++) {
		struct om_filter *f = &pol->f[i];
		unsigned r = below(100);

		do
			f->id = 1 + below(60);
		while (used_id[f->id]);
		used_id[f->id] = true;
		f->weight = weights[below(6)];
		f->sublayer = below(pol->nsub);
		if (r < 25) {
			f->action = FWP_ACTION_PERMIT;
		} else if (r < 45) {
			f->action = FWP_ACTION_BLOCK;
		} else {
			static const FWP_ACTION_TYPE kinds[] = {FWP_ACTION_CALLOUT_TERMINATING,
			                                        FWP_ACTION_CALLOUT_INSPECTION,
			                                        FWP_ACTION_CALLOUT_UNKNOWN};

			f->action = kinds[below(3)];
			f->callout = 1 + below(OM_MAX_CALLOUTS - 2);
			f->context = below(16) | rnd() << 8;
			if (f->action != FWP_ACTION_CALLOUT_INSPECTION && chance(30))
				f->flags |= FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
		}
		if (chance(25))
			f->flags |= FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT;
		f->n = below(OM_MAX_CONDS);
		for (k = 0; k < f->n; k++) {
			/* often the same field again: an OR group */
			unsigned field = k && chance(40) ? f->c[k - 1].field : below(OM_NFIELDS);

			random_cond(&f->c[k], field);
		}
	}
}

static void random_packet(struct om_packet *p)
{
	unsigned i;

	for (i = 0; i < OM_NFIELDS; i++) {
		p->present[i] = chance(92);
		p->v[i] = p->present[i] ? small_value(i) : 0;
	}
	p->has_flow = chance(70);
	p->flow = rnd();
}

/* ---- the snapshot the reference classifier reads -------------------------------------- */

struct built {
	struct tb *b;
	FWP_V4_ADDR_AND_MASK masks[OM_MAX_FILTERS][OM_MAX_CONDS];
	FWP_RANGE0 ranges[OM_MAX_FILTERS][OM_MAX_CONDS];
	struct weir_filter *f[OM_MAX_FILTERS];
};

static FWP_VALUE0 typed(FWP_DATA_TYPE t, uint64_t x)
{
	FWP_VALUE0 v = {.type = t};

	if (t == FWP_UINT8)
		v.uint8 = (UINT8)x;
	else if (t == FWP_UINT16)
		v.uint16 = (UINT16)x;
	else
		v.uint32 = (UINT32)x;
	return v;
}

static void build(const struct om_policy *pol, struct built *bt)
{
	unsigned i, k;

	bt->b = tb_new(pol->deflt);
	for (i = 0; i < pol->nsub; i++)
		tb_sublayer(bt->b, pol->sub_weight[i]);
	for (i = 0; i < OM_MAX_CALLOUTS; i++) {
		if (!pol->registered[i])
			continue;
		/* classifyFn versions alternate by id */
		tb_register_fn(bt->b, i, i % 2 ? pseudo3 : NULL, i % 2 ? NULL : pseudo0,
		               pol->conditional[i] ? FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW : 0);
	}
	for (i = 0; i < pol->nf; i++) {
		const struct om_filter *f = &pol->f[i];
		struct weir_filter *wf = tb_filter(bt->b, f->sublayer, f->weight, f->id, f->action,
		                                   f->callout, f->flags, f->context);

		bt->f[i] = wf;
		for (k = 0; k < f->n; k++) {
			const struct om_cond *c = &f->c[k];
			FWPS_FILTER_CONDITION0 *wc = tb_cond(bt->b, wf, (UINT16)c->field, c->mt);
			FWP_DATA_TYPE t = field_type[c->field];

			if (c->kind == OM_MASK) {
				bt->masks[i][k].addr = (UINT32)c->a;
				bt->masks[i][k].mask = (UINT32)c->b;
				wc->conditionValue.type = FWP_V4_ADDR_MASK;
				wc->conditionValue.v4AddrMask = &bt->masks[i][k];
			} else if (c->kind == OM_RANGE) {
				bt->ranges[i][k].valueLow = typed(t, c->a);
				bt->ranges[i][k].valueHigh = typed(t, c->b);
				wc->conditionValue.type = FWP_RANGE_TYPE;
				wc->conditionValue.rangeValue = &bt->ranges[i][k];
			} else {
				FWP_VALUE0 v = typed(t, c->a);

				wc->conditionValue.type = t;
				memcpy(&wc->conditionValue.uint64, &v.uint64, sizeof(v.uint64));
			}
		}
	}
	tb_build(bt->b);
}

static void packet_values(const struct om_packet *p, struct tb_pkt *tp)
{
	unsigned i;

	tb_pkt_init(tp);
	for (i = 0; i < OM_NFIELDS; i++)
		if (p->present[i])
			tp->v[i].value = typed(field_type[i], p->v[i]);
}

/* ---- the comparison ------------------------------------------------------------------ */

static void dump(const struct om_policy *pol, const struct om_packet *p)
{
	unsigned i, k;

	print_error("default %#x, sublayers:", pol->deflt);
	for (i = 0; i < pol->nsub; i++)
		print_error(" %u", pol->sub_weight[i]);
	print_error("\ncallouts registered/conditional:");
	for (i = 1; i < OM_MAX_CALLOUTS; i++)
		print_error(" %u:%d/%d", i, pol->registered[i], pol->conditional[i]);
	print_error("\n");
	for (i = 0; i < pol->nf; i++) {
		const struct om_filter *f = &pol->f[i];

		print_error(
		    "  filter %llu sl %u w %#llx action %#x callout %u flags %#x mode %llu:",
		    (unsigned long long)f->id, f->sublayer, (unsigned long long)f->weight,
		    f->action, f->callout, f->flags, (unsigned long long)(f->context & 15));
		for (k = 0; k < f->n; k++)
			print_error(" [f%u mt%d k%d %#llx %#llx]", f->c[k].field, f->c[k].mt,
			            f->c[k].kind, (unsigned long long)f->c[k].a,
			            (unsigned long long)f->c[k].b);
		print_error("\n");
	}
	print_error("packet:");
	for (i = 0; i < OM_NFIELDS; i++)
		print_error(p->present[i] ? " %#llx" : " -", (unsigned long long)p->v[i]);
	print_error(" flow %d\n", p->has_flow);
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("seed %#llx policy %u packet %u: ", (unsigned long long)seed,  \
			            pi, ki);                                                       \
			print_error(__VA_ARGS__);                                                  \
			print_error("\n");                                                         \
			dump(&pol, &pkt);                                                          \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

static void run_seed(uint64_t seed)
{
	static struct built bt;
	struct weir_explain_entry e[OM_MAX_FILTERS + 1];
	uint64_t hits[OM_MAX_FILTERS], ccalls[OM_MAX_CALLOUTS];
	struct om_policy pol;
	struct om_packet pkt;
	unsigned pi, ki, i;

	rng = seed;
	for (pi = 0; pi < N_POLICIES; pi++) {
		random_policy(&pol);
		memset(&bt, 0, sizeof(bt));
		build(&pol, &bt);
		memset(hits, 0, sizeof(hits));
		memset(ccalls, 0, sizeof(ccalls));
		memset(&pkt, 0, sizeof(pkt));
		ki = 0;
		for (ki = 0; ki < N_PACKETS; ki++) {
			struct weir_flow_ops ops = {.get_context = ops_get, .flow = &pkt};
			struct weir_classify_result r;
			struct om_result o;
			struct weir_trace t;
			struct tb_pkt tp;
			unsigned nfilters;

			random_packet(&pkt);
			packet_values(&pkt, &tp);
			ncalls = 0;
			tb_classify(&bt.b->snap, &tp, pkt.has_flow ? &ops : NULL, &r, &t, e,
			            OM_MAX_FILTERS + 1);
			om_classify(&pol, &pkt, &env, &o);

			CHECK(r.action == o.action, "action %#x, oracle %#x", r.action, o.action);
			CHECK(r.filterId == o.filterId, "filter %llu, oracle %llu",
			      (unsigned long long)r.filterId, (unsigned long long)o.filterId);
			CHECK(r.by_default == o.by_default, "by_default %d", r.by_default);
			CHECK(r.veto == o.veto, "veto %d", r.veto);
			CHECK(r.absorbed == o.absorbed, "absorbed %d", r.absorbed);
			CHECK(r.rights == o.rights, "rights %u, oracle %u", r.rights, o.rights);
			CHECK(r.outContext == o.outContext, "outContext differs");
			nfilters = t.n - (r.by_default ? 1 : 0);
			CHECK(nfilters == o.nevaluated, "evaluated %u, oracle %u", nfilters,
			      o.nevaluated);
			for (i = 0; i < nfilters; i++)
				CHECK(e[i].filterId == o.evaluated[i],
				      "evaluated #%u: %llu, oracle %llu", i,
				      (unsigned long long)e[i].filterId,
				      (unsigned long long)o.evaluated[i]);
			CHECK(ncalls == o.ncalls, "classifyFn calls %u, oracle %u", ncalls,
			      o.ncalls);
			for (i = 0; i < ncalls; i++) {
				CHECK(calls[i].filterId == o.calls[i].filterId, "call #%u filter",
				      i);
				CHECK(calls[i].action_in == o.calls[i].action_in,
				      "call #%u shown action %#x, oracle %#x", i,
				      calls[i].action_in, o.calls[i].action_in);
				CHECK(calls[i].rights_in == o.calls[i].rights_in, "call #%u rights",
				      i);
				CHECK(calls[i].flow_ctx == o.calls[i].flow_ctx,
				      "call #%u flowContext", i);
			}
			for (i = 0; i < o.nevaluated; i++) {
				unsigned j;

				for (j = 0; j < pol.nf; j++)
					if (pol.f[j].id == o.evaluated[i])
						hits[j]++;
			}
			for (i = 0; i < o.ncalls; i++) {
				unsigned j;

				for (j = 0; j < pol.nf; j++)
					if (pol.f[j].id == o.calls[i].filterId)
						ccalls[pol.f[j].callout]++;
			}
		}
		ki = N_PACKETS;
		for (i = 0; i < pol.nf; i++)
			CHECK(atomic_load(&bt.f[i]->hits) == hits[i], "hits of filter %llu",
			      (unsigned long long)pol.f[i].id);
		for (i = 0; i < OM_MAX_CALLOUTS; i++)
			if (pol.registered[i])
				CHECK(atomic_load(&bt.b->regs[i].calls) == ccalls[i],
				      "calls of callout %u", i);
		tb_free(bt.b);
	}
}

static void test_seed_1(void **state)
{
	(void)state;
	run_seed(0x5EED0001);
}

static void test_seed_2(void **state)
{
	(void)state;
	run_seed(0xC0FFEE);
}

/* The generator reaches every outcome, or the agreement above would prove little. */
static void test_coverage(void **state)
{
	unsigned seen_veto = 0, seen_absorb = 0, seen_default = 0, seen_hard_permit = 0;
	unsigned seen_block = 0, seen_permit = 0, pi, ki;
	struct om_policy pol;
	struct om_packet pkt;

	(void)state;
	rng = 0xC0FE;
	for (pi = 0; pi < 300; pi++) {
		random_policy(&pol);
		for (ki = 0; ki < 50; ki++) {
			struct om_result o;

			random_packet(&pkt);
			om_classify(&pol, &pkt, &env, &o);
			seen_veto += o.veto;
			seen_absorb += o.absorbed;
			seen_default += o.by_default;
			seen_hard_permit += o.action == FWP_ACTION_PERMIT && o.rights == 0;
			seen_block += o.action == FWP_ACTION_BLOCK && !o.by_default;
			seen_permit += o.action == FWP_ACTION_PERMIT && !o.by_default;
		}
	}
	print_message("veto %u absorb %u default %u hard-permit %u block %u permit %u\n", seen_veto,
	              seen_absorb, seen_default, seen_hard_permit, seen_block, seen_permit);
	assert_true(seen_veto > 50);
	assert_true(seen_absorb > 50);
	assert_true(seen_default > 50);
	assert_true(seen_hard_permit > 50);
	assert_true(seen_block > 50);
	assert_true(seen_permit > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_coverage),
	    cmocka_unit_test(test_seed_1),
	    cmocka_unit_test(test_seed_2),
	};

	return cmocka_run_group_tests_name("property", tests, NULL, NULL);
}
