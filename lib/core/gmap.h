/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A small open-addressing hash map from 16-byte keys (GUIDs, or 64-bit ids
 * zero-extended) to pointers, for control-path object lookups.
 *
 * rte_hash is not used here because it allocates from the EAL heap, and
 * libweir's management API must work in a process that never initialised
 * the EAL.
 */
#ifndef WEIR_CORE_GMAP_H
#define WEIR_CORE_GMAP_H

#include <stddef.h>
#include <stdint.h>
#include <weir/fwptypes.h>

struct weir_gmap_slot {
	GUID key;
	void *val; /**< NULL: empty; WEIR_GMAP_TOMB: deleted */
};

struct weir_gmap {
	struct weir_gmap_slot *slots;
	size_t cap;   /**< power of two, or 0 */
	size_t count; /**< live entries */
	size_t used;  /**< live + tombstones */
};

/**
 * An RFC 4122 GUID of @p version from 16 big-endian bytes: the version and
 * variant bits of @p b are set in place, then @p b is read into @p g.
 */
static inline void weir_guid_from_rfc4122(GUID *g, uint8_t b[16], unsigned version)
{
	b[6] = (uint8_t)((b[6] & 0x0f) | (version << 4));
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	g->Data1 = (UINT32)b[0] << 24 | (UINT32)b[1] << 16 | (UINT32)b[2] << 8 | b[3];
	g->Data2 = (UINT16)(b[4] << 8 | b[5]);
	g->Data3 = (UINT16)(b[6] << 8 | b[7]);
	for (int i = 0; i < 8; i++)
		g->Data4[i] = b[8 + i];
}

/** The key of a 64-bit id. */
static inline GUID weir_gmap_idkey(uint64_t id)
{
	GUID g = {0};
	g.Data1 = (UINT32)id;
	g.Data2 = (UINT16)(id >> 32);
	g.Data3 = (UINT16)(id >> 48);
	return g;
}

void weir_gmap_init(struct weir_gmap *m);
void weir_gmap_free(struct weir_gmap *m);
/** @return the value, or NULL. */
void *weir_gmap_get(const struct weir_gmap *m, const GUID *key);
/** Insert or replace. @return 0, or -ENOMEM. @p val must not be NULL. */
int weir_gmap_put(struct weir_gmap *m, const GUID *key, void *val);
/** @return the removed value, or NULL if absent. */
void *weir_gmap_del(struct weir_gmap *m, const GUID *key);

/** Iterate: for (i = 0; weir_gmap_next(m, &i, &key, &val);) */
int weir_gmap_next(const struct weir_gmap *m, size_t *iter, GUID *key, void **val);

#endif /* WEIR_CORE_GMAP_H */
