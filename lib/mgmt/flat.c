/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flat copies: measured in a first pass (base NULL), written in a second.
 */
#include <stdlib.h>
#include <string.h>

#include "core/value.h"
#include "mgmt/flat.h"
#include "shim/registry.h"

struct flat {
	uint8_t *base;
	size_t off;
};

static void *flat_alloc(struct flat *fl, size_t n)
{
	size_t o = (fl->off + 15) & ~(size_t)15;

	fl->off = o + n;
	return fl->base ? fl->base + o : NULL;
}

static wchar_t *put_wstr(struct flat *fl, const wchar_t *s)
{
	wchar_t *d;
	size_t n;

	if (s == NULL)
		return NULL;
	n = (wcslen(s) + 1) * sizeof(wchar_t);
	d = flat_alloc(fl, n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void *put_bytes(struct flat *fl, const void *src, size_t n)
{
	void *d;

	if (src == NULL || n == 0)
		return NULL;
	d = flat_alloc(fl, n);
	if (d)
		memcpy(d, src, n);
	return d;
}

static GUID *put_guid(struct flat *fl, bool present, const GUID *g)
{
	return present ? put_bytes(fl, g, sizeof(*g)) : NULL;
}

static void put_obj(struct flat *fl, const struct weir_obj *o, FWPM_DISPLAY_DATA0 *dd,
                    GUID **providerKey, FWP_BYTE_BLOB *pdata)
{
	wchar_t *name = put_wstr(fl, o->name);
	wchar_t *desc = put_wstr(fl, o->description);
	GUID *pk = providerKey ? put_guid(fl, o->has_provider, &o->provider_key) : NULL;
	void *data = put_bytes(fl, o->provider_data.data, o->provider_data.size);

	if (fl->base == NULL)
		return;
	dd->name = name;
	dd->description = desc;
	if (providerKey)
		*providerKey = pk;
	pdata->size = data ? o->provider_data.size : 0;
	pdata->data = data;
}

/* Each put_<kind>() measures (base NULL) or writes one object and returns its copy. */

static void *put_provider(struct flat *fl, const void *obj)
{
	const struct weir_provider *p = obj;
	FWPM_PROVIDER0 *d = flat_alloc(fl, sizeof(*d));
	FWPM_PROVIDER0 tmp;
	wchar_t *svc;

	put_obj(fl, &p->o, &tmp.displayData, NULL, &tmp.providerData);
	svc = put_wstr(fl, p->service_name);
	if (d == NULL)
		return NULL;
	*d = (FWPM_PROVIDER0){.providerKey = p->o.key,
	                      .displayData = tmp.displayData,
	                      .flags = p->o.flags,
	                      .providerData = tmp.providerData,
	                      .serviceName = svc};
	return d;
}

static void *put_sublayer(struct flat *fl, const void *obj)
{
	const struct weir_sublayer *sl = obj;
	FWPM_SUBLAYER0 *d = flat_alloc(fl, sizeof(*d));
	FWPM_SUBLAYER0 tmp;

	put_obj(fl, &sl->o, &tmp.displayData, &tmp.providerKey, &tmp.providerData);
	if (d == NULL)
		return NULL;
	*d = (FWPM_SUBLAYER0){.subLayerKey = sl->o.key,
	                      .displayData = tmp.displayData,
	                      .flags = sl->o.flags,
	                      .providerKey = tmp.providerKey,
	                      .providerData = tmp.providerData,
	                      .weight = sl->weight};
	return d;
}

static void *put_callout(struct flat *fl, const void *obj)
{
	const struct weir_callout *c = obj;
	FWPM_CALLOUT0 *d = flat_alloc(fl, sizeof(*d));
	FWPM_CALLOUT0 tmp;
	struct weir_callout_reg *r;

	put_obj(fl, &c->o, &tmp.displayData, &tmp.providerKey, &tmp.providerData);
	if (d == NULL)
		return NULL;
	r = weir_registry_get(c->id);
	*d = (FWPM_CALLOUT0){
	    .calloutKey = c->o.key,
	    .displayData = tmp.displayData,
	    .flags =
	        c->o.flags | (r && r->state == WEIR_REG_ACTIVE ? FWPM_CALLOUT_FLAG_REGISTERED : 0),
	    .providerKey = tmp.providerKey,
	    .providerData = tmp.providerData,
	    .applicableLayer = *weir_layer_key(c->layer),
	    .calloutId = c->id};
	return d;
}

static void put_value(struct flat *fl, FWP_VALUE0 *d, const FWP_VALUE0 *s)
{
	size_t n = weir_value_payload(s->type);
	void *p = n ? put_bytes(fl, s->uint64, n) : NULL;

	if (fl->base == NULL)
		return;
	*d = *s;
	if (n)
		d->uint64 = p;
}

static void put_cond(struct flat *fl, FWPM_FILTER_CONDITION0 *d, const FWPM_FILTER_CONDITION0 *s)
{
	const FWP_CONDITION_VALUE0 *v = &s->conditionValue;

	if (fl->base)
		*d = *s;
	if (v->type == FWP_RANGE_TYPE) {
		FWP_RANGE0 *r = flat_alloc(fl, sizeof(*r));
		FWP_RANGE0 tmp;

		put_value(fl, &tmp.valueLow, &v->rangeValue->valueLow);
		put_value(fl, &tmp.valueHigh, &v->rangeValue->valueHigh);
		if (r) {
			*r = tmp;
			d->conditionValue.rangeValue = r;
		}
		return;
	}
	{
		size_t n = weir_value_payload(v->type);
		void *p = n ? put_bytes(fl, v->uint64, n) : NULL;

		if (fl->base && n)
			d->conditionValue.uint64 = p;
	}
}

static void *put_filter(struct flat *fl, const void *obj)
{
	const struct weir_filter *f = obj;
	FWPM_FILTER0 *d = flat_alloc(fl, sizeof(*d));
	FWPM_FILTER_CONDITION0 *conds = NULL;
	wchar_t *name, *desc;
	GUID *pk;
	void *pdata;
	UINT32 i;
	FWP_VALUE0 w, ew;

	name = put_wstr(fl, f->m.displayData.name);
	desc = put_wstr(fl, f->m.displayData.description);
	pk = put_guid(fl, f->m.providerKey != NULL, f->m.providerKey);
	pdata = put_bytes(fl, f->m.providerData.data, f->m.providerData.size);
	put_value(fl, &w, &f->m.weight);
	put_value(fl, &ew, &f->m.effectiveWeight);
	if (f->m.numFilterConditions)
		conds = flat_alloc(fl, f->m.numFilterConditions * sizeof(*conds));
	for (i = 0; i < f->m.numFilterConditions; i++)
		put_cond(fl, conds ? &conds[i] : NULL, &f->m.filterCondition[i]);
	if (d == NULL)
		return NULL;
	*d = f->m;
	d->displayData.name = name;
	d->displayData.description = desc;
	d->providerKey = pk;
	d->providerData.data = pdata;
	d->providerData.size = pdata ? f->m.providerData.size : 0;
	d->weight = w;
	d->effectiveWeight = ew;
	d->filterCondition = conds;
	d->reserved = NULL;
	return d;
}

typedef void *(*put_fn)(struct flat *fl, const void *obj);

/* One object's copy: measure, allocate, write. */
static NTSTATUS flat_one(put_fn put, const void *obj, void **out)
{
	struct flat fl = {0};

	put(&fl, obj);
	fl.base = calloc(1, fl.off ? fl.off : 1);
	if (fl.base == NULL)
		return STATUS_NO_MEMORY;
	fl.off = 0;
	put(&fl, obj);
	*out = fl.base;
	return STATUS_SUCCESS;
}

/* An array of @p n pointers to copies of @p objs, all in one block. */
static NTSTATUS flat_array(put_fn put, const void *const *objs, UINT32 n, void ***out)
{
	struct flat fl = {0};
	int pass;

	for (pass = 0; pass < 2; pass++) {
		void **arr = flat_alloc(&fl, (n ? n : 1) * sizeof(*arr));
		UINT32 i;

		for (i = 0; i < n; i++) {
			void *d = put(&fl, objs[i]);

			if (arr)
				arr[i] = d;
		}
		if (pass == 0) {
			fl.base = calloc(1, fl.off);
			if (fl.base == NULL)
				return STATUS_NO_MEMORY;
			fl.off = 0;
		}
	}
	*out = (void **)fl.base;
	return STATUS_SUCCESS;
}

static const put_fn put[] = {[WEIR_OBJ_PROVIDER] = put_provider,
                             [WEIR_OBJ_SUBLAYER] = put_sublayer,
                             [WEIR_OBJ_CALLOUT] = put_callout,
                             [WEIR_OBJ_FILTER] = put_filter};

NTSTATUS weir_flat_object(enum weir_obj_kind kind, const void *obj, void *out)
{
	return flat_one(put[kind], obj, (void **)out);
}

NTSTATUS weir_flat_objects(enum weir_obj_kind kind, const void *const *objs, UINT32 n, void ***out)
{
	return flat_array(put[kind], objs, n, out);
}
