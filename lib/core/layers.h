/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The table of weir's layers (internal): for each layer its names, WFP GUID,
 * run-time id, and the description of every field of its incoming values —
 * which condition GUID it answers to, its WFP data type, which packet
 * attribute fills it, and which policy-language name selects it.
 *
 * A layer's fields are WFP's FWPS_FIELDS_<LAYER> in WFP's order (index ==
 * FWPS_FIELD_<LAYER>_<NAME>), followed by weir's extension fields (see
 * layers.c). The table is constant: it may be read from any thread.
 */
#ifndef WEIR_CORE_LAYERS_H
#define WEIR_CORE_LAYERS_H

#include <stdbool.h>
#include <stdint.h>

#include <weir/weir.h>

/**
 * Which packet attribute fills a field. Address-like attributes are the
 * packet's own (source/destination); each layer maps WFP's local/remote
 * fields onto them (local = destination except at the outbound layers).
 */
enum weir_pkt_attr {
	WEIR_ATTR_NONE = 0, /**< weir has no value: FWP_EMPTY */
	WEIR_ATTR_IP_SRC,   /**< IP source address */
	WEIR_ATTR_IP_DST,   /**< IP destination address */
	WEIR_ATTR_IP_PROTO, /**< IPv4 protocol / IPv6 upper-layer next header */
	WEIR_ATTR_SRC_PORT, /**< pure TCP/UDP/SCTP source port, else FWP_EMPTY */
	WEIR_ATTR_DST_PORT, /**< pure TCP/UDP/SCTP destination port, else FWP_EMPTY */
	/* WFP's IP_LOCAL_PORT / IP_REMOTE_PORT: a port, or for ICMP the type / code */
	WEIR_ATTR_DPORT_OR_ICMP_TYPE, /**< IP_LOCAL_PORT at inbound layers */
	WEIR_ATTR_SPORT_OR_ICMP_CODE, /**< IP_REMOTE_PORT at inbound layers */
	WEIR_ATTR_SPORT_OR_ICMP_TYPE, /**< IP_LOCAL_PORT at outbound layers */
	WEIR_ATTR_DPORT_OR_ICMP_CODE, /**< IP_REMOTE_PORT at outbound layers */
	WEIR_ATTR_ICMP_TYPE,          /**< ICMP/ICMPv6 type, else FWP_EMPTY */
	WEIR_ATTR_ICMP_CODE,          /**< ICMP/ICMPv6 code, else FWP_EMPTY */
	WEIR_ATTR_TCP_FLAGS,          /**< low 8 TCP flag bits, else FWP_EMPTY */
	WEIR_ATTR_DSCP,               /**< DSCP, 0..63 */
	WEIR_ATTR_TTL,                /**< IPv4 TTL / IPv6 hop limit */
	WEIR_ATTR_PKT_LEN,            /**< frame length in bytes */
	WEIR_ATTR_IF_IN,              /**< DPDK port the packet arrived on */
	WEIR_ATTR_IF_OUT,             /**< DPDK port the packet leaves on */
	WEIR_ATTR_ETH_TYPE,           /**< EtherType */
	WEIR_ATTR_ETH_SRC,            /**< source MAC address */
	WEIR_ATTR_ETH_DST,            /**< destination MAC address */
	WEIR_ATTR_VLAN_ID,            /**< 802.1Q tag (WFP documents the whole 16-bit TCI) */
	/**
	 * NL_ADDRESS_TYPE of the packet's destination address (the local address
	 * at inbound layers): 0 unspecified, 1 unicast, 2 anycast, 3 multicast,
	 * 4 broadcast.
	 */
	WEIR_ATTR_DST_ADDR_TYPE,
	WEIR_ATTR_FLAGS,          /**< FWP_CONDITION_FLAG_* of this classify */
	WEIR_ATTR_DIRECTION,      /**< FWP_DIRECTION of the packet within its flow */
	WEIR_ATTR_INTERFACE_TYPE, /**< constant 6 (IF_TYPE_ETHERNET_CSMACD) */
	WEIR_ATTR_ZERO,           /**< field exists, always 0 (compartment, profile ids) */
	WEIR_ATTR_COUNT
};

/** One field of a layer's incoming values. */
struct weir_field_desc {
	/** FWPM_CONDITION_* (or WEIR_CONDITION_*) this field answers to; NULL for
	 *  a field no condition can name (WFP's RESERVED_n fields). */
	const GUID *key;
	/** The FWPS_FIELD_<LAYER>_ suffix ("IP_LOCAL_ADDRESS"), or for an
	 *  extension field the WEIR_CONDITION_ suffix ("L4_DST_PORT"). */
	const char *name;
	/** WFP's type of the incoming value: FWP_UINT8/16/32/64,
	 *  FWP_BYTE_ARRAY16_TYPE (IPv6 address), FWP_BYTE_ARRAY6_TYPE (MAC) ... */
	FWP_DATA_TYPE type;
	/** How weir fills it. */
	enum weir_pkt_attr attr;
	/** Policy-language name that selects this field at this layer, or NULL. */
	const char *policy;
};

/** One of weir's layers. */
struct weir_layer_desc {
	enum weir_layer id;
	const char *name;         /**< policy name: "inbound-transport-v4" */
	const char *wfp_name;     /**< "FWPM_LAYER_INBOUND_TRANSPORT_V4" */
	const GUID *key;          /**< &FWPM_LAYER_... */
	UINT16 fwps_id;           /**< FWPS_LAYER_... */
	uint8_t ip_version;       /**< 0 (MAC frame), 4 or 6 */
	bool outbound;            /**< outbound-ippacket / outbound-mac-frame: local = source */
	uint32_t wfp_field_count; /**< FWPS_FIELDS_<LAYER>_MAX: WFP's fields come first */
	uint32_t field_count;     /**< wfp_field_count + weir's extension fields */
	const struct weir_field_desc *fields;
};

/** @return the layer, or NULL if @p id is out of range. */
const struct weir_layer_desc *weir_layer_get(enum weir_layer id);

/** @return the layer whose FWPM_LAYER_* GUID is @p key, or NULL (also for NULL). */
const struct weir_layer_desc *weir_layer_by_key(const GUID *key);

/** @return the layer whose FWPS_LAYER_* id is @p fwps_id, or NULL. */
const struct weir_layer_desc *weir_layer_by_fwps_id(UINT16 fwps_id);

/** @return the layer with policy name @p name, or NULL (also for NULL). */
const struct weir_layer_desc *weir_layer_by_name(const char *name);

/**
 * Find the field of @p l that condition @p cond names.
 * @return the index of the first field with that GUID, or -1 (also for NULL
 *   arguments).
 */
int weir_layer_field_by_key(const struct weir_layer_desc *l, const GUID *cond);

/**
 * Find the field of @p l that policy-language field @p policy ("ip.src")
 * selects.
 * @return its index, or -1 if the name does not exist at this layer.
 */
int weir_layer_field_by_policy(const struct weir_layer_desc *l, const char *policy);

/** @return true if @p a and @p b are the same GUID (false if either is NULL). */
bool weir_guid_equal(const GUID *a, const GUID *b);

#endif /* WEIR_CORE_LAYERS_H */
