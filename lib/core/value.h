/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Typed values (internal): the one place that knows which FWP_VALUE0 /
 * FWP_CONDITION_VALUE0 member a data type uses. All helpers are static
 * inline so the data path pays nothing for them.
 *
 * The two structs share their first members: a type, then a union of
 * eight bytes whose scalars and pointers all start at its first byte.
 * Converting between them copies those bytes, which is how one switch
 * serves both.
 */
#ifndef WEIR_CORE_VALUE_H
#define WEIR_CORE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <weir/fwptypes.h>

_Static_assert(sizeof(((FWP_VALUE0 *)0)->uint64) == sizeof(((FWP_CONDITION_VALUE0 *)0)->uint64),
               "FWP_VALUE0 and FWP_CONDITION_VALUE0 unions differ");

/** True for FWP_UINT8/16/32/64. */
static inline bool weir_type_is_uint(FWP_DATA_TYPE t)
{
	return t == FWP_UINT8 || t == FWP_UINT16 || t == FWP_UINT32 || t == FWP_UINT64;
}

/** Width in bits of an unsigned or byte-array type; 0 for other types. */
static inline unsigned weir_type_bits(FWP_DATA_TYPE t)
{
	switch (t) {
	case FWP_UINT8:
		return 8;
	case FWP_UINT16:
		return 16;
	case FWP_UINT32:
		return 32;
	case FWP_UINT64:
		return 64;
	case FWP_BYTE_ARRAY6_TYPE:
		return 48;
	case FWP_BYTE_ARRAY16_TYPE:
		return 128;
	default:
		return 0;
	}
}

/** Largest value an unsigned type holds; UINT64_MAX for FWP_UINT64 and non-scalars. */
static inline UINT64 weir_uint_max(FWP_DATA_TYPE t)
{
	unsigned b = weir_type_bits(t);

	return weir_type_is_uint(t) && b < 64 ? ((UINT64)1 << b) - 1 : UINT64_MAX;
}

/** True when a value of type @p t keeps its contents behind a pointer member. */
static inline bool weir_value_is_pointer(FWP_DATA_TYPE t)
{
	switch (t) {
	case FWP_EMPTY:
	case FWP_UINT8:
	case FWP_UINT16:
	case FWP_UINT32:
	case FWP_INT8:
	case FWP_INT16:
	case FWP_INT32:
	case FWP_FLOAT:
		return false;
	default:
		return true;
	}
}

/**
 * Bytes a value of type @p t keeps behind its pointer member (uint64,
 * byteArray16, v4AddrMask, ...); 0 for values held inline, blobs, strings and
 * ranges (whose size is not the type's alone).
 */
static inline size_t weir_value_payload(FWP_DATA_TYPE t)
{
	switch (t) {
	case FWP_UINT64:
	case FWP_INT64:
	case FWP_DOUBLE:
		return 8;
	case FWP_BYTE_ARRAY16_TYPE:
		return sizeof(FWP_BYTE_ARRAY16);
	case FWP_BYTE_ARRAY6_TYPE:
		return sizeof(FWP_BYTE_ARRAY6);
	case FWP_V4_ADDR_MASK:
		return sizeof(FWP_V4_ADDR_AND_MASK);
	case FWP_V6_ADDR_MASK:
		return sizeof(FWP_V6_ADDR_AND_MASK);
	default:
		return 0;
	}
}

/** The condition value as an FWP_VALUE0 (meaningful for the types both hold). */
static inline FWP_VALUE0 weir_cond_as_value(const FWP_CONDITION_VALUE0 *c)
{
	FWP_VALUE0 v = {.type = c->type};

	memcpy(&v.uint64, &c->uint64, sizeof(v.uint64));
	return v;
}

/** The value as an FWP_CONDITION_VALUE0. */
static inline FWP_CONDITION_VALUE0 weir_value_as_cond(const FWP_VALUE0 *v)
{
	FWP_CONDITION_VALUE0 c = {.type = v->type};

	memcpy(&c.uint64, &v->uint64, sizeof(c.uint64));
	return c;
}

/** Scalar contents of an unsigned value into @p u; false for other types. */
static inline bool weir_value_uint(const FWP_VALUE0 *v, UINT64 *u)
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

/** weir_value_uint() for a condition value. */
static inline bool weir_cond_uint(const FWP_CONDITION_VALUE0 *c, UINT64 *u)
{
	FWP_VALUE0 v = weir_cond_as_value(c);

	return weir_value_uint(&v, u);
}

/**
 * Set @p v to @p x as unsigned type @p t (truncated to its width). FWP_UINT64
 * stores @p x in @p *u64, which must outlive @p v. Another type leaves @p v
 * FWP_EMPTY and returns false.
 */
static inline bool weir_value_set_uint(FWP_VALUE0 *v, FWP_DATA_TYPE t, UINT64 x, UINT64 *u64)
{
	v->type = t;
	switch (t) {
	case FWP_UINT8:
		v->uint8 = (UINT8)x;
		return true;
	case FWP_UINT16:
		v->uint16 = (UINT16)x;
		return true;
	case FWP_UINT32:
		v->uint32 = (UINT32)x;
		return true;
	case FWP_UINT64:
		*u64 = x;
		v->uint64 = u64;
		return true;
	default:
		v->type = FWP_EMPTY;
		return false;
	}
}

/** weir_value_set_uint() for a condition value. */
static inline bool weir_cond_set_uint(FWP_CONDITION_VALUE0 *c, FWP_DATA_TYPE t, UINT64 x,
                                      UINT64 *u64)
{
	FWP_VALUE0 v = {.type = FWP_EMPTY};
	bool ok = weir_value_set_uint(&v, t, x, u64);

	*c = weir_value_as_cond(&v);
	return ok;
}

/** Bytes and length of a byte-array value; NULL for other types. */
static inline const UINT8 *weir_value_bytes(const FWP_VALUE0 *v, size_t *len)
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

/** weir_value_bytes() for a condition value. */
static inline const UINT8 *weir_cond_bytes(const FWP_CONDITION_VALUE0 *c, size_t *len)
{
	FWP_VALUE0 v = weir_cond_as_value(c);

	return weir_value_bytes(&v, len);
}

#endif /* WEIR_CORE_VALUE_H */
