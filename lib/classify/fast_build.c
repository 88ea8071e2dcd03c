/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier's compile (control side): the knobs, gathering a
 * layer's rules into a base, compiling it into rte_acl contexts with shards
 * that grow while the compile stays cheap, and weir_fast_build(), which gives
 * a layer policy a delta view or a fresh compile.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_acl.h>
#include <rte_log.h>

#include "classify/fast_private.h"

static atomic_bool enabled;
static atomic_bool delta_on = true;
static atomic_bool grow_on = true;
static atomic_size_t max_size = WEIR_FAST_DEFAULT_MAX_SIZE;
static atomic_uint ctx_seq;
static atomic_uint max_rules = WEIR_FAST_DEFAULT_MAX_RULES;

/* The last base compiled per layer (engine lock). */
struct weir_fast_base *fast_latest[WEIR_LAYER_COUNT];

void weir_fast_set_max_rules(uint32_t n)
{
	atomic_store(&max_rules, n ? n : WEIR_FAST_DEFAULT_MAX_RULES);
}

uint32_t weir_fast_max_rules(void)
{
	return atomic_load(&max_rules);
}

void weir_fast_enable(bool on)
{
	atomic_store(&enabled, on);
	if (!on)
		fast_builder_stop();
}

bool weir_fast_enabled(void)
{
	return atomic_load(&enabled);
}

void weir_fast_set_max_size(size_t bytes)
{
	atomic_store(&max_size, bytes ? bytes : WEIR_FAST_DEFAULT_MAX_SIZE);
}

size_t weir_fast_max_size(void)
{
	return atomic_load(&max_size);
}

void weir_fast_set_grow(bool on)
{
	atomic_store(&grow_on, on);
}

void weir_fast_set_delta(bool on)
{
	atomic_store(&delta_on, on);
}

void fast_base_unref(struct weir_fast_base *b)
{
	uint32_t i;

	if (b == NULL || atomic_fetch_sub(&b->ref, 1) != 1)
		return;
	for (i = 0; i < b->n_ctx; i++)
		rte_acl_free(b->ctx[i].acl);
	free(b->ctx);
	free(b->keys);
	free(b->settle);
	free(b->sl_of);
	free(b->rules);
	free(b);
}

/*
 * Everything a compile needs from @p lp, copied (engine lock held): the
 * field map, each filter's rule, key, exactness and sublayer, the contexts'
 * layout. Compiling it needs no lock.
 */
int fast_base_prepare(const struct weir_layer_policy *lp, struct weir_fast_base **out)
{
	struct weir_fast_base *fp;
	uint32_t n_grp, g, cap, i, s, max_ctx;
	size_t rsz;

	*out = NULL;
	if (lp->n_sublayers > WEIR_FAST_MAX_SUBLAYERS || lp->n_filters >= RTE_ACL_MAX_PRIORITY)
		return -ENOSPC;
	fp = calloc(1, sizeof(*fp));
	if (fp == NULL)
		return -ENOMEM;
	atomic_init(&fp->ref, 1);
	fp->n_filters = lp->n_filters;
	fp->n_sublayers = lp->n_sublayers;
	fast_map_fields(fp, lp);
	weir_extract_plan(&fp->extract, lp->filters[0]->layer, fp->maps, fp->n_maps);
	rsz = RTE_ACL_RULE_SZ(fp->n_defs);
	cap = weir_fast_max_rules();
	n_grp = (lp->n_sublayers + CATS_PER_CTX - 1) / CATS_PER_CTX;
	max_ctx = n_grp + lp->n_filters / cap + 2; /* + a spare slot for compile_timed() */
	fp->keys = malloc(lp->n_filters * sizeof(*fp->keys));
	fp->settle = malloc(lp->n_filters);
	fp->sl_of = malloc(lp->n_filters * sizeof(*fp->sl_of));
	fp->rules = malloc(lp->n_filters * rsz);
	fp->ctx = calloc(max_ctx, sizeof(*fp->ctx));
	if (!fp->keys || !fp->settle || !fp->sl_of || !fp->rules || !fp->ctx) {
		fast_base_unref(fp);
		return -ENOMEM;
	}
	for (s = 0; s < lp->n_sublayers; s++) {
		const struct weir_sublayer_rules *sl = &lp->sublayers[s];

		for (i = sl->first; i < sl->first + sl->count; i++) {
			struct fast_rule r;

			fast_make_rule(fp, lp, i, s % CATS_PER_CTX, &r);
			memcpy((uint8_t *)fp->rules + i * rsz, &r, rsz);
			fp->keys[i] = weir_order_key_of(lp->filters[i]);
			fp->settle[i] = fast_settle_of(fp, &lp->filters[i]->rt);
			fp->sl_of[i] = s;
		}
	}
	for (g = 0; g < n_grp; g++) {
		uint32_t first = g * CATS_PER_CTX, n = lp->n_sublayers - first;
		const struct weir_sublayer_rules *end;
		uint32_t lo, hi;

		n = n > CATS_PER_CTX ? CATS_PER_CTX : n;
		end = &lp->sublayers[first + n - 1];
		hi = end->first + end->count;
		/* shards in arbitration order: the first with a hit has the earliest */
		for (lo = lp->sublayers[first].first; lo < hi; lo += cap) {
			struct weir_fast_ctx *c = &fp->ctx[fp->n_ctx++];

			c->first_sl = first;
			c->n_sl = n;
			c->lo = lo;
			c->hi = hi - lo > cap ? lo + cap : hi;
			c->last = c->hi == hi;
			/* rte_acl: 1 or a multiple of RTE_ACL_RESULTS_MULTIPLIER */
			c->n_cat = n == 1 ? 1 : RTE_ALIGN_CEIL(n, RTE_ACL_RESULTS_MULTIPLIER);
		}
	}
	fp->one_group = n_grp == 1;
	fp->stride = fp->ctx[0].n_cat;
	*out = fp;
	return 0;
}

static int compile_ctx(struct weir_fast_base *fp, uint32_t c)
{
	struct weir_fast_ctx *x = &fp->ctx[c];
	size_t rsz = RTE_ACL_RULE_SZ(fp->n_defs);
	struct rte_acl_config cfg;
	struct rte_acl_param prm;
	char name[RTE_ACL_NAMESIZE];
	uint32_t i, nf = x->hi - x->lo;
	int rc;

	snprintf(name, sizeof(name), "weir_fast_%u", atomic_fetch_add(&ctx_seq, 1));
	memset(&prm, 0, sizeof(prm));
	prm.name = name;
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = (uint32_t)rsz;
	prm.max_rule_num = nf;
	x->acl = rte_acl_create(&prm);
	if (x->acl == NULL)
		return rte_errno ? -rte_errno : -ENOMEM;
	rc = rte_acl_add_rules(
	    x->acl, (const struct rte_acl_rule *)((uint8_t *)fp->rules + x->lo * rsz), nf);
	if (rc != 0)
		return rc;
	memset(&cfg, 0, sizeof(cfg));
	cfg.num_categories = x->n_cat;
	cfg.num_fields = fp->n_defs;
	/* word 0: one leading byte (rte_acl wants a 1-byte first field): 0 or a UINT8 field */
	cfg.defs[0].type = RTE_ACL_FIELD_TYPE_BITMASK;
	cfg.defs[0].size = 1;
	for (i = 0; i < fp->n_maps; i++) {
		const struct weir_fast_map *m = &fp->maps[i];
		uint32_t w, n = m->kind == WEIR_FAST_K_V6 ? 4 : 1;

		if (m->lead) {
			cfg.defs[0].type = RTE_ACL_FIELD_TYPE_RANGE;
			continue;
		}

		for (w = 0; w < n; w++) {
			struct rte_acl_field_def *d = &cfg.defs[m->def + w];

			d->type = m->kind == WEIR_FAST_K_RANGE ? RTE_ACL_FIELD_TYPE_RANGE
			                                       : RTE_ACL_FIELD_TYPE_MASK;
			d->size = m->half ? 2 : 4;
			d->field_index = m->def + w;
			d->input_index = m->slot + w;
			d->offset = 4 * (m->slot + w) + (m->half == 2 ? 2 : 0);
		}
	}
	cfg.max_size = weir_fast_max_size();
	rc = rte_acl_build(x->acl, &cfg);
	if (rc == -ERANGE || rc == -ENOMEM) {
		RTE_LOG(ERR, USER1,
		        "weir: fast classifier: %u filters do not fit (max_size %zu bytes, "
		        "rte_acl: %s); the layer keeps the reference classifier\n",
		        nf, cfg.max_size, strerror(-rc));
		return -ENOSPC;
	}
	return rc;
}

static double mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Compile one shard into x->acl; *ms: how long it took. */
static int compile_timed(struct weir_fast_base *fp, struct weir_fast_ctx *x, double *ms)
{
	double t0 = mono_ms();
	int rc;

	fp->ctx[fp->n_ctx] = *x; /* compile_ctx() works on a slot: the spare one past the end */
	rc = compile_ctx(fp, fp->n_ctx);
	x->acl = fp->ctx[fp->n_ctx].acl;
	fp->ctx[fp->n_ctx].acl = NULL;
	*ms = mono_ms() - t0;
	return rc;
}

/*
 * Compile what fast_base_prepare() gathered (no lock needed). Each classify walks
 * every context, so fewer is faster; but rte_acl's build cost explodes on
 * some rule mixes (wildcard-heavy sets: seconds and gigabytes for a few
 * thousand rules) and cannot be bounded or interrupted. So a shard starts
 * at weir_fast_max_rules() filters and doubles (merging the planned shards
 * that follow it in its sublayer group) while its compile takes under
 * WEIR_FAST_GROW_MAX_MS and a doubling costs at most about four times the
 * compile before it (ClassBench acl1 grows to 4096-filter shards; fw1 and
 * ipc1, whose compiles explode, stay near the start size); a step that
 * costs more is dropped and the smaller shard kept.
 */
int fast_base_compile(struct weir_fast_base *fp)
{
	uint32_t c = 0, out = 0;
	int rc = 0;

	while (c < fp->n_ctx) {
		struct weir_fast_ctx cur = fp->ctx[c];
		uint32_t next = c + 1;
		double t, t2;

		rc = compile_timed(fp, &cur, &t);
		while (rc == 0 && atomic_load(&grow_on) && !fp->ctx[next - 1].last &&
		       t < WEIR_FAST_GROW_MAX_MS) {
			uint32_t end = next + (next - c), k;
			struct weir_fast_ctx big;

			if (end > fp->n_ctx)
				end = fp->n_ctx;
			for (k = next; k < end; k++)
				if (fp->ctx[k].last) { /* not past its sublayer group */
					end = k + 1;
					break;
				}
			big = cur;
			big.acl = NULL;
			big.hi = fp->ctx[end - 1].hi;
			big.last = fp->ctx[end - 1].last;
			if (compile_timed(fp, &big, &t2) != 0 || t2 > 4 * t + 2) {
				rte_acl_free(big.acl);
				break;
			}
			rte_acl_free(cur.acl);
			cur = big;
			t = t2;
			next = end;
		}
		fp->ctx[out++] = cur; /* out <= c: nothing still to be read is overwritten */
		if (rc != 0)
			break;
		c = next;
	}
	/* contexts planned but not compiled (after a failure) hold nothing */
	for (c = out; c <= fp->n_ctx; c++)
		fp->ctx[c].acl = NULL;
	fp->n_ctx = out;
	if (rc != 0)
		return rc;
	free(fp->rules);
	fp->rules = NULL;
	return 0;
}

/* A fresh compile of @p lp: it becomes the layer's base. Engine lock held. */
static int build_now(struct weir_layer_policy *lp, enum weir_layer layer)
{
	struct weir_fast_base *b;
	struct weir_fast *v;
	int rc = fast_base_prepare(lp, &b);

	if (rc == 0)
		rc = fast_base_compile(b);
	if (rc == 0)
		rc = fast_view_make(b, lp, &v);
	if (rc != 0) {
		fast_base_unref(b);
		return rc;
	}
	fast_base_unref(fast_latest[layer]);
	fast_latest[layer] = b; /* the reference fast_base_prepare() gave */
	lp->fast = v;
	return 0;
}

int weir_fast_build(struct weir_layer_policy *lp, enum weir_layer layer)
{
	struct weir_fast *v;

	if (!weir_fast_enabled())
		return 0;
	if (lp->n_filters == 0) {
		fast_base_unref(fast_latest[layer]);
		fast_latest[layer] = NULL;
		return 0;
	}
	if (lp->n_sublayers > WEIR_FAST_MAX_SUBLAYERS)
		return -ENOSPC; /* a delta could add sublayers past what a view holds */
	if (atomic_load(&delta_on) && fast_latest[layer] != NULL &&
	    fast_view_make(fast_latest[layer], lp, &v) == 0) {
		lp->fast = v;
		if (!v->identity)
			fast_request_build(layer);
		return 0;
	}
	return build_now(lp, layer);
}
