/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports, workers and statistics.
 *
 * Each worker owns a set of (port, RX queue) pairs. What it permits leaves on
 * the paired port's TX queue (worker index modulo the queues the port has).
 * At start-up every TX queue is checked for its writers: a queue only one
 * worker ever sends on is used without a lock. Only when a port has fewer TX
 * queues than the workers that send to it (e.g. RSS queues on one port, a
 * single-queue pcap port as its pair) do those workers share a queue under a
 * spinlock. Injected packets are handed to a worker that already writes to
 * the port, so injection never adds a writer. A worker reads the current
 * snapshot once per burst and reports a quiescent state once per loop.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include <weir/weir_dataplane.h>
#include <weir/weir_inject.h>

#include "classify/fast.h"
#include "classify/snapshot.h"
#include "core/layers.h"
#include "dataplane/pipeline.h"
#include "flow/flow.h"
#include "mgmt/engine.h"

#define MAX_QUEUES_PER_WORKER 64
#define MAX_TXQ 64
#define NO_WORKER UINT16_MAX

struct rxq {
	uint16_t port, queue;
};

struct worker {
	unsigned lcore;
	unsigned tid; /* RCU thread id; TX queue index modulo the port's queues */
	unsigned n_rxq;
	struct rxq rxq[MAX_QUEUES_PER_WORKER];
	struct weir_flow_table *flows;
	struct rte_ring *inject; /* mbufs to send (port in m->port), any producer */
	uint64_t injected, inject_dropped;
	bool writes[RTE_MAX_ETHPORTS]; /* sends what it permits to this port */
	struct weir_worker_stats st;
} __rte_cache_aligned;

/* A TX queue: who writes it, and whether more than one worker does. */
struct txq_state {
	uint16_t writer; /* the first worker that sends on it, or NO_WORKER */
	bool shared;     /* a second one does too: take the lock */
	rte_spinlock_t lock;
};

static struct {
	bool running;
	bool closed; /* ports stopped and closed: the stats below are final */
	atomic_bool stop;
	unsigned n_workers;
	struct worker *workers;
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *qs;
	uint16_t n_ports;
	uint16_t burst;
	uint64_t prev_rx[RTE_MAX_ETHPORTS], prev_tx[RTE_MAX_ETHPORTS];
	uint64_t prev_rxb[RTE_MAX_ETHPORTS], prev_txb[RTE_MAX_ETHPORTS];
	struct rte_eth_stats final[RTE_MAX_ETHPORTS]; /* read just before close */
	uint16_t nrxq[RTE_MAX_ETHPORTS];              /* RX queues (more than one: RSS) */
	uint16_t ntxq[RTE_MAX_ETHPORTS];              /* TX queues the port really has */
	uint16_t inject_via[RTE_MAX_ETHPORTS];        /* worker whose ring injects to it */
	struct txq_state txq[RTE_MAX_ETHPORTS][MAX_TXQ];
} dp;

static uint16_t pair_of(uint16_t port)
{
	uint16_t peer = port ^ 1;

	return peer < dp.n_ports ? peer : port;
}

static inline uint16_t txq_of(const struct worker *w, uint16_t port)
{
	return (uint16_t)(w->tid % dp.ntxq[port]);
}

/*
 * Transmit on the worker's TX queue of @p port; the lock is taken only on a
 * queue that start-up found several workers writing to.
 */
static inline uint16_t tx(const struct worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t q = txq_of(w, port), sent;
	struct txq_state *t = &dp.txq[port][q];

	if (likely(!t->shared))
		return rte_eth_tx_burst(port, q, pkts, n);
	rte_spinlock_lock(&t->lock);
	sent = rte_eth_tx_burst(port, q, pkts, n);
	rte_spinlock_unlock(&t->lock);
	return sent;
}

/* Send what the pipeline kept; what a full TX ring refuses is counted. */
static void send_burst(struct worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0;
	int tries = 0;

	while (sent < n && tries++ < 4)
		sent += tx(w, port, pkts + sent, n - sent);
	w->st.tx += sent;
	if (sent < n) {
		w->st.dropped[WEIR_DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/* Send what callouts injected; each packet carries its port in m->port. */
static void drain_injected(struct worker *w)
{
	struct rte_mbuf *m[32];
	unsigned n, i;

	n = rte_ring_sc_dequeue_burst(w->inject, (void **)m, RTE_DIM(m), NULL);
	for (i = 0; i < n; i++) {
		if (tx(w, m[i]->port, &m[i], 1) == 1) {
			w->injected++;
		} else {
			w->inject_dropped++;
			rte_pktmbuf_free(m[i]);
		}
	}
}

NTSTATUS weir_inject_send(struct rte_mbuf *m, UINT16 port)
{
	unsigned lcore = rte_lcore_id(), i;
	struct worker *w = NULL;

	if (m == NULL)
		return STATUS_FWP_NULL_POINTER;
	if (!dp.running || atomic_load_explicit(&dp.stop, memory_order_relaxed))
		return STATUS_INVALID_DEVICE_STATE;
	if (port >= dp.n_ports || !rte_eth_dev_is_valid_port(port))
		return STATUS_INVALID_PARAMETER;
	/*
	 * A worker that already sends to the port queues to itself (a classifyFn
	 * sending on weirOutPort); anyone else queues to a worker that does, so an
	 * injection never makes a lock-free TX queue shared.
	 */
	for (i = 0; i < dp.n_workers && w == NULL; i++)
		if (dp.workers[i].lcore == lcore && dp.workers[i].writes[port])
			w = &dp.workers[i];
	if (w == NULL)
		w = &dp.workers[dp.inject_via[port]];
	m->port = port;
	if (rte_ring_mp_enqueue(w->inject, m) != 0)
		return STATUS_INSUFFICIENT_RESOURCES;
	return STATUS_SUCCESS;
}

static int worker_main(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *pkts[WEIR_BURST_MAX], *out[WEIR_BURST_MAX];
	/* ageing walks a slice of the table every 50 us, not every loop */
	const uint64_t age_every = rte_get_tsc_hz() / 20000 + 1;
	uint64_t next_age = 0;

	weir_hit_slot = w->tid + 1 < WEIR_HIT_SLOTS ? w->tid + 1 : 0;
	rte_rcu_qsbr_thread_register(dp.qs, w->tid);
	rte_rcu_qsbr_thread_online(dp.qs, w->tid);
	while (!atomic_load_explicit(&dp.stop, memory_order_relaxed)) {
		unsigned q;

		for (q = 0; q < w->n_rxq; q++) {
			uint16_t port = w->rxq[q].port, n, k;
			const struct weir_snapshot *s;

			n = rte_eth_rx_burst(port, w->rxq[q].queue, pkts, dp.burst);
			if (n == 0)
				continue;
			s = weir_snapshot_current();
			k = weir_pipeline_run(s, w->flows, pkts, n, port, pair_of(port), &w->st,
			                      out);
			if (k)
				send_burst(w, pair_of(port), out, k);
		}
		if (w->flows) {
			uint64_t now = rte_rdtsc();

			weir_flow_service(w->flows, 32);
			if (now >= next_age) {
				weir_flow_expire(w->flows, now, 256);
				next_age = now + age_every;
			}
		}
		drain_injected(w);
		rte_rcu_qsbr_quiescent(dp.qs, w->tid);
	}
	/* what callouts injected before the stop still leaves */
	drain_injected(w);
	rte_rcu_qsbr_thread_offline(dp.qs, w->tid);
	rte_rcu_qsbr_thread_unregister(dp.qs, w->tid);
	return 0;
}

static int port_setup(uint16_t port, uint16_t nrxq, uint16_t ntxq, uint16_t rxd, uint16_t txd)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	/* the same key both ways round: a flow's two directions hash alike */
	static uint8_t sym_key[40] = {0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	                              0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	                              0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	                              0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a};
	uint16_t q;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	if (nrxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = sym_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(sym_key);
		conf.rx_adv_conf.rss_conf.rss_hf =
		    info.flow_type_rss_offloads &
		    (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	if (ntxq > info.max_tx_queues)
		ntxq = info.max_tx_queues;
	if (ntxq > MAX_TXQ)
		ntxq = MAX_TXQ;
	if (ntxq == 0)
		return -EINVAL;
	dp.ntxq[port] = ntxq;
	for (q = 0; q < ntxq; q++) {
		dp.txq[port][q].writer = NO_WORKER;
		dp.txq[port][q].shared = false;
		rte_spinlock_init(&dp.txq[port][q].lock);
	}
	rc = rte_eth_dev_configure(port, nrxq, ntxq, &conf);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (rc != 0)
		return rc;
	for (q = 0; q < nrxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, rxd, rte_eth_dev_socket_id(port), NULL,
		                            dp.pool);
		if (rc != 0)
			return rc;
	}
	for (q = 0; q < ntxq; q++) {
		rc = rte_eth_tx_queue_setup(port, q, txd, rte_eth_dev_socket_id(port), NULL);
		if (rc != 0)
			return rc;
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		return rc;
	rte_eth_promiscuous_enable(port);
	return 0;
}

/*
 * Which workers send on which TX queue: a worker sends what it receives on a
 * port to that port's pair, and injected packets to the ports it already
 * sends to (see weir_inject_send). A queue with a single writer needs no lock.
 */
static void assign_tx_writers(void)
{
	unsigned i, q;
	uint16_t port;

	for (i = 0; i < dp.n_workers; i++) {
		struct worker *w = &dp.workers[i];

		for (q = 0; q < w->n_rxq; q++) {
			uint16_t to = pair_of(w->rxq[q].port);
			struct txq_state *t = &dp.txq[to][txq_of(w, to)];

			w->writes[to] = true;
			if (t->writer == NO_WORKER)
				t->writer = (uint16_t)i;
			else if (t->writer != i)
				t->shared = true;
		}
	}
	for (port = 0; port < dp.n_ports; port++) {
		/* every port is some port's pair, so some worker writes to it */
		dp.inject_via[port] = 0;
		for (i = 0; i < dp.n_workers; i++)
			if (dp.workers[i].writes[port]) {
				dp.inject_via[port] = (uint16_t)i;
				break;
			}
	}
}

static void describe_port(FILE *f, uint16_t port)
{
	char name[RTE_ETH_NAME_MAX_LEN] = "?";
	unsigned q, shared = 0;

	rte_eth_dev_get_name_by_port(port, name);
	for (q = 0; q < dp.ntxq[port]; q++)
		shared += dp.txq[port][q].shared;
	fprintf(f,
	        "weir: port %u (%s): %u RX queue(s)%s, %u TX queue(s), %u shared under a lock, "
	        "pair %u\n",
	        port, name, dp.nrxq[port], dp.nrxq[port] > 1 ? " by RSS" : "", dp.ntxq[port],
	        shared, pair_of(port));
}

void weir_dataplane_prepare(uint32_t max_rules)
{
	weir_fast_set_max_rules(max_rules ? max_rules : 1024);
	weir_fast_enable(true);
}

int weir_dataplane_start(const struct weir_dataplane_config *cfg)
{
	struct weir_dataplane_config c = {0};
	unsigned lcore, i = 0;
	uint16_t port;
	size_t sz;

	if (dp.running)
		return 0;
	if (dp.closed)
		return -EINVAL; /* the ports are closed: no second start */
	if (cfg)
		c = *cfg;
	dp.burst = c.burst ? c.burst : 32;
	if (dp.burst > WEIR_BURST_MAX)
		return -EINVAL;
	for (i = 0; i < WEIR_LAYER_COUNT; i++)
		if (weir_layer_get(i)->field_count > WEIR_FIELDS_MAX)
			return -EINVAL; /* the layer table outgrew the pipeline's arrays */
	i = 0;
	dp.n_ports = rte_eth_dev_count_avail();
	if (dp.n_ports == 0) {
		fprintf(stderr, "weir: no ports: give PCI devices or --vdev\n");
		return -ENODEV;
	}
	dp.n_workers = rte_lcore_count() - 1;
	if (dp.n_workers == 0) {
		fprintf(stderr, "weir: no worker lcore: give at least two lcores (-l 0,1)\n");
		return -EINVAL;
	}
	dp.workers =
	    rte_zmalloc("weir_workers", dp.n_workers * sizeof(*dp.workers), RTE_CACHE_LINE_SIZE);
	if (dp.workers == NULL)
		return -ENOMEM;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		dp.workers[i].lcore = lcore;
		dp.workers[i].tid = i;
		i++;
	}
	dp.pool = rte_pktmbuf_pool_create("weir_mbufs",
	                                  c.mbufs ? c.mbufs : 16383u * ((dp.n_ports + 1) / 2u + 1),
	                                  256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp.pool == NULL) {
		fprintf(stderr, "weir: mbuf pool: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	RTE_ETH_FOREACH_DEV (port) {
		struct rte_eth_dev_info info;
		uint16_t nrxq = 1, q;
		int rc;

		if (rte_eth_dev_info_get(port, &info) == 0 && dp.n_workers > 1 &&
		    info.max_rx_queues > 1 && info.flow_type_rss_offloads)
			nrxq = (uint16_t)RTE_MIN(dp.n_workers, info.max_rx_queues);
		rc = port_setup(port, nrxq, (uint16_t)dp.n_workers, c.rxd ? c.rxd : 1024,
		                c.txd ? c.txd : 1024);
		if (rc != 0) {
			fprintf(stderr, "weir: port %u: set-up failed: %s\n", port, strerror(-rc));
			return rc;
		}
		dp.nrxq[port] = nrxq;
		for (q = 0; q < nrxq; q++) {
			/*
			 * Queue q of both ports of a pair goes to one worker: with a
			 * symmetric RSS key (or one queue per port) both directions of a
			 * flow then meet in one worker's flow table.
			 */
			struct worker *w = &dp.workers[(q + port / 2u) % dp.n_workers];

			if (w->n_rxq == MAX_QUEUES_PER_WORKER) {
				fprintf(stderr, "weir: more than %u RX queues for lcore %u\n",
				        MAX_QUEUES_PER_WORKER, w->lcore);
				return -EINVAL;
			}
			w->rxq[w->n_rxq++] = (struct rxq){port, q};
		}
	}
	assign_tx_writers();
	for (port = 0; port < dp.n_ports; port++)
		describe_port(stdout, port);
	for (i = 0; i < dp.n_workers; i++) {
		char name[RTE_RING_NAMESIZE];
		struct weir_flow_params fp = {.capacity = c.flows, .socket = SOCKET_ID_ANY};

		dp.workers[i].flows = weir_flow_table_create(dp.workers[i].lcore, &fp);
		if (dp.workers[i].flows == NULL) {
			fprintf(stderr, "weir: flow table of lcore %u: out of memory (--flows?)\n",
			        dp.workers[i].lcore);
			return -ENOMEM;
		}
		weir_flow_table_set_running(dp.workers[i].flows, true);
		snprintf(name, sizeof(name), "weir_inject_%u", i);
		dp.workers[i].inject = rte_ring_create(name, 4096, SOCKET_ID_ANY, RING_F_SC_DEQ);
		if (dp.workers[i].inject == NULL)
			return -ENOMEM;
	}
	sz = rte_rcu_qsbr_get_memsize(dp.n_workers);
	dp.qs = rte_zmalloc("weir_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (dp.qs == NULL || rte_rcu_qsbr_init(dp.qs, dp.n_workers) != 0)
		return -ENOMEM;
	weir_snapshot_attach_rcu(dp.qs);
	atomic_store(&dp.stop, false);
	/* running before the first packet: a classifyFn may inject at once */
	dp.running = true;
	for (i = 0; i < dp.n_workers; i++)
		rte_eal_remote_launch(worker_main, &dp.workers[i], dp.workers[i].lcore);
	return 0;
}

uint64_t weir_dataplane_compile_wait(void)
{
	weir_fast_sync();
	return weir_fast_background_builds();
}

int weir_dataplane_compile_poll(void)
{
	return weir_fast_drain();
}

void weir_dataplane_stop(void)
{
	uint16_t port;

	if (!dp.running)
		return;
	/* no background compile may outlive the EAL; later commits use the reference */
	weir_fast_enable(false);
	atomic_store(&dp.stop, true);
	rte_eal_mp_wait_lcore();
	/* what was injected but not sent is freed and counted */
	for (unsigned i = 0; i < dp.n_workers; i++) {
		struct rte_mbuf *m;

		while (dp.workers[i].inject &&
		       rte_ring_sc_dequeue(dp.workers[i].inject, (void **)&m) == 0) {
			dp.workers[i].inject_dropped++;
			rte_pktmbuf_free(m);
		}
	}
	/* every flow ends (flowDeleteFn per context) before modules unload */
	for (unsigned i = 0; i < dp.n_workers; i++) {
		if (dp.workers[i].flows == NULL)
			continue;
		weir_flow_table_set_running(dp.workers[i].flows, false);
		weir_flow_table_destroy(dp.workers[i].flows);
		dp.workers[i].flows = NULL;
	}
	/* no reader left: publications need no grace period any more */
	weir_snapshot_attach_rcu(NULL);
	/*
	 * Stopping a port completes its output (pcap: the dumper is flushed and
	 * closed); its counters are kept for the final statistics, then it is
	 * closed (vhost: the socket goes away).
	 */
	for (port = 0; port < dp.n_ports; port++) {
		if (!rte_eth_dev_is_valid_port(port))
			continue;
		if (rte_eth_dev_stop(port) != 0)
			fprintf(stderr, "weir: port %u: stop failed\n", port);
		if (rte_eth_stats_get(port, &dp.final[port]) != 0)
			memset(&dp.final[port], 0, sizeof(dp.final[port]));
		rte_eth_dev_close(port);
	}
	dp.closed = true;
	dp.running = false;
}

void weir_dataplane_counters(struct weir_dataplane_counters *c)
{
	unsigned i, k;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < dp.n_workers; i++) {
		const struct worker *w = &dp.workers[i];
		const struct weir_worker_stats *s = &w->st;

		c->totals.rx += s->rx;
		c->totals.tx += s->tx;
		c->totals.absorbed += s->absorbed;
		for (k = 0; k < WEIR_LAYER_COUNT; k++) {
			c->blocked[k] += s->blocked[k];
			c->classified[k] += s->classified[k];
			c->totals.blocked += s->blocked[k];
		}
		for (k = 0; k < WEIR_DROP_COUNT; k++) {
			c->dropped[k] += s->dropped[k];
			c->totals.dropped += s->dropped[k];
		}
		c->injected += w->injected;
		c->inject_dropped += w->inject_dropped;
		c->flows_new += s->flows_new;
		c->flows_reauth += s->flows_reauth;
	}
}

void weir_dataplane_totals(struct weir_dataplane_totals *t)
{
	struct weir_dataplane_counters c;

	weir_dataplane_counters(&c);
	*t = c.totals;
}

int weir_dataplane_port_stats(uint16_t port, struct rte_eth_stats *out)
{
	if (out == NULL || port >= dp.n_ports)
		return -EINVAL;
	if (dp.closed) {
		*out = dp.final[port];
		return 0;
	}
	return rte_eth_stats_get(port, out);
}

#define BORDER "########################"

static void print_port(FILE *f, uint16_t port, double interval)
{
	struct rte_eth_stats s;
	double dt = interval > 0 ? interval : 1;

	if (weir_dataplane_port_stats(port, &s) != 0)
		memset(&s, 0, sizeof(s));
	/* testpmd's layout, byte for byte, so its parsers read ours */
	fprintf(f, "\n  %s NIC statistics for port %-2u %s\n", BORDER, port, BORDER);
	fprintf(f,
	        "  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %" PRIu64 "\n",
	        s.ipackets, s.imissed, s.ibytes);
	fprintf(f, "  RX-errors: %" PRIu64 "\n", s.ierrors);
	fprintf(f, "  RX-nombuf:  %-10" PRIu64 "\n", s.rx_nombuf);
	fprintf(f,
	        "  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %" PRIu64 "\n",
	        s.opackets, s.oerrors, s.obytes);
	fprintf(f, "\n  Throughput (since last show)\n");
	fprintf(f, "  Rx-pps: %12.0f          Rx-bps: %12.0f\n",
	        (double)(s.ipackets - dp.prev_rx[port]) / dt,
	        (double)(s.ibytes - dp.prev_rxb[port]) * 8 / dt);
	fprintf(f, "  Tx-pps: %12.0f          Tx-bps: %12.0f\n",
	        (double)(s.opackets - dp.prev_tx[port]) / dt,
	        (double)(s.obytes - dp.prev_txb[port]) * 8 / dt);
	fprintf(f,
	        "  ############################################################################\n");
	dp.prev_rx[port] = s.ipackets;
	dp.prev_tx[port] = s.opackets;
	dp.prev_rxb[port] = s.ibytes;
	dp.prev_txb[port] = s.obytes;
}

static void print_final(FILE *f)
{
	struct weir_dataplane_counters c;
	const struct weir_dataplane_totals *t = &c.totals;
	const struct weir_snapshot *s;
	unsigned i, k;
	UINT32 id;

	weir_dataplane_counters(&c);
	fprintf(
	    f, "\n  ---------------------- weir verdicts --------------------------------------\n");
	for (k = 0; k < WEIR_LAYER_COUNT; k++)
		if (c.blocked[k])
			fprintf(f, "  blocked at %-28s %" PRIu64 "\n", weir_layer_get(k)->name,
			        c.blocked[k]);
	for (k = 1; k < WEIR_DROP_COUNT; k++)
		if (c.dropped[k])
			fprintf(f, "  dropped (%s) %*s%" PRIu64 "\n", weir_drop_reason_name(k),
			        (int)(27 - strlen(weir_drop_reason_name(k))), "", c.dropped[k]);
	fprintf(f, "  absorbed by callouts %18s%" PRIu64 "\n", "", t->absorbed);
	fprintf(f, "  injected by callouts %18s%" PRIu64 " (not sent: %" PRIu64 ")\n", "",
	        c.injected, c.inject_dropped);
	fprintf(f, "  flows established %21s%" PRIu64 ", re-authorized %" PRIu64 "\n", "",
	        c.flows_new, c.flows_reauth);

	/* the engine lock keeps the snapshot (and its filters) alive while read */
	pthread_mutex_lock(&weir_eng.lock);
	s = weir_snapshot_current();
	fprintf(f,
	        "  ---------------------- classifiers ---------------------------------------\n");
	for (k = 0; k < WEIR_LAYER_COUNT; k++) {
		const struct weir_layer_policy *lp = &s->policy->layers[k];
		const struct weir_fast *v = lp->fast;

		if (lp->n_filters == 0)
			continue;
		if (v == NULL)
			fprintf(f, "  %-24s %6u filters, reference classifier\n",
			        weir_layer_get(k)->name, lp->n_filters);
		else
			fprintf(f, "  %-24s %6u filters, %u rte_acl context(s), delta +%u -%u\n",
			        weir_layer_get(k)->name, lp->n_filters, v->base->n_ctx, v->n_added,
			        v->n_gone);
	}
	fprintf(f,
	        "  ---------------------- filters (hits) ------------------------------------\n");
	for (k = 0; k < WEIR_LAYER_COUNT; k++) {
		const struct weir_layer_policy *lp = &s->policy->layers[k];

		for (i = 0; i < lp->n_filters; i++) {
			const struct weir_filter *fl = lp->filters[i];
			char name[64];

			snprintf(name, sizeof(name), "%ls", fl->m.displayData.name);
			fprintf(f, "  %-6" PRIu64 " %-32s %-24s %" PRIu64 "\n",
			        (uint64_t)fl->m.filterId, name, weir_layer_get(k)->name,
			        weir_filter_hits(fl));
		}
	}
	fprintf(f,
	        "  ---------------------- callouts (calls) ----------------------------------\n");
	for (id = 0; id < s->callouts->n; id++) {
		const struct weir_callout_reg *r = s->callouts->regs[id];
		char key[37];

		if (r)
			fprintf(f, "  %-6u %s %" PRIu64 "\n", id, weir_guid_to_string(&r->key, key),
			        (uint64_t)atomic_load(&r->calls));
	}
	pthread_mutex_unlock(&weir_eng.lock);
	fprintf(f,
	        "  conservation: rx %" PRIu64 " = tx %" PRIu64 " + blocked %" PRIu64
	        " + dropped %" PRIu64 " + absorbed %" PRIu64 ": %s\n",
	        t->rx, t->tx, t->blocked, t->dropped, t->absorbed,
	        t->rx == t->tx + t->blocked + t->dropped + t->absorbed ? "ok" : "MISMATCH");
}

void weir_dataplane_print_stats(FILE *f, bool final, double interval_s)
{
	uint16_t port;

	for (port = 0; port < dp.n_ports; port++)
		print_port(f, port, interval_s);
	if (final)
		print_final(f);
	fflush(f);
}
