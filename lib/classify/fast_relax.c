/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast classifier's relaxation (control side): which incoming values a
 * layer's key holds, each filter's conditions as an rte_acl rule that accepts
 * a superset of what they accept, and what a hit on an exact rule settles.
 * fast.h says why the superset keeps the classifier exact.
 */
#include <string.h>

#include "classify/fast_private.h"
#include "classify/match.h"

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
void fast_map_fields(struct weir_fast_base *fp, const struct weir_layer_policy *lp)
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
void fast_make_rule(const struct weir_fast_base *fp, const struct weir_layer_policy *lp,
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
uint8_t fast_settle_of(const struct weir_fast_base *fp, const FWPS_FILTER3 *rt)
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
