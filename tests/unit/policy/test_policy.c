/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy files: lexer and parser (every error with its exact LINE:COL),
 * value conversions as the engine receives them, the one-transaction
 * property, reload diffs, and callout modules loaded and unloaded for real.
 * No EAL.
 *
 * Arguments: the source directory of this test (fixtures, and ../../../config
 * for the example policy), the test module, the module without entry points.
 */
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <weir/fwpmk.h>
#include <weir/fwpsk.h>
#include <weir/weir.h>
#include <weir/weir_policy.h>

#include "core/layers.h"

#define ok(x) assert_int_equal((x), STATUS_SUCCESS)
#define st(x, want) assert_int_equal((x), (want))

static const char *srcdir;
static const char *module_path;
static const char *nosym_path;
static char tmpdir[PATH_MAX];

/* Files ------------------------------------------------------------------ */

/* Write @p text to tmpdir/@p name; @return the path (static, per name slot). */
static const char *put(const char *name, const char *text)
{
	static char paths[8][2 * PATH_MAX];
	static unsigned slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	snprintf(p, 2 * PATH_MAX, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	return p;
}

/* "LINE:COL: message" (or "message" without position) of checking @p text. */
static NTSTATUS check_text(const char *text, char *out, size_t n)
{
	struct weir_policy_error e;
	NTSTATUS s = weir_policy_check(put("check.conf", text), &e);

	if (s == STATUS_SUCCESS)
		snprintf(out, n, "ok");
	else if (e.line)
		snprintf(out, n, "%u:%u: %s", e.line, e.col, e.msg);
	else
		snprintf(out, n, "%s", e.msg);
	return s;
}

/* Engine helpers -------------------------------------------------------- */

static int setup(void **state)
{
	FWPM_SESSION0 s = {0};
	HANDLE h = NULL;

	s.flags = FWPM_SESSION_FLAG_DYNAMIC;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h) != STATUS_SUCCESS)
		return -1;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	return FwpmEngineClose0(*state) == STATUS_SUCCESS ? 0 : -1;
}

static GUID key_of(enum weir_policy_kind k, const char *name)
{
	GUID g;

	ok(weir_policy_object_key(k, name, &g));
	return g;
}

static FWPM_FILTER0 *get_filter(HANDLE h, const char *name)
{
	GUID k = key_of(WEIR_POLICY_FILTER, name);
	FWPM_FILTER0 *f = NULL;

	ok(FwpmFilterGetByKey0(h, &k, &f));
	return f;
}

static bool filter_exists(HANDLE h, const char *name)
{
	GUID k = key_of(WEIR_POLICY_FILTER, name);
	FWPM_FILTER0 *f = NULL;
	NTSTATUS s = FwpmFilterGetByKey0(h, &k, &f);

	FwpmFreeMemory0((void **)&f);
	assert_true(s == STATUS_SUCCESS || s == STATUS_FWP_FILTER_NOT_FOUND);
	return s == STATUS_SUCCESS;
}

static UINT64 filter_id(HANDLE h, const char *name)
{
	FWPM_FILTER0 *f = get_filter(h, name);
	UINT64 id = f->filterId;

	FwpmFreeMemory0((void **)&f);
	return id;
}

/* Every filter id in the engine, in enumeration order, into @p ids. */
static size_t all_filters(HANDLE h, UINT64 *ids, size_t max)
{
	HANDLE eh = NULL;
	FWPM_FILTER0 **entries = NULL;
	UINT32 n = 0, i;
	size_t total = 0;

	ok(FwpmFilterCreateEnumHandle0(h, NULL, &eh));
	do {
		ok(FwpmFilterEnum0(h, eh, 7, &entries, &n));
		for (i = 0; i < n; i++) {
			assert_true(total < max);
			ids[total++] = entries[i]->filterId;
		}
		FwpmFreeMemory0((void **)&entries);
	} while (n > 0);
	ok(FwpmFilterDestroyEnumHandle0(h, eh));
	return total;
}

static GUID field_key(enum weir_layer layer, const char *name)
{
	const struct weir_layer_desc *ld = weir_layer_get(layer);
	int i = weir_layer_field_by_policy(ld, name);

	assert_true(i >= 0);
	return *ld->fields[i].key;
}

static bool wname_is(const wchar_t *w, const char *s)
{
	while (*s && *w == (wchar_t)(unsigned char)*s) {
		w++;
		s++;
	}
	return *w == 0 && *s == 0;
}

/* Keys and errors ---------------------------------------------------------- */

static void test_object_key(void **state)
{
	static const struct {
		enum weir_policy_kind kind;
		const char *name, *want;
	} cases[] = {
	    /* independent answers: Python's uuid.uuid5(namespace, "<kind>:<name>") */
	    {WEIR_POLICY_FILTER, "drop telnet", "4b48525f-c7dc-5e65-a715-61af1f925326"},
	    {WEIR_POLICY_SUBLAYER, "edge", "831d2684-2633-5df4-a395-4a7d52ce95c3"},
	    {WEIR_POLICY_CALLOUT, "http-watch", "7b4e969a-dc04-5737-b339-fda90fe94425"},
	    {WEIR_POLICY_FILTER, "caf\xc3\xa9", "8d059a2d-7383-511e-88ca-03c39799a1d9"},
	};
	char longname[201], buf[37];
	GUID g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok(weir_policy_object_key(cases[i].kind, cases[i].name, &g));
		assert_string_equal(weir_guid_to_string(&g, buf), cases[i].want);
	}
	/* longer than one SHA-1 block */
	memset(longname, 'x', 200);
	longname[200] = 0;
	ok(weir_policy_object_key(WEIR_POLICY_PROVIDER, longname, &g));
	assert_string_equal(weir_guid_to_string(&g, buf), "ed1cc560-a0aa-5b55-9885-fa005654a406");
	st(weir_policy_object_key(WEIR_POLICY_FILTER, NULL, &g), STATUS_FWP_NULL_POINTER);
	st(weir_policy_object_key(WEIR_POLICY_FILTER, "x", NULL), STATUS_FWP_NULL_POINTER);
	st(weir_policy_object_key((enum weir_policy_kind)9, "x", &g), STATUS_INVALID_PARAMETER);
}

static void test_format_error(void **state)
{
	struct weir_policy_error e = {0};
	char buf[2200];

	(void)state;
	snprintf(e.file, sizeof(e.file), "p.conf");
	e.line = 3;
	e.col = 14;
	snprintf(e.msg, sizeof(e.msg), "unknown layer 'x'");
	weir_policy_format_error(&e, buf, sizeof(buf));
	assert_string_equal(buf, "p.conf:3:14: unknown layer 'x'");
	e.line = 0;
	weir_policy_format_error(&e, buf, sizeof(buf));
	assert_string_equal(buf, "p.conf: unknown layer 'x'");
	weir_policy_format_error(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "(no error)");
	e.line = 3;
	weir_policy_format_error(&e, buf, 8);
	assert_string_equal(buf, "p.conf:");
	weir_policy_format_error(&e, buf, 0); /* nothing written, no crash */
}

static void test_file_errors(void **state)
{
	struct weir_policy_error e;
	char path[PATH_MAX + 32];

	(void)state;
	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	st(weir_policy_check(path, &e), STATUS_NOT_FOUND);
	assert_int_equal(e.line, 0);
	assert_string_equal(e.msg, "cannot open: No such file or directory");
	st(e.status, STATUS_NOT_FOUND);
	st(weir_policy_check(NULL, &e), STATUS_FWP_NULL_POINTER);
	st(weir_policy_check(path, NULL), STATUS_NOT_FOUND); /* err is optional */
	/* empty and comment-only files are valid, empty policies */
	ok(weir_policy_check(put("empty.conf", ""), &e));
	ok(weir_policy_check(put("comments.conf", "# nothing\n\n   # here\n"), &e));
}

/* Each error, at its exact position. */
static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"bogus x\n",
	     "1:1: unknown statement 'bogus' (provider, sublayer, callout, module, default, "
	     "filter)"},
	    {"\"quoted\" x\n",
	     "1:1: expected a statement (provider, sublayer, callout, module, default, filter), "
	     "got 'quoted'"},
	    {"filter 9x layer inbound-transport-v4 action block\n",
	     "1:8: bad filter name '9x' (a name is [A-Za-z_][A-Za-z0-9_.-]* or a quoted string)"},
	    {"filter \"\" layer inbound-transport-v4 action block\n", "1:8: empty filter name"},
	    {"sublayer a weight 1\nsublayer a weight 2\n",
	     "2:10: duplicate sublayer name 'a' (first defined at line 1)"},
	    {"provider p key 5f1a7a10-6c4e-4c36-9a6e-2f0d3c9b1e01\n"
	     "provider q key 5f1a7a10-6c4e-4c36-9a6e-2f0d3c9b1e01\n",
	     "2:16: provider key 5f1a7a10-6c4e-4c36-9a6e-2f0d3c9b1e01 is already the key of "
	     "provider 'p' (line 1)"},
	    {"callout c layer nowhere\n", "1:17: unknown layer 'nowhere'"},
	    {"filter f layer inbound-mac-frame action block match ip.src == 1.2.3.4\n",
	     "1:53: field 'ip.src' is not valid at layer inbound-mac-frame"},
	    {"filter f layer inbound-transport-v4 action block match foo.bar == 1\n",
	     "1:56: unknown field 'foo.bar'"},
	    {"filter f layer inbound-transport-v4 action block match ip.src == 10.0.0.256\n",
	     "1:66: bad IPv4 address '10.0.0.256'"},
	    {"filter f layer inbound-transport-v4 action block match ip.src in 10.0.0.0/33\n",
	     "1:66: bad prefix length in '10.0.0.0/33' (0..32)"},
	    {"filter f layer inbound-transport-v6 action block match ip.src in ::/129\n",
	     "1:66: bad prefix length in '::/129' (0..128)"},
	    {"filter f layer inbound-transport-v4 action block match l4.dst-port in 2000-1000\n",
	     "1:71: bad range '2000-1000': low is greater than high"},
	    {"filter f layer inbound-transport-v4 action block match l4.dst-port in 80\n",
	     "1:71: 'in' needs a prefix (address/length) or a range (low-high), not '80'"},
	    {"filter f layer inbound-transport-v4 action block match l4.dst-port == 65536\n",
	     "1:71: number '65536' out of range for l4.dst-port (0..65535)"},
	    {"filter f layer inbound-transport-v4 action block match l4.dst-port == 0x1zz\n",
	     "1:71: bad number '0x1zz' for l4.dst-port"},
	    {"filter f layer inbound-transport-v4 action block flags bogus-flag\n",
	     "1:56: unknown flag 'bogus-flag' (clear-action-right, "
	     "permit-if-callout-unregistered)"},
	    {"filter f layer inbound-transport-v4 action block action permit\n",
	     "1:50: clause 'action' given twice"},
	    {"filter f layer inbound-transport-v4 match ip.proto == tcp\n",
	     "1:1: filter 'f': missing required clause 'action'"},
	    {"  sublayer s\n", "1:3: sublayer 's': missing required clause 'weight'"},
	    {"filter f action block\n", "1:1: filter 'f': missing required clause 'layer'"},
	    {"callout c layer stream-v4\n"
	     "filter f layer inbound-transport-v4 action callout-terminating c\n",
	     "2:64: callout 'c' applies to layer stream-v4, not to the filter's layer "
	     "inbound-transport-v4"},
	    {"filter f layer inbound-transport-v4 action callout-inspection nope\n",
	     "1:63: unknown callout 'nope'"},
	    {"filter f layer inbound-transport-v4 sublayer nope action block\n",
	     "1:46: unknown sublayer 'nope'"},
	    {"sublayer s weight 1 provider nobody\n", "1:30: unknown provider 'nobody'"},
	    {"filter f layer inbound-transport-v4 action block weight range 16\n",
	     "1:63: number '16' out of range (0..15)"},
	    {"sublayer s weight 65536\n", "1:19: number '65536' out of range (0..65535)"},
	    {"filter f layer inbound-transport-v4 action block context 18446744073709551616\n",
	     "1:58: number '18446744073709551616' out of range (0..18446744073709551615)"},
	    {"filter f layer inbound-transport-v4 action block weight heavy\n",
	     "1:57: bad weight 'heavy' (a number, auto or range 0..15)"},
	    {"provider p description \"unterminated\n", "1:24: unterminated string"},
	    {"filter f layer inbound-transport-v4 \\ action block\n",
	     "1:37: bad continuation: '\\' must be the last character of the line"},
	    {"filter f layer inbound-transport-v4 action block \\\n",
	     "1:50: bad continuation: the file ends after '\\'"},
	    {"provider p key 1234\n",
	     "1:16: bad GUID '1234' (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"},
	    {"provider p key 00000000-0000-0000-0000-000000000000\n",
	     "1:16: key must not be the zero GUID"},
	    {"filter f layer inbound-transport-v4 action block match ip.proto =~ tcp\n",
	     "1:65: unknown operator '=' (== != < <= > >= in flags-all flags-any flags-none)"},
	    {"filter f layer inbound-transport-v4 action block match ip.proto ==\n",
	     "1:67: missing value after '=='"},
	    {"filter f layer inbound-transport-v4 action block match ip.proto\n",
	     "1:64: missing operator after 'ip.proto'"},
	    {"filter f layer inbound-transport-v4 action block match\n",
	     "1:55: expected a condition (field op value) after 'match', got end of line"},
	    {"filter f layer inbound-transport-v4 action block match ip.proto == tcp,\n",
	     "1:72: expected a condition (field op value) after ',', got end of line"},
	    {"filter f layer inbound-transport-v4 action block match tcp.flags flags-any "
	     "syn|bogus\n",
	     "1:76: unknown TCP flag 'bogus' (fin syn rst psh ack urg)"},
	    {"filter f layer inbound-mac-frame action block match eth.src == aa:bb:cc:dd:ee\n",
	     "1:64: bad MAC address 'aa:bb:cc:dd:ee' (expected aa:bb:cc:dd:ee:ff)"},
	    {"filter f layer inbound-transport-v6 action block match ip.src == 10.0.0.1\n",
	     "1:66: '10.0.0.1' is not an IPv6 address (layer inbound-transport-v6 is IPv6)"},
	    {"filter f layer inbound-transport-v4 action block match ip.src == ::1\n",
	     "1:66: '::1' is not an IPv4 address (layer inbound-transport-v4 is IPv4)"},
	    {"filter f layer inbound-transport-v4 action block match ip.src flags-any 1\n",
	     "1:63: 'flags-any' needs an integer field, ip.src is not one"},
	    {"filter f layer inbound-transport-v4 action block match l4.dst-port == 80/8\n",
	     "1:71: a prefix needs an address field, l4.dst-port is not one"},
	    {"filter f layer inbound-transport-v4 action block match ip.src < 10.0.0.0/8\n",
	     "1:65: '<' takes a single value, not a prefix"},
	    {"filter f layer inbound-transport-v4 action block match ip.proto == ftp\n",
	     "1:68: bad protocol 'ftp' (a number or tcp, udp, icmp, icmpv6, gre, esp, sctp)"},
	    {"filter f layer inbound-transport-v4 action block match ip.dscp == 64\n",
	     "1:67: number '64' out of range for ip.dscp (0..63)"},
	    {"filter f layer inbound-mac-frame action block match vlan.id == 4096\n",
	     "1:64: number '4096' out of range for vlan.id (0..4095)"},
	    {"filter f layer inbound-transport-v4 action block match l4.dst-port in -5\n",
	     "1:71: bad range '-5' (expected low-high)"},
	    {"filter f layer inbound-transport-v4 action block match ip.dst in "
	     "10.0.0.9-10.0.0.1\n",
	     "1:66: bad range '10.0.0.9-10.0.0.1': low is greater than high"},
	    {"default inbound-transport-v4 permit\ndefault inbound-transport-v4 block\n",
	     "2:9: default for layer inbound-transport-v4 given twice (first at line 1)"},
	    {"default inbound-transport-v4 maybe\n",
	     "1:30: default needs permit or block, got 'maybe'"},
	    {"default inbound-transport-v4 permit now\n",
	     "1:37: unexpected 'now' after the default statement"},
	    {"module \"a.so\"\nmodule \"a.so\"\n",
	     "2:8: module 'a.so' given twice (first at line 1)"},
	    {"module \"a.so\" args\n", "1:19: 'args' needs a quoted string, got end of line"},
	    {"module \"a.so\" flags x\n",
	     "1:15: unknown clause 'flags' in module statement (expected args)"},
	    {"module\n", "1:7: 'module' needs a quoted path to a .so, got end of line"},
	    {"filter f layer inbound-transport-v4 action reject\n",
	     "1:44: unknown action 'reject' (permit, block, callout-terminating, "
	     "callout-inspection, callout-unknown)"},
	    {"filter f layer inbound-transport-v4 action callout-terminating\n",
	     "1:63: missing callout name after 'callout-terminating'"},
	    {"filter f layer inbound-transport-v4 action block flags "
	     "permit-if-callout-unregistered\n",
	     "1:56: flag 'permit-if-callout-unregistered' needs action callout-terminating or "
	     "callout-unknown"},
	    {"provider p description bare\n",
	     "1:24: 'description' needs a quoted string, got 'bare'"},
	    {"sublayer s weight 1 match ip.proto == 6\n",
	     "1:21: clause 'match' is not valid in a sublayer statement (expected key, "
	     "description, weight, provider)"},
	    {"filter f layer inbound-transport-v4 action block @\n",
	     "1:50: unknown clause '@' in filter statement (expected key, description, weight, "
	     "layer, sublayer, action, flags, context, match)"},
	    {"provider p description \"x\\q\"\n",
	     "1:26: unknown escape in string (only \\\" and \\\\)"},
	    {"filter f layer inbound-transport-v4 action block flags clear-action-right, "
	     "clear-action-right\n",
	     "1:76: flag 'clear-action-right' given twice"},
	    {"provider \"\xff\"\n", "1:10: string is not valid UTF-8"},
	    {"provider p\x01\n", "1:11: unexpected character (byte 0x01)"},
	    {"provider p\n\xc3\xa9\n",
	     "2:1: unexpected character (byte 0xc3); names that are not ASCII must be quoted"},
	    /* positions on continued lines are the physical ones */
	    {"# header\n"
	     "filter f layer inbound-transport-v4 \\\n"
	     "\taction block \\\n"
	     "\tmatch ip.proto == tcp, \\\n"
	     "\t      l4.dst-port == 99999\n",
	     "5:23: number '99999' out of range for l4.dst-port (0..65535)"},
	    /* a forward reference is fine; a wrong one is reported where it is used */
	    {"filter f layer stream-v4 action callout-unknown c2\ncallout c layer stream-v4\n",
	     "1:49: unknown callout 'c2'"},
	};
	char got[2200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		NTSTATUS s = check_text(cases[i].text, got, sizeof(got));

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu:\n  text: %s\n  want: %s\n  got:  %s", i, cases[i].text,
			         cases[i].want, got);
		st(s, STATUS_INVALID_PARAMETER);
	}
}

/* The full error line carries the file name. */
static void test_error_has_file(void **state)
{
	struct weir_policy_error e;
	char buf[PATH_MAX + 300], want[PATH_MAX + 300];
	const char *p = put("named.conf", "\n\nfilter f layer bogus action block\n");

	(void)state;
	st(weir_policy_check(p, &e), STATUS_INVALID_PARAMETER);
	st(e.status, STATUS_INVALID_PARAMETER);
	weir_policy_format_error(&e, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s:3:16: unknown layer 'bogus'", p);
	assert_string_equal(buf, want);
}

/* Lexical forms and clause order ------------------------------------------- */

static void test_lexical(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	FWPM_FILTER0 *f;
	FWPM_SUBLAYER0 *sl;
	FWPM_PROVIDER0 *pr;
	GUID k, want;
	const char *text =
	    "# comment line\n"
	    "   \t\n"
	    "provider \"Acme Corp\" description \"says \\\"hi\\\" \\\\ ok\" # trailing\n"
	    "sublayer s.1 key 0A0B0C0D-0102-0304-0506-0708090a0b0c weight 0x10 \\\n"
	    "    provider \"Acme Corp\"\n"
	    "filter \"with spaces, commas # and hashes\" \\\n"
	    "   match ip.proto == 0x06 , l4.dst-port == 0x1F90 \\\n"
	    "   action permit sublayer s.1 weight 0xff layer inbound-transport-v4\n"
	    "filter _x-y.z layer inbound-transport-v4 action block match ip.proto==6\n";

	ok(weir_policy_load(h, put("lex.conf", text), &ps, &e));
	assert_non_null(ps);

	k = key_of(WEIR_POLICY_PROVIDER, "Acme Corp");
	ok(FwpmProviderGetByKey0(h, &k, &pr));
	assert_true(wname_is(pr->displayData.name, "Acme Corp"));
	assert_true(wname_is(pr->displayData.description, "says \"hi\" \\ ok"));
	FwpmFreeMemory0((void **)&pr);

	ok(weir_guid_from_string("0a0b0c0d-0102-0304-0506-0708090a0b0c", &want));
	ok(FwpmSubLayerGetByKey0(h, &want, &sl));
	assert_int_equal(sl->weight, 0x10);
	assert_non_null(sl->providerKey);
	assert_memory_equal(sl->providerKey, &k, sizeof(k));
	FwpmFreeMemory0((void **)&sl);

	f = get_filter(h, "with spaces, commas # and hashes");
	assert_true(wname_is(f->displayData.name, "with spaces, commas # and hashes"));
	assert_memory_equal(&f->subLayerKey, &want, sizeof(want));
	assert_int_equal(f->weight.type, FWP_UINT64);
	assert_int_equal(*f->weight.uint64, 0xff);
	assert_int_equal(f->numFilterConditions, 2);
	assert_int_equal(f->filterCondition[0].conditionValue.uint8, 6);
	assert_int_equal(f->filterCondition[1].conditionValue.uint16, 8080);
	assert_int_equal(f->action.type, FWP_ACTION_PERMIT);
	FwpmFreeMemory0((void **)&f);

	f = get_filter(h, "_x-y.z");
	assert_int_equal(f->numFilterConditions, 1);
	assert_int_equal(f->filterCondition[0].matchType, FWP_MATCH_EQUAL);
	FwpmFreeMemory0((void **)&f);
	ok(weir_policy_unload(h, ps));
	assert_false(filter_exists(h, "_x-y.z"));
}

/* The same filter with its clauses in another order is the same object. */
static void test_clause_order(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	UINT64 id;

	ok(weir_policy_load(h,
	                    put("order1.conf",
	                        "sublayer s weight 9\n"
	                        "filter f layer inbound-transport-v4 sublayer s "
	                        "weight range 3 action block flags clear-action-right "
	                        "context 77 match ip.proto == tcp, l4.dst-port in 1-9\n"),
	                    &ps, &e));
	id = filter_id(h, "f");
	ok(weir_policy_reload(
	    h,
	    put("order2.conf",
	        "filter f match ip.proto == 6, l4.dst-port in 0x1-0x9 context 0x4d \\\n"
	        "  flags clear-action-right action block weight range 3 sublayer s \\\n"
	        "  layer inbound-transport-v4\n"
	        "sublayer s weight 9\n"),
	    ps, &e));
	assert_int_equal(filter_id(h, "f"), id);
	ok(weir_policy_unload(h, ps));
}

/* Values as the engine receives them --------------------------------------- */

static void test_values(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	FWPM_FILTER0 *f;
	const FWPM_FILTER_CONDITION0 *c;
	const FWP_CONDITION_VALUE0 *v;
	GUID src_key, dst_key;
	static const UINT8 db8_1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const UINT8 db8_0[16] = {0x20, 0x01, 0x0d, 0xb8};
	static const UINT8 mac[6] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	const char *text =
	    "filter v4 layer inbound-transport-v4 action block match \\\n"
	    "  ip.src == 10.1.2.3, ip.dst in 10.0.0.0/8, ip.dst == 192.168.77.1/16, \\\n"
	    "  ip.src in 10.0.0.1-10.0.0.9, l4.dst-port in 1024-65535, ip.proto == icmpv6, \\\n"
	    "  tcp.flags flags-any syn|ack, tcp.flags flags-all 0x12, tcp.flags flags-none rst, "
	    "\\\n"
	    "  l4.src-port != 7, ip.ttl < 2, ip.ttl <= 3, pkt.len > 1500, pkt.len >= 9000, \\\n"
	    "  ip.dst != 127.0.0.0/8, ip.proto == udp, ip.src in 0.0.0.0/0\n"
	    "filter v6 layer inbound-transport-v6 action permit match \\\n"
	    "  ip.src == 2001:db8::1, ip.dst in 2001:db8:ffff::/32, \\\n"
	    "  ip.src in 2001:db8::-2001:db8::1, ip.proto == 58\n"
	    "filter mac layer inbound-mac-frame action block match \\\n"
	    "  eth.src == aa:bb:cc:dd:ee:ff, eth.type == 0x86dd, vlan.id in 1-4095, \\\n"
	    "  eth.dst == AA:BB:CC:DD:EE:FF\n";

	ok(weir_policy_load(h, put("values.conf", text), &ps, &e));

	f = get_filter(h, "v4");
	assert_int_equal(f->numFilterConditions, 17);
	c = f->filterCondition;
	/* 0: a v4 address is a host-order UINT32 */
	src_key = field_key(WEIR_LAYER_INBOUND_TRANSPORT_V4, "ip.src");
	assert_memory_equal(&c[0].fieldKey, &src_key, sizeof(GUID));
	assert_memory_equal(&c[3].fieldKey, &src_key, sizeof(GUID));
	dst_key = field_key(WEIR_LAYER_INBOUND_TRANSPORT_V4, "ip.dst");
	assert_memory_equal(&c[1].fieldKey, &dst_key, sizeof(GUID));
	assert_int_equal(c[0].matchType, FWP_MATCH_EQUAL);
	assert_int_equal(c[0].conditionValue.type, FWP_UINT32);
	assert_int_equal(c[0].conditionValue.uint32, 0x0a010203);
	/* 1: in prefix: address and mask, EQUAL */
	assert_int_equal(c[1].matchType, FWP_MATCH_EQUAL);
	assert_int_equal(c[1].conditionValue.type, FWP_V4_ADDR_MASK);
	assert_int_equal(c[1].conditionValue.v4AddrMask->addr, 0x0a000000);
	assert_int_equal(c[1].conditionValue.v4AddrMask->mask, 0xff000000);
	/* 2: == with a prefix; host bits cleared */
	assert_int_equal(c[2].matchType, FWP_MATCH_EQUAL);
	assert_int_equal(c[2].conditionValue.type, FWP_V4_ADDR_MASK);
	assert_int_equal(c[2].conditionValue.v4AddrMask->addr, 0xc0a80000);
	assert_int_equal(c[2].conditionValue.v4AddrMask->mask, 0xffff0000);
	/* 3: address range */
	assert_int_equal(c[3].matchType, FWP_MATCH_RANGE);
	v = &c[3].conditionValue;
	assert_int_equal(v->type, FWP_RANGE_TYPE);
	assert_int_equal(v->rangeValue->valueLow.type, FWP_UINT32);
	assert_int_equal(v->rangeValue->valueLow.uint32, 0x0a000001);
	assert_int_equal(v->rangeValue->valueHigh.uint32, 0x0a000009);
	/* 4: port range, the field's own width */
	assert_int_equal(c[4].matchType, FWP_MATCH_RANGE);
	assert_int_equal(c[4].conditionValue.rangeValue->valueLow.type, FWP_UINT16);
	assert_int_equal(c[4].conditionValue.rangeValue->valueLow.uint16, 1024);
	assert_int_equal(c[4].conditionValue.rangeValue->valueHigh.uint16, 65535);
	/* 5: protocol names */
	assert_int_equal(c[5].conditionValue.type, FWP_UINT8);
	assert_int_equal(c[5].conditionValue.uint8, 58);
	/* 6..8: TCP flags */
	assert_int_equal(c[6].matchType, FWP_MATCH_FLAGS_ANY_SET);
	assert_int_equal(c[6].conditionValue.uint8, 0x12);
	assert_int_equal(c[7].matchType, FWP_MATCH_FLAGS_ALL_SET);
	assert_int_equal(c[7].conditionValue.uint8, 0x12);
	assert_int_equal(c[8].matchType, FWP_MATCH_FLAGS_NONE_SET);
	assert_int_equal(c[8].conditionValue.uint8, 0x04);
	/* 9..13: comparisons */
	assert_int_equal(c[9].matchType, FWP_MATCH_NOT_EQUAL);
	assert_int_equal(c[9].conditionValue.uint16, 7);
	assert_int_equal(c[10].matchType, FWP_MATCH_LESS);
	assert_int_equal(c[11].matchType, FWP_MATCH_LESS_OR_EQUAL);
	assert_int_equal(c[12].matchType, FWP_MATCH_GREATER);
	assert_int_equal(c[13].matchType, FWP_MATCH_GREATER_OR_EQUAL);
	assert_int_equal(c[13].conditionValue.uint16, 9000);
	/* 14: != with a prefix */
	assert_int_equal(c[14].matchType, FWP_MATCH_NOT_EQUAL);
	assert_int_equal(c[14].conditionValue.type, FWP_V4_ADDR_MASK);
	/* 15, 16: the file's order is kept (same-field runs are WFP's OR) */
	assert_int_equal(c[15].conditionValue.uint8, 17);
	assert_int_equal(c[16].conditionValue.v4AddrMask->mask, 0);
	FwpmFreeMemory0((void **)&f);

	f = get_filter(h, "v6");
	c = f->filterCondition;
	assert_int_equal(f->numFilterConditions, 4);
	assert_int_equal(c[0].conditionValue.type, FWP_BYTE_ARRAY16_TYPE);
	assert_memory_equal(c[0].conditionValue.byteArray16->byteArray16, db8_1, 16);
	assert_int_equal(c[1].conditionValue.type, FWP_V6_ADDR_MASK);
	assert_int_equal(c[1].conditionValue.v6AddrMask->prefixLength, 32);
	assert_memory_equal(c[1].conditionValue.v6AddrMask->addr, db8_0, 16);
	assert_int_equal(c[2].matchType, FWP_MATCH_RANGE);
	assert_int_equal(c[2].conditionValue.rangeValue->valueLow.type, FWP_BYTE_ARRAY16_TYPE);
	assert_memory_equal(c[2].conditionValue.rangeValue->valueLow.byteArray16->byteArray16,
	                    db8_0, 16);
	assert_memory_equal(c[2].conditionValue.rangeValue->valueHigh.byteArray16->byteArray16,
	                    db8_1, 16);
	assert_int_equal(c[3].conditionValue.uint8, 58);
	FwpmFreeMemory0((void **)&f);

	f = get_filter(h, "mac");
	c = f->filterCondition;
	assert_int_equal(f->numFilterConditions, 4);
	assert_int_equal(c[0].conditionValue.type, FWP_BYTE_ARRAY6_TYPE);
	assert_memory_equal(c[0].conditionValue.byteArray6->byteArray6, mac, 6);
	assert_int_equal(c[1].conditionValue.type, FWP_UINT16);
	assert_int_equal(c[1].conditionValue.uint16, 0x86dd);
	assert_int_equal(c[2].conditionValue.rangeValue->valueHigh.uint16, 4095);
	assert_memory_equal(c[3].conditionValue.byteArray6->byteArray6, mac, 6);
	FwpmFreeMemory0((void **)&f);
	ok(weir_policy_unload(h, ps));
}

/* Objects: weights, flags, context, actions, sublayers, defaults. */
static void test_objects(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	FWPM_FILTER0 *f;
	FWPM_CALLOUT0 *co;
	FWP_ACTION_TYPE a;
	GUID k;
	static const GUID zero;
	const char *text = "provider p\n"
	                   "callout c layer stream-v4 provider p description \"d\"\n"
	                   "filter auto layer inbound-transport-v4 action permit weight auto\n"
	                   "filter none layer inbound-transport-v4 action permit\n"
	                   "filter rng layer inbound-transport-v4 action block weight range 15\n"
	                   "filter big layer inbound-transport-v4 action block "
	                   "weight 18446744073709551615\n"
	                   "filter ct layer stream-v4 action callout-terminating c context 0xfeed "
	                   "flags permit-if-callout-unregistered, clear-action-right\n"
	                   "filter ci layer stream-v4 action callout-inspection c\n"
	                   "filter cu layer stream-v4 action callout-unknown c "
	                   "flags permit-if-callout-unregistered\n"
	                   "default inbound-transport-v4 block\n"
	                   "default stream-v6 permit\n";

	ok(weir_policy_load(h, put("objects.conf", text), &ps, &e));
	f = get_filter(h, "auto");
	assert_int_equal(f->weight.type, FWP_EMPTY);
	assert_memory_equal(&f->subLayerKey, &zero, sizeof(zero));
	FwpmFreeMemory0((void **)&f);
	f = get_filter(h, "none");
	assert_int_equal(f->weight.type, FWP_EMPTY);
	FwpmFreeMemory0((void **)&f);
	f = get_filter(h, "rng");
	assert_int_equal(f->weight.type, FWP_UINT8);
	assert_int_equal(f->weight.uint8, 15);
	FwpmFreeMemory0((void **)&f);
	f = get_filter(h, "big");
	assert_int_equal(f->weight.type, FWP_UINT64);
	assert_true(*f->weight.uint64 == UINT64_MAX);
	FwpmFreeMemory0((void **)&f);

	k = key_of(WEIR_POLICY_CALLOUT, "c");
	f = get_filter(h, "ct");
	assert_int_equal(f->action.type, FWP_ACTION_CALLOUT_TERMINATING);
	assert_memory_equal(&f->action.calloutKey, &k, sizeof(k));
	assert_int_equal(f->rawContext, 0xfeed);
	assert_int_equal(f->flags, FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED |
	                               FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT);
	FwpmFreeMemory0((void **)&f);
	f = get_filter(h, "ci");
	assert_int_equal(f->action.type, FWP_ACTION_CALLOUT_INSPECTION);
	FwpmFreeMemory0((void **)&f);
	f = get_filter(h, "cu");
	assert_int_equal(f->action.type, FWP_ACTION_CALLOUT_UNKNOWN);
	FwpmFreeMemory0((void **)&f);

	ok(FwpmCalloutGetByKey0(h, &k, &co));
	assert_memory_equal(&co->applicableLayer, weir_layer_key(WEIR_LAYER_STREAM_V4),
	                    sizeof(GUID));
	assert_true(wname_is(co->displayData.name, "c"));
	assert_true(wname_is(co->displayData.description, "d"));
	assert_non_null(co->providerKey);
	FwpmFreeMemory0((void **)&co);

	ok(weir_layer_get_default(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, &a));
	assert_int_equal(a, FWP_ACTION_BLOCK);
	ok(weir_layer_get_default(h, WEIR_LAYER_STREAM_V6, &a));
	assert_int_equal(a, FWP_ACTION_PERMIT);

	/* unload deletes everything and puts the defaults back */
	ok(weir_policy_unload(h, ps));
	ok(weir_layer_get_default(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, &a));
	assert_int_equal(a, FWP_ACTION_PERMIT);
	st(FwpmCalloutGetByKey0(h, &k, &co), STATUS_FWP_CALLOUT_NOT_FOUND);
	k = key_of(WEIR_POLICY_PROVIDER, "p");
	{
		FWPM_PROVIDER0 *p = NULL;

		st(FwpmProviderGetByKey0(h, &k, &p), STATUS_FWP_PROVIDER_NOT_FOUND);
	}
	assert_false(filter_exists(h, "ct"));
	ok(weir_policy_unload(h, NULL));
}

/* All or nothing ---------------------------------------------------------- */

/* Add a permit filter outside any policy, holding filter key @p key; its id. */
static UINT64 squat(HANDLE h, const char *key)
{
	FWPM_FILTER0 f = {.displayData.name = L"squatter", .action.type = FWP_ACTION_PERMIT};
	UINT64 id;

	ok(weir_guid_from_string(key, &f.filterKey));
	f.layerKey = *weir_layer_key(WEIR_LAYER_INBOUND_TRANSPORT_V4);
	ok(FwpmFilterAdd0(h, &f, NULL, &id));
	return id;
}

static const char *const base_text =
    "sublayer s weight 100\n"
    "callout c layer stream-v4\n"
    "filter a layer inbound-transport-v4 sublayer s action block match ip.proto == tcp\n"
    "filter b layer inbound-transport-v6 action permit match ip.src in 2001:db8::/32\n"
    "filter w layer stream-v4 action callout-inspection c\n"
    "default inbound-transport-v4 block\n";

static void assert_engine_empty_of_base(HANDLE h, const UINT64 *before, size_t nbefore)
{
	UINT64 after[256];
	size_t nafter = all_filters(h, after, 256);
	FWPM_SUBLAYER0 *sl = NULL;
	FWPM_CALLOUT0 *co = NULL;
	FWP_ACTION_TYPE a;
	GUID k;

	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, nbefore * sizeof(*before));
	k = key_of(WEIR_POLICY_SUBLAYER, "s");
	st(FwpmSubLayerGetByKey0(h, &k, &sl), STATUS_FWP_SUBLAYER_NOT_FOUND);
	k = key_of(WEIR_POLICY_CALLOUT, "c");
	st(FwpmCalloutGetByKey0(h, &k, &co), STATUS_FWP_CALLOUT_NOT_FOUND);
	ok(weir_layer_get_default(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, &a));
	assert_int_equal(a, FWP_ACTION_PERMIT);
}

static void test_txn_parse_error_last_line(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = (void *)1;
	struct weir_policy_error e;
	UINT64 before[256];
	size_t nbefore = all_filters(h, before, 256);
	char text[2048];

	snprintf(text, sizeof(text),
	         "%sfilter z layer inbound-transport-v4 action block weight "
	         "range 99\n",
	         base_text);
	st(weir_policy_load(h, put("txn1.conf", text), &ps, &e), STATUS_INVALID_PARAMETER);
	assert_null(ps);
	assert_int_equal(e.line, 7);
	assert_int_equal(e.col, 63);
	assert_engine_empty_of_base(h, before, nbefore);
}

/* The engine refuses the last statement: everything before it is rolled back. */
static void test_txn_apply_error_last_line(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = (void *)1;
	struct weir_policy_error e;
	UINT64 before[256], id;
	size_t nbefore;
	char text[2048];

	/* another filter already holds the key the last statement names */
	id = squat(h, "77777777-1111-2222-3333-444444444444");
	nbefore = all_filters(h, before, 256);

	snprintf(text, sizeof(text),
	         "%sfilter z layer inbound-transport-v4 action block \\\n"
	         "  key 77777777-1111-2222-3333-444444444444\n",
	         base_text);
	st(weir_policy_load(h, put("txn2.conf", text), &ps, &e), STATUS_FWP_ALREADY_EXISTS);
	assert_null(ps);
	assert_int_equal(e.line, 7);
	assert_int_equal(e.col, 1);
	st(e.status, STATUS_FWP_ALREADY_EXISTS);
	assert_string_equal(e.msg, "filter 'z': FwpmFilterAdd0 failed: STATUS_FWP_ALREADY_EXISTS");
	assert_engine_empty_of_base(h, before, nbefore);
	ok(FwpmFilterDeleteById0(h, id));
}

/* The caller's session already has a transaction: nothing is touched. */
static void test_txn_in_progress(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;

	ok(FwpmTransactionBegin0(h, 0));
	st(weir_policy_load(h, put("busy.conf", base_text), &ps, &e), STATUS_FWP_TXN_IN_PROGRESS);
	assert_int_equal(e.line, 0);
	assert_string_equal(e.msg, "FwpmTransactionBegin0 failed: STATUS_FWP_TXN_IN_PROGRESS");
	ok(FwpmTransactionAbort0(h));
	st(weir_policy_load(NULL, put("busy.conf", base_text), &ps, &e), STATUS_INVALID_HANDLE);
	st(weir_policy_load(h, NULL, &ps, &e), STATUS_FWP_NULL_POINTER);
	st(weir_policy_load(h, "x", NULL, &e), STATUS_FWP_NULL_POINTER);
}

/* Reload ---------------------------------------------------------------------- */

static void test_reload_diff(void **state)
{
	static const char *const text1 = "sublayer s weight 10\n"
	                                 "sublayer t weight 20\n"
	                                 "filter keep layer inbound-transport-v4 action block "
	                                 "match l4.dst-port == 23\n"
	                                 "filter gone layer inbound-transport-v4 action block\n"
	                                 "filter change layer inbound-transport-v4 action block "
	                                 "weight 5\n"
	                                 "filter insub layer inbound-transport-v4 sublayer s "
	                                 "action permit\n"
	                                 "filter int layer inbound-transport-v4 sublayer t "
	                                 "action permit\n"
	                                 "default ipforward-v4 block\n";
	HANDLE h = *state;
	uint64_t gen;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	UINT64 id_keep, id_change, id_sub, id_pid;
	FWP_ACTION_TYPE a;

	ok(weir_policy_load(h, put("r1.conf", text1), &ps, &e));
	/* the same file again changes nothing: not even a new snapshot */
	gen = weir_policy_generation();
	ok(weir_policy_reload(h, put("r1again.conf", text1), ps, &e));
	assert_true(weir_policy_generation() == gen);

	id_keep = filter_id(h, "keep");
	id_change = filter_id(h, "change");
	id_sub = filter_id(h, "insub");
	ok(weir_policy_filter_id(ps, "int", &id_pid));
	assert_int_equal(id_pid, filter_id(h, "int"));

	ok(weir_policy_reload(h,
	                      put("r2.conf",
	                          "# same objects, reordered and restyled\n"
	                          "filter keep layer inbound-transport-v4 \\\n"
	                          "  match l4.dst-port == 0x17 action block\n"
	                          "filter change layer inbound-transport-v4 action block "
	                          "weight 6\n"
	                          "filter insub layer inbound-transport-v4 sublayer s "
	                          "action permit\n"
	                          "filter int layer inbound-transport-v4 sublayer t "
	                          "action permit\n"
	                          "filter new layer inbound-transport-v4 action permit\n"
	                          "sublayer t weight 20\n"
	                          "sublayer s weight 11\n"),
	                      ps, &e));
	assert_string_equal(e.msg, "");
	/* unchanged: same id */
	assert_int_equal(filter_id(h, "keep"), id_keep);
	assert_int_equal(filter_id(h, "int"), id_pid);
	ok(weir_policy_filter_id(ps, "keep", &id_pid));
	assert_int_equal(id_pid, id_keep);
	/* removed: gone */
	assert_false(filter_exists(h, "gone"));
	/* changed, or in a changed sublayer: re-added */
	assert_true(filter_id(h, "change") != id_change);
	assert_true(filter_id(h, "insub") != id_sub);
	{
		FWPM_SUBLAYER0 *sl;
		GUID k = key_of(WEIR_POLICY_SUBLAYER, "s");

		ok(FwpmSubLayerGetByKey0(h, &k, &sl));
		assert_int_equal(sl->weight, 11);
		FwpmFreeMemory0((void **)&sl);
	}
	/* added: present */
	assert_true(filter_exists(h, "new"));
	st(weir_policy_filter_id(ps, "gone", &id_pid), STATUS_FWP_FILTER_NOT_FOUND);
	/* a default the file no longer sets is back to permit */
	ok(weir_layer_get_default(h, WEIR_LAYER_IPFORWARD_V4, &a));
	assert_int_equal(a, FWP_ACTION_PERMIT);

	/* deleted behind the policy's back: the next reload adds it again */
	{
		GUID k = key_of(WEIR_POLICY_FILTER, "keep");

		ok(FwpmFilterDeleteByKey0(h, &k));
	}
	ok(weir_policy_reload(h,
	                      put("r2.conf", "filter keep layer inbound-transport-v4 \\\n"
	                                     "  match l4.dst-port == 0x17 action block\n"),
	                      ps, &e));
	assert_true(filter_exists(h, "keep"));
	assert_false(filter_exists(h, "new"));
	ok(weir_policy_unload(h, ps));
}

static void test_reload_failure_changes_nothing(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	UINT64 before[256], after[256], id;
	size_t nbefore, nafter;
	FWP_ACTION_TYPE a;

	ok(weir_policy_load(h, put("rf1.conf", base_text), &ps, &e));
	nbefore = all_filters(h, before, 256);

	/* a syntax error */
	st(weir_policy_reload(h, put("rf2.conf", "filter a layer nowhere action block\n"), ps, &e),
	   STATUS_INVALID_PARAMETER);
	assert_int_equal(e.line, 1);
	nafter = all_filters(h, after, 256);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, nbefore * sizeof(*before));

	/* an engine refusal after deletes and adds were made in the transaction */
	id = squat(h, "77777777-1111-2222-3333-555555555555");
	nbefore = all_filters(h, before, 256);
	st(weir_policy_reload(h,
	                      put("rf3.conf",
	                          "sublayer s weight 100\n"
	                          "filter new1 layer inbound-transport-v4 action block\n"
	                          "filter new2 layer inbound-transport-v4 action block "
	                          "key 77777777-1111-2222-3333-555555555555\n"
	                          "default inbound-transport-v4 permit\n"),
	                      ps, &e),
	   STATUS_FWP_ALREADY_EXISTS);
	assert_int_equal(e.line, 3);
	nafter = all_filters(h, after, 256);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, nbefore * sizeof(*before));
	ok(weir_layer_get_default(h, WEIR_LAYER_INBOUND_TRANSPORT_V4, &a));
	assert_int_equal(a, FWP_ACTION_BLOCK);

	/* the state still describes the policy in force: a good reload works from it */
	ok(weir_policy_reload(h, put("rf1.conf", base_text), ps, &e));
	nafter = all_filters(h, after, 256);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, nbefore * sizeof(*before));
	ok(FwpmFilterDeleteById0(h, id));
	ok(weir_policy_unload(h, ps));
	st(weir_policy_reload(h, "x", NULL, &e), STATUS_FWP_NULL_POINTER);
}

/* A sublayer that another session's filter uses cannot be dropped by a reload. */
static void test_reload_in_use(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	FWPM_FILTER0 f;
	UINT64 id;

	ok(weir_policy_load(h, put("iu1.conf", "sublayer shared weight 3\n"), &ps, &e));
	memset(&f, 0, sizeof(f));
	f.displayData.name = L"foreign";
	f.layerKey = *weir_layer_key(WEIR_LAYER_INBOUND_TRANSPORT_V4);
	f.subLayerKey = key_of(WEIR_POLICY_SUBLAYER, "shared");
	f.action.type = FWP_ACTION_PERMIT;
	ok(FwpmFilterAdd0(h, &f, NULL, &id));
	st(weir_policy_reload(h, put("iu2.conf", "# empty\n"), ps, &e), STATUS_FWP_IN_USE);
	assert_int_equal(e.line, 0);
	assert_string_equal(e.msg, "sublayer 'shared' was removed from the policy, but "
	                           "FwpmSubLayerDeleteByKey0 failed: STATUS_FWP_IN_USE");
	/* changed rather than removed: reported at its statement */
	st(weir_policy_reload(h, put("iu3.conf", "\nsublayer shared weight 4\n"), ps, &e),
	   STATUS_FWP_IN_USE);
	assert_int_equal(e.line, 2);
	ok(FwpmFilterDeleteById0(h, id));
	ok(weir_policy_unload(h, ps));
}

/* Modules ---------------------------------------------------------------------- */

#define MOD_KEY_A "5e000000-0000-4000-8000-00000000000a"
#define MOD_KEY_B "5e000000-0000-4000-8000-00000000000b"
#define MOD_KEY_LEAK "5e000000-0000-4000-8000-0000000000ee"
#define MOD_KEY_FAILLEAK "5e000000-0000-4000-8000-0000000000ef"

static bool callout_registered(HANDLE h, const char *key)
{
	FWPM_CALLOUT0 *c = NULL;
	GUID k;
	bool r;

	ok(weir_guid_from_string(key, &k));
	ok(FwpmCalloutGetByKey0(h, &k, &c));
	r = (c->flags & FWPM_CALLOUT_FLAG_REGISTERED) != 0;
	FwpmFreeMemory0((void **)&c);
	return r;
}

static bool module_mapped(void)
{
	void *d = dlopen(module_path, RTLD_NOW | RTLD_NOLOAD);

	if (d == NULL)
		return false;
	dlclose(d);
	return true;
}

static void test_module_missing(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = (void *)1;
	struct weir_policy_error e;
	UINT64 before[256];
	size_t nbefore = all_filters(h, before, 256);
	char text[4096];

	snprintf(text, sizeof(text),
	         "%smodule \"%s\" args \"" MOD_KEY_A "\"\nmodule \"no/such/module.so\"\n",
	         base_text, module_path);
	st(weir_policy_load(h, put("miss.conf", text), &ps, &e), STATUS_UNSUCCESSFUL);
	assert_null(ps);
	assert_int_equal(e.line, 8);
	assert_int_equal(e.col, 1);
	assert_non_null(strstr(e.msg, "module 'no/such/module.so': cannot load module: "));
	assert_non_null(strstr(e.msg, "cannot open shared object file"));
	assert_engine_empty_of_base(h, before, nbefore);
	/* the module loaded before the failure was unloaded again */
	assert_false(module_mapped());
}

static void test_module_bad(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = (void *)1;
	struct weir_policy_error e;
	char text[4096];

	snprintf(text, sizeof(text), "\n  module \"%s\"\n", nosym_path);
	st(weir_policy_load(h, put("nosym.conf", text), &ps, &e), STATUS_NOT_FOUND);
	assert_int_equal(e.line, 2);
	assert_int_equal(e.col, 3);
	assert_non_null(strstr(e.msg, "does not export weir_callout_module_load"));

	snprintf(text, sizeof(text), "module \"%s\" args \"fail\"\n", module_path);
	st(weir_policy_load(h, put("fail.conf", text), &ps, &e), STATUS_INVALID_PARAMETER);
	assert_int_equal(e.line, 1);
	assert_non_null(strstr(e.msg, "failed: STATUS_INVALID_PARAMETER"));
	assert_false(module_mapped());

	/* one file spelt twice with the same args is one module given twice */
	snprintf(text, sizeof(text),
	         "module \"%s\" args \"" MOD_KEY_A "\"\nmodule \"/%s\" args \"" MOD_KEY_A "\"\n",
	         module_path, module_path);
	st(weir_policy_load(h, put("dup.conf", text), &ps, &e), STATUS_INVALID_PARAMETER);
	assert_int_equal(e.line, 2);
	assert_non_null(
	    strstr(e.msg, "is the same file with the same args as the module at line 1"));
	assert_false(module_mapped());

	/* two instances registering one GUID: the second load fails with the
	 * module's own status, and the first is unloaded again */
	snprintf(text, sizeof(text),
	         "module \"%s\" args \"" MOD_KEY_A "\"\nmodule \"/%s\" args \"leak " MOD_KEY_A
	         "\"\n",
	         module_path, module_path);
	st(weir_policy_load(h, put("dup2.conf", text), &ps, &e), STATUS_FWP_ALREADY_EXISTS);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "failed: STATUS_FWP_ALREADY_EXISTS"));
	assert_false(module_mapped());
}

static void test_module_lifecycle(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	char text[4096], link[PATH_MAX + 16];
	const char *p;

	/* relative to the policy's directory */
	snprintf(link, sizeof(link), "%s/testmod.so", tmpdir);
	unlink(link);
	assert_int_equal(symlink(module_path, link), 0);
	p = put("mod1.conf", "callout a key " MOD_KEY_A " layer stream-v4\n"
	                     "callout b key " MOD_KEY_B " layer stream-v4\n"
	                     "filter fa layer stream-v4 action callout-inspection a\n"
	                     "module \"testmod.so\" args \"" MOD_KEY_A "\"\n");
	ok(weir_policy_load(h, p, &ps, &e));
	assert_true(module_mapped());
	assert_true(callout_registered(h, MOD_KEY_A));
	assert_false(callout_registered(h, MOD_KEY_B));

	/* same path and args: kept (the callout stays registered throughout) */
	ok(weir_policy_reload(h, p, ps, &e));
	assert_true(callout_registered(h, MOD_KEY_A));

	/* a second statement with other args loads the module once more */
	snprintf(text, sizeof(text),
	         "callout a key " MOD_KEY_A " layer stream-v4\n"
	         "callout b key " MOD_KEY_B " layer stream-v4\n"
	         "module \"testmod.so\" args \"" MOD_KEY_A "\"\n"
	         "module \"%s\" args \"" MOD_KEY_B "\"\n",
	         module_path);
	ok(weir_policy_reload(h, put("mod2.conf", text), ps, &e));
	assert_true(callout_registered(h, MOD_KEY_A));
	assert_true(callout_registered(h, MOD_KEY_B));

	/* a failed reload leaves both loaded and registered */
	st(weir_policy_reload(h, put("mod3.conf", "module \"testmod.so\" args \"fail\"\n"), ps, &e),
	   STATUS_INVALID_PARAMETER);
	assert_true(callout_registered(h, MOD_KEY_A));
	assert_true(callout_registered(h, MOD_KEY_B));

	/* dropped by a reload: unloaded after the commit */
	ok(weir_policy_reload(h,
	                      put("mod4.conf", "callout a key " MOD_KEY_A " layer stream-v4\n"
	                                       "callout b key " MOD_KEY_B " layer stream-v4\n"
	                                       "module \"testmod.so\" args \"" MOD_KEY_B "\"\n"),
	                      ps, &e));
	assert_string_equal(e.msg, "");
	assert_false(callout_registered(h, MOD_KEY_A));
	assert_true(callout_registered(h, MOD_KEY_B));

	/* unload: objects deleted, module unloaded and unmapped */
	ok(weir_policy_unload(h, ps));
	assert_false(module_mapped());
	unlink(link);
}

/* A module that leaves a callout registered is not dlclose()d. */
static void test_module_unload_refused(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	char text[4096];

	snprintf(text, sizeof(text), "module \"%s\" args \"leak " MOD_KEY_LEAK "\"\n", module_path);
	ok(weir_policy_load(h, put("leak.conf", text), &ps, &e));
	/* dropped by a reload: a warning, the reload itself succeeded */
	ok(weir_policy_reload(h, put("leak2.conf", "\n"), ps, &e));
	st(e.status, STATUS_DEVICE_BUSY);
	assert_non_null(strstr(e.msg, "still has callouts registered"));
	assert_true(module_mapped());
	ok(weir_policy_unload(h, NULL));
	/* still registered: loading it again fails (its GUID is taken) ... */
	st(weir_policy_reload(h, put("leak.conf", text), ps, &e), STATUS_FWP_ALREADY_EXISTS);
	assert_int_equal(e.line, 1);
	/* ... and unload keeps refusing to dlclose it */
	st(weir_policy_unload(h, ps), STATUS_DEVICE_BUSY);
	assert_true(module_mapped());
	/* the callout stays registered: the module must stay mapped until exit */

	/* a load that fails but leaves a callout registered: reported, kept mapped */
	snprintf(text, sizeof(text), "\nmodule \"%s\" args \"failleak " MOD_KEY_FAILLEAK "\"\n",
	         module_path);
	st(weir_policy_load(h, put("failleak.conf", text), &ps, &e), STATUS_INSUFFICIENT_RESOURCES);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "it left callouts registered, so it stays loaded"));
	assert_true(module_mapped());
}

/* Fixtures --------------------------------------------------------------------- */

static const char *fixture(const char *name)
{
	static char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/fixtures/%s", srcdir, name);
	return path;
}

/* The specification's own example: valid, and its module (absent here) fails the load. */
static void test_fixture_spec_example(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = (void *)1;
	struct weir_policy_error e;
	UINT64 before[256];
	size_t nbefore = all_filters(h, before, 256);
	char buf[2 * PATH_MAX], want[2 * PATH_MAX];

	ok(weir_policy_check(fixture("spec-example.conf"), &e));
	st(weir_policy_load(h, fixture("spec-example.conf"), &ps, &e), STATUS_UNSUCCESSFUL);
	assert_null(ps);
	weir_policy_format_error(&e, buf, sizeof(buf));
	snprintf(want, sizeof(want),
	         "%s:4:1: module 'callouts/stream-monitor/stream-monitor.so': cannot load module: ",
	         fixture("spec-example.conf"));
	assert_true(strncmp(buf, want, strlen(want)) == 0);
	assert_non_null(strstr(buf, "cannot open shared object file"));
	assert_int_equal(all_filters(h, before, 256), nbefore);
	assert_false(filter_exists(h, "drop telnet"));
}

static void test_fixture_every_layer(void **state)
{
	static const char *const names[] = {"in-mac", "out-mac", "in-ip4", "in-ip6", "fwd4", "fwd6",
	                                    "tr4",    "tr6",     "icmp4",  "ale4",   "ale6", "dg4",
	                                    "dg6",    "st4",     "st6",    "out4",   "out6"};
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	size_t i;

	ok(weir_policy_load(h, fixture("every-layer.conf"), &ps, &e));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_true(filter_exists(h, names[i]));
	ok(weir_policy_unload(h, ps));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_false(filter_exists(h, names[i]));
}

/* The example policy ------------------------------------------------------------- */

static void test_example_policy(void **state)
{
	HANDLE h = *state;
	struct weir_policy_state *ps = NULL;
	struct weir_policy_error e;
	char path[PATH_MAX], buf[600], *text, *out, *line;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/../../../config/weir.conf", srcdir);
	if (weir_policy_check(path, &e) != STATUS_SUCCESS) {
		weir_policy_format_error(&e, buf, sizeof(buf));
		fail_msg("%s", buf);
	}
	/* load it without its module lines (modules are built elsewhere) */
	f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 1 << 20);
	out = calloc(1, 1 << 20);
	assert_non_null(text);
	assert_non_null(out);
	n = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[n] = 0;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "module", 6) == 0)
			strcat(out, "# ");
		strcat(out, line);
		strcat(out, "\n");
	}
	if (weir_policy_load(h, put("example.conf", out), &ps, &e) != STATUS_SUCCESS) {
		weir_policy_format_error(&e, buf, sizeof(buf));
		fail_msg("%s", buf);
	}
	ok(weir_policy_unload(h, ps));
	free(text);
	free(out);
}

/* Fuzz-ish: mutated lines never crash; every result is success or a positioned error. */

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static void test_fuzz(void **state)
{
	static const char *const seeds[] = {
	    "provider p key 5f1a7a10-6c4e-4c36-9a6e-2f0d3c9b1e01 description \"x y\"",
	    "sublayer edge weight 0x8000 provider p",
	    "callout watch layer stream-v4 provider p",
	    "filter \"drop telnet\" layer inbound-transport-v4 sublayer edge weight 100 action "
	    "block match ip.proto == tcp, l4.dst-port == 23",
	    "filter web layer inbound-transport-v4 action permit match ip.dst in 10.0.0.0/8, "
	    "l4.dst-port in 80-443",
	    "filter w6 layer inbound-transport-v6 action block match ip.src in 2001:db8::/32, "
	    "tcp.flags flags-all syn|ack",
	    "filter m layer inbound-mac-frame action permit match eth.src == "
	    "aa:bb:cc:dd:ee:ff, vlan.id in 1-10",
	    "filter cw layer stream-v4 action callout-terminating watch flags "
	    "permit-if-callout-unregistered context 0x10 weight range 3",
	    "default inbound-transport-v4 block",
	    "module \"nowhere.so\" args \"a\"",
	};
	static const char alphabet[] = "abcxyz019_-.:/,=!<>\"\\# \t|@\x01\xff";
	const size_t nseeds = sizeof(seeds) / sizeof(seeds[0]);
	HANDLE h = *state;
	char text[4096], line[2200];
	int iter, i, nlines, ok_count = 0;

	for (iter = 0; iter < 600; iter++) {
		struct weir_policy_error e;
		struct weir_policy_state *ps = NULL;
		size_t used = 0;
		NTSTATUS s;

		nlines = 1 + (int)(rnd() % 4);
		for (i = 0; i < nlines; i++) {
			size_t len, muts, m;
			bool skip_module;

			snprintf(line, sizeof(line), "%s", seeds[rnd() % nseeds]);
			len = strlen(line);
			muts = rnd() % 4;
			for (m = 0; m < muts && len > 0; m++) {
				size_t at = rnd() % len;

				switch (rnd() % 5) {
				case 0: /* replace */
					line[at] = alphabet[rnd() % (sizeof(alphabet) - 1)];
					break;
				case 1: /* insert */
					if (len + 2 < sizeof(line)) {
						memmove(line + at + 1, line + at, len - at + 1);
						line[at] = alphabet[rnd() % (sizeof(alphabet) - 1)];
						len++;
					}
					break;
				case 2: /* delete */
					memmove(line + at, line + at + 1, len - at);
					len--;
					break;
				case 3: /* truncate */
					line[at] = 0;
					len = at;
					break;
				default: /* split with a continuation */
					if (len + 3 < sizeof(line)) {
						memmove(line + at + 2, line + at, len - at + 1);
						line[at] = '\\';
						line[at + 1] = '\n';
						len += 2;
					}
					break;
				}
			}
			/* a module line that happens to parse must not dlopen random paths */
			skip_module = strstr(line, "module") != NULL;
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s\n",
			                         skip_module ? "# " : "", line);
		}
		s = weir_policy_check(put("fuzz.conf", text), &e);
		if (s == STATUS_SUCCESS) {
			ok_count++;
			/* what checks must also apply (or be refused by the engine, cleanly) */
			s = weir_policy_load(h, put("fuzz.conf", text), &ps, &e);
			if (s == STATUS_SUCCESS)
				ok(weir_policy_unload(h, ps));
			else
				assert_true(e.msg[0] != 0);
		} else {
			assert_true(e.msg[0] != 0);
			assert_true(e.line <= 64);
			assert_int_equal(e.status, s);
		}
	}
	/* the mutations must leave some files valid, or the apply side went untested */
	assert_true(ok_count > 20);
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_object_key),
	    cmocka_unit_test(test_format_error),
	    cmocka_unit_test(test_file_errors),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_error_has_file),
	    cmocka_unit_test_setup_teardown(test_lexical, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clause_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_objects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_txn_parse_error_last_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_txn_apply_error_last_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_txn_in_progress, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_diff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_failure_changes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_in_use, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_module_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_module_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_module_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fixture_spec_example, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fixture_every_layer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_example_policy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	    /* last: it leaves its module mapped on purpose */
	    cmocka_unit_test_setup_teardown(test_module_unload_refused, setup, teardown),
	};
	const char *t = getenv("TMPDIR");
	int rc;

	if (argc < 4) {
		fprintf(stderr, "usage: %s SRCDIR TEST_MODULE NOSYM_MODULE\n", argv[0]);
		return 2;
	}
	/* meson passes build paths relative to where the test runs; policies need them absolute */
	srcdir = argv[1];
	module_path = realpath(argv[2], NULL);
	nosym_path = realpath(argv[3], NULL);
	if (module_path == NULL || nosym_path == NULL) {
		fprintf(stderr, "%s, %s: %s\n", argv[2], argv[3], strerror(errno));
		return 2;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/weir-policy-XXXXXX", t && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	/* relative module paths fall back to the current directory: make it a known one */
	if (chdir(tmpdir) != 0) {
		perror("chdir");
		return 2;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (chdir("/") != 0)
		perror("chdir");
	/* remove what put() wrote (children first, links not followed) */
	if (nftw(tmpdir, remove_one, 8, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
