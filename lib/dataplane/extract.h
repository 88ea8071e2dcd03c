/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Key extractors (internal): how a layer's rte_acl keys are written straight
 * from parsed packets, chosen once per compiled base instead of per field and
 * per packet.
 *
 * For each mapped field of a base (weir_fast_base.maps) the plan holds one
 * operation: where the value lives in struct weir_pkt, which WEIR_PKT_P_*
 * bits make it present, its WFP width, and where it goes in the key (the
 * leading byte, a 16-bit half word or a whole 32-bit word, network order, or
 * 16 bytes of an IPv6 address). Each operation runs over a whole burst in a
 * loop of its own with nothing decided per packet but presence. The keys
 * are exactly those weir_fast_key_put() writes from the incoming values
 * weir_pipeline_fill() builds, and a packet's key is "exact" under the same
 * conditions: a field absent from the packet, of another type than the
 * mapped one, or not in the layer is keyed as 0 and makes the key inexact.
 */
#ifndef WEIR_DATAPLANE_EXTRACT_H
#define WEIR_DATAPLANE_EXTRACT_H

#include <stdint.h>

#include <weir/weir.h>

struct weir_pkt;
struct weir_fast_map;
struct weir_extract_op;

/** Most operations in a plan: one per mapped field (WEIR_FAST_MAX_SLOTS), one more. */
#define WEIR_EXTRACT_MAX_OPS 64

/**
 * Write one field into @p n keys (key t at @p keys + t * @p stride) from
 * packet @p pk[t], 0 where it is absent, and then clear exact[t].
 */
typedef void (*weir_extract_fn)(const struct weir_extract_op *op, const struct weir_pkt *const *pk,
                                uint32_t n, uint8_t *keys, uint32_t stride, uint8_t *exact);

/** How one mapped field is extracted. */
struct weir_extract_op {
	weir_extract_fn fn;
	uint16_t off;   /**< offset of the value in struct weir_pkt */
	uint16_t off2;  /**< ICMP alternative of a port (WFP's local/remote port fields) */
	uint16_t need;  /**< WEIR_PKT_P_* bits: present when the packet has any of them */
	uint8_t dst;    /**< byte offset in the key */
	uint8_t src;    /**< WEIR_EX_* (what fn reads; tests and explain) */
	uint32_t mask;  /**< the incoming value's WFP width */
	uint32_t konst; /**< value of a constant field */
};

/** What an operation reads. */
enum {
	WEIR_EX_ABSENT,    /**< never present with the mapped type: keyed 0, inexact */
	WEIR_EX_U8,        /**< a uint8_t of struct weir_pkt */
	WEIR_EX_U16,       /**< a uint16_t */
	WEIR_EX_U32,       /**< a uint32_t */
	WEIR_EX_PORT_ICMP, /**< a port, or for ICMP the type or code at off2 */
	WEIR_EX_ADDR_TYPE, /**< NL_ADDRESS_TYPE of the destination */
	WEIR_EX_FLAGS,     /**< cond_flags and the fragment flag */
	WEIR_EX_CONST,     /**< konst */
	WEIR_EX_V6,        /**< 16 bytes (an IPv6 address) */
};

/**
 * The extraction plan of one compiled base: op[k] for maps[k], then, when
 * no field takes the leading byte, one that zeroes the first word. Together
 * they write every byte of a key.
 */
struct weir_extract {
	uint32_t n_ops;
	struct weir_extract_op op[WEIR_EXTRACT_MAX_OPS];
};

/**
 * Plan the extraction of @p n_maps mapped fields @p maps (laid out by the
 * fast classifier) at layer @p layer. Called once when a base is prepared.
 */
void weir_extract_plan(struct weir_extract *x, enum weir_layer layer,
                       const struct weir_fast_map *maps, uint32_t n_maps);

struct weir_layer_desc;

/** weir_extract_plan() for a layer description (tests: any field table). */
void weir_extract_plan_desc(struct weir_extract *x, const struct weir_layer_desc *l,
                            const struct weir_fast_map *maps, uint32_t n_maps);

/**
 * Build the keys of @p n packets @p pk (n <= WEIR_FAST_BURST) with plan @p x:
 * key t at @p keys + t * @p stride (stride: the base's n_words * 4 bytes;
 * every byte written), exact[t] as weir_fast_key_put() over the incoming
 * values would say.
 */
static inline void weir_extract_keys(const struct weir_extract *x, const struct weir_pkt *const *pk,
                                     uint32_t n, uint8_t *keys, uint32_t stride, uint8_t *exact)
{
	uint32_t k;

	__builtin_memset(exact, 1, n);
	for (k = 0; k < x->n_ops; k++)
		x->op[k].fn(&x->op[k], pk, n, keys, stride, exact);
}

#endif /* WEIR_DATAPLANE_EXTRACT_H */
