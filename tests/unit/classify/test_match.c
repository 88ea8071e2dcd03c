/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Condition matching (classify/match.h): every match type against every value
 * type weir's fields have, the mask and range condition values, FWP_EMPTY,
 * and how conditions of one filter combine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "classify/match.h"
#include "core/value.h"

#define EQ FWP_MATCH_EQUAL
#define NE FWP_MATCH_NOT_EQUAL
#define GT FWP_MATCH_GREATER
#define LT FWP_MATCH_LESS
#define GE FWP_MATCH_GREATER_OR_EQUAL
#define LE FWP_MATCH_LESS_OR_EQUAL
#define RG FWP_MATCH_RANGE
#define ALL FWP_MATCH_FLAGS_ALL_SET
#define ANY FWP_MATCH_FLAGS_ANY_SET
#define NONE FWP_MATCH_FLAGS_NONE_SET
#define PFX FWP_MATCH_PREFIX
#define NPFX FWP_MATCH_NOT_PREFIX
#define CI FWP_MATCH_EQUAL_CASE_INSENSITIVE

/* Storage for uint64 values, which FWP_VALUE0 holds by pointer. */
static UINT64 v64, c64, lo64, hi64;

static FWP_VALUE0 uval(FWP_DATA_TYPE t, UINT64 x, UINT64 *store)
{
	FWP_VALUE0 v = {0};

	weir_value_set_uint(&v, t, x, store);
	return v;
}

static FWPS_FILTER_CONDITION0 ucond(FWP_DATA_TYPE t, FWP_MATCH_TYPE mt, UINT64 x)
{
	FWPS_FILTER_CONDITION0 c = {.matchType = mt};
	FWP_VALUE0 v = uval(t, x, &c64);

	c.conditionValue = weir_value_as_cond(&v);
	return c;
}

struct scase {
	FWP_MATCH_TYPE mt;
	UINT64 v, c;
	bool want;
};

static const struct scase scalar_cases[] = {
    {EQ, 5, 5, true},
    {EQ, 5, 6, false},
    {NE, 5, 6, true},
    {NE, 5, 5, false},
    {GT, 6, 5, true},
    {GT, 5, 5, false},
    {GT, 4, 5, false},
    {LT, 4, 5, true},
    {LT, 5, 5, false},
    {LT, 6, 5, false},
    {GE, 6, 5, true},
    {GE, 5, 5, true},
    {GE, 4, 5, false},
    {LE, 4, 5, true},
    {LE, 5, 5, true},
    {LE, 6, 5, false},
    {ALL, 0x0F, 0x05, true},
    {ALL, 0x05, 0x05, true},
    {ALL, 0x04, 0x05, false},
    {ALL, 0x00, 0x00, true},
    {ANY, 0x04, 0x05, true},
    {ANY, 0x0A, 0x05, false},
    {ANY, 0xFF, 0x00, false},
    {NONE, 0x0A, 0x05, true},
    {NONE, 0x04, 0x05, false},
    {NONE, 0x00, 0x00, true},
    /* not for plain scalars: never match */
    {PFX, 5, 5, false},
    {NPFX, 5, 6, false},
    {RG, 5, 5, false},
    {CI, 5, 5, false},
    {FWP_MATCH_TYPE_MAX, 5, 5, false},
};

static void test_scalars(void **state)
{
	static const FWP_DATA_TYPE types[] = {FWP_UINT8, FWP_UINT16, FWP_UINT32, FWP_UINT64};
	size_t t, i;

	(void)state;
	for (t = 0; t < 4; t++) {
		for (i = 0; i < sizeof(scalar_cases) / sizeof(scalar_cases[0]); i++) {
			const struct scase *k = &scalar_cases[i];
			FWPS_FILTER_CONDITION0 c = ucond(types[t], k->mt, k->c);
			FWP_VALUE0 v = uval(types[t], k->v, &v64);

			if (weir_cond_match(&c, &v) != k->want)
				fail_msg("type %d case %zu (mt %d, %llu vs %llu)", types[t], i,
				         k->mt, (unsigned long long)k->v, (unsigned long long)k->c);
		}
	}
}

/* The whole width of each type takes part in comparisons and flags. */
static void test_scalar_width(void **state)
{
	FWPS_FILTER_CONDITION0 c;
	FWP_VALUE0 v;

	(void)state;
	c = ucond(FWP_UINT64, GT, 0x00000000FFFFFFFFull);
	v = uval(FWP_UINT64, 0x0000000100000000ull, &v64);
	assert_true(weir_cond_match(&c, &v));
	c = ucond(FWP_UINT64, EQ, 0x100000001ull);
	v = uval(FWP_UINT64, 1, &v64);
	assert_false(weir_cond_match(&c, &v));
	v = uval(FWP_UINT64, 0x100000001ull, &v64);
	assert_true(weir_cond_match(&c, &v));
	c = ucond(FWP_UINT64, ALL, 0x8000000000000001ull);
	v = uval(FWP_UINT64, 0xFFFFFFFFFFFFFFFFull, &v64);
	assert_true(weir_cond_match(&c, &v));
	c = ucond(FWP_UINT32, LT, 0xFFFFFFFFu);
	v = uval(FWP_UINT32, 0x7FFFFFFFu, &v64);
	assert_true(weir_cond_match(&c, &v));
	c = ucond(FWP_UINT16, GE, 0x8000);
	v = uval(FWP_UINT16, 0xFFFF, &v64);
	assert_true(weir_cond_match(&c, &v));
}

/* A value of another type than the condition's never matches, even NOT_EQUAL. */
static void test_type_mismatch(void **state)
{
	FWPS_FILTER_CONDITION0 c = ucond(FWP_UINT32, NE, 7);
	FWP_VALUE0 v = uval(FWP_UINT16, 8, &v64);
	FWP_VALUE0 s = {.type = FWP_INT32, .int32 = 8};
	FWPS_FILTER_CONDITION0 sc = {.matchType = EQ};

	(void)state;
	assert_false(weir_cond_match(&c, &v));
	c = ucond(FWP_UINT32, EQ, 8);
	assert_false(weir_cond_match(&c, &v));
	/* signed types are no weir field type: never match */
	sc.conditionValue.type = FWP_INT32;
	sc.conditionValue.int32 = 8;
	assert_false(weir_cond_match(&sc, &s));
}

static FWPS_FILTER_CONDITION0 range_cond(FWP_DATA_TYPE t, UINT64 lo, UINT64 hi, FWP_RANGE0 *r)
{
	FWPS_FILTER_CONDITION0 c = {.matchType = RG};

	r->valueLow = uval(t, lo, &lo64);
	r->valueHigh = uval(t, hi, &hi64);
	c.conditionValue.type = FWP_RANGE_TYPE;
	c.conditionValue.rangeValue = r;
	return c;
}

static void test_range(void **state)
{
	static const FWP_DATA_TYPE types[] = {FWP_UINT8, FWP_UINT16, FWP_UINT32, FWP_UINT64};
	FWPS_FILTER_CONDITION0 c;
	FWP_RANGE0 r;
	FWP_VALUE0 v;
	size_t t;

	(void)state;
	for (t = 0; t < 4; t++) {
		c = range_cond(types[t], 10, 20, &r);
		v = uval(types[t], 9, &v64);
		assert_false(weir_cond_match(&c, &v));
		v = uval(types[t], 10, &v64);
		assert_true(weir_cond_match(&c, &v));
		v = uval(types[t], 15, &v64);
		assert_true(weir_cond_match(&c, &v));
		v = uval(types[t], 20, &v64);
		assert_true(weir_cond_match(&c, &v));
		v = uval(types[t], 21, &v64);
		assert_false(weir_cond_match(&c, &v));
		/* a single-value range */
		c = range_cond(types[t], 7, 7, &r);
		v = uval(types[t], 7, &v64);
		assert_true(weir_cond_match(&c, &v));
	}
	/* a range condition with another match type, or ends of another type */
	c = range_cond(FWP_UINT16, 10, 20, &r);
	v = uval(FWP_UINT16, 15, &v64);
	c.matchType = EQ;
	assert_false(weir_cond_match(&c, &v));
	c.matchType = RG;
	v = uval(FWP_UINT32, 15, &v64);
	assert_false(weir_cond_match(&c, &v));
	/* RANGE with a plain value never matches */
	c = ucond(FWP_UINT16, RG, 15);
	v = uval(FWP_UINT16, 15, &v64);
	assert_false(weir_cond_match(&c, &v));
}

static FWPS_FILTER_CONDITION0 v4_cond(FWP_MATCH_TYPE mt, UINT32 addr, UINT32 mask,
                                      FWP_V4_ADDR_AND_MASK *am)
{
	FWPS_FILTER_CONDITION0 c = {.matchType = mt};

	am->addr = addr;
	am->mask = mask;
	c.conditionValue.type = FWP_V4_ADDR_MASK;
	c.conditionValue.v4AddrMask = am;
	return c;
}

static void test_v4_mask(void **state)
{
	FWP_V4_ADDR_AND_MASK am;
	FWPS_FILTER_CONDITION0 c;
	FWP_VALUE0 in = uval(FWP_UINT32, 0x0A010203, &v64);  /* 10.1.2.3, host order */
	FWP_VALUE0 out = uval(FWP_UINT32, 0x0A010303, &v64); /* 10.1.3.3 */
	FWP_VALUE0 v16 = uval(FWP_UINT16, 0x0203, &v64);

	(void)state;
	c = v4_cond(EQ, 0x0A010200, 0xFFFFFF00, &am);
	assert_true(weir_cond_match(&c, &in));
	assert_false(weir_cond_match(&c, &out));
	c.matchType = PFX;
	assert_true(weir_cond_match(&c, &in));
	assert_false(weir_cond_match(&c, &out));
	c.matchType = NE;
	assert_false(weir_cond_match(&c, &in));
	assert_true(weir_cond_match(&c, &out));
	c.matchType = NPFX;
	assert_false(weir_cond_match(&c, &in));
	assert_true(weir_cond_match(&c, &out));
	/* host bits of the condition's address do not matter */
	c = v4_cond(EQ, 0x0A0102FF, 0xFFFFFF00, &am);
	assert_true(weir_cond_match(&c, &in));
	/* /0 matches everything, /32 only the address */
	c = v4_cond(EQ, 0, 0, &am);
	assert_true(weir_cond_match(&c, &out));
	c = v4_cond(EQ, 0x0A010203, 0xFFFFFFFF, &am);
	assert_true(weir_cond_match(&c, &in));
	assert_false(weir_cond_match(&c, &out));
	/* ordering match types and non-UINT32 values never match a mask */
	c = v4_cond(GT, 0x0A010200, 0xFFFFFF00, &am);
	assert_false(weir_cond_match(&c, &out));
	c = v4_cond(NE, 0x0A010200, 0xFFFFFF00, &am);
	assert_false(weir_cond_match(&c, &v16));
}

static FWP_BYTE_ARRAY16 a16(UINT8 first, UINT8 last)
{
	FWP_BYTE_ARRAY16 a = {{0x20, 0x01, 0x0d, 0xb8}};

	a.byteArray16[4] = first;
	a.byteArray16[15] = last;
	return a;
}

static FWPS_FILTER_CONDITION0 v6_cond(FWP_MATCH_TYPE mt, const FWP_BYTE_ARRAY16 *addr, UINT8 len,
                                      FWP_V6_ADDR_AND_MASK *am)
{
	FWPS_FILTER_CONDITION0 c = {.matchType = mt};

	memcpy(am->addr, addr->byteArray16, 16);
	am->prefixLength = len;
	c.conditionValue.type = FWP_V6_ADDR_MASK;
	c.conditionValue.v6AddrMask = am;
	return c;
}

static void test_v6_prefix(void **state)
{
	FWP_BYTE_ARRAY16 net = a16(0x80, 0x01), x;
	FWP_V6_ADDR_AND_MASK am;
	FWPS_FILTER_CONDITION0 c;
	FWP_VALUE0 v = {.type = FWP_BYTE_ARRAY16_TYPE, .byteArray16 = &x};
	FWP_BYTE_ARRAY6 mac = {{0}};
	FWP_VALUE0 vm = {.type = FWP_BYTE_ARRAY6_TYPE, .byteArray6 = &mac};
	unsigned len;

	(void)state;
	/* x differs from net first at bit 32 (byte 4's top bit) and in the last byte */
	x = a16(0x00, 0x01);
	for (len = 0; len <= 40; len++) {
		c = v6_cond(PFX, &net, (UINT8)len, &am);
		assert_int_equal(weir_cond_match(&c, &v), len <= 32);
		c.matchType = NPFX;
		assert_int_equal(weir_cond_match(&c, &v), len > 32);
		c.matchType = EQ;
		assert_int_equal(weir_cond_match(&c, &v), len <= 32);
		c.matchType = NE;
		assert_int_equal(weir_cond_match(&c, &v), len > 32);
	}
	/* bits inside a partial byte: differ only in bit 39 (byte 4's lowest) */
	x = a16(0x81, 0x01);
	c = v6_cond(PFX, &net, 39, &am);
	assert_true(weir_cond_match(&c, &v));
	c = v6_cond(PFX, &net, 40, &am);
	assert_false(weir_cond_match(&c, &v));
	/* the last bit, and lengths past 128 count as 128 */
	x = a16(0x80, 0x00);
	c = v6_cond(PFX, &net, 127, &am);
	assert_true(weir_cond_match(&c, &v));
	c = v6_cond(PFX, &net, 128, &am);
	assert_false(weir_cond_match(&c, &v));
	c = v6_cond(PFX, &net, 200, &am);
	assert_false(weir_cond_match(&c, &v));
	x = net;
	assert_true(weir_cond_match(&c, &v));
	/* ordering match types and other value types never match a prefix */
	c = v6_cond(LE, &net, 64, &am);
	assert_false(weir_cond_match(&c, &v));
	c = v6_cond(NPFX, &net, 8, &am);
	assert_false(weir_cond_match(&c, &vm));
}

static void test_byte_arrays(void **state)
{
	FWP_BYTE_ARRAY16 a = a16(5, 1), b = a16(5, 2), lo = a16(5, 0), hi = a16(6, 0);
	FWP_BYTE_ARRAY6 m1 = {{0x02, 0, 0, 0, 0, 1}}, m2 = {{0x02, 0, 0, 0, 0, 2}};
	FWP_VALUE0 va = {.type = FWP_BYTE_ARRAY16_TYPE, .byteArray16 = &a};
	FWP_VALUE0 vm = {.type = FWP_BYTE_ARRAY6_TYPE, .byteArray6 = &m1};
	FWPS_FILTER_CONDITION0 c = {.matchType = EQ};
	FWP_RANGE0 r;

	(void)state;
	c.conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
	c.conditionValue.byteArray16 = &a;
	assert_true(weir_cond_match(&c, &va));
	c.conditionValue.byteArray16 = &b;
	assert_false(weir_cond_match(&c, &va));
	c.matchType = NE;
	assert_true(weir_cond_match(&c, &va));
	/* network order: lexicographic = numeric */
	c.matchType = LT;
	assert_true(weir_cond_match(&c, &va));
	c.matchType = GT;
	assert_false(weir_cond_match(&c, &va));
	c.conditionValue.byteArray16 = &hi;
	c.matchType = LT;
	assert_true(weir_cond_match(&c, &va));
	c.matchType = GE;
	assert_false(weir_cond_match(&c, &va));
	/* no flags or prefixes on plain arrays */
	c.matchType = ANY;
	assert_false(weir_cond_match(&c, &va));
	c.matchType = PFX;
	assert_false(weir_cond_match(&c, &va));
	/* ranges of addresses */
	r.valueLow = (FWP_VALUE0){.type = FWP_BYTE_ARRAY16_TYPE, .byteArray16 = &lo};
	r.valueHigh = (FWP_VALUE0){.type = FWP_BYTE_ARRAY16_TYPE, .byteArray16 = &hi};
	c.matchType = RG;
	c.conditionValue.type = FWP_RANGE_TYPE;
	c.conditionValue.rangeValue = &r;
	assert_true(weir_cond_match(&c, &va));
	r.valueLow.byteArray16 = &b;
	assert_false(weir_cond_match(&c, &va));
	r.valueHigh.byteArray16 = &a;
	r.valueLow.byteArray16 = &a;
	assert_true(weir_cond_match(&c, &va));
	/* MACs */
	c.matchType = EQ;
	c.conditionValue.type = FWP_BYTE_ARRAY6_TYPE;
	c.conditionValue.byteArray6 = &m1;
	assert_true(weir_cond_match(&c, &vm));
	assert_false(weir_cond_match(&c, &va)); /* type mismatch */
	c.conditionValue.byteArray6 = &m2;
	assert_false(weir_cond_match(&c, &vm));
	c.matchType = NE;
	assert_true(weir_cond_match(&c, &vm));
	c.matchType = LT;
	assert_true(weir_cond_match(&c, &vm));
}

/* An absent field satisfies no condition, whatever its match type. */
static void test_empty_never_matches(void **state)
{
	static const FWP_MATCH_TYPE mts[] = {EQ, NE, GT, LT, GE, LE, RG, ALL, ANY, NONE, PFX, NPFX};
	FWP_VALUE0 empty = {.type = FWP_EMPTY};
	FWP_BYTE_ARRAY16 net = a16(0, 0);
	FWP_V4_ADDR_AND_MASK am4 = {1, 0};
	FWP_V6_ADDR_AND_MASK am6;
	FWPS_FILTER_CONDITION0 c;
	FWP_RANGE0 r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mts) / sizeof(mts[0]); i++) {
		c = ucond(FWP_UINT16, mts[i], 0);
		assert_false(weir_cond_match(&c, &empty));
		c = ucond(FWP_UINT64, mts[i], 0);
		assert_false(weir_cond_match(&c, &empty));
		c = v4_cond(mts[i], 1, 0, &am4);
		assert_false(weir_cond_match(&c, &empty));
		c = v6_cond(mts[i], &net, 0, &am6);
		assert_false(weir_cond_match(&c, &empty));
		c = range_cond(FWP_UINT8, 0, 255, &r);
		c.matchType = mts[i];
		assert_false(weir_cond_match(&c, &empty));
	}
	/* a FWP_EMPTY condition value matches nothing either */
	c = (FWPS_FILTER_CONDITION0){.matchType = EQ};
	assert_false(weir_cond_match(&c, &empty));
}

/* ---- whole filters ------------------------------------------------------------------- */

struct pkt {
	FWPS_INCOMING_VALUE0 v[4];
	FWPS_INCOMING_VALUES0 in;
};

static void pkt_init(struct pkt *p, UINT16 f0, UINT16 f1, UINT16 f2)
{
	memset(p, 0, sizeof(*p));
	p->v[0].value = (FWP_VALUE0){.type = FWP_UINT16, .uint16 = f0};
	p->v[1].value = (FWP_VALUE0){.type = FWP_UINT16, .uint16 = f1};
	p->v[2].value = (FWP_VALUE0){.type = FWP_UINT16, .uint16 = f2};
	p->v[3].value.type = FWP_EMPTY;
	p->in.valueCount = 4;
	p->in.incomingValue = p->v;
}

static FWPS_FILTER_CONDITION0 eq(UINT16 field, UINT16 x)
{
	FWPS_FILTER_CONDITION0 c = ucond(FWP_UINT16, EQ, x);

	c.fieldId = field;
	return c;
}

static bool match(const FWPS_FILTER_CONDITION0 *c, UINT32 n, const struct pkt *p)
{
	FWPS_FILTER3 f = {.numFilterConditions = n, .filterCondition = (FWPS_FILTER_CONDITION0 *)c};

	return weir_filter_match(&f, &p->in);
}

static void test_filter_and_or(void **state)
{
	struct pkt p;

	(void)state;
	pkt_init(&p, 1, 2, 3);
	/* no conditions: everything */
	assert_true(match(NULL, 0, &p));
	/* different fields: AND */
	{
		FWPS_FILTER_CONDITION0 c[] = {eq(0, 1), eq(1, 2)};

		assert_true(match(c, 2, &p));
		c[1] = eq(1, 9);
		assert_false(match(c, 2, &p));
	}
	/* consecutive conditions on one field: OR, then AND with the next field */
	{
		FWPS_FILTER_CONDITION0 c[] = {eq(0, 7), eq(0, 1), eq(0, 8), eq(2, 3)};

		assert_true(match(c, 4, &p));
		c[1] = eq(0, 6);
		assert_false(match(c, 4, &p));
		c[1] = eq(0, 1);
		c[3] = eq(2, 4);
		assert_false(match(c, 4, &p));
	}
	/* the same field again after another field starts a new group: AND */
	{
		FWPS_FILTER_CONDITION0 c[] = {eq(0, 1), eq(1, 2), eq(0, 5)};

		assert_false(match(c, 3, &p));
		c[2] = eq(0, 1);
		assert_true(match(c, 3, &p));
	}
	/* an OR group on an absent field fails the filter */
	{
		FWPS_FILTER_CONDITION0 c[] = {eq(0, 1), eq(3, 1), eq(3, 2)};

		c[1].matchType = NE;
		c[2].matchType = NE;
		assert_false(match(c, 3, &p));
	}
}

/* A condition on a field the packet does not carry never matches. */
static void test_field_out_of_range(void **state)
{
	struct pkt p;
	FWPS_FILTER_CONDITION0 c[] = {eq(0, 1), eq(4, 0)};

	(void)state;
	pkt_init(&p, 1, 2, 3);
	c[1].matchType = NE;
	assert_false(match(c, 2, &p));
	c[1].fieldId = 0xFFFF;
	assert_false(match(c, 2, &p));
	/* a shorter packet: field 2 now out of range */
	c[1] = eq(2, 3);
	assert_true(match(c, 2, &p));
	p.in.valueCount = 2;
	assert_false(match(c, 2, &p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars),       cmocka_unit_test(test_scalar_width),
	    cmocka_unit_test(test_type_mismatch), cmocka_unit_test(test_range),
	    cmocka_unit_test(test_v4_mask),       cmocka_unit_test(test_v6_prefix),
	    cmocka_unit_test(test_byte_arrays),   cmocka_unit_test(test_empty_never_matches),
	    cmocka_unit_test(test_filter_and_or), cmocka_unit_test(test_field_out_of_range),
	};

	return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
