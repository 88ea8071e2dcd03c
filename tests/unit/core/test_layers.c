/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The layer table (lib/core/layers.c) and the WFP identifiers it is built
 * from: every layer found by key, run-time id and name; WFP's field order;
 * condition GUIDs and data types; policy-language names. No EAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir.h>

#include "core/layers.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What each layer must be, written independently of layers.c. */
struct want_layer {
	enum weir_layer id;
	const char *name;
	const char *wfp_name;
	const GUID *key;
	UINT16 fwps_id;
	uint32_t wfp_fields;
	uint32_t ext_fields;
	uint8_t ip_version;
	bool outbound;
};

static const struct want_layer want[] = {
    {WEIR_LAYER_INBOUND_MAC_FRAME, "inbound-mac-frame", "FWPM_LAYER_INBOUND_MAC_FRAME_ETHERNET",
     &FWPM_LAYER_INBOUND_MAC_FRAME_ETHERNET, FWPS_LAYER_INBOUND_MAC_FRAME_ETHERNET, 12, 3, 0,
     false},
    {WEIR_LAYER_INBOUND_IPPACKET_V4, "inbound-ippacket-v4", "FWPM_LAYER_INBOUND_IPPACKET_V4",
     &FWPM_LAYER_INBOUND_IPPACKET_V4, FWPS_LAYER_INBOUND_IPPACKET_V4, 10, 11, 4, false},
    {WEIR_LAYER_INBOUND_IPPACKET_V6, "inbound-ippacket-v6", "FWPM_LAYER_INBOUND_IPPACKET_V6",
     &FWPM_LAYER_INBOUND_IPPACKET_V6, FWPS_LAYER_INBOUND_IPPACKET_V6, 10, 11, 6, false},
    {WEIR_LAYER_IPFORWARD_V4, "ipforward-v4", "FWPM_LAYER_IPFORWARD_V4", &FWPM_LAYER_IPFORWARD_V4,
     FWPS_LAYER_IPFORWARD_V4, 15, 11, 4, false},
    {WEIR_LAYER_IPFORWARD_V6, "ipforward-v6", "FWPM_LAYER_IPFORWARD_V6", &FWPM_LAYER_IPFORWARD_V6,
     FWPS_LAYER_IPFORWARD_V6, 15, 11, 6, false},
    {WEIR_LAYER_INBOUND_TRANSPORT_V4, "inbound-transport-v4", "FWPM_LAYER_INBOUND_TRANSPORT_V4",
     &FWPM_LAYER_INBOUND_TRANSPORT_V4, FWPS_LAYER_INBOUND_TRANSPORT_V4, 15, 10, 4, false},
    {WEIR_LAYER_INBOUND_TRANSPORT_V6, "inbound-transport-v6", "FWPM_LAYER_INBOUND_TRANSPORT_V6",
     &FWPM_LAYER_INBOUND_TRANSPORT_V6, FWPS_LAYER_INBOUND_TRANSPORT_V6, 15, 10, 6, false},
    {WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4, "ale-flow-established-v4",
     "FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4", &FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4,
     FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4, 25, 10, 4, false},
    {WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6, "ale-flow-established-v6",
     "FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6", &FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6,
     FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6, 25, 10, 6, false},
    {WEIR_LAYER_DATAGRAM_DATA_V4, "datagram-data-v4", "FWPM_LAYER_DATAGRAM_DATA_V4",
     &FWPM_LAYER_DATAGRAM_DATA_V4, FWPS_LAYER_DATAGRAM_DATA_V4, 14, 10, 4, false},
    {WEIR_LAYER_DATAGRAM_DATA_V6, "datagram-data-v6", "FWPM_LAYER_DATAGRAM_DATA_V6",
     &FWPM_LAYER_DATAGRAM_DATA_V6, FWPS_LAYER_DATAGRAM_DATA_V6, 14, 10, 6, false},
    {WEIR_LAYER_STREAM_V4, "stream-v4", "FWPM_LAYER_STREAM_V4", &FWPM_LAYER_STREAM_V4,
     FWPS_LAYER_STREAM_V4, 8, 11, 4, false},
    {WEIR_LAYER_STREAM_V6, "stream-v6", "FWPM_LAYER_STREAM_V6", &FWPM_LAYER_STREAM_V6,
     FWPS_LAYER_STREAM_V6, 8, 11, 6, false},
    {WEIR_LAYER_OUTBOUND_IPPACKET_V4, "outbound-ippacket-v4", "FWPM_LAYER_OUTBOUND_IPPACKET_V4",
     &FWPM_LAYER_OUTBOUND_IPPACKET_V4, FWPS_LAYER_OUTBOUND_IPPACKET_V4, 10, 11, 4, true},
    {WEIR_LAYER_OUTBOUND_IPPACKET_V6, "outbound-ippacket-v6", "FWPM_LAYER_OUTBOUND_IPPACKET_V6",
     &FWPM_LAYER_OUTBOUND_IPPACKET_V6, FWPS_LAYER_OUTBOUND_IPPACKET_V6, 10, 11, 6, true},
    {WEIR_LAYER_OUTBOUND_MAC_FRAME, "outbound-mac-frame", "FWPM_LAYER_OUTBOUND_MAC_FRAME_ETHERNET",
     &FWPM_LAYER_OUTBOUND_MAC_FRAME_ETHERNET, FWPS_LAYER_OUTBOUND_MAC_FRAME_ETHERNET, 12, 3, 0,
     true},
};

static const struct weir_layer_desc *L(enum weir_layer id)
{
	const struct weir_layer_desc *l = weir_layer_get(id);

	assert_non_null(l);
	return l;
}

static int policy(enum weir_layer id, const char *name)
{
	return weir_layer_field_by_policy(L(id), name);
}

static int by_key(enum weir_layer id, const GUID *cond)
{
	return weir_layer_field_by_key(L(id), cond);
}

/* Expected field indexes and attributes, checked a table at a time. */
struct want_name {
	enum weir_layer layer;
	const char *name; /* policy name */
	int field;        /* its index, or -1 */
};

struct want_key {
	enum weir_layer layer;
	const GUID *key; /* condition key */
	int field;       /* its index, or -1 */
};

struct want_attr {
	enum weir_layer layer;
	uint32_t field;
	enum weir_pkt_attr attr;
};

static void check_names(const struct want_name *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(policy(w[i].layer, w[i].name), w[i].field);
}

static void check_keys(const struct want_key *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(by_key(w[i].layer, w[i].key), w[i].field);
}

static void check_attrs(const struct want_attr *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(L(w[i].layer)->fields[w[i].field].attr, w[i].attr);
}

static void test_every_layer_found(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(ARRAY_SIZE(want), WEIR_LAYER_COUNT);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct want_layer *w = &want[i];
		const struct weir_layer_desc *l = weir_layer_get(w->id);

		assert_non_null(l);
		assert_int_equal(l->id, w->id);
		assert_string_equal(l->name, w->name);
		assert_string_equal(l->wfp_name, w->wfp_name);
		assert_ptr_equal(l->key, w->key);
		assert_int_equal(l->fwps_id, w->fwps_id);
		assert_int_equal(l->ip_version, w->ip_version);
		assert_int_equal(l->outbound, w->outbound);
		assert_int_equal(l->wfp_field_count, w->wfp_fields);
		assert_int_equal(l->field_count, w->wfp_fields + w->ext_fields);
		assert_non_null(l->fields);

		assert_ptr_equal(weir_layer_by_key(w->key), l);
		assert_ptr_equal(weir_layer_by_fwps_id(w->fwps_id), l);
		assert_ptr_equal(weir_layer_by_name(w->name), l);
	}
}

static void test_lookups_miss(void **state)
{
	GUID copy = FWPM_LAYER_STREAM_V4;

	(void)state;
	assert_null(weir_layer_get(WEIR_LAYER_COUNT));
	assert_null(weir_layer_get((enum weir_layer) - 1));
	assert_null(weir_layer_by_key(NULL));
	assert_null(weir_layer_by_key(&FWPM_LAYER_ALE_AUTH_CONNECT_V4));
	assert_null(weir_layer_by_key(&FWPM_LAYER_INBOUND_TRANSPORT_V4_DISCARD));
	assert_null(weir_layer_by_key(&FWPM_CONDITION_IP_PROTOCOL));
	assert_null(weir_layer_by_fwps_id(FWPS_LAYER_ALE_AUTH_CONNECT_V4));
	assert_null(weir_layer_by_fwps_id(FWPS_LAYER_INBOUND_IPPACKET_V4_DISCARD));
	assert_null(weir_layer_by_fwps_id(FWPS_BUILTIN_LAYER_MAX));
	assert_null(weir_layer_by_fwps_id(0xFFFF));
	assert_null(weir_layer_by_name(NULL));
	assert_null(weir_layer_by_name(""));
	assert_null(weir_layer_by_name("inbound-transport"));
	assert_null(weir_layer_by_name("INBOUND-TRANSPORT-V4"));
	assert_null(weir_layer_by_name("FWPM_LAYER_INBOUND_TRANSPORT_V4"));
	/* by value, not by address */
	assert_ptr_equal(weir_layer_by_key(&copy), L(WEIR_LAYER_STREAM_V4));
	assert_int_equal(weir_layer_field_by_key(NULL, &FWPM_CONDITION_IP_PROTOCOL), -1);
	assert_int_equal(weir_layer_field_by_key(L(WEIR_LAYER_STREAM_V4), NULL), -1);
	assert_int_equal(weir_layer_field_by_policy(NULL, "ip.src"), -1);
	assert_int_equal(weir_layer_field_by_policy(L(WEIR_LAYER_STREAM_V4), NULL), -1);
	assert_int_equal(policy(WEIR_LAYER_STREAM_V4, "no.such"), -1);
	assert_int_equal(policy(WEIR_LAYER_STREAM_V4, ""), -1);
}

static void test_layers_distinct(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < WEIR_LAYER_COUNT; i++)
		for (j = i + 1; j < WEIR_LAYER_COUNT; j++) {
			const struct weir_layer_desc *a = L(i), *b = L(j);

			assert_false(weir_guid_equal(a->key, b->key));
			assert_int_not_equal(a->fwps_id, b->fwps_id);
			assert_string_not_equal(a->name, b->name);
			assert_string_not_equal(a->wfp_name, b->wfp_name);
		}
}

static void test_guid_equal(void **state)
{
	GUID g = FWPM_CONDITION_IP_LOCAL_PORT;

	(void)state;
	assert_true(weir_guid_equal(&g, &FWPM_CONDITION_IP_LOCAL_PORT));
	assert_true(weir_guid_equal(&FWPM_CONDITION_ICMP_TYPE, &FWPM_CONDITION_IP_LOCAL_PORT));
	assert_false(weir_guid_equal(&g, &FWPM_CONDITION_IP_REMOTE_PORT));
	g.Data4[7] ^= 1;
	assert_false(weir_guid_equal(&g, &FWPM_CONDITION_IP_LOCAL_PORT));
	assert_false(weir_guid_equal(NULL, &g));
	assert_false(weir_guid_equal(&g, NULL));
	assert_false(weir_guid_equal(NULL, NULL));
}

/* Every field is described; every keyed field is the first with its GUID. */
static void test_fields_well_formed(void **state)
{
	unsigned i;
	uint32_t f, g;

	(void)state;
	for (i = 0; i < WEIR_LAYER_COUNT; i++) {
		const struct weir_layer_desc *l = L(i);

		for (f = 0; f < l->field_count; f++) {
			const struct weir_field_desc *d = &l->fields[f];
			bool reserved;

			assert_non_null(d->name);
			reserved = strncmp(d->name, "RESERVED_", 9) == 0;
			assert_true(reserved == (d->key == NULL));
			assert_true(reserved == (d->type == FWP_EMPTY));
			assert_true((unsigned)d->attr < WEIR_ATTR_COUNT);
			if (reserved)
				continue;
			assert_int_equal(weir_layer_field_by_key(l, d->key), (int)f);
			if (d->policy != NULL)
				assert_int_equal(weir_layer_field_by_policy(l, d->policy), (int)f);
			for (g = f + 1; g < l->field_count; g++)
				if (d->policy != NULL && l->fields[g].policy != NULL)
					assert_string_not_equal(d->policy, l->fields[g].policy);
		}
	}
}

/* A field of a layer: its FWPS_FIELD_ index, condition GUID and WFP name. */
struct spot {
	enum weir_layer layer;
	int index;
	const GUID *cond;
	const char *name;
	FWP_DATA_TYPE type;
};

#define S(LY, W, F, C, T)                                                                          \
	{                                                                                          \
		WEIR_LAYER_##LY, FWPS_FIELD_##W##_##F, &FWPM_CONDITION_##C, #F, T                  \
	}

static const struct spot spots[] = {
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, INTERFACE_MAC_ADDRESS, INTERFACE_MAC_ADDRESS,
      FWP_BYTE_ARRAY6_TYPE),
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, MAC_LOCAL_ADDRESS, MAC_LOCAL_ADDRESS,
      FWP_BYTE_ARRAY6_TYPE),
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, MAC_REMOTE_ADDRESS, MAC_REMOTE_ADDRESS,
      FWP_BYTE_ARRAY6_TYPE),
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, ETHER_TYPE, ETHER_TYPE, FWP_UINT16),
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, VLAN_ID, VLAN_ID, FWP_UINT16),
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, INTERFACE, INTERFACE, FWP_UINT64),
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, INTERFACE_INDEX, INTERFACE_INDEX, FWP_UINT32),
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, L2_FLAGS, L2_FLAGS, FWP_UINT32),
    S(INBOUND_MAC_FRAME, INBOUND_MAC_FRAME_ETHERNET, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32),
    S(OUTBOUND_MAC_FRAME, OUTBOUND_MAC_FRAME_ETHERNET, MAC_REMOTE_ADDRESS_TYPE,
      MAC_REMOTE_ADDRESS_TYPE, FWP_UINT8),
    S(OUTBOUND_MAC_FRAME, OUTBOUND_MAC_FRAME_ETHERNET, NDIS_PORT, NDIS_PORT, FWP_UINT32),
    S(INBOUND_IPPACKET_V4, INBOUND_IPPACKET_V4, IP_LOCAL_ADDRESS, IP_LOCAL_ADDRESS, FWP_UINT32),
    S(INBOUND_IPPACKET_V4, INBOUND_IPPACKET_V4, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, FWP_UINT32),
    S(INBOUND_IPPACKET_V4, INBOUND_IPPACKET_V4, INTERFACE_TYPE, INTERFACE_TYPE, FWP_UINT32),
    S(INBOUND_IPPACKET_V4, INBOUND_IPPACKET_V4, TUNNEL_TYPE, TUNNEL_TYPE, FWP_UINT32),
    S(INBOUND_IPPACKET_V6, INBOUND_IPPACKET_V6, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS,
      FWP_BYTE_ARRAY16_TYPE),
    S(INBOUND_IPPACKET_V6, INBOUND_IPPACKET_V6, IP_LOCAL_INTERFACE, IP_LOCAL_INTERFACE, FWP_UINT64),
    S(INBOUND_IPPACKET_V6, INBOUND_IPPACKET_V6, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32),
    S(IPFORWARD_V4, IPFORWARD_V4, IP_SOURCE_ADDRESS, IP_SOURCE_ADDRESS, FWP_UINT32),
    S(IPFORWARD_V4, IPFORWARD_V4, IP_DESTINATION_ADDRESS, IP_DESTINATION_ADDRESS, FWP_UINT32),
    S(IPFORWARD_V4, IPFORWARD_V4, IP_FORWARD_INTERFACE, IP_FORWARD_INTERFACE, FWP_UINT64),
    S(IPFORWARD_V4, IPFORWARD_V4, DESTINATION_INTERFACE_INDEX, DESTINATION_INTERFACE_INDEX,
      FWP_UINT32),
    S(IPFORWARD_V4, IPFORWARD_V4, NEXTHOP_INTERFACE_PROFILE_ID, NEXTHOP_INTERFACE_PROFILE_ID,
      FWP_UINT32),
    S(IPFORWARD_V6, IPFORWARD_V6, IP_DESTINATION_ADDRESS, IP_DESTINATION_ADDRESS,
      FWP_BYTE_ARRAY16_TYPE),
    S(IPFORWARD_V6, IPFORWARD_V6, SOURCE_SUB_INTERFACE_INDEX, SOURCE_SUB_INTERFACE_INDEX,
      FWP_UINT32),
    S(IPFORWARD_V6, IPFORWARD_V6, IP_PHYSICAL_ARRIVAL_INTERFACE, IP_PHYSICAL_ARRIVAL_INTERFACE,
      FWP_UINT64),
    S(INBOUND_TRANSPORT_V4, INBOUND_TRANSPORT_V4, IP_PROTOCOL, IP_PROTOCOL, FWP_UINT8),
    S(INBOUND_TRANSPORT_V4, INBOUND_TRANSPORT_V4, IP_LOCAL_PORT, IP_LOCAL_PORT, FWP_UINT16),
    S(INBOUND_TRANSPORT_V4, INBOUND_TRANSPORT_V4, IP_REMOTE_PORT, IP_REMOTE_PORT, FWP_UINT16),
    S(INBOUND_TRANSPORT_V4, INBOUND_TRANSPORT_V4, FLAGS, FLAGS, FWP_UINT32),
    S(INBOUND_TRANSPORT_V4, INBOUND_TRANSPORT_V4, PROFILE_ID, CURRENT_PROFILE_ID, FWP_UINT32),
    S(INBOUND_TRANSPORT_V6, INBOUND_TRANSPORT_V6, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE,
      FWP_UINT8),
    S(INBOUND_TRANSPORT_V6, INBOUND_TRANSPORT_V6, IPSEC_SECURITY_REALM_ID, IPSEC_SECURITY_REALM_ID,
      FWP_BYTE_BLOB_TYPE),
    S(ALE_FLOW_ESTABLISHED_V4, ALE_FLOW_ESTABLISHED_V4, ALE_APP_ID, ALE_APP_ID, FWP_BYTE_BLOB_TYPE),
    S(ALE_FLOW_ESTABLISHED_V4, ALE_FLOW_ESTABLISHED_V4, ALE_USER_ID, ALE_USER_ID,
      FWP_TOKEN_ACCESS_INFORMATION_TYPE),
    S(ALE_FLOW_ESTABLISHED_V4, ALE_FLOW_ESTABLISHED_V4, IP_PROTOCOL, IP_PROTOCOL, FWP_UINT8),
    S(ALE_FLOW_ESTABLISHED_V4, ALE_FLOW_ESTABLISHED_V4, IP_DESTINATION_ADDRESS_TYPE,
      IP_DESTINATION_ADDRESS_TYPE, FWP_UINT8),
    S(ALE_FLOW_ESTABLISHED_V4, ALE_FLOW_ESTABLISHED_V4, DIRECTION, DIRECTION, FWP_UINT32),
    S(ALE_FLOW_ESTABLISHED_V4, ALE_FLOW_ESTABLISHED_V4, ALE_PACKAGE_ID, ALE_PACKAGE_ID, FWP_SID),
    S(ALE_FLOW_ESTABLISHED_V6, ALE_FLOW_ESTABLISHED_V6, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32),
    S(ALE_FLOW_ESTABLISHED_V6, ALE_FLOW_ESTABLISHED_V6, PACKAGE_FAMILY_NAME,
      ALE_PACKAGE_FAMILY_NAME, FWP_UNICODE_STRING_TYPE),
    S(DATAGRAM_DATA_V4, DATAGRAM_DATA_V4, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, FWP_UINT32),
    S(DATAGRAM_DATA_V4, DATAGRAM_DATA_V4, DIRECTION, DIRECTION, FWP_UINT32),
    S(DATAGRAM_DATA_V6, DATAGRAM_DATA_V6, TUNNEL_TYPE, TUNNEL_TYPE, FWP_UINT32),
    S(STREAM_V4, STREAM_V4, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE, FWP_UINT8),
    S(STREAM_V4, STREAM_V4, IP_REMOTE_PORT, IP_REMOTE_PORT, FWP_UINT16),
    S(STREAM_V6, STREAM_V6, FLAGS, FLAGS, FWP_UINT32),
    S(OUTBOUND_IPPACKET_V4, OUTBOUND_IPPACKET_V4, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE,
      FWP_UINT8),
    S(OUTBOUND_IPPACKET_V4, OUTBOUND_IPPACKET_V4, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, FWP_UINT32),
    S(OUTBOUND_IPPACKET_V6, OUTBOUND_IPPACKET_V6, SUB_INTERFACE_INDEX, SUB_INTERFACE_INDEX,
      FWP_UINT32),
};

static void test_fields_in_wfp_order(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(spots); i++) {
		const struct spot *s = &spots[i];
		const struct weir_layer_desc *l = L(s->layer);

		assert_true(s->index < (int)l->wfp_field_count);
		assert_int_equal(by_key(s->layer, s->cond), s->index);
		assert_string_equal(l->fields[s->index].name, s->name);
		assert_int_equal(l->fields[s->index].type, s->type);
	}
}

/* WFP's own numbering, as WFP's headers have it. */
static void test_wfp_values(void **state)
{
	(void)state;
	assert_int_equal(FWPS_LAYER_INBOUND_IPPACKET_V4, 0);
	assert_int_equal(FWPS_LAYER_IPFORWARD_V4, 8);
	assert_int_equal(FWPS_LAYER_INBOUND_TRANSPORT_V4, 12);
	assert_int_equal(FWPS_LAYER_STREAM_V4, 20);
	assert_int_equal(FWPS_LAYER_DATAGRAM_DATA_V4, 24);
	assert_int_equal(FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4, 52);
	assert_int_equal(FWPS_LAYER_ALE_FLOW_ESTABLISHED_V6_DISCARD, 55);
	assert_int_equal(FWPS_LAYER_INBOUND_MAC_FRAME_ETHERNET, 56);
	assert_int_equal(FWPS_LAYER_OUTBOUND_MAC_FRAME_ETHERNET, 57);
	assert_int_equal(FWPS_LAYER_STREAM_PACKET_V4, 70);
	assert_int_equal(FWPS_LAYER_OUTBOUND_NETWORK_CONNECTION_POLICY_V4, 85);
	assert_int_equal(FWPS_LAYER_IPSEC_KM_DEMUX_V4, 87);
	assert_int_equal(FWPS_LAYER_KM_AUTHORIZATION, 98);
	assert_int_equal(FWPS_BUILTIN_LAYER_MAX, 99);

	assert_int_equal(FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT, 4);
	assert_int_equal(FWPS_FIELD_INBOUND_TRANSPORT_V4_ICMP_TYPE,
	                 FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_PORT);
	assert_int_equal(FWPS_FIELD_DATAGRAM_DATA_V6_ICMP_CODE,
	                 FWPS_FIELD_DATAGRAM_DATA_V6_IP_REMOTE_PORT);
	assert_int_equal(FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_DIRECTION, 12);
	assert_int_equal(FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_RESERVED_0, 20);
	assert_int_equal(FWPS_FIELD_IPFORWARD_V6_COMPARTMENT_ID, 14);
	assert_int_equal(FWPS_FIELD_STREAM_V6_MAX, 8);
	assert_int_equal(FWPS_FIELD_OUTBOUND_IPPACKET_V4_IP_REMOTE_ADDRESS, 2);
	assert_int_equal(FWPS_FIELD_OUTBOUND_MAC_FRAME_ETHERNET_VLAN_ID, 6);

	assert_int_equal(FWPS_METADATA_FIELD_DISCARD_REASON, 0x1);
	assert_int_equal(FWPS_METADATA_FIELD_IP_HEADER_SIZE, 0x4);
	assert_int_equal(FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE, 0x400);
	assert_int_equal(FWPS_METADATA_FIELD_PACKET_DIRECTION, 0x40000);
	assert_int_equal(FWPS_METADATA_FIELD_SUB_PROCESS_TAG, 0x80000000u);
	assert_int_equal(FWP_CONDITION_FLAG_IS_FRAGMENT, 0x20);
	assert_int_equal(FWP_CONDITION_FLAG_IS_IMPLICIT_BIND, 0x200);
	assert_int_equal(FWP_CONDITION_FLAG_IS_REASSEMBLED, 0x400);
	assert_int_equal(FWP_DIRECTION_OUTBOUND, 0);
	assert_int_equal(FWP_DIRECTION_INBOUND, 1);

	/* c86fd1bf-21cd-497e-a0bb-17425c885c58 */
	assert_int_equal(FWPM_LAYER_INBOUND_IPPACKET_V4.Data1, 0xc86fd1bf);
	assert_int_equal(FWPM_LAYER_INBOUND_IPPACKET_V4.Data2, 0x21cd);
	assert_int_equal(FWPM_LAYER_INBOUND_IPPACKET_V4.Data3, 0x497e);
	assert_int_equal(FWPM_LAYER_INBOUND_IPPACKET_V4.Data4[0], 0xa0);
	assert_int_equal(FWPM_LAYER_INBOUND_IPPACKET_V4.Data4[7], 0x58);
	/* 3b89653c-c170-49e4-b1cd-e0eeeee19a3e */
	assert_int_equal(FWPM_LAYER_STREAM_V4.Data1, 0x3b89653c);
	assert_int_equal(FWPM_LAYER_STREAM_V4.Data4[7], 0x3e);
	/* 3971ef2b-623e-4f9a-8cb1-6e79b806b9a7 */
	assert_int_equal(FWPM_CONDITION_IP_PROTOCOL.Data1, 0x3971ef2b);
	assert_int_equal(FWPM_CONDITION_IP_PROTOCOL.Data4[7], 0xa7);
	/* eebecc03-ced4-4380-819a-2734397b2b74 */
	assert_int_equal(FWPM_SUBLAYER_UNIVERSAL.Data1, 0xeebecc03);
	assert_int_equal(FWPM_SUBLAYER_UNIVERSAL.Data4[7], 0x74);
	assert_true(weir_guid_equal(&FWPM_CONDITION_ICMP_CODE, &FWPM_CONDITION_IP_REMOTE_PORT));
	assert_true(weir_guid_equal(&FWPM_CONDITION_INTERFACE, &FWPM_CONDITION_IP_LOCAL_INTERFACE));
	assert_true(weir_guid_equal(&FWPM_SUBLAYER_EDGE_TRAVERSAL, &FWPM_SUBLAYER_TEREDO));
}

/* weir's extension conditions are distinct from each other and from WFP's. */
static void test_weir_conditions_distinct(void **state)
{
	const GUID *w[] = {
	    &WEIR_CONDITION_L4_SRC_PORT, &WEIR_CONDITION_L4_DST_PORT, &WEIR_CONDITION_ICMP_TYPE_V,
	    &WEIR_CONDITION_ICMP_CODE_V, &WEIR_CONDITION_TCP_FLAGS,   &WEIR_CONDITION_IP_DSCP,
	    &WEIR_CONDITION_IP_TTL,      &WEIR_CONDITION_PKT_LEN,     &WEIR_CONDITION_IF_IN,
	    &WEIR_CONDITION_IF_OUT,
	};
	size_t i, j;
	unsigned k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		for (j = i + 1; j < ARRAY_SIZE(w); j++)
			assert_false(weir_guid_equal(w[i], w[j]));
		/* a WEIR condition appears only after WFP's fields, never among them */
		for (k = 0; k < WEIR_LAYER_COUNT; k++) {
			int f = by_key(k, w[i]);

			if (f >= 0)
				assert_true(f >= (int)L(k)->wfp_field_count);
		}
	}
}

/* The extension fields, in their documented order, after WFP's fields. */
static void test_extension_fields(void **state)
{
	static const struct want_key keys[] = {
	    /* where WFP has IP_PROTOCOL, weir does not add a second one */
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, &FWPM_CONDITION_IP_PROTOCOL,
	     FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_PROTOCOL},
	    {WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6, &FWPM_CONDITION_IP_PROTOCOL,
	     FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_IP_PROTOCOL},
	    {WEIR_LAYER_INBOUND_IPPACKET_V4, &FWPM_CONDITION_IP_PROTOCOL,
	     FWPS_FIELD_INBOUND_IPPACKET_V4_MAX},
	    {WEIR_LAYER_STREAM_V6, &FWPM_CONDITION_IP_PROTOCOL, FWPS_FIELD_STREAM_V6_MAX},
	    {WEIR_LAYER_IPFORWARD_V4, &WEIR_CONDITION_L4_SRC_PORT, FWPS_FIELD_IPFORWARD_V4_MAX + 1},
	    {WEIR_LAYER_DATAGRAM_DATA_V4, &WEIR_CONDITION_L4_SRC_PORT,
	     FWPS_FIELD_DATAGRAM_DATA_V4_MAX},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, &WEIR_CONDITION_IF_OUT,
	     FWPS_FIELD_OUTBOUND_MAC_FRAME_ETHERNET_MAX + 2},
	    /* mac layers have no IP extension fields */
	    {WEIR_LAYER_INBOUND_MAC_FRAME, &WEIR_CONDITION_L4_DST_PORT, -1},
	    {WEIR_LAYER_INBOUND_MAC_FRAME, &WEIR_CONDITION_IP_TTL, -1},
	};
	const GUID *ip_ext[] = {
	    &WEIR_CONDITION_L4_SRC_PORT, &WEIR_CONDITION_L4_DST_PORT, &WEIR_CONDITION_ICMP_TYPE_V,
	    &WEIR_CONDITION_ICMP_CODE_V, &WEIR_CONDITION_TCP_FLAGS,   &WEIR_CONDITION_IP_DSCP,
	    &WEIR_CONDITION_IP_TTL,      &WEIR_CONDITION_PKT_LEN,     &WEIR_CONDITION_IF_IN,
	    &WEIR_CONDITION_IF_OUT,
	};
	const GUID *mac_ext[] = {&WEIR_CONDITION_PKT_LEN, &WEIR_CONDITION_IF_IN,
	                         &WEIR_CONDITION_IF_OUT};
	unsigned i;
	size_t k;

	(void)state;
	for (i = 0; i < WEIR_LAYER_COUNT; i++) {
		const struct weir_layer_desc *l = L(i);
		uint32_t at = l->wfp_field_count;
		int proto;

		if (l->ip_version == 0) {
			for (k = 0; k < ARRAY_SIZE(mac_ext); k++)
				assert_true(weir_guid_equal(l->fields[at + k].key, mac_ext[k]));
			assert_int_equal(by_key(i, &FWPM_CONDITION_IP_PROTOCOL), -1);
			continue;
		}
		/* IP_PROTOCOL: WFP's field if the layer has one, else the first extension */
		proto = by_key(i, &FWPM_CONDITION_IP_PROTOCOL);
		assert_true(proto >= 0);
		if (proto == (int)at)
			at++;
		else
			assert_true(proto < (int)l->wfp_field_count);
		assert_int_equal(l->fields[proto].type, FWP_UINT8);
		assert_int_equal(l->fields[proto].attr, WEIR_ATTR_IP_PROTO);
		assert_int_equal(policy(i, "ip.proto"), proto);
		for (k = 0; k < ARRAY_SIZE(ip_ext); k++)
			assert_true(weir_guid_equal(l->fields[at + k].key, ip_ext[k]));
		assert_int_equal(at + ARRAY_SIZE(ip_ext), l->field_count);
	}
	check_keys(keys, ARRAY_SIZE(keys));
}

static void test_policy_addresses(void **state)
{
	static const struct want_name names[] = {
	    /* inbound layers: the source is remote */
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, "ip.src",
	     FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_REMOTE_ADDRESS},
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, "ip.dst",
	     FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS},
	    {WEIR_LAYER_INBOUND_IPPACKET_V6, "ip.src",
	     FWPS_FIELD_INBOUND_IPPACKET_V6_IP_REMOTE_ADDRESS},
	    {WEIR_LAYER_ALE_FLOW_ESTABLISHED_V4, "ip.src",
	     FWPS_FIELD_ALE_FLOW_ESTABLISHED_V4_IP_REMOTE_ADDRESS},
	    {WEIR_LAYER_DATAGRAM_DATA_V6, "ip.dst", FWPS_FIELD_DATAGRAM_DATA_V6_IP_LOCAL_ADDRESS},
	    {WEIR_LAYER_STREAM_V4, "ip.dst", FWPS_FIELD_STREAM_V4_IP_LOCAL_ADDRESS},
	    /* outbound-ippacket: the source is local */
	    {WEIR_LAYER_OUTBOUND_IPPACKET_V4, "ip.src",
	     FWPS_FIELD_OUTBOUND_IPPACKET_V4_IP_LOCAL_ADDRESS},
	    {WEIR_LAYER_OUTBOUND_IPPACKET_V4, "ip.dst",
	     FWPS_FIELD_OUTBOUND_IPPACKET_V4_IP_REMOTE_ADDRESS},
	    {WEIR_LAYER_OUTBOUND_IPPACKET_V6, "ip.src",
	     FWPS_FIELD_OUTBOUND_IPPACKET_V6_IP_LOCAL_ADDRESS},
	    /* ipforward: source / destination */
	    {WEIR_LAYER_IPFORWARD_V4, "ip.src", FWPS_FIELD_IPFORWARD_V4_IP_SOURCE_ADDRESS},
	    {WEIR_LAYER_IPFORWARD_V6, "ip.dst", FWPS_FIELD_IPFORWARD_V6_IP_DESTINATION_ADDRESS},
	    /* addresses are absent at the MAC layers */
	    {WEIR_LAYER_INBOUND_MAC_FRAME, "ip.src", -1},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, "ip.dst", -1},
	};

	(void)state;
	check_names(names, ARRAY_SIZE(names));
	/* the field's attribute agrees with the policy name */
	assert_int_equal(L(WEIR_LAYER_OUTBOUND_IPPACKET_V4)
	                     ->fields[FWPS_FIELD_OUTBOUND_IPPACKET_V4_IP_LOCAL_ADDRESS]
	                     .attr,
	                 WEIR_ATTR_IP_SRC);
	assert_int_equal(L(WEIR_LAYER_INBOUND_IPPACKET_V4)
	                     ->fields[FWPS_FIELD_INBOUND_IPPACKET_V4_IP_LOCAL_ADDRESS]
	                     .attr,
	                 WEIR_ATTR_IP_DST);
}

static void test_policy_mac(void **state)
{
	static const struct want_name names[] = {
	    {WEIR_LAYER_INBOUND_MAC_FRAME, "eth.type",
	     FWPS_FIELD_INBOUND_MAC_FRAME_ETHERNET_ETHER_TYPE},
	    {WEIR_LAYER_INBOUND_MAC_FRAME, "eth.src",
	     FWPS_FIELD_INBOUND_MAC_FRAME_ETHERNET_MAC_REMOTE_ADDRESS},
	    {WEIR_LAYER_INBOUND_MAC_FRAME, "eth.dst",
	     FWPS_FIELD_INBOUND_MAC_FRAME_ETHERNET_MAC_LOCAL_ADDRESS},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, "eth.src",
	     FWPS_FIELD_OUTBOUND_MAC_FRAME_ETHERNET_MAC_LOCAL_ADDRESS},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, "eth.dst",
	     FWPS_FIELD_OUTBOUND_MAC_FRAME_ETHERNET_MAC_REMOTE_ADDRESS},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, "vlan.id",
	     FWPS_FIELD_OUTBOUND_MAC_FRAME_ETHERNET_VLAN_ID},
	    {WEIR_LAYER_INBOUND_MAC_FRAME, "pkt.len", FWPS_FIELD_INBOUND_MAC_FRAME_ETHERNET_MAX},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, "if.in",
	     FWPS_FIELD_OUTBOUND_MAC_FRAME_ETHERNET_MAX + 1},
	    /* IP and transport names do not exist at the MAC layers */
	    {WEIR_LAYER_INBOUND_MAC_FRAME, "l4.dst-port", -1},
	    {WEIR_LAYER_INBOUND_MAC_FRAME, "ip.proto", -1},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, "tcp.flags", -1},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, "ip.ttl", -1},
	};
	unsigned i;

	(void)state;
	check_names(names, ARRAY_SIZE(names));
	/* MAC names do not exist at the IP layers */
	for (i = 0; i < WEIR_LAYER_COUNT; i++) {
		if (L(i)->ip_version == 0)
			continue;
		assert_int_equal(policy(i, "eth.type"), -1);
		assert_int_equal(policy(i, "eth.src"), -1);
		assert_int_equal(policy(i, "eth.dst"), -1);
		assert_int_equal(policy(i, "vlan.id"), -1);
	}
}

/* Names every IP layer has, each on its extension field. */
static void test_policy_extension_names(void **state)
{
	static const struct {
		const char *name;
		const GUID *key;
		FWP_DATA_TYPE type;
		enum weir_pkt_attr attr;
	} ext[] = {
	    {"l4.src-port", &WEIR_CONDITION_L4_SRC_PORT, FWP_UINT16, WEIR_ATTR_SRC_PORT},
	    {"l4.dst-port", &WEIR_CONDITION_L4_DST_PORT, FWP_UINT16, WEIR_ATTR_DST_PORT},
	    {"icmp.type", &WEIR_CONDITION_ICMP_TYPE_V, FWP_UINT8, WEIR_ATTR_ICMP_TYPE},
	    {"icmp.code", &WEIR_CONDITION_ICMP_CODE_V, FWP_UINT8, WEIR_ATTR_ICMP_CODE},
	    {"tcp.flags", &WEIR_CONDITION_TCP_FLAGS, FWP_UINT8, WEIR_ATTR_TCP_FLAGS},
	    {"ip.dscp", &WEIR_CONDITION_IP_DSCP, FWP_UINT8, WEIR_ATTR_DSCP},
	    {"ip.ttl", &WEIR_CONDITION_IP_TTL, FWP_UINT8, WEIR_ATTR_TTL},
	    {"pkt.len", &WEIR_CONDITION_PKT_LEN, FWP_UINT32, WEIR_ATTR_PKT_LEN},
	    {"if.in", &WEIR_CONDITION_IF_IN, FWP_UINT32, WEIR_ATTR_IF_IN},
	    {"if.out", &WEIR_CONDITION_IF_OUT, FWP_UINT32, WEIR_ATTR_IF_OUT},
	};
	unsigned i;
	size_t k;

	(void)state;
	for (i = 0; i < WEIR_LAYER_COUNT; i++) {
		const struct weir_layer_desc *l = L(i);

		if (l->ip_version == 0)
			continue;
		for (k = 0; k < ARRAY_SIZE(ext); k++) {
			int f = policy(i, ext[k].name);

			assert_true(f >= (int)l->wfp_field_count);
			assert_true(weir_guid_equal(l->fields[f].key, ext[k].key));
			assert_int_equal(l->fields[f].type, ext[k].type);
			assert_int_equal(l->fields[f].attr, ext[k].attr);
		}
		/* the WFP port fields are not what l4.*-port names */
		assert_int_not_equal(policy(i, "l4.dst-port"),
		                     by_key(i, &FWPM_CONDITION_IP_LOCAL_PORT));
	}
}

/* How weir fills WFP's own fields. */
static void test_attrs(void **state)
{
	static const struct want_attr attrs[] = {
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, FWPS_FIELD_INBOUND_TRANSPORT_V4_ICMP_TYPE,
	     WEIR_ATTR_DPORT_OR_ICMP_TYPE},
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, FWPS_FIELD_INBOUND_TRANSPORT_V4_ICMP_CODE,
	     WEIR_ATTR_SPORT_OR_ICMP_CODE},
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, FWPS_FIELD_INBOUND_TRANSPORT_V4_INTERFACE_INDEX,
	     WEIR_ATTR_IF_IN},
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, FWPS_FIELD_INBOUND_TRANSPORT_V4_FLAGS,
	     WEIR_ATTR_FLAGS},
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, FWPS_FIELD_INBOUND_TRANSPORT_V4_INTERFACE_TYPE,
	     WEIR_ATTR_INTERFACE_TYPE},
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, FWPS_FIELD_INBOUND_TRANSPORT_V4_IP_LOCAL_ADDRESS_TYPE,
	     WEIR_ATTR_DST_ADDR_TYPE},
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4, FWPS_FIELD_INBOUND_TRANSPORT_V4_TUNNEL_TYPE,
	     WEIR_ATTR_ZERO},
	    {WEIR_LAYER_INBOUND_TRANSPORT_V4,
	     FWPS_FIELD_INBOUND_TRANSPORT_V4_IPSEC_SECURITY_REALM_ID, WEIR_ATTR_NONE},
	    {WEIR_LAYER_IPFORWARD_V6, FWPS_FIELD_IPFORWARD_V6_SOURCE_INTERFACE_INDEX,
	     WEIR_ATTR_IF_IN},
	    {WEIR_LAYER_IPFORWARD_V6, FWPS_FIELD_IPFORWARD_V6_DESTINATION_INTERFACE_INDEX,
	     WEIR_ATTR_IF_OUT},
	    {WEIR_LAYER_IPFORWARD_V6, FWPS_FIELD_IPFORWARD_V6_ARRIVAL_INTERFACE_PROFILE_ID,
	     WEIR_ATTR_ZERO},
	    {WEIR_LAYER_OUTBOUND_IPPACKET_V6, FWPS_FIELD_OUTBOUND_IPPACKET_V6_INTERFACE_INDEX,
	     WEIR_ATTR_IF_OUT},
	    {WEIR_LAYER_OUTBOUND_IPPACKET_V6, FWPS_FIELD_OUTBOUND_IPPACKET_V6_IP_REMOTE_ADDRESS,
	     WEIR_ATTR_IP_DST},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME, FWPS_FIELD_OUTBOUND_MAC_FRAME_ETHERNET_INTERFACE_INDEX,
	     WEIR_ATTR_IF_OUT},
	    {WEIR_LAYER_OUTBOUND_MAC_FRAME,
	     FWPS_FIELD_OUTBOUND_MAC_FRAME_ETHERNET_MAC_LOCAL_ADDRESS, WEIR_ATTR_ETH_SRC},
	    {WEIR_LAYER_INBOUND_MAC_FRAME, FWPS_FIELD_INBOUND_MAC_FRAME_ETHERNET_INTERFACE_INDEX,
	     WEIR_ATTR_IF_IN},
	    {WEIR_LAYER_INBOUND_MAC_FRAME, FWPS_FIELD_INBOUND_MAC_FRAME_ETHERNET_MAC_LOCAL_ADDRESS,
	     WEIR_ATTR_ETH_DST},
	    {WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_DIRECTION,
	     WEIR_ATTR_DIRECTION},
	    {WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6, FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_ALE_USER_ID,
	     WEIR_ATTR_NONE},
	};

	(void)state;
	check_attrs(attrs, ARRAY_SIZE(attrs));
	assert_null(L(WEIR_LAYER_ALE_FLOW_ESTABLISHED_V6)
	                ->fields[FWPS_FIELD_ALE_FLOW_ESTABLISHED_V6_RESERVED_2]
	                .key);

	/* every address field has the layer's address type */
	for (unsigned i = 0; i < WEIR_LAYER_COUNT; i++) {
		const struct weir_layer_desc *ly = L(i);

		for (uint32_t f = 0; f < ly->field_count; f++) {
			enum weir_pkt_attr a = ly->fields[f].attr;

			if (a != WEIR_ATTR_IP_SRC && a != WEIR_ATTR_IP_DST)
				continue;
			assert_int_equal(ly->fields[f].type,
			                 ly->ip_version == 4 ? FWP_UINT32 : FWP_BYTE_ARRAY16_TYPE);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_layer_found),
	    cmocka_unit_test(test_lookups_miss),
	    cmocka_unit_test(test_layers_distinct),
	    cmocka_unit_test(test_guid_equal),
	    cmocka_unit_test(test_fields_well_formed),
	    cmocka_unit_test(test_fields_in_wfp_order),
	    cmocka_unit_test(test_wfp_values),
	    cmocka_unit_test(test_weir_conditions_distinct),
	    cmocka_unit_test(test_extension_fields),
	    cmocka_unit_test(test_policy_addresses),
	    cmocka_unit_test(test_policy_mac),
	    cmocka_unit_test(test_policy_extension_names),
	    cmocka_unit_test(test_attrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
