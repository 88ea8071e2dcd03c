/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key extractors: one small loop per (what is read, where it goes) pair,
 * picked per mapped field when a base is prepared.
 */
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "classify/fast.h"
#include "core/layers.h"
#include "dataplane/extract.h"
#include "dataplane/parse.h"

/* Where a value goes in the key. */
enum { ST_LEAD, ST_HALF, ST_WORD, ST_COUNT };

/* The operation's parameters, copied so stores to the keys do not reload them. */
struct opv {
	uint32_t off, off2, mask, konst;
};

static __rte_always_inline uint32_t load(const struct opv *o, const struct weir_pkt *p,
                                         unsigned src)
{
	const uint8_t *b = (const uint8_t *)p;
	uint16_t u16;
	uint32_t u32;

	switch (src) {
	case WEIR_EX_U8:
		return b[o->off];
	case WEIR_EX_U16:
		memcpy(&u16, b + o->off, 2);
		return u16;
	case WEIR_EX_U32:
		memcpy(&u32, b + o->off, 4);
		return u32;
	case WEIR_EX_PORT_ICMP:
		if (p->has_ports) {
			memcpy(&u16, b + o->off, 2);
			return u16 & o->mask;
		}
		return b[o->off2];
	case WEIR_EX_ADDR_TYPE:
		if (p->ip_version == 4) {
			if (p->v4_dst == 0xffffffffu)
				return 4;
			return (p->v4_dst >> 28) == 0xe ? 3 : 1;
		}
		return p->v6_dst[0] == 0xff ? 3 : 1;
	case WEIR_EX_FLAGS:
		return (p->cond_flags | (p->fragment ? FWP_CONDITION_FLAG_IS_FRAGMENT : 0)) &
		       o->mask;
	default:
		return o->konst;
	}
}

/* Write @p x at @p k (the field's place in its key), network order. */
static __rte_always_inline void store(uint8_t *k, unsigned st, uint32_t x)
{
	if (st == ST_LEAD) {
		/* the whole first word: the leading byte and zeroed padding */
		x &= 0xffu;
		memcpy(k, &x, 4);
	} else if (st == ST_HALF) {
		uint16_t be = rte_cpu_to_be_16((uint16_t)x);

		memcpy(k, &be, 2);
	} else {
		uint32_t be = rte_cpu_to_be_32(x);

		memcpy(k, &be, 4);
	}
}

/*
 * Every operation writes its bytes, value or 0, so keys need no clearing
 * (weir_extract_plan() adds an operation for the first word when no field
 * leads); @p cond: the value may be absent (else it never is).
 */
static __rte_always_inline void run(const struct weir_extract_op *op,
                                    const struct weir_pkt *const *pk, uint32_t n, uint8_t *keys,
                                    uint32_t stride, uint8_t *exact, unsigned src, unsigned st,
                                    bool cond)
{
	const struct opv o = {op->off, op->off2, op->mask, op->konst};
	const uint32_t need = op->need;
	uint8_t *k = keys + op->dst;
	uint32_t t;

#pragma GCC unroll 4
	for (t = 0; t < n; t++, k += stride) {
		const struct weir_pkt *p = pk[t];
		uint32_t x = load(&o, p, src);

		if (cond && unlikely(!(p->pres & need))) {
			x = 0;
			exact[t] = 0;
		}
		store(k, st, x);
	}
}

#define EX_FN(src, st, cond)                                                                       \
	static void ex_##src##_##st##_##cond(const struct weir_extract_op *op,                     \
	                                     const struct weir_pkt *const *pk, uint32_t n,         \
	                                     uint8_t *keys, uint32_t stride, uint8_t *exact)       \
	{                                                                                          \
		run(op, pk, n, keys, stride, exact, WEIR_EX_##src, ST_##st, cond);                 \
	}
#define EX_FNS(src)                                                                                \
	EX_FN(src, LEAD, 0)                                                                        \
	EX_FN(src, HALF, 0)                                                                        \
	EX_FN(src, WORD, 0) EX_FN(src, LEAD, 1) EX_FN(src, HALF, 1) EX_FN(src, WORD, 1)
EX_FNS(U8)
EX_FNS(U16)
EX_FNS(U32)
EX_FNS(PORT_ICMP)
EX_FNS(ADDR_TYPE)
EX_FNS(FLAGS)
EX_FNS(CONST)
#define EX_ROW(src)                                                                                \
	[WEIR_EX_##src] = {{ex_##src##_LEAD_0, ex_##src##_HALF_0, ex_##src##_WORD_0},              \
	                   {ex_##src##_LEAD_1, ex_##src##_HALF_1, ex_##src##_WORD_1}}
/* [what is read][may be absent][where it goes] */
static const weir_extract_fn scalar_fns[][2][ST_COUNT] = {
    EX_ROW(U8),
    EX_ROW(U16),
    EX_ROW(U32),
    EX_ROW(PORT_ICMP),
    EX_ROW(ADDR_TYPE),
    EX_ROW(FLAGS),
    EX_ROW(CONST),
    /* an absent field: the constant 0, never present */
    [WEIR_EX_ABSENT] = {{ex_CONST_LEAD_1, ex_CONST_HALF_1, ex_CONST_WORD_1},
                        {ex_CONST_LEAD_1, ex_CONST_HALF_1, ex_CONST_WORD_1}},
};

static void ex_v6(const struct weir_extract_op *op, const struct weir_pkt *const *pk, uint32_t n,
                  uint8_t *keys, uint32_t stride, uint8_t *exact)
{
	static const uint8_t zero[16];
	uint8_t *k = keys + op->dst;
	uint32_t t;

	for (t = 0; t < n; t++, k += stride) {
		const uint8_t *v = (const uint8_t *)pk[t] + op->off;

		if (unlikely(!(pk[t]->pres & op->need))) {
			v = zero;
			exact[t] = 0;
		}
		memcpy(k, v, 16);
	}
}

/* The incoming value's width as weir_pipeline_fill() gives it for type @p t. */
static uint32_t width_mask(FWP_DATA_TYPE t)
{
	return t == FWP_UINT8 ? 0xffu : t == FWP_UINT16 ? 0xffffu : 0xffffffffu;
}

/*
 * Read no more than the incoming value's width: the low bytes of a wider
 * packet attribute (little-endian) are its truncation, so the extractors
 * need no mask. Constants are truncated here, computed values in load().
 */
static void narrow(struct weir_extract_op *op)
{
	if (op->src == WEIR_EX_CONST)
		op->konst &= op->mask;
	else if (op->mask == 0xffu && (op->src == WEIR_EX_U16 || op->src == WEIR_EX_U32))
		op->src = WEIR_EX_U8;
	else if (op->mask == 0xffffu && op->src == WEIR_EX_U32)
		op->src = WEIR_EX_U16;
}

#define OFF(f) ((uint16_t)offsetof(struct weir_pkt, f))

/*
 * What weir_pipeline_fill() puts in field @p fd of layer @p l: its type
 * (FWP_EMPTY: never a value) and how to read it.
 */
static FWP_DATA_TYPE source_of(const struct weir_layer_desc *l, const struct weir_field_desc *fd,
                               struct weir_extract_op *op)
{
	FWP_DATA_TYPE t = fd->type;
	bool scalar = t == FWP_UINT8 || t == FWP_UINT16 || t == FWP_UINT32 || t == FWP_UINT64;

	op->need = WEIR_PKT_P_ALWAYS;
	op->off2 = 0;
	op->konst = 0;
	switch (fd->attr) {
	case WEIR_ATTR_IP_SRC:
	case WEIR_ATTR_IP_DST: {
		bool src = fd->attr == WEIR_ATTR_IP_SRC;

		if (t == FWP_BYTE_ARRAY16_TYPE) {
			op->src = WEIR_EX_V6;
			op->off = src ? OFF(v6_src) : OFF(v6_dst);
			return t;
		}
		op->src = WEIR_EX_U32;
		op->off = src ? OFF(v4_src) : OFF(v4_dst);
		return FWP_UINT32;
	}
	case WEIR_ATTR_ETH_SRC:
	case WEIR_ATTR_ETH_DST:
		return FWP_BYTE_ARRAY6_TYPE; /* never mapped */
	default:
		break;
	}
	if (!scalar)
		return FWP_EMPTY;
	switch (fd->attr) {
	case WEIR_ATTR_IP_PROTO:
		op->src = WEIR_EX_U8, op->off = OFF(proto);
		break;
	case WEIR_ATTR_SRC_PORT:
	case WEIR_ATTR_DST_PORT:
		op->src = WEIR_EX_U16;
		op->off = fd->attr == WEIR_ATTR_SRC_PORT ? OFF(sport) : OFF(dport);
		op->need = WEIR_PKT_P_PORTS;
		break;
	case WEIR_ATTR_DPORT_OR_ICMP_TYPE:
	case WEIR_ATTR_SPORT_OR_ICMP_CODE:
	case WEIR_ATTR_SPORT_OR_ICMP_TYPE:
	case WEIR_ATTR_DPORT_OR_ICMP_CODE:
		op->src = WEIR_EX_PORT_ICMP;
		op->off = fd->attr == WEIR_ATTR_DPORT_OR_ICMP_TYPE ||
		                  fd->attr == WEIR_ATTR_DPORT_OR_ICMP_CODE
		              ? OFF(dport)
		              : OFF(sport);
		op->off2 = fd->attr == WEIR_ATTR_DPORT_OR_ICMP_TYPE ||
		                   fd->attr == WEIR_ATTR_SPORT_OR_ICMP_TYPE
		               ? OFF(icmp_type)
		               : OFF(icmp_code);
		op->need = WEIR_PKT_P_PORTS | WEIR_PKT_P_ICMP;
		break;
	case WEIR_ATTR_ICMP_TYPE:
	case WEIR_ATTR_ICMP_CODE:
		op->src = WEIR_EX_U8;
		op->off = fd->attr == WEIR_ATTR_ICMP_TYPE ? OFF(icmp_type) : OFF(icmp_code);
		op->need = WEIR_PKT_P_ICMP;
		break;
	case WEIR_ATTR_TCP_FLAGS:
		op->src = WEIR_EX_U8, op->off = OFF(tcp_flags);
		op->need = WEIR_PKT_P_TCP_PORTS;
		break;
	case WEIR_ATTR_DSCP:
	case WEIR_ATTR_TTL:
		op->src = WEIR_EX_U8;
		op->off = fd->attr == WEIR_ATTR_DSCP ? OFF(dscp) : OFF(ttl);
		op->need = WEIR_PKT_P_IP;
		break;
	case WEIR_ATTR_PKT_LEN:
		op->src = WEIR_EX_U32, op->off = OFF(pkt_len);
		break;
	case WEIR_ATTR_IF_IN:
	case WEIR_ATTR_IF_OUT:
		op->src = WEIR_EX_U16;
		op->off = fd->attr == WEIR_ATTR_IF_IN ? OFF(in_port) : OFF(out_port);
		break;
	case WEIR_ATTR_ETH_TYPE:
		op->src = WEIR_EX_U16, op->off = OFF(eth_type);
		break;
	case WEIR_ATTR_VLAN_ID:
		op->src = WEIR_EX_U16, op->off = OFF(vlan_id);
		op->need = WEIR_PKT_P_VLAN;
		break;
	case WEIR_ATTR_DST_ADDR_TYPE:
		op->src = WEIR_EX_ADDR_TYPE;
		op->need = WEIR_PKT_P_IP;
		break;
	case WEIR_ATTR_FLAGS:
		op->src = WEIR_EX_FLAGS;
		break;
	case WEIR_ATTR_DIRECTION:
		op->src = WEIR_EX_CONST;
		op->konst = l->outbound ? FWP_DIRECTION_OUTBOUND : FWP_DIRECTION_INBOUND;
		break;
	case WEIR_ATTR_INTERFACE_TYPE:
		op->src = WEIR_EX_CONST, op->konst = 6;
		break;
	case WEIR_ATTR_ZERO:
		op->src = WEIR_EX_CONST;
		break;
	default:
		return FWP_EMPTY;
	}
	return t;
}

void weir_extract_plan(struct weir_extract *x, enum weir_layer layer,
                       const struct weir_fast_map *maps, uint32_t n_maps)
{
	weir_extract_plan_desc(x, weir_layer_get(layer), maps, n_maps);
}

void weir_extract_plan_desc(struct weir_extract *x, const struct weir_layer_desc *l,
                            const struct weir_fast_map *maps, uint32_t n_maps)
{
	bool lead = false;
	uint32_t k;

	memset(x, 0, sizeof(*x));
	for (k = 0; k < n_maps && x->n_ops < WEIR_EXTRACT_MAX_OPS - 1; k++) {
		const struct weir_fast_map *m = &maps[k];
		struct weir_extract_op *op = &x->op[x->n_ops++];
		FWP_DATA_TYPE t = FWP_EMPTY;
		unsigned st;

		if (l != NULL && m->field < l->field_count)
			t = source_of(l, &l->fields[m->field], op);
		if (t != m->vtype) {
			/* weir_fast_key_put() refuses another type: keyed 0, inexact */
			memset(op, 0, sizeof(*op));
			op->src = WEIR_EX_ABSENT;
		} else {
			op->mask = width_mask(t);
			narrow(op);
		}
		if (m->vtype == FWP_BYTE_ARRAY16_TYPE) {
			op->dst = (uint8_t)(4 * m->slot);
			op->fn = ex_v6;
			continue;
		}
		if (m->lead) {
			st = ST_LEAD;
			op->dst = 0;
			lead = true;
		} else if (m->half) {
			st = ST_HALF;
			op->dst = (uint8_t)(4 * m->slot + 2 * (m->half - 1));
		} else {
			st = ST_WORD;
			op->dst = (uint8_t)(4 * m->slot);
		}
		op->fn = scalar_fns[op->src][op->need != WEIR_PKT_P_ALWAYS][st];
	}
	if (!lead) {
		/* no leading byte: its word is 0 */
		struct weir_extract_op *op = &x->op[x->n_ops++];

		op->src = WEIR_EX_CONST;
		op->need = WEIR_PKT_P_ALWAYS;
		op->fn = scalar_fns[WEIR_EX_CONST][0][ST_WORD];
	}
}
