/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WFP filter arbitration in the reference classifier: a table of cases (each
 * a hand-built snapshot, the verdict it must give and the classifyFn calls it
 * must make), then the rules a table cannot express (what a callout sees,
 * flow contexts, counters, the trace). No EAL, no management API.
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

#define W FWPS_RIGHT_ACTION_WRITE
#define P FWP_ACTION_PERMIT
#define B FWP_ACTION_BLOCK
#define C FWP_ACTION_CONTINUE
#define TERM FWP_ACTION_CALLOUT_TERMINATING
#define INSP FWP_ACTION_CALLOUT_INSPECTION
#define UNK FWP_ACTION_CALLOUT_UNKNOWN
#define CLEAR FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT
#define PIFU FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED

/* expected result flags */
#define VETO 1u
#define ABSORBED 2u
#define DEFAULT 4u

/* One filter of a case: sublayer index, weight, id, action, callout, flags, script. */
struct fs {
	unsigned sl;
	UINT64 w;
	UINT64 id;
	FWP_ACTION_TYPE type;
	UINT32 cid;
	UINT16 flags;
	UINT64 script;
};

/* One case per entry reads better than one field per line. */
/* clang-format off */
#define S(sl, w, id, a) {sl, w, id, a, 0, 0, 0}
#define SF(sl, w, id, a, fl) {sl, w, id, a, 0, fl, 0}
#define CO(sl, w, id, t, cid, fl, scr) {sl, w, id, t, cid, fl, scr}
/* clang-format on */

struct acase {
	const char *name;
	UINT16 slw[4];  /* sublayer weights, by insertion order */
	struct fs f[6]; /* ends at id 0 */
	UINT32 reg;     /* callout ids registered (bit n: id n), classifyFn3 */
	UINT32 reg0;    /* callout ids registered with classifyFn0 */
	FWP_ACTION_TYPE deflt;
	FWP_ACTION_TYPE action; /* expected verdict */
	UINT64 filter;          /* expected deciding filter */
	UINT32 rights;          /* expected rights at the end */
	unsigned flags;         /* VETO, ABSORBED, DEFAULT */
	UINT64 calls[6];        /* filters whose classifyFn runs, in order; ends at 0 */
	UINT64 trace[6];        /* filters evaluated, in order; ends at 0 */
};

#define R(n) (1u << (n))

/* clang-format off */
static const struct acase cases[] = {
	/* soft and hard, static */
	{"soft permit high vs hard block low: block", {10, 5},
	 {S(0, 1, 1, P), S(1, 1, 2, B)}, 0, 0, P, B, 2, 0, 0, {0}, {1, 2}},
	{"soft permit keeps the right: a lower permit re-decides", {10, 5},
	 {S(0, 1, 1, P), S(1, 1, 2, P)}, 0, 0, B, P, 2, W, 0, {0}, {1, 2}},
	{"static block is hard: lower permit ignored", {10, 5},
	 {S(0, 1, 1, B), S(1, 1, 2, P)}, 0, 0, P, B, 1, 0, 0, {0}, {1, 2}},
	{"static permit + CLEAR_ACTION_RIGHT is hard", {10, 5},
	 {SF(0, 1, 1, P, CLEAR), S(1, 1, 2, B)}, 0, 0, P, P, 1, 0, 0, {0}, {1, 2}},
	/* callouts' permits and blocks */
	{"callout permit is soft: lower static block wins", {10, 5},
	 {CO(0, 1, 1, TERM, 1, 0, P), S(1, 1, 2, B)}, R(1), 0, P, B, 2, 0, 0, {1}, {1, 2}},
	{"hard permit (filter CLEAR_ACTION_RIGHT) beats lower static block", {10, 5},
	 {CO(0, 1, 1, TERM, 1, CLEAR, P), S(1, 1, 2, B)}, R(1), 0, B, P, 1, 0, 0, {1}, {1, 2}},
	{"hard permit (callout cleared the right) beats lower static block", {10, 5},
	 {CO(0, 1, 1, TERM, 1, 0, P | SCRIPT_CLEAR), S(1, 1, 2, B)}, R(1), 0, B, P, 1, 0, 0,
	 {1}, {1, 2}},
	{"callout block is hard: lower permit ignored", {10, 5},
	 {CO(0, 1, 1, TERM, 1, 0, B), S(1, 1, 2, P)}, R(1), 0, P, B, 1, 0, 0, {1}, {1, 2}},
	{"unknown callout may decide", {10},
	 {CO(0, 1, 1, UNK, 1, 0, B)}, R(1), 0, P, B, 1, 0, 0, {1}, {1}},
	/* veto */
	{"veto: callout block overrides a hard permit", {10, 5},
	 {CO(0, 1, 1, TERM, 1, CLEAR, P), CO(1, 1, 2, TERM, 2, 0, B)}, R(1) | R(2), 0, P, B, 2,
	 0, VETO, {1, 2}, {1, 2}},
	{"no veto over a soft permit: the block simply applies", {10, 5},
	 {CO(0, 1, 1, TERM, 1, 0, P), CO(1, 1, 2, TERM, 2, 0, B)}, R(1) | R(2), 0, P, B, 2, 0,
	 0, {1, 2}, {1, 2}},
	{"static block cannot veto", {10, 5},
	 {SF(0, 1, 1, P, CLEAR), S(1, 1, 2, B)}, 0, 0, B, P, 1, 0, 0, {0}, {1, 2}},
	{"unregistered terminating (a static block) cannot veto", {10, 5},
	 {SF(0, 1, 1, P, CLEAR), CO(1, 1, 2, TERM, 5, 0, 0)}, 0, 0, B, P, 1, 0, 0, {0}, {1, 2}},
	{"callout permit cannot override a hard block", {10, 5},
	 {S(0, 1, 1, B), CO(1, 1, 2, TERM, 1, CLEAR, P)}, R(1), 0, P, B, 1, 0, 0, {2}, {1, 2}},
	/* CONTINUE */
	{"continue chain: first decision in the sublayer wins, rest skipped", {10},
	 {CO(0, 30, 1, UNK, 1, 0, C), CO(0, 20, 2, INSP, 2, 0, C), S(0, 10, 3, B), S(0, 5, 4, P)},
	 R(1) | R(2), 0, P, B, 3, 0, 0, {1, 2}, {1, 2, 3}},
	{"NONE and NONE_NO_MATCH from a callout continue", {10},
	 {CO(0, 30, 1, UNK, 1, 0, FWP_ACTION_NONE), CO(0, 20, 2, UNK, 2, 0, FWP_ACTION_NONE_NO_MATCH),
	  S(0, 10, 3, P)}, R(1) | R(2), 0, B, P, 3, W, 0, {1, 2}, {1, 2, 3}},
	{"a decision ends its sublayer only; the next sublayer still runs", {10, 5},
	 {S(0, 2, 1, P), CO(0, 1, 2, TERM, 1, 0, B), CO(1, 1, 3, INSP, 2, 0, C)}, R(1) | R(2), 0,
	 B, P, 1, W, 0, {3}, {1, 3}},
	{"rights a callout clears while continuing are ignored", {10, 5},
	 {CO(0, 1, 1, UNK, 1, 0, C | SCRIPT_CLEAR), S(1, 1, 2, B)}, R(1), 0, P, B, 2, 0, 0, {1},
	 {1, 2}},
	{"all continue: layer default", {10, 5},
	 {CO(0, 1, 1, UNK, 1, 0, C), CO(1, 1, 2, INSP, 2, 0, C)}, R(1) | R(2), 0, B, B, 0, W,
	 DEFAULT, {1, 2}, {1, 2}},
	/* unregistered callouts */
	{"inspection skipped while unregistered", {10},
	 {CO(0, 2, 1, INSP, 3, 0, B), S(0, 1, 2, P)}, 0, 0, B, P, 2, W, 0, {0}, {1, 2}},
	{"terminating blocks (hard) while unregistered", {10, 5},
	 {CO(0, 1, 1, TERM, 3, 0, P), S(1, 1, 2, P)}, 0, 0, P, B, 1, 0, 0, {0}, {1, 2}},
	{"unknown blocks (hard) while unregistered", {10, 5},
	 {CO(0, 1, 1, UNK, 3, 0, P), S(1, 1, 2, P)}, 0, 0, P, B, 1, 0, 0, {0}, {1, 2}},
	{"permit-if-unregistered: terminating permits", {10},
	 {CO(0, 1, 1, TERM, 3, PIFU, B)}, 0, 0, B, P, 1, W, 0, {0}, {1}},
	{"permit-if-unregistered: unknown permits", {10},
	 {CO(0, 1, 1, UNK, 3, PIFU, B)}, 0, 0, B, P, 1, W, 0, {0}, {1}},
	{"permit-if-unregistered is a soft permit: lower block wins", {10, 5},
	 {CO(0, 1, 1, TERM, 3, PIFU, 0), S(1, 1, 2, B)}, 0, 0, P, B, 2, 0, 0, {0}, {1, 2}},
	{"permit-if-unregistered + CLEAR_ACTION_RIGHT is a hard permit", {10, 5},
	 {CO(0, 1, 1, TERM, 3, PIFU | CLEAR, 0), S(1, 1, 2, B)}, 0, 0, B, P, 1, 0, 0, {0},
	 {1, 2}},
	{"permit-if-unregistered means nothing while registered", {10},
	 {CO(0, 1, 1, TERM, 1, PIFU, B)}, R(1), 0, P, B, 1, 0, 0, {1}, {1}},
	/* absorb */
	{"absorb: block, absorbed, classification stops", {10, 5},
	 {CO(0, 1, 1, TERM, 1, 0, B | SCRIPT_ABSORB), CO(1, 1, 2, INSP, 2, 0, C)}, R(1) | R(2),
	 0, P, B, 1, 0, ABSORBED, {1}, {1}},
	{"absorb over a hard permit is a veto", {10, 5, 1},
	 {CO(0, 1, 1, TERM, 1, CLEAR, P), CO(1, 1, 2, TERM, 2, 0, B | SCRIPT_ABSORB),
	  S(2, 1, 3, P)}, R(1) | R(2), 0, P, B, 2, 0, VETO | ABSORBED, {1, 2}, {1, 2}},
	{"absorb under a hard block: still block, the absorber owns it", {10, 5, 1},
	 {S(0, 1, 1, B), CO(1, 1, 2, TERM, 2, 0, B | SCRIPT_ABSORB), S(2, 1, 3, P)}, R(2), 0, P,
	 B, 2, 0, ABSORBED, {2}, {1, 2}},
	{"absorb flag with permit is ignored", {10, 5},
	 {CO(0, 1, 1, TERM, 1, 0, P | SCRIPT_ABSORB), S(1, 1, 2, B)}, R(1), 0, P, B, 2, 0, 0,
	 {1}, {1, 2}},
	{"absorb honoured from an inspection callout", {10, 5},
	 {CO(0, 1, 1, INSP, 1, 0, B | SCRIPT_ABSORB), S(1, 1, 2, P)}, R(1), 0, P, B, 1, 0,
	 ABSORBED, {1}, {1}},
	/* order */
	{"equal filter weights: lower filter id first (block)", {10},
	 {S(0, 5, 9, P), S(0, 5, 4, B)}, 0, 0, P, B, 4, 0, 0, {0}, {4}},
	{"equal filter weights: lower filter id first (permit)", {10},
	 {S(0, 5, 9, B), S(0, 5, 4, P)}, 0, 0, B, P, 4, W, 0, {0}, {4}},
	{"higher filter weight first, whatever the id", {10},
	 {S(0, 1, 1, P), S(0, 2, 2, B)}, 0, 0, P, B, 2, 0, 0, {0}, {2}},
	{"higher sublayer weight first, whatever the insertion order", {5, 10},
	 {SF(0, 1, 1, P, CLEAR), S(1, 1, 2, B)}, 0, 0, P, B, 2, 0, 0, {0}, {2, 1}},
	{"equal sublayer weights: the sublayer added first", {5, 5},
	 {SF(0, 1, 2, P, CLEAR), S(1, 1, 1, B)}, 0, 0, B, P, 2, 0, 0, {0}, {2, 1}},
	/* layer default */
	{"layer default permit", {10}, {{0}}, 0, 0, P, P, 0, W, DEFAULT, {0}, {0}},
	{"layer default block", {10}, {{0}}, 0, 0, B, B, 0, W, DEFAULT, {0}, {0}},
	/* contract violations */
	{"terminating returning CONTINUE: block (fail closed)", {10, 5},
	 {CO(0, 1, 1, TERM, 1, 0, C), S(1, 1, 2, P)}, R(1), 0, P, B, 1, 0, 0, {1}, {1, 2}},
	{"terminating leaving no action: block", {10},
	 {CO(0, 1, 1, TERM, 1, 0, 0)}, R(1), 0, P, B, 1, 0, 0, {1}, {1}},
	{"terminating's fail-closed block vetoes a hard permit", {10, 5},
	 {SF(0, 1, 1, P, CLEAR), CO(1, 1, 2, TERM, 1, 0, C)}, R(1), 0, P, B, 2, 0, VETO, {2},
	 {1, 2}},
	{"terminating answering no action type: block", {10},
	 {CO(0, 1, 1, TERM, 1, 0, 0x1234)}, R(1), 0, P, B, 1, 0, 0, {1}, {1}},
	{"unknown answering no action type: continue", {10},
	 {CO(0, 2, 1, UNK, 1, 0, 0x1234), S(0, 1, 2, B)}, R(1), 0, P, B, 2, 0, 0, {1}, {1, 2}},
	{"inspection returning PERMIT: continue", {10},
	 {CO(0, 2, 1, INSP, 1, 0, P), S(0, 1, 2, B)}, R(1), 0, P, B, 2, 0, 0, {1}, {1, 2}},
	{"inspection returning BLOCK: continue", {10},
	 {CO(0, 1, 1, INSP, 1, 0, B)}, R(1), 0, P, P, 0, W, DEFAULT, {1}, {1}},
	/* what a callout that writes nothing answers: the action passed in */
	{"callout leaving the carried permit re-decides it (soft)", {10, 5},
	 {S(0, 1, 1, P), CO(1, 1, 2, TERM, 1, 0, 0)}, R(1), 0, B, P, 2, W, 0, {2}, {1, 2}},
	{"callout leaving the carried hard permit: no veto", {10, 5},
	 {SF(0, 1, 1, P, CLEAR), CO(1, 1, 2, TERM, 1, 0, 0)}, R(1), 0, B, P, 1, 0, 0, {2},
	 {1, 2}},
	/* classifyFn versions */
	{"classifyFn0 registrations are called too", {10},
	 {CO(0, 1, 1, TERM, 1, 0, P)}, 0, R(1), B, P, 1, W, 0, {1}, {1}},
};
/* clang-format on */

static struct tb *build_case(const struct acase *k)
{
	struct tb *b = tb_new(k->deflt);
	unsigned nsl = 1, i;

	for (i = 0; k->f[i].id; i++)
		if (k->f[i].sl + 1 > nsl)
			nsl = k->f[i].sl + 1;
	for (i = 0; i < nsl; i++)
		tb_sublayer(b, k->slw[i]);
	for (i = 0; k->f[i].id; i++) {
		const struct fs *s = &k->f[i];

		tb_filter(b, s->sl, s->w, s->id, s->type, s->cid, s->flags, s->script);
	}
	for (i = 0; i < TB_MAX_CALLOUTS; i++) {
		if (k->reg & R(i))
			tb_register(b, i, 3, 0);
		if (k->reg0 & R(i))
			tb_register(b, i, 0, 0);
	}
	return b;
}

static void run_case(void **state)
{
	const struct acase *k = *state;
	struct tb *b = build_case(k);
	struct weir_explain_entry e[16];
	struct weir_classify_result r;
	struct weir_trace t;
	struct tb_pkt p;
	unsigned i, n;

	tb_pkt_init(&p);
	tb_log_reset();
	tb_classify(tb_build(b), &p, NULL, &r, &t, e, 16);

	assert_int_equal(r.action, k->action);
	assert_int_equal(r.filterId, k->filter);
	assert_int_equal(r.rights, k->rights);
	assert_int_equal(r.veto, !!(k->flags & VETO));
	assert_int_equal(r.absorbed, !!(k->flags & ABSORBED));
	assert_int_equal(r.by_default, !!(k->flags & DEFAULT));
	/* classifyFn exactly once per evaluated callout filter, in order */
	for (n = 0; k->calls[n]; n++)
		;
	assert_int_equal(tb_nlog, n);
	for (i = 0; i < n; i++)
		assert_int_equal(tb_log[i].filterId, k->calls[i]);
	/* the trace: evaluated filters, then the default entry if it decided */
	for (n = 0; k->trace[n]; n++)
		;
	assert_int_equal(t.n, n + !!(k->flags & DEFAULT));
	for (i = 0; i < n; i++)
		assert_int_equal(e[i].filterId, k->trace[i]);
	if (k->flags & DEFAULT) {
		assert_int_equal(e[n].reason, WEIR_EXPLAIN_LAYER_DEFAULT);
		assert_int_equal(e[n].result, k->action);
	} else {
		/* the deciding filter's entry says applied, veto, or absorbed under a block */
		for (i = 0; i < n && e[i].filterId != k->filter; i++)
			;
		assert_true(i < n);
		assert_true(e[i].effect == WEIR_EXPLAIN_EFFECT_APPLIED ||
		            e[i].effect == WEIR_EXPLAIN_EFFECT_VETO ||
		            e[i].reason == WEIR_EXPLAIN_CALLOUT_ABSORB);
	}
	tb_free(b);
}

/* ---- rules a table cannot express ---------------------------------------------------- */

/* What each callout is handed: the carried action and rights, its own filter id, flags 0. */
static void test_callout_sees_carried_state(void **state)
{
	struct tb *b = tb_new(FWP_ACTION_PERMIT);
	struct weir_explain_entry e[8];
	struct weir_classify_result r;
	struct weir_trace t;
	struct tb_pkt p;

	(void)state;
	tb_sublayer(b, 40);
	tb_sublayer(b, 30);
	tb_sublayer(b, 20);
	tb_sublayer(b, 10);
	tb_register(b, 1, 3, 0);
	tb_filter(b, 0, 1, 11, INSP, 1, 0, C);             /* sees NONE, W */
	tb_filter(b, 1, 1, 12, TERM, 1, 0, P);             /* sees NONE, W; soft permit */
	tb_filter(b, 2, 1, 13, INSP, 1, 0, C);             /* sees PERMIT, W */
	tb_filter(b, 2, 0, 14, FWP_ACTION_BLOCK, 0, 0, 0); /* hard block */
	tb_filter(b, 3, 1, 15, INSP, 1, 0, C);             /* sees BLOCK, 0 */
	tb_pkt_init(&p);
	tb_log_reset();
	tb_classify(tb_build(b), &p, NULL, &r, &t, e, 8);

	assert_int_equal(r.action, B);
	assert_int_equal(r.filterId, 14);
	assert_int_equal(tb_nlog, 4);
	assert_int_equal(tb_log[0].action_in, FWP_ACTION_NONE);
	assert_int_equal(tb_log[0].rights_in, W);
	assert_int_equal(tb_log[1].action_in, FWP_ACTION_NONE);
	assert_int_equal(tb_log[1].rights_in, W);
	assert_int_equal(tb_log[2].action_in, P);
	assert_int_equal(tb_log[2].rights_in, W);
	assert_int_equal(tb_log[3].action_in, B);
	assert_int_equal(tb_log[3].rights_in, 0);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(tb_log[i].out_filter_in, tb_log[i].filterId);
		assert_int_equal(tb_log[i].flags_in, 0);
		assert_int_equal(tb_log[i].flow_context, 0);
	}
	/* a lower callout after a hard permit sees PERMIT without the right */
	tb_free(b);
	b = tb_new(FWP_ACTION_BLOCK);
	tb_sublayer(b, 2);
	tb_sublayer(b, 1);
	tb_register(b, 1, 3, 0);
	tb_filter(b, 0, 1, 1, TERM, 1, CLEAR, P);
	tb_filter(b, 1, 1, 2, INSP, 1, 0, C);
	tb_log_reset();
	tb_classify(tb_build(b), &p, NULL, &r, &t, e, 8);
	assert_int_equal(tb_nlog, 2);
	assert_int_equal(tb_log[1].action_in, P);
	assert_int_equal(tb_log[1].rights_in, 0);
	tb_free(b);
}

/* layerData and classifyContext reach the classifyFn unchanged. */
static void test_pass_through_arguments(void **state)
{
	struct tb *b = tb_new(FWP_ACTION_PERMIT);
	FWPS_INCOMING_METADATA_VALUES0 meta = {0};
	struct weir_classify_result r;
	struct tb_pkt p;
	int ld, cc;

	(void)state;
	tb_sublayer(b, 1);
	tb_register(b, 1, 3, 0);
	tb_filter(b, 0, 1, 1, INSP, 1, 0, C);
	tb_pkt_init(&p);
	tb_log_reset();
	weir_classify_reference(tb_build(b), TB_LAYER, &p.in, &meta, &ld, &cc, NULL, &r, NULL);
	assert_int_equal(tb_nlog, 1);
	assert_ptr_equal(tb_log[0].layer_data, &ld);
	assert_ptr_equal(tb_log[0].classify_context, &cc);
	tb_free(b);
}

struct flow_fixture {
	UINT32 callout; /* the one callout with a context */
	UINT64 ctx;
	unsigned asked;
};

static bool flow_get(void *flow, UINT32 calloutId, UINT64 *ctx)
{
	struct flow_fixture *ff = flow;

	ff->asked++;
	if (calloutId != ff->callout) {
		*ctx = 0xBAD; /* not to be used when the answer is false */
		return false;
	}
	*ctx = ff->ctx;
	return true;
}

/* CONDITIONAL_ON_FLOW: called only with a context; others get the context or 0. */
static void test_conditional_on_flow(void **state)
{
	struct tb *b = tb_new(FWP_ACTION_PERMIT);
	struct flow_fixture ff = {.callout = 1, .ctx = 0xC0FFEE};
	struct weir_flow_ops ops = {.get_context = flow_get, .flow = &ff};
	struct weir_flow_ops no_get = {.get_context = NULL, .flow = &ff};
	struct weir_explain_entry e[8];
	struct weir_classify_result r;
	struct weir_trace t;
	struct tb_pkt p;

	(void)state;
	tb_sublayer(b, 1);
	tb_register(b, 1, 3, FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW);
	tb_register(b, 2, 3, FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW);
	tb_register(b, 3, 3, 0);
	tb_filter(b, 0, 3, 1, INSP, 1, 0, C); /* conditional, has a context */
	tb_filter(b, 0, 2, 2, TERM, 2, 0, B); /* conditional, no context: skipped */
	tb_filter(b, 0, 1, 3, INSP, 3, 0, C); /* not conditional, no context: 0 */
	tb_pkt_init(&p);

	tb_log_reset();
	tb_classify(tb_build(b), &p, &ops, &r, &t, e, 8);
	assert_int_equal(r.action, P);
	assert_true(r.by_default);
	assert_int_equal(tb_nlog, 2);
	assert_int_equal(tb_log[0].filterId, 1);
	assert_int_equal(tb_log[0].flow_context, 0xC0FFEE);
	assert_int_equal(tb_log[1].filterId, 3);
	assert_int_equal(tb_log[1].flow_context, 0);
	assert_int_equal(e[1].reason, WEIR_EXPLAIN_NO_FLOW_CONTEXT);
	assert_int_equal(e[1].calloutAction, 0);

	/* a non-conditional callout gets its context when there is one */
	ff.callout = 3;
	tb_log_reset();
	tb_classify(&b->snap, &p, &ops, &r, &t, e, 8);
	assert_int_equal(tb_nlog, 1);
	assert_int_equal(tb_log[0].filterId, 3);
	assert_int_equal(tb_log[0].flow_context, 0xC0FFEE);

	/* no flow at all, or no get_context: conditional callouts are skipped */
	tb_log_reset();
	tb_classify(&b->snap, &p, NULL, &r, &t, e, 8);
	assert_int_equal(tb_nlog, 1);
	assert_int_equal(tb_log[0].filterId, 3);
	tb_log_reset();
	tb_classify(&b->snap, &p, &no_get, &r, &t, e, 8);
	assert_int_equal(tb_nlog, 1);
	tb_free(b);
}

/* hits for every matching filter evaluated, calls for every classifyFn run. */
static void test_counters(void **state)
{
	struct tb *b = tb_new(FWP_ACTION_PERMIT);
	struct weir_explain_entry e[8];
	struct weir_classify_result r;
	struct weir_filter *f1, *f2, *f3, *f4, *f5;
	struct weir_trace t;
	struct tb_pkt p;
	unsigned i;

	(void)state;
	tb_sublayer(b, 2);
	tb_sublayer(b, 1);
	tb_register(b, 1, 3, 0);
	f1 = tb_filter(b, 0, 9, 1, INSP, 1, 0, C);
	f2 = tb_filter(b, 0, 8, 2, INSP, 7, 0, 0); /* unregistered: skipped, still a hit */
	f3 = tb_filter(b, 0, 7, 3, P, 0, 0, 0);
	f4 = tb_filter(b, 0, 6, 4, B, 0, 0, 0); /* below the decision: not evaluated */
	f5 = tb_filter(b, 1, 1, 5, B, 0, 0, 0);
	tb_cond(b, f5, 0, FWP_MATCH_EQUAL)->conditionValue =
	    (FWP_CONDITION_VALUE0){.type = FWP_UINT8, .uint8 = 6}; /* packets with 17 miss */
	tb_pkt_init(&p);
	tb_pkt_u8(&p, 0, 17);
	tb_build(b);
	for (i = 0; i < 3; i++)
		tb_classify(&b->snap, &p, NULL, &r, &t, e, 8);
	assert_int_equal(r.action, P);
	assert_int_equal(atomic_load(&f1->hits), 3);
	assert_int_equal(atomic_load(&f2->hits), 3);
	assert_int_equal(atomic_load(&f3->hits), 3);
	assert_int_equal(atomic_load(&f4->hits), 0);
	assert_int_equal(atomic_load(&f5->hits), 0);
	assert_int_equal(atomic_load(&b->regs[1].calls), 3);
	tb_pkt_u8(&p, 0, 6);
	tb_classify(&b->snap, &p, NULL, &r, &t, e, 8);
	assert_int_equal(r.action, B);
	assert_int_equal(atomic_load(&f5->hits), 1);
	tb_free(b);
}

/* Every trace field of an entry, and the default entry. */
static void test_trace_fields(void **state)
{
	struct tb *b = tb_new(FWP_ACTION_BLOCK);
	struct weir_explain_entry e[8];
	struct weir_classify_result r;
	struct weir_trace t;
	struct tb_pkt p;

	(void)state;
	tb_sublayer(b, 7);
	tb_sublayer(b, 3);
	tb_register(b, 4, 3, 0);
	tb_filter(b, 0, 1000, 21, TERM, 4, CLEAR, P | SCRIPT_CTX);
	tb_filter(b, 1, 5, 22, B, 0, 0, 0);
	tb_pkt_init(&p);
	tb_classify(tb_build(b), &p, NULL, &r, &t, e, 8);
	assert_int_equal(t.n, 2);
	assert_int_equal(e[0].filterId, 21);
	assert_int_equal(e[0].subLayerWeight, 7);
	assert_int_equal(e[0].weight, 1000);
	assert_int_equal(e[0].filterAction, TERM);
	assert_int_equal(e[0].calloutId, 4);
	assert_int_equal(e[0].calloutAction, P);
	assert_int_equal(e[0].result, P);
	assert_int_equal(e[0].actionAfter, P);
	assert_int_equal(e[0].rightsAfter, 0);
	assert_int_equal(e[0].reason, WEIR_EXPLAIN_CALLOUT_PERMIT);
	assert_int_equal(e[0].effect, WEIR_EXPLAIN_EFFECT_APPLIED);
	assert_int_equal(e[1].filterId, 22);
	assert_int_equal(e[1].subLayerWeight, 3);
	assert_int_equal(e[1].calloutId, 0);
	assert_int_equal(e[1].calloutAction, 0);
	assert_int_equal(e[1].result, B);
	assert_int_equal(e[1].actionAfter, P);
	assert_int_equal(e[1].rightsAfter, 0);
	assert_int_equal(e[1].reason, WEIR_EXPLAIN_STATIC_BLOCK);
	assert_int_equal(e[1].effect, WEIR_EXPLAIN_EFFECT_NO_RIGHT);
	/* the deciding callout's outContext is the result's */
	assert_int_equal(r.outContext, 2100);
	tb_free(b);

	b = tb_new(FWP_ACTION_BLOCK);
	tb_sublayer(b, 1);
	tb_filter(b, 0, 1, 1, INSP, 9, 0, 0);
	tb_classify(tb_build(b), &p, NULL, &r, &t, e, 8);
	assert_int_equal(t.n, 2);
	assert_int_equal(e[0].reason, WEIR_EXPLAIN_UNREGISTERED_SKIPPED);
	assert_int_equal(e[0].effect, WEIR_EXPLAIN_EFFECT_NONE);
	assert_int_equal(e[0].result, C);
	assert_int_equal(e[0].actionAfter, FWP_ACTION_NONE);
	assert_int_equal(e[1].filterId, 0);
	assert_int_equal(e[1].reason, WEIR_EXPLAIN_LAYER_DEFAULT);
	assert_int_equal(e[1].effect, WEIR_EXPLAIN_EFFECT_DEFAULT);
	assert_int_equal(e[1].result, B);
	assert_int_equal(e[1].rightsAfter, W);
	tb_free(b);
}

/* A static decision after a callout's drops the callout's outContext. */
static void test_out_context_follows_decider(void **state)
{
	struct tb *b = tb_new(FWP_ACTION_BLOCK);
	struct weir_classify_result r;
	struct tb_pkt p;

	(void)state;
	tb_sublayer(b, 2);
	tb_sublayer(b, 1);
	tb_register(b, 1, 3, 0);
	tb_filter(b, 0, 1, 1, TERM, 1, 0, P | SCRIPT_CTX);
	tb_filter(b, 1, 1, 2, P, 0, 0, 0);
	tb_pkt_init(&p);
	weir_classify_reference(tb_build(b), TB_LAYER, &p.in, NULL, NULL, NULL, NULL, &r, NULL);
	assert_int_equal(r.filterId, 2);
	assert_int_equal(r.outContext, 0);
	tb_free(b);
}

/* Entries past the capacity are counted, not written. */
static void test_trace_truncation(void **state)
{
	struct tb *b = tb_new(FWP_ACTION_PERMIT);
	struct weir_explain_entry e[3];
	struct weir_classify_result r;
	struct weir_trace t;
	struct tb_pkt p;
	unsigned i;

	(void)state;
	for (i = 0; i < 5; i++) {
		tb_sublayer(b, (UINT16)(10 - i));
		tb_filter(b, i, 1, i + 1, FWP_ACTION_CALLOUT_INSPECTION, 9, 0, 0);
	}
	memset(e, 0xAB, sizeof(e));
	tb_pkt_init(&p);
	tb_classify(tb_build(b), &p, NULL, &r, &t, e, 2);
	assert_int_equal(t.n, 6); /* five filters and the default */
	assert_int_equal(e[0].filterId, 1);
	assert_int_equal(e[1].filterId, 2);
	assert_int_equal(e[2].filterId, 0xABABABABABABABABull); /* untouched */
	tb_classify(&b->snap, &p, NULL, &r, &t, NULL, 0);
	assert_int_equal(t.n, 6);
	tb_free(b);
}

/* Only matching filters are evaluated; conditions decide which. */
static void test_only_matching_filters(void **state)
{
	struct tb *b = tb_new(FWP_ACTION_PERMIT);
	struct weir_explain_entry e[8];
	struct weir_classify_result r;
	struct weir_filter *f;
	struct weir_trace t;
	struct tb_pkt p;

	(void)state;
	tb_sublayer(b, 1);
	tb_register(b, 1, 3, 0);
	f = tb_filter(b, 0, 9, 1, TERM, 1, 0, B);
	tb_cond(b, f, 1, FWP_MATCH_EQUAL)->conditionValue =
	    (FWP_CONDITION_VALUE0){.type = FWP_UINT16, .uint16 = 80};
	f = tb_filter(b, 0, 5, 2, B, 0, 0, 0);
	tb_cond(b, f, 1, FWP_MATCH_EQUAL)->conditionValue =
	    (FWP_CONDITION_VALUE0){.type = FWP_UINT16, .uint16 = 443};
	tb_build(b);
	tb_pkt_init(&p);
	tb_pkt_u16(&p, 1, 443);
	tb_log_reset();
	tb_classify(&b->snap, &p, NULL, &r, &t, e, 8);
	assert_int_equal(r.action, B);
	assert_int_equal(r.filterId, 2);
	assert_int_equal(tb_nlog, 0);
	assert_int_equal(t.n, 1);
	tb_pkt_u16(&p, 1, 22);
	tb_classify(&b->snap, &p, NULL, &r, &t, e, 8);
	assert_true(r.by_default);
	/* an absent (FWP_EMPTY) field satisfies no condition */
	tb_pkt_init(&p);
	tb_classify(&b->snap, &p, NULL, &r, &t, e, 8);
	assert_true(r.by_default);
	tb_free(b);
}

/* The reason and result traced for each kind of callout and each answer. */
static void test_reasons(void **state)
{
	static const struct {
		FWP_ACTION_TYPE type;
		UINT64 script;
		FWP_ACTION_TYPE result;
		enum weir_explain_reason reason;
	} k[] = {
	    {TERM, P, P, WEIR_EXPLAIN_CALLOUT_PERMIT},
	    {TERM, B, B, WEIR_EXPLAIN_CALLOUT_BLOCK},
	    {TERM, B | SCRIPT_ABSORB, B, WEIR_EXPLAIN_CALLOUT_ABSORB},
	    {TERM, C, B, WEIR_EXPLAIN_TERMINATING_CONTINUED},
	    {TERM, FWP_ACTION_NONE, B, WEIR_EXPLAIN_TERMINATING_CONTINUED},
	    {TERM, FWP_ACTION_NONE_NO_MATCH, B, WEIR_EXPLAIN_TERMINATING_CONTINUED},
	    {TERM, 0x99, B, WEIR_EXPLAIN_BAD_ACTION},
	    {UNK, P, P, WEIR_EXPLAIN_CALLOUT_PERMIT},
	    {UNK, C, C, WEIR_EXPLAIN_CALLOUT_CONTINUE},
	    {UNK, FWP_ACTION_NONE, C, WEIR_EXPLAIN_CALLOUT_CONTINUE},
	    {UNK, FWP_ACTION_NONE_NO_MATCH, C, WEIR_EXPLAIN_CALLOUT_CONTINUE},
	    {UNK, 0x99, C, WEIR_EXPLAIN_BAD_ACTION},
	    {INSP, C, C, WEIR_EXPLAIN_CALLOUT_CONTINUE},
	    {INSP, FWP_ACTION_NONE, C, WEIR_EXPLAIN_CALLOUT_CONTINUE},
	    {INSP, 0, C, WEIR_EXPLAIN_CALLOUT_CONTINUE}, /* left as passed in */
	    {INSP, P, C, WEIR_EXPLAIN_INSPECTION_DECIDED},
	    {INSP, B, C, WEIR_EXPLAIN_INSPECTION_DECIDED},
	    {INSP, 0x99, C, WEIR_EXPLAIN_BAD_ACTION},
	    {INSP, B | SCRIPT_ABSORB, B, WEIR_EXPLAIN_CALLOUT_ABSORB},
	};
	struct weir_explain_entry e[4];
	struct weir_classify_result r;
	struct weir_trace t;
	struct tb_pkt p;
	size_t i;

	(void)state;
	tb_pkt_init(&p);
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct tb *b = tb_new(FWP_ACTION_PERMIT);

		tb_sublayer(b, 1);
		tb_register(b, 1, 3, 0);
		tb_filter(b, 0, 1, 1, k[i].type, 1, 0, k[i].script);
		tb_classify(tb_build(b), &p, NULL, &r, &t, e, 4);
		if (e[0].result != k[i].result || e[0].reason != k[i].reason)
			fail_msg("case %zu: result %#x reason %d", i, e[0].result, e[0].reason);
		assert_int_equal(e[0].calloutAction,
		                 k[i].script ? (UINT32)k[i].script : FWP_ACTION_NONE);
		tb_free(b);
	}
	/* an inspection callout leaving the carried PERMIT as it was broke no contract */
	{
		struct tb *b = tb_new(FWP_ACTION_BLOCK);

		tb_sublayer(b, 2);
		tb_sublayer(b, 1);
		tb_register(b, 1, 3, 0);
		tb_filter(b, 0, 1, 1, P, 0, 0, 0);
		tb_filter(b, 1, 1, 2, INSP, 1, 0, 0);
		tb_classify(tb_build(b), &p, NULL, &r, &t, e, 4);
		assert_int_equal(e[1].calloutAction, P);
		assert_int_equal(e[1].result, C);
		assert_int_equal(e[1].reason, WEIR_EXPLAIN_CALLOUT_CONTINUE);
		assert_int_equal(r.filterId, 1);
		tb_free(b);
	}
}

/* Layer default values other than BLOCK mean PERMIT. */
static void test_default_normalised(void **state)
{
	struct tb *b = tb_new(0);
	struct weir_classify_result r;
	struct tb_pkt p;

	(void)state;
	tb_pkt_init(&p);
	weir_classify_reference(tb_build(b), TB_LAYER, &p.in, NULL, NULL, NULL, NULL, &r, NULL);
	assert_int_equal(r.action, P);
	assert_true(r.by_default);
	assert_int_equal(r.filterId, 0);
	tb_free(b);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_callout_sees_carried_state),
	    cmocka_unit_test(test_pass_through_arguments),
	    cmocka_unit_test(test_conditional_on_flow),
	    cmocka_unit_test(test_counters),
	    cmocka_unit_test(test_trace_fields),
	    cmocka_unit_test(test_out_context_follows_decider),
	    cmocka_unit_test(test_trace_truncation),
	    cmocka_unit_test(test_only_matching_filters),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_default_normalised),
	};
	size_t nc = sizeof(cases) / sizeof(cases[0]), nf = sizeof(fixed) / sizeof(fixed[0]), i;
	struct CMUnitTest *all = calloc(nc + nf, sizeof(*all));
	int rc;

	if (all == NULL)
		return 1;
	for (i = 0; i < nc; i++) {
		all[i].name = cases[i].name;
		all[i].test_func = run_case;
		all[i].initial_state = (void *)&cases[i];
	}
	memcpy(&all[nc], fixed, sizeof(fixed));
	rc = _cmocka_run_group_tests("arbitration", all, nc + nf, NULL, NULL);
	free(all);
	return rc;
}
