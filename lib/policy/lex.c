/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy lexer: splits a file into statements (one per line, `\` at the
 * end of a line continues it, `#` starts a comment) and each statement into
 * tokens that remember their line and column for error messages.
 *
 * Words are deliberately loose (any printable ASCII run without space, quote,
 * comma, `#`, `\` or an operator character): the parser knows what a name, a
 * number or an address must look like and can say so precisely.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy_private.h"

void weir_pol_lex_init(struct lexer *lx, const char *buf, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->buf = buf;
	lx->len = len;
	lx->line = 1;
}

void weir_pol_stmt_free(struct stmt *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->toks[i].text);
	free(st->toks);
	memset(st, 0, sizeof(*st));
}

static void stmt_clear(struct stmt *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->toks[i].text);
	st->n = 0;
}

static unsigned col_of(const struct lexer *lx, size_t pos)
{
	return (unsigned)(pos - lx->line_start + 1);
}

/* Append a token with @p len bytes of text; @return 0 or -1 (no memory, recorded). */
static int push(struct lexer *lx, struct pctx *cx, struct stmt *st, enum tok_kind kind, size_t at,
                const char *text, size_t len)
{
	struct tok *t = weir_pol_grow(st->toks, st->n, &st->cap, sizeof(*t), 16);

	if (t == NULL)
		goto nomem;
	st->toks = t;
	t = &st->toks[st->n];
	t->kind = kind;
	t->line = lx->line;
	t->col = col_of(lx, at);
	t->text = malloc(len + 1);
	if (t->text == NULL)
		goto nomem;
	if (len)
		memcpy(t->text, text, len);
	t->text[len] = 0;
	st->n++;
	return 0;
nomem:
	weir_pol_error(cx, lx->line, col_of(lx, at), STATUS_NO_MEMORY, "out of memory");
	return -1;
}

static int is_op_char(char c)
{
	return c == '=' || c == '!' || c == '<' || c == '>';
}

static int is_word_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '#' && c != ',' && c != '\\' &&
	       !is_op_char((char)c);
}

/* A quoted string starting at lx->pos (the quote). @return 0 or -1. */
static int lex_string(struct lexer *lx, struct pctx *cx, struct stmt *st)
{
	size_t start = lx->pos, i = lx->pos + 1, n = 0;
	/* the string cannot extend past its line */
	const char *nl = memchr(lx->buf + start, '\n', lx->len - start);
	size_t bound = nl ? (size_t)(nl - (lx->buf + start)) : lx->len - start;
	char *out = malloc(bound + 1);
	int rc;

	if (out == NULL) {
		weir_pol_error(cx, lx->line, col_of(lx, start), STATUS_NO_MEMORY, "out of memory");
		return -1;
	}
	for (;; i++) {
		unsigned char c = i < lx->len ? (unsigned char)lx->buf[i] : '\n';

		if (c == '"')
			break;
		if (c == '\n') {
			free(out);
			weir_pol_error(cx, lx->line, col_of(lx, start), STATUS_INVALID_PARAMETER,
			               "unterminated string");
			return -1;
		}
		if (c == '\\') {
			unsigned char e = i + 1 < lx->len ? (unsigned char)lx->buf[i + 1] : 0;

			if (e != '"' && e != '\\') {
				free(out);
				weir_pol_error(cx, lx->line, col_of(lx, i),
				               STATUS_INVALID_PARAMETER,
				               "unknown escape in string (only \\\" and \\\\)");
				return -1;
			}
			out[n++] = (char)e;
			i++;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			free(out);
			weir_pol_error(cx, lx->line, col_of(lx, i), STATUS_INVALID_PARAMETER,
			               "control character in string");
			return -1;
		}
		out[n++] = (char)c;
	}
	out[n] = 0;
	if (!weir_pol_utf8_ok(out)) {
		free(out);
		weir_pol_error(cx, lx->line, col_of(lx, start), STATUS_INVALID_PARAMETER,
		               "string is not valid UTF-8");
		return -1;
	}
	rc = push(lx, cx, st, TOK_STRING, start, out, n);
	free(out);
	lx->pos = i + 1;
	return rc;
}

int weir_pol_lex_stmt(struct lexer *lx, struct pctx *cx, struct stmt *st)
{
	stmt_clear(st);
	for (;;) {
		unsigned char c;

		if (lx->pos >= lx->len) {
			if (st->n == 0)
				return 0;
			return push(lx, cx, st, TOK_END, lx->pos, "", 0) ? -1 : 1;
		}
		c = (unsigned char)lx->buf[lx->pos];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			lx->pos++;
		} else if (c == '\n') {
			size_t at = lx->pos;

			if (st->n && push(lx, cx, st, TOK_END, at, "", 0))
				return -1;
			lx->pos++;
			lx->line++;
			lx->line_start = lx->pos;
			if (st->n)
				return 1;
		} else if (c == '#') {
			if (st->n && push(lx, cx, st, TOK_END, lx->pos, "", 0))
				return -1;
			while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
				lx->pos++;
			if (st->n) {
				/* the END token is the comment's; consume its newline too */
				if (lx->pos < lx->len) {
					lx->pos++;
					lx->line++;
					lx->line_start = lx->pos;
				}
				return 1;
			}
		} else if (c == '\\') {
			size_t at = lx->pos, i = at + 1;

			while (i < lx->len &&
			       (lx->buf[i] == ' ' || lx->buf[i] == '\t' || lx->buf[i] == '\r'))
				i++;
			/* a continued line needs a next line */
			if (i >= lx->len || i + 1 >= lx->len) {
				weir_pol_error(cx, lx->line, col_of(lx, at),
				               STATUS_INVALID_PARAMETER,
				               "bad continuation: the file ends after '\\'");
				return -1;
			}
			if (lx->buf[i] != '\n') {
				weir_pol_error(
				    cx, lx->line, col_of(lx, at), STATUS_INVALID_PARAMETER,
				    "bad continuation: '\\' must be the last character of the "
				    "line");
				return -1;
			}
			lx->pos = i + 1;
			lx->line++;
			lx->line_start = lx->pos;
		} else if (c == '"') {
			if (lex_string(lx, cx, st))
				return -1;
		} else if (c == ',') {
			if (push(lx, cx, st, TOK_COMMA, lx->pos, ",", 1))
				return -1;
			lx->pos++;
		} else if (is_op_char((char)c)) {
			size_t start = lx->pos;

			while (lx->pos < lx->len && is_op_char(lx->buf[lx->pos]))
				lx->pos++;
			if (push(lx, cx, st, TOK_OP, start, lx->buf + start, lx->pos - start))
				return -1;
		} else if (is_word_char(c)) {
			size_t start = lx->pos;

			while (lx->pos < lx->len && is_word_char((unsigned char)lx->buf[lx->pos]))
				lx->pos++;
			if (push(lx, cx, st, TOK_WORD, start, lx->buf + start, lx->pos - start))
				return -1;
		} else {
			weir_pol_error(cx, lx->line, col_of(lx, lx->pos), STATUS_INVALID_PARAMETER,
			               "unexpected character (byte 0x%02x)%s", c,
			               c >= 0x80 ? "; names that are not ASCII must be quoted"
			                         : "");
			return -1;
		}
	}
}
