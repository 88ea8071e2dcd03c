/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * weir's data path (native): ports, worker lcores and statistics. Call after
 * rte_eal_init(); the calling thread (the main lcore) stays the control
 * thread and owns every policy change.
 *
 * Topology: ports are paired 0<->1, 2<->3, ...; what is permitted from one
 * leaves on its pair. An odd last port hairpins: what it permits leaves on
 * itself.
 */
#ifndef WEIR_DATAPLANE_H
#define WEIR_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <weir/weir.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Why the data path dropped a packet without a verdict: one X-macro gives
 * the enum (WEIR_DROP_TRUNCATED_L2 ...) and the names weir_drop_reason_name()
 * returns ("truncated-l2" ...), which the final statistics print.
 */
#define WEIR_DROP_REASONS(X)                                                                       \
	X(TRUNCATED_L2, "truncated-l2")       /* Ethernet header or VLAN tag cut short */          \
	X(TRUNCATED_L3, "truncated-l3")       /* IP header or IPv6 extension header cut short */   \
	X(BAD_IP_VERSION, "bad-ip-version")   /* version field disagrees with the EtherType */     \
	X(BAD_IP_HEADER, "bad-ip-header")     /* IHL < 5, total length < IHL, ext. chain > 8 */    \
	X(BAD_IP_LENGTH, "bad-ip-length")     /* the IP length says more than the frame holds */   \
	X(TRUNCATED_L4, "truncated-l4")       /* TCP/UDP/SCTP/ICMP header cut short */             \
	X(TX_FULL, "tx-full")                 /* the TX ring refused it (after retries) */         \
	X(FLOW_TABLE_FULL, "flow-table-full") /* a new flow found no room */

#define WEIR_DROP_ENUM_(name, str) WEIR_DROP_##name,
/** Drop reasons; WEIR_DROP_NONE is "not dropped". */
enum weir_drop_reason { WEIR_DROP_NONE = 0, WEIR_DROP_REASONS(WEIR_DROP_ENUM_) WEIR_DROP_COUNT };
#undef WEIR_DROP_ENUM_

/** @return the name of a drop reason ("truncated-l4"), "none", or "unknown". */
const char *weir_drop_reason_name(enum weir_drop_reason r);

/** Data path settings (zero: the default). */
struct weir_dataplane_config {
	uint32_t mbufs;    /**< mbufs in the pool (default 16383 per port pair) */
	uint16_t burst;    /**< RX burst size, 1..64 (default 32) */
	uint16_t rxd, txd; /**< descriptors per queue (default 1024) */
	uint32_t flows;    /**< flow table capacity per worker (default 1M) */
};

/** Totals over every worker. */
struct weir_dataplane_totals {
	uint64_t rx;       /**< received */
	uint64_t tx;       /**< transmitted */
	uint64_t blocked;  /**< dropped by a BLOCK verdict */
	uint64_t dropped;  /**< dropped with a reason (malformed, tx full ...) */
	uint64_t absorbed; /**< taken by callouts */
};

/** Every counter of the data path, summed over the workers. */
struct weir_dataplane_counters {
	struct weir_dataplane_totals totals;
	uint64_t blocked[WEIR_LAYER_COUNT];    /**< BLOCK verdicts, per layer */
	uint64_t classified[WEIR_LAYER_COUNT]; /**< classifications run, per layer */
	uint64_t dropped[WEIR_DROP_COUNT];     /**< drops, per reason (index 0 unused) */
	uint64_t injected;                     /**< sent for callouts (weir_inject_send) */
	uint64_t inject_dropped;               /**< injected but not sent (TX full, stop) */
	uint64_t flows_new;                    /**< flows seen at ale-flow-established */
	uint64_t flows_reauth;                 /**< flows re-authorized after a change */
};

/**
 * Let commits compile each layer for the data path (rte_acl, which needs the
 * EAL heap). Call after rte_eal_init() and before the first policy load;
 * without it layers are classified by the reference classifier only.
 * @param max_rules the most filters per compiled context (bounds build time
 *   and memory; 0: 1024).
 */
void weir_dataplane_prepare(uint32_t max_rules);

/**
 * Wait until no layer is queued for, or under, background compilation.
 * A commit that adds or deletes a few filters is visible at once through a
 * delta over the layer's last compiled classifier; a background thread then
 * compiles the layer afresh and swaps it in. Returning, every committed
 * change is served by a fully compiled classifier (or by the reference
 * classifier where a layer could not be compiled).
 * @return the number of background compiles finished so far.
 */
uint64_t weir_dataplane_compile_wait(void);

/**
 * Without waiting, swap in the background compiles finished so far and
 * start those that commits asked for (the control thread's periodic loop,
 * e.g. every millisecond; commits do part of it too). Cheap when there is
 * nothing to do. @return 0.
 */
int weir_dataplane_compile_poll(void);

/**
 * Configure every probed port and start one worker per lcore besides the
 * main one. A port gets one RX queue per worker when it offers RSS (with a
 * symmetric key), else one; queue q of both ports of a pair goes to one
 * worker. Prints one line per port to stdout (queues, pair, TX queues shared
 * under a lock). Calling it again while running does nothing.
 * @return 0 (also when already running); -ENODEV (no port); -EINVAL (no
 *   worker lcore, a burst above 64, more RX queues than a worker can poll,
 *   a layer with more fields than the pipeline holds, or called after
 *   weir_dataplane_stop()); -ENOMEM (mbuf
 *   pool, flow tables, injection rings or RCU state); another negative errno
 *   from the port set-up (the message says which port).
 */
int weir_dataplane_start(const struct weir_dataplane_config *cfg);

/**
 * Stop receiving, let the workers finish their bursts and send what callouts
 * injected, end every flow (flowDeleteFn), then stop the ports (pcap outputs
 * are complete afterwards), keep their counters for
 * weir_dataplane_print_stats() and close them. Callout modules may be
 * unloaded afterwards. Idempotent; the data path cannot be started again.
 */
void weir_dataplane_stop(void);

/**
 * Read the totals: a sum of the workers' counters, read without stopping
 * them, so not all at one instant while traffic flows; exact once the data
 * path has stopped. All zero before weir_dataplane_start().
 */
void weir_dataplane_totals(struct weir_dataplane_totals *t);

/** Read every counter, summed as weir_dataplane_totals() sums them. */
void weir_dataplane_counters(struct weir_dataplane_counters *c);

struct rte_eth_stats;

/**
 * Read a port's counters: rte_eth_stats_get() while the data path runs; after
 * weir_dataplane_stop() the values read just before the port closed.
 * @return 0; -EINVAL (@p out NULL, or @p port is not one of the data path's
 *   ports: none before weir_dataplane_start()); another negative errno from
 *   rte_eth_stats_get().
 */
int weir_dataplane_port_stats(uint16_t port, struct rte_eth_stats *out);

/**
 * Print per-port statistics in testpmd's layout (port 0 first; after
 * weir_dataplane_stop() the counters read just before the ports closed),
 * then (when @p final) the per-layer verdicts, drop reasons, filter hits,
 * callout calls and the packet-conservation check
 * ("conservation: rx R = tx T + blocked B + dropped D + absorbed A: ok").
 * @param interval_s seconds since the previous call, for the rates.
 */
void weir_dataplane_print_stats(FILE *f, bool final, double interval_s);

#ifdef __cplusplus
}
#endif

#endif /* WEIR_DATAPLANE_H */
