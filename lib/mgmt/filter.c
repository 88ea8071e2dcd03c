/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Filters (FwpmFilter*): validation against the layer's fields, effective
 * weight, the run-time view callouts see, and enumeration.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/layers.h"
#include "core/value.h"
#include "mgmt/engine.h"
#include "mgmt/flat.h"
#include "mgmt/objects.h"
#include "shim/registry.h"

#define WEIR_FILTER_FLAGS                                                                          \
	(FWPM_FILTER_FLAG_PERSISTENT | FWPM_FILTER_FLAG_BOOTTIME |                                 \
	 FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT | FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED |   \
	 FWPM_FILTER_FLAG_DISABLED | FWPM_FILTER_FLAG_INDEXED)

/* FWP_VALUE0 types whose member is a pointer the caller must set. */
static bool value_type_is_ptr(FWP_DATA_TYPE t)
{
	switch (t) {
	case FWP_UINT64:
	case FWP_INT64:
	case FWP_DOUBLE:
	case FWP_BYTE_ARRAY16_TYPE:
	case FWP_BYTE_BLOB_TYPE:
	case FWP_BYTE_ARRAY6_TYPE:
	case FWP_UNICODE_STRING_TYPE:
		return true;
	default:
		return false;
	}
}

/* The same for a condition value, which has more pointer types. */
static bool cond_type_is_ptr(FWP_DATA_TYPE t)
{
	return value_type_is_ptr(t) || t == FWP_SID || t == FWP_SECURITY_DESCRIPTOR_TYPE ||
	       t == FWP_V4_ADDR_MASK || t == FWP_V6_ADDR_MASK || t == FWP_RANGE_TYPE;
}

static bool value_ptr_null(const FWP_VALUE0 *v)
{
	return value_type_is_ptr(v->type) && v->uint64 == NULL;
}

static int range_cmp(const FWP_VALUE0 *lo, const FWP_VALUE0 *hi)
{
	const UINT8 *p, *q;
	UINT64 a, b;
	size_t n;

	if (weir_value_uint(lo, &a) && weir_value_uint(hi, &b))
		return a < b ? -1 : a > b;
	p = weir_value_bytes(lo, &n);
	q = weir_value_bytes(hi, &n);
	return p && q ? memcmp(p, q, n) : 0;
}

/*
 * Check one condition against the field it names at the layer.
 * Order of checks: pointers, field, value type, match type, value contents.
 */
static NTSTATUS check_condition(const struct weir_layer_desc *ld, const FWPM_FILTER_CONDITION0 *c,
                                int *field)
{
	const FWP_CONDITION_VALUE0 *v = &c->conditionValue;
	FWP_DATA_TYPE ft;
	FWP_MATCH_TYPE mt = c->matchType;
	int idx;

	if (cond_type_is_ptr(v->type) && v->uint64 == NULL)
		return STATUS_FWP_NULL_POINTER;
	idx = weir_layer_field_by_key(ld, &c->fieldKey);
	if (idx < 0)
		return STATUS_FWP_CONDITION_NOT_FOUND;
	*field = idx;
	ft = ld->fields[idx].type;
	if ((unsigned)mt >= FWP_MATCH_TYPE_MAX)
		return STATUS_FWP_MATCH_TYPE_MISMATCH;

	switch (v->type) {
	case FWP_V4_ADDR_MASK: {
		UINT32 m = v->v4AddrMask->mask;

		if (ft != FWP_UINT32 || ld->ip_version != 4)
			return STATUS_FWP_TYPE_MISMATCH;
		if (mt != FWP_MATCH_EQUAL && mt != FWP_MATCH_NOT_EQUAL && mt != FWP_MATCH_PREFIX &&
		    mt != FWP_MATCH_NOT_PREFIX)
			return STATUS_FWP_MATCH_TYPE_MISMATCH;
		/* contiguous: ~m + 1 is a power of two (or zero) */
		if (((~m + 1) & ~m) != 0)
			return STATUS_FWP_INVALID_NET_MASK;
		return STATUS_SUCCESS;
	}
	case FWP_V6_ADDR_MASK:
		if (ft != FWP_BYTE_ARRAY16_TYPE)
			return STATUS_FWP_TYPE_MISMATCH;
		if (mt != FWP_MATCH_EQUAL && mt != FWP_MATCH_NOT_EQUAL && mt != FWP_MATCH_PREFIX &&
		    mt != FWP_MATCH_NOT_PREFIX)
			return STATUS_FWP_MATCH_TYPE_MISMATCH;
		if (v->v6AddrMask->prefixLength > 128)
			return STATUS_FWP_INVALID_NET_MASK;
		return STATUS_SUCCESS;
	case FWP_RANGE_TYPE: {
		const FWP_RANGE0 *r = v->rangeValue;

		if (r->valueLow.type != ft || r->valueHigh.type != ft)
			return STATUS_FWP_TYPE_MISMATCH;
		if (mt != FWP_MATCH_RANGE)
			return STATUS_FWP_MATCH_TYPE_MISMATCH;
		if (value_ptr_null(&r->valueLow) || value_ptr_null(&r->valueHigh))
			return STATUS_FWP_NULL_POINTER;
		if (range_cmp(&r->valueLow, &r->valueHigh) > 0)
			return STATUS_FWP_INVALID_RANGE;
		return STATUS_SUCCESS;
	}
	default:
		break;
	}
	if (v->type != ft)
		return STATUS_FWP_TYPE_MISMATCH;
	switch (mt) {
	case FWP_MATCH_EQUAL:
	case FWP_MATCH_NOT_EQUAL:
	case FWP_MATCH_GREATER:
	case FWP_MATCH_LESS:
	case FWP_MATCH_GREATER_OR_EQUAL:
	case FWP_MATCH_LESS_OR_EQUAL:
		return STATUS_SUCCESS;
	case FWP_MATCH_FLAGS_ALL_SET:
	case FWP_MATCH_FLAGS_ANY_SET:
	case FWP_MATCH_FLAGS_NONE_SET:
		return weir_type_is_uint(ft) ? STATUS_SUCCESS : STATUS_FWP_MATCH_TYPE_MISMATCH;
	default:
		/* RANGE needs a range value; PREFIX a mask; strings are not fields here */
		return STATUS_FWP_MATCH_TYPE_MISMATCH;
	}
}

static unsigned popcount64(UINT64 x)
{
	return (unsigned)__builtin_popcountll(x);
}

/* Bits of the field a condition pins down: the higher, the more specific. */
static unsigned cond_specificity(const FWPM_FILTER_CONDITION0 *c, FWP_DATA_TYPE ft)
{
	const FWP_CONDITION_VALUE0 *v = &c->conditionValue;
	unsigned w = weir_type_bits(ft);
	UINT64 bits;

	switch (v->type) {
	case FWP_V4_ADDR_MASK:
		return c->matchType == FWP_MATCH_NOT_EQUAL || c->matchType == FWP_MATCH_NOT_PREFIX
		           ? 1
		           : popcount64(v->v4AddrMask->mask);
	case FWP_V6_ADDR_MASK:
		return c->matchType == FWP_MATCH_NOT_EQUAL || c->matchType == FWP_MATCH_NOT_PREFIX
		           ? 1
		           : v->v6AddrMask->prefixLength;
	case FWP_RANGE_TYPE: {
		const FWP_RANGE0 *r = v->rangeValue;
		UINT64 lo, hi, span;
		unsigned lg = 0;

		if (!weir_value_uint(&r->valueLow, &lo) || !weir_value_uint(&r->valueHigh, &hi))
			return w / 2;
		span = hi - lo;
		while (span) {
			lg++;
			span >>= 1;
		}
		return w > lg ? w - lg : 0;
	}
	default:
		break;
	}
	switch (c->matchType) {
	case FWP_MATCH_EQUAL:
		return w;
	case FWP_MATCH_FLAGS_ALL_SET:
	case FWP_MATCH_FLAGS_NONE_SET:
	case FWP_MATCH_FLAGS_ANY_SET:
		return weir_cond_uint(v, &bits) ? popcount64(bits) : 1;
	case FWP_MATCH_NOT_EQUAL:
		return 1;
	default:
		return w / 2;
	}
}

/*
 * Automatic weight: WFP documents only that more specific filters weigh more.
 * weir sums, over the condition groups (runs of one field, ORed), the least
 * specific alternative's pinned bits; the sum fills bits 48..59, under the
 * 4-bit weight range.
 */
static UINT64 auto_weight(const struct weir_layer_desc *ld, const FWPM_FILTER0 *f,
                          const int *fields)
{
	UINT64 score = 0;
	UINT32 i = 0;

	while (i < f->numFilterConditions) {
		unsigned best = ~0u;
		UINT32 j = i;

		while (j < f->numFilterConditions && fields[j] == fields[i]) {
			unsigned sp =
			    cond_specificity(&f->filterCondition[j], ld->fields[fields[j]].type);

			if (sp < best)
				best = sp;
			j++;
		}
		score += best;
		i = j;
	}
	if (score > 0xFFF)
		score = 0xFFF;
	return score << 48;
}

static NTSTATUS compute_weight(const struct weir_layer_desc *ld, const FWPM_FILTER0 *f,
                               const int *fields, UINT64 *w)
{
	switch (f->weight.type) {
	case FWP_EMPTY:
		*w = auto_weight(ld, f, fields);
		return STATUS_SUCCESS;
	case FWP_UINT8:
		if (f->weight.uint8 > 15)
			return STATUS_FWP_INVALID_WEIGHT;
		*w = ((UINT64)f->weight.uint8 << 60) | auto_weight(ld, f, fields);
		return STATUS_SUCCESS;
	case FWP_UINT64:
		if (f->weight.uint64 == NULL)
			return STATUS_FWP_NULL_POINTER;
		*w = *f->weight.uint64;
		return STATUS_SUCCESS;
	default:
		return STATUS_FWP_INVALID_WEIGHT;
	}
}

/* Deep copy of a condition value; pointers land in @p f's own allocations. */
static NTSTATUS copy_cond_value(FWP_CONDITION_VALUE0 *dst, const FWP_CONDITION_VALUE0 *src)
{
	size_t sz = weir_value_payload(src->type);
	void *p;

	*dst = *src;
	if (src->type == FWP_RANGE_TYPE) {
		FWP_RANGE0 *r = malloc(sizeof(*r) + 2 * sizeof(FWP_BYTE_ARRAY16));
		uint8_t *extra;

		if (r == NULL) {
			dst->type = FWP_EMPTY;
			return STATUS_NO_MEMORY;
		}
		*r = *src->rangeValue;
		extra = (uint8_t *)(r + 1);
		/* range ends of pointer types point into the same block */
		if (r->valueLow.type == FWP_UINT64 || r->valueLow.type == FWP_BYTE_ARRAY16_TYPE ||
		    r->valueLow.type == FWP_BYTE_ARRAY6_TYPE) {
			size_t esz = weir_value_payload(r->valueLow.type);

			memcpy(extra, src->rangeValue->valueLow.uint64, esz);
			memcpy(extra + 16, src->rangeValue->valueHigh.uint64, esz);
			r->valueLow.uint64 = (UINT64 *)extra;
			r->valueHigh.uint64 = (UINT64 *)(extra + 16);
		}
		dst->rangeValue = r;
		return STATUS_SUCCESS;
	}
	if (sz == 0)
		return STATUS_SUCCESS;
	p = malloc(sz);
	if (p == NULL) {
		dst->type = FWP_EMPTY; /* nothing of ours to free */
		return STATUS_NO_MEMORY;
	}
	memcpy(p, src->uint64, sz);
	dst->uint64 = p;
	return STATUS_SUCCESS;
}

/* Condition values whose pointer member is ours to free. */
static bool cond_value_owned(FWP_DATA_TYPE t)
{
	return weir_value_payload(t) != 0 || t == FWP_RANGE_TYPE;
}

void weir_filter_free(struct weir_filter *f)
{
	UINT32 i;

	if (f == NULL)
		return;
	if (f->m.filterCondition) {
		for (i = 0; i < f->m.numFilterConditions; i++)
			if (cond_value_owned(f->m.filterCondition[i].conditionValue.type))
				free(f->m.filterCondition[i].conditionValue.uint64);
	}
	free(f->m.filterCondition);
	free(f->rt.filterCondition);
	free(f->m.displayData.name);
	free(f->m.displayData.description);
	free(f->m.providerKey);
	free(f->m.providerData.data);
	free(f->m.weight.type == FWP_UINT64 ? f->m.weight.uint64 : NULL);
	free(f->m.effectiveWeight.uint64);
	free(f->sd);
	free(f);
}

/* Build the store object from a validated FWPM_FILTER0. */
static NTSTATUS filter_build(struct weir_filter *f, const FWPM_FILTER0 *in, const int *fields)
{
	UINT32 i, n = in->numFilterConditions;
	NTSTATUS st;

	f->m = *in;
	f->m.displayData.name = NULL;
	f->m.displayData.description = NULL;
	f->m.providerKey = NULL;
	f->m.providerData.size = 0;
	f->m.providerData.data = NULL;
	f->m.filterCondition = NULL;
	f->m.reserved = NULL;
	f->m.effectiveWeight.type = FWP_EMPTY;
	if (in->weight.type == FWP_UINT64) {
		f->m.weight.uint64 = malloc(sizeof(UINT64));
		if (f->m.weight.uint64 == NULL)
			return STATUS_NO_MEMORY;
		*f->m.weight.uint64 = *in->weight.uint64;
	}
	f->m.effectiveWeight.uint64 = malloc(sizeof(UINT64));
	if (f->m.effectiveWeight.uint64 == NULL)
		return STATUS_NO_MEMORY;
	f->m.effectiveWeight.type = FWP_UINT64;
	*f->m.effectiveWeight.uint64 = f->weight;
	f->m.displayData.name = weir_wcsdup(in->displayData.name);
	if (f->m.displayData.name == NULL)
		return STATUS_NO_MEMORY;
	if (in->displayData.description) {
		f->m.displayData.description = weir_wcsdup(in->displayData.description);
		if (f->m.displayData.description == NULL)
			return STATUS_NO_MEMORY;
	}
	if (in->providerKey) {
		f->m.providerKey = malloc(sizeof(GUID));
		if (f->m.providerKey == NULL)
			return STATUS_NO_MEMORY;
		*f->m.providerKey = *in->providerKey;
	}
	st = weir_blob_copy(&f->m.providerData, &in->providerData);
	if (st != STATUS_SUCCESS)
		return st;
	if (n) {
		f->m.filterCondition = calloc(n, sizeof(*f->m.filterCondition));
		f->rt.filterCondition = calloc(n, sizeof(*f->rt.filterCondition));
		if (f->m.filterCondition == NULL || f->rt.filterCondition == NULL)
			return STATUS_NO_MEMORY;
	}
	for (i = 0; i < n; i++) {
		f->m.filterCondition[i].fieldKey = in->filterCondition[i].fieldKey;
		f->m.filterCondition[i].matchType = in->filterCondition[i].matchType;
		f->m.filterCondition[i].conditionValue.type = FWP_EMPTY;
		st = copy_cond_value(&f->m.filterCondition[i].conditionValue,
		                     &in->filterCondition[i].conditionValue);
		if (st != STATUS_SUCCESS)
			return st;
		/* the run-time view shares the copied values */
		f->rt.filterCondition[i].fieldId = (UINT16)fields[i];
		f->rt.filterCondition[i].matchType = in->filterCondition[i].matchType;
		f->rt.filterCondition[i].conditionValue = f->m.filterCondition[i].conditionValue;
		if (i > 0 && fields[i] == fields[i - 1])
			f->rt.flags |= FWPS_FILTER_FLAG_OR_CONDITIONS;
	}
	f->rt.filterId = f->m.filterId;
	f->rt.weight.type = FWP_UINT64;
	f->rt.weight.uint64 = f->m.effectiveWeight.uint64;
	f->rt.subLayerWeight = f->sublayer->weight;
	if (in->flags & FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT)
		f->rt.flags |= FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT;
	if (in->flags & FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED)
		f->rt.flags |= FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
	f->rt.numFilterConditions = n;
	f->rt.action.type = in->action.type;
	f->rt.action.calloutId = f->callout_id;
	f->rt.context = in->rawContext;
	f->rt.providerContext = NULL;
	return STATUS_SUCCESS;
}

static NTSTATUS filter_add(struct weir_session *s, const FWPM_FILTER0 *in, PSECURITY_DESCRIPTOR sd,
                           UINT64 *id)
{
	struct weir_store *st = &weir_eng.store;
	const struct weir_layer_desc *ld;
	struct weir_sublayer *sl;
	struct weir_filter *f;
	struct weir_callout_reg *reg = NULL;
	struct weir_undo u = {.added = true, .kind = WEIR_OBJ_FILTER};
	int *fields = NULL;
	GUID key;
	UINT32 i, callout_id = 0;
	UINT64 weight;
	NTSTATUS rc;

	if (in == NULL)
		return STATUS_FWP_NULL_POINTER;
	key = in->filterKey;
	if (!weir_guid_is_zero(&key) && weir_gmap_get(&st->filters, &key))
		return STATUS_FWP_ALREADY_EXISTS;
	if (in->displayData.name == NULL)
		return STATUS_FWP_NULL_DISPLAY_NAME;
	ld = weir_layer_by_key(&in->layerKey);
	if (ld == NULL)
		return STATUS_FWP_LAYER_NOT_FOUND;
	if (weir_guid_is_zero(&in->subLayerKey))
		sl = st->default_sublayer;
	else if ((sl = weir_gmap_get(&st->sublayers, &in->subLayerKey)) == NULL)
		return STATUS_FWP_SUBLAYER_NOT_FOUND;
	if (in->providerKey && weir_gmap_get(&st->providers, in->providerKey) == NULL)
		return STATUS_FWP_PROVIDER_NOT_FOUND;
	if (in->flags & ~(UINT32)WEIR_FILTER_FLAGS)
		return STATUS_FWP_INVALID_FLAGS;
	switch (in->action.type) {
	case FWP_ACTION_BLOCK:
	case FWP_ACTION_PERMIT:
		if (in->flags & FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED)
			return STATUS_FWP_INVALID_FLAGS;
		break;
	case FWP_ACTION_CALLOUT_TERMINATING:
	case FWP_ACTION_CALLOUT_UNKNOWN:
	case FWP_ACTION_CALLOUT_INSPECTION: {
		struct weir_callout *c = weir_gmap_get(&st->callouts, &in->action.calloutKey);

		if (c == NULL)
			return STATUS_FWP_CALLOUT_NOT_FOUND;
		if (c->layer != ld->id)
			return STATUS_FWP_INCOMPATIBLE_LAYER;
		if (in->action.type == FWP_ACTION_CALLOUT_INSPECTION &&
		    (in->flags & FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED))
			return STATUS_FWP_INVALID_FLAGS;
		callout_id = c->id;
		break;
	}
	default:
		return STATUS_FWP_INVALID_ACTION_TYPE;
	}
	if (in->numFilterConditions && in->filterCondition == NULL)
		return STATUS_FWP_NULL_POINTER;
	fields = calloc(in->numFilterConditions + 1, sizeof(*fields));
	if (fields == NULL)
		return STATUS_NO_MEMORY;
	for (i = 0; i < in->numFilterConditions; i++) {
		rc = check_condition(ld, &in->filterCondition[i], &fields[i]);
		if (rc != STATUS_SUCCESS) {
			free(fields);
			return rc;
		}
	}
	rc = compute_weight(ld, in, fields, &weight);
	if (rc != STATUS_SUCCESS) {
		free(fields);
		return rc;
	}
	if (weir_txn_reserve(s, 1) != 0) {
		free(fields);
		return STATUS_NO_MEMORY;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		free(fields);
		return STATUS_NO_MEMORY;
	}
	if (weir_guid_is_zero(&key)) {
		do
			weir_guid_generate(&key);
		while (weir_gmap_get(&st->filters, &key));
	}
	f->layer = ld->id;
	f->sublayer = sl;
	f->weight = weight;
	f->callout_id = callout_id;
	f->session = s->id;
	rc = filter_build(f, in, fields);
	free(fields);
	f->m.filterKey = key;
	f->m.filterId = st->next_filter_id;
	f->rt.filterId = f->m.filterId;
	if (rc == STATUS_SUCCESS)
		rc = weir_sd_copy(sd, &f->sd, &f->sd_len);
	if (rc != STATUS_SUCCESS) {
		weir_filter_free(f);
		return rc;
	}
	/* a registered callout may refuse the filter (and may set its context) */
	if (callout_id)
		reg = weir_registry_get(callout_id);
	if (reg && reg->state == WEIR_REG_ACTIVE) {
		NTSTATUS nst = weir_callout_notify(reg, FWPS_CALLOUT_NOTIFY_ADD_FILTER,
		                                   &f->m.filterKey, &f->rt);

		if (!NT_SUCCESS(nst)) {
			weir_filter_free(f);
			return STATUS_FWP_CALLOUT_NOTIFICATION_FAILED;
		}
	}
	if (weir_store_link(WEIR_OBJ_FILTER, f) != 0) {
		if (reg && reg->state == WEIR_REG_ACTIVE)
			weir_callout_notify(reg, FWPS_CALLOUT_NOTIFY_DELETE_FILTER, &f->m.filterKey,
			                    &f->rt);
		weir_filter_free(f);
		return STATUS_NO_MEMORY;
	}
	st->next_filter_id++;
	u.obj = f;
	weir_txn_log(s, &u);
	if (id)
		*id = f->m.filterId;
	return STATUS_SUCCESS;
}

NTSTATUS FwpmFilterAdd0(HANDLE engineHandle, const FWPM_FILTER0 *filter, PSECURITY_DESCRIPTOR sd,
                        UINT64 *id)
{
	struct weir_session *s;
	NTSTATUS st;

	st = weir_op_begin(engineHandle, true, &s);
	if (st != STATUS_SUCCESS)
		return st;
	st = filter_add(s, filter, sd, id);
	return weir_op_end(s, st);
}

void weir_filter_notify_delete(struct weir_filter *f)
{
	struct weir_callout_reg *reg;

	if (!f->callout_id)
		return;
	reg = weir_registry_get(f->callout_id);
	/* DELETE always goes out, even for filters added before registration */
	if (reg && reg->state == WEIR_REG_ACTIVE)
		weir_callout_notify(reg, FWPS_CALLOUT_NOTIFY_DELETE_FILTER, &f->m.filterKey,
		                    &f->rt);
}

void weir_filter_notify_post_commit(struct weir_filter *f)
{
	struct weir_callout_reg *reg;

	if (!f->callout_id)
		return;
	reg = weir_registry_get(f->callout_id);
	if (reg && reg->state == WEIR_REG_ACTIVE &&
	    (reg->flags & FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY))
		weir_callout_notify(reg, FWPS_CALLOUT_NOTIFY_ADD_FILTER_POST_COMMIT,
		                    &f->m.filterKey, &f->rt);
}

static void *filter_by_id(UINT64 id)
{
	GUID k = weir_gmap_idkey(id);

	return weir_gmap_get(&weir_eng.store.filter_ids, &k);
}

static const struct weir_obj_ops filter_ops = {.kind = WEIR_OBJ_FILTER,
                                               .map = &weir_eng.store.filters,
                                               .by_id = filter_by_id,
                                               .not_found = STATUS_FWP_FILTER_NOT_FOUND};

NTSTATUS FwpmFilterDeleteById0(HANDLE engineHandle, UINT64 id)
{
	return weir_obj_call(engineHandle, &filter_ops, WEIR_OBJ_DELETE_BY_ID, NULL, id, NULL);
}

NTSTATUS FwpmFilterDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	return weir_obj_call(engineHandle, &filter_ops, WEIR_OBJ_DELETE_BY_KEY, key, 0, NULL);
}

NTSTATUS FwpmFilterGetById0(HANDLE engineHandle, UINT64 id, FWPM_FILTER0 **filter)
{
	return weir_obj_call(engineHandle, &filter_ops, WEIR_OBJ_GET_BY_ID, NULL, id, filter);
}

NTSTATUS FwpmFilterGetByKey0(HANDLE engineHandle, const GUID *key, FWPM_FILTER0 **filter)
{
	return weir_obj_call(engineHandle, &filter_ops, WEIR_OBJ_GET_BY_KEY, key, 0, filter);
}
