/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Explain (weir_explain.h): validate a caller's incoming values, then run the
 * reference classifier on the published snapshot and hand back its trace.
 */
#include <pthread.h>
#include <string.h>

#include <weir/weir_explain.h>

#include "classify/reference.h"
#include "classify/snapshot.h"
#include "core/layers.h"
#include "mgmt/engine.h"

#define NAME_(name, str) str,
static const char *const reason_names[] = {WEIR_EXPLAIN_REASONS(NAME_)};
static const char *const effect_names[] = {WEIR_EXPLAIN_EFFECTS(NAME_)};
#undef NAME_

const char *weir_explain_reason_name(int reason)
{
	if (reason < 0 || reason >= WEIR_EXPLAIN_REASON_COUNT)
		return "unknown";
	return reason_names[reason];
}

const char *weir_explain_effect_name(int effect)
{
	if (effect < 0 || effect >= WEIR_EXPLAIN_EFFECT_COUNT)
		return "unknown";
	return effect_names[effect];
}

UINT32 weir_incoming_values_count(enum weir_layer layer)
{
	const struct weir_layer_desc *ld;

	if ((unsigned)layer >= WEIR_LAYER_COUNT)
		return 0;
	ld = weir_layer_get(layer);
	return ld ? ld->field_count : 0;
}

NTSTATUS weir_incoming_values_init(enum weir_layer layer, FWPS_INCOMING_VALUES0 *in,
                                   FWPS_INCOMING_VALUE0 *storage, UINT32 n)
{
	UINT32 count;

	if (in == NULL || storage == NULL)
		return STATUS_FWP_NULL_POINTER;
	if ((unsigned)layer >= WEIR_LAYER_COUNT)
		return STATUS_FWP_LAYER_NOT_FOUND;
	count = weir_incoming_values_count(layer);
	if (n < count)
		return STATUS_BUFFER_TOO_SMALL;
	memset(storage, 0, count * sizeof(*storage)); /* FWP_EMPTY is 0 */
	in->layerId = weir_layer_fwps_id(layer);
	in->valueCount = count;
	in->incomingValue = storage;
	return STATUS_SUCCESS;
}

/* Types whose FWP_VALUE0 holds a pointer rather than the value itself. */
static bool value_is_pointer(FWP_DATA_TYPE t)
{
	switch (t) {
	case FWP_EMPTY:
	case FWP_UINT8:
	case FWP_UINT16:
	case FWP_UINT32:
	case FWP_INT8:
	case FWP_INT16:
	case FWP_INT32:
	case FWP_FLOAT:
		return false;
	default:
		return true;
	}
}

/* The checks weir_explain() documents, in order; the classifier does none. */
static NTSTATUS check_values(enum weir_layer layer, const FWPS_INCOMING_VALUES0 *in)
{
	const struct weir_layer_desc *ld = weir_layer_get(layer);
	UINT32 i;

	if (in->layerId != weir_layer_fwps_id(layer) || in->valueCount != ld->field_count)
		return STATUS_INVALID_PARAMETER;
	if (in->valueCount && in->incomingValue == NULL)
		return STATUS_FWP_NULL_POINTER;
	for (i = 0; i < in->valueCount; i++) {
		const FWP_VALUE0 *v = &in->incomingValue[i].value;

		if (v->type == FWP_EMPTY)
			continue;
		if (v->type != ld->fields[i].type)
			return STATUS_INVALID_PARAMETER;
		if (value_is_pointer(v->type) && v->uint64 == NULL)
			return STATUS_FWP_NULL_POINTER;
	}
	return STATUS_SUCCESS;
}

NTSTATUS weir_explain(HANDLE engineHandle, enum weir_layer layer, const FWPS_INCOMING_VALUES0 *in,
                      struct weir_explain *out)
{
	FWPS_INCOMING_METADATA_VALUES0 meta;
	struct weir_classify_result res;
	const struct weir_snapshot *s;
	struct weir_trace trace;
	NTSTATUS st;

	st = weir_engine_check_handle(engineHandle);
	if (st != STATUS_SUCCESS)
		return st;
	if (in == NULL || out == NULL || (out->capacity && out->entries == NULL))
		return STATUS_FWP_NULL_POINTER;
	if ((unsigned)layer >= WEIR_LAYER_COUNT)
		return STATUS_FWP_LAYER_NOT_FOUND;
	st = check_values(layer, in);
	if (st != STATUS_SUCCESS)
		return st;

	memset(&meta, 0, sizeof(meta));
	trace.n = 0;
	trace.cap = out->capacity;
	trace.e = out->entries;
	/*
	 * This thread is no RCU reader: the engine lock keeps the snapshot from
	 * being replaced and freed while we classify (publication needs it).
	 * classifyFn may not call Fwpm* or register/unregister (fwpsk.h), so
	 * running callouts under it cannot deadlock.
	 */
	pthread_mutex_lock(&weir_eng.lock);
	s = weir_snapshot_current();
	weir_classify_reference(s, layer, in, &meta, NULL, NULL, NULL, &res, &trace);
	out->generation = s->generation;
	pthread_mutex_unlock(&weir_eng.lock);

	out->n_entries = trace.n;
	out->action = res.action;
	out->absorbed = res.absorbed;
	out->veto = res.veto;
	out->by_default = res.by_default;
	out->filterId = res.filterId;
	out->rights = res.rights;
	out->outContext = res.outContext;
	return STATUS_SUCCESS;
}
