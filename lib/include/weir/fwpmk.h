/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The WFP management API (Fwpm*): the objects of the filter engine —
 * sessions, transactions, providers, sublayers, callouts and filters — with
 * WFP's names, structures and NTSTATUS results.
 *
 * weir has one filter engine per process. Every call is made from a control
 * thread (never from a classifyFn); a commit publishes the new policy to the
 * data path as one immutable snapshot, so packets see all of a transaction or
 * none of it.
 *
 * Common results of every call taking an engine handle:
 * - STATUS_INVALID_HANDLE: the handle is not an open session.
 * - STATUS_FWP_NULL_POINTER: a required pointer argument is NULL.
 * - STATUS_FWP_TIMEOUT: another session holds the engine's write transaction
 *   longer than this session's FWPM_SESSION0.txnWaitTimeoutInMSec.
 * - STATUS_FWP_INCOMPATIBLE_TXN: a write inside a read-only transaction.
 * - STATUS_NO_MEMORY: allocation failed; nothing changed.
 */
#ifndef WEIR_FWPMK_H
#define WEIR_FWPMK_H

#include <weir/fwptypes.h>
#include <weir/fwpmguid.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sessions -------------------------------------------------------------- */

/** Objects added in a dynamic session are deleted when the session closes. */
#define FWPM_SESSION_FLAG_DYNAMIC (0x00000001)
#define FWPM_SESSION_FLAG_RESERVED (0x10000000)

/** A session with the filter engine (FwpmEngineOpen0's optional argument). */
typedef struct FWPM_SESSION0_ {
	GUID sessionKey; /**< zero: the engine generates one */
	FWPM_DISPLAY_DATA0 displayData;
	UINT32 flags; /**< FWPM_SESSION_FLAG_* */
	UINT32
	txnWaitTimeoutInMSec; /**< wait for another session's transaction; INFINITE waits forever, 0 does not wait */
	DWORD processId; /**< filled in by the engine */
	SID *sid;
	wchar_t *username;
	BOOL kernelMode;
} FWPM_SESSION0;

/** FwpmTransactionBegin0 flag: a transaction that only reads. */
#define FWPM_TXN_READ_ONLY (0x00000001)

/* Providers -------------------------------------------------------------- */
#define FWPM_PROVIDER_FLAG_PERSISTENT (0x00000001)
#define FWPM_PROVIDER_FLAG_DISABLED (0x00000010)

/** The owner of other objects (informational in weir). */
typedef struct FWPM_PROVIDER0_ {
	GUID providerKey;
	FWPM_DISPLAY_DATA0 displayData;
	UINT32 flags;
	FWP_BYTE_BLOB providerData;
	wchar_t *serviceName;
} FWPM_PROVIDER0;

/* Sublayers -------------------------------------------------------------- */
#define FWPM_SUBLAYER_FLAG_PERSISTENT (0x00000001)

/** A sublayer: every sublayer of a layer is evaluated, highest weight first. */
typedef struct FWPM_SUBLAYER0_ {
	GUID subLayerKey;
	FWPM_DISPLAY_DATA0 displayData;
	UINT32 flags;
	GUID *providerKey;
	FWP_BYTE_BLOB providerData;
	UINT16 weight;
} FWPM_SUBLAYER0;

/* Callouts --------------------------------------------------------------- */
#define FWPM_CALLOUT_FLAG_PERSISTENT (0x00010000)
#define FWPM_CALLOUT_FLAG_USES_PROVIDER_CONTEXT (0x00020000)
#define FWPM_CALLOUT_FLAG_REGISTERED (0x00040000)

/** The management side of a callout: its GUID and the one layer it applies to. */
typedef struct FWPM_CALLOUT0_ {
	GUID calloutKey;                /**< zero: the engine generates one */
	FWPM_DISPLAY_DATA0 displayData; /**< name required */
	UINT32 flags;                   /**< FWPM_CALLOUT_FLAG_* (REGISTERED is output only) */
	GUID *providerKey;
	FWP_BYTE_BLOB providerData;
	GUID applicableLayer;
	UINT32 calloutId; /**< output: run-time id, equal to FwpsCalloutRegister's */
} FWPM_CALLOUT0;

/** Enumeration template for callouts; a zero field matches all. */
typedef struct FWPM_CALLOUT_ENUM_TEMPLATE0_ {
	GUID *providerKey;
	GUID layerKey;
} FWPM_CALLOUT_ENUM_TEMPLATE0;

/* Filters ---------------------------------------------------------------- */
#define FWPM_FILTER_FLAG_NONE (0x00000000)
#define FWPM_FILTER_FLAG_PERSISTENT (0x00000001)
#define FWPM_FILTER_FLAG_BOOTTIME (0x00000002)
#define FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT (0x00000004)
#define FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT (0x00000008)
#define FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED (0x00000010)
#define FWPM_FILTER_FLAG_DISABLED (0x00000020)
#define FWPM_FILTER_FLAG_INDEXED (0x00000040)

/** A condition of a filter: field, comparison and value. */
typedef struct FWPM_FILTER_CONDITION0_ {
	GUID fieldKey; /**< FWPM_CONDITION_* (or WEIR_CONDITION_*) */
	FWP_MATCH_TYPE matchType;
	FWP_CONDITION_VALUE0 conditionValue;
} FWPM_FILTER_CONDITION0;

/** What a filter does when it matches. */
typedef struct FWPM_ACTION0_ {
	FWP_ACTION_TYPE type;
	union {
		GUID filterType;
		GUID calloutKey; /**< for FWP_ACTION_CALLOUT_* */
	};
} FWPM_ACTION0;

/** A filter. */
typedef struct FWPM_FILTER0_ {
	GUID filterKey;                 /**< zero: the engine generates one */
	FWPM_DISPLAY_DATA0 displayData; /**< name required */
	UINT32 flags;                   /**< FWPM_FILTER_FLAG_* */
	GUID *providerKey;
	FWP_BYTE_BLOB providerData;
	GUID layerKey;     /**< FWPM_LAYER_* */
	GUID subLayerKey;  /**< zero: the default sublayer (weight 0) */
	FWP_VALUE0 weight; /**< FWP_EMPTY auto, FWP_UINT8 0..15 range, FWP_UINT64 exact */
	UINT32 numFilterConditions;
	FWPM_FILTER_CONDITION0 *filterCondition;
	FWPM_ACTION0 action;
	union {
		UINT64 rawContext; /**< seen by the callout as FWPS_FILTER.context */
		GUID providerContextKey;
	};
	GUID *reserved;
	UINT64 filterId;            /**< output */
	FWP_VALUE0 effectiveWeight; /**< output: FWP_UINT64 */
} FWPM_FILTER0;

/** FWPM_FILTER_ENUM_TEMPLATE0.enumType */
typedef enum FWP_FILTER_ENUM_TYPE_ {
	FWP_FILTER_ENUM_FULLY_CONTAINED = 0,
	FWP_FILTER_ENUM_OVERLAPPING = 1,
	FWP_FILTER_ENUM_TYPE_MAX = 2
} FWP_FILTER_ENUM_TYPE;

#define FWP_FILTER_ENUM_FLAG_BEST_TERMINATING_MATCH (0x00000001)
#define FWP_FILTER_ENUM_FLAG_SORTED (0x00000002)
#define FWP_FILTER_ENUM_FLAG_BOOTTIME_ONLY (0x00000004)
#define FWP_FILTER_ENUM_FLAG_INCLUDE_BOOTTIME (0x00000008)
#define FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED (0x00000010)

typedef struct FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0_ FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0;

/**
 * Enumeration template for filters. weir honours providerKey, layerKey,
 * actionMask (a filter is returned when its action type has a bit of the
 * mask, or the mask is 0xFFFFFFFF) and calloutKey. Templates with conditions
 * are refused (STATUS_NOT_SUPPORTED).
 */
typedef struct FWPM_FILTER_ENUM_TEMPLATE0_ {
	GUID *providerKey;
	GUID layerKey;
	FWP_FILTER_ENUM_TYPE enumType;
	UINT32 flags;
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *providerContextTemplate;
	UINT32 numFilterConditions;
	FWPM_FILTER_CONDITION0 *filterCondition;
	UINT32 actionMask;
	GUID *calloutKey;
} FWPM_FILTER_ENUM_TEMPLATE0;

/* Engine and sessions ---------------------------------------------------- */

/**
 * Open a session with this process's filter engine.
 *
 * @param serverName must be NULL (weir serves only the local engine).
 * @param authnService RPC_C_AUTHN_WINNT or RPC_C_AUTHN_DEFAULT.
 * @param authIdentity ignored (NULL).
 * @param session optional session parameters (flags, txn wait timeout).
 * @param engineHandle receives the session handle.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER (engineHandle NULL);
 *   STATUS_INVALID_PARAMETER (serverName not NULL, unknown authnService,
 *   unknown session flags); STATUS_NO_MEMORY.
 */
NTSTATUS FwpmEngineOpen0(const wchar_t *serverName, UINT32 authnService,
                         SEC_WINNT_AUTH_IDENTITY_W *authIdentity, const FWPM_SESSION0 *session,
                         HANDLE *engineHandle);

/**
 * Close a session: aborts its open transaction and, for a dynamic session,
 * deletes every object it added (in one implicit transaction).
 * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE.
 */
NTSTATUS FwpmEngineClose0(HANDLE engineHandle);

/**
 * Begin an explicit transaction in this session.
 * @param flags 0 or FWPM_TXN_READ_ONLY.
 * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE; STATUS_FWP_TXN_IN_PROGRESS
 *   (this session already has one); STATUS_INVALID_PARAMETER (unknown flags);
 *   STATUS_FWP_TIMEOUT.
 */
NTSTATUS FwpmTransactionBegin0(HANDLE engineHandle, UINT32 flags);

/**
 * Commit this session's transaction: all of its changes become visible to
 * readers and to the data path at once.
 * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE; STATUS_FWP_NO_TXN_IN_PROGRESS.
 */
NTSTATUS FwpmTransactionCommit0(HANDLE engineHandle);

/**
 * Abort this session's transaction: every change made in it is undone.
 * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE; STATUS_FWP_NO_TXN_IN_PROGRESS.
 */
NTSTATUS FwpmTransactionAbort0(HANDLE engineHandle);

/**
 * Free memory returned by a Get or Enum call and set *p to NULL.
 * NULL or *p NULL is allowed.
 */
void FwpmFreeMemory0(void **p);

/* Providers -------------------------------------------------------------- */

/**
 * Add a provider.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER; STATUS_FWP_NULL_DISPLAY_NAME;
 *   STATUS_FWP_ALREADY_EXISTS; STATUS_INVALID_PARAMETER (zero key, bad sd);
 *   common results.
 */
NTSTATUS FwpmProviderAdd0(HANDLE engineHandle, const FWPM_PROVIDER0 *provider,
                          PSECURITY_DESCRIPTOR sd);

/**
 * Delete a provider.
 * @return STATUS_SUCCESS; STATUS_FWP_PROVIDER_NOT_FOUND; STATUS_FWP_IN_USE
 *   (a sublayer, callout or filter names it); common results.
 */
NTSTATUS FwpmProviderDeleteByKey0(HANDLE engineHandle, const GUID *key);

/**
 * Get a copy of a provider (free with FwpmFreeMemory0).
 * @return STATUS_SUCCESS; STATUS_FWP_PROVIDER_NOT_FOUND; common results.
 */
NTSTATUS FwpmProviderGetByKey0(HANDLE engineHandle, const GUID *key, FWPM_PROVIDER0 **provider);

/* Sublayers -------------------------------------------------------------- */

/**
 * Add a sublayer.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER; STATUS_FWP_NULL_DISPLAY_NAME;
 *   STATUS_FWP_ALREADY_EXISTS; STATUS_FWP_PROVIDER_NOT_FOUND;
 *   STATUS_FWP_TOO_MANY_SUBLAYERS; STATUS_INVALID_PARAMETER (zero key, bad sd);
 *   common results.
 */
NTSTATUS FwpmSubLayerAdd0(HANDLE engineHandle, const FWPM_SUBLAYER0 *subLayer,
                          PSECURITY_DESCRIPTOR sd);

/**
 * Delete a sublayer.
 * @return STATUS_SUCCESS; STATUS_FWP_SUBLAYER_NOT_FOUND; STATUS_FWP_IN_USE (a
 *   filter is in it); STATUS_FWP_BUILTIN_OBJECT (the default sublayer);
 *   common results.
 */
NTSTATUS FwpmSubLayerDeleteByKey0(HANDLE engineHandle, const GUID *key);

/**
 * Get a copy of a sublayer (free with FwpmFreeMemory0).
 * @return STATUS_SUCCESS; STATUS_FWP_SUBLAYER_NOT_FOUND; common results.
 */
NTSTATUS FwpmSubLayerGetByKey0(HANDLE engineHandle, const GUID *key, FWPM_SUBLAYER0 **subLayer);

/* Callouts --------------------------------------------------------------- */

/**
 * Add the management object of a callout. Registration (FwpsCalloutRegisterN)
 * may come before or after; both sides share one run-time id.
 * @param sd optional security descriptor (stored).
 * @param id optional; receives the run-time callout id.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER; STATUS_FWP_NULL_DISPLAY_NAME;
 *   STATUS_FWP_ALREADY_EXISTS; STATUS_FWP_LAYER_NOT_FOUND (applicableLayer is
 *   not a weir layer); STATUS_FWP_PROVIDER_NOT_FOUND; STATUS_FWP_INVALID_FLAGS;
 *   STATUS_FWP_TOO_MANY_CALLOUTS; STATUS_INVALID_PARAMETER (bad sd);
 *   common results.
 */
NTSTATUS FwpmCalloutAdd0(HANDLE engineHandle, const FWPM_CALLOUT0 *callout, PSECURITY_DESCRIPTOR sd,
                         UINT32 *id);

/**
 * Delete a callout's management object by run-time id.
 * @return STATUS_SUCCESS; STATUS_FWP_CALLOUT_NOT_FOUND; STATUS_FWP_IN_USE (a
 *   filter names it); common results.
 */
NTSTATUS FwpmCalloutDeleteById0(HANDLE engineHandle, UINT32 id);

/** As FwpmCalloutDeleteById0, by key. */
NTSTATUS FwpmCalloutDeleteByKey0(HANDLE engineHandle, const GUID *key);

/**
 * Get a copy of a callout (free with FwpmFreeMemory0). flags has
 * FWPM_CALLOUT_FLAG_REGISTERED while its functions are registered.
 * @return STATUS_SUCCESS; STATUS_FWP_CALLOUT_NOT_FOUND; common results.
 */
NTSTATUS FwpmCalloutGetById0(HANDLE engineHandle, UINT32 id, FWPM_CALLOUT0 **callout);

/** As FwpmCalloutGetById0, by key. */
NTSTATUS FwpmCalloutGetByKey0(HANDLE engineHandle, const GUID *key, FWPM_CALLOUT0 **callout);

/**
 * Start enumerating callouts (template NULL: all).
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER; common results.
 */
NTSTATUS FwpmCalloutCreateEnumHandle0(HANDLE engineHandle,
                                      const FWPM_CALLOUT_ENUM_TEMPLATE0 *enumTemplate,
                                      HANDLE *enumHandle);

/**
 * Return up to numEntriesRequested callouts in one block (free it with
 * FwpmFreeMemory0((void **)entries)); 0 returned means the end.
 * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE (bad enum handle);
 *   STATUS_FWP_NULL_POINTER; common results.
 */
NTSTATUS FwpmCalloutEnum0(HANDLE engineHandle, HANDLE enumHandle, UINT32 numEntriesRequested,
                          FWPM_CALLOUT0 ***entries, UINT32 *numEntriesReturned);

/** @return STATUS_SUCCESS; STATUS_INVALID_HANDLE. */
NTSTATUS FwpmCalloutDestroyEnumHandle0(HANDLE engineHandle, HANDLE enumHandle);

/* Filters ---------------------------------------------------------------- */

/**
 * Add a filter.
 * @param sd optional security descriptor (stored).
 * @param id optional; receives the filter id.
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER (filter, or a condition
 *   value pointer); STATUS_FWP_NULL_DISPLAY_NAME; STATUS_FWP_ALREADY_EXISTS;
 *   STATUS_FWP_LAYER_NOT_FOUND; STATUS_FWP_SUBLAYER_NOT_FOUND;
 *   STATUS_FWP_PROVIDER_NOT_FOUND; STATUS_FWP_CALLOUT_NOT_FOUND;
 *   STATUS_FWP_INCOMPATIBLE_LAYER (the callout applies to another layer);
 *   STATUS_FWP_INVALID_ACTION_TYPE; STATUS_FWP_INVALID_WEIGHT;
 *   STATUS_FWP_CONDITION_NOT_FOUND (field not present at the layer);
 *   STATUS_FWP_TYPE_MISMATCH (value type not valid for the field);
 *   STATUS_FWP_MATCH_TYPE_MISMATCH (match type not valid for the value type);
 *   STATUS_FWP_INVALID_RANGE (low > high or mixed types);
 *   STATUS_FWP_INVALID_NET_MASK (non-contiguous v4 mask, prefix > 128);
 *   STATUS_FWP_INVALID_FLAGS (unknown flags, or PERMIT_IF_CALLOUT_UNREGISTERED
 *   on an action that is not CALLOUT_TERMINATING/UNKNOWN);
 *   STATUS_FWP_CALLOUT_NOTIFICATION_FAILED (the callout's notifyFn refused
 *   it); STATUS_INVALID_PARAMETER (bad sd); common results.
 */
NTSTATUS FwpmFilterAdd0(HANDLE engineHandle, const FWPM_FILTER0 *filter, PSECURITY_DESCRIPTOR sd,
                        UINT64 *id);

/**
 * Delete a filter by id. A registered callout it names gets
 * FWPS_CALLOUT_NOTIFY_DELETE_FILTER.
 * @return STATUS_SUCCESS; STATUS_FWP_FILTER_NOT_FOUND; common results.
 */
NTSTATUS FwpmFilterDeleteById0(HANDLE engineHandle, UINT64 id);

/** As FwpmFilterDeleteById0, by key. */
NTSTATUS FwpmFilterDeleteByKey0(HANDLE engineHandle, const GUID *key);

/**
 * Get a copy of a filter (free with FwpmFreeMemory0).
 * @return STATUS_SUCCESS; STATUS_FWP_FILTER_NOT_FOUND; common results.
 */
NTSTATUS FwpmFilterGetById0(HANDLE engineHandle, UINT64 id, FWPM_FILTER0 **filter);

/** As FwpmFilterGetById0, by key. */
NTSTATUS FwpmFilterGetByKey0(HANDLE engineHandle, const GUID *key, FWPM_FILTER0 **filter);

/**
 * Start enumerating filters (template NULL: all, in id order).
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER; STATUS_FWP_LAYER_NOT_FOUND;
 *   STATUS_NOT_SUPPORTED (template with conditions); common results.
 */
NTSTATUS FwpmFilterCreateEnumHandle0(HANDLE engineHandle,
                                     const FWPM_FILTER_ENUM_TEMPLATE0 *enumTemplate,
                                     HANDLE *enumHandle);

/**
 * Return up to numEntriesRequested filters in one block (free it with
 * FwpmFreeMemory0((void **)entries)); 0 returned means the end.
 * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE; STATUS_FWP_NULL_POINTER;
 *   common results.
 */
NTSTATUS FwpmFilterEnum0(HANDLE engineHandle, HANDLE enumHandle, UINT32 numEntriesRequested,
                         FWPM_FILTER0 ***entries, UINT32 *numEntriesReturned);

/** @return STATUS_SUCCESS; STATUS_INVALID_HANDLE. */
NTSTATUS FwpmFilterDestroyEnumHandle0(HANDLE engineHandle, HANDLE enumHandle);

#ifdef __cplusplus
}
#endif

#endif /* WEIR_FWPMK_H */
