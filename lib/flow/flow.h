/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-lcore flow tables (internal API for the data path).
 *
 * Design
 * - One table per worker lcore, created by the data path after rte_eal_init
 *   (weir_flow_table_create). The data path steers both directions of a flow
 *   to the same worker (symmetric RSS or software hashing of the canonical
 *   key), so a table is only ever touched by its lcore: no locks.
 * - The key is canonical: the (address, port) endpoint that compares lower
 *   comes first, so both directions give the same key; the direction of the
 *   packet is returned separately (weir_flow_key_make: 0 = source is the
 *   low endpoint). ICMP uses its id (echo) as both ports.
 * - Entries live in a preallocated array indexed by the rte_hash position of
 *   their key: no allocation per packet, no pointer chasing. 64 bytes each
 *   (one cache line), two contexts inline, more from a preallocated
 *   overflow pool.
 * - Flow id (flowHandle) = table index (8 bits) << 56 | incarnation of the
 *   slot (24 bits) << 32 | slot (32 bits). Any thread can find the owning
 *   table from an id; a stale id (slot reused) does not match.
 * - Other threads reach a table only through its message ring (rte_ring,
 *   multi-producer, single consumer: the worker), drained by
 *   weir_flow_service() once per worker loop, or directly while the table is
 *   not running (weir_flow_table_set_running(t, false): before the worker
 *   starts and after it stopped).
 * - When the table is full, new flows are refused (NULL, WEIR_FLOW_FULL,
 *   counted in stats.refused_full); nothing is evicted to make room.
 *
 * Per packet, on the worker (t = the lcore's table, now = rte_rdtsc()):
 *   dir = weir_flow_key_v4(&k, ip->src_addr, ip->dst_addr, sport, dport, proto, zone);
 *   e = weir_flow_lookup_or_create(t, &k, dir, now, &is_new, &why);
 *   if (e == NULL) drop and count (why == WEIR_FLOW_FULL);
 *   if (proto == IPPROTO_TCP) weir_flow_update_tcp(t, e, dir, tcp->tcp_flags);
 *   if (is_new || e->generation != snapshot->generation) the flow needs a
 *       (re)classification: run it with the calls below, then store
 *       e->generation = snapshot->generation and e->verdict;
 *   weir_flow_classify_begin(e);
 *   classify with meta.flowHandle = weir_flow_id(t, e) (and
 *       FWPS_METADATA_FIELD_FLOW_HANDLE) and
 *       struct weir_flow_ops ops = {weir_flow_get_context, e};
 *   weir_flow_classify_end(t, e);   (runs deferred flowDeleteFns)
 * Per loop: weir_flow_service(t, 32); every ~50 us: weir_flow_expire(t, rte_rdtsc(), 256);
 *   rte_rcu_qsbr_quiescent() after both (flowDeleteFn may run in them).
 * Around the loop: weir_flow_table_set_running(t, true) before
 *   rte_eal_remote_launch; after rte_eal_wait_lcore, set_running(t, false),
 *   then weir_flow_table_destroy(t) before modules unload (ends every flow).
 * A TCP 5-tuple reused after CLOSED stays CLOSED until tcp_closed expires;
 * a data path that wants the new connection at once calls weir_flow_end(t, e)
 * on a pure SYN to a CLOSED entry and looks it up again (new flow id).
 */
#ifndef WEIR_FLOW_FLOW_H
#define WEIR_FLOW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <weir/weir.h>

/** Maximum number of tables (lcores) a flow id can name. */
#define WEIR_FLOW_MAX_TABLES 256
/** Contexts stored in the entry itself. */
#define WEIR_FLOW_INLINE_CTX 2
/** Contexts per overflow block. */
#define WEIR_FLOW_BLOCK_CTX 4
/** Default capacity of one table. */
#define WEIR_FLOW_DEFAULT_CAPACITY (1u << 20)

/** Canonical flow key (40 bytes, hashed as a whole: padding is zeroed). */
struct weir_flow_key {
	uint8_t addr[2][16]; /**< low endpoint, high endpoint (IPv4: first 4 bytes) */
	uint16_t port[2];    /**< host order; ICMP: id in both */
	uint16_t zone;       /**< input-port zone */
	uint8_t proto;       /**< IPPROTO_* */
	uint8_t family;      /**< 4 or 6 */
};

enum weir_flow_state {
	WEIR_FLOW_NEW = 0,
	WEIR_FLOW_SYN_SEEN,    /**< TCP: SYN seen (and maybe SYN-ACK) */
	WEIR_FLOW_ESTABLISHED, /**< TCP: handshake done (or picked up mid-stream) */
	WEIR_FLOW_FIN_WAIT,    /**< TCP: FIN seen in one direction */
	WEIR_FLOW_CLOSED,      /**< TCP: FIN both ways or RST; contexts ended */
	WEIR_FLOW_ACTIVE,      /**< UDP/ICMP/other: seen again after the first packet */
};

/** One flow context. */
struct weir_flow_ctx {
	UINT64 context; /**< 0: free slot */
	UINT32 calloutId;
	UINT16 layerId;
	uint16_t flags; /**< WEIR_FLOW_CTX_* */
};
#define WEIR_FLOW_CTX_REMOVE_PENDING 0x1

/** One flow: 64 bytes. */
struct weir_flow_entry {
	uint64_t last_seen;  /**< TSC of the last packet */
	uint64_t generation; /**< snapshot generation of the decision (data path writes it) */
	uint32_t incarnation;
	uint32_t ovf;  /**< first overflow block + 1; 0: none */
	uint8_t state; /**< enum weir_flow_state */
	uint8_t proto;
	uint8_t flags;   /**< WEIR_FLOW_F_* */
	uint8_t verdict; /**< the data path's cached decision (free use) */
	uint16_t table;  /**< index of the owning table */
	uint16_t pad;
	struct weir_flow_ctx ctx[WEIR_FLOW_INLINE_CTX];
};
#define WEIR_FLOW_F_USED 0x01
#define WEIR_FLOW_F_IN_CLASSIFY 0x02
#define WEIR_FLOW_F_FIN0 0x04        /**< FIN from the low endpoint */
#define WEIR_FLOW_F_FIN1 0x08        /**< FIN from the high endpoint */
#define WEIR_FLOW_F_SYNACK 0x10      /**< SYN-ACK seen */
#define WEIR_FLOW_F_INIT1 0x20       /**< the initiator is the high endpoint */
#define WEIR_FLOW_F_DEL_PENDING 0x40 /**< some context removal awaits the classify end */
#define WEIR_FLOW_F_END_PENDING 0x80 /**< closed during a classify: end it after */

/** Idle timeouts, in seconds. */
struct weir_flow_timeouts {
	uint32_t tcp_established; /**< default 7200 */
	uint32_t tcp_transitory;  /**< NEW, SYN_SEEN, FIN_WAIT; default 120 */
	uint32_t tcp_closed;      /**< CLOSED entries linger for late packets; default 10 */
	uint32_t udp;             /**< default 60 */
	uint32_t icmp;            /**< ICMP and ICMPv6; default 30 */
	uint32_t other;           /**< default 60 */
};

/** Table parameters; zero fields take the defaults. */
struct weir_flow_params {
	uint32_t capacity;   /**< flows; default WEIR_FLOW_DEFAULT_CAPACITY */
	uint32_t ovf_blocks; /**< overflow blocks; default capacity / 16 (min 64) */
	uint32_t ring_size;  /**< message ring; default 1024 */
	uint64_t tsc_hz;     /**< timestamp units per second; default rte_get_tsc_hz() */
	int socket;          /**< NUMA socket of the memory (SOCKET_ID_ANY: -1) */
	struct weir_flow_timeouts timeouts;
};

/** Counters (written by the owning lcore only). */
struct weir_flow_stats {
	uint64_t created;
	uint64_t ended;        /**< flows removed from the table */
	uint64_t expired;      /**< of which by idle timeout */
	uint64_t closed;       /**< TCP flows reaching CLOSED */
	uint64_t refused_full; /**< new flows refused: table full */
	uint64_t ctx_deleted;  /**< flowDeleteFn calls */
	uint64_t msgs;         /**< ring messages served */
};

struct weir_flow_table;

/** Why weir_flow_lookup_or_create returned NULL. */
enum weir_flow_refusal {
	WEIR_FLOW_OK = 0,
	WEIR_FLOW_FULL,    /**< table full: the packet's new flow is refused */
	WEIR_FLOW_INVALID, /**< bad arguments */
};

/**
 * Create the table of lcore @p lcore (after rte_eal_init). Registers it so
 * flow ids name it. The table starts not running (see set_running).
 * @param lcore its index in flow ids, < WEIR_FLOW_MAX_TABLES; one table per index.
 * @return the table, or NULL (rte_errno: EINVAL bad params or index taken,
 *   ENOMEM, EEXIST).
 */
struct weir_flow_table *weir_flow_table_create(unsigned lcore, const struct weir_flow_params *p);

/**
 * Destroy @p t: serves the requests still in its ring, ends every flow
 * (flowDeleteFn once per context, on the calling thread), then frees it.
 * Its worker must have stopped, and no thread may call the flow-context
 * functions for its flows meanwhile. NULL: no-op.
 */
void weir_flow_table_destroy(struct weir_flow_table *t);

/**
 * Mark whether a worker runs @p t. Set true just before the worker's loop
 * starts and false after it stopped (rte_eal_wait_lcore): while true,
 * other threads go through the ring.
 */
void weir_flow_table_set_running(struct weir_flow_table *t, bool running);

/** The table registered at index @p lcore, or NULL. */
struct weir_flow_table *weir_flow_table_get(unsigned lcore);

/** Counters of @p t (read them from another thread as approximate values). */
const struct weir_flow_stats *weir_flow_table_stats(const struct weir_flow_table *t);

/** Flows currently in @p t. */
uint32_t weir_flow_table_count(const struct weir_flow_table *t);

/**
 * Fill @p k from an IPv4 packet's 5-tuple (addresses in network order,
 * ports in host order; ICMP: id as both ports, 0 for other protocols
 * without ports).
 * @return the packet's direction: 0 when the source is the key's low
 *   endpoint, 1 otherwise.
 */
int weir_flow_key_v4(struct weir_flow_key *k, uint32_t src, uint32_t dst, uint16_t sport,
                     uint16_t dport, uint8_t proto, uint16_t zone);

/** As weir_flow_key_v4 for IPv6 (16-byte addresses, network order). */
int weir_flow_key_v6(struct weir_flow_key *k, const uint8_t src[16], const uint8_t dst[16],
                     uint16_t sport, uint16_t dport, uint8_t proto, uint16_t zone);

/**
 * Find the flow of @p k, or create it (state NEW) when absent. Updates
 * last_seen to @p now. Owning lcore only.
 * @param dir the packet's direction from weir_flow_key_*.
 * @param is_new set true when the flow was created by this call.
 * @param why set when NULL is returned (may be NULL).
 * @return the entry (valid until the next expire/service/update call that
 *   ends it); NULL: refused (WEIR_FLOW_FULL, counted) or invalid.
 */
struct weir_flow_entry *weir_flow_lookup_or_create(struct weir_flow_table *t,
                                                   const struct weir_flow_key *k, int dir,
                                                   uint64_t now, bool *is_new,
                                                   enum weir_flow_refusal *why);

/** Find the flow of @p k without creating it. @return the entry or NULL. */
struct weir_flow_entry *weir_flow_lookup(struct weir_flow_table *t, const struct weir_flow_key *k);

/**
 * Advance the TCP state of @p e with a packet's @p tcp_flags (RTE_TCP_*_FLAG)
 * in direction @p dir. On CLOSED (FIN both ways, or RST) every context ends
 * (flowDeleteFn) - after the classify in progress if any - and the entry
 * lingers tcp_closed seconds. @return the new state.
 */
enum weir_flow_state weir_flow_update_tcp(struct weir_flow_table *t, struct weir_flow_entry *e,
                                          int dir, uint8_t tcp_flags);

/** Mark a classify of @p e in progress (FwpsFlowRemoveContext0 → PENDING). */
static inline void weir_flow_classify_begin(struct weir_flow_entry *e)
{
	e->flags |= WEIR_FLOW_F_IN_CLASSIFY;
}

/** End the classify of @p e: runs deferred flowDeleteFns and ends a flow closed meanwhile. */
void weir_flow_classify_end(struct weir_flow_table *t, struct weir_flow_entry *e);

/**
 * Remove flows idle past their timeout, scanning at most @p budget slots
 * from where the last call stopped. Owning lcore, every few tens of microseconds; an empty table costs nothing.
 * @return flows ended.
 */
uint32_t weir_flow_expire(struct weir_flow_table *t, uint64_t now, uint32_t budget);

/** End flow @p e now (flowDeleteFn per context) and remove it. Owning lcore. */
void weir_flow_end(struct weir_flow_table *t, struct weir_flow_entry *e);

/**
 * Serve up to @p budget messages of the ring (other threads' context
 * requests). Owning lcore, once per loop. @return messages served.
 */
unsigned weir_flow_service(struct weir_flow_table *t, unsigned budget);

/** The flow id (flowHandle) of @p e. */
UINT64 weir_flow_id(const struct weir_flow_table *t, const struct weir_flow_entry *e);

/** The entry named by @p flowId in its table, or NULL. Owning lcore (or stopped table). */
struct weir_flow_entry *weir_flow_from_id(UINT64 flowId, struct weir_flow_table **t);

/**
 * struct weir_flow_ops.get_context: @p flow is an entry.
 * @return true and *ctx when the entry has a context for @p calloutId that is
 *   not being removed.
 */
bool weir_flow_get_context(void *flow, UINT32 calloutId, UINT64 *ctx);

#endif /* WEIR_FLOW_FLOW_H */
