/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * redirect (after WFP's ddproxy sample): a terminating callout at
 * datagram-data-v4 takes UDP packets sent to one address:port (BLOCK +
 * ABSORB: it owns them now), rewrites their destination to a proxy
 * address:port and injects them back on their output port
 * (weir_inject_send, weir's FwpsInjectTransportSendAsync0). Everything else
 * is permitted.
 *
 * args: "match=A.B.C.D:PORT to=E.F.G.H:PORT". Key
 * d0d0a001-0001-4001-8001-000000000001.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir_inject.h>

DEFINE_GUID(REDIRECT_KEY, 0xd0d0a001, 0x0001, 0x4001, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01);

static UINT32 callout_id, match_addr, to_addr; /* host order */
static UINT16 match_port, to_port;
static atomic_uint_fast64_t redirected, failed;

static void NTAPI rd_classify(const FWPS_INCOMING_VALUES0 *in,
                              const FWPS_INCOMING_METADATA_VALUES0 *meta, void *layerData,
                              const void *classifyContext, const FWPS_FILTER1 *filter,
                              UINT64 flowContext, FWPS_CLASSIFY_OUT0 *out)
{
	const FWP_VALUE0 *dst =
	    &in->incomingValue[FWPS_FIELD_DATAGRAM_DATA_V4_IP_LOCAL_ADDRESS].value;
	const FWP_VALUE0 *port =
	    &in->incomingValue[FWPS_FIELD_DATAGRAM_DATA_V4_IP_LOCAL_PORT].value;
	const FWP_VALUE0 *proto = &in->incomingValue[FWPS_FIELD_DATAGRAM_DATA_V4_IP_PROTOCOL].value;
	struct rte_mbuf *m = layerData;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	(void)classifyContext, (void)filter, (void)flowContext;
	out->actionType = FWP_ACTION_PERMIT;
	if (!(out->rights & FWPS_RIGHT_ACTION_WRITE) || m == NULL || proto->uint8 != IPPROTO_UDP ||
	    dst->uint32 != match_addr || port->uint16 != match_port ||
	    rte_pktmbuf_data_len(m) < meta->weirL4Offset + sizeof(*udp))
		return;
	/* the headers are in the first segment: rewrite in place */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, meta->weirL3Offset);
	udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, meta->weirL4Offset);
	ip->dst_addr = htonl(to_addr);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dst_port = htons(to_port);
	udp->dgram_cksum = 0; /* optional over IPv4 */
	out->actionType = FWP_ACTION_BLOCK;
	out->flags |= FWPS_CLASSIFY_OUT_FLAG_ABSORB;
	out->rights &= ~FWPS_RIGHT_ACTION_WRITE;
	if (weir_inject_send(m, meta->weirOutPort) == STATUS_SUCCESS) {
		atomic_fetch_add(&redirected, 1);
	} else {
		atomic_fetch_add(&failed, 1);
		rte_pktmbuf_free(m); /* ours: absorbed */
	}
}

static int parse(const char *args, const char *key, UINT32 *addr, UINT16 *port)
{
	const char *p = args ? strstr(args, key) : NULL;
	unsigned a, b, c, d, pt;

	if (p == NULL || sscanf(p + strlen(key), "%u.%u.%u.%u:%u", &a, &b, &c, &d, &pt) != 5 ||
	    a > 255 || b > 255 || c > 255 || d > 255 || pt > 65535)
		return -1;
	*addr = a << 24 | b << 16 | c << 8 | d;
	*port = (UINT16)pt;
	return 0;
}

NTSTATUS weir_callout_module_load(void *deviceObject, const char *args)
{
	FWPS_CALLOUT1 c;

	if (parse(args, "match=", &match_addr, &match_port) != 0 ||
	    parse(args, "to=", &to_addr, &to_port) != 0)
		return STATUS_INVALID_PARAMETER;
	memset(&c, 0, sizeof(c));
	c.calloutKey = REDIRECT_KEY;
	c.classifyFn = rd_classify;
	return FwpsCalloutRegister1(deviceObject, &c, &callout_id);
}

void weir_callout_module_unload(void *deviceObject)
{
	(void)deviceObject;
	FwpsCalloutUnregisterById0(callout_id);
	printf("redirect: %" PRIu64 " redirected, %" PRIu64 " not injected\n",
	       (uint64_t)atomic_load(&redirected), (uint64_t)atomic_load(&failed));
	fflush(stdout);
}
