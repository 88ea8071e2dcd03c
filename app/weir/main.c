/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * weir: the daemon. The main lcore is the control thread: it loads the
 * policy, starts the data path, prints statistics, reloads on SIGHUP and
 * drains on SIGINT/SIGTERM. Workers run on every other lcore.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include <weir/weir.h>
#include <weir/weir_dataplane.h>
#include <weir/weir_policy.h>

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

struct options {
	const char *policy;
	double stats_period; /* seconds, 0: none */
	long idle_exit_ms;   /* 0: run until signalled */
	unsigned churn_hz;   /* policy updates per second (soak tests) */
	unsigned burst;
	unsigned long flows;
	unsigned long mbufs;
	unsigned long acl_max_rules;
};

static void usage(FILE *f, const char *prog)
{
	fprintf(
	    f,
	    "usage: %s [EAL options] -- --policy FILE [options]\n"
	    "\n"
	    "Ports are whatever the EAL probes (PCI devices or --vdev); they are paired\n"
	    "0<->1, 2<->3, ...: what is permitted from one leaves on its pair, and an odd\n"
	    "last port hairpins to itself. Give at least two lcores (-l 0,1): the main one\n"
	    "is the control thread, every other one a worker. Without hugepages add\n"
	    "--no-huge -m 1024 --no-pci.\n"
	    "\n"
	    "options:\n"
	    "  --policy FILE         policy file to load (required); SIGHUP reloads it as\n"
	    "                        one transaction\n"
	    "  --stats-period N      print per-port statistics every N seconds (testpmd layout)\n"
	    "  --idle-exit MS        drain and exit once no packet arrived for MS milliseconds\n"
	    "                        (after the first one, or from start-up if none comes)\n"
	    "  --burst N             RX burst size, 1..64 (default 32)\n"
	    "  --flows N             flow table capacity per worker (default 1048576); when\n"
	    "                        full, new flows are dropped and counted\n"
	    "  --mbufs N             mbufs in the packet pool (default 16383 per port pair + 1;\n"
	    "                        a pcap port with infinite_rx holds its whole capture)\n"
	    "  --acl-max-rules N     filters per compiled rte_acl context (default 1024): larger\n"
	    "                        classifies faster, builds slower and with more memory\n"
	    "  --churn HZ            add and delete a filter HZ times a second while running\n"
	    "                        (to test and measure updates under traffic)\n"
	    "  --help                this text\n"
	    "\n"
	    "SIGINT/SIGTERM: stop RX, drain, flush TX, print final statistics, exit 0.\n",
	    prog);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
	    {"policy", required_argument, NULL, 'p'},
	    {"stats-period", required_argument, NULL, 's'},
	    {"idle-exit", required_argument, NULL, 'i'},
	    {"burst", required_argument, NULL, 'b'},
	    {"churn", required_argument, NULL, 'c'},
	    {"flows", required_argument, NULL, 'f'},
	    {"mbufs", required_argument, NULL, 'm'},
	    {"acl-max-rules", required_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 'p':
			o->policy = optarg;
			break;
		case 's':
			o->stats_period = strtod(optarg, &end);
			if (*end || o->stats_period < 0) {
				fprintf(stderr,
				        "weir: --stats-period: not a number of seconds: '%s'\n",
				        optarg);
				return -1;
			}
			break;
		case 'i':
			o->idle_exit_ms = strtol(optarg, &end, 10);
			if (*end || errno || o->idle_exit_ms <= 0) {
				fprintf(stderr,
				        "weir: --idle-exit: not a positive number of ms: '%s'\n",
				        optarg);
				return -1;
			}
			break;
		case 'b':
			o->burst = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o->burst < 1 || o->burst > 64) {
				fprintf(stderr, "weir: --burst: 1..64, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'c':
			o->churn_hz = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o->churn_hz > 100000) {
				fprintf(stderr, "weir: --churn: 0..100000, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'f':
			o->flows = strtoul(optarg, &end, 10);
			if (*end || errno || o->flows < 64 || o->flows > (1ul << 26)) {
				fprintf(stderr, "weir: --flows: 64..67108864, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'm':
			o->mbufs = strtoul(optarg, &end, 10);
			if (*end || errno || o->mbufs < 1024 || o->mbufs > (1ul << 26)) {
				fprintf(stderr, "weir: --mbufs: 1024..67108864, not '%s'\n",
				        optarg);
				return -1;
			}
			break;
		case 'a':
			o->acl_max_rules = strtoul(optarg, &end, 10);
			if (*end || errno || o->acl_max_rules < 1 || o->acl_max_rules > 65536) {
				fprintf(stderr, "weir: --acl-max-rules: 1..65536, not '%s'\n",
				        optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout, argv[0]);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "weir: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->policy == NULL) {
		fprintf(stderr, "weir: --policy FILE is required\n");
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const struct weir_policy_error *err)
{
	char msg[2600];

	weir_policy_format_error(err, msg, sizeof(msg));
	fprintf(stderr, "%s\n", msg);
}

/* One step of --churn: alternately add and delete a filter that never matches. */
static void churn_step(HANDLE h, UINT64 *id)
{
	static const GUID key = {0x77eec0de, 0x1d2c, 0x4a1b, {0x9e, 1, 2, 3, 4, 5, 6, 7}};
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c;
	NTSTATUS st;

	if (*id) {
		st = FwpmFilterDeleteById0(h, *id);
		*id = 0;
		if (st != STATUS_SUCCESS)
			fprintf(stderr, "weir: churn delete: %s\n", weir_status_name(st));
		return;
	}
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	c.fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	c.matchType = FWP_MATCH_EQUAL;
	c.conditionValue.type = FWP_UINT8;
	c.conditionValue.uint8 = 253; /* RFC 3692 experimental: never in test traffic */
	f.filterKey = key;
	f.displayData.name = L"weir churn";
	f.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	f.action.type = FWP_ACTION_BLOCK;
	f.numFilterConditions = 1;
	f.filterCondition = &c;
	st = FwpmFilterAdd0(h, &f, NULL, id);
	if (st != STATUS_SUCCESS)
		fprintf(stderr, "weir: churn add: %s\n", weir_status_name(st));
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct weir_policy_state *state = NULL;
	struct weir_policy_error err;
	struct weir_dataplane_config cfg = {0};
	struct weir_dataplane_totals t;
	HANDLE engine = NULL;
	uint64_t last_rx = 0, churn_id = 0, churns = 0;
	double start, last_stats, last_rx_change, next_churn;
	NTSTATUS st;
	int n, rc;

	for (n = 1; n < argc; n++)
		if (strcmp(argv[n], "--help") == 0 || strcmp(argv[n], "-h") == 0) {
			usage(stdout, argv[0]);
			return 0;
		}
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		/* EINVAL: the EAL options themselves are wrong (a usage error) */
		int bad_args = rte_errno == EINVAL;

		fprintf(stderr, "weir: EAL initialisation failed: %s%s\n", rte_strerror(rte_errno),
		        bad_args ? " (check the EAL options before --)" : "");
		return bad_args ? 2 : 1;
	}
	argv[n] = argv[0];
	if (parse_args(argc - n, argv + n, &o) != 0) {
		usage(stderr, argv[0]);
		rte_eal_cleanup();
		return 2;
	}
	weir_dataplane_prepare((uint32_t)o.acl_max_rules);
	st = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &engine);
	if (st != STATUS_SUCCESS) {
		fprintf(stderr, "weir: FwpmEngineOpen0: %s\n", weir_status_name(st));
		rte_eal_cleanup();
		return 1;
	}
	st = weir_policy_load(engine, o.policy, &state, &err);
	if (st != STATUS_SUCCESS) {
		report(&err);
		FwpmEngineClose0(engine);
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	cfg.burst = (uint16_t)o.burst;
	cfg.flows = (uint32_t)o.flows;
	cfg.mbufs = (uint32_t)o.mbufs;
	rc = weir_dataplane_start(&cfg);
	if (rc != 0) {
		fprintf(stderr, "weir: data path: %s\n", strerror(-rc));
		weir_policy_unload(engine, state);
		FwpmEngineClose0(engine);
		rte_eal_cleanup();
		return 1;
	}
	printf("weir: running on %u worker lcore(s), policy %s (generation %" PRIu64 ")\n",
	       rte_lcore_count() - 1, o.policy, weir_policy_generation());
	fflush(stdout);
	start = last_stats = last_rx_change = next_churn = now_s();
	while (!got_stop) {
		double now;
		struct timespec nap = {0, 1000000};

		nanosleep(&nap, NULL);
		weir_dataplane_compile_poll(); /* swap in finished background compiles */
		now = now_s();
		if (got_hup) {
			got_hup = 0;
			st = weir_policy_reload(engine, o.policy, state, &err);
			if (st != STATUS_SUCCESS || err.msg[0])
				report(&err);
			if (st == STATUS_SUCCESS)
				printf("weir: reloaded %s (generation %" PRIu64 ")\n", o.policy,
				       weir_policy_generation());
			else
				printf("weir: reload failed, the running policy is unchanged\n");
			fflush(stdout);
		}
		if (o.churn_hz && now >= next_churn) {
			churn_step(engine, &churn_id);
			churns++;
			next_churn += 1.0 / o.churn_hz;
			if (next_churn < now)
				next_churn = now;
		}
		if (o.stats_period > 0 && now - last_stats >= o.stats_period) {
			weir_dataplane_print_stats(stdout, false, now - last_stats);
			last_stats = now;
		}
		if (o.idle_exit_ms) {
			weir_dataplane_totals(&t);
			if (t.rx != last_rx) {
				last_rx = t.rx;
				last_rx_change = now;
			} else if ((now - last_rx_change) * 1000 >= (double)o.idle_exit_ms) {
				break;
			}
		}
	}
	weir_dataplane_stop();
	if (churn_id)
		churn_step(engine, &churn_id);
	printf("\nweir: stopping after %.1f s%s\n", now_s() - start,
	       got_stop ? " (signal)" : " (idle)");
	if (o.churn_hz)
		printf("weir: %" PRIu64 " policy updates under traffic\n", churns);
	weir_dataplane_print_stats(stdout, true, now_s() - last_stats);
	st = weir_policy_unload(engine, state);
	if (st != STATUS_SUCCESS)
		fprintf(stderr, "weir: policy unload: %s\n", weir_status_name(st));
	FwpmEngineClose0(engine);
	rte_eal_cleanup();
	return 0;
}
