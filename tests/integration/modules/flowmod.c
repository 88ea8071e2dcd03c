/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A test module written only against <weir/fwpsk.h> (after stmedit/ddproxy):
 * an inspection callout at ale-flow-established associates, for flows to an
 * even UDP port, a context with a CONDITIONAL_ON_FLOW callout at
 * datagram-data; that one checks it gets the context. Counts are printed at
 * unload, where unregistering must succeed because every flow has ended.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>

DEFINE_GUID(ALE_KEY, 0x5eed0002, 0x1111, 0x4222, 0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x01);
DEFINE_GUID(DG_KEY, 0x5eed0003, 0x1111, 0x4222, 0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x02);

static UINT32 ale_id, dg_id;
static atomic_uint_fast64_t ale_calls, assoc_ok, assoc_exists, assoc_other, dg_calls, mismatch,
    deletes;

static UINT16 dport(const FWPS_INCOMING_VALUES0 *in, UINT32 field)
{
	const FWP_VALUE0 *v = &in->incomingValue[field].value;

	return v->type == FWP_UINT16 ? v->uint16 : 0;
}

static void NTAPI ale_classify(const FWPS_INCOMING_VALUES0 *in,
                               const FWPS_INCOMING_METADATA_VALUES0 *meta, void *ld, const void *cc,
                               const FWPS_FILTER1 *filter, UINT64 fc, FWPS_CLASSIFY_OUT0 *out)
{
	UINT16 port = dport(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_PORT);
	NTSTATUS st;

	(void)ld, (void)cc, (void)filter, (void)fc;
	atomic_fetch_add(&ale_calls, 1);
	if (FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_FLOW_HANDLE) &&
	    port % 2 == 0) {
		st = FwpsFlowAssociateContext0(meta->flowHandle, FWPS_LAYER_DATAGRAM_DATA_V4, dg_id,
		                               0x1000 + port);
		atomic_fetch_add(st == STATUS_SUCCESS ? &assoc_ok : &assoc_other, 1);
		st = FwpsFlowAssociateContext0(meta->flowHandle, FWPS_LAYER_DATAGRAM_DATA_V4, dg_id,
		                               0x2000 + port);
		atomic_fetch_add(st == STATUS_OBJECT_NAME_EXISTS ? &assoc_exists : &assoc_other, 1);
	}
	out->actionType = FWP_ACTION_CONTINUE;
}

static void NTAPI dg_classify(const FWPS_INCOMING_VALUES0 *in,
                              const FWPS_INCOMING_METADATA_VALUES0 *meta, void *ld, const void *cc,
                              const FWPS_FILTER1 *filter, UINT64 flowContext,
                              FWPS_CLASSIFY_OUT0 *out)
{
	/* one context per flow: the reply direction has the ports swapped */
	UINT16 lport = dport(in, FWPS_FIELD_DATAGRAM_DATA_V4_IP_LOCAL_PORT);
	UINT16 rport = dport(in, FWPS_FIELD_DATAGRAM_DATA_V4_IP_REMOTE_PORT);

	(void)meta, (void)ld, (void)cc, (void)filter;
	atomic_fetch_add(&dg_calls, 1);
	if (flowContext != 0x1000u + lport && flowContext != 0x1000u + rport)
		atomic_fetch_add(&mismatch, 1);
	out->actionType = FWP_ACTION_CONTINUE;
}

static void NTAPI dg_flow_delete(UINT16 layerId, UINT32 calloutId, UINT64 flowContext)
{
	(void)layerId, (void)flowContext;
	if (calloutId == dg_id)
		atomic_fetch_add(&deletes, 1);
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	FWPS_CALLOUT1 a, d;
	NTSTATUS st;

	(void)args;
	memset(&a, 0, sizeof(a));
	a.calloutKey = ALE_KEY;
	a.classifyFn = ale_classify;
	a.flowDeleteFn = dg_flow_delete;
	st = FwpsCalloutRegister1(deviceObject, &a, &ale_id);
	if (st != STATUS_SUCCESS)
		return st;
	memset(&d, 0, sizeof(d));
	d.calloutKey = DG_KEY;
	d.flags = FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW;
	d.classifyFn = dg_classify;
	d.flowDeleteFn = dg_flow_delete;
	st = FwpsCalloutRegister1(deviceObject, &d, &dg_id);
	if (st != STATUS_SUCCESS)
		FwpsCalloutUnregisterById0(ale_id);
	return st;
}

void weir_callout_module_unload(void *deviceObject)
{
	NTSTATUS a, d;

	(void)deviceObject;
	d = FwpsCalloutUnregisterById0(dg_id);
	a = FwpsCalloutUnregisterById0(ale_id);
	printf("flowmod ale=%llu assoc=%llu exists=%llu other=%llu dgram=%llu mismatch=%llu "
	       "deletes=%llu unregister=0x%08x,0x%08x\n",
	       (unsigned long long)ale_calls, (unsigned long long)assoc_ok,
	       (unsigned long long)assoc_exists, (unsigned long long)assoc_other,
	       (unsigned long long)dg_calls, (unsigned long long)mismatch,
	       (unsigned long long)deletes, (unsigned)d, (unsigned)a);
	fflush(stdout);
}
