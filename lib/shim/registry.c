/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Callout registration (FwpsCalloutRegisterN, FwpsCalloutUnregister*).
 *
 * Registration is not transactional (as in WFP): it takes effect at once by
 * publishing a new callout table. Unregistration publishes a table without the
 * callout, then waits for a grace period with the engine lock released, so a
 * second register/unregister of the same callout meanwhile sees
 * STATUS_FWP_IN_USE and everything else proceeds.
 */
#include <stdlib.h>
#include <string.h>

#include "classify/snapshot.h"
#include "mgmt/engine.h"
#include "shim/registry.h"

/* Flags each FWPS_CALLOUTn version knows. */
static const UINT32 version_flags[4] = {
    FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW | FWP_CALLOUT_FLAG_ALLOW_OFFLOAD,
    FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW | FWP_CALLOUT_FLAG_ALLOW_OFFLOAD |
        FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY | FWP_CALLOUT_FLAG_ALLOW_MID_STREAM_INSPECTION |
        FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY,
    FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW | FWP_CALLOUT_FLAG_ALLOW_OFFLOAD |
        FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY | FWP_CALLOUT_FLAG_ALLOW_MID_STREAM_INSPECTION |
        FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY | FWP_CALLOUT_FLAG_ALLOW_RSC |
        FWP_CALLOUT_FLAG_ALLOW_L2_BATCH_CLASSIFY,
    FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW | FWP_CALLOUT_FLAG_ALLOW_OFFLOAD |
        FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY | FWP_CALLOUT_FLAG_ALLOW_MID_STREAM_INSPECTION |
        FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY | FWP_CALLOUT_FLAG_ALLOW_RSC |
        FWP_CALLOUT_FLAG_ALLOW_L2_BATCH_CLASSIFY | FWP_CALLOUT_FLAG_ALLOW_USO |
        FWP_CALLOUT_FLAG_ALLOW_URO,
};

/* Engine lock held for all of these. */
static struct weir_gmap key_ids;                         /* GUID -> (void *)(uintptr_t)id */
static struct weir_callout_reg *regs[WEIR_MAX_CALLOUTS]; /* by id; includes unregistering */
static UINT32 n_ids = 1;                                 /* id 0 is never given out */

NTSTATUS weir_callout_id_for_key(const GUID *key, UINT32 *id)
{
	void *v = weir_gmap_get(&key_ids, key);

	if (v) {
		*id = (UINT32)(uintptr_t)v;
		return STATUS_SUCCESS;
	}
	if (n_ids >= WEIR_MAX_CALLOUTS)
		return STATUS_FWP_TOO_MANY_CALLOUTS;
	if (weir_gmap_put(&key_ids, key, (void *)(uintptr_t)n_ids) != 0)
		return STATUS_NO_MEMORY;
	*id = n_ids++;
	return STATUS_SUCCESS;
}

UINT32 weir_callout_id_count(void)
{
	return n_ids;
}

struct weir_callout_reg *weir_registry_get(UINT32 id)
{
	return id < WEIR_MAX_CALLOUTS ? regs[id] : NULL;
}

NTSTATUS weir_callout_notify(const struct weir_callout_reg *r, FWPS_CALLOUT_NOTIFY_TYPE type,
                             const GUID *filterKey, FWPS_FILTER3 *filter)
{
	switch (r->version) {
	case 0:
		return r->notify.v0 ? r->notify.v0(type, filterKey, (FWPS_FILTER0 *)filter)
		                    : STATUS_SUCCESS;
	case 1:
		return r->notify.v1 ? r->notify.v1(type, filterKey, (FWPS_FILTER1 *)filter)
		                    : STATUS_SUCCESS;
	case 2:
		return r->notify.v2 ? r->notify.v2(type, filterKey, (FWPS_FILTER2 *)filter)
		                    : STATUS_SUCCESS;
	default:
		return r->notify.v3 ? r->notify.v3(type, filterKey, filter) : STATUS_SUCCESS;
	}
}

bool weir_device_has_registrations(void *deviceObject)
{
	bool found = false;
	UINT32 i;

	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	for (i = 1; i < n_ids && !found; i++)
		found = regs[i] && regs[i]->device == deviceObject;
	pthread_mutex_unlock(&weir_eng.lock);
	return found;
}

/* The part every version shares; @p tmpl is filled but for id, device and state. */
static NTSTATUS do_register(void *device, const struct weir_callout_reg *tmpl, bool fn_present,
                            UINT32 *calloutId)
{
	static const GUID zero;
	struct weir_callout_reg *r;
	UINT32 id;
	NTSTATUS st;

	if (device == NULL || !fn_present)
		return STATUS_FWP_NULL_POINTER;
	if (memcmp(&tmpl->key, &zero, sizeof(zero)) == 0)
		return STATUS_INVALID_PARAMETER;
	if (tmpl->flags & ~version_flags[tmpl->version])
		return STATUS_FWP_INVALID_FLAGS;
	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	st = weir_callout_id_for_key(&tmpl->key, &id);
	if (st != STATUS_SUCCESS)
		goto out;
	if (regs[id]) {
		st = regs[id]->state == WEIR_REG_UNREGISTERING ? STATUS_FWP_IN_USE
		                                               : STATUS_FWP_ALREADY_EXISTS;
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	r->key = tmpl->key;
	r->flags = tmpl->flags;
	r->version = tmpl->version;
	r->classify = tmpl->classify;
	r->notify = tmpl->notify;
	r->flowDeleteFn = tmpl->flowDeleteFn;
	r->id = id;
	r->device = device;
	r->state = WEIR_REG_ACTIVE;
	atomic_init(&r->contexts, 0);
	atomic_init(&r->calls, 0);
	regs[id] = r;
	if (weir_publish_callouts(false) != 0) {
		regs[id] = NULL;
		free(r);
		st = STATUS_NO_MEMORY;
		goto out;
	}
	if (calloutId)
		*calloutId = id;
out:
	pthread_mutex_unlock(&weir_eng.lock);
	return st;
}

#define REGISTER_BODY(ver)                                                                         \
	struct weir_callout_reg t = {0};                                                           \
	if (callout == NULL)                                                                       \
		return STATUS_FWP_NULL_POINTER;                                                    \
	t.key = callout->calloutKey;                                                               \
	t.flags = callout->flags;                                                                  \
	t.version = ver;                                                                           \
	t.classify.v##ver = callout->classifyFn;                                                   \
	t.notify.v##ver = callout->notifyFn;                                                       \
	t.flowDeleteFn = callout->flowDeleteFn;                                                    \
	return do_register(deviceObject, &t, callout->classifyFn != NULL, calloutId)

NTSTATUS FwpsCalloutRegister0(void *deviceObject, const FWPS_CALLOUT0 *callout, UINT32 *calloutId)
{
	REGISTER_BODY(0);
}

NTSTATUS FwpsCalloutRegister1(void *deviceObject, const FWPS_CALLOUT1 *callout, UINT32 *calloutId)
{
	REGISTER_BODY(1);
}

NTSTATUS FwpsCalloutRegister2(void *deviceObject, const FWPS_CALLOUT2 *callout, UINT32 *calloutId)
{
	REGISTER_BODY(2);
}

NTSTATUS FwpsCalloutRegister3(void *deviceObject, const FWPS_CALLOUT3 *callout, UINT32 *calloutId)
{
	REGISTER_BODY(3);
}

/* Engine lock held on entry and on return. */
static NTSTATUS do_unregister(UINT32 id)
{
	struct weir_callout_reg *r = weir_registry_get(id);

	if (id == 0 || r == NULL)
		return STATUS_FWP_CALLOUT_NOT_FOUND;
	if (r->state == WEIR_REG_UNREGISTERING)
		return STATUS_FWP_IN_USE;
	/*
	 * A worker associating a context increments the counter, then reads the
	 * state; here the state is written first, then the counter read (both
	 * seq_cst), so one of the two always sees the other.
	 */
	r->state = WEIR_REG_UNREGISTERING;
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&r->contexts) > 0) {
		r->state = WEIR_REG_ACTIVE;
		return STATUS_DEVICE_BUSY;
	}
	/* returns after the grace period: no classifyFn of it runs any more */
	if (weir_publish_callouts(true) != 0) {
		r->state = WEIR_REG_ACTIVE;
		return STATUS_NO_MEMORY;
	}
	regs[id] = NULL;
	free(r);
	return STATUS_SUCCESS;
}

NTSTATUS FwpsCalloutUnregisterById0(const UINT32 calloutId)
{
	NTSTATUS st;

	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	st = do_unregister(calloutId);
	pthread_mutex_unlock(&weir_eng.lock);
	return st;
}

NTSTATUS FwpsCalloutUnregisterByKey0(const GUID *calloutKey)
{
	NTSTATUS st;
	void *v;

	if (calloutKey == NULL)
		return STATUS_FWP_NULL_POINTER;
	weir_engine_init();
	pthread_mutex_lock(&weir_eng.lock);
	v = weir_gmap_get(&key_ids, calloutKey);
	st = v ? do_unregister((UINT32)(uintptr_t)v) : STATUS_FWP_CALLOUT_NOT_FOUND;
	pthread_mutex_unlock(&weir_eng.lock);
	return st;
}

struct weir_callout_table *weir_registry_table(void)
{
	struct weir_callout_table *t;
	UINT32 i;

	t = calloc(1, sizeof(*t) + n_ids * sizeof(t->regs[0]));
	if (t == NULL)
		return NULL;
	t->n = n_ids;
	for (i = 0; i < n_ids; i++)
		t->regs[i] = regs[i] && regs[i]->state == WEIR_REG_ACTIVE ? regs[i] : NULL;
	return t;
}
