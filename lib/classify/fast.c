/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier: relax each filter into an rte_acl rule, find each
 * sublayer's first candidate per packet, settle exact static candidates on
 * the spot and let the reference arbitration run from the candidates
 * otherwise; keep small changes as a delta over the last compiled base
 * while a background thread compiles the next one. The scheme and why it is
 * exact are in fast.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "classify/fast.h"
#include "classify/match.h"
#include "mgmt/engine.h"

#define CATS_PER_CTX RTE_ACL_MAX_CATEGORIES
#define MAX_SLOTS WEIR_FAST_MAX_SLOTS
#define NONE UINT32_MAX

RTE_ACL_RULE_DEF(fast_rule, RTE_ACL_MAX_FIELDS);

static atomic_bool enabled;
static atomic_bool delta_on = true;
static atomic_bool grow_on = true;
static atomic_size_t max_size = WEIR_FAST_DEFAULT_MAX_SIZE;
static atomic_uint ctx_seq;
static atomic_uint max_rules = WEIR_FAST_DEFAULT_MAX_RULES;

/* The last base compiled per layer (engine lock). */
static struct weir_fast_base *latest[WEIR_LAYER_COUNT];

/* The background builder. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t wake, idle;
	pthread_t thr;
	bool running, stop, busy, hold;
	uint64_t pending; /* layers to recompile */
	uint64_t builds;
} bld = {.mu = PTHREAD_MUTEX_INITIALIZER,
         .wake = PTHREAD_COND_INITIALIZER,
         .idle = PTHREAD_COND_INITIALIZER};

static void builder_stop(void);

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
		builder_stop();
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

/* The value type a condition compares the incoming value with. */
static FWP_DATA_TYPE cond_vtype(const FWPS_FILTER_CONDITION0 *c)
{
	const FWP_CONDITION_VALUE0 *cv = &c->conditionValue;

	switch (cv->type) {
	case FWP_V4_ADDR_MASK:
		return FWP_UINT32;
	case FWP_V6_ADDR_MASK:
		return FWP_BYTE_ARRAY16_TYPE;
	case FWP_RANGE_TYPE:
		return cv->rangeValue->valueLow.type;
	default:
		return cv->type;
	}
}

static uint32_t type_max(FWP_DATA_TYPE t)
{
	return t == FWP_UINT8 ? 0xFF : t == FWP_UINT16 ? 0xFFFF : 0xFFFFFFFF;
}

/* Leading ones of a host-order mask. */
static unsigned lead_ones(uint32_t m)
{
	unsigned n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	return n;
}

static uint32_t prefix_mask(unsigned bits)
{
	return bits == 0 ? 0 : 0xFFFFFFFFu << (32 - bits);
}

/*
 * A superset of the values scalar condition @p c accepts, as [*lo, *hi].
 * @return false when it cannot say (wildcard).
 */
static bool cond_interval(const FWPS_FILTER_CONDITION0 *c, FWP_DATA_TYPE vt, uint32_t *lo,
                          uint32_t *hi)
{
	const FWP_CONDITION_VALUE0 *cv = &c->conditionValue;
	uint32_t max = type_max(vt);
	UINT64 x, y;

	if (cond_vtype(c) != vt)
		return false;
	if (cv->type == FWP_V4_ADDR_MASK) {
		uint32_t pm = prefix_mask(lead_ones(cv->v4AddrMask->mask));

		if (c->matchType != FWP_MATCH_EQUAL && c->matchType != FWP_MATCH_PREFIX)
			return false;
		*lo = cv->v4AddrMask->addr & pm;
		*hi = *lo | ~pm;
		return true;
	}
	if (cv->type == FWP_RANGE_TYPE) {
		FWP_VALUE0 a = cv->rangeValue->valueLow, b = cv->rangeValue->valueHigh;

		if (c->matchType != FWP_MATCH_RANGE || b.type != vt ||
		    !weir_match_value_uint(&a, &x) || !weir_match_value_uint(&b, &y) || x > y)
			return false;
		*lo = (uint32_t)x;
		*hi = (uint32_t)y;
		return true;
	}
	if (!weir_match_cond_uint(cv, &x))
		return false;
	switch (c->matchType) {
	case FWP_MATCH_EQUAL:
		*lo = *hi = (uint32_t)x;
		return true;
	case FWP_MATCH_GREATER:
		if (x >= max)
			return false;
		*lo = (uint32_t)x + 1;
		*hi = max;
		return true;
	case FWP_MATCH_GREATER_OR_EQUAL:
		*lo = (uint32_t)x;
		*hi = max;
		return true;
	case FWP_MATCH_LESS:
		if (x == 0)
			return false;
		*lo = 0;
		*hi = (uint32_t)x - 1;
		return true;
	case FWP_MATCH_LESS_OR_EQUAL:
		*lo = 0;
		*hi = (uint32_t)x;
		return true;
	default:
		return false;
	}
}

/* A superset of what a V6 condition accepts: a prefix of @p addr. */
static bool cond_prefix6(const FWPS_FILTER_CONDITION0 *c, const UINT8 **addr, unsigned *bits)
{
	const FWP_CONDITION_VALUE0 *cv = &c->conditionValue;

	if (c->matchType != FWP_MATCH_EQUAL && c->matchType != FWP_MATCH_PREFIX)
		return false;
	if (cv->type == FWP_V6_ADDR_MASK) {
		*addr = cv->v6AddrMask->addr;
		*bits = cv->v6AddrMask->prefixLength > 128 ? 128 : cv->v6AddrMask->prefixLength;
		return true;
	}
	if (cv->type == FWP_BYTE_ARRAY16_TYPE && c->matchType == FWP_MATCH_EQUAL) {
		*addr = cv->byteArray16->byteArray16;
		*bits = 128;
		return true;
	}
	return false;
}

/* The first OR group of @p rt on @p field: [*b, *e) of its conditions. */
static bool first_group(const FWPS_FILTER3 *rt, UINT16 field, UINT32 *b, UINT32 *e)
{
	UINT32 i, n = rt->numFilterConditions;

	for (i = 0; i < n && rt->filterCondition[i].fieldId != field; i++)
		;
	if (i == n)
		return false;
	*b = i;
	while (i < n && rt->filterCondition[i].fieldId == field)
		i++;
	*e = i;
	return true;
}

/* Hull of a scalar group; false: wildcard. */
static bool group_interval(const FWPS_FILTER3 *rt, const struct weir_fast_map *m, uint32_t *lo,
                           uint32_t *hi)
{
	uint32_t l, h, gl = 0, gh = 0;
	UINT32 b, e, i;

	if (!first_group(rt, m->field, &b, &e))
		return false;
	for (i = b; i < e; i++) {
		if (!cond_interval(&rt->filterCondition[i], m->vtype, &l, &h))
			return false;
		if (i == b || l < gl)
			gl = l;
		if (i == b || h > gh)
			gh = h;
	}
	*lo = gl;
	*hi = gh;
	return true;
}

/* Hull of a V6 group as one prefix; false: wildcard. */
static bool group_prefix6(const FWPS_FILTER3 *rt, const struct weir_fast_map *m, UINT8 out[16],
                          unsigned *bits)
{
	UINT32 b, e, i;

	if (!first_group(rt, m->field, &b, &e))
		return false;
	for (i = b; i < e; i++) {
		const UINT8 *a;
		unsigned n, k;

		if (cond_vtype(&rt->filterCondition[i]) != FWP_BYTE_ARRAY16_TYPE ||
		    !cond_prefix6(&rt->filterCondition[i], &a, &n))
			return false;
		if (i == b) {
			memcpy(out, a, 16);
			*bits = n;
			continue;
		}
		if (n < *bits)
			*bits = n;
		for (k = 0; k < *bits && !((a[k / 8] ^ out[k / 8]) & (0x80 >> (k % 8))); k++)
			;
		*bits = k;
	}
	return true;
}

/*
 * Place the mapped fields in the key: 16-bit fields two to a word as 2-byte
 * RANGE fields (shallower tries than 4-byte ones, as rte_acl's examples do
 * for ports); a 16-bit field left alone keeps a whole word.
 */
static void layout(struct weir_fast_base *fp)
{
	struct weir_fast_map *pend = NULL;
	uint32_t k, w, h;

	fp->n_words = 1;
	fp->n_defs = 1;
	/*
	 * rte_acl's first field is one byte: a one-byte field (the protocol,
	 * typically) takes it, saving the trie a 4-byte word.
	 */
	for (k = 0; k < fp->n_maps; k++)
		if (fp->maps[k].vtype == FWP_UINT8) {
			fp->maps[k].lead = 1;
			fp->maps[k].kind = WEIR_FAST_K_RANGE;
			break;
		}
	for (k = 0; k < fp->n_maps; k++) {
		struct weir_fast_map *m = &fp->maps[k];
		uint32_t n = m->kind == WEIR_FAST_K_V6 ? 4 : 1;

		if (m->lead)
			continue; /* slot 0, def 0 */
		if (m->vtype == FWP_UINT16) {
			m->kind = WEIR_FAST_K_RANGE;
			if (pend != NULL) {
				m->slot = pend->slot;
				m->half = 2;
				pend = NULL;
				continue;
			}
			m->half = 1;
			pend = m;
		}
		m->slot = (uint8_t)fp->n_words;
		fp->n_words += n;
	}
	if (pend != NULL)
		pend->half = 0;
	/* rte_acl wants the fields of one input word next to each other, in order */
	for (w = 1; w < fp->n_words; w++)
		for (h = 0; h <= 2; h++)
			for (k = 0; k < fp->n_maps; k++) {
				struct weir_fast_map *m = &fp->maps[k];

				if (!m->lead && m->slot == w && m->half == h) {
					m->def = (uint8_t)fp->n_defs;
					fp->n_defs += m->kind == WEIR_FAST_K_V6 ? 4 : 1;
				}
			}
}

/* Choose the mapped fields and their kinds from the layer's conditions. */
static void map_fields(struct weir_fast_base *fp, const struct weir_layer_policy *lp)
{
	uint32_t i, j, k;

	fp->n_defs = 1;
	for (i = 0; i < lp->n_filters; i++) {
		const FWPS_FILTER3 *rt = &lp->filters[i]->rt;

		for (j = 0; j < rt->numFilterConditions; j++) {
			const FWPS_FILTER_CONDITION0 *c = &rt->filterCondition[j];
			FWP_DATA_TYPE vt = cond_vtype(c);
			struct weir_fast_map *m = NULL;
			unsigned need;

			for (k = 0; k < fp->n_maps; k++)
				if (fp->maps[k].field == c->fieldId)
					m = &fp->maps[k];
			if (m != NULL)
				continue;
			if (vt == FWP_UINT8 || vt == FWP_UINT16 || vt == FWP_UINT32)
				need = 1;
			else if (vt == FWP_BYTE_ARRAY16_TYPE)
				need = 4;
			else
				continue; /* not mapped: wildcard */
			if (fp->n_defs + need > RTE_ACL_MAX_FIELDS)
				continue;
			m = &fp->maps[fp->n_maps++];
			m->field = c->fieldId;
			m->vtype = vt;
			m->kind = need == 4 ? WEIR_FAST_K_V6 : WEIR_FAST_K_MASK;
			fp->n_defs += need;
		}
	}
	/* MASK only where every rule's hull is exactly a prefix */
	for (k = 0; k < fp->n_maps; k++) {
		struct weir_fast_map *m = &fp->maps[k];

		if (m->kind != WEIR_FAST_K_MASK)
			continue;
		for (i = 0; i < lp->n_filters; i++) {
			uint32_t lo, hi;
			unsigned bits;

			if (!group_interval(&lp->filters[i]->rt, m, &lo, &hi))
				continue;
			bits = lo == hi ? 32 : (unsigned)__builtin_clz(lo ^ hi);
			if ((lo & ~prefix_mask(bits)) != 0 ||
			    (hi | prefix_mask(bits)) != 0xFFFFFFFFu) {
				m->kind = WEIR_FAST_K_RANGE;
				break;
			}
		}
	}
	layout(fp);
}

static uint32_t be_word(const UINT8 *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The ACL rule of filter @p idx (its sublayer is category @p cat). */
static void make_rule(const struct weir_fast_base *fp, const struct weir_layer_policy *lp,
                      uint32_t idx, uint32_t cat, struct fast_rule *r)
{
	const FWPS_FILTER3 *rt = &lp->filters[idx]->rt;
	uint32_t k, w;

	memset(r, 0, sizeof(*r));
	r->data.category_mask = 1u << cat;
	r->data.priority = (int32_t)(RTE_ACL_MAX_PRIORITY - idx);
	r->data.userdata = idx + 1;
	for (k = 0; k < fp->n_maps; k++) {
		const struct weir_fast_map *m = &fp->maps[k];
		struct rte_acl_field *f = &r->field[m->def];
		uint32_t lo = 0, hi = 0xFFFFFFFF;
		UINT8 a[16];
		unsigned bits = 0;

		switch (m->kind) {
		case WEIR_FAST_K_RANGE:
			if (m->lead) {
				hi = 0xFF;
				group_interval(rt, m, &lo, &hi);
				f->value.u8 = (uint8_t)lo;
				f->mask_range.u8 = (uint8_t)hi;
				break;
			}
			if (m->half) {
				hi = 0xFFFF;
				group_interval(rt, m, &lo, &hi);
				f->value.u16 = (uint16_t)lo;
				f->mask_range.u16 = (uint16_t)hi;
				break;
			}
			group_interval(rt, m, &lo, &hi);
			f->value.u32 = lo;
			f->mask_range.u32 = hi;
			break;
		case WEIR_FAST_K_MASK:
			if (group_interval(rt, m, &lo, &hi)) {
				bits = lo == hi ? 32 : (unsigned)__builtin_clz(lo ^ hi);
				f->value.u32 = lo;
				f->mask_range.u32 = bits;
			}
			break;
		default:
			if (!group_prefix6(rt, m, a, &bits))
				break; /* zero: /0 in every word */
			for (w = 0; w < 4; w++) {
				unsigned b = bits > 32 * w ? bits - 32 * w : 0;

				if (b > 32)
					b = 32;
				f[w].value.u32 = be_word(a + 4 * w) & prefix_mask(b);
				f[w].mask_range.u32 = b;
			}
			break;
		}
	}
}

/*
 * Is @p rt's rule exactly its conditions, for a packet whose mapped fields
 * are present with the mapped types? Each condition alone on its field,
 * mapped, of the mapped type, and an interval or a contiguous prefix.
 */
static bool rule_exact(const struct weir_fast_base *fp, const FWPS_FILTER3 *rt)
{
	UINT32 i, j, n = rt->numFilterConditions;

	for (j = 0; j < n; j++) {
		const FWPS_FILTER_CONDITION0 *c = &rt->filterCondition[j];
		const struct weir_fast_map *m = NULL;
		uint32_t k, lo, hi;
		const UINT8 *a;
		unsigned bits;

		for (i = 0; i < n; i++)
			if (i != j && rt->filterCondition[i].fieldId == c->fieldId)
				return false;
		for (k = 0; k < fp->n_maps && m == NULL; k++)
			if (fp->maps[k].field == c->fieldId)
				m = &fp->maps[k];
		if (m == NULL || cond_vtype(c) != m->vtype)
			return false;
		if (m->kind == WEIR_FAST_K_V6) {
			if (!cond_prefix6(c, &a, &bits))
				return false;
			continue;
		}
		if (!cond_interval(c, m->vtype, &lo, &hi))
			return false;
		if (c->conditionValue.type == FWP_V4_ADDR_MASK) {
			uint32_t mask = c->conditionValue.v4AddrMask->mask;

			if (mask != prefix_mask(lead_ones(mask)))
				return false;
		}
	}
	return true;
}

/* What a hit on @p rt settles by itself (fast.h: exact rules). */
static uint8_t settle_of(const struct weir_fast_base *fp, const FWPS_FILTER3 *rt)
{
	if (!rule_exact(fp, rt))
		return WEIR_FAST_S_NONE;
	switch (rt->action.type) {
	case FWP_ACTION_PERMIT:
		return (rt->flags & FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) ? WEIR_FAST_S_PERMIT_HARD
		                                                         : WEIR_FAST_S_PERMIT;
	case FWP_ACTION_BLOCK:
		return WEIR_FAST_S_BLOCK;
	default:
		return WEIR_FAST_S_NONE;
	}
}

static void base_unref(struct weir_fast_base *b)
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
static int base_prepare(const struct weir_layer_policy *lp, struct weir_fast_base **out)
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
	map_fields(fp, lp);
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
		base_unref(fp);
		return -ENOMEM;
	}
	for (s = 0; s < lp->n_sublayers; s++) {
		const struct weir_sublayer_rules *sl = &lp->sublayers[s];

		for (i = sl->first; i < sl->first + sl->count; i++) {
			struct fast_rule r;

			make_rule(fp, lp, i, s % CATS_PER_CTX, &r);
			memcpy((uint8_t *)fp->rules + i * rsz, &r, rsz);
			fp->keys[i] = weir_order_key_of(lp->filters[i]);
			fp->settle[i] = settle_of(fp, &lp->filters[i]->rt);
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
 * Compile what base_prepare() gathered (no lock needed). Each classify walks
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
static int base_compile(struct weir_fast_base *fp)
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

static void view_free(struct weir_fast *v)
{
	if (v == NULL)
		return;
	base_unref(v->base);
	free(v->pos);
	free(v->gone);
	free(v->sl_map);
	free(v->added);
	free(v->add_sl);
	free(v);
}

void *weir_fast_ref(void *fast)
{
	struct weir_fast *v = fast;

	if (v != NULL)
		atomic_fetch_add(&v->ref, 1);
	return fast;
}

void weir_fast_free(void *fast)
{
	struct weir_fast *v = fast;

	if (v != NULL && atomic_fetch_sub(&v->ref, 1) == 1)
		view_free(v);
}

/*
 * The view of @p lp over base @p b: how the layer's filters differ from the
 * base's, by a merge of the two arbitration orders.
 * @return 0; -E2BIG: more than WEIR_FAST_DELTA_MAX added or deleted;
 *   -ENOMEM.
 */
static int view_make(struct weir_fast_base *b, const struct weir_layer_policy *lp,
                     struct weir_fast **out)
{
	struct weir_fast *v = calloc(1, sizeof(*v));
	uint32_t i = 0, j = 0, s, t;

	*out = NULL;
	if (v == NULL)
		return -ENOMEM;
	atomic_init(&v->ref, 1);
	v->pos = malloc(b->n_filters * sizeof(*v->pos));
	v->gone = calloc(b->n_filters ? b->n_filters : 1, 1);
	v->sl_map = malloc(b->n_sublayers * sizeof(*v->sl_map));
	v->added = malloc(WEIR_FAST_DELTA_MAX * sizeof(*v->added));
	v->add_sl = malloc(WEIR_FAST_DELTA_MAX * sizeof(*v->add_sl));
	if (!v->pos || !v->gone || !v->sl_map || !v->added || !v->add_sl) {
		view_free(v);
		return -ENOMEM;
	}
	for (t = 0; i < b->n_filters || j < lp->n_filters;) {
		struct weir_order_key k = {0};
		int c;

		if (j < lp->n_filters)
			k = weir_order_key_of(lp->filters[j]);
		c = i == b->n_filters    ? 1
		    : j == lp->n_filters ? -1
		                         : weir_order_cmp(&b->keys[i], &k);
		if (c == 0) {
			v->pos[i++] = j++;
			continue;
		}
		if (c < 0) {
			/* deleted: a hit on it starts the scan at what follows it */
			v->gone[i] = 1;
			v->pos[i++] = j;
			if (++v->n_gone > WEIR_FAST_DELTA_MAX)
				goto too_big;
			continue;
		}
		if (v->n_added == WEIR_FAST_DELTA_MAX)
			goto too_big;
		while (lp->sublayers[t].first + lp->sublayers[t].count <= j)
			t++;
		v->add_sl[v->n_added] = t;
		v->added[v->n_added++] = j++;
	}
	/* sublayers are matched by identity (weight, then insertion order) */
	for (s = 0, t = 0, i = 0; s < b->n_sublayers; s++) {
		uint32_t f;
		int c = 1;

		/* sl_of ascends: the first filter of base sublayer s */
		while (i < b->n_filters && b->sl_of[i] != s)
			i++;
		f = i;
		v->sl_map[s] = NONE;
		for (; t < lp->n_sublayers; t++) {
			const struct weir_filter *x = lp->filters[lp->sublayers[t].first];

			c = x->sublayer->weight != b->keys[f].sl_weight
			        ? (b->keys[f].sl_weight > x->sublayer->weight ? -1 : 1)
			        : (b->keys[f].sl_ordinal > x->sublayer->ordinal) -
			              (b->keys[f].sl_ordinal < x->sublayer->ordinal);
			if (c <= 0)
				break;
		}
		if (t < lp->n_sublayers && c == 0)
			v->sl_map[s] = t;
	}
	v->identity = v->n_added == 0 && v->n_gone == 0 && b->n_sublayers == lp->n_sublayers;
	atomic_fetch_add(&b->ref, 1);
	v->base = b;
	*out = v;
	return 0;
too_big:
	view_free(v);
	return -E2BIG;
}

static void request_build(enum weir_layer l);

/* A fresh compile of @p lp: it becomes the layer's base. Engine lock held. */
static int build_now(struct weir_layer_policy *lp, enum weir_layer layer)
{
	struct weir_fast_base *b;
	struct weir_fast *v;
	int rc = base_prepare(lp, &b);

	if (rc == 0)
		rc = base_compile(b);
	if (rc == 0)
		rc = view_make(b, lp, &v);
	if (rc != 0) {
		base_unref(b);
		return rc;
	}
	base_unref(latest[layer]);
	latest[layer] = b; /* the reference base_prepare() gave */
	lp->fast = v;
	return 0;
}

int weir_fast_build(struct weir_layer_policy *lp, enum weir_layer layer)
{
	struct weir_fast *v;

	if (!weir_fast_enabled())
		return 0;
	if (lp->n_filters == 0) {
		base_unref(latest[layer]);
		latest[layer] = NULL;
		return 0;
	}
	if (lp->n_sublayers > WEIR_FAST_MAX_SUBLAYERS)
		return -ENOSPC; /* a delta could add sublayers past what a view holds */
	if (atomic_load(&delta_on) && latest[layer] != NULL &&
	    view_make(latest[layer], lp, &v) == 0) {
		lp->fast = v;
		if (!v->identity)
			request_build(layer);
		return 0;
	}
	return build_now(lp, layer);
}

/* Background builder: recompile layer @p l of the current policy. */
static void rebuild(enum weir_layer l)
{
	const struct weir_snapshot *s;
	const struct weir_layer_policy *lp;
	struct weir_fast_base *b = NULL;
	struct weir_fast *v;
	int rc;

	weir_engine_init(); /* before the lock: the first snapshot takes it */
	pthread_mutex_lock(&weir_eng.lock);
	s = weir_snapshot_current();
	lp = &s->policy->layers[l];
	if (lp->fast == NULL || ((struct weir_fast *)lp->fast)->identity || !weir_fast_enabled()) {
		pthread_mutex_unlock(&weir_eng.lock);
		return;
	}
	rc = base_prepare(lp, &b);
	pthread_mutex_unlock(&weir_eng.lock);
	if (rc == 0)
		rc = base_compile(b);
	if (rc != 0) {
		RTE_LOG(ERR, USER1, "weir: fast classifier: background compile: %s\n",
		        strerror(-rc));
		base_unref(b);
		return;
	}
	pthread_mutex_lock(&weir_eng.lock);
	s = weir_snapshot_current();
	lp = &s->policy->layers[l];
	/* what was committed meanwhile is the new view's delta */
	if (weir_fast_enabled() && lp->fast != NULL && view_make(b, lp, &v) == 0) {
		base_unref(latest[l]);
		latest[l] = b;
		b = NULL;
		if (weir_snapshot_replace_fast(l, v) != 0)
			weir_fast_free(v);
	}
	pthread_mutex_unlock(&weir_eng.lock);
	base_unref(b);
}

static void *builder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bld.mu);
	for (;;) {
		unsigned l;

		while ((bld.pending == 0 || bld.hold) && !bld.stop)
			pthread_cond_wait(&bld.wake, &bld.mu);
		if (bld.stop)
			break;
		l = (unsigned)__builtin_ctzll(bld.pending);
		bld.pending &= ~(1ull << l);
		bld.busy = true;
		pthread_mutex_unlock(&bld.mu);
		rebuild((enum weir_layer)l);
		pthread_mutex_lock(&bld.mu);
		bld.busy = false;
		bld.builds++;
		pthread_cond_broadcast(&bld.idle);
	}
	bld.busy = false;
	pthread_cond_broadcast(&bld.idle);
	pthread_mutex_unlock(&bld.mu);
	return NULL;
}

static void request_build(enum weir_layer l)
{
	pthread_mutex_lock(&bld.mu);
	bld.pending |= 1ull << l;
	if (!bld.running) {
		bld.stop = false;
		if (rte_ctrl_thread_create(&bld.thr, "weir-acl-build", NULL, builder, NULL) == 0)
			bld.running = true;
		else
			RTE_LOG(ERR, USER1, "weir: fast classifier: no builder thread\n");
	}
	pthread_cond_signal(&bld.wake);
	pthread_mutex_unlock(&bld.mu);
}

/* Stop the builder (not with the engine lock held: a build may wait for it). */
static void builder_stop(void)
{
	pthread_mutex_lock(&bld.mu);
	if (!bld.running) {
		pthread_mutex_unlock(&bld.mu);
		return;
	}
	bld.stop = true;
	pthread_cond_signal(&bld.wake);
	pthread_mutex_unlock(&bld.mu);
	pthread_join(bld.thr, NULL);
	pthread_mutex_lock(&bld.mu);
	bld.running = false;
	bld.pending = 0;
	pthread_mutex_unlock(&bld.mu);
}

int weir_fast_sync(void)
{
	pthread_mutex_lock(&bld.mu);
	while (bld.running && (bld.pending || bld.busy) && !(bld.hold && !bld.busy))
		pthread_cond_wait(&bld.idle, &bld.mu);
	pthread_mutex_unlock(&bld.mu);
	return 0;
}

void weir_fast_hold(bool on)
{
	pthread_mutex_lock(&bld.mu);
	bld.hold = on;
	pthread_cond_broadcast(&bld.wake);
	pthread_cond_broadcast(&bld.idle);
	pthread_mutex_unlock(&bld.mu);
}

uint64_t weir_fast_background_builds(void)
{
	uint64_t n;

	pthread_mutex_lock(&bld.mu);
	n = bld.builds;
	pthread_mutex_unlock(&bld.mu);
	return n;
}

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
	struct weir_policy view;
	struct weir_snapshot vs;
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
	/* the reference arbitration over the narrowed view of this layer only */
	view.layers[layer] = *lp;
	view.layers[layer].sublayers = view_sl;
	view.layers[layer].n_sublayers = n;
	view.layers[layer].fast = NULL;
	vs = *s;
	vs.policy = &view;
	weir_classify_reference(&vs, layer, in, meta, layerData, classifyContext, flow, res, trace);
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
