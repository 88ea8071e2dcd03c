/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The run-time callout registry (internal): what FwpsCalloutRegisterN
 * recorded, and how the engine calls a callout's functions whatever version
 * of FWPS_CALLOUTn registered it.
 *
 * A registration is immutable while published; unregistration removes it from
 * the next snapshot and frees it only after a grace period.
 */
#ifndef WEIR_SHIM_REGISTRY_H
#define WEIR_SHIM_REGISTRY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <weir/weir.h>

/** Upper bound of run-time callout ids (STATUS_FWP_TOO_MANY_CALLOUTS past it). */
#define WEIR_MAX_CALLOUTS 4096

enum weir_reg_state {
	WEIR_REG_ACTIVE = 0,
	WEIR_REG_UNREGISTERING, /**< removed from snapshots, grace period running */
};

/** One registered callout. */
struct weir_callout_reg {
	GUID key;
	UINT32 id;
	UINT32 flags; /**< FWP_CALLOUT_FLAG_* */
	int version;  /**< 0..3: which FWPS_CALLOUTn registered it */
	union {
		FWPS_CALLOUT_CLASSIFY_FN0 v0;
		FWPS_CALLOUT_CLASSIFY_FN1 v1;
		FWPS_CALLOUT_CLASSIFY_FN2 v2;
		FWPS_CALLOUT_CLASSIFY_FN3 v3;
	} classify;
	union {
		FWPS_CALLOUT_NOTIFY_FN0 v0;
		FWPS_CALLOUT_NOTIFY_FN1 v1;
		FWPS_CALLOUT_NOTIFY_FN2 v2;
		FWPS_CALLOUT_NOTIFY_FN3 v3;
	} notify;
	FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 flowDeleteFn;
	void *device;                      /**< owner token given at registration */
	_Atomic enum weir_reg_state state; /**< seq_cst: ordered against contexts */
	atomic_uint_fast64_t contexts;     /**< flow contexts associated (DEVICE_BUSY while > 0) */
	atomic_uint_fast64_t calls;        /**< classifyFn invocations */
};

/** Call the classifyFn of @p r with the arguments of its version. */
static inline void weir_callout_classify(const struct weir_callout_reg *r,
                                         const FWPS_INCOMING_VALUES0 *in,
                                         const FWPS_INCOMING_METADATA_VALUES0 *meta,
                                         void *layerData, const void *classifyContext,
                                         const FWPS_FILTER3 *filter, UINT64 flowContext,
                                         FWPS_CLASSIFY_OUT0 *out)
{
	switch (r->version) {
	case 0:
		r->classify.v0(in, meta, layerData, (const FWPS_FILTER0 *)filter, flowContext, out);
		break;
	case 1:
		r->classify.v1(in, meta, layerData, classifyContext, (const FWPS_FILTER1 *)filter,
		               flowContext, out);
		break;
	case 2:
		r->classify.v2(in, meta, layerData, classifyContext, (const FWPS_FILTER2 *)filter,
		               flowContext, out);
		break;
	default:
		r->classify.v3(in, meta, layerData, classifyContext, filter, flowContext, out);
		break;
	}
}

/**
 * Call the notifyFn of @p r (if any).
 * @return its result, or STATUS_SUCCESS when it has none.
 */
NTSTATUS weir_callout_notify(const struct weir_callout_reg *r, FWPS_CALLOUT_NOTIFY_TYPE type,
                             const GUID *filterKey, FWPS_FILTER3 *filter);

/**
 * The registration of @p calloutId, or NULL (engine lock held). Includes
 * registrations being unregistered.
 */
struct weir_callout_reg *weir_registry_get(UINT32 calloutId);

/**
 * The run-time id of @p key, allocating one if the GUID has none yet (engine
 * lock held). Ids are never reused for another GUID.
 * @return STATUS_SUCCESS; STATUS_FWP_TOO_MANY_CALLOUTS; STATUS_NO_MEMORY.
 */
NTSTATUS weir_callout_id_for_key(const GUID *key, UINT32 *id);

/** Number of ids allocated so far (ids are 1..n). Engine lock held. */
UINT32 weir_callout_id_count(void);

/** True while a callout registered with @p deviceObject is registered. */
bool weir_device_has_registrations(void *deviceObject);

struct weir_callout_table;
/** A new callout table of the active registrations (engine lock held). NULL: no memory. */
struct weir_callout_table *weir_registry_table(void);

#endif /* WEIR_SHIM_REGISTRY_H */
