/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table of weir's layers and of the fields of each.
 *
 * Every table starts with WFP's fields, indexed by WFP's FWPS_FIELD_ enum
 * (designated initializers, so an index can only be WFP's), each with WFP's
 * condition GUID and data type. Where WFP's field has no counterpart on a
 * forwarding box (ALE user and app ids, IPsec realm, interface LUIDs ...),
 * it stays FWP_EMPTY (WEIR_ATTR_NONE); where the right value is a constant
 * (no tunnel, no profile, compartment 0) it is that constant (WEIR_ATTR_ZERO).
 *
 * Local and remote: WFP names addresses and ports from the host's point of
 * view. weir forwards, so it takes the receiving side's view: at every layer
 * but outbound-ippacket and outbound-mac-frame the local address/port is the
 * packet's destination and the remote one its source; at those two, the
 * local side is the packet's source. IPFORWARD has SOURCE/DESTINATION fields.
 * As in WFP, the IP_LOCAL_PORT / IP_REMOTE_PORT fields carry the ICMP type /
 * code for ICMP packets.
 *
 * After WFP's fields come weir's extension fields, the same at every IP
 * layer, in this order:
 *   FWPM_CONDITION_IP_PROTOCOL   only where WFP's layer has no IP_PROTOCOL
 *   WEIR_CONDITION_L4_SRC_PORT   WEIR_CONDITION_L4_DST_PORT
 *   WEIR_CONDITION_ICMP_TYPE_V   WEIR_CONDITION_ICMP_CODE_V
 *   WEIR_CONDITION_TCP_FLAGS     WEIR_CONDITION_IP_DSCP
 *   WEIR_CONDITION_IP_TTL        WEIR_CONDITION_PKT_LEN
 *   WEIR_CONDITION_IF_IN         WEIR_CONDITION_IF_OUT
 * and at the two MAC-frame layers:
 *   WEIR_CONDITION_PKT_LEN  WEIR_CONDITION_IF_IN  WEIR_CONDITION_IF_OUT
 * They give direction-free names to what policies match on most (ports that
 * are never ICMP values, the ports a packet came in and goes out on).
 *
 * Policy-language names map to one field per layer: ip.src/ip.dst to WFP's
 * address fields, ip.proto to the IP_PROTOCOL field (WFP's or weir's),
 * eth.* and vlan.id to WFP's MAC-layer fields, everything else to the
 * extension fields.
 */
#include <string.h>

#include "core/layers.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The tables below are aligned by hand, one field a line. */
/* clang-format off */

/* FWPS_FIELD_<L>_<F>, after expanding L. */
#define FIDX_(L, F) FWPS_FIELD_##L##_##F
#define FIDX(L, F) FIDX_(L, F)

/* A WFP field of layer L: FWPS_FIELD_<L>_<F>, condition FWPM_CONDITION_<C>. */
#define WF(L, F, C, T, A, P)                                                                       \
	[FIDX(L, F)] = {&FWPM_CONDITION_##C, #F, T, WEIR_ATTR_##A, P}

/* A field WFP reserves: no condition names it, weir never fills it. */
#define RF(L, F) [FIDX(L, F)] = {NULL, #F, FWP_EMPTY, WEIR_ATTR_NONE, NULL}

/* Extension field number K of layer L (after FWPS_FIELD_<L>_MAX). */
#define XF(L, K, C, N, T, A, P) [FIDX(L, MAX) + (K)] = {&C, N, T, WEIR_ATTR_##A, P}

#define A4 FWP_UINT32            /* IPv4 address, host order */
#define A6 FWP_BYTE_ARRAY16_TYPE /* IPv6 address, network order */
#define MAC FWP_BYTE_ARRAY6_TYPE
#define BLOB FWP_BYTE_BLOB_TYPE
#define TOKEN FWP_TOKEN_ACCESS_INFORMATION_TYPE

/* Number of extension fields of an IP layer, without / with IP_PROTOCOL. */
#define N_EXT_IP 10
#define N_EXT_MAC 3

/* weir's IP_PROTOCOL field, for layers where WFP has none. */
#define EXT_PROTO(L)                                                                               \
	XF(L, 0, FWPM_CONDITION_IP_PROTOCOL, "IP_PROTOCOL", FWP_UINT8, IP_PROTO, "ip.proto")

/* The extension fields every IP layer has, from extension slot O on. */
#define EXT_IP(L, O)                                                                               \
	XF(L, (O) + 0, WEIR_CONDITION_L4_SRC_PORT, "L4_SRC_PORT", FWP_UINT16, SRC_PORT,           \
	   "l4.src-port"),                                                                         \
	XF(L, (O) + 1, WEIR_CONDITION_L4_DST_PORT, "L4_DST_PORT", FWP_UINT16, DST_PORT,           \
	   "l4.dst-port"),                                                                         \
	XF(L, (O) + 2, WEIR_CONDITION_ICMP_TYPE_V, "ICMP_TYPE_V", FWP_UINT8, ICMP_TYPE,           \
	   "icmp.type"),                                                                           \
	XF(L, (O) + 3, WEIR_CONDITION_ICMP_CODE_V, "ICMP_CODE_V", FWP_UINT8, ICMP_CODE,           \
	   "icmp.code"),                                                                           \
	XF(L, (O) + 4, WEIR_CONDITION_TCP_FLAGS, "TCP_FLAGS", FWP_UINT8, TCP_FLAGS, "tcp.flags"),  \
	XF(L, (O) + 5, WEIR_CONDITION_IP_DSCP, "IP_DSCP", FWP_UINT8, DSCP, "ip.dscp"),             \
	XF(L, (O) + 6, WEIR_CONDITION_IP_TTL, "IP_TTL", FWP_UINT8, TTL, "ip.ttl"),                 \
	XF(L, (O) + 7, WEIR_CONDITION_PKT_LEN, "PKT_LEN", FWP_UINT32, PKT_LEN, "pkt.len"),         \
	XF(L, (O) + 8, WEIR_CONDITION_IF_IN, "IF_IN", FWP_UINT32, IF_IN, "if.in"),                 \
	XF(L, (O) + 9, WEIR_CONDITION_IF_OUT, "IF_OUT", FWP_UINT32, IF_OUT, "if.out")

/* The extension fields of the MAC-frame layers. */
#define EXT_MAC(L)                                                                                 \
	XF(L, 0, WEIR_CONDITION_PKT_LEN, "PKT_LEN", FWP_UINT32, PKT_LEN, "pkt.len"),               \
	XF(L, 1, WEIR_CONDITION_IF_IN, "IF_IN", FWP_UINT32, IF_IN, "if.in"),                       \
	XF(L, 2, WEIR_CONDITION_IF_OUT, "IF_OUT", FWP_UINT32, IF_OUT, "if.out")

/*
 * MAC frame layers. LOC/REM: the MAC address the local and the remote field
 * hold (destination and source inbound, the reverse outbound), with their
 * policy names; IFX: the port INTERFACE_INDEX names.
 */
#define FIELDS_MAC_FRAME(L, LOC, LOC_P, REM, REM_P, IFX)                                          \
	WF(L, INTERFACE_MAC_ADDRESS, INTERFACE_MAC_ADDRESS, MAC, NONE, NULL),                      \
	WF(L, MAC_LOCAL_ADDRESS, MAC_LOCAL_ADDRESS, MAC, LOC, LOC_P),                              \
	WF(L, MAC_REMOTE_ADDRESS, MAC_REMOTE_ADDRESS, MAC, REM, REM_P),                            \
	WF(L, MAC_LOCAL_ADDRESS_TYPE, MAC_LOCAL_ADDRESS_TYPE, FWP_UINT8, NONE, NULL),              \
	WF(L, MAC_REMOTE_ADDRESS_TYPE, MAC_REMOTE_ADDRESS_TYPE, FWP_UINT8, NONE, NULL),            \
	WF(L, ETHER_TYPE, ETHER_TYPE, FWP_UINT16, ETH_TYPE, "eth.type"),                           \
	WF(L, VLAN_ID, VLAN_ID, FWP_UINT16, VLAN_ID, "vlan.id"),                                   \
	WF(L, INTERFACE, INTERFACE, FWP_UINT64, NONE, NULL),                                       \
	WF(L, INTERFACE_INDEX, INTERFACE_INDEX, FWP_UINT32, IFX, NULL),                            \
	WF(L, NDIS_PORT, NDIS_PORT, FWP_UINT32, ZERO, NULL),                                       \
	WF(L, L2_FLAGS, L2_FLAGS, FWP_UINT32, NONE, NULL),                                         \
	WF(L, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32, ZERO, NULL)

static const struct weir_field_desc f_inbound_mac_frame[] = {
	FIELDS_MAC_FRAME(INBOUND_MAC_FRAME_ETHERNET, ETH_DST, "eth.dst", ETH_SRC, "eth.src",
			 IF_IN),
	EXT_MAC(INBOUND_MAC_FRAME_ETHERNET),
};

static const struct weir_field_desc f_outbound_mac_frame[] = {
	FIELDS_MAC_FRAME(OUTBOUND_MAC_FRAME_ETHERNET, ETH_SRC, "eth.src", ETH_DST, "eth.dst",
			 IF_OUT),
	EXT_MAC(OUTBOUND_MAC_FRAME_ETHERNET),
};

/* INBOUND_IPPACKET: local = destination. */
#define FIELDS_INBOUND_IPPACKET(L, AT)                                                             \
	WF(L, IP_LOCAL_ADDRESS, IP_LOCAL_ADDRESS, AT, IP_DST, "ip.dst"),                           \
	WF(L, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, AT, IP_SRC, "ip.src"),                         \
	WF(L, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE, FWP_UINT8, DST_ADDR_TYPE, NULL),       \
	WF(L, IP_LOCAL_INTERFACE, IP_LOCAL_INTERFACE, FWP_UINT64, NONE, NULL),                     \
	WF(L, INTERFACE_INDEX, INTERFACE_INDEX, FWP_UINT32, IF_IN, NULL),                          \
	WF(L, SUB_INTERFACE_INDEX, SUB_INTERFACE_INDEX, FWP_UINT32, NONE, NULL),                   \
	WF(L, FLAGS, FLAGS, FWP_UINT32, FLAGS, NULL),                                              \
	WF(L, INTERFACE_TYPE, INTERFACE_TYPE, FWP_UINT32, INTERFACE_TYPE, NULL),                   \
	WF(L, TUNNEL_TYPE, TUNNEL_TYPE, FWP_UINT32, ZERO, NULL),                                   \
	WF(L, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32, ZERO, NULL),                             \
	EXT_PROTO(L), EXT_IP(L, 1)

static const struct weir_field_desc f_inbound_ippacket_v4[] = {
	FIELDS_INBOUND_IPPACKET(INBOUND_IPPACKET_V4, A4),
};

static const struct weir_field_desc f_inbound_ippacket_v6[] = {
	FIELDS_INBOUND_IPPACKET(INBOUND_IPPACKET_V6, A6),
};

/* IPFORWARD: source / destination; the source side arrived on if.in. */
#define FIELDS_IPFORWARD(L, AT)                                                                    \
	WF(L, IP_SOURCE_ADDRESS, IP_SOURCE_ADDRESS, AT, IP_SRC, "ip.src"),                         \
	WF(L, IP_DESTINATION_ADDRESS, IP_DESTINATION_ADDRESS, AT, IP_DST, "ip.dst"),               \
	WF(L, IP_DESTINATION_ADDRESS_TYPE, IP_DESTINATION_ADDRESS_TYPE, FWP_UINT8, DST_ADDR_TYPE,  \
	   NULL),                                                                                  \
	WF(L, IP_LOCAL_INTERFACE, IP_LOCAL_INTERFACE, FWP_UINT64, NONE, NULL),                     \
	WF(L, IP_FORWARD_INTERFACE, IP_FORWARD_INTERFACE, FWP_UINT64, NONE, NULL),                 \
	WF(L, SOURCE_INTERFACE_INDEX, SOURCE_INTERFACE_INDEX, FWP_UINT32, IF_IN, NULL),            \
	WF(L, SOURCE_SUB_INTERFACE_INDEX, SOURCE_SUB_INTERFACE_INDEX, FWP_UINT32, NONE, NULL),     \
	WF(L, DESTINATION_INTERFACE_INDEX, DESTINATION_INTERFACE_INDEX, FWP_UINT32, IF_OUT,        \
	   NULL),                                                                                  \
	WF(L, DESTINATION_SUB_INTERFACE_INDEX, DESTINATION_SUB_INTERFACE_INDEX, FWP_UINT32, NONE,  \
	   NULL),                                                                                  \
	WF(L, FLAGS, FLAGS, FWP_UINT32, FLAGS, NULL),                                              \
	WF(L, IP_PHYSICAL_ARRIVAL_INTERFACE, IP_PHYSICAL_ARRIVAL_INTERFACE, FWP_UINT64, NONE,      \
	   NULL),                                                                                  \
	WF(L, ARRIVAL_INTERFACE_PROFILE_ID, ARRIVAL_INTERFACE_PROFILE_ID, FWP_UINT32, ZERO, NULL), \
	WF(L, IP_PHYSICAL_NEXTHOP_INTERFACE, IP_PHYSICAL_NEXTHOP_INTERFACE, FWP_UINT64, NONE,      \
	   NULL),                                                                                  \
	WF(L, NEXTHOP_INTERFACE_PROFILE_ID, NEXTHOP_INTERFACE_PROFILE_ID, FWP_UINT32, ZERO, NULL), \
	WF(L, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32, ZERO, NULL),                             \
	EXT_PROTO(L), EXT_IP(L, 1)

static const struct weir_field_desc f_ipforward_v4[] = {
	FIELDS_IPFORWARD(IPFORWARD_V4, A4),
};

static const struct weir_field_desc f_ipforward_v6[] = {
	FIELDS_IPFORWARD(IPFORWARD_V6, A6),
};

/* INBOUND_TRANSPORT: WFP's PROFILE_ID field answers to CURRENT_PROFILE_ID. */
#define FIELDS_INBOUND_TRANSPORT(L, AT)                                                            \
	WF(L, IP_PROTOCOL, IP_PROTOCOL, FWP_UINT8, IP_PROTO, "ip.proto"),                          \
	WF(L, IP_LOCAL_ADDRESS, IP_LOCAL_ADDRESS, AT, IP_DST, "ip.dst"),                           \
	WF(L, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, AT, IP_SRC, "ip.src"),                         \
	WF(L, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE, FWP_UINT8, DST_ADDR_TYPE, NULL),       \
	WF(L, IP_LOCAL_PORT, IP_LOCAL_PORT, FWP_UINT16, DPORT_OR_ICMP_TYPE, NULL),                 \
	WF(L, IP_REMOTE_PORT, IP_REMOTE_PORT, FWP_UINT16, SPORT_OR_ICMP_CODE, NULL),               \
	WF(L, IP_LOCAL_INTERFACE, IP_LOCAL_INTERFACE, FWP_UINT64, NONE, NULL),                     \
	WF(L, INTERFACE_INDEX, INTERFACE_INDEX, FWP_UINT32, IF_IN, NULL),                          \
	WF(L, SUB_INTERFACE_INDEX, SUB_INTERFACE_INDEX, FWP_UINT32, NONE, NULL),                   \
	WF(L, FLAGS, FLAGS, FWP_UINT32, FLAGS, NULL),                                              \
	WF(L, INTERFACE_TYPE, INTERFACE_TYPE, FWP_UINT32, INTERFACE_TYPE, NULL),                   \
	WF(L, TUNNEL_TYPE, TUNNEL_TYPE, FWP_UINT32, ZERO, NULL),                                   \
	WF(L, PROFILE_ID, CURRENT_PROFILE_ID, FWP_UINT32, ZERO, NULL),                             \
	WF(L, IPSEC_SECURITY_REALM_ID, IPSEC_SECURITY_REALM_ID, BLOB, NONE, NULL),                 \
	WF(L, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32, ZERO, NULL),                             \
	EXT_IP(L, 0)

static const struct weir_field_desc f_inbound_transport_v4[] = {
	FIELDS_INBOUND_TRANSPORT(INBOUND_TRANSPORT_V4, A4),
};

static const struct weir_field_desc f_inbound_transport_v6[] = {
	FIELDS_INBOUND_TRANSPORT(INBOUND_TRANSPORT_V6, A6),
};

/*
 * ALE_FLOW_ESTABLISHED. The RESERVED_n fields have no documented condition.
 * WFP documents no incoming type for PACKAGE_FAMILY_NAME; weir takes the
 * string type, the form a package family name has.
 */
#define FIELDS_ALE_FLOW_ESTABLISHED(L, AT)                                                         \
	WF(L, ALE_APP_ID, ALE_APP_ID, BLOB, NONE, NULL),                                           \
	WF(L, ALE_USER_ID, ALE_USER_ID, TOKEN, NONE, NULL),                                        \
	WF(L, IP_LOCAL_ADDRESS, IP_LOCAL_ADDRESS, AT, IP_DST, "ip.dst"),                           \
	WF(L, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE, FWP_UINT8, DST_ADDR_TYPE, NULL),       \
	WF(L, IP_LOCAL_PORT, IP_LOCAL_PORT, FWP_UINT16, DPORT_OR_ICMP_TYPE, NULL),                 \
	WF(L, IP_PROTOCOL, IP_PROTOCOL, FWP_UINT8, IP_PROTO, "ip.proto"),                          \
	WF(L, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, AT, IP_SRC, "ip.src"),                         \
	WF(L, IP_REMOTE_PORT, IP_REMOTE_PORT, FWP_UINT16, SPORT_OR_ICMP_CODE, NULL),               \
	WF(L, ALE_REMOTE_USER_ID, ALE_REMOTE_USER_ID, TOKEN, NONE, NULL),                          \
	WF(L, ALE_REMOTE_MACHINE_ID, ALE_REMOTE_MACHINE_ID, TOKEN, NONE, NULL),                    \
	WF(L, IP_DESTINATION_ADDRESS_TYPE, IP_DESTINATION_ADDRESS_TYPE, FWP_UINT8, DST_ADDR_TYPE,  \
	   NULL),                                                                                  \
	WF(L, IP_LOCAL_INTERFACE, IP_LOCAL_INTERFACE, FWP_UINT64, NONE, NULL),                     \
	WF(L, DIRECTION, DIRECTION, FWP_UINT32, DIRECTION, NULL),                                  \
	WF(L, INTERFACE_TYPE, INTERFACE_TYPE, FWP_UINT32, INTERFACE_TYPE, NULL),                   \
	WF(L, TUNNEL_TYPE, TUNNEL_TYPE, FWP_UINT32, ZERO, NULL),                                   \
	WF(L, FLAGS, FLAGS, FWP_UINT32, FLAGS, NULL),                                              \
	WF(L, ALE_ORIGINAL_APP_ID, ALE_ORIGINAL_APP_ID, BLOB, NONE, NULL),                         \
	WF(L, ALE_PACKAGE_ID, ALE_PACKAGE_ID, FWP_SID, NONE, NULL),                                \
	WF(L, ALE_SECURITY_ATTRIBUTE_FQBN_VALUE, ALE_SECURITY_ATTRIBUTE_FQBN_VALUE, BLOB, NONE,    \
	   NULL),                                                                                  \
	WF(L, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32, ZERO, NULL),                             \
	RF(L, RESERVED_0), RF(L, RESERVED_1), RF(L, RESERVED_2), RF(L, RESERVED_3),                \
	WF(L, PACKAGE_FAMILY_NAME, ALE_PACKAGE_FAMILY_NAME, FWP_UNICODE_STRING_TYPE, NONE, NULL),  \
	EXT_IP(L, 0)

static const struct weir_field_desc f_ale_flow_established_v4[] = {
	FIELDS_ALE_FLOW_ESTABLISHED(ALE_FLOW_ESTABLISHED_V4, A4),
};

static const struct weir_field_desc f_ale_flow_established_v6[] = {
	FIELDS_ALE_FLOW_ESTABLISHED(ALE_FLOW_ESTABLISHED_V6, A6),
};

/* DATAGRAM_DATA */
#define FIELDS_DATAGRAM_DATA(L, AT)                                                                \
	WF(L, IP_PROTOCOL, IP_PROTOCOL, FWP_UINT8, IP_PROTO, "ip.proto"),                          \
	WF(L, IP_LOCAL_ADDRESS, IP_LOCAL_ADDRESS, AT, IP_DST, "ip.dst"),                           \
	WF(L, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, AT, IP_SRC, "ip.src"),                         \
	WF(L, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE, FWP_UINT8, DST_ADDR_TYPE, NULL),       \
	WF(L, IP_LOCAL_PORT, IP_LOCAL_PORT, FWP_UINT16, DPORT_OR_ICMP_TYPE, NULL),                 \
	WF(L, IP_REMOTE_PORT, IP_REMOTE_PORT, FWP_UINT16, SPORT_OR_ICMP_CODE, NULL),               \
	WF(L, IP_LOCAL_INTERFACE, IP_LOCAL_INTERFACE, FWP_UINT64, NONE, NULL),                     \
	WF(L, INTERFACE_INDEX, INTERFACE_INDEX, FWP_UINT32, IF_IN, NULL),                          \
	WF(L, SUB_INTERFACE_INDEX, SUB_INTERFACE_INDEX, FWP_UINT32, NONE, NULL),                   \
	WF(L, DIRECTION, DIRECTION, FWP_UINT32, DIRECTION, NULL),                                  \
	WF(L, FLAGS, FLAGS, FWP_UINT32, FLAGS, NULL),                                              \
	WF(L, INTERFACE_TYPE, INTERFACE_TYPE, FWP_UINT32, INTERFACE_TYPE, NULL),                   \
	WF(L, TUNNEL_TYPE, TUNNEL_TYPE, FWP_UINT32, ZERO, NULL),                                   \
	WF(L, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32, ZERO, NULL),                             \
	EXT_IP(L, 0)

static const struct weir_field_desc f_datagram_data_v4[] = {
	FIELDS_DATAGRAM_DATA(DATAGRAM_DATA_V4, A4),
};

static const struct weir_field_desc f_datagram_data_v6[] = {
	FIELDS_DATAGRAM_DATA(DATAGRAM_DATA_V6, A6),
};

/* STREAM: TCP only, so the port fields never hold ICMP values. */
#define FIELDS_STREAM(L, AT)                                                                       \
	WF(L, IP_LOCAL_ADDRESS, IP_LOCAL_ADDRESS, AT, IP_DST, "ip.dst"),                           \
	WF(L, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE, FWP_UINT8, DST_ADDR_TYPE, NULL),       \
	WF(L, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, AT, IP_SRC, "ip.src"),                         \
	WF(L, IP_LOCAL_PORT, IP_LOCAL_PORT, FWP_UINT16, DPORT_OR_ICMP_TYPE, NULL),                 \
	WF(L, IP_REMOTE_PORT, IP_REMOTE_PORT, FWP_UINT16, SPORT_OR_ICMP_CODE, NULL),               \
	WF(L, DIRECTION, DIRECTION, FWP_UINT32, DIRECTION, NULL),                                  \
	WF(L, FLAGS, FLAGS, FWP_UINT32, FLAGS, NULL),                                              \
	WF(L, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32, ZERO, NULL),                             \
	EXT_PROTO(L), EXT_IP(L, 1)

static const struct weir_field_desc f_stream_v4[] = {
	FIELDS_STREAM(STREAM_V4, A4),
};

static const struct weir_field_desc f_stream_v6[] = {
	FIELDS_STREAM(STREAM_V6, A6),
};

/*
 * OUTBOUND_IPPACKET: local = source. The type of the local (source) address
 * is not a packet attribute weir computes, so that field stays empty.
 */
#define FIELDS_OUTBOUND_IPPACKET(L, AT)                                                            \
	WF(L, IP_LOCAL_ADDRESS, IP_LOCAL_ADDRESS, AT, IP_SRC, "ip.src"),                           \
	WF(L, IP_LOCAL_ADDRESS_TYPE, IP_LOCAL_ADDRESS_TYPE, FWP_UINT8, NONE, NULL),                \
	WF(L, IP_REMOTE_ADDRESS, IP_REMOTE_ADDRESS, AT, IP_DST, "ip.dst"),                         \
	WF(L, IP_LOCAL_INTERFACE, IP_LOCAL_INTERFACE, FWP_UINT64, NONE, NULL),                     \
	WF(L, INTERFACE_INDEX, INTERFACE_INDEX, FWP_UINT32, IF_OUT, NULL),                         \
	WF(L, SUB_INTERFACE_INDEX, SUB_INTERFACE_INDEX, FWP_UINT32, NONE, NULL),                   \
	WF(L, FLAGS, FLAGS, FWP_UINT32, FLAGS, NULL),                                              \
	WF(L, INTERFACE_TYPE, INTERFACE_TYPE, FWP_UINT32, INTERFACE_TYPE, NULL),                   \
	WF(L, TUNNEL_TYPE, TUNNEL_TYPE, FWP_UINT32, ZERO, NULL),                                   \
	WF(L, COMPARTMENT_ID, COMPARTMENT_ID, FWP_UINT32, ZERO, NULL),                             \
	EXT_PROTO(L), EXT_IP(L, 1)

static const struct weir_field_desc f_outbound_ippacket_v4[] = {
	FIELDS_OUTBOUND_IPPACKET(OUTBOUND_IPPACKET_V4, A4),
};

static const struct weir_field_desc f_outbound_ippacket_v6[] = {
	FIELDS_OUTBOUND_IPPACKET(OUTBOUND_IPPACKET_V6, A6),
};

/*
 * Each table holds exactly WFP's fields plus the extension fields: a table
 * with a gap or an extra entry fails to compile here.
 */
#define CHECK(T, L, N) _Static_assert(ARRAY_SIZE(T) == FIDX(L, MAX) + (N), #T " size")
CHECK(f_inbound_mac_frame, INBOUND_MAC_FRAME_ETHERNET, N_EXT_MAC);
CHECK(f_outbound_mac_frame, OUTBOUND_MAC_FRAME_ETHERNET, N_EXT_MAC);
CHECK(f_inbound_ippacket_v4, INBOUND_IPPACKET_V4, N_EXT_IP + 1);
CHECK(f_inbound_ippacket_v6, INBOUND_IPPACKET_V6, N_EXT_IP + 1);
CHECK(f_ipforward_v4, IPFORWARD_V4, N_EXT_IP + 1);
CHECK(f_ipforward_v6, IPFORWARD_V6, N_EXT_IP + 1);
CHECK(f_inbound_transport_v4, INBOUND_TRANSPORT_V4, N_EXT_IP);
CHECK(f_inbound_transport_v6, INBOUND_TRANSPORT_V6, N_EXT_IP);
CHECK(f_ale_flow_established_v4, ALE_FLOW_ESTABLISHED_V4, N_EXT_IP);
CHECK(f_ale_flow_established_v6, ALE_FLOW_ESTABLISHED_V6, N_EXT_IP);
CHECK(f_datagram_data_v4, DATAGRAM_DATA_V4, N_EXT_IP);
CHECK(f_datagram_data_v6, DATAGRAM_DATA_V6, N_EXT_IP);
CHECK(f_stream_v4, STREAM_V4, N_EXT_IP + 1);
CHECK(f_stream_v6, STREAM_V6, N_EXT_IP + 1);
CHECK(f_outbound_ippacket_v4, OUTBOUND_IPPACKET_V4, N_EXT_IP + 1);
CHECK(f_outbound_ippacket_v6, OUTBOUND_IPPACKET_V6, N_EXT_IP + 1);

/* A layer: ID is the weir_layer suffix, W the WFP layer name suffix. */
#define LAYER(ID, NAME, W, V, OUT, T)                                                              \
	[WEIR_LAYER_##ID] = {                                                                      \
		.id = WEIR_LAYER_##ID,                                                             \
		.name = NAME,                                                                      \
		.wfp_name = "FWPM_LAYER_" #W,                                                      \
		.key = &FWPM_LAYER_##W,                                                            \
		.fwps_id = FWPS_LAYER_##W,                                                         \
		.ip_version = V,                                                                   \
		.outbound = OUT,                                                                   \
		.wfp_field_count = FIDX(W, MAX),                                                   \
		.field_count = ARRAY_SIZE(T),                                                      \
		.fields = T,                                                                       \
	}

static const struct weir_layer_desc layers[WEIR_LAYER_COUNT] = {
	LAYER(INBOUND_MAC_FRAME, "inbound-mac-frame", INBOUND_MAC_FRAME_ETHERNET, 0, false,
	      f_inbound_mac_frame),
	LAYER(INBOUND_IPPACKET_V4, "inbound-ippacket-v4", INBOUND_IPPACKET_V4, 4, false,
	      f_inbound_ippacket_v4),
	LAYER(INBOUND_IPPACKET_V6, "inbound-ippacket-v6", INBOUND_IPPACKET_V6, 6, false,
	      f_inbound_ippacket_v6),
	LAYER(IPFORWARD_V4, "ipforward-v4", IPFORWARD_V4, 4, false, f_ipforward_v4),
	LAYER(IPFORWARD_V6, "ipforward-v6", IPFORWARD_V6, 6, false, f_ipforward_v6),
	LAYER(INBOUND_TRANSPORT_V4, "inbound-transport-v4", INBOUND_TRANSPORT_V4, 4, false,
	      f_inbound_transport_v4),
	LAYER(INBOUND_TRANSPORT_V6, "inbound-transport-v6", INBOUND_TRANSPORT_V6, 6, false,
	      f_inbound_transport_v6),
	LAYER(ALE_FLOW_ESTABLISHED_V4, "ale-flow-established-v4", ALE_FLOW_ESTABLISHED_V4, 4, false,
	      f_ale_flow_established_v4),
	LAYER(ALE_FLOW_ESTABLISHED_V6, "ale-flow-established-v6", ALE_FLOW_ESTABLISHED_V6, 6, false,
	      f_ale_flow_established_v6),
	LAYER(DATAGRAM_DATA_V4, "datagram-data-v4", DATAGRAM_DATA_V4, 4, false, f_datagram_data_v4),
	LAYER(DATAGRAM_DATA_V6, "datagram-data-v6", DATAGRAM_DATA_V6, 6, false, f_datagram_data_v6),
	LAYER(STREAM_V4, "stream-v4", STREAM_V4, 4, false, f_stream_v4),
	LAYER(STREAM_V6, "stream-v6", STREAM_V6, 6, false, f_stream_v6),
	LAYER(OUTBOUND_IPPACKET_V4, "outbound-ippacket-v4", OUTBOUND_IPPACKET_V4, 4, true,
	      f_outbound_ippacket_v4),
	LAYER(OUTBOUND_IPPACKET_V6, "outbound-ippacket-v6", OUTBOUND_IPPACKET_V6, 6, true,
	      f_outbound_ippacket_v6),
	LAYER(OUTBOUND_MAC_FRAME, "outbound-mac-frame", OUTBOUND_MAC_FRAME_ETHERNET, 0, true,
	      f_outbound_mac_frame),
};

/* clang-format on */

bool weir_guid_equal(const GUID *a, const GUID *b)
{
	if (a == NULL || b == NULL)
		return false;
	return memcmp(a, b, sizeof(*a)) == 0;
}

const struct weir_layer_desc *weir_layer_get(enum weir_layer id)
{
	if ((unsigned)id >= WEIR_LAYER_COUNT)
		return NULL;
	return &layers[id];
}

const struct weir_layer_desc *weir_layer_by_key(const GUID *key)
{
	unsigned i;

	for (i = 0; i < WEIR_LAYER_COUNT; i++)
		if (weir_guid_equal(layers[i].key, key))
			return &layers[i];
	return NULL;
}

const struct weir_layer_desc *weir_layer_by_fwps_id(UINT16 fwps_id)
{
	unsigned i;

	for (i = 0; i < WEIR_LAYER_COUNT; i++)
		if (layers[i].fwps_id == fwps_id)
			return &layers[i];
	return NULL;
}

const struct weir_layer_desc *weir_layer_by_name(const char *name)
{
	unsigned i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < WEIR_LAYER_COUNT; i++)
		if (strcmp(layers[i].name, name) == 0)
			return &layers[i];
	return NULL;
}

int weir_layer_field_by_key(const struct weir_layer_desc *l, const GUID *cond)
{
	uint32_t i;

	if (l == NULL || cond == NULL)
		return -1;
	/* first match: WFP's field wins over an extension field with the same GUID */
	for (i = 0; i < l->field_count; i++)
		if (weir_guid_equal(l->fields[i].key, cond))
			return (int)i;
	return -1;
}

int weir_layer_field_by_policy(const struct weir_layer_desc *l, const char *policy)
{
	uint32_t i;

	if (l == NULL || policy == NULL)
		return -1;
	for (i = 0; i < l->field_count; i++)
		if (l->fields[i].policy != NULL && strcmp(l->fields[i].policy, policy) == 0)
			return (int)i;
	return -1;
}
