/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier: relax each filter into an rte_acl rule, find each
 * sublayer's first candidate per packet, let the reference arbitration run
 * from there. The scheme and why it is exact are in fast.h.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "classify/fast.h"
#include "classify/match.h"

#define CATS_PER_CTX RTE_ACL_MAX_CATEGORIES
#define MAX_SLOTS (RTE_ACL_MAX_FIELDS - 1) /* 32-bit key words after the leading byte */

RTE_ACL_RULE_DEF(fast_rule, RTE_ACL_MAX_FIELDS);

enum kind { K_RANGE, K_MASK, K_V6 };

/* One mapped field of the layer's incoming values. */
struct fmap {
	UINT16 field;
	FWP_DATA_TYPE vtype; /* the value type its conditions compare with */
	uint8_t kind;
	uint8_t slot; /* first 32-bit key word (1-based: word 0 holds the leading byte) */
	uint8_t def;  /* first rte_acl field (index into defs and rule fields) */
	uint8_t half; /* FWP_UINT16 paired in one word: 1 upper, 2 lower half; else 0 */
};

struct weir_fast {
	uint32_t n_maps;
	uint32_t n_words; /* key words including word 0 */
	uint32_t n_defs;  /* rte_acl fields including the leading byte */
	uint32_t n_ctx;
	struct fmap maps[MAX_SLOTS];
	struct {
		struct rte_acl_ctx *acl;
		uint32_t first_sl; /* sublayer of category 0 */
		uint32_t n_sl;     /* sublayers in this context */
		uint32_t lo, hi;   /* the filters it holds: [lo, hi) of lp->filters */
		bool first, last;  /* first / last shard of its sublayer group */
		uint32_t n_cat;    /* categories passed to classify */
	} ctx[];
};

static atomic_bool enabled;
static atomic_size_t max_size = WEIR_FAST_DEFAULT_MAX_SIZE;
static atomic_uint ctx_seq;
static atomic_uint max_rules = WEIR_FAST_DEFAULT_MAX_RULES;

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
static bool group_interval(const FWPS_FILTER3 *rt, const struct fmap *m, uint32_t *lo, uint32_t *hi)
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
static bool group_prefix6(const FWPS_FILTER3 *rt, const struct fmap *m, UINT8 out[16],
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
static void layout(struct weir_fast *fp)
{
	struct fmap *pend = NULL;
	uint32_t k, w, h;

	fp->n_words = 1;
	fp->n_defs = 1;
	for (k = 0; k < fp->n_maps; k++) {
		struct fmap *m = &fp->maps[k];
		uint32_t n = m->kind == K_V6 ? 4 : 1;

		if (m->vtype == FWP_UINT16) {
			m->kind = K_RANGE;
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
				struct fmap *m = &fp->maps[k];

				if (m->slot == w && m->half == h) {
					m->def = (uint8_t)fp->n_defs;
					fp->n_defs += m->kind == K_V6 ? 4 : 1;
				}
			}
}

/* Choose the mapped fields and their kinds from the layer's conditions. */
static void map_fields(struct weir_fast *fp, const struct weir_layer_policy *lp)
{
	uint32_t i, j, k;

	fp->n_defs = 1;
	for (i = 0; i < lp->n_filters; i++) {
		const FWPS_FILTER3 *rt = &lp->filters[i]->rt;

		for (j = 0; j < rt->numFilterConditions; j++) {
			const FWPS_FILTER_CONDITION0 *c = &rt->filterCondition[j];
			FWP_DATA_TYPE vt = cond_vtype(c);
			struct fmap *m = NULL;
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
			m->kind = need == 4 ? K_V6 : K_MASK;
			fp->n_defs += need;
		}
	}
	/* MASK only where every rule's hull is exactly a prefix */
	for (k = 0; k < fp->n_maps; k++) {
		struct fmap *m = &fp->maps[k];

		if (m->kind != K_MASK)
			continue;
		for (i = 0; i < lp->n_filters; i++) {
			uint32_t lo, hi;
			unsigned bits;

			if (!group_interval(&lp->filters[i]->rt, m, &lo, &hi))
				continue;
			bits = lo == hi ? 32 : (unsigned)__builtin_clz(lo ^ hi);
			if ((lo & ~prefix_mask(bits)) != 0 ||
			    (hi | prefix_mask(bits)) != 0xFFFFFFFFu) {
				m->kind = K_RANGE;
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
static void make_rule(const struct weir_fast *fp, const struct weir_layer_policy *lp, uint32_t idx,
                      uint32_t cat, struct fast_rule *r)
{
	const FWPS_FILTER3 *rt = &lp->filters[idx]->rt;
	uint32_t k, w;

	memset(r, 0, sizeof(*r));
	r->data.category_mask = 1u << cat;
	r->data.priority = (int32_t)(RTE_ACL_MAX_PRIORITY - idx);
	r->data.userdata = idx + 1;
	for (k = 0; k < fp->n_maps; k++) {
		const struct fmap *m = &fp->maps[k];
		struct rte_acl_field *f = &r->field[m->def];
		uint32_t lo = 0, hi = 0xFFFFFFFF;
		UINT8 a[16];
		unsigned bits = 0;

		switch (m->kind) {
		case K_RANGE:
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
		case K_MASK:
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

void weir_fast_free(void *fast)
{
	struct weir_fast *fp = fast;
	uint32_t i;

	if (fp == NULL)
		return;
	for (i = 0; i < fp->n_ctx; i++)
		rte_acl_free(fp->ctx[i].acl);
	free(fp);
}

static int build_ctx(struct weir_fast *fp, const struct weir_layer_policy *lp, uint32_t c)
{
	struct rte_acl_config cfg;
	struct rte_acl_param prm;
	struct fast_rule r;
	char name[RTE_ACL_NAMESIZE];
	uint32_t s, i, nf = fp->ctx[c].hi - fp->ctx[c].lo;
	int rc;

	snprintf(name, sizeof(name), "weir_fast_%u", atomic_fetch_add(&ctx_seq, 1));
	memset(&prm, 0, sizeof(prm));
	prm.name = name;
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = RTE_ACL_RULE_SZ(fp->n_defs);
	prm.max_rule_num = nf;
	fp->ctx[c].acl = rte_acl_create(&prm);
	if (fp->ctx[c].acl == NULL)
		return rte_errno ? -rte_errno : -ENOMEM;
	for (s = fp->ctx[c].first_sl; s < fp->ctx[c].first_sl + fp->ctx[c].n_sl; s++) {
		const struct weir_sublayer_rules *sl = &lp->sublayers[s];

		for (i = RTE_MAX(sl->first, fp->ctx[c].lo);
		     i < RTE_MIN(sl->first + sl->count, fp->ctx[c].hi); i++) {
			make_rule(fp, lp, i, s - fp->ctx[c].first_sl, &r);
			rc = rte_acl_add_rules(fp->ctx[c].acl, (const struct rte_acl_rule *)&r, 1);
			if (rc != 0)
				return rc;
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.num_categories = fp->ctx[c].n_cat;
	cfg.num_fields = fp->n_defs;
	/* word 0: one leading byte (rte_acl wants a 1-byte first field), always 0 */
	cfg.defs[0].type = RTE_ACL_FIELD_TYPE_BITMASK;
	cfg.defs[0].size = 1;
	for (i = 0; i < fp->n_maps; i++) {
		const struct fmap *m = &fp->maps[i];
		uint32_t w, n = m->kind == K_V6 ? 4 : 1;

		for (w = 0; w < n; w++) {
			struct rte_acl_field_def *d = &cfg.defs[m->def + w];

			d->type =
			    m->kind == K_RANGE ? RTE_ACL_FIELD_TYPE_RANGE : RTE_ACL_FIELD_TYPE_MASK;
			d->size = m->half ? 2 : 4;
			d->field_index = m->def + w;
			d->input_index = m->slot + w;
			d->offset = 4 * (m->slot + w) + (m->half == 2 ? 2 : 0);
		}
	}
	cfg.max_size = weir_fast_max_size();
	rc = rte_acl_build(fp->ctx[c].acl, &cfg);
	if (rc == -ERANGE || rc == -ENOMEM) {
		RTE_LOG(ERR, USER1,
		        "weir: fast classifier: %u filters do not fit (max_size %zu bytes, "
		        "rte_acl: %s); the layer keeps the reference classifier\n",
		        nf, cfg.max_size, strerror(-rc));
		return -ENOSPC;
	}
	return rc;
}

int weir_fast_build(struct weir_layer_policy *lp, enum weir_layer layer)
{
	struct weir_fast *fp;
	uint32_t n_ctx, n_grp, g, c, cap;
	int rc;

	(void)layer;
	if (!weir_fast_enabled() || lp->n_filters == 0)
		return 0;
	if (lp->n_sublayers > WEIR_FAST_MAX_SUBLAYERS || lp->n_filters >= RTE_ACL_MAX_PRIORITY)
		return -ENOSPC;
	cap = weir_fast_max_rules();
	n_grp = (lp->n_sublayers + CATS_PER_CTX - 1) / CATS_PER_CTX;
	n_ctx = n_grp + lp->n_filters / cap + 1;
	fp = calloc(1, sizeof(*fp) + n_ctx * sizeof(fp->ctx[0]));
	if (fp == NULL)
		return -ENOMEM;
	map_fields(fp, lp);
	for (g = 0; g < n_grp; g++) {
		uint32_t first = g * CATS_PER_CTX, n = lp->n_sublayers - first;
		const struct weir_sublayer_rules *end;
		uint32_t lo, hi;

		n = n > CATS_PER_CTX ? CATS_PER_CTX : n;
		end = &lp->sublayers[first + n - 1];
		hi = end->first + end->count;
		/* shards in arbitration order: the first with a hit has the earliest */
		for (lo = lp->sublayers[first].first; lo < hi; lo += cap) {
			c = fp->n_ctx++;
			fp->ctx[c].first_sl = first;
			fp->ctx[c].n_sl = n;
			fp->ctx[c].lo = lo;
			fp->ctx[c].hi = hi - lo > cap ? lo + cap : hi;
			fp->ctx[c].first = lo == lp->sublayers[first].first;
			fp->ctx[c].last = fp->ctx[c].hi == hi;
			/* rte_acl: 1 or a multiple of RTE_ACL_RESULTS_MULTIPLIER */
			fp->ctx[c].n_cat =
			    n == 1 ? 1 : RTE_ALIGN_CEIL(n, RTE_ACL_RESULTS_MULTIPLIER);
			rc = build_ctx(fp, lp, c);
			if (rc != 0) {
				weir_fast_free(fp);
				return rc;
			}
		}
	}
	lp->fast = fp;
	return 0;
}

/* The packet as ACL key words (network order); absent or mistyped: 0. */
static void make_key(const struct weir_fast *fp, const FWPS_INCOMING_VALUES0 *in, uint32_t *key)
{
	uint32_t k;

	memset(key, 0, 4 * fp->n_words);
	for (k = 0; k < fp->n_maps; k++) {
		const struct fmap *m = &fp->maps[k];
		const FWP_VALUE0 *v;
		UINT64 u;

		if (m->field >= in->valueCount)
			continue;
		v = &in->incomingValue[m->field].value;
		if (v->type != m->vtype)
			continue;
		if (m->kind == K_V6) {
			memcpy(&key[m->slot], v->byteArray16->byteArray16, 16);
		} else if (m->half && weir_match_value_uint(v, &u)) {
			uint16_t be = rte_cpu_to_be_16((uint16_t)u);

			memcpy((uint8_t *)&key[m->slot] + 2 * (m->half - 1), &be, 2);
		} else if (weir_match_value_uint(v, &u)) {
			key[m->slot] = rte_cpu_to_be_32((uint32_t)u);
		}
	}
}

#ifdef WEIR_FAST_SELFCHECK
/* Debug aid (-DWEIR_FAST_SELFCHECK): no filter before a sublayer's start matches. */
static void fast_selfcheck(const struct weir_fast *fp, const struct weir_layer_policy *lp,
                           const FWPS_INCOMING_VALUES0 *in, const struct weir_sublayer_rules *st,
                           uint32_t n)
{
	uint32_t i, k, j = 0;

	(void)fp;
	for (i = 0; i < lp->n_sublayers; i++) {
		const struct weir_sublayer_rules *sl = &lp->sublayers[i];
		uint32_t lim = sl->first + sl->count;

		if (j < n && st[j].first >= sl->first && st[j].first < lim)
			lim = st[j++].first;
		for (k = sl->first; k < lim; k++)
			if (weir_filter_match(&lp->filters[k]->rt, in)) {
				fprintf(stderr,
				        "weir fast: sublayer %u: filter %llu matches before %u\n",
				        i, (unsigned long long)lp->filters[k]->rt.filterId, lim);
				abort();
			}
	}
}
#endif

void weir_classify_fast(const struct weir_snapshot *s, enum weir_layer layer,
                        const FWPS_INCOMING_VALUES0 *in, const FWPS_INCOMING_METADATA_VALUES0 *meta,
                        void *layerData, const void *classifyContext,
                        const struct weir_flow_ops *flow, struct weir_classify_result *res,
                        struct weir_trace *trace)
{
	const struct weir_layer_policy *lp = &s->policy->layers[layer];
	const struct weir_fast *fp = lp->fast;
	struct weir_sublayer_rules start[WEIR_FAST_MAX_SUBLAYERS];
	uint32_t key[RTE_ACL_MAX_FIELDS] __rte_aligned(16);
	uint32_t hit[CATS_PER_CTX], best[CATS_PER_CTX];
	const uint8_t *kp = (const uint8_t *)key;
	struct weir_policy view;
	struct weir_snapshot vs;
	uint32_t c, i, n = 0;

	if (fp == NULL) {
		weir_classify_reference(s, layer, in, meta, layerData, classifyContext, flow, res,
		                        trace);
		return;
	}
	make_key(fp, in, key);
	for (c = 0; c < fp->n_ctx; c++) {
		if (fp->ctx[c].first)
			memset(best, 0, sizeof(best));
		rte_acl_classify(fp->ctx[c].acl, &kp, hit, 1, fp->ctx[c].n_cat);
		for (i = 0; i < fp->ctx[c].n_sl; i++)
			if (best[i] == 0)
				best[i] = hit[i];
		if (!fp->ctx[c].last)
			continue;
		for (i = 0; i < fp->ctx[c].n_sl; i++) {
			const struct weir_sublayer_rules *sl =
			    &lp->sublayers[fp->ctx[c].first_sl + i];
			uint32_t h;

			if (best[i] == 0)
				continue; /* nothing in this sublayer can match */
			h = best[i] - 1;
			start[n].weight = sl->weight;
			start[n].first = h;
			start[n].count = sl->first + sl->count - h;
			n++;
		}
	}
#ifdef WEIR_FAST_SELFCHECK
	fast_selfcheck(fp, lp, in, start, n);
#endif
	/* the reference arbitration over the narrowed view of this layer only */
	view.layers[layer] = *lp;
	view.layers[layer].sublayers = start;
	view.layers[layer].n_sublayers = n;
	view.layers[layer].fast = NULL;
	vs = *s;
	vs.policy = &view;
	weir_classify_reference(&vs, layer, in, meta, layerData, classifyContext, flow, res, trace);
}
