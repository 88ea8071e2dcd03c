/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * weirctl: the operator's client.
 *
 *   weirctl check POLICY                      parse and validate a policy file
 *   weirctl layers [LAYER]                    list layers, or one layer's fields
 *   weirctl explain POLICY LAYER [FIELD=VALUE ...]
 *                                             why a packet gets its verdict
 *
 * explain loads the policy (and its modules) into an engine of its own, so it
 * answers for the file as written, without a running daemon.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>
#include <weir/weir_explain.h>
#include <weir/weir_policy.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: weirctl check POLICY\n"
	           "       weirctl layers [LAYER]\n"
	           "       weirctl explain POLICY LAYER [FIELD=VALUE ...]\n"
	           "FIELD is a policy-language field name (ip.src, l4.dst-port, ...);\n"
	           "VALUE an address, a MAC, a number or a protocol name.\n");
}

static int cmd_check(const char *path)
{
	struct weir_policy_error err;
	char msg[2600];
	NTSTATUS st = weir_policy_check(path, &err);

	if (st != STATUS_SUCCESS) {
		weir_policy_format_error(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	printf("%s: ok\n", path);
	return 0;
}

static int cmd_layers(const char *name)
{
	int l, from = 0, to = WEIR_LAYER_COUNT;
	UINT32 i;

	if (name) {
		l = weir_layer_from_name(name);
		if (l < 0) {
			fprintf(stderr, "weirctl: unknown layer '%s'\n", name);
			return 2;
		}
		from = l;
		to = l + 1;
	}
	for (l = from; l < to; l++) {
		printf("%s\n", weir_layer_name(l));
		if (!name)
			continue;
		for (i = 0; i < weir_layer_field_count(l); i++) {
			const char *pol = NULL;
			const char *fn = weir_layer_field_name(l, i, &pol);

			printf("  %3u %-36s %s\n", i, fn ? fn : "?", pol ? pol : "");
		}
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned value;
} protos[] = {{"tcp", 6},  {"udp", 17}, {"icmp", 1},  {"icmpv6", 58},
              {"gre", 47}, {"esp", 50}, {"sctp", 132}};

/* Storage for values that FWP_VALUE0 holds by pointer. */
struct vstore {
	FWP_BYTE_ARRAY16 b16[64];
	FWP_BYTE_ARRAY6 b6[64];
	UINT64 u64[64];
	unsigned n16, n6, n64;
};

static int parse_value(FWP_DATA_TYPE t, const char *s, FWP_VALUE0 *v, struct vstore *vs)
{
	unsigned long long n;
	char *end;
	size_t i;

	v->type = t;
	switch (t) {
	case FWP_BYTE_ARRAY16_TYPE:
		if (vs->n16 >= 64 || inet_pton(AF_INET6, s, vs->b16[vs->n16].byteArray16) != 1)
			return -EINVAL;
		v->byteArray16 = &vs->b16[vs->n16++];
		return 0;
	case FWP_BYTE_ARRAY6_TYPE: {
		unsigned m[6];

		if (vs->n6 >= 64 ||
		    sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
			return -EINVAL;
		for (i = 0; i < 6; i++)
			vs->b6[vs->n6].byteArray6[i] = (UINT8)m[i];
		v->byteArray6 = &vs->b6[vs->n6++];
		return 0;
	}
	default:
		break;
	}
	if (t == FWP_UINT32 && strchr(s, '.')) {
		struct in_addr a;

		if (inet_pton(AF_INET, s, &a) != 1)
			return -EINVAL;
		v->uint32 = ntohl(a.s_addr);
		return 0;
	}
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcmp(s, protos[i].name) == 0) {
			v->uint8 = (UINT8)protos[i].value;
			v->type = FWP_UINT8;
			return t == FWP_UINT8 ? 0 : -EINVAL;
		}
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || *end || end == s)
		return -EINVAL;
	switch (t) {
	case FWP_UINT8:
		if (n > 0xff)
			return -ERANGE;
		v->uint8 = (UINT8)n;
		return 0;
	case FWP_UINT16:
		if (n > 0xffff)
			return -ERANGE;
		v->uint16 = (UINT16)n;
		return 0;
	case FWP_UINT32:
		if (n > 0xffffffffull)
			return -ERANGE;
		v->uint32 = (UINT32)n;
		return 0;
	case FWP_UINT64:
		if (vs->n64 >= 64)
			return -ENOSPC;
		vs->u64[vs->n64] = n;
		v->uint64 = &vs->u64[vs->n64++];
		return 0;
	default:
		return -EINVAL;
	}
}

static const char *action_name(FWP_ACTION_TYPE a)
{
	switch (a) {
	case FWP_ACTION_BLOCK:
		return "block";
	case FWP_ACTION_PERMIT:
		return "permit";
	case FWP_ACTION_CONTINUE:
		return "continue";
	case FWP_ACTION_CALLOUT_TERMINATING:
		return "callout-terminating";
	case FWP_ACTION_CALLOUT_INSPECTION:
		return "callout-inspection";
	case FWP_ACTION_CALLOUT_UNKNOWN:
		return "callout-unknown";
	case FWP_ACTION_NONE:
		return "none";
	case 0:
		return "-";
	default:
		return "?";
	}
}

static int cmd_explain(const char *path, const char *layer_name, int argc, char **argv)
{
	static struct vstore vs;
	struct weir_policy_state *state = NULL;
	struct weir_policy_error err;
	struct weir_explain_entry entries[256];
	struct weir_explain ex = {.entries = entries, .capacity = 256};
	FWPS_INCOMING_VALUES0 in;
	FWPS_INCOMING_VALUE0 *vals;
	HANDLE h = NULL;
	char msg[2600];
	int layer = weir_layer_from_name(layer_name), i, rc = 0;
	UINT32 n, k;
	NTSTATUS st;

	if (layer < 0) {
		fprintf(stderr, "weirctl: unknown layer '%s'\n", layer_name);
		return 2;
	}
	n = weir_incoming_values_count(layer);
	vals = calloc(n, sizeof(*vals));
	if (vals == NULL || weir_incoming_values_init(layer, &in, vals, n) != STATUS_SUCCESS) {
		fprintf(stderr, "weirctl: out of memory\n");
		return 1;
	}
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		int f;

		if (eq == NULL) {
			fprintf(stderr, "weirctl: expected FIELD=VALUE, got '%s'\n", argv[i]);
			free(vals);
			return 2;
		}
		*eq = '\0';
		f = weir_layer_field_by_name(layer, argv[i]);
		if (f < 0) {
			fprintf(stderr, "weirctl: layer %s has no field '%s'\n", layer_name,
			        argv[i]);
			free(vals);
			return 2;
		}
		if (parse_value(weir_layer_field_type(layer, f), eq + 1, &vals[f].value, &vs) !=
		    0) {
			fprintf(stderr, "weirctl: bad value '%s' for %s\n", eq + 1, argv[i]);
			free(vals);
			return 2;
		}
	}
	st = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h);
	if (st == STATUS_SUCCESS)
		st = weir_policy_load(h, path, &state, &err);
	if (st != STATUS_SUCCESS) {
		weir_policy_format_error(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		free(vals);
		return 1;
	}
	st = weir_explain(h, layer, &in, &ex);
	if (st != STATUS_SUCCESS) {
		fprintf(stderr, "weirctl: explain: %s\n", weir_status_name(st));
		rc = 1;
	} else {
		printf("verdict: %s%s%s%s (filter %" PRIu64 ")\n", action_name(ex.action),
		       ex.absorbed ? ", absorbed" : "", ex.veto ? ", veto" : "",
		       ex.by_default ? ", layer default" : "", (uint64_t)ex.filterId);
		for (k = 0; k < ex.n_entries && k < ex.capacity; k++) {
			const struct weir_explain_entry *e = &entries[k];

			printf("  filter %-6" PRIu64 " sublayer %-5u weight 0x%016" PRIx64
			       " %-20s -> %-8s %s, %s\n",
			       (uint64_t)e->filterId, e->subLayerWeight, (uint64_t)e->weight,
			       action_name(e->filterAction), action_name(e->result),
			       weir_explain_reason_name(e->reason),
			       weir_explain_effect_name(e->effect));
		}
	}
	weir_policy_unload(h, state);
	FwpmEngineClose0(h);
	free(vals);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") == 0 && argc == 3)
		return cmd_check(argv[2]);
	if (strcmp(argv[1], "layers") == 0 && argc <= 3)
		return cmd_layers(argc == 3 ? argv[2] : NULL);
	if (strcmp(argv[1], "explain") == 0 && argc >= 4)
		return cmd_explain(argv[2], argv[3], argc - 4, argv + 4);
	usage(stderr);
	return 2;
}
