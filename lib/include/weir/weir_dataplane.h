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

#ifdef __cplusplus
extern "C" {
#endif

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

/**
 * Let commits compile each layer for the data path (rte_acl, which needs the
 * EAL heap). Call after rte_eal_init() and before the first policy load;
 * without it layers are classified by the reference classifier only.
 * @param max_rules the most filters per compiled context (bounds build time
 *   and memory; 0: 1024).
 */
void weir_dataplane_prepare(uint32_t max_rules);

/**
 * Configure every probed port and start one worker per lcore besides the
 * main one.
 * @return 0; -ENODEV (no port); -EINVAL (no worker lcore, or a bad
 *   setting); -ENOMEM (mbuf pool or RCU state); another negative errno from
 *   the port set-up (the message says which port).
 */
int weir_dataplane_start(const struct weir_dataplane_config *cfg);

/**
 * Stop receiving, let the workers finish their bursts, stop and close the
 * ports (pcap outputs are complete afterwards). Idempotent.
 */
void weir_dataplane_stop(void);

/** Read the totals (a consistent-enough sum of the workers' counters). */
void weir_dataplane_totals(struct weir_dataplane_totals *t);

/**
 * Print per-port statistics in testpmd's layout, then (when @p final) the
 * per-layer verdicts, drop reasons, filter hits, callout calls and the
 * packet-conservation check.
 * @param interval_s seconds since the previous call, for the rates.
 */
void weir_dataplane_print_stats(FILE *f, bool final, double interval_s);

#ifdef __cplusplus
}
#endif

#endif /* WEIR_DATAPLANE_H */
