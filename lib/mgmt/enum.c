/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Enumeration of callouts and filters (FwpmCalloutEnum0, FwpmFilterEnum0).
 *
 * An enumeration handle records the matching keys when it is created; each
 * Enum0 call returns copies of those still present, in order.
 */
#include <stdlib.h>
#include <string.h>

#include "core/layers.h"
#include "mgmt/engine.h"
#include "mgmt/flat.h"

struct weir_enum {
	enum weir_obj_kind kind;
	uint32_t session;
	GUID *keys;
	size_t n, pos;
};

static struct weir_gmap enums; /* handle -> struct weir_enum; engine lock held */

static GUID enum_key(HANDLE h)
{
	return weir_gmap_idkey((uint64_t)(uintptr_t)h);
}

static struct weir_enum *enum_of(struct weir_session *s, HANDLE h, enum weir_obj_kind kind)
{
	GUID k;
	struct weir_enum *e;

	if (h == NULL)
		return NULL;
	k = enum_key(h);
	e = weir_gmap_get(&enums, &k);
	if (e == NULL || e->kind != kind || e->session != s->id)
		return NULL;
	return e;
}

static int cmp_u64(const void *a, const void *b)
{
	UINT64 x = ((const struct weir_filter *const *)a)[0]->m.filterId;
	UINT64 y = ((const struct weir_filter *const *)b)[0]->m.filterId;

	return x < y ? -1 : x > y;
}

static int cmp_callout(const void *a, const void *b)
{
	UINT32 x = ((const struct weir_callout *const *)a)[0]->id;
	UINT32 y = ((const struct weir_callout *const *)b)[0]->id;

	return x < y ? -1 : x > y;
}

/* Which store objects an enumeration lists, and in which order. */
struct enum_spec {
	enum weir_obj_kind kind;
	const struct weir_gmap *map;
	/* whether @p obj passes the template (@p ld: its layer, or NULL) */
	bool (*match)(const void *obj, const void *tmpl, const struct weir_layer_desc *ld);
	int (*cmp)(const void *a, const void *b); /* qsort order of object pointers */
	const GUID *(*key)(const void *obj);
};

static void enum_free(struct weir_enum *e)
{
	if (e)
		free(e->keys);
	free(e);
}

/* The keys of the objects @p sp lists for @p tmpl, in order, into @p e. */
static NTSTATUS enum_fill(struct weir_enum *e, const struct enum_spec *sp, const void *tmpl,
                          const struct weir_layer_desc *ld)
{
	void **all = malloc((sp->map->count + 1) * sizeof(*all));
	size_t it = 0, n = 0, i;
	void *v;

	if (all == NULL)
		return STATUS_NO_MEMORY;
	while (weir_gmap_next(sp->map, &it, NULL, &v))
		if (tmpl == NULL || sp->match(v, tmpl, ld))
			all[n++] = v;
	qsort(all, n, sizeof(*all), sp->cmp);
	e->kind = sp->kind;
	e->keys = malloc((n + 1) * sizeof(GUID));
	if (e->keys == NULL) {
		free(all);
		return STATUS_NO_MEMORY;
	}
	for (i = 0; i < n; i++)
		e->keys[i] = *sp->key(all[i]);
	e->n = n;
	free(all);
	return STATUS_SUCCESS;
}

/*
 * Create an enumeration handle. @p tmpl_st is the template's own verdict
 * (checked after the handle pointer), @p layerKey its layer or NULL.
 */
static NTSTATUS enum_create(HANDLE engineHandle, const struct enum_spec *sp, const void *tmpl,
                            NTSTATUS tmpl_st, const GUID *layerKey, HANDLE *enumHandle)
{
	struct weir_session *s;
	struct weir_enum *e;
	const struct weir_layer_desc *ld = NULL;
	GUID k;
	NTSTATUS st;

	st = weir_op_begin(engineHandle, false, &s);
	if (st != STATUS_SUCCESS)
		return st;
	if (enumHandle == NULL) {
		st = STATUS_FWP_NULL_POINTER;
		goto out;
	}
	st = tmpl_st;
	if (st != STATUS_SUCCESS)
		goto out;
	if (layerKey && !weir_guid_is_zero(layerKey)) {
		ld = weir_layer_by_key(layerKey);
		if (ld == NULL) {
			st = STATUS_FWP_LAYER_NOT_FOUND;
			goto out;
		}
	}
	e = calloc(1, sizeof(*e));
	st = e ? enum_fill(e, sp, tmpl, ld) : STATUS_NO_MEMORY;
	if (st != STATUS_SUCCESS) {
		enum_free(e);
		goto out;
	}
	k = enum_key(e);
	e->session = s->id;
	if (weir_gmap_put(&enums, &k, e) != 0) {
		enum_free(e);
		st = STATUS_NO_MEMORY;
		goto out;
	}
	*enumHandle = e;
out:
	return weir_op_end(s, st);
}

static bool callout_match(const void *obj, const void *tmpl, const struct weir_layer_desc *ld)
{
	const struct weir_callout *c = obj;
	const FWPM_CALLOUT_ENUM_TEMPLATE0 *t = tmpl;

	if (ld && c->layer != ld->id)
		return false;
	return !t->providerKey ||
	       (c->o.has_provider && IsEqualGUID(&c->o.provider_key, t->providerKey));
}

static const GUID *callout_key(const void *obj)
{
	return &((const struct weir_callout *)obj)->o.key;
}

static const struct enum_spec callout_enum = {WEIR_OBJ_CALLOUT, &weir_eng.store.callouts,
                                              callout_match, cmp_callout, callout_key};

NTSTATUS FwpmCalloutCreateEnumHandle0(HANDLE engineHandle, const FWPM_CALLOUT_ENUM_TEMPLATE0 *tmpl,
                                      HANDLE *enumHandle)
{
	return enum_create(engineHandle, &callout_enum, tmpl, STATUS_SUCCESS,
	                   tmpl ? &tmpl->layerKey : NULL, enumHandle);
}

/* The next entries of an enumeration: those of its keys still in @p map. */
static NTSTATUS enum_next(HANDLE engineHandle, HANDLE enumHandle, const struct enum_spec *sp,
                          UINT32 requested, void ***entries, UINT32 *returned)
{
	struct weir_session *s;
	struct weir_enum *e;
	void **got = NULL;
	UINT32 n = 0;
	NTSTATUS st;

	st = weir_op_begin(engineHandle, false, &s);
	if (st != STATUS_SUCCESS)
		return st;
	if (entries == NULL || returned == NULL) {
		st = STATUS_FWP_NULL_POINTER;
		goto out;
	}
	e = enum_of(s, enumHandle, sp->kind);
	if (e == NULL) {
		st = STATUS_INVALID_HANDLE;
		goto out;
	}
	got = malloc(((size_t)requested + 1) * sizeof(*got));
	if (got == NULL) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	while (n < requested && e->pos < e->n) {
		void *o = weir_gmap_get(sp->map, &e->keys[e->pos++]);

		if (o)
			got[n++] = o;
	}
	*entries = NULL;
	*returned = 0;
	if (n) {
		st = weir_flat_objects(sp->kind, (const void *const *)got, n, entries);
		if (st == STATUS_SUCCESS)
			*returned = n;
	}
out:
	free(got);
	return weir_op_end(s, st);
}

NTSTATUS FwpmCalloutEnum0(HANDLE engineHandle, HANDLE enumHandle, UINT32 numEntriesRequested,
                          FWPM_CALLOUT0 ***entries, UINT32 *numEntriesReturned)
{
	return enum_next(engineHandle, enumHandle, &callout_enum, numEntriesRequested,
	                 (void ***)entries, numEntriesReturned);
}

static NTSTATUS enum_destroy(HANDLE engineHandle, HANDLE enumHandle, enum weir_obj_kind kind)
{
	struct weir_session *s;
	struct weir_enum *e;
	NTSTATUS st;

	st = weir_op_begin(engineHandle, false, &s);
	if (st != STATUS_SUCCESS)
		return st;
	e = enum_of(s, enumHandle, kind);
	if (e == NULL) {
		st = STATUS_INVALID_HANDLE;
	} else {
		GUID k = enum_key(enumHandle);

		weir_gmap_del(&enums, &k);
		enum_free(e);
	}
	return weir_op_end(s, st);
}

NTSTATUS FwpmCalloutDestroyEnumHandle0(HANDLE engineHandle, HANDLE enumHandle)
{
	return enum_destroy(engineHandle, enumHandle, WEIR_OBJ_CALLOUT);
}

static bool filter_match(const void *obj, const void *tmpl, const struct weir_layer_desc *ld)
{
	const struct weir_filter *f = obj;
	const FWPM_FILTER_ENUM_TEMPLATE0 *t = tmpl;

	if (ld && f->layer != ld->id)
		return false;
	if (t->providerKey &&
	    (f->m.providerKey == NULL || !IsEqualGUID(f->m.providerKey, t->providerKey)))
		return false;
	if (t->actionMask != 0xFFFFFFFFu && (f->m.action.type & t->actionMask) == 0)
		return false;
	if (t->calloutKey &&
	    (f->callout_id == 0 || !IsEqualGUID(&f->m.action.calloutKey, t->calloutKey)))
		return false;
	return (t->flags & FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED) ||
	       !(f->m.flags & FWPM_FILTER_FLAG_DISABLED);
}

static const GUID *filter_key(const void *obj)
{
	return &((const struct weir_filter *)obj)->m.filterKey;
}

static const struct enum_spec filter_enum = {WEIR_OBJ_FILTER, &weir_eng.store.filters, filter_match,
                                             cmp_u64, filter_key};

NTSTATUS FwpmFilterCreateEnumHandle0(HANDLE engineHandle, const FWPM_FILTER_ENUM_TEMPLATE0 *tmpl,
                                     HANDLE *enumHandle)
{
	/* condition templates are not supported */
	NTSTATUS tmpl_st =
	    tmpl && tmpl->numFilterConditions ? STATUS_NOT_SUPPORTED : STATUS_SUCCESS;

	return enum_create(engineHandle, &filter_enum, tmpl, tmpl_st, tmpl ? &tmpl->layerKey : NULL,
	                   enumHandle);
}

NTSTATUS FwpmFilterEnum0(HANDLE engineHandle, HANDLE enumHandle, UINT32 numEntriesRequested,
                         FWPM_FILTER0 ***entries, UINT32 *numEntriesReturned)
{
	return enum_next(engineHandle, enumHandle, &filter_enum, numEntriesRequested,
	                 (void ***)entries, numEntriesReturned);
}

NTSTATUS FwpmFilterDestroyEnumHandle0(HANDLE engineHandle, HANDLE enumHandle)
{
	return enum_destroy(engineHandle, enumHandle, WEIR_OBJ_FILTER);
}

void weir_enum_close_session(uint32_t session)
{
	size_t it = 0;
	GUID k;
	void *v;

	while (weir_gmap_next(&enums, &it, &k, &v)) {
		struct weir_enum *e = v;

		if (e->session == session) {
			weir_gmap_del(&enums, &k);
			enum_free(e);
		}
	}
}
