/*
 * vecjson.h: a tiny, test-only JSON reader for the vendored test vectors.
 *
 * Header-only; every function is static inline so unused ones cost nothing.
 * It parses a whole file into a tree of vj_value nodes. Numbers keep their raw
 * text, so callers can read big integers exactly (vj_u64) or as doubles (vj_num).
 *
 *   vj_value *root = vj_load_file("../vectors/vdaf-11/Prio3Count_0.json");
 *   const vj_value *prep0 = vj_at(vj_get(root, "prep"), 0);
 *   const char *nonce_hex = vj_str(vj_get(prep0, "nonce"));
 *   uint8_t *bytes; size_t n;
 *   vj_hex_alloc(vj_get(prep0, "nonce"), &bytes, &n);   ... free(bytes);
 *   const vj_value *x = vj_path(root, "prep.0.out_shares.1.0");
 *   vj_free(root);
 *
 * Lookups on a NULL or wrongly typed node return NULL / 0 / -1, so chains of
 * vj_get/vj_at are safe and a missing member shows up as NULL at the end.
 * Not for production input: recursion depth is bounded (64) but the parser
 * is not hardened beyond what the tests need.
 */
#ifndef SECAGG_TEST_VECJSON_H
#define SECAGG_TEST_VECJSON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
	VJ_NULL,
	VJ_BOOL,
	VJ_NUM,
	VJ_STR,
	VJ_ARR,
	VJ_OBJ
} vj_type;

typedef struct vj_value {
	vj_type type;
	int boolean;             /* VJ_BOOL */
	char *text;              /* VJ_STR: decoded string; VJ_NUM: raw number text */
	size_t len;              /* VJ_ARR/VJ_OBJ: number of items */
	struct vj_value *items;  /* VJ_ARR: elements; VJ_OBJ: member values */
	char **keys;             /* VJ_OBJ: member names (parallel to items) */
} vj_value;

typedef struct {
	const char *s;
	size_t pos, len;
	int depth;
} vj_parser;

static inline void vj_free_inner(vj_value *v)
{
	if (v == NULL)
		return;
	free(v->text);
	for (size_t i = 0; i < v->len; i++) {
		vj_free_inner(&v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	memset(v, 0, sizeof *v);
}

static inline void vj_free(vj_value *v)
{
	vj_free_inner(v);
	free(v);
}

static inline void vj_skip_ws(vj_parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\n' ||
	                           p->s[p->pos] == '\r' || p->s[p->pos] == '\t'))
		p->pos++;
}

static inline int vj_parse_value(vj_parser *p, vj_value *out);

static inline int vj_parse_string_raw(vj_parser *p, char **out)
{
	if (p->pos >= p->len || p->s[p->pos] != '"')
		return -1;
	p->pos++;
	size_t cap = 16, n = 0;
	char *buf = malloc(cap);
	if (buf == NULL)
		return -1;
	while (p->pos < p->len && p->s[p->pos] != '"') {
		char c = p->s[p->pos++];
		if (c == '\\') {
			if (p->pos >= p->len)
				break;
			char e = p->s[p->pos++];
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned cp = 0;
				if (p->pos + 4 > p->len || sscanf(p->s + p->pos, "%4x", &cp) != 1) {
					free(buf);
					return -1;
				}
				p->pos += 4;
				c = cp < 0x80 ? (char) cp : '?'; /* vectors are ASCII */
				break;
			}
			default: c = e; break;
			}
		}
		if (n + 2 > cap) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
		buf[n++] = c;
	}
	if (p->pos >= p->len) {
		free(buf);
		return -1;
	}
	p->pos++; /* closing quote */
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static inline int vj_push(vj_value *v, size_t *cap, int with_key)
{
	if (v->len < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 8;
	vj_value *ni = realloc(v->items, nc * sizeof *ni);
	if (ni == NULL)
		return -1;
	v->items = ni;
	if (with_key) {
		char **nk = realloc(v->keys, nc * sizeof *nk);
		if (nk == NULL)
			return -1;
		v->keys = nk;
	}
	*cap = nc;
	return 0;
}

static inline int vj_parse_value(vj_parser *p, vj_value *out)
{
	memset(out, 0, sizeof *out);
	vj_skip_ws(p);
	if (p->pos >= p->len || p->depth > 64)
		return -1;
	char c = p->s[p->pos];
	if (c == '{' || c == '[') {
		int is_obj = (c == '{');
		char close = is_obj ? '}' : ']';
		size_t cap = 0;
		out->type = is_obj ? VJ_OBJ : VJ_ARR;
		p->pos++;
		p->depth++;
		vj_skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			p->depth--;
			return 0;
		}
		for (;;) {
			char *key = NULL;
			vj_skip_ws(p);
			if (is_obj) {
				if (vj_parse_string_raw(p, &key) != 0)
					return -1;
				vj_skip_ws(p);
				if (p->pos >= p->len || p->s[p->pos] != ':') {
					free(key);
					return -1;
				}
				p->pos++;
			}
			if (vj_push(out, &cap, is_obj) != 0) {
				free(key);
				return -1;
			}
			if (is_obj)
				out->keys[out->len] = key;
			if (vj_parse_value(p, &out->items[out->len]) != 0) {
				out->len++; /* so vj_free releases the partial item and key */
				return -1;
			}
			out->len++;
			vj_skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == ',') {
				p->pos++;
				continue;
			}
			if (p->pos < p->len && p->s[p->pos] == close) {
				p->pos++;
				p->depth--;
				return 0;
			}
			return -1;
		}
	}
	if (c == '"') {
		out->type = VJ_STR;
		return vj_parse_string_raw(p, &out->text);
	}
	if (p->len - p->pos >= 4 && strncmp(p->s + p->pos, "null", 4) == 0) {
		out->type = VJ_NULL;
		p->pos += 4;
		return 0;
	}
	if (p->len - p->pos >= 4 && strncmp(p->s + p->pos, "true", 4) == 0) {
		out->type = VJ_BOOL;
		out->boolean = 1;
		p->pos += 4;
		return 0;
	}
	if (p->len - p->pos >= 5 && strncmp(p->s + p->pos, "false", 5) == 0) {
		out->type = VJ_BOOL;
		p->pos += 5;
		return 0;
	}
	/* number: keep the raw text */
	size_t start = p->pos;
	while (p->pos < p->len && strchr("+-0123456789.eE", p->s[p->pos]) != NULL)
		p->pos++;
	if (p->pos == start)
		return -1;
	out->type = VJ_NUM;
	out->text = malloc(p->pos - start + 1);
	if (out->text == NULL)
		return -1;
	memcpy(out->text, p->s + start, p->pos - start);
	out->text[p->pos - start] = '\0';
	return 0;
}

/* Parse a JSON document held in memory. Returns NULL on error. */
static inline vj_value *vj_parse(const char *s, size_t len)
{
	vj_parser p = { s, 0, len, 0 };
	vj_value *v = calloc(1, sizeof *v);
	if (v == NULL)
		return NULL;
	if (vj_parse_value(&p, v) != 0) {
		vj_free(v);
		return NULL;
	}
	vj_skip_ws(&p);
	if (p.pos != p.len) {
		vj_free(v);
		return NULL;
	}
	return v;
}

/* Load and parse a file. Returns NULL (and prints why) on error. */
static inline vj_value *vj_load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "vecjson: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2);
		if (nb == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (buf == NULL)
		return NULL;
	vj_value *v = vj_parse(buf, n);
	free(buf);
	if (v == NULL)
		fprintf(stderr, "vecjson: cannot parse %s\n", path);
	return v;
}

/* Object member by name, or NULL. */
static inline const vj_value *vj_get(const vj_value *obj, const char *key)
{
	if (obj == NULL || obj->type != VJ_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->len; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

/* Array element by index, or NULL. */
static inline const vj_value *vj_at(const vj_value *arr, size_t i)
{
	if (arr == NULL || arr->type != VJ_ARR || i >= arr->len)
		return NULL;
	return &arr->items[i];
}

/* Number of items of an array or object; 0 for anything else. */
static inline size_t vj_len(const vj_value *v)
{
	return (v != NULL && (v->type == VJ_ARR || v->type == VJ_OBJ)) ? v->len : 0;
}

static inline int vj_is_null(const vj_value *v)
{
	return v != NULL && v->type == VJ_NULL;
}

/* The string of a VJ_STR node, or NULL. */
static inline const char *vj_str(const vj_value *v)
{
	return (v != NULL && v->type == VJ_STR) ? v->text : NULL;
}

/* The raw text of a VJ_NUM node, or NULL. */
static inline const char *vj_num_text(const vj_value *v)
{
	return (v != NULL && v->type == VJ_NUM) ? v->text : NULL;
}

/* A number as a double (strtod); 0.0 if not a number. */
static inline double vj_num(const vj_value *v)
{
	const char *t = vj_num_text(v);
	return t != NULL ? strtod(t, NULL) : 0.0;
}

/* A non-negative integer (exact, up to 2^64-1). Returns 0 on success, -1 if the
 * node is not a plain decimal integer or does not fit. */
static inline int vj_u64(const vj_value *v, uint64_t *out)
{
	const char *t = vj_num_text(v);
	if (t == NULL || *t == '\0')
		return -1;
	uint64_t acc = 0;
	for (const char *c = t; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		unsigned d = (unsigned) (*c - '0');
		if (acc > (UINT64_MAX - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	*out = acc;
	return 0;
}

/* A signed integer (exact, int64 range). Returns 0 on success, -1 otherwise. */
static inline int vj_i64(const vj_value *v, int64_t *out)
{
	const char *t = vj_num_text(v);
	if (t == NULL)
		return -1;
	int neg = (*t == '-');
	vj_value tmp = *v;
	tmp.text = (char *) (neg ? t + 1 : t);
	uint64_t mag;
	if (vj_u64(&tmp, &mag) != 0)
		return -1;
	if (neg) {
		if (mag > (uint64_t) INT64_MAX + 1)
			return -1;
		*out = mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag;
	} else {
		if (mag > (uint64_t) INT64_MAX)
			return -1;
		*out = (int64_t) mag;
	}
	return 0;
}

/* Convenience: integer member or a default. */
static inline int64_t vj_int_or(const vj_value *v, int64_t dflt)
{
	int64_t x;
	return vj_i64(v, &x) == 0 ? x : dflt;
}

/* Decode a hex string node into a fresh malloc'd buffer (*out, *len).
 * Returns 0 on success, -1 on a non-string node, odd length or bad digit.
 * An empty string gives *len = 0 and a non-NULL 1-byte buffer. */
static inline int vj_hex_alloc(const vj_value *v, uint8_t **out, size_t *len)
{
	const char *h = vj_str(v);
	if (h == NULL)
		return -1;
	size_t n = strlen(h);
	if (n % 2 != 0)
		return -1;
	uint8_t *b = malloc(n / 2 + 1);
	if (b == NULL)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi, lo;
		char c1 = h[2 * i], c2 = h[2 * i + 1];
		hi = (c1 >= '0' && c1 <= '9') ? c1 - '0' : (c1 >= 'a' && c1 <= 'f') ? c1 - 'a' + 10
		   : (c1 >= 'A' && c1 <= 'F') ? c1 - 'A' + 10 : -1;
		lo = (c2 >= '0' && c2 <= '9') ? c2 - '0' : (c2 >= 'a' && c2 <= 'f') ? c2 - 'a' + 10
		   : (c2 >= 'A' && c2 <= 'F') ? c2 - 'A' + 10 : -1;
		if (hi < 0 || lo < 0) {
			free(b);
			return -1;
		}
		b[i] = (uint8_t) (hi << 4 | lo);
	}
	*out = b;
	*len = n / 2;
	return 0;
}

/* Walk a dotted path of member names and array indices, e.g. "prep.0.nonce".
 * Returns NULL if any step is missing. */
static inline const vj_value *vj_path(const vj_value *root, const char *path)
{
	const vj_value *cur = root;
	char seg[128];
	while (cur != NULL && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof seg)
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		path += n;
		if (*path == '.')
			path++;
		if (cur->type == VJ_ARR) {
			char *end;
			unsigned long idx = strtoul(seg, &end, 10);
			cur = (*end == '\0' && n > 0) ? vj_at(cur, idx) : NULL;
		} else {
			cur = vj_get(cur, seg);
		}
	}
	return cur;
}

#endif
