/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore flow tables: canonical keys, lookup/create, TCP state, idle
 * expiry. See flow.h for the design.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "flow/flow_impl.h"

/* one cache line per flow: 1M flows cost 64 MB of entries (141 MB with the hash) */
_Static_assert(sizeof(struct weir_flow_entry) == 64, "flow entry is one cache line");
_Static_assert(sizeof(struct weir_flow_key) == 40, "flow key has no padding");

struct weir_flow_table *weir_flow_tables[WEIR_FLOW_MAX_TABLES];

static const struct weir_flow_timeouts default_tmo = {
    .tcp_established = 7200,
    .tcp_transitory = 120,
    .tcp_closed = 10,
    .udp = 60,
    .icmp = 30,
    .other = 60,
};

static uint64_t pick(uint32_t v, uint32_t dflt, uint64_t hz)
{
	return (uint64_t)(v ? v : dflt) * hz;
}

struct weir_flow_table *weir_flow_table_create(unsigned lcore, const struct weir_flow_params *p)
{
	struct weir_flow_params d = {0};
	struct weir_flow_table *t;
	char name[RTE_HASH_NAMESIZE];
	uint64_t hz;
	int socket;

	if (p == NULL)
		p = &d;
	if (lcore >= WEIR_FLOW_MAX_TABLES || weir_flow_tables[lcore] != NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	socket = p->socket;
	t = rte_zmalloc_socket("weir_flow_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->index = lcore;
	t->capacity = p->capacity ? p->capacity : WEIR_FLOW_DEFAULT_CAPACITY;
	t->n_blocks = p->ovf_blocks ? p->ovf_blocks : t->capacity / 16;
	if (t->n_blocks < 64)
		t->n_blocks = 64;
	hz = p->tsc_hz ? p->tsc_hz : rte_get_tsc_hz();
	t->tmo.est = pick(p->timeouts.tcp_established, default_tmo.tcp_established, hz);
	t->tmo.trans = pick(p->timeouts.tcp_transitory, default_tmo.tcp_transitory, hz);
	t->tmo.closed = pick(p->timeouts.tcp_closed, default_tmo.tcp_closed, hz);
	t->tmo.udp = pick(p->timeouts.udp, default_tmo.udp, hz);
	t->tmo.icmp = pick(p->timeouts.icmp, default_tmo.icmp, hz);
	t->tmo.other = pick(p->timeouts.other, default_tmo.other, hz);
	atomic_init(&t->running, false);

	snprintf(name, sizeof(name), "weir_flow_%u", lcore);
	struct rte_hash_parameters hp = {
	    .name = name,
	    .entries = t->capacity,
	    .key_len = sizeof(struct weir_flow_key),
	    .hash_func = rte_hash_crc,
	    .hash_func_init_val = 0x9e3779b9,
	    .socket_id = socket,
	    /* extendable buckets: the table holds exactly capacity keys */
	    .extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	t->hash = rte_hash_create(&hp);
	snprintf(name, sizeof(name), "weir_flowq_%u", lcore);
	t->ring = rte_ring_create(name, p->ring_size ? p->ring_size : 1024, socket, RING_F_SC_DEQ);
	t->e = rte_zmalloc_socket("weir_flow_entries", (size_t)t->capacity * sizeof(*t->e),
	                          RTE_CACHE_LINE_SIZE, socket);
	t->blk = rte_zmalloc_socket("weir_flow_blocks", (size_t)t->n_blocks * sizeof(*t->blk),
	                            RTE_CACHE_LINE_SIZE, socket);
	if (t->hash == NULL || t->ring == NULL || t->e == NULL || t->blk == NULL) {
		rte_hash_free(t->hash);
		rte_ring_free(t->ring);
		rte_free(t->e);
		rte_free(t->blk);
		rte_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < t->n_blocks; i++)
		t->blk[i].next = i + 1 < t->n_blocks ? i + 2 : 0;
	t->blk_free = 1;
	weir_flow_tables[lcore] = t;
	return t;
}

void weir_flow_table_destroy(struct weir_flow_table *t)
{
	if (t == NULL)
		return;
	/* answer what was queued before the worker stopped, then end the flows */
	weir_flow_service(t, UINT_MAX);
	for (uint32_t i = 0; i < t->capacity; i++)
		if (t->e[i].flags & WEIR_FLOW_F_USED)
			weir_flow_end(t, &t->e[i]);
	weir_flow_tables[t->index] = NULL;
	rte_hash_free(t->hash);
	rte_ring_free(t->ring);
	rte_free(t->e);
	rte_free(t->blk);
	rte_free(t);
}

void weir_flow_table_set_running(struct weir_flow_table *t, bool running)
{
	atomic_store(&t->running, running);
}

struct weir_flow_table *weir_flow_table_get(unsigned lcore)
{
	return lcore < WEIR_FLOW_MAX_TABLES ? weir_flow_tables[lcore] : NULL;
}

const struct weir_flow_stats *weir_flow_table_stats(const struct weir_flow_table *t)
{
	return &t->st;
}

uint32_t weir_flow_table_count(const struct weir_flow_table *t)
{
	return t->count;
}

/* Order the two endpoints; @return 1 when they were swapped. */
static int canon(struct weir_flow_key *k, size_t alen)
{
	int c = memcmp(k->addr[0], k->addr[1], alen);

	if (c < 0 || (c == 0 && k->port[0] <= k->port[1]))
		return 0;
	uint8_t a[16];
	uint16_t p = k->port[0];

	memcpy(a, k->addr[0], 16);
	memcpy(k->addr[0], k->addr[1], 16);
	memcpy(k->addr[1], a, 16);
	k->port[0] = k->port[1];
	k->port[1] = p;
	return 1;
}

static void fill_ports(struct weir_flow_key *k, uint16_t sport, uint16_t dport, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		k->port[0] = sport;
		k->port[1] = dport;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* the echo id names the exchange in both directions */
		k->port[0] = sport;
		k->port[1] = sport;
		break;
	default:
		k->port[0] = 0;
		k->port[1] = 0;
		break;
	}
}

int weir_flow_key_v4(struct weir_flow_key *k, uint32_t src, uint32_t dst, uint16_t sport,
                     uint16_t dport, uint8_t proto, uint16_t zone)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr[0], &src, 4);
	memcpy(k->addr[1], &dst, 4);
	fill_ports(k, sport, dport, proto);
	k->zone = zone;
	k->proto = proto;
	k->family = 4;
	return canon(k, 4);
}

int weir_flow_key_v6(struct weir_flow_key *k, const uint8_t src[16], const uint8_t dst[16],
                     uint16_t sport, uint16_t dport, uint8_t proto, uint16_t zone)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr[0], src, 16);
	memcpy(k->addr[1], dst, 16);
	fill_ports(k, sport, dport, proto);
	k->zone = zone;
	k->proto = proto;
	k->family = 6;
	return canon(k, 16);
}

struct weir_flow_entry *weir_flow_lookup(struct weir_flow_table *t, const struct weir_flow_key *k)
{
	int32_t pos = rte_hash_lookup(t->hash, k);

	return pos >= 0 ? &t->e[pos] : NULL;
}

struct weir_flow_entry *weir_flow_lookup_or_create(struct weir_flow_table *t,
                                                   const struct weir_flow_key *k, int dir,
                                                   uint64_t now, bool *is_new,
                                                   enum weir_flow_refusal *why)
{
	hash_sig_t sig;
	int32_t pos;
	struct weir_flow_entry *e;

	if (t == NULL || k == NULL) {
		if (why)
			*why = WEIR_FLOW_INVALID;
		return NULL;
	}
	sig = rte_hash_hash(t->hash, k);
	pos = rte_hash_lookup_with_hash(t->hash, k, sig);
	if (pos >= 0) {
		e = &t->e[pos];
		e->last_seen = now;
		if (is_new)
			*is_new = false;
		if (e->state == WEIR_FLOW_NEW && e->proto != IPPROTO_TCP)
			e->state = WEIR_FLOW_ACTIVE;
		return e;
	}
	pos = rte_hash_add_key_with_hash(t->hash, k, sig);
	if (pos < 0) {
		/* -ENOSPC: full; established flows stay, the new one is refused */
		t->st.refused_full++;
		if (why)
			*why = WEIR_FLOW_FULL;
		return NULL;
	}
	e = &t->e[pos];
	uint32_t inc = (e->incarnation + 1) & 0xffffff;

	memset(e, 0, sizeof(*e));
	e->incarnation = inc ? inc : 1;
	e->last_seen = now;
	e->state = WEIR_FLOW_NEW;
	e->proto = k->proto;
	e->table = (uint16_t)t->index;
	e->flags = WEIR_FLOW_F_USED | (dir ? WEIR_FLOW_F_INIT1 : 0);
	t->count++;
	t->st.created++;
	if (is_new)
		*is_new = true;
	if (why)
		*why = WEIR_FLOW_OK;
	return e;
}

static void set_closed(struct weir_flow_table *t, struct weir_flow_entry *e)
{
	if (e->state == WEIR_FLOW_CLOSED)
		return;
	e->state = WEIR_FLOW_CLOSED;
	t->st.closed++;
	if (e->flags & WEIR_FLOW_F_IN_CLASSIFY)
		e->flags |= WEIR_FLOW_F_END_PENDING;
	else
		weir_flow_end_contexts(t, e);
}

enum weir_flow_state weir_flow_update_tcp(struct weir_flow_table *t, struct weir_flow_entry *e,
                                          int dir, uint8_t tcp_flags)
{
	bool from_init = (dir != 0) == ((e->flags & WEIR_FLOW_F_INIT1) != 0);

	if (e->state == WEIR_FLOW_CLOSED)
		return WEIR_FLOW_CLOSED;
	if (tcp_flags & RTE_TCP_RST_FLAG) {
		set_closed(t, e);
		return WEIR_FLOW_CLOSED;
	}
	if (tcp_flags & RTE_TCP_FIN_FLAG) {
		e->flags |= dir ? WEIR_FLOW_F_FIN1 : WEIR_FLOW_F_FIN0;
		if ((e->flags & (WEIR_FLOW_F_FIN0 | WEIR_FLOW_F_FIN1)) ==
		    (WEIR_FLOW_F_FIN0 | WEIR_FLOW_F_FIN1))
			set_closed(t, e);
		else
			e->state = WEIR_FLOW_FIN_WAIT;
		return e->state;
	}
	switch (e->state) {
	case WEIR_FLOW_NEW:
		if ((tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG)
			e->state = WEIR_FLOW_SYN_SEEN;
		else if (tcp_flags & RTE_TCP_ACK_FLAG)
			/* picked up mid-stream (e.g. after a restart) */
			e->state = WEIR_FLOW_ESTABLISHED;
		break;
	case WEIR_FLOW_SYN_SEEN:
		if ((tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
		        (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) &&
		    !from_init)
			e->flags |= WEIR_FLOW_F_SYNACK;
		else if ((tcp_flags & RTE_TCP_ACK_FLAG) && !(tcp_flags & RTE_TCP_SYN_FLAG) &&
		         from_init && (e->flags & WEIR_FLOW_F_SYNACK))
			e->state = WEIR_FLOW_ESTABLISHED;
		break;
	default:
		break;
	}
	return e->state;
}

void weir_flow_classify_end(struct weir_flow_table *t, struct weir_flow_entry *e)
{
	e->flags &= ~WEIR_FLOW_F_IN_CLASSIFY;
	if (e->flags & WEIR_FLOW_F_DEL_PENDING)
		weir_flow_run_deferred(t, e);
	if (e->flags & WEIR_FLOW_F_END_PENDING) {
		e->flags &= ~WEIR_FLOW_F_END_PENDING;
		weir_flow_end_contexts(t, e);
	}
}

void weir_flow_end(struct weir_flow_table *t, struct weir_flow_entry *e)
{
	struct weir_flow_key *k;
	uint32_t pos = (uint32_t)(e - t->e);

	e->flags &= ~WEIR_FLOW_F_IN_CLASSIFY;
	weir_flow_end_contexts(t, e);
	if (rte_hash_get_key_with_position(t->hash, (int32_t)pos, (void **)&k) == 0)
		rte_hash_del_key(t->hash, k);
	/* keep the incarnation so the next flow in this slot gets a new id */
	uint32_t inc = e->incarnation;

	memset(e, 0, sizeof(*e));
	e->incarnation = inc;
	t->count--;
	t->st.ended++;
}

static uint64_t timeout_of(const struct weir_flow_table *t, const struct weir_flow_entry *e)
{
	switch (e->proto) {
	case IPPROTO_TCP:
		if (e->state == WEIR_FLOW_ESTABLISHED)
			return t->tmo.est;
		if (e->state == WEIR_FLOW_CLOSED)
			return t->tmo.closed;
		return t->tmo.trans;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return t->tmo.udp;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return t->tmo.icmp;
	default:
		return t->tmo.other;
	}
}

uint32_t weir_flow_expire(struct weir_flow_table *t, uint64_t now, uint32_t budget)
{
	uint32_t ended = 0;

	if (t->count == 0)
		return 0; /* nothing to age: do not walk an empty table */
	if (budget > t->capacity)
		budget = t->capacity;
	while (budget--) {
		struct weir_flow_entry *e = &t->e[t->cursor];

		if (++t->cursor == t->capacity)
			t->cursor = 0;
		if (!(e->flags & WEIR_FLOW_F_USED) || (e->flags & WEIR_FLOW_F_IN_CLASSIFY))
			continue;
		if (now >= e->last_seen && now - e->last_seen >= timeout_of(t, e)) {
			weir_flow_end(t, e);
			t->st.expired++;
			ended++;
		}
	}
	return ended;
}

unsigned weir_flow_service(struct weir_flow_table *t, unsigned budget)
{
	void *msgs[32];
	unsigned done = 0;

	while (done < budget) {
		unsigned want = budget - done < 32 ? budget - done : 32;
		unsigned n = rte_ring_sc_dequeue_burst(t->ring, msgs, want, NULL);

		for (unsigned i = 0; i < n; i++)
			weir_flow_serve_msg(t, msgs[i]);
		done += n;
		t->st.msgs += n;
		if (n < want)
			break;
	}
	return done;
}

UINT64 weir_flow_id(const struct weir_flow_table *t, const struct weir_flow_entry *e)
{
	return (UINT64)t->index << 56 | (UINT64)(e->incarnation & 0xffffff) << 32 |
	       (UINT64)(uint32_t)(e - t->e);
}

struct weir_flow_entry *weir_flow_from_id(UINT64 flowId, struct weir_flow_table **tp)
{
	struct weir_flow_table *t = weir_flow_tables[flowId >> 56];
	uint32_t pos = (uint32_t)flowId;
	struct weir_flow_entry *e;

	if (t == NULL || pos >= t->capacity)
		return NULL;
	e = &t->e[pos];
	if (!(e->flags & WEIR_FLOW_F_USED) || e->incarnation != ((flowId >> 32) & 0xffffff))
		return NULL;
	if (tp)
		*tp = t;
	return e;
}
