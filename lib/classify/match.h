/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Filter condition matching (internal, fast path): does one incoming value
 * satisfy one run-time filter condition, and does a packet satisfy a whole
 * filter. The reference classifier and the compiled classifiers share these
 * definitions, so "matches" means one thing everywhere.
 *
 * Semantics:
 * - The incoming value and the condition value are compared as the condition
 *   value's type says: the same scalar type (FWP_UINT8/16/32/64, uint64 via
 *   pointer), the same byte array (FWP_BYTE_ARRAY16_TYPE: IPv6 address,
 *   network order; FWP_BYTE_ARRAY6_TYPE: MAC address), FWP_V4_ADDR_MASK
 *   against an FWP_UINT32 value (address and mask in host order),
 *   FWP_V6_ADDR_MASK against an FWP_BYTE_ARRAY16_TYPE value (prefix of
 *   prefixLength bits; lengths over 128 count as 128), FWP_RANGE_TYPE against
 *   a value of the range ends' type (inclusive at both ends).
 * - Ordering (GREATER, LESS, ..., RANGE) is numeric for scalars and
 *   lexicographic for byte arrays (= numeric for network-order addresses).
 *   GREATER means "incoming value > condition value".
 * - FLAGS_ALL_SET: (v & c) == c; FLAGS_ANY_SET: (v & c) != 0;
 *   FLAGS_NONE_SET: (v & c) == 0 — scalars only.
 * - PREFIX / NOT_PREFIX apply to the two mask types, where they mean the same
 *   as EQUAL / NOT_EQUAL (an address "equals" a masked address when it lies
 *   in the prefix).
 * - An FWP_EMPTY incoming value (the field is absent for this packet)
 *   satisfies no condition at all, not even NOT_EQUAL or FLAGS_NONE_SET: a
 *   filter cannot select packets by what they lack.
 * - Any combination FwpmFilterAdd0 rejects (value type not the field's, a
 *   match type the value type does not support, signed/float/string types)
 *   never matches.
 *
 * Nothing is validated beyond that: pointers inside values must be valid.
 */
#ifndef WEIR_CLASSIFY_MATCH_H
#define WEIR_CLASSIFY_MATCH_H

#include <stdbool.h>
#include <string.h>

#include <weir/fwptypes.h>
#include <weir/fwpsk.h>

/* Scalar contents of an incoming value; false for non-scalar types. */
static inline bool weir_match_value_uint(const FWP_VALUE0 *v, UINT64 *u)
{
	switch (v->type) {
	case FWP_UINT8:
		*u = v->uint8;
		return true;
	case FWP_UINT16:
		*u = v->uint16;
		return true;
	case FWP_UINT32:
		*u = v->uint32;
		return true;
	case FWP_UINT64:
		*u = *v->uint64;
		return true;
	default:
		return false;
	}
}

/* Scalar contents of a condition value; false for non-scalar types. */
static inline bool weir_match_cond_uint(const FWP_CONDITION_VALUE0 *c, UINT64 *u)
{
	switch (c->type) {
	case FWP_UINT8:
		*u = c->uint8;
		return true;
	case FWP_UINT16:
		*u = c->uint16;
		return true;
	case FWP_UINT32:
		*u = c->uint32;
		return true;
	case FWP_UINT64:
		*u = *c->uint64;
		return true;
	default:
		return false;
	}
}

/* Bytes and length of a byte-array incoming value; NULL for other types. */
static inline const UINT8 *weir_match_value_bytes(const FWP_VALUE0 *v, size_t *len)
{
	switch (v->type) {
	case FWP_BYTE_ARRAY16_TYPE:
		*len = 16;
		return v->byteArray16->byteArray16;
	case FWP_BYTE_ARRAY6_TYPE:
		*len = 6;
		return v->byteArray6->byteArray6;
	default:
		return NULL;
	}
}

/* Same, for a condition value (FWP_VALUE0 and FWP_CONDITION_VALUE0 differ). */
static inline const UINT8 *weir_match_cond_bytes(const FWP_CONDITION_VALUE0 *c)
{
	switch (c->type) {
	case FWP_BYTE_ARRAY16_TYPE:
		return c->byteArray16->byteArray16;
	case FWP_BYTE_ARRAY6_TYPE:
		return c->byteArray6->byteArray6;
	default:
		return NULL;
	}
}

/*
 * Three-way comparison of two incoming-value-typed values of the same type
 * (range ends are FWP_VALUE0s). False when the type is not comparable.
 */
static inline bool weir_match_cmp_values(const FWP_VALUE0 *a, const FWP_VALUE0 *b, int *r)
{
	UINT64 x, y;
	const UINT8 *p, *q;
	size_t n, m;

	if (a->type != b->type)
		return false;
	if (weir_match_value_uint(a, &x)) {
		weir_match_value_uint(b, &y);
		*r = (x > y) - (x < y);
		return true;
	}
	p = weir_match_value_bytes(a, &n);
	if (p == NULL)
		return false;
	q = weir_match_value_bytes(b, &m);
	*r = memcmp(p, q, n);
	return true;
}

/* The outcome of an (in)equality-like match type, given whether v "equals" c. */
static inline bool weir_match_eq_kind(FWP_MATCH_TYPE mt, bool eq)
{
	switch (mt) {
	case FWP_MATCH_EQUAL:
	case FWP_MATCH_PREFIX:
		return eq;
	case FWP_MATCH_NOT_EQUAL:
	case FWP_MATCH_NOT_PREFIX:
		return !eq;
	default:
		return false;
	}
}

/* True when the first @p bits bits of @p a and @p b are equal (bits <= 128). */
static inline bool weir_match_prefix_eq(const UINT8 *a, const UINT8 *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	UINT8 mask;

	if (memcmp(a, b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (UINT8)(0xFFu << (8 - rest));
	return ((a[whole] ^ b[whole]) & mask) == 0;
}

/* An ordering match type applied to a three-way comparison result. */
static inline bool weir_match_order(FWP_MATCH_TYPE mt, int r)
{
	switch (mt) {
	case FWP_MATCH_EQUAL:
		return r == 0;
	case FWP_MATCH_NOT_EQUAL:
		return r != 0;
	case FWP_MATCH_GREATER:
		return r > 0;
	case FWP_MATCH_LESS:
		return r < 0;
	case FWP_MATCH_GREATER_OR_EQUAL:
		return r >= 0;
	case FWP_MATCH_LESS_OR_EQUAL:
		return r <= 0;
	default:
		return false;
	}
}

/**
 * Does incoming value @p v satisfy condition @p c? (fieldId is not looked at.)
 *
 * @param c a run-time condition as FwpmFilterAdd0 validated it.
 * @param v the incoming value of the condition's field.
 * @return true when it matches; false otherwise, always false for an
 *   FWP_EMPTY value or a combination of types the management API rejects.
 */
static inline bool weir_cond_match(const FWPS_FILTER_CONDITION0 *c, const FWP_VALUE0 *v)
{
	const FWP_CONDITION_VALUE0 *cv = &c->conditionValue;
	UINT64 x, y;
	const UINT8 *p;
	size_t n;
	int r;

	if (v->type == FWP_EMPTY)
		return false;
	switch (cv->type) {
	case FWP_V4_ADDR_MASK: {
		const FWP_V4_ADDR_AND_MASK *am = cv->v4AddrMask;

		if (v->type != FWP_UINT32)
			return false;
		return weir_match_eq_kind(c->matchType, ((v->uint32 ^ am->addr) & am->mask) == 0);
	}
	case FWP_V6_ADDR_MASK: {
		unsigned bits = cv->v6AddrMask->prefixLength;

		if (v->type != FWP_BYTE_ARRAY16_TYPE)
			return false;
		if (bits > 128)
			bits = 128;
		return weir_match_eq_kind(
		    c->matchType,
		    weir_match_prefix_eq(v->byteArray16->byteArray16, cv->v6AddrMask->addr, bits));
	}
	case FWP_RANGE_TYPE: {
		const FWP_RANGE0 *rg = cv->rangeValue;
		int lo, hi;

		if (c->matchType != FWP_MATCH_RANGE)
			return false;
		if (!weir_match_cmp_values(v, &rg->valueLow, &lo) ||
		    !weir_match_cmp_values(v, &rg->valueHigh, &hi))
			return false;
		return lo >= 0 && hi <= 0;
	}
	default:
		break;
	}
	if (cv->type != v->type)
		return false;
	if (weir_match_value_uint(v, &x)) {
		weir_match_cond_uint(cv, &y);
		switch (c->matchType) {
		case FWP_MATCH_FLAGS_ALL_SET:
			return (x & y) == y;
		case FWP_MATCH_FLAGS_ANY_SET:
			return (x & y) != 0;
		case FWP_MATCH_FLAGS_NONE_SET:
			return (x & y) == 0;
		default:
			return weir_match_order(c->matchType, (x > y) - (x < y));
		}
	}
	p = weir_match_value_bytes(v, &n);
	if (p == NULL)
		return false;
	r = memcmp(p, weir_match_cond_bytes(cv), n);
	return weir_match_order(c->matchType, r);
}

/**
 * Does the packet described by @p in satisfy every condition of @p f?
 *
 * WFP's rule: conditions on different fields are ANDed; consecutive
 * conditions on the same field form one group whose members are ORed. A
 * later, non-adjacent condition on a field already seen starts a new group
 * (so it is ANDed with the earlier one). A filter with no conditions matches
 * every packet of its layer. A condition whose fieldId is not below
 * in->valueCount never matches.
 *
 * @return true when @p f matches.
 */
static inline bool weir_filter_match(const FWPS_FILTER3 *f, const FWPS_INCOMING_VALUES0 *in)
{
	const FWPS_FILTER_CONDITION0 *c = f->filterCondition;
	UINT32 n = f->numFilterConditions, i = 0;

	while (i < n) {
		UINT16 field = c[i].fieldId;
		bool any = false;

		for (; i < n && c[i].fieldId == field; i++)
			if (!any && field < in->valueCount &&
			    weir_cond_match(&c[i], &in->incomingValue[field].value))
				any = true;
		if (!any)
			return false;
	}
	return true;
}

#endif /* WEIR_CLASSIFY_MATCH_H */
