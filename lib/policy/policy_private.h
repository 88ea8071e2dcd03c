/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy files (internal): tokens, the parsed policy, and the pieces the
 * loader is made of — lexer (lex.c), parser and checks (parse.c), condition
 * values (value.c), name-based keys (key.c), modules (module.c), and
 * load/reload/unload (policy.c).
 */
#ifndef WEIR_POLICY_PRIVATE_H
#define WEIR_POLICY_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <weir/weir.h>
#include <weir/weir_policy.h>

#include "core/gmap.h"

#define POL_KINDS 4

/*
 * Room for element @p n of a growing array of @p *cap elements of @p size
 * bytes: @p arr when it has room, else a reallocation twice as large (@p first
 * elements the first time) and @p *cap updated. NULL when out of memory, with
 * @p arr left as it was.
 */
static inline void *weir_pol_grow(void *arr, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t ncap = *cap ? *cap * 2 : first;
	void *na;

	if (n < *cap)
		return arr;
	na = realloc(arr, ncap * size);
	if (na)
		*cap = ncap;
	return na;
}

/* Error reporting ------------------------------------------------------- */

/** Where errors go while a file is processed (err is never NULL). */
struct pctx {
	const char *file;
	struct weir_policy_error *err;
};

/** Record the error (first one wins) and @return @p st. */
NTSTATUS weir_pol_error(struct pctx *cx, unsigned line, unsigned col, NTSTATUS st, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));

/* Lexer ----------------------------------------------------------------- */

enum tok_kind {
	TOK_WORD,   /* names, keywords, numbers, addresses, GUIDs, ranges, prefixes */
	TOK_STRING, /* "..." with its escapes undone */
	TOK_OP,     /* a run of = ! < > */
	TOK_COMMA,
	TOK_END, /* end of the statement (no text) */
};

struct tok {
	enum tok_kind kind;
	unsigned line, col;
	char *text; /* NUL-terminated (TOK_END: "") */
};

/** One statement: its tokens, the last one TOK_END. */
struct stmt {
	struct tok *toks;
	size_t n, cap;
};

struct lexer {
	const char *buf;
	size_t len, pos;
	unsigned line;
	size_t line_start;
};

void weir_pol_lex_init(struct lexer *lx, const char *buf, size_t len);

/**
 * Read the next statement into @p st (emptied first).
 * @return 1 a statement, 0 end of file, -1 error (recorded in @p cx).
 */
int weir_pol_lex_stmt(struct lexer *lx, struct pctx *cx, struct stmt *st);

void weir_pol_stmt_free(struct stmt *st);

/* Parsed policy ---------------------------------------------------------- */

struct pol_pos {
	unsigned line, col;
};

struct pol_obj;

/** A reference by name to another object, resolved after the whole file. */
struct pol_ref {
	char *name; /* NULL: none */
	struct pol_pos pos;
	struct pol_obj *obj;
};

/** One scalar condition value, zero-filled outside the member in use. */
struct pol_scalar {
	FWP_DATA_TYPE type;
	UINT64 u; /* FWP_UINT8..UINT64 */
	FWP_BYTE_ARRAY16 a16;
	FWP_BYTE_ARRAY6 a6;
};

enum cond_shape { SHAPE_SCALAR, SHAPE_V4MASK, SHAPE_V6MASK, SHAPE_RANGE };

struct pol_cond {
	struct pol_pos pos; /* of the field */
	GUID field_key;
	FWP_MATCH_TYPE match;
	enum cond_shape shape;
	struct pol_scalar one, lo, hi;
	FWP_V4_ADDR_AND_MASK v4m;
	FWP_V6_ADDR_AND_MASK v6m;
	/* filled by weir_pol_cond_fwpm(): what FWPM_FILTER_CONDITION0 points into */
	UINT64 u64_one, u64_lo, u64_hi;
	FWP_RANGE0 range;
};

enum weight_kind { WEIGHT_AUTO, WEIGHT_RANGE, WEIGHT_EXACT };

/** A provider, sublayer, callout or filter statement. */
struct pol_obj {
	enum weir_policy_kind kind;
	struct pol_pos pos; /* the statement's keyword */
	char *name;
	GUID key;
	bool key_given;
	char *desc;
	struct pol_ref provider; /* sublayer, callout */
	UINT16 sl_weight;        /* sublayer */
	int layer;               /* callout, filter; -1 unset */
	struct pol_ref sublayer; /* filter */
	enum weight_kind wkind;  /* filter */
	UINT64 weight;
	FWP_ACTION_TYPE action;
	struct pol_ref callout; /* filter with a callout action */
	UINT32 flags;           /* FWPM_FILTER_FLAG_* */
	UINT64 context;
	struct pol_cond *conds;
	size_t nconds;
	/* apply */
	bool keep;     /* reload: left alone in the engine */
	bool kept_old; /* (old object) a new one keeps it */
	UINT64 filter_id;
};

struct pol_default {
	bool set;
	struct pol_pos pos;
	FWP_ACTION_TYPE action;
};

struct pol_module_decl {
	struct pol_pos pos;
	char *path;
	char *args; /* "" when none */
};

/** A parsed and checked policy file. */
struct pol {
	char *file;
	char *dir; /* the file's directory, for module paths */
	struct pol_obj **objs[POL_KINDS];
	size_t nobjs[POL_KINDS], capobjs[POL_KINDS];
	struct weir_gmap names[POL_KINDS]; /* name key -> object */
	struct weir_gmap keys[POL_KINDS];  /* object key -> object */
	struct pol_default defaults[WEIR_LAYER_COUNT];
	struct pol_module_decl *mods;
	size_t nmods, capmods;
};

/** An empty policy (for a first load's "previous" state). NULL: no memory. */
struct pol *weir_pol_new(const char *file);
void weir_pol_free(struct pol *p);

/**
 * Read and check @p path.
 * @return STATUS_SUCCESS and *out; or an error recorded in @p cx.
 */
NTSTATUS weir_pol_parse_file(const char *path, struct pctx *cx, struct pol **out);

/** Parse from memory (tests, fuzzing); @p file names the source in errors. */
NTSTATUS weir_pol_parse_buffer(const char *file, const char *buf, size_t len, struct pctx *cx,
                               struct pol **out);

/** Kind names as written in files ("filter"). */
extern const char *const weir_pol_kind_name[POL_KINDS];

/* Condition values (value.c) -------------------------------------------- */

/**
 * Convert `<field> <op> <value>` at @p layer.
 * @return STATUS_SUCCESS, or STATUS_INVALID_PARAMETER recorded in @p cx.
 */
NTSTATUS weir_pol_cond_parse(struct pctx *cx, int layer, const struct tok *field,
                             const struct tok *op, const struct tok *val, struct pol_cond *out);

/** Fill @p out to point into @p c (valid while @p c lives). */
void weir_pol_cond_fwpm(struct pol_cond *c, FWPM_FILTER_CONDITION0 *out);

/** true for the operators of the language (== != < <= > >= in flags-all ...). */
bool weir_pol_op_known(const char *text);

bool weir_pol_cond_equal(const struct pol_cond *a, const struct pol_cond *b);

/**
 * Parse a number: decimal or 0x hex, no sign.
 * @return 0, -1 not a number, -2 larger than @p max.
 */
int weir_pol_parse_u64(const char *s, UINT64 max, UINT64 *v);

/* Keys (key.c) ----------------------------------------------------------- */

/** Name-based key of an object (see weir_policy.h). */
void weir_pol_name_key(enum weir_policy_kind kind, const char *name, GUID *key);

/** SHA-1 of @p len bytes (FIPS 180-4). */
void weir_pol_sha1(const void *data, size_t len, uint8_t out[20]);

/** UTF-8 to a new wchar_t string; NULL on bad UTF-8 or no memory. */
wchar_t *weir_pol_wcs(const char *s);

/** true when @p s is valid UTF-8 without control characters (tab allowed). */
bool weir_pol_utf8_ok(const char *s);

/* Modules (module.c) ------------------------------------------------------ */

/** A loaded module. Its address is the deviceObject given to the module. */
struct pol_module {
	char *path;     /* as written */
	char *resolved; /* what was dlopen()ed */
	char *args;
	void *handle;
	NTSTATUS (*load)(void *deviceObject, const char *args);
	void (*unload)(void *deviceObject);
};

/** Where @p path is looked for (new string, NULL: no memory). */
char *weir_pol_module_resolve(const char *dir, const char *path);

/**
 * dlopen @p resolved, find the entry points, call load.
 * @return STATUS_SUCCESS and *out; else a status and a message in @p msg.
 */
NTSTATUS weir_pol_module_load(const char *path, const char *resolved, const char *args,
                              struct pol_module **out, char *msg, size_t n);

/**
 * Call unload (if @p call_unload: a retry of a refused unload only checks
 * again); dlclose and free unless a callout is still registered with the
 * module's deviceObject.
 * @return STATUS_SUCCESS (freed), STATUS_DEVICE_BUSY (kept; message in @p msg).
 */
NTSTATUS weir_pol_module_unload(struct pol_module *m, bool call_unload, char *msg, size_t n);

/* Engine calls per object (install.c) ------------------------------------ */

/* The management API function names per kind, for messages. */
extern const char *const weir_pol_add_fn[POL_KINDS];
extern const char *const weir_pol_del_fn[POL_KINDS];
extern const char *const weir_pol_get_fn[POL_KINDS];

/* The status the engine gives for a missing object of kind @p k. */
NTSTATUS weir_pol_not_found(enum weir_policy_kind k);
/* Delete the object of kind @p k with @p key from the engine. */
NTSTATUS weir_pol_obj_delete(HANDLE h, enum weir_policy_kind k, const GUID *key);
/* Does a kept object still exist? Refreshes a filter's id. */
NTSTATUS weir_pol_obj_probe(HANDLE h, struct pol_obj *o);
/* Add @p o to the engine (a filter's id is recorded in it). */
NTSTATUS weir_pol_obj_add(HANDLE h, struct pol_obj *o);

#endif /* WEIR_POLICY_PRIVATE_H */
