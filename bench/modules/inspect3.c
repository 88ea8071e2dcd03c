/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark module: three inspection callouts (inbound-ippacket-v4,
 * inbound-transport-v4, outbound-ippacket-v4) that count and CONTINUE, to
 * measure the cost of calling callouts per packet.
 */
#include <stdatomic.h>
#include <string.h>

#include <weir/fwpsk.h>

DEFINE_GUID(B_KEY1, 0xbe7c0001, 0x0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1);
DEFINE_GUID(B_KEY2, 0xbe7c0002, 0x0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 2);
DEFINE_GUID(B_KEY3, 0xbe7c0003, 0x0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 3);

static UINT32 ids[3];
static atomic_uint_fast64_t calls;

static void NTAPI classify(const FWPS_INCOMING_VALUES0 *in,
                           const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                           const void *cc, const FWPS_FILTER1 *filter, UINT64 fc,
                           FWPS_CLASSIFY_OUT0 *out)
{
	(void)in, (void)meta, (void)layerData, (void)cc, (void)filter, (void)fc;
	atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
	out->actionType = FWP_ACTION_CONTINUE;
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	const GUID *keys[3] = {&B_KEY1, &B_KEY2, &B_KEY3};
	int i;

	(void)args;
	for (i = 0; i < 3; i++) {
		FWPS_CALLOUT1 c;
		NTSTATUS st;

		memset(&c, 0, sizeof(c));
		c.calloutKey = *keys[i];
		c.flags = FWP_CALLOUT_FLAG_ALLOW_OFFLOAD;
		c.classifyFn = classify;
		st = FwpsCalloutRegister1(deviceObject, &c, &ids[i]);
		if (st != STATUS_SUCCESS) {
			while (i-- > 0)
				FwpsCalloutUnregisterById0(ids[i]);
			return st;
		}
	}
	return STATUS_SUCCESS;
}

void weir_callout_module_unload(void *deviceObject)
{
	int i;

	(void)deviceObject;
	for (i = 0; i < 3; i++)
		FwpsCalloutUnregisterById0(ids[i]);
}
