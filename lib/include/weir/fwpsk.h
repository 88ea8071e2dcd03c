/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The WFP run-time (shim) API a callout is written against: registration of
 * classifyFn / notifyFn / flowDeleteFn, and the structures a classifyFn
 * receives, with WFP's names, members and values.
 *
 * Threading rules (weir's equivalent of WFP's IRQL rules):
 * - classifyFn runs on a worker lcore, in the packet path: it must not block,
 *   sleep or call any Fwpm* function or FwpsCalloutRegister/Unregister.
 * - notifyFn runs on the control thread, inside the Fwpm call that caused it.
 * - flowDeleteFn runs on the worker lcore that owns the flow, or on the
 *   control thread at shutdown.
 * - Register / unregister run on a control thread (a module's load/unload).
 */
#ifndef WEIR_FWPSK_H
#define WEIR_FWPSK_H

#include <weir/fwptypes.h>
#include <weir/fwpmk.h>
#include <weir/fwpsfields.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What a Windows driver passes as deviceObject. In weir any non-NULL pointer
 * the registrant owns will do (a module gets one from weir_callout_module_load).
 */
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;

/* Incoming values ------------------------------------------------------- */

/** One field of the packet being classified (index: FWPS_FIELD_<LAYER>_*). */
typedef struct FWPS_INCOMING_VALUE0_ {
	FWP_VALUE0 value;
} FWPS_INCOMING_VALUE0;

/** The fields of one classify, in the layer's FWPS_FIELDS_<LAYER> order. */
typedef struct FWPS_INCOMING_VALUES0_ {
	UINT16 layerId;    /**< FWPS_LAYER_* */
	UINT32 valueCount; /**< WFP's fields, then weir's extension fields */
	FWPS_INCOMING_VALUE0 *incomingValue;
} FWPS_INCOMING_VALUES0;

/** Why a packet was discarded (discard layers). */
typedef enum FWPS_DISCARD_MODULE0_ {
	FWPS_DISCARD_MODULE_NETWORK = 0,
	FWPS_DISCARD_MODULE_TRANSPORT = 1,
	FWPS_DISCARD_FIREWALL_POLICY = 2,
	FWPS_DISCARD_MODULE_MAX = 3
} FWPS_DISCARD_MODULE0;

typedef struct FWPS_DISCARD_METADATA0_ {
	FWPS_DISCARD_MODULE0 discardModule;
	UINT32 discardReason;
	UINT64 filterId;
} FWPS_DISCARD_METADATA0;

typedef struct FWPS_INBOUND_FRAGMENT_METADATA0_ {
	UINT32 fragmentIdentification;
	UINT16 fragmentOffset;
	ULONG fragmentLength;
} FWPS_INBOUND_FRAGMENT_METADATA0;

/** An address prefix (IP_ADDRESS_PREFIX in WFP). */
typedef struct WEIR_IP_ADDRESS_PREFIX_ {
	UINT8 prefix[16];
	UINT8 prefixLength;
} IP_ADDRESS_PREFIX;

/**
 * Metadata of one classify. Only the fields whose FWPS_METADATA_FIELD_* bit is
 * set in currentMetadataValues are valid (FWPS_IS_METADATA_FIELD_PRESENT).
 * The members after wiFiOperationMode are weir's: where the packet sits in
 * its rte_mbuf and which ports it came from and goes to.
 */
typedef struct FWPS_INCOMING_METADATA_VALUES0_ {
	UINT32 currentMetadataValues;
	UINT32 flags;
	UINT64 reserved;
	FWPS_DISCARD_METADATA0 discardMetadata;
	UINT64 flowHandle;
	UINT32 ipHeaderSize;
	UINT32 transportHeaderSize;
	FWP_BYTE_BLOB *processPath;
	UINT64 token;
	UINT64 processId;
	UINT32 sourceInterfaceIndex;
	UINT32 destinationInterfaceIndex;
	ULONG compartmentId;
	FWPS_INBOUND_FRAGMENT_METADATA0 fragmentMetadata;
	ULONG pathMtu;
	HANDLE completionHandle;
	UINT64 transportEndpointHandle;
	UINT32 remoteScopeId;
	void *controlData;
	ULONG controlDataLength;
	FWP_DIRECTION packetDirection;
	PVOID headerIncludeHeader;
	ULONG headerIncludeHeaderLength;
	IP_ADDRESS_PREFIX destinationPrefix;
	UINT16 frameLength;
	UINT64 parentEndpointHandle;
	UINT32 icmpIdAndSequence;
	DWORD localRedirectTargetPID;
	void *originalDestination;
	HANDLE redirectRecords;
	UINT32 currentL2MetadataValues;
	UINT32 l2Flags;
	UINT32 ethernetMacHeaderSize;
	UINT32 wiFiOperationMode;
	/* weir extensions */
	UINT32 weirL3Offset; /**< offset of the IP header in the mbuf's data */
	UINT32 weirL4Offset; /**< offset of the transport header (0 if none) */
	UINT16 weirInPort;   /**< DPDK port the packet arrived on */
	UINT16 weirOutPort;  /**< DPDK port it leaves on if permitted */
	UINT32 weirLcore;    /**< lcore running this classify */
} FWPS_INCOMING_METADATA_VALUES0;

/** True when metadata field @p metadataField (FWPS_METADATA_FIELD_*) is valid. */
#define FWPS_IS_METADATA_FIELD_PRESENT(metadataValues, metadataField)                              \
	(((metadataValues)->currentMetadataValues & (metadataField)) == (metadataField))

/** True when L2 metadata field @p metadataField is valid. */
#define FWPS_IS_L2_METADATA_FIELD_PRESENT(metadataValues, metadataField)                           \
	(((metadataValues)->currentL2MetadataValues & (metadataField)) == (metadataField))

/* Run-time filters ------------------------------------------------------- */

/** FWPS_FILTER*.flags */
#define FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT (0x00000001)
#define FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED (0x00000002)
#define FWPS_FILTER_FLAG_OR_CONDITIONS (0x00000004)
#define FWPS_FILTER_FLAG_HAS_SECURITY_REALM_PROVIDER_CONTEXT (0x00000008)
#define FWPS_FILTER_FLAG_SILENT_MODE (0x00000010)
#define FWPS_FILTER_FLAG_IPSEC_NO_ACQUIRE_INITIATE (0x00000020)

/** A condition as the run-time sees it: a field index of the layer. */
typedef struct FWPS_FILTER_CONDITION0_ {
	UINT16 fieldId;
	UINT16 reserved;
	FWP_MATCH_TYPE matchType;
	FWP_CONDITION_VALUE0 conditionValue;
} FWPS_FILTER_CONDITION0;

/** The action of a run-time filter. */
typedef struct FWPS_ACTION0_ {
	FWP_ACTION_TYPE type;
	UINT32 calloutId;
} FWPS_ACTION0;

typedef struct FWPM_PROVIDER_CONTEXT0_ FWPM_PROVIDER_CONTEXT0;
typedef struct FWPM_PROVIDER_CONTEXT1_ FWPM_PROVIDER_CONTEXT1;
typedef struct FWPM_PROVIDER_CONTEXT2_ FWPM_PROVIDER_CONTEXT2;
typedef struct FWPM_PROVIDER_CONTEXT3_ FWPM_PROVIDER_CONTEXT3;

/** The filter that invoked a callout (v0). */
typedef struct FWPS_FILTER0_ {
	UINT64 filterId;
	FWP_VALUE0 weight; /**< FWP_UINT64 */
	UINT16 subLayerWeight;
	UINT16 flags; /**< FWPS_FILTER_FLAG_* */
	UINT32 numFilterConditions;
	FWPS_FILTER_CONDITION0 *filterCondition;
	FWPS_ACTION0 action;
	UINT64 context; /**< FWPM_FILTER0.rawContext; a notifyFn may set it on ADD */
	FWPM_PROVIDER_CONTEXT0 *providerContext;
} FWPS_FILTER0;

/** The filter that invoked a callout (v1). */
typedef struct FWPS_FILTER1_ {
	UINT64 filterId;
	FWP_VALUE0 weight;
	UINT16 subLayerWeight;
	UINT16 flags;
	UINT32 numFilterConditions;
	FWPS_FILTER_CONDITION0 *filterCondition;
	FWPS_ACTION0 action;
	UINT64 context;
	FWPM_PROVIDER_CONTEXT1 *providerContext;
} FWPS_FILTER1;

/** The filter that invoked a callout (v2). */
typedef struct FWPS_FILTER2_ {
	UINT64 filterId;
	FWP_VALUE0 weight;
	UINT16 subLayerWeight;
	UINT16 flags;
	UINT32 numFilterConditions;
	FWPS_FILTER_CONDITION0 *filterCondition;
	FWPS_ACTION0 action;
	UINT64 context;
	FWPM_PROVIDER_CONTEXT2 *providerContext;
} FWPS_FILTER2;

/** The filter that invoked a callout (v3). */
typedef struct FWPS_FILTER3_ {
	UINT64 filterId;
	FWP_VALUE0 weight;
	UINT16 subLayerWeight;
	UINT16 flags;
	UINT32 numFilterConditions;
	FWPS_FILTER_CONDITION0 *filterCondition;
	FWPS_ACTION0 action;
	UINT64 context;
	FWPM_PROVIDER_CONTEXT3 *providerContext;
} FWPS_FILTER3;

/* Classify output --------------------------------------------------------- */

/** rights: while set, a lower-priority filter may overwrite the action. */
#define FWPS_RIGHT_ACTION_WRITE (0x00000001)

/** flags: with BLOCK, the callout took the packet (it owns it now). */
#define FWPS_CLASSIFY_OUT_FLAG_ABSORB (0x00000001)
#define FWPS_CLASSIFY_OUT_FLAG_BUFFER_LIMIT_REACHED (0x00000002)
#define FWPS_CLASSIFY_OUT_FLAG_NO_MORE_DATA (0x00000004)
#define FWPS_CLASSIFY_OUT_FLAG_ALE_FAST_CACHE_CHECK (0x00000008)
#define FWPS_CLASSIFY_OUT_FLAG_ALE_FAST_CACHE_POSSIBLE (0x00000010)

/** What a classifyFn returns. */
typedef struct FWPS_CLASSIFY_OUT0_ {
	FWP_ACTION_TYPE actionType;
	UINT64 outContext;
	UINT64 filterId;
	UINT32 rights;
	UINT32 flags;
	UINT32 reserved;
} FWPS_CLASSIFY_OUT0;

/* Callout functions ------------------------------------------------------- */

/** notifyFn's notifyType. */
typedef enum FWPS_CALLOUT_NOTIFY_TYPE_ {
	FWPS_CALLOUT_NOTIFY_ADD_FILTER = 0,
	FWPS_CALLOUT_NOTIFY_DELETE_FILTER = 1,
	FWPS_CALLOUT_NOTIFY_ADD_FILTER_POST_COMMIT = 2,
	FWPS_CALLOUT_NOTIFY_TYPE_MAX = 3
} FWPS_CALLOUT_NOTIFY_TYPE;

typedef void(NTAPI *FWPS_CALLOUT_CLASSIFY_FN0)(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                               const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                               void *layerData, const FWPS_FILTER0 *filter,
                                               UINT64 flowContext, FWPS_CLASSIFY_OUT0 *classifyOut);
typedef void(NTAPI *FWPS_CALLOUT_CLASSIFY_FN1)(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                               const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                               void *layerData, const void *classifyContext,
                                               const FWPS_FILTER1 *filter, UINT64 flowContext,
                                               FWPS_CLASSIFY_OUT0 *classifyOut);
typedef void(NTAPI *FWPS_CALLOUT_CLASSIFY_FN2)(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                               const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                               void *layerData, const void *classifyContext,
                                               const FWPS_FILTER2 *filter, UINT64 flowContext,
                                               FWPS_CLASSIFY_OUT0 *classifyOut);
typedef void(NTAPI *FWPS_CALLOUT_CLASSIFY_FN3)(const FWPS_INCOMING_VALUES0 *inFixedValues,
                                               const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
                                               void *layerData, const void *classifyContext,
                                               const FWPS_FILTER3 *filter, UINT64 flowContext,
                                               FWPS_CLASSIFY_OUT0 *classifyOut);

typedef NTSTATUS(NTAPI *FWPS_CALLOUT_NOTIFY_FN0)(FWPS_CALLOUT_NOTIFY_TYPE notifyType,
                                                 const GUID *filterKey, FWPS_FILTER0 *filter);
typedef NTSTATUS(NTAPI *FWPS_CALLOUT_NOTIFY_FN1)(FWPS_CALLOUT_NOTIFY_TYPE notifyType,
                                                 const GUID *filterKey, FWPS_FILTER1 *filter);
typedef NTSTATUS(NTAPI *FWPS_CALLOUT_NOTIFY_FN2)(FWPS_CALLOUT_NOTIFY_TYPE notifyType,
                                                 const GUID *filterKey, FWPS_FILTER2 *filter);
typedef NTSTATUS(NTAPI *FWPS_CALLOUT_NOTIFY_FN3)(FWPS_CALLOUT_NOTIFY_TYPE notifyType,
                                                 const GUID *filterKey, FWPS_FILTER3 *filter);

typedef void(NTAPI *FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0)(UINT16 layerId, UINT32 calloutId,
                                                         UINT64 flowContext);

/** A callout's functions (v0). */
typedef struct FWPS_CALLOUT0_ {
	GUID calloutKey;
	UINT32 flags; /**< FWP_CALLOUT_FLAG_* up to ALLOW_OFFLOAD */
	FWPS_CALLOUT_CLASSIFY_FN0 classifyFn;
	FWPS_CALLOUT_NOTIFY_FN0 notifyFn;
	FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 flowDeleteFn;
} FWPS_CALLOUT0;

/** A callout's functions (v1). */
typedef struct FWPS_CALLOUT1_ {
	GUID calloutKey;
	UINT32 flags; /**< up to ALLOW_RECLASSIFY */
	FWPS_CALLOUT_CLASSIFY_FN1 classifyFn;
	FWPS_CALLOUT_NOTIFY_FN1 notifyFn;
	FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 flowDeleteFn;
} FWPS_CALLOUT1;

/** A callout's functions (v2). */
typedef struct FWPS_CALLOUT2_ {
	GUID calloutKey;
	UINT32 flags; /**< up to ALLOW_L2_BATCH_CLASSIFY */
	FWPS_CALLOUT_CLASSIFY_FN2 classifyFn;
	FWPS_CALLOUT_NOTIFY_FN2 notifyFn;
	FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 flowDeleteFn;
} FWPS_CALLOUT2;

/** A callout's functions (v3). */
typedef struct FWPS_CALLOUT3_ {
	GUID calloutKey;
	UINT32 flags; /**< up to ALLOW_URO */
	FWPS_CALLOUT_CLASSIFY_FN3 classifyFn;
	FWPS_CALLOUT_NOTIFY_FN3 notifyFn;
	FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 flowDeleteFn;
} FWPS_CALLOUT3;

/**
 * Register a callout's functions. May be called at any time: before or after
 * FwpmCalloutAdd0 (both sides share the run-time id) and before the data path
 * runs. The engine calls classifyFn only for filters that name this callout.
 *
 * @param deviceObject the owner (a module's handle, or any non-NULL pointer
 *   the caller owns); a module cannot unload while a callout it registered is
 *   still registered.
 * @param callout the functions; classifyFn is required.
 * @param calloutId optional; receives the run-time id.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER (deviceObject, callout or
 *   classifyFn NULL); STATUS_FWP_ALREADY_EXISTS (this GUID is registered);
 *   STATUS_FWP_INVALID_FLAGS (a flag this struct version does not know);
 *   STATUS_INVALID_PARAMETER (zero calloutKey); STATUS_FWP_IN_USE (an
 *   unregister of the same callout is in progress);
 *   STATUS_FWP_TOO_MANY_CALLOUTS; STATUS_NO_MEMORY.
 */
NTSTATUS FwpsCalloutRegister0(void *deviceObject, const FWPS_CALLOUT0 *callout, UINT32 *calloutId);
/** As FwpsCalloutRegister0 for FWPS_CALLOUT1 (flags up to ALLOW_RECLASSIFY). */
NTSTATUS FwpsCalloutRegister1(void *deviceObject, const FWPS_CALLOUT1 *callout, UINT32 *calloutId);
/** As FwpsCalloutRegister0 for FWPS_CALLOUT2 (flags up to ALLOW_L2_BATCH_CLASSIFY). */
NTSTATUS FwpsCalloutRegister2(void *deviceObject, const FWPS_CALLOUT2 *callout, UINT32 *calloutId);
/** As FwpsCalloutRegister0 for FWPS_CALLOUT3 (flags up to ALLOW_URO). */
NTSTATUS FwpsCalloutRegister3(void *deviceObject, const FWPS_CALLOUT3 *callout, UINT32 *calloutId);

/**
 * Unregister a callout. Returns only once no classifyFn of it can still be
 * running (after a grace period of the data path). Filters naming it stay and
 * fall back to the unregistered rule (terminating/unknown block unless
 * PERMIT_IF_CALLOUT_UNREGISTERED; inspection is skipped).
 *
 * @return STATUS_SUCCESS; STATUS_FWP_CALLOUT_NOT_FOUND (not registered);
 *   STATUS_FWP_IN_USE (a register/unregister of it is in progress);
 *   STATUS_DEVICE_BUSY (flow contexts are still associated with it; it stays
 *   registered).
 */
NTSTATUS FwpsCalloutUnregisterById0(const UINT32 calloutId);

/** As FwpsCalloutUnregisterById0, by key. */
NTSTATUS FwpsCalloutUnregisterByKey0(const GUID *calloutKey);

#include <weir/weir_flow.h>

/* Version-less names, as WFP's headers map them for current targets. */
#define FWPS_FILTER FWPS_FILTER3
#define FWPS_CALLOUT FWPS_CALLOUT3
#define FWPS_INCOMING_VALUES FWPS_INCOMING_VALUES0
#define FWPS_INCOMING_METADATA_VALUES FWPS_INCOMING_METADATA_VALUES0
#define FWPS_CLASSIFY_OUT FWPS_CLASSIFY_OUT0
#define FWPS_FILTER_CONDITION FWPS_FILTER_CONDITION0
#define FWPS_ACTION FWPS_ACTION0
#define FwpsCalloutRegister FwpsCalloutRegister3

#ifdef __cplusplus
}
#endif

#endif /* WEIR_FWPSK_H */
