/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A policy's objects as engine objects: the management API calls that add,
 * look up and delete each kind (policy.c decides which and when).
 */
#include <stdlib.h>
#include <string.h>

#include "core/layers.h"
#include "policy/policy_private.h"

NTSTATUS weir_pol_not_found(enum weir_policy_kind k)
{
	switch (k) {
	case WEIR_POLICY_PROVIDER:
		return STATUS_FWP_PROVIDER_NOT_FOUND;
	case WEIR_POLICY_SUBLAYER:
		return STATUS_FWP_SUBLAYER_NOT_FOUND;
	case WEIR_POLICY_CALLOUT:
		return STATUS_FWP_CALLOUT_NOT_FOUND;
	default:
		return STATUS_FWP_FILTER_NOT_FOUND;
	}
}

const char *const weir_pol_add_fn[POL_KINDS] = {"FwpmProviderAdd0", "FwpmSubLayerAdd0",
                                                "FwpmCalloutAdd0", "FwpmFilterAdd0"};
const char *const weir_pol_del_fn[POL_KINDS] = {
    "FwpmProviderDeleteByKey0", "FwpmSubLayerDeleteByKey0", "FwpmCalloutDeleteByKey0",
    "FwpmFilterDeleteByKey0"};
const char *const weir_pol_get_fn[POL_KINDS] = {"FwpmProviderGetByKey0", "FwpmSubLayerGetByKey0",
                                                "FwpmCalloutGetByKey0", "FwpmFilterGetByKey0"};

NTSTATUS weir_pol_obj_delete(HANDLE h, enum weir_policy_kind k, const GUID *key)
{
	switch (k) {
	case WEIR_POLICY_PROVIDER:
		return FwpmProviderDeleteByKey0(h, key);
	case WEIR_POLICY_SUBLAYER:
		return FwpmSubLayerDeleteByKey0(h, key);
	case WEIR_POLICY_CALLOUT:
		return FwpmCalloutDeleteByKey0(h, key);
	default:
		return FwpmFilterDeleteByKey0(h, key);
	}
}

NTSTATUS weir_pol_obj_probe(HANDLE h, struct pol_obj *o)
{
	NTSTATUS st;
	void *p = NULL;

	switch (o->kind) {
	case WEIR_POLICY_PROVIDER:
		st = FwpmProviderGetByKey0(h, &o->key, (FWPM_PROVIDER0 **)&p);
		break;
	case WEIR_POLICY_SUBLAYER:
		st = FwpmSubLayerGetByKey0(h, &o->key, (FWPM_SUBLAYER0 **)&p);
		break;
	case WEIR_POLICY_CALLOUT:
		st = FwpmCalloutGetByKey0(h, &o->key, (FWPM_CALLOUT0 **)&p);
		break;
	default:
		st = FwpmFilterGetByKey0(h, &o->key, (FWPM_FILTER0 **)&p);
		if (st == STATUS_SUCCESS)
			o->filter_id = ((FWPM_FILTER0 *)p)->filterId;
		break;
	}
	FwpmFreeMemory0(&p);
	return st;
}

static NTSTATUS add_filter(HANDLE h, struct pol_obj *o, FWPM_DISPLAY_DATA0 dd)
{
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 *conds = NULL;
	UINT64 w = o->weight, id = 0;
	NTSTATUS st;
	size_t i;

	memset(&f, 0, sizeof(f));
	if (o->nconds) {
		conds = calloc(o->nconds, sizeof(*conds));
		if (conds == NULL)
			return STATUS_NO_MEMORY;
		for (i = 0; i < o->nconds; i++)
			weir_pol_cond_fwpm(&o->conds[i], &conds[i]);
	}
	f.filterKey = o->key;
	f.displayData = dd;
	f.flags = o->flags;
	f.layerKey = *weir_layer_key((enum weir_layer)o->layer);
	if (o->sublayer.obj)
		f.subLayerKey = o->sublayer.obj->key; /* else zero: the default sublayer */
	switch (o->wkind) {
	case WEIGHT_AUTO:
		f.weight.type = FWP_EMPTY;
		break;
	case WEIGHT_RANGE:
		f.weight.type = FWP_UINT8;
		f.weight.uint8 = (UINT8)o->weight;
		break;
	case WEIGHT_EXACT:
		f.weight.type = FWP_UINT64;
		f.weight.uint64 = &w;
		break;
	}
	f.numFilterConditions = (UINT32)o->nconds;
	f.filterCondition = conds;
	f.action.type = o->action;
	if (o->callout.obj)
		f.action.calloutKey = o->callout.obj->key;
	f.rawContext = o->context;
	st = FwpmFilterAdd0(h, &f, NULL, &id);
	if (st == STATUS_SUCCESS)
		o->filter_id = id;
	free(conds);
	return st;
}

NTSTATUS weir_pol_obj_add(HANDLE h, struct pol_obj *o)
{
	GUID *pk = o->provider.obj ? &o->provider.obj->key : NULL;
	FWPM_DISPLAY_DATA0 dd = {0};
	NTSTATUS st;

	dd.name = weir_pol_wcs(o->name);
	dd.description = o->desc ? weir_pol_wcs(o->desc) : NULL;
	if (dd.name == NULL || (o->desc && dd.description == NULL)) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	switch (o->kind) {
	case WEIR_POLICY_PROVIDER: {
		FWPM_PROVIDER0 p = {.providerKey = o->key, .displayData = dd};

		st = FwpmProviderAdd0(h, &p, NULL);
		break;
	}
	case WEIR_POLICY_SUBLAYER: {
		FWPM_SUBLAYER0 s = {.subLayerKey = o->key,
		                    .displayData = dd,
		                    .providerKey = pk,
		                    .weight = o->sl_weight};

		st = FwpmSubLayerAdd0(h, &s, NULL);
		break;
	}
	case WEIR_POLICY_CALLOUT: {
		FWPM_CALLOUT0 c = {.calloutKey = o->key,
		                   .displayData = dd,
		                   .providerKey = pk,
		                   .applicableLayer = *weir_layer_key((enum weir_layer)o->layer)};

		st = FwpmCalloutAdd0(h, &c, NULL, NULL);
		break;
	}
	default:
		st = add_filter(h, o, dd);
		break;
	}
out:
	free(dd.name);
	free(dd.description);
	return st;
}
