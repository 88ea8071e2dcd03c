/* SPDX-License-Identifier: BSD-3-Clause */
/* A WFP-style management client: open a session, add a filter, close. */
#include <stdio.h>
#include <string.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>

int main(void)
{
	FWPM_SESSION0 session;
	FWPM_FILTER0 filter;
	FWPM_FILTER_CONDITION0 cond;
	HANDLE engine = NULL;
	UINT64 id = 0;
	NTSTATUS st;

	memset(&session, 0, sizeof(session));
	session.flags = FWPM_SESSION_FLAG_DYNAMIC;
	st = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &engine);
	if (st != STATUS_SUCCESS) {
		printf("FwpmEngineOpen0: 0x%08x\n", (unsigned)st);
		return 1;
	}
	memset(&filter, 0, sizeof(filter));
	memset(&cond, 0, sizeof(cond));
	cond.fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	cond.matchType = FWP_MATCH_EQUAL;
	cond.conditionValue.type = FWP_UINT8;
	cond.conditionValue.uint8 = 6;
	filter.displayData.name = L"block tcp";
	filter.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	filter.action.type = FWP_ACTION_BLOCK;
	filter.weight.type = FWP_EMPTY;
	filter.numFilterConditions = 1;
	filter.filterCondition = &cond;
	st = FwpmFilterAdd0(engine, &filter, NULL, &id);
	if (st != STATUS_SUCCESS || id == 0) {
		printf("FwpmFilterAdd0: 0x%08x\n", (unsigned)st);
		return 1;
	}
	st = FwpmEngineClose0(engine);
	if (st != STATUS_SUCCESS) {
		printf("FwpmEngineClose0: 0x%08x\n", (unsigned)st);
		return 1;
	}
	printf("pkgconfig client: ok (filter %llu)\n", (unsigned long long)id);
	return 0;
}
