/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/gmap.h"

static char tomb_marker;
#define WEIR_GMAP_TOMB ((void *)&tomb_marker)

static uint64_t hash_key(const GUID *k)
{
	uint64_t a, b;

	memcpy(&a, k, 8);
	memcpy(&b, (const uint8_t *)k + 8, 8);
	/* splitmix-style finaliser: GUIDs from counters must still spread */
	a ^= b * 0x9e3779b97f4a7c15ull;
	a ^= a >> 30;
	a *= 0xbf58476d1ce4e5b9ull;
	a ^= a >> 27;
	a *= 0x94d049bb133111ebull;
	a ^= a >> 31;
	return a;
}

void weir_gmap_init(struct weir_gmap *m)
{
	memset(m, 0, sizeof(*m));
}

void weir_gmap_free(struct weir_gmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct weir_gmap_slot *find(const struct weir_gmap *m, const GUID *key)
{
	size_t mask, i;

	if (m->cap == 0)
		return NULL;
	mask = m->cap - 1;
	for (i = hash_key(key) & mask;; i = (i + 1) & mask) {
		struct weir_gmap_slot *s = &m->slots[i];

		if (s->val == NULL)
			return NULL;
		if (s->val != WEIR_GMAP_TOMB && memcmp(&s->key, key, sizeof(GUID)) == 0)
			return s;
	}
}

void *weir_gmap_get(const struct weir_gmap *m, const GUID *key)
{
	struct weir_gmap_slot *s = find(m, key);

	return s ? s->val : NULL;
}

static int grow(struct weir_gmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16, i;
	struct weir_gmap_slot *old = m->slots, *ns;

	/* rehash in place of growing when tombstones are the problem */
	if (m->count * 4 < m->cap)
		ncap = m->cap;
	ns = calloc(ncap, sizeof(*ns));
	if (ns == NULL)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (old[i].val == NULL || old[i].val == WEIR_GMAP_TOMB)
			continue;
		for (j = hash_key(&old[i].key) & (ncap - 1); ns[j].val; j = (j + 1) & (ncap - 1))
			;
		ns[j] = old[i];
	}
	free(old);
	m->slots = ns;
	m->cap = ncap;
	m->used = m->count;
	return 0;
}

int weir_gmap_put(struct weir_gmap *m, const GUID *key, void *val)
{
	struct weir_gmap_slot *s = find(m, key);
	size_t i, mask;

	if (s) {
		s->val = val;
		return 0;
	}
	if ((m->used + 1) * 4 > m->cap * 3 && grow(m) != 0)
		return -ENOMEM;
	mask = m->cap - 1;
	for (i = hash_key(key) & mask;; i = (i + 1) & mask) {
		s = &m->slots[i];
		if (s->val == NULL || s->val == WEIR_GMAP_TOMB)
			break;
	}
	if (s->val == NULL)
		m->used++;
	s->key = *key;
	s->val = val;
	m->count++;
	return 0;
}

void *weir_gmap_del(struct weir_gmap *m, const GUID *key)
{
	struct weir_gmap_slot *s = find(m, key);
	void *v;

	if (s == NULL)
		return NULL;
	v = s->val;
	s->val = WEIR_GMAP_TOMB;
	m->count--;
	return v;
}

int weir_gmap_next(const struct weir_gmap *m, size_t *iter, GUID *key, void **val)
{
	while (*iter < m->cap) {
		struct weir_gmap_slot *s = &m->slots[(*iter)++];

		if (s->val != NULL && s->val != WEIR_GMAP_TOMB) {
			if (key)
				*key = s->key;
			if (val)
				*val = s->val;
			return 1;
		}
	}
	return 0;
}
