/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * count: an inspection callout that counts the packets of the filters naming
 * it, per IP protocol, and lets them through (CONTINUE). Written only against
 * <weir/fwpsk.h> and <weir/fwpmk.h>, as a WFP callout driver would be.
 *
 * Callout key ce02b058-b7d0-4837-9d2e-482401d2a90e (config/weir.conf names it).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>

DEFINE_GUID(COUNT_CALLOUT_KEY, 0xce02b058, 0xb7d0, 0x4837, 0x9d, 0x2e, 0x48, 0x24, 0x01, 0xd2, 0xa9,
            0x0e);

static atomic_uint_fast64_t per_proto[256];
static atomic_uint_fast64_t total;
static UINT32 callout_id;
static int quiet;

static void NTAPI count_classify(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                 const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                 void *layerData, const void *classifyContext,
                                 const FWPS_FILTER1 *filter, UINT64 flowContext,
                                 FWPS_CLASSIFY_OUT0 *classifyOut)
{
	const FWP_VALUE0 *proto;

	(void)inMetaValues, (void)layerData, (void)classifyContext, (void)filter;
	(void)flowContext;
	proto = &inFixedValues->incomingValue[FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL].value;
	if (proto->type == FWP_UINT8)
		atomic_fetch_add_explicit(&per_proto[proto->uint8], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&total, 1, memory_order_relaxed);
	/* an inspection callout never decides */
	classifyOut->actionType = FWP_ACTION_CONTINUE;
}

static NTSTATUS NTAPI count_notify(FWPS_CALLOUT_NOTIFY_TYPE notifyType, const GUID *filterKey,
                                   FWPS_FILTER1 *filter)
{
	(void)filterKey, (void)filter;
	if (!quiet && notifyType == FWPS_CALLOUT_NOTIFY_ADD_FILTER)
		printf("count: filter %llu now counts\n", (unsigned long long)filter->filterId);
	return STATUS_SUCCESS;
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	FWPS_CALLOUT1 c;

	quiet = args && strstr(args, "quiet") != NULL;
	memset(&c, 0, sizeof(c));
	c.calloutKey = COUNT_CALLOUT_KEY;
	c.classifyFn = count_classify;
	c.notifyFn = count_notify;
	return FwpsCalloutRegister1(deviceObject, &c, &callout_id);
}

void weir_callout_module_unload(void *deviceObject)
{
	unsigned p;

	(void)deviceObject;
	FwpsCalloutUnregisterById0(callout_id);
	printf("count: %llu packets", (unsigned long long)atomic_load(&total));
	for (p = 0; p < 256; p++)
		if (atomic_load(&per_proto[p]))
			printf(", proto %u: %llu", p,
			       (unsigned long long)atomic_load(&per_proto[p]));
	printf("\n");
	fflush(stdout);
}
