/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Condition values: `<field> <op> <value>` to an FWPM_FILTER_CONDITION0.
 *
 * The field's condition GUID and data type come from the layer's field table
 * (core/layers.h); how its value is written (address, MAC, protocol name,
 * TCP flag names, number) follows from that type and the field's name.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/layers.h"
#include "core/value.h"
#include "policy/policy_private.h"

/* How a field's values are written. */
enum vkind { V_NUM, V_ADDR4, V_ADDR6, V_MAC, V_PROTO, V_TCPFLAGS };

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_FALL, OP_FANY, OP_FNONE };

static const struct {
	const char *text;
	enum op op;
	FWP_MATCH_TYPE match; /* of a single value ('in': of a prefix or range) */
} ops[] = {
    {"==", OP_EQ, FWP_MATCH_EQUAL},
    {"!=", OP_NE, FWP_MATCH_NOT_EQUAL},
    {"<", OP_LT, FWP_MATCH_LESS},
    {"<=", OP_LE, FWP_MATCH_LESS_OR_EQUAL},
    {">", OP_GT, FWP_MATCH_GREATER},
    {">=", OP_GE, FWP_MATCH_GREATER_OR_EQUAL},
    {"in", OP_IN, FWP_MATCH_EQUAL},
    {"flags-all", OP_FALL, FWP_MATCH_FLAGS_ALL_SET},
    {"flags-any", OP_FANY, FWP_MATCH_FLAGS_ANY_SET},
    {"flags-none", OP_FNONE, FWP_MATCH_FLAGS_NONE_SET},
};

static const struct {
	const char *name;
	UINT8 value;
} protos[] = {
    {"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}, {"gre", 47}, {"esp", 50}, {"sctp", 132},
};

static const struct {
	const char *name;
	UINT8 value;
} tcpflags[] = {
    {"fin", 0x01}, {"syn", 0x02}, {"rst", 0x04}, {"psh", 0x08}, {"ack", 0x10}, {"urg", 0x20},
};

/* Fields whose meaningful values are narrower than their type. */
static const struct {
	const char *name;
	UINT64 max;
} narrow[] = {
    {"vlan.id", 4095},
    {"ip.dscp", 63},
};

/* Messages quote at most this much of a token. */
#define QMAX 64

/* Field lookup through core/layers.h. @return the index, or -1. */
static int field_at(int layer, const char *name, GUID *key, FWP_DATA_TYPE *type)
{
	const struct weir_layer_desc *ld = weir_layer_get((enum weir_layer)layer);
	int i;

	if (ld == NULL)
		return -1;
	i = weir_layer_field_by_policy(ld, name);
	if (i < 0)
		return -1;
	*key = *ld->fields[i].key;
	*type = ld->fields[i].type;
	return i;
}

static bool field_anywhere(const char *name)
{
	FWP_DATA_TYPE t;
	GUID k;
	int l;

	for (l = 0; l < WEIR_LAYER_COUNT; l++)
		if (field_at(l, name, &k, &t) >= 0)
			return true;
	return false;
}

bool weir_pol_op_known(const char *text)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(text, ops[i].text) == 0)
			return true;
	return false;
}

int weir_pol_parse_u64(const char *s, UINT64 max, UINT64 *v)
{
	UINT64 x = 0;
	unsigned base = 10, d;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == 0)
		return -1;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return -1;
		if (x > (UINT64_MAX - d) / base) {
			/* keep checking the syntax so "99999999999999999999x" is a bad number */
			for (p++; *p; p++)
				if (!((*p >= '0' && *p <= '9') ||
				      (base == 16 &&
				       ((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))))
					return -1;
			return -2;
		}
		x = x * base + d;
	}
	if (x > max)
		return -2;
	*v = x;
	return 0;
}

static int hexdig(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* aa:bb:cc:dd:ee:ff, two hex digits each. */
static bool parse_mac(const char *s, UINT8 mac[6])
{
	int i, hi, lo;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++) {
		hi = hexdig(s[3 * i]);
		lo = hexdig(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = (UINT8)(hi << 4 | lo);
	}
	return true;
}

/* A conversion in progress: where to report, and what the field is. */
struct conv {
	struct pctx *cx;
	const struct tok *val; /* position of every value error */
	const char *field;
	const char *layer;
	FWP_DATA_TYPE type;
	enum vkind vk;
	UINT64 max;
};

/* A value error at the value token: @p fmt has one %.*s for @p what. */
#define BAD(v, fmt, what)                                                                          \
	weir_pol_error((v)->cx, (v)->val->line, (v)->val->col, STATUS_INVALID_PARAMETER, fmt,      \
	               QMAX, what)

/* One value (no prefix, no range) of the field's type into @p out. */
static NTSTATUS scalar(struct conv *v, const char *s, struct pol_scalar *out)
{
	UINT64 x = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->type = v->type;
	switch (v->vk) {
	case V_ADDR4: {
		struct in_addr a;

		if (inet_pton(AF_INET, s, &a) != 1) {
			if (strchr(s, ':'))
				return weir_pol_error(
				    v->cx, v->val->line, v->val->col, STATUS_INVALID_PARAMETER,
				    "'%.*s' is not an IPv4 address (layer %s is IPv4)", QMAX, s,
				    v->layer);
			return BAD(v, "bad IPv4 address '%.*s'", s);
		}
		out->u = ntohl(a.s_addr);
		return STATUS_SUCCESS;
	}
	case V_ADDR6: {
		struct in_addr a4;

		if (inet_pton(AF_INET6, s, out->a16.byteArray16) != 1) {
			if (inet_pton(AF_INET, s, &a4) == 1)
				return weir_pol_error(
				    v->cx, v->val->line, v->val->col, STATUS_INVALID_PARAMETER,
				    "'%.*s' is not an IPv6 address (layer %s is IPv6)", QMAX, s,
				    v->layer);
			return BAD(v, "bad IPv6 address '%.*s'", s);
		}
		return STATUS_SUCCESS;
	}
	case V_MAC:
		if (!parse_mac(s, out->a6.byteArray6))
			return BAD(v, "bad MAC address '%.*s' (expected aa:bb:cc:dd:ee:ff)", s);
		return STATUS_SUCCESS;
	case V_PROTO: {
		size_t i;

		for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
			if (strcmp(s, protos[i].name) == 0) {
				out->u = protos[i].value;
				return STATUS_SUCCESS;
			}
		}
		break;
	}
	case V_TCPFLAGS:
		if (strchr(s, '|') || !(s[0] >= '0' && s[0] <= '9')) {
			/* names (or numbers) joined by | */
			const char *p = s;

			while (1) {
				const char *bar = strchr(p, '|');
				size_t len = bar ? (size_t)(bar - p) : strlen(p), i;
				char part[32];
				UINT64 n;

				if (len == 0 || len >= sizeof(part))
					return BAD(v,
					           "bad TCP flags '%.*s' (names fin syn rst psh "
					           "ack urg, or a number, joined by |)",
					           s);
				memcpy(part, p, len);
				part[len] = 0;
				for (i = 0; i < sizeof(tcpflags) / sizeof(tcpflags[0]); i++)
					if (strcmp(part, tcpflags[i].name) == 0)
						break;
				if (i < sizeof(tcpflags) / sizeof(tcpflags[0])) {
					x |= tcpflags[i].value;
				} else {
					rc = weir_pol_parse_u64(part, v->max, &n);
					if (rc == -2)
						return weir_pol_error(
						    v->cx, v->val->line, v->val->col,
						    STATUS_INVALID_PARAMETER,
						    "number '%s' out of range (0..%llu)", part,
						    (unsigned long long)v->max);
					if (rc)
						return weir_pol_error(
						    v->cx, v->val->line, v->val->col,
						    STATUS_INVALID_PARAMETER,
						    "unknown TCP flag '%s' (fin syn rst psh "
						    "ack urg)",
						    part);
					x |= n;
				}
				if (bar == NULL)
					break;
				p = bar + 1;
			}
			out->u = x;
			return STATUS_SUCCESS;
		}
		break;
	case V_NUM:
		break;
	}
	rc = weir_pol_parse_u64(s, v->max, &x);
	if (rc == -2)
		return weir_pol_error(v->cx, v->val->line, v->val->col, STATUS_INVALID_PARAMETER,
		                      "number '%.*s' out of range for %s (0..%llu)", QMAX, s,
		                      v->field, (unsigned long long)v->max);
	if (rc) {
		if (v->vk == V_PROTO)
			return BAD(v,
			           "bad protocol '%.*s' (a number or tcp, udp, icmp, icmpv6, gre, "
			           "esp, sctp)",
			           s);
		return weir_pol_error(v->cx, v->val->line, v->val->col, STATUS_INVALID_PARAMETER,
		                      "bad number '%.*s' for %s", QMAX, s, v->field);
	}
	out->u = x;
	return STATUS_SUCCESS;
}

static int scalar_cmp(const struct pol_scalar *a, const struct pol_scalar *b)
{
	if (a->type == FWP_BYTE_ARRAY16_TYPE)
		return memcmp(a->a16.byteArray16, b->a16.byteArray16, 16);
	if (a->type == FWP_BYTE_ARRAY6_TYPE)
		return memcmp(a->a6.byteArray6, b->a6.byteArray6, 6);
	return a->u < b->u ? -1 : a->u > b->u;
}

/* addr/len into a mask value. */
static NTSTATUS prefix(struct conv *v, const char *s, struct pol_cond *c)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	size_t alen = (size_t)(slash - s);
	UINT64 len;
	NTSTATUS st;
	unsigned bits = v->vk == V_ADDR4 ? 32 : 128, i;

	if (v->vk != V_ADDR4 && v->vk != V_ADDR6)
		return weir_pol_error(v->cx, v->val->line, v->val->col, STATUS_INVALID_PARAMETER,
		                      "a prefix needs an address field, %s is not one", v->field);
	if (alen >= sizeof(addr))
		return BAD(v, "bad prefix '%.*s'", s);
	memcpy(addr, s, alen);
	addr[alen] = 0;
	/* prefix lengths are decimal only: "/0x8" is a typo, not a length */
	if (slash[1] == 0 || strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    weir_pol_parse_u64(slash + 1, bits, &len) != 0)
		return weir_pol_error(v->cx, v->val->line, v->val->col, STATUS_INVALID_PARAMETER,
		                      "bad prefix length in '%.*s' (0..%u)", QMAX, s, bits);
	st = scalar(v, addr, &c->one);
	if (st != STATUS_SUCCESS)
		return st;
	if (v->vk == V_ADDR4) {
		UINT32 mask = len ? (UINT32)(0xffffffffu << (32 - len)) : 0;

		c->shape = SHAPE_V4MASK;
		/* host bits are cleared: 10.1.2.3/8 means 10.0.0.0/8 */
		c->v4m.addr = (UINT32)c->one.u & mask;
		c->v4m.mask = mask;
	} else {
		c->shape = SHAPE_V6MASK;
		for (i = 0; i < 16; i++) {
			unsigned keep = len >= 8 * (i + 1) ? 8
			                : len > 8 * i      ? (unsigned)len - 8 * i
			                                   : 0;
			UINT8 m = keep ? (UINT8)(0xff << (8 - keep)) : 0;

			c->v6m.addr[i] = c->one.a16.byteArray16[i] & m;
		}
		c->v6m.prefixLength = (UINT8)len;
	}
	memset(&c->one, 0, sizeof(c->one));
	return STATUS_SUCCESS;
}

/* low-high into a range value. */
static NTSTATUS range(struct conv *v, const char *s, struct pol_cond *c)
{
	const char *dash = strchr(s, '-');
	size_t llen = (size_t)(dash - s);
	char *low;
	NTSTATUS st;

	if (llen == 0 || dash[1] == 0)
		return BAD(v, "bad range '%.*s' (expected low-high)", s);
	low = strndup(s, llen);
	if (low == NULL)
		return weir_pol_error(v->cx, v->val->line, v->val->col, STATUS_NO_MEMORY,
		                      "out of memory");
	st = scalar(v, low, &c->lo);
	free(low);
	if (st != STATUS_SUCCESS)
		return st;
	st = scalar(v, dash + 1, &c->hi);
	if (st != STATUS_SUCCESS)
		return st;
	if (scalar_cmp(&c->lo, &c->hi) > 0)
		return BAD(v, "bad range '%.*s': low is greater than high", s);
	c->shape = SHAPE_RANGE;
	c->match = FWP_MATCH_RANGE;
	return STATUS_SUCCESS;
}

NTSTATUS weir_pol_cond_parse(struct pctx *cx, int layer, const struct tok *field,
                             const struct tok *op, const struct tok *val, struct pol_cond *c)
{
	struct conv v = {.cx = cx, .val = val, .field = field->text};
	enum op o = OP_EQ;
	FWP_MATCH_TYPE match;
	size_t i;
	const char *s = val->text;
	NTSTATUS st;

	memset(c, 0, sizeof(*c));
	c->pos.line = field->line;
	c->pos.col = field->col;
	v.layer = weir_layer_name((enum weir_layer)layer);
	if (field_at(layer, field->text, &c->field_key, &v.type) < 0) {
		if (field_anywhere(field->text))
			return weir_pol_error(cx, field->line, field->col, STATUS_INVALID_PARAMETER,
			                      "field '%.*s' is not valid at layer %s", QMAX,
			                      field->text, v.layer);
		return weir_pol_error(cx, field->line, field->col, STATUS_INVALID_PARAMETER,
		                      "unknown field '%.*s'", QMAX, field->text);
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op->text, ops[i].text) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return weir_pol_error(
		    cx, op->line, op->col, STATUS_INVALID_PARAMETER,
		    "unknown operator '%.*s' (== != < <= > >= in flags-all flags-any "
		    "flags-none)",
		    QMAX, op->text);
	o = ops[i].op;
	match = ops[i].match;

	switch (v.type) {
	case FWP_BYTE_ARRAY16_TYPE:
		v.vk = V_ADDR6;
		break;
	case FWP_BYTE_ARRAY6_TYPE:
		v.vk = V_MAC;
		break;
	case FWP_UINT8:
	case FWP_UINT16:
	case FWP_UINT32:
	case FWP_UINT64:
		if (strcmp(field->text, "ip.src") == 0 || strcmp(field->text, "ip.dst") == 0)
			v.vk = v.type == FWP_UINT32 ? V_ADDR4 : V_NUM;
		else if (strcmp(field->text, "ip.proto") == 0)
			v.vk = V_PROTO;
		else if (strcmp(field->text, "tcp.flags") == 0)
			v.vk = V_TCPFLAGS;
		else
			v.vk = V_NUM;
		break;
	default:
		return weir_pol_error(cx, field->line, field->col, STATUS_INVALID_PARAMETER,
		                      "field '%.*s' has a type policy files cannot express", QMAX,
		                      field->text);
	}
	v.max = weir_uint_max(v.type);
	for (i = 0; i < sizeof(narrow) / sizeof(narrow[0]); i++)
		if (strcmp(field->text, narrow[i].name) == 0 && narrow[i].max < v.max)
			v.max = narrow[i].max;

	if (val->kind != TOK_WORD)
		return weir_pol_error(cx, val->line, val->col, STATUS_INVALID_PARAMETER,
		                      "missing value after '%.*s'", QMAX, op->text);

	c->match = match;
	switch (o) {
	case OP_EQ:
	case OP_NE:
		if (strchr(s, '/'))
			return prefix(&v, s, c);
		break;
	case OP_IN:
		if (strchr(s, '/'))
			return prefix(&v, s, c);
		if (strchr(s, '-'))
			return range(&v, s, c);
		return BAD(&v,
		           "'in' needs a prefix (address/length) or a range (low-high), not '%.*s'",
		           s);
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		break;
	case OP_FALL:
	case OP_FANY:
	case OP_FNONE:
		if (v.vk != V_NUM && v.vk != V_TCPFLAGS && v.vk != V_PROTO)
			return weir_pol_error(cx, op->line, op->col, STATUS_INVALID_PARAMETER,
			                      "'%s' needs an integer field, %s is not one",
			                      op->text, field->text);
		break;
	}
	if (strchr(s, '/'))
		return weir_pol_error(cx, val->line, val->col, STATUS_INVALID_PARAMETER,
		                      "'%s' takes a single value, not a prefix", op->text);
	st = scalar(&v, s, &c->one);
	if (st != STATUS_SUCCESS)
		return st;
	c->shape = SHAPE_SCALAR;
	return STATUS_SUCCESS;
}

/* @p s as a value; a uint64 or byte array points into @p u64 or @p s. */
static FWP_VALUE0 scalar_value(struct pol_scalar *s, UINT64 *u64)
{
	FWP_VALUE0 v = {.type = s->type};

	if (weir_value_set_uint(&v, s->type, s->u, u64))
		return v;
	v.type = s->type;
	if (s->type == FWP_BYTE_ARRAY16_TYPE)
		v.byteArray16 = &s->a16;
	else if (s->type == FWP_BYTE_ARRAY6_TYPE)
		v.byteArray6 = &s->a6;
	return v;
}

void weir_pol_cond_fwpm(struct pol_cond *c, FWPM_FILTER_CONDITION0 *out)
{
	memset(out, 0, sizeof(*out));
	out->fieldKey = c->field_key;
	out->matchType = c->match;
	switch (c->shape) {
	case SHAPE_SCALAR: {
		FWP_VALUE0 v = scalar_value(&c->one, &c->u64_one);

		out->conditionValue = weir_value_as_cond(&v);
		break;
	}
	case SHAPE_V4MASK:
		out->conditionValue.type = FWP_V4_ADDR_MASK;
		out->conditionValue.v4AddrMask = &c->v4m;
		break;
	case SHAPE_V6MASK:
		out->conditionValue.type = FWP_V6_ADDR_MASK;
		out->conditionValue.v6AddrMask = &c->v6m;
		break;
	case SHAPE_RANGE:
		c->range.valueLow = scalar_value(&c->lo, &c->u64_lo);
		c->range.valueHigh = scalar_value(&c->hi, &c->u64_hi);
		out->conditionValue.type = FWP_RANGE_TYPE;
		out->conditionValue.rangeValue = &c->range;
		break;
	}
}

bool weir_pol_cond_equal(const struct pol_cond *a, const struct pol_cond *b)
{
	if (memcmp(&a->field_key, &b->field_key, sizeof(GUID)) != 0 || a->match != b->match ||
	    a->shape != b->shape)
		return false;
	switch (a->shape) {
	case SHAPE_SCALAR:
		return a->one.type == b->one.type && scalar_cmp(&a->one, &b->one) == 0;
	case SHAPE_V4MASK:
		return a->v4m.addr == b->v4m.addr && a->v4m.mask == b->v4m.mask;
	case SHAPE_V6MASK:
		return memcmp(a->v6m.addr, b->v6m.addr, 16) == 0 &&
		       a->v6m.prefixLength == b->v6m.prefixLength;
	case SHAPE_RANGE:
		return a->lo.type == b->lo.type && scalar_cmp(&a->lo, &b->lo) == 0 &&
		       scalar_cmp(&a->hi, &b->hi) == 0;
	}
	return false;
}
