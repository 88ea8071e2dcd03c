/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A test callout module written only against <weir/fwpsk.h>: its verdict
 * is the filter's context (1 BLOCK, 2 PERMIT, 3 CONTINUE, 4 BLOCK+ABSORB,
 * absorbed packets are freed at once by rte_pktmbuf_free through the
 * mbuf's pool, which weir owns). It counts classifyFn calls per filter
 * context and prints them at unload.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>

DEFINE_GUID(VERDICT_KEY, 0x5eed0001, 0x1111, 0x4222, 0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66,
            0x66);

static atomic_uint_fast64_t calls[8];
static UINT32 id;

static void NTAPI classify(const FWPS_INCOMING_VALUES0 *in,
                           const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                           const void *cc, const FWPS_FILTER1 *filter, UINT64 fc,
                           FWPS_CLASSIFY_OUT0 *out)
{
	UINT64 ctx = filter->context < 8 ? filter->context : 0;

	(void)in, (void)meta, (void)cc, (void)fc;
	atomic_fetch_add(&calls[ctx], 1);
	switch (ctx) {
	case 1:
		out->actionType = FWP_ACTION_BLOCK;
		out->rights &= ~FWPS_RIGHT_ACTION_WRITE;
		break;
	case 2:
		out->actionType = FWP_ACTION_PERMIT;
		break;
	case 4:
		out->actionType = FWP_ACTION_BLOCK;
		out->flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
		out->rights &= ~FWPS_RIGHT_ACTION_WRITE;
		rte_pktmbuf_free(layerData); /* ours now */
		break;
	default:
		out->actionType = FWP_ACTION_CONTINUE;
		break;
	}
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	FWPS_CALLOUT1 c;

	(void)args;
	memset(&c, 0, sizeof(c));
	c.calloutKey = VERDICT_KEY;
	c.classifyFn = classify;
	return FwpsCalloutRegister1(deviceObject, &c, &id);
}

void weir_callout_module_unload(void *deviceObject)
{
	int i;

	(void)deviceObject;
	FwpsCalloutUnregisterById0(id);
	printf("verdict-calls");
	for (i = 1; i < 5; i++)
		printf(" %d=%llu", i, (unsigned long long)atomic_load(&calls[i]));
	printf("\n");
	fflush(stdout);
}
