/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow-monitor (after WFP's msnmntr sample): an inspection callout at
 * ale-flow-established-v4 picks the flows to monitor and associates a
 * context with a CONDITIONAL_ON_FLOW inspection callout at datagram-data-v4,
 * which copies each packet's payload out and returns CONTINUE. Only flows
 * with a context are ever shown to the second callout.
 *
 * args: "path=FILE [port=N]": monitor UDP flows whose server port is N
 * (default 53); each payload is written as one line "flow-id length hex".
 * Keys: ale 6f10a000-0001-4a00-8b00-000000000001,
 *       datagram 6f10a000-0002-4a00-8b00-000000000002.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>

DEFINE_GUID(FM_ALE_KEY, 0x6f10a000, 0x0001, 0x4a00, 0x8b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01);
DEFINE_GUID(FM_DG_KEY, 0x6f10a000, 0x0002, 0x4a00, 0x8b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02);

static FILE *out;
static UINT32 ale_id, dg_id;
static UINT16 watch_port = 53;
static atomic_uint_fast64_t flows, copied;

static UINT16 u16(const FWPS_INCOMING_VALUES0 *in, UINT32 f)
{
	const FWP_VALUE0 *v = &in->incomingValue[f].value;

	return v->type == FWP_UINT16 ? v->uint16 : 0;
}

static void NTAPI fm_ale(const FWPS_INCOMING_VALUES0 *in,
                         const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                         const void *classifyContext, const FWPS_FILTER1 *filter,
                         UINT64 flowContext, FWPS_CLASSIFY_OUT0 *classifyOut)
{
	(void)layerData, (void)classifyContext, (void)filter, (void)flowContext;
	classifyOut->actionType = FWP_ACTION_CONTINUE;
	if (!FWPS_IS_METADATA_FIELD_PRESENT(meta, FWPS_METADATA_FIELD_FLOW_HANDLE))
		return;
	if (u16(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_LOCAL_PORT) != watch_port &&
	    u16(in, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_PORT) != watch_port)
		return;
	/* the context is the flow id itself: nothing to allocate or free */
	if (FwpsFlowAssociateContext0(meta->flowHandle, FWPS_LAYER_DATAGRAM_DATA_V4, dg_id,
	                              meta->flowHandle) == STATUS_SUCCESS)
		atomic_fetch_add(&flows, 1);
}

static void NTAPI fm_datagram(const FWPS_INCOMING_VALUES0 *in,
                              const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                              const void *classifyContext, const FWPS_FILTER1 *filter,
                              UINT64 flowContext, FWPS_CLASSIFY_OUT0 *classifyOut)
{
	const struct rte_mbuf *m = layerData;
	uint8_t buf[2048];
	const uint8_t *p;
	char line[4200];
	uint32_t off, len, i;
	int n;

	(void)in, (void)classifyContext, (void)filter;
	classifyOut->actionType = FWP_ACTION_CONTINUE;
	if (m == NULL || meta->weirL4Offset == 0)
		return;
	off = meta->weirL4Offset + meta->transportHeaderSize;
	len = rte_pktmbuf_pkt_len(m) > off ? rte_pktmbuf_pkt_len(m) - off : 0;
	if (len > sizeof(buf))
		len = sizeof(buf);
	p = len ? rte_pktmbuf_read(m, off, len, buf) : buf;
	if (p == NULL)
		return;
	n = snprintf(line, sizeof(line), "%" PRIu64 " %u ", (uint64_t)flowContext, len);
	for (i = 0; i < len && n + 3 < (int)sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x", p[i]);
	line[n++] = '\n';
	line[n] = '\0';
	fputs(line, out);
	atomic_fetch_add(&copied, 1);
}

static void NTAPI fm_flow_delete(UINT16 layerId, UINT32 calloutId, UINT64 flowContext)
{
	(void)layerId, (void)calloutId, (void)flowContext; /* nothing allocated per flow */
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	const char *p = args ? strstr(args, "path=") : NULL;
	const char *q = args ? strstr(args, "port=") : NULL;
	FWPS_CALLOUT1 a, d;
	NTSTATUS st;

	out = stdout;
	if (q)
		watch_port = (UINT16)strtoul(q + 5, NULL, 0);
	if (p) {
		char path[1024];

		snprintf(path, sizeof(path), "%s", p + 5);
		path[strcspn(path, " ")] = '\0';
		out = fopen(path, "w");
		if (out == NULL)
			return STATUS_INVALID_PARAMETER;
	}
	memset(&d, 0, sizeof(d));
	d.calloutKey = FM_DG_KEY;
	d.flags = FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW;
	d.classifyFn = fm_datagram;
	d.flowDeleteFn = fm_flow_delete; /* required to accept contexts */
	st = FwpsCalloutRegister1(deviceObject, &d, &dg_id);
	if (st != STATUS_SUCCESS)
		goto fail;
	memset(&a, 0, sizeof(a));
	a.calloutKey = FM_ALE_KEY;
	a.classifyFn = fm_ale;
	st = FwpsCalloutRegister1(deviceObject, &a, &ale_id);
	if (st == STATUS_SUCCESS)
		return st;
	FwpsCalloutUnregisterById0(dg_id);
fail:
	if (out != stdout)
		fclose(out);
	return st;
}

void weir_callout_module_unload(void *deviceObject)
{
	(void)deviceObject;
	FwpsCalloutUnregisterById0(ale_id);
	FwpsCalloutUnregisterById0(dg_id);
	fprintf(stderr, "flow-monitor: %" PRIu64 " flows, %" PRIu64 " payloads copied\n",
	        (uint64_t)atomic_load(&flows), (uint64_t)atomic_load(&copied));
	fflush(out);
	if (out != stdout)
		fclose(out);
}
