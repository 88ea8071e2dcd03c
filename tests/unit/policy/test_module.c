/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A callout module for the policy loader's tests, written only against the
 * public headers as a real module would be.
 *
 * args: "<guid>" registers one callout with that key and unregisters it on
 * unload; "leak <guid>" registers it and leaves it registered on unload (the
 * loader must then refuse to dlclose); "fail" makes the load fail;
 * "failleak <guid>" registers the callout and then fails (a broken module:
 * the loader must keep it mapped).
 *
 * State is kept per deviceObject: one mapping of the .so may be loaded by
 * several module statements (a reload that changes args loads the new one
 * before unloading the old).
 */
#include <stdbool.h>
#include <string.h>

#include <weir/fwpsk.h>
#include <weir/weir.h>

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args);
void weir_callout_module_unload(void *deviceObject);

#define MAX_DEVICES 16

static struct {
	void *device;
	GUID key;
	bool leak;
} devices[MAX_DEVICES];

static void NTAPI classify(const FWPS_INCOMING_VALUES0 *inFixedValues,
                           const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues, void *layerData,
                           const void *classifyContext, const FWPS_FILTER1 *filter,
                           UINT64 flowContext, FWPS_CLASSIFY_OUT0 *classifyOut)
{
	(void)inFixedValues;
	(void)inMetaValues;
	(void)layerData;
	(void)classifyContext;
	(void)filter;
	(void)flowContext;
	classifyOut->actionType = FWP_ACTION_CONTINUE;
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	FWPS_CALLOUT1 c;
	bool leak = false;
	NTSTATUS st;
	int i;

	if (strcmp(args, "fail") == 0)
		return STATUS_INVALID_PARAMETER;
	if (strncmp(args, "leak ", 5) == 0) {
		leak = true;
		args += 5;
	}
	if (strncmp(args, "failleak ", 9) == 0) {
		memset(&c, 0, sizeof(c));
		c.classifyFn = classify;
		if (weir_guid_from_string(args + 9, &c.calloutKey) != 0)
			return STATUS_INVALID_PARAMETER;
		FwpsCalloutRegister1(deviceObject, &c, NULL);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	for (i = 0; i < MAX_DEVICES && devices[i].device; i++)
		;
	if (i == MAX_DEVICES)
		return STATUS_INSUFFICIENT_RESOURCES;
	memset(&c, 0, sizeof(c));
	if (weir_guid_from_string(args, &c.calloutKey) != 0)
		return STATUS_INVALID_PARAMETER;
	c.classifyFn = classify;
	st = FwpsCalloutRegister1(deviceObject, &c, NULL);
	if (st != STATUS_SUCCESS)
		return st;
	devices[i].device = deviceObject;
	devices[i].key = c.calloutKey;
	devices[i].leak = leak;
	return STATUS_SUCCESS;
}

void weir_callout_module_unload(void *deviceObject)
{
	int i;

	for (i = 0; i < MAX_DEVICES; i++) {
		if (devices[i].device != deviceObject)
			continue;
		if (!devices[i].leak)
			FwpsCalloutUnregisterByKey0(&devices[i].key);
		devices[i].device = NULL;
	}
}
