/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conntrack-log: an inspection callout at ale-flow-established-v4 that writes
 * one JSON line when a flow starts and one when it ends (its flowDeleteFn),
 * then lets the flow through (CONTINUE).
 *
 * args: "path=FILE" (default: standard output). Key
 * 4c0ffee0-1d2e-4f3a-9b4c-5d6e7f8a9b0c.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>

DEFINE_GUID(CONNTRACK_LOG_KEY, 0x4c0ffee0, 0x1d2e, 0x4f3a, 0x9b, 0x4c, 0x5d, 0x6e, 0x7f, 0x8a, 0x9b,
            0x0c);

/* What a flow's context points to: the start line's facts, for the end line. */
struct flow_rec {
	UINT64 flow;
	struct timespec start;
};

static FILE *out;
static UINT32 callout_id;

static UINT32 u32(const FWPS_INCOMING_VALUES0 *in, UINT32 f)
{
	const FWP_VALUE0 *v = &in->incomingValue[f].value;

	switch (v->type) {
	case FWP_UINT8:
		return v->uint8;
	case FWP_UINT16:
		return v->uint16;
	case FWP_UINT32:
		return v->uint32;
	default:
		return 0;
	}
}

static void ip4(UINT32 a, char buf[16])
{
	struct in_addr x = {.s_addr = htonl(a)};

	inet_ntop(AF_INET, &x, buf, 16);
}

static void NTAPI ct_classify(const FWPS_INCOMING_VALUES0 *in,
                              const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                              const void *classifyContext, const FWPS_FILTER1 *filter,
                              UINT64 flowContext, FWPS_CLASSIFY_OUT0 *classifyOut)
{
	struct flow_rec *r;
	char src[16], dst[16], line[256];

	(void)layerData, (void)classifyContext, (void)filter;
	classifyOut->actionType = FWP_ACTION_CONTINUE;
	if (flowContext != 0 ||
	    !FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_FLOW_HANDLE))
		return; /* already logged (re-authorization), or no flow */
	r = malloc(sizeof(*r));
	if (r == NULL)
		return;
	r->flow = meta->flowHandle;
	clock_gettime(CLOCK_REALTIME, &r->start);
	if (FwpsFlowAssociateContext0(meta->flowHandle, FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4,
	                              callout_id, (UINT64)(uintptr_t)r) != STATUS_SUCCESS) {
		free(r);
		return;
	}
	/* remote = the packet's source at inbound layers */
	ip4(u32(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_ADDRESS), src);
	ip4(u32(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_ADDRESS), dst);
	snprintf(line, sizeof(line),
	         "{\"event\":\"start\",\"flow\":%" PRIu64
	         ",\"proto\":%u,\"src\":\"%s\",\"sport\":%u,"
	         "\"dst\":\"%s\",\"dport\":%u}\n",
	         (uint64_t)r->flow, u32(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_PROTOCOL), src,
	         u32(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_PORT), dst,
	         u32(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_PORT));
	fputs(line, out); /* one call per line: stdio's lock keeps lines whole */
}

static void NTAPI ct_flow_delete(UINT16 layerId, UINT32 calloutId, UINT64 flowContext)
{
	struct flow_rec *r = (struct flow_rec *)(uintptr_t)flowContext;
	struct timespec now;
	char line[160];

	(void)layerId, (void)calloutId;
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(line, sizeof(line), "{\"event\":\"end\",\"flow\":%" PRIu64 ",\"seconds\":%.3f}\n",
	         (uint64_t)r->flow,
	         (double)(now.tv_sec - r->start.tv_sec) + (now.tv_nsec - r->start.tv_nsec) / 1e9);
	fputs(line, out);
	free(r);
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	const char *p = args ? strstr(args, "path=") : NULL;
	FWPS_CALLOUT1 c;
	NTSTATUS st;

	out = stdout;
	if (p) {
		char path[1024];

		snprintf(path, sizeof(path), "%s", p + 5);
		path[strcspn(path, " ")] = '\0';
		out = fopen(path, "w");
		if (out == NULL)
			return STATUS_INVALID_PARAMETER;
	}
	memset(&c, 0, sizeof(c));
	c.calloutKey = CONNTRACK_LOG_KEY;
	c.classifyFn = ct_classify;
	c.flowDeleteFn = ct_flow_delete;
	st = FwpsCalloutRegister1(deviceObject, &c, &callout_id);
	if (st != STATUS_SUCCESS && out != stdout)
		fclose(out);
	return st;
}

void weir_callout_module_unload(void *deviceObject)
{
	(void)deviceObject;
	/* every flow has ended by now (flowDeleteFn ran), so this succeeds */
	FwpsCalloutUnregisterById0(callout_id);
	fflush(out);
	if (out != stdout)
		fclose(out);
}
