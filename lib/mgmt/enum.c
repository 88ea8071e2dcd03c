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

enum enum_kind { ENUM_CALLOUTS, ENUM_FILTERS };

struct weir_enum {
	enum enum_kind kind;
	uint32_t session;
	GUID *keys;
	size_t n, pos;
};

static struct weir_gmap enums; /* handle -> struct weir_enum; engine lock held */

static GUID enum_key(HANDLE h)
{
	return weir_gmap_idkey((uint64_t)(uintptr_t)h);
}

static struct weir_enum *enum_of(struct weir_session *s, HANDLE h, enum enum_kind kind)
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

static NTSTATUS enum_register(struct weir_session *s, struct weir_enum *e, HANDLE *out)
{
	GUID k = enum_key(e);

	e->session = s->id;
	if (weir_gmap_put(&enums, &k, e) != 0) {
		free(e->keys);
		free(e);
		return STATUS_NO_MEMORY;
	}
	*out = e;
	return STATUS_SUCCESS;
}

NTSTATUS FwpmCalloutCreateEnumHandle0(HANDLE engineHandle, const FWPM_CALLOUT_ENUM_TEMPLATE0 *tmpl,
                                      HANDLE *enumHandle)
{
	struct weir_session *s;
	struct weir_callout **all = NULL;
	struct weir_enum *e = NULL;
	const struct weir_layer_desc *ld = NULL;
	size_t it = 0, n = 0, i;
	void *v;
	NTSTATUS st;

	st = weir_op_begin(engineHandle, false, &s);
	if (st != STATUS_SUCCESS)
		return st;
	if (enumHandle == NULL) {
		st = STATUS_FWP_NULL_POINTER;
		goto out;
	}
	if (tmpl && !weir_guid_is_zero(&tmpl->layerKey)) {
		ld = weir_layer_by_key(&tmpl->layerKey);
		if (ld == NULL) {
			st = STATUS_FWP_LAYER_NOT_FOUND;
			goto out;
		}
	}
	e = calloc(1, sizeof(*e));
	all = malloc((weir_eng.store.callouts.count + 1) * sizeof(*all));
	if (e == NULL || all == NULL) {
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	while (weir_gmap_next(&weir_eng.store.callouts, &it, NULL, &v)) {
		struct weir_callout *c = v;

		if (ld && c->layer != ld->id)
			continue;
		if (tmpl && tmpl->providerKey &&
		    (!c->o.has_provider || !IsEqualGUID(&c->o.provider_key, tmpl->providerKey)))
			continue;
		all[n++] = c;
	}
	qsort(all, n, sizeof(*all), cmp_callout);
	e->kind = ENUM_CALLOUTS;
	e->keys = malloc((n + 1) * sizeof(GUID));
	if (e->keys == NULL) {
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	for (i = 0; i < n; i++)
		e->keys[i] = all[i]->o.key;
	e->n = n;
	free(all);
	st = enum_register(s, e, enumHandle);
	goto out;
fail:
	free(all);
	if (e)
		free(e->keys);
	free(e);
out:
	return weir_op_end(s, st);
}

/* Store objects found by an enumeration's keys, flattened by @p flat. */
typedef NTSTATUS (*flatten_fn)(void *const *objs, UINT32 n, void ***out);

static NTSTATUS flat_callouts(void *const *objs, UINT32 n, void ***out)
{
	return weir_flat_callouts((const struct weir_callout *const *)objs, n,
	                          (FWPM_CALLOUT0 ***)out);
}

static NTSTATUS flat_filters(void *const *objs, UINT32 n, void ***out)
{
	return weir_flat_filters((const struct weir_filter *const *)objs, n, (FWPM_FILTER0 ***)out);
}

/* The next entries of an enumeration: those of its keys still in @p map. */
static NTSTATUS enum_next(HANDLE engineHandle, HANDLE enumHandle, enum enum_kind kind,
                          const struct weir_gmap *map, flatten_fn flat, UINT32 requested,
                          void ***entries, UINT32 *returned)
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
	e = enum_of(s, enumHandle, kind);
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
		void *o = weir_gmap_get(map, &e->keys[e->pos++]);

		if (o)
			got[n++] = o;
	}
	*entries = NULL;
	*returned = 0;
	if (n) {
		st = flat(got, n, entries);
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
	return enum_next(engineHandle, enumHandle, ENUM_CALLOUTS, &weir_eng.store.callouts,
	                 flat_callouts, numEntriesRequested, (void ***)entries, numEntriesReturned);
}

static NTSTATUS enum_destroy(HANDLE engineHandle, HANDLE enumHandle, enum enum_kind kind)
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
		free(e->keys);
		free(e);
	}
	return weir_op_end(s, st);
}

NTSTATUS FwpmCalloutDestroyEnumHandle0(HANDLE engineHandle, HANDLE enumHandle)
{
	return enum_destroy(engineHandle, enumHandle, ENUM_CALLOUTS);
}

NTSTATUS FwpmFilterCreateEnumHandle0(HANDLE engineHandle, const FWPM_FILTER_ENUM_TEMPLATE0 *tmpl,
                                     HANDLE *enumHandle)
{
	struct weir_session *s;
	struct weir_filter **all = NULL;
	struct weir_enum *e = NULL;
	const struct weir_layer_desc *ld = NULL;
	size_t it = 0, n = 0, i;
	void *v;
	NTSTATUS st;

	st = weir_op_begin(engineHandle, false, &s);
	if (st != STATUS_SUCCESS)
		return st;
	if (enumHandle == NULL) {
		st = STATUS_FWP_NULL_POINTER;
		goto out;
	}
	if (tmpl) {
		if (tmpl->numFilterConditions) {
			st = STATUS_NOT_SUPPORTED;
			goto out;
		}
		if (!weir_guid_is_zero(&tmpl->layerKey)) {
			ld = weir_layer_by_key(&tmpl->layerKey);
			if (ld == NULL) {
				st = STATUS_FWP_LAYER_NOT_FOUND;
				goto out;
			}
		}
	}
	e = calloc(1, sizeof(*e));
	all = malloc((weir_eng.store.filters.count + 1) * sizeof(*all));
	if (e == NULL || all == NULL) {
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	while (weir_gmap_next(&weir_eng.store.filters, &it, NULL, &v)) {
		struct weir_filter *f = v;

		if (tmpl) {
			if (ld && f->layer != ld->id)
				continue;
			if (tmpl->providerKey &&
			    (f->m.providerKey == NULL ||
			     !IsEqualGUID(f->m.providerKey, tmpl->providerKey)))
				continue;
			if (tmpl->actionMask != 0xFFFFFFFFu &&
			    (f->m.action.type & tmpl->actionMask) == 0)
				continue;
			if (tmpl->calloutKey &&
			    (f->callout_id == 0 ||
			     !IsEqualGUID(&f->m.action.calloutKey, tmpl->calloutKey)))
				continue;
			if (!(tmpl->flags & FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED) &&
			    (f->m.flags & FWPM_FILTER_FLAG_DISABLED))
				continue;
		}
		all[n++] = f;
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	e->kind = ENUM_FILTERS;
	e->keys = malloc((n + 1) * sizeof(GUID));
	if (e->keys == NULL) {
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	for (i = 0; i < n; i++)
		e->keys[i] = all[i]->m.filterKey;
	e->n = n;
	free(all);
	st = enum_register(s, e, enumHandle);
	goto out;
fail:
	free(all);
	if (e)
		free(e->keys);
	free(e);
out:
	return weir_op_end(s, st);
}

NTSTATUS FwpmFilterEnum0(HANDLE engineHandle, HANDLE enumHandle, UINT32 numEntriesRequested,
                         FWPM_FILTER0 ***entries, UINT32 *numEntriesReturned)
{
	return enum_next(engineHandle, enumHandle, ENUM_FILTERS, &weir_eng.store.filters,
	                 flat_filters, numEntriesRequested, (void ***)entries, numEntriesReturned);
}

NTSTATUS FwpmFilterDestroyEnumHandle0(HANDLE engineHandle, HANDLE enumHandle)
{
	return enum_destroy(engineHandle, enumHandle, ENUM_FILTERS);
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
			free(e->keys);
			free(e);
		}
	}
}
