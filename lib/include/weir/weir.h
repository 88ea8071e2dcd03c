/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * weir's native API: what WFP has no name for — layer ids and names, the
 * per-layer default verdict, status names, and explain (why a packet got its
 * verdict). Native symbols carry the weir_ prefix; everything else a callout
 * or management client needs is in <weir/fwpmk.h> and <weir/fwpsk.h>.
 */
#ifndef WEIR_WEIR_H
#define WEIR_WEIR_H

#include <stdbool.h>
#include <stdint.h>
#include <weir/fwptypes.h>
#include <weir/fwpmk.h>
#include <weir/fwpsk.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * weir's layers, in the order a forwarded packet meets them. Each has a
 * WFP layer GUID (FWPM_LAYER_*) and run-time id (FWPS_LAYER_*).
 */
enum weir_layer {
	WEIR_LAYER_INBOUND_MAC_FRAME = 0,
	WEIR_LAYER_INBOUND_IPPACKET_V4,
	WEIR_LAYER_INBOUND_IPPACKET_V6,
	WEIR_LAYER_IPFORWARD_V4,
	WEIR_LAYER_IPFORWARD_V6,
	WEIR_LAYER_INBOUND_TRANSPORT_V4,
	WEIR_LAYER_INBOUND_TRANSPORT_V6,
	WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4,
	WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6,
	WEIR_LAYER_DATAGRAM_DATA_V4,
	WEIR_LAYER_DATAGRAM_DATA_V6,
	WEIR_LAYER_STREAM_V4,
	WEIR_LAYER_STREAM_V6,
	WEIR_LAYER_OUTBOUND_IPPACKET_V4,
	WEIR_LAYER_OUTBOUND_IPPACKET_V6,
	WEIR_LAYER_OUTBOUND_MAC_FRAME,
	WEIR_LAYER_COUNT
};

/**
 * Look a layer up by its policy-language name ("inbound-transport-v4").
 * @return the layer, or -1 if no layer has that name.
 */
int weir_layer_from_name(const char *name);

/**
 * Look a layer up by its FWPM_LAYER_* GUID.
 * @return the layer, or -1 if weir does not implement that layer.
 */
int weir_layer_from_key(const GUID *layerKey);

/** @return the policy-language name of @p layer, or NULL if out of range. */
const char *weir_layer_name(enum weir_layer layer);

/** @return the FWPM_LAYER_* GUID of @p layer, or NULL if out of range. */
const GUID *weir_layer_key(enum weir_layer layer);

/** @return the FWPS_LAYER_* run-time id of @p layer, or 0xFFFF if out of range. */
UINT16 weir_layer_fwps_id(enum weir_layer layer);

/**
 * The field of @p layer that a policy-language name ("ip.src", "l4.dst-port")
 * selects: an index into FWPS_INCOMING_VALUES0.incomingValue.
 * @return the index; -1 if the layer has no such field or is out of range.
 */
int weir_layer_field_by_name(enum weir_layer layer, const char *policyName);

/**
 * The number of fields of @p layer's incoming values (WFP's, then weir's).
 * @return the count; 0 if @p layer is out of range.
 */
UINT32 weir_layer_field_count(enum weir_layer layer);

/**
 * The type of field @p index of @p layer (FWP_UINT8/16/32/64,
 * FWP_BYTE_ARRAY16_TYPE for IPv6 addresses, FWP_BYTE_ARRAY6_TYPE for MACs).
 * @return the type; FWP_EMPTY if out of range.
 */
FWP_DATA_TYPE weir_layer_field_type(enum weir_layer layer, UINT32 index);

/**
 * The name of field @p index of @p layer: the FWPS_FIELD_<LAYER>_ suffix
 * ("IP_LOCAL_ADDRESS") or, for weir's extension fields, the WEIR_CONDITION_
 * suffix; its policy-language name, if any, in @p policyName.
 * @return the name; NULL if out of range.
 */
const char *weir_layer_field_name(enum weir_layer layer, UINT32 index, const char **policyName);

/**
 * Set the verdict of a layer when no filter decides (WFP documents none;
 * weir's default is FWP_ACTION_PERMIT). Part of the session's transaction
 * like any Fwpm write.
 *
 * @param engineHandle an open session.
 * @param layer the layer.
 * @param action FWP_ACTION_PERMIT or FWP_ACTION_BLOCK.
 * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE; STATUS_FWP_LAYER_NOT_FOUND;
 *   STATUS_FWP_INVALID_ACTION_TYPE; STATUS_FWP_TIMEOUT;
 *   STATUS_FWP_INCOMPATIBLE_TXN.
 */
NTSTATUS weir_layer_set_default(HANDLE engineHandle, enum weir_layer layer, FWP_ACTION_TYPE action);

/**
 * Read the default verdict of a layer (as this session sees it).
 * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE; STATUS_FWP_LAYER_NOT_FOUND;
 *   STATUS_FWP_NULL_POINTER; STATUS_FWP_TIMEOUT.
 */
NTSTATUS weir_layer_get_default(HANDLE engineHandle, enum weir_layer layer,
                                FWP_ACTION_TYPE *action);

/**
 * The symbolic name of an NTSTATUS ("STATUS_FWP_IN_USE").
 * @return a static string; "STATUS_UNKNOWN" for values weir does not know.
 */
const char *weir_status_name(NTSTATUS status);

/**
 * Format a GUID in its dashed form (36 characters plus NUL).
 * @return @p buf.
 */
char *weir_guid_to_string(const GUID *guid, char buf[37]);

/**
 * Parse a dashed GUID ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx").
 * @return 0 on success; -EINVAL if @p s is not a GUID.
 */
int weir_guid_from_string(const char *s, GUID *guid);

/**
 * Monotonic generation of the published policy: it changes each time a
 * commit or a callout (un)registration is published to the data path.
 */
uint64_t weir_policy_generation(void);

#ifdef __cplusplus
}
#endif

#include <weir/weir_explain.h>

#endif /* WEIR_WEIR_H */
