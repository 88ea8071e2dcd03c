/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet injection (native; weir's counterpart of WFP's
 * FwpsInjectTransportSendAsync0 family): a callout hands an rte_mbuf it owns
 * (one it absorbed, possibly rewritten, or one it built from the data path's
 * pool) back to the data path, which transmits it on a port.
 *
 * Injected packets are not classified again (WFP's injector is not shown its
 * own packets either; weir shows them to nobody) and are counted apart from
 * received ones ("injected"), so the received-packet conservation check stays
 * exact.
 *
 * Callable from a classifyFn and from any other thread: the packet is queued
 * (multi-producer ring) to a worker that already transmits on @p port - the
 * calling worker itself when it does - and leaves at the end of that
 * worker's loop, so injection never adds a writer to a TX queue.
 */
#ifndef WEIR_INJECT_H
#define WEIR_INJECT_H

#include <stdint.h>

#include <weir/fwptypes.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;

/**
 * Queue @p m for transmission on @p port. On success the data path owns the
 * mbuf (it is sent, or freed and counted if the port's TX ring is full).
 *
 * @return STATUS_SUCCESS; STATUS_FWP_NULL_POINTER (@p m NULL);
 *   STATUS_INVALID_PARAMETER (@p port is not a started port);
 *   STATUS_INVALID_DEVICE_STATE (the data path is not running);
 *   STATUS_INSUFFICIENT_RESOURCES (the injection ring is full). On failure the
 *   caller still owns @p m.
 */
NTSTATUS weir_inject_send(struct rte_mbuf *m, UINT16 port);

#ifdef __cplusplus
}
#endif

#endif /* WEIR_INJECT_H */
