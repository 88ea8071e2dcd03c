/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Base types of the Windows Filtering Platform, spelled as WFP spells them.
 *
 * A WFP callout driver or management client reads its values through these
 * types, so their names, members and numeric values are WFP's own; only the
 * Windows-only plumbing (SAL, calling conventions, SEH) is reduced to what a
 * C11 compiler on Linux accepts. Strings are wchar_t as in WFP (L"..." works).
 */
#ifndef WEIR_FWPTYPES_H
#define WEIR_FWPTYPES_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Windows base types ---------------------------------------------------- */
typedef uint8_t UINT8;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64;
typedef int8_t INT8;
typedef int16_t INT16;
typedef int32_t INT32;
typedef int64_t INT64;
typedef uint8_t BYTE;
typedef uint8_t UCHAR;
typedef uint16_t USHORT;
typedef uint16_t WORD;
typedef uint32_t ULONG;
typedef uint32_t DWORD;
typedef int32_t LONG;
typedef uint64_t ULONG64;
typedef int BOOL;
typedef uint8_t BOOLEAN;
typedef void VOID;
typedef void *PVOID;
typedef void *HANDLE;
typedef size_t SIZE_T;
typedef wchar_t WCHAR;
typedef wchar_t *LPWSTR;
typedef const wchar_t *LPCWSTR;
typedef uint64_t LUID_VALUE;

/** NTSTATUS: negative values are errors, as in the Windows kernel. */
typedef int32_t NTSTATUS;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef INFINITE
#define INFINITE 0xFFFFFFFFu
#endif

/* Calling-convention and annotation macros WFP code is written with. */
#ifndef NTAPI
#define NTAPI
#endif
#ifndef WINAPI
#define WINAPI
#endif
#ifndef FAR
#define FAR
#endif
#ifndef _In_
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_reads_(x)
#define _In_reads_bytes_(x)
#define _Outptr_
#define _Outptr_result_buffer_(x)
#endif

/** True for success and informational NTSTATUS values. */
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)

/* NTSTATUS values (numeric values as in Windows' ntstatus.h) ------------ */
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#define STATUS_OBJECT_NAME_EXISTS ((NTSTATUS)0x40000000L)
#define STATUS_DEVICE_BUSY ((NTSTATUS)0x80000011L)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#define STATUS_ACCESS_DENIED ((NTSTATUS)0xC0000022L)
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBL)
#define STATUS_INVALID_DEVICE_STATE ((NTSTATUS)0xC0000184L)
#define STATUS_NOT_FOUND ((NTSTATUS)0xC0000225L)

#define STATUS_FWP_CALLOUT_NOT_FOUND ((NTSTATUS)0xC0220001L)
#define STATUS_FWP_CONDITION_NOT_FOUND ((NTSTATUS)0xC0220002L)
#define STATUS_FWP_FILTER_NOT_FOUND ((NTSTATUS)0xC0220003L)
#define STATUS_FWP_LAYER_NOT_FOUND ((NTSTATUS)0xC0220004L)
#define STATUS_FWP_PROVIDER_NOT_FOUND ((NTSTATUS)0xC0220005L)
#define STATUS_FWP_PROVIDER_CONTEXT_NOT_FOUND ((NTSTATUS)0xC0220006L)
#define STATUS_FWP_SUBLAYER_NOT_FOUND ((NTSTATUS)0xC0220007L)
#define STATUS_FWP_NOT_FOUND ((NTSTATUS)0xC0220008L)
#define STATUS_FWP_ALREADY_EXISTS ((NTSTATUS)0xC0220009L)
#define STATUS_FWP_IN_USE ((NTSTATUS)0xC022000AL)
#define STATUS_FWP_DYNAMIC_SESSION_IN_PROGRESS ((NTSTATUS)0xC022000BL)
#define STATUS_FWP_WRONG_SESSION ((NTSTATUS)0xC022000CL)
#define STATUS_FWP_NO_TXN_IN_PROGRESS ((NTSTATUS)0xC022000DL)
#define STATUS_FWP_TXN_IN_PROGRESS ((NTSTATUS)0xC022000EL)
#define STATUS_FWP_TXN_ABORTED ((NTSTATUS)0xC022000FL)
#define STATUS_FWP_SESSION_ABORTED ((NTSTATUS)0xC0220010L)
#define STATUS_FWP_INCOMPATIBLE_TXN ((NTSTATUS)0xC0220011L)
#define STATUS_FWP_TIMEOUT ((NTSTATUS)0xC0220012L)
#define STATUS_FWP_NET_EVENTS_DISABLED ((NTSTATUS)0xC0220013L)
#define STATUS_FWP_INCOMPATIBLE_LAYER ((NTSTATUS)0xC0220014L)
#define STATUS_FWP_KM_CLIENTS_ONLY ((NTSTATUS)0xC0220015L)
#define STATUS_FWP_LIFETIME_MISMATCH ((NTSTATUS)0xC0220016L)
#define STATUS_FWP_BUILTIN_OBJECT ((NTSTATUS)0xC0220017L)
#define STATUS_FWP_TOO_MANY_CALLOUTS ((NTSTATUS)0xC0220018L)
#define STATUS_FWP_NOTIFICATION_DROPPED ((NTSTATUS)0xC0220019L)
#define STATUS_FWP_TRAFFIC_MISMATCH ((NTSTATUS)0xC022001AL)
#define STATUS_FWP_INCOMPATIBLE_SA_STATE ((NTSTATUS)0xC022001BL)
#define STATUS_FWP_NULL_POINTER ((NTSTATUS)0xC022001CL)
#define STATUS_FWP_INVALID_ENUMERATOR ((NTSTATUS)0xC022001DL)
#define STATUS_FWP_INVALID_FLAGS ((NTSTATUS)0xC022001EL)
#define STATUS_FWP_INVALID_NET_MASK ((NTSTATUS)0xC022001FL)
#define STATUS_FWP_INVALID_RANGE ((NTSTATUS)0xC0220020L)
#define STATUS_FWP_INVALID_INTERVAL ((NTSTATUS)0xC0220021L)
#define STATUS_FWP_ZERO_LENGTH_ARRAY ((NTSTATUS)0xC0220022L)
#define STATUS_FWP_NULL_DISPLAY_NAME ((NTSTATUS)0xC0220023L)
#define STATUS_FWP_INVALID_ACTION_TYPE ((NTSTATUS)0xC0220024L)
#define STATUS_FWP_INVALID_WEIGHT ((NTSTATUS)0xC0220025L)
#define STATUS_FWP_MATCH_TYPE_MISMATCH ((NTSTATUS)0xC0220026L)
#define STATUS_FWP_TYPE_MISMATCH ((NTSTATUS)0xC0220027L)
#define STATUS_FWP_OUT_OF_BOUNDS ((NTSTATUS)0xC0220028L)
#define STATUS_FWP_RESERVED ((NTSTATUS)0xC0220029L)
#define STATUS_FWP_DUPLICATE_CONDITION ((NTSTATUS)0xC022002AL)
#define STATUS_FWP_DUPLICATE_KEYMOD ((NTSTATUS)0xC022002BL)
#define STATUS_FWP_ACTION_INCOMPATIBLE_WITH_LAYER ((NTSTATUS)0xC022002CL)
#define STATUS_FWP_ACTION_INCOMPATIBLE_WITH_SUBLAYER ((NTSTATUS)0xC022002DL)
#define STATUS_FWP_CONTEXT_INCOMPATIBLE_WITH_LAYER ((NTSTATUS)0xC022002EL)
#define STATUS_FWP_CONTEXT_INCOMPATIBLE_WITH_CALLOUT ((NTSTATUS)0xC022002FL)
#define STATUS_FWP_INCOMPATIBLE_AUTH_METHOD ((NTSTATUS)0xC0220030L)
#define STATUS_FWP_INCOMPATIBLE_DH_GROUP ((NTSTATUS)0xC0220031L)
#define STATUS_FWP_EM_NOT_SUPPORTED ((NTSTATUS)0xC0220032L)
#define STATUS_FWP_NEVER_MATCH ((NTSTATUS)0xC0220033L)
#define STATUS_FWP_PROVIDER_CONTEXT_MISMATCH ((NTSTATUS)0xC0220034L)
#define STATUS_FWP_INVALID_PARAMETER ((NTSTATUS)0xC0220035L)
#define STATUS_FWP_TOO_MANY_SUBLAYERS ((NTSTATUS)0xC0220036L)
#define STATUS_FWP_CALLOUT_NOTIFICATION_FAILED ((NTSTATUS)0xC0220037L)
#define STATUS_FWP_INVALID_AUTH_TRANSFORM ((NTSTATUS)0xC0220038L)
#define STATUS_FWP_INVALID_CIPHER_TRANSFORM ((NTSTATUS)0xC0220039L)
#define STATUS_FWP_TCPIP_NOT_READY ((NTSTATUS)0xC0220100L)
#define STATUS_FWP_INJECT_HANDLE_CLOSING ((NTSTATUS)0xC0220101L)
#define STATUS_FWP_INJECT_HANDLE_STALE ((NTSTATUS)0xC0220102L)
#define STATUS_FWP_CANNOT_PEND ((NTSTATUS)0xC0220103L)
#define STATUS_FWP_DROP_NOICMP ((NTSTATUS)0xC0220104L)

/*
 * User-mode WFP code compares results with ERROR_SUCCESS and FWP_E_*; in weir
 * every Fwpm call returns the NTSTATUS, so those names stand for the same
 * values and such code recompiles unchanged.
 */
#define ERROR_SUCCESS 0L
#define FWP_E_CALLOUT_NOT_FOUND STATUS_FWP_CALLOUT_NOT_FOUND
#define FWP_E_CONDITION_NOT_FOUND STATUS_FWP_CONDITION_NOT_FOUND
#define FWP_E_FILTER_NOT_FOUND STATUS_FWP_FILTER_NOT_FOUND
#define FWP_E_LAYER_NOT_FOUND STATUS_FWP_LAYER_NOT_FOUND
#define FWP_E_PROVIDER_NOT_FOUND STATUS_FWP_PROVIDER_NOT_FOUND
#define FWP_E_SUBLAYER_NOT_FOUND STATUS_FWP_SUBLAYER_NOT_FOUND
#define FWP_E_NOT_FOUND STATUS_FWP_NOT_FOUND
#define FWP_E_ALREADY_EXISTS STATUS_FWP_ALREADY_EXISTS
#define FWP_E_IN_USE STATUS_FWP_IN_USE
#define FWP_E_WRONG_SESSION STATUS_FWP_WRONG_SESSION
#define FWP_E_NO_TXN_IN_PROGRESS STATUS_FWP_NO_TXN_IN_PROGRESS
#define FWP_E_TXN_IN_PROGRESS STATUS_FWP_TXN_IN_PROGRESS
#define FWP_E_INCOMPATIBLE_TXN STATUS_FWP_INCOMPATIBLE_TXN
#define FWP_E_TIMEOUT STATUS_FWP_TIMEOUT
#define FWP_E_INCOMPATIBLE_LAYER STATUS_FWP_INCOMPATIBLE_LAYER
#define FWP_E_BUILTIN_OBJECT STATUS_FWP_BUILTIN_OBJECT
#define FWP_E_TOO_MANY_CALLOUTS STATUS_FWP_TOO_MANY_CALLOUTS
#define FWP_E_NULL_POINTER STATUS_FWP_NULL_POINTER
#define FWP_E_INVALID_FLAGS STATUS_FWP_INVALID_FLAGS
#define FWP_E_INVALID_NET_MASK STATUS_FWP_INVALID_NET_MASK
#define FWP_E_INVALID_RANGE STATUS_FWP_INVALID_RANGE
#define FWP_E_NULL_DISPLAY_NAME STATUS_FWP_NULL_DISPLAY_NAME
#define FWP_E_INVALID_ACTION_TYPE STATUS_FWP_INVALID_ACTION_TYPE
#define FWP_E_INVALID_WEIGHT STATUS_FWP_INVALID_WEIGHT
#define FWP_E_MATCH_TYPE_MISMATCH STATUS_FWP_MATCH_TYPE_MISMATCH
#define FWP_E_TYPE_MISMATCH STATUS_FWP_TYPE_MISMATCH
#define FWP_E_TOO_MANY_SUBLAYERS STATUS_FWP_TOO_MANY_SUBLAYERS
#define FWP_E_CALLOUT_NOTIFICATION_FAILED STATUS_FWP_CALLOUT_NOTIFICATION_FAILED

/* GUID ------------------------------------------------------------------- */
#ifndef GUID_DEFINED
#define GUID_DEFINED
/** A 128-bit identifier, Windows layout. */
typedef struct _GUID {
	UINT32 Data1;
	UINT16 Data2;
	UINT16 Data3;
	UINT8 Data4[8];
} GUID;
#endif
typedef GUID UUID;
typedef GUID *LPGUID;

/*
 * WFP code declares its GUIDs with DEFINE_GUID in headers included by many
 * files, with or without INITGUID; a weak definition serves both ways
 * without duplicate-symbol errors.
 */
#ifndef DEFINE_GUID
#ifdef __cplusplus
/* a namespace-scope const has internal linkage in C++ unless declared extern */
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                               \
	__attribute__((weak)) extern const GUID name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                               \
	__attribute__((weak)) const GUID name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#endif
#endif

/** True when two GUIDs are equal (Windows' IsEqualGUID). */
#ifndef IsEqualGUID
#define IsEqualGUID(a, b) (memcmp((a), (b), sizeof(GUID)) == 0)
#endif

/* Security types: weir stores descriptors opaquely. ---------------------- */
typedef void *PSECURITY_DESCRIPTOR;
typedef struct _SID SID;
typedef SID *PSID;
typedef struct _SEC_WINNT_AUTH_IDENTITY_W SEC_WINNT_AUTH_IDENTITY_W;

/** Authentication services accepted by FwpmEngineOpen0. */
#define RPC_C_AUTHN_NONE 0
#define RPC_C_AUTHN_WINNT 10
#define RPC_C_AUTHN_DEFAULT 0xFFFFFFFFL

/* FWP values ------------------------------------------------------------- */

/** Data types of FWP_VALUE0 / FWP_CONDITION_VALUE0 (WFP's numbering). */
typedef enum FWP_DATA_TYPE_ {
	FWP_EMPTY = 0,
	FWP_UINT8 = 1,
	FWP_UINT16 = 2,
	FWP_UINT32 = 3,
	FWP_UINT64 = 4,
	FWP_INT8 = 5,
	FWP_INT16 = 6,
	FWP_INT32 = 7,
	FWP_INT64 = 8,
	FWP_FLOAT = 9,
	FWP_DOUBLE = 10,
	FWP_BYTE_ARRAY16_TYPE = 11,
	FWP_BYTE_BLOB_TYPE = 12,
	FWP_SID = 13,
	FWP_SECURITY_DESCRIPTOR_TYPE = 14,
	FWP_TOKEN_INFORMATION_TYPE = 15,
	FWP_TOKEN_ACCESS_INFORMATION_TYPE = 16,
	FWP_UNICODE_STRING_TYPE = 17,
	FWP_BYTE_ARRAY6_TYPE = 18,
	FWP_BITMAP_INDEX_TYPE = 19,
	FWP_BITMAP_ARRAY64_TYPE = 20,
	FWP_SINGLE_DATA_TYPE_MAX = 0xff,
	FWP_V4_ADDR_MASK = 0x100,
	FWP_V6_ADDR_MASK = 0x101,
	FWP_RANGE_TYPE = 0x102,
	FWP_DATA_TYPE_MAX = 0x103
} FWP_DATA_TYPE;

/** 16 bytes, e.g. an IPv6 address in network order. */
typedef struct FWP_BYTE_ARRAY16_ {
	UINT8 byteArray16[16];
} FWP_BYTE_ARRAY16;

/** 6 bytes, e.g. a MAC address. */
typedef struct FWP_BYTE_ARRAY6_ {
	UINT8 byteArray6[6];
} FWP_BYTE_ARRAY6;

/** A counted byte buffer. */
typedef struct FWP_BYTE_BLOB_ {
	UINT32 size;
	UINT8 *data;
} FWP_BYTE_BLOB;

typedef struct FWP_TOKEN_INFORMATION_ FWP_TOKEN_INFORMATION;

/** An IPv4 address and mask, both in host order. */
typedef struct FWP_V4_ADDR_AND_MASK_ {
	UINT32 addr;
	UINT32 mask;
} FWP_V4_ADDR_AND_MASK;

/** Largest IPv6 prefix length. */
#define FWP_V6_ADDR_SIZE 16

/** An IPv6 address (network order) and a prefix length 0..128. */
typedef struct FWP_V6_ADDR_AND_MASK_ {
	UINT8 addr[FWP_V6_ADDR_SIZE];
	UINT8 prefixLength;
} FWP_V6_ADDR_AND_MASK;

/** A tagged value: the type of the data plus the data. */
typedef struct FWP_VALUE0_ {
	FWP_DATA_TYPE type;
	union {
		UINT8 uint8;
		UINT16 uint16;
		UINT32 uint32;
		UINT64 *uint64;
		INT8 int8;
		INT16 int16;
		INT32 int32;
		INT64 *int64;
		float float32;
		double *double64;
		FWP_BYTE_ARRAY16 *byteArray16;
		FWP_BYTE_BLOB *byteBlob;
		SID *sid;
		FWP_BYTE_BLOB *sd;
		FWP_TOKEN_INFORMATION *tokenInformation;
		FWP_BYTE_BLOB *tokenAccessInformation;
		LPWSTR unicodeString;
		FWP_BYTE_ARRAY6 *byteArray6;
	};
} FWP_VALUE0;
typedef FWP_VALUE0 FWP_VALUE;

/** An inclusive range: both ends of the same type, low <= high. */
typedef struct FWP_RANGE0_ {
	FWP_VALUE0 valueLow;
	FWP_VALUE0 valueHigh;
} FWP_RANGE0;
typedef FWP_RANGE0 FWP_RANGE;

/** The value a filter condition compares against. */
typedef struct FWP_CONDITION_VALUE0_ {
	FWP_DATA_TYPE type;
	union {
		UINT8 uint8;
		UINT16 uint16;
		UINT32 uint32;
		UINT64 *uint64;
		INT8 int8;
		INT16 int16;
		INT32 int32;
		INT64 *int64;
		float float32;
		double *double64;
		FWP_BYTE_ARRAY16 *byteArray16;
		FWP_BYTE_BLOB *byteBlob;
		SID *sid;
		FWP_BYTE_BLOB *sd;
		FWP_TOKEN_INFORMATION *tokenInformation;
		FWP_BYTE_BLOB *tokenAccessInformation;
		LPWSTR unicodeString;
		FWP_BYTE_ARRAY6 *byteArray6;
		FWP_V4_ADDR_AND_MASK *v4AddrMask;
		FWP_V6_ADDR_AND_MASK *v6AddrMask;
		FWP_RANGE0 *rangeValue;
	};
} FWP_CONDITION_VALUE0;
typedef FWP_CONDITION_VALUE0 FWP_CONDITION_VALUE;

/** How a condition compares the incoming value with its condition value. */
typedef enum FWP_MATCH_TYPE_ {
	FWP_MATCH_EQUAL = 0,
	FWP_MATCH_GREATER = 1,
	FWP_MATCH_LESS = 2,
	FWP_MATCH_GREATER_OR_EQUAL = 3,
	FWP_MATCH_LESS_OR_EQUAL = 4,
	FWP_MATCH_RANGE = 5,
	FWP_MATCH_FLAGS_ALL_SET = 6,
	FWP_MATCH_FLAGS_ANY_SET = 7,
	FWP_MATCH_FLAGS_NONE_SET = 8,
	FWP_MATCH_EQUAL_CASE_INSENSITIVE = 9,
	FWP_MATCH_NOT_EQUAL = 10,
	FWP_MATCH_PREFIX = 11,
	FWP_MATCH_NOT_PREFIX = 12,
	FWP_MATCH_TYPE_MAX = 13
} FWP_MATCH_TYPE;

/* Actions ---------------------------------------------------------------- */
/** Flag bits of action types. */
#define FWP_ACTION_FLAG_TERMINATING (0x00001000)
#define FWP_ACTION_FLAG_NON_TERMINATING (0x00002000)
#define FWP_ACTION_FLAG_CALLOUT (0x00004000)

typedef UINT32 FWP_ACTION_TYPE;

#define FWP_ACTION_BLOCK (0x00000001 | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_PERMIT (0x00000002 | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_CALLOUT_TERMINATING                                                             \
	(0x00000003 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_CALLOUT_INSPECTION                                                              \
	(0x00000004 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_NON_TERMINATING)
#define FWP_ACTION_CALLOUT_UNKNOWN (0x00000005 | FWP_ACTION_FLAG_CALLOUT)
#define FWP_ACTION_CONTINUE (0x00000006 | FWP_ACTION_FLAG_NON_TERMINATING)
#define FWP_ACTION_NONE (0x00000007)
#define FWP_ACTION_NONE_NO_MATCH (0x00000008)
#define FWP_ACTION_BITMAP_INDEX_SET (0x00000009)

/* Callout flags (FWPM_CALLOUT0.flags and FWPS_CALLOUTn.flags) ------------ */
#define FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW (0x00000001)
#define FWP_CALLOUT_FLAG_ALLOW_OFFLOAD (0x00000002)
#define FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY (0x00000004)
#define FWP_CALLOUT_FLAG_ALLOW_MID_STREAM_INSPECTION (0x00000008)
#define FWP_CALLOUT_FLAG_ALLOW_RECLASSIFY (0x00000010)
#define FWP_CALLOUT_FLAG_RESERVED1 (0x00000020)
#define FWP_CALLOUT_FLAG_ALLOW_RSC (0x00000040)
#define FWP_CALLOUT_FLAG_ALLOW_L2_BATCH_CLASSIFY (0x00000080)
#define FWP_CALLOUT_FLAG_ALLOW_USO (0x00000100)
#define FWP_CALLOUT_FLAG_ALLOW_URO (0x00000200)

/* Display data ----------------------------------------------------------- */
/** Name (required on most objects) and optional description. */
typedef struct FWPM_DISPLAY_DATA0_ {
	wchar_t *name;
	wchar_t *description;
} FWPM_DISPLAY_DATA0;

#ifdef __cplusplus
}
#endif

#endif /* WEIR_FWPTYPES_H */
