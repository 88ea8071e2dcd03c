/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers of the management API: strings, blobs, GUIDs, security
 * descriptors, status names, and the native layer look-ups of <weir/weir.h>.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/layers.h"
#include "mgmt/engine.h"

wchar_t *weir_wcsdup(const wchar_t *s)
{
	size_t n = (wcslen(s) + 1) * sizeof(wchar_t);
	wchar_t *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

NTSTATUS weir_blob_copy(FWP_BYTE_BLOB *dst, const FWP_BYTE_BLOB *src)
{
	dst->size = 0;
	dst->data = NULL;
	if (src == NULL || src->size == 0)
		return STATUS_SUCCESS;
	if (src->data == NULL)
		return STATUS_FWP_NULL_POINTER;
	dst->data = malloc(src->size);
	if (dst->data == NULL)
		return STATUS_NO_MEMORY;
	memcpy(dst->data, src->data, src->size);
	dst->size = src->size;
	return STATUS_SUCCESS;
}

void weir_guid_generate(GUID *g)
{
	uint8_t b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);

		if (r <= 0) {
			/* no entropy source: still unique within the process */
			static uint64_t counter;
			uint64_t c = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

			memcpy(b, &c, sizeof(c));
			memset(b + 8, 0x5a, 8);
			break;
		}
		got += (size_t)r;
	}
	weir_guid_from_rfc4122(g, b, 4); /* random */
}

bool weir_guid_is_zero(const GUID *g)
{
	static const GUID zero;

	return memcmp(g, &zero, sizeof(zero)) == 0;
}

char *weir_guid_to_string(const GUID *g, char buf[37])
{
	snprintf(buf, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", g->Data1, g->Data2,
	         g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4],
	         g->Data4[5], g->Data4[6], g->Data4[7]);
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int weir_guid_from_string(const char *s, GUID *g)
{
	uint8_t b[16];
	int i, n = 0;

	if (s == NULL || g == NULL || strlen(s) != 36)
		return -EINVAL;
	for (i = 0; i < 36;) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	g->Data1 = (UINT32)b[0] << 24 | (UINT32)b[1] << 16 | (UINT32)b[2] << 8 | b[3];
	g->Data2 = (UINT16)(b[4] << 8 | b[5]);
	g->Data3 = (UINT16)(b[6] << 8 | b[7]);
	memcpy(g->Data4, b + 8, 8);
	return 0;
}

/* Self-relative SECURITY_DESCRIPTOR layout (Windows' own): */
#define SE_SELF_RELATIVE 0x8000
struct sd_rel {
	uint8_t revision;
	uint8_t sbz1;
	uint16_t control;
	uint32_t owner, group, sacl, dacl;
};

/* Bytes a SID at @p p takes, or 0 if malformed. */
static size_t sid_len(const uint8_t *p)
{
	if (p[0] != 1 || p[1] > 15)
		return 0;
	return 8 + 4 * (size_t)p[1];
}

/* Bytes an ACL at @p p takes, or 0 if malformed. */
static size_t acl_len(const uint8_t *p)
{
	uint16_t sz;

	if (p[0] != 2 && p[0] != 4)
		return 0;
	memcpy(&sz, p + 2, 2);
	return sz >= 8 ? sz : 0;
}

/* Bytes the descriptor at @p p with header @p h spans, or 0 if a part is malformed. */
static size_t sd_len(const uint8_t *p, const struct sd_rel *h)
{
	const struct {
		uint32_t off; /* 0: absent */
		size_t (*len)(const uint8_t *p);
	} parts[] = {
	    {h->owner, sid_len}, {h->group, sid_len}, {h->sacl, acl_len}, {h->dacl, acl_len}};
	size_t end = sizeof(*h), n, i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].off == 0)
			continue;
		n = parts[i].len(p + parts[i].off);
		if (n == 0)
			return 0;
		end = end > parts[i].off + n ? end : parts[i].off + n;
	}
	return end;
}

/*
 * weir stores descriptors as given; it must know their length to copy them,
 * which is what GetSecurityDescriptorLength computes on Windows.
 */
NTSTATUS weir_sd_copy(PSECURITY_DESCRIPTOR sd, void **copy, size_t *len)
{
	const uint8_t *p = sd;
	struct sd_rel h;
	size_t end;

	*copy = NULL;
	*len = 0;
	if (sd == NULL)
		return STATUS_SUCCESS;
	memcpy(&h, p, sizeof(h));
	if (h.revision != 1 || !(h.control & SE_SELF_RELATIVE))
		return STATUS_INVALID_PARAMETER;
	end = sd_len(p, &h);
	if (end == 0)
		return STATUS_INVALID_PARAMETER;
	*copy = malloc(end);
	if (*copy == NULL)
		return STATUS_NO_MEMORY;
	memcpy(*copy, sd, end);
	*len = end;
	return STATUS_SUCCESS;
}

const char *weir_status_name(NTSTATUS st)
{
	switch (st) {
#define S(x)                                                                                       \
	case x:                                                                                    \
		return #x;
		S(STATUS_SUCCESS)
		S(STATUS_PENDING)
		S(STATUS_OBJECT_NAME_EXISTS)
		S(STATUS_DEVICE_BUSY)
		S(STATUS_UNSUCCESSFUL)
		S(STATUS_NOT_IMPLEMENTED)
		S(STATUS_INVALID_HANDLE)
		S(STATUS_INVALID_PARAMETER)
		S(STATUS_NO_MEMORY)
		S(STATUS_ACCESS_DENIED)
		S(STATUS_BUFFER_TOO_SMALL)
		S(STATUS_INSUFFICIENT_RESOURCES)
		S(STATUS_NOT_SUPPORTED)
		S(STATUS_INVALID_DEVICE_STATE)
		S(STATUS_NOT_FOUND)
		S(STATUS_FWP_CALLOUT_NOT_FOUND)
		S(STATUS_FWP_CONDITION_NOT_FOUND)
		S(STATUS_FWP_FILTER_NOT_FOUND)
		S(STATUS_FWP_LAYER_NOT_FOUND)
		S(STATUS_FWP_PROVIDER_NOT_FOUND)
		S(STATUS_FWP_PROVIDER_CONTEXT_NOT_FOUND)
		S(STATUS_FWP_SUBLAYER_NOT_FOUND)
		S(STATUS_FWP_NOT_FOUND)
		S(STATUS_FWP_ALREADY_EXISTS)
		S(STATUS_FWP_IN_USE)
		S(STATUS_FWP_DYNAMIC_SESSION_IN_PROGRESS)
		S(STATUS_FWP_WRONG_SESSION)
		S(STATUS_FWP_NO_TXN_IN_PROGRESS)
		S(STATUS_FWP_TXN_IN_PROGRESS)
		S(STATUS_FWP_TXN_ABORTED)
		S(STATUS_FWP_SESSION_ABORTED)
		S(STATUS_FWP_INCOMPATIBLE_TXN)
		S(STATUS_FWP_TIMEOUT)
		S(STATUS_FWP_INCOMPATIBLE_LAYER)
		S(STATUS_FWP_BUILTIN_OBJECT)
		S(STATUS_FWP_TOO_MANY_CALLOUTS)
		S(STATUS_FWP_NULL_POINTER)
		S(STATUS_FWP_INVALID_ENUMERATOR)
		S(STATUS_FWP_INVALID_FLAGS)
		S(STATUS_FWP_INVALID_NET_MASK)
		S(STATUS_FWP_INVALID_RANGE)
		S(STATUS_FWP_NULL_DISPLAY_NAME)
		S(STATUS_FWP_INVALID_ACTION_TYPE)
		S(STATUS_FWP_INVALID_WEIGHT)
		S(STATUS_FWP_MATCH_TYPE_MISMATCH)
		S(STATUS_FWP_TYPE_MISMATCH)
		S(STATUS_FWP_OUT_OF_BOUNDS)
		S(STATUS_FWP_DUPLICATE_CONDITION)
		S(STATUS_FWP_INVALID_PARAMETER)
		S(STATUS_FWP_TOO_MANY_SUBLAYERS)
		S(STATUS_FWP_CALLOUT_NOTIFICATION_FAILED)
		S(STATUS_FWP_CANNOT_PEND)
#undef S
	default:
		return "STATUS_UNKNOWN";
	}
}

int weir_layer_from_name(const char *name)
{
	const struct weir_layer_desc *l = name ? weir_layer_by_name(name) : NULL;

	return l ? (int)l->id : -1;
}

int weir_layer_from_key(const GUID *key)
{
	const struct weir_layer_desc *l = key ? weir_layer_by_key(key) : NULL;

	return l ? (int)l->id : -1;
}

const char *weir_layer_name(enum weir_layer layer)
{
	const struct weir_layer_desc *l = weir_layer_get(layer);

	return l ? l->name : NULL;
}

const GUID *weir_layer_key(enum weir_layer layer)
{
	const struct weir_layer_desc *l = weir_layer_get(layer);

	return l ? l->key : NULL;
}

UINT16 weir_layer_fwps_id(enum weir_layer layer)
{
	const struct weir_layer_desc *l = weir_layer_get(layer);

	return l ? l->fwps_id : 0xFFFF;
}

int weir_layer_field_by_name(enum weir_layer layer, const char *policyName)
{
	const struct weir_layer_desc *l = weir_layer_get(layer);

	return l && policyName ? weir_layer_field_by_policy(l, policyName) : -1;
}

UINT32 weir_layer_field_count(enum weir_layer layer)
{
	const struct weir_layer_desc *l = weir_layer_get(layer);

	return l ? l->field_count : 0;
}

FWP_DATA_TYPE weir_layer_field_type(enum weir_layer layer, UINT32 index)
{
	const struct weir_layer_desc *l = weir_layer_get(layer);

	return l && index < l->field_count ? l->fields[index].type : FWP_EMPTY;
}

const char *weir_layer_field_name(enum weir_layer layer, UINT32 index, const char **policyName)
{
	const struct weir_layer_desc *l = weir_layer_get(layer);

	if (l == NULL || index >= l->field_count)
		return NULL;
	if (policyName)
		*policyName = l->fields[index].policy;
	return l->fields[index].name;
}
