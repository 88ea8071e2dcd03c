/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Name-based object keys (UUID version 5 over SHA-1) and the UTF-8 helpers
 * the loader needs for display names.
 *
 * Keys must not depend on the locale, the process or the order of the file:
 * a reload recognises an object only by the key its name gives.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy_private.h"

static uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

/* One 64-byte block of SHA-1 (FIPS 180-4, section 6.1.2). */
static void sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol32(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

struct sha1 {
	uint32_t h[5];
	uint8_t block[64];
	size_t fill;
	uint64_t len;
};

static void sha1_init(struct sha1 *c)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

	memcpy(c->h, iv, sizeof(iv));
	c->fill = 0;
	c->len = 0;
}

static void sha1_update(struct sha1 *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->len += len;
	while (len) {
		size_t take = 64 - c->fill < len ? 64 - c->fill : len;

		memcpy(c->block + c->fill, p, take);
		c->fill += take;
		p += take;
		len -= take;
		if (c->fill == 64) {
			sha1_block(c->h, c->block);
			c->fill = 0;
		}
	}
}

static void sha1_final(struct sha1 *c, uint8_t out[20])
{
	uint64_t bits = c->len * 8;
	uint8_t pad = 0x80, zero = 0, be[8];
	unsigned i;

	/* a 0x80 byte, zeros up to 56 mod 64, the bit length big-endian */
	sha1_update(c, &pad, 1);
	while (c->fill != 56)
		sha1_update(c, &zero, 1);
	for (i = 0; i < 8; i++)
		be[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(c, be, 8);
	for (i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

void weir_pol_sha1(const void *data, size_t len, uint8_t out[20])
{
	struct sha1 c;

	sha1_init(&c);
	sha1_update(&c, data, len);
	sha1_final(&c, out);
}

const char *const weir_pol_kind_name[POL_KINDS] = {"provider", "sublayer", "callout", "filter"};

/* A GUID's 16 bytes in the order its text shows them (RFC 4122's byte order). */
static void guid_bytes(const GUID *g, uint8_t b[16])
{
	b[0] = (uint8_t)(g->Data1 >> 24);
	b[1] = (uint8_t)(g->Data1 >> 16);
	b[2] = (uint8_t)(g->Data1 >> 8);
	b[3] = (uint8_t)g->Data1;
	b[4] = (uint8_t)(g->Data2 >> 8);
	b[5] = (uint8_t)g->Data2;
	b[6] = (uint8_t)(g->Data3 >> 8);
	b[7] = (uint8_t)g->Data3;
	memcpy(b + 8, g->Data4, 8);
}

void weir_pol_name_key(enum weir_policy_kind kind, const char *name, GUID *key)
{
	const char *kn = weir_pol_kind_name[kind];
	uint8_t nsb[16], h[20];
	struct sha1 c;

	/* SHA-1 of the namespace bytes, then "<kind>:<name>" */
	guid_bytes(&WEIR_POLICY_NAMESPACE, nsb);
	sha1_init(&c);
	sha1_update(&c, nsb, sizeof(nsb));
	sha1_update(&c, kn, strlen(kn));
	sha1_update(&c, ":", 1);
	sha1_update(&c, name, strlen(name));
	sha1_final(&c, h);
	weir_guid_from_rfc4122(key, h, 5); /* name-based, SHA-1 */
}

NTSTATUS weir_policy_object_key(enum weir_policy_kind kind, const char *name, GUID *key)
{
	if (name == NULL || key == NULL)
		return STATUS_FWP_NULL_POINTER;
	if ((unsigned)kind >= POL_KINDS)
		return STATUS_INVALID_PARAMETER;
	weir_pol_name_key(kind, name, key);
	return STATUS_SUCCESS;
}

/*
 * Decode one UTF-8 sequence at @p s. @return its length (1..4) and *cp, or 0
 * for an invalid, overlong or surrogate sequence.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

bool weir_pol_utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (*p) {
		n = utf8_decode(p, &cp);
		if (n == 0 || (cp < 0x20 && cp != '\t') || cp == 0x7f)
			return false;
		p += n;
	}
	return true;
}

wchar_t *weir_pol_wcs(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;
	wchar_t *w = malloc((len + 1) * sizeof(wchar_t));
	uint32_t cp;

	if (w == NULL)
		return NULL;
	while (*p) {
		n = utf8_decode(p, &cp);
		if (n == 0) {
			free(w);
			return NULL;
		}
		w[i++] = (wchar_t)cp;
		p += n;
	}
	w[i] = 0;
	return w;
}
