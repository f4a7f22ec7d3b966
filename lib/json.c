/* json.c: see json.h. */
#define _GNU_SOURCE 1
#include "json.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_cursor {
	const char *p;
	size_t len, pos;
} json_cursor;

static void
skip_ws(json_cursor *c)
{
	while (c->pos < c->len && (c->p[c->pos] == ' ' || c->p[c->pos] == '\t' || c->p[c->pos] == '\n' ||
	                           c->p[c->pos] == '\r'))
		c->pos++;
}

static bool
eat(json_cursor *c, char ch)
{
	skip_ws(c);
	if (c->pos < c->len && c->p[c->pos] == ch) {
		c->pos++;
		return true;
	}
	return false;
}

static int
hex_value(char ch)
{
	if (ch >= '0' && ch <= '9') return ch - '0';
	if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
	return -1;
}

/* One escape after the backslash; writes the decoded byte. */
static bool
read_escape(json_cursor *c, char *out)
{
	if (c->pos >= c->len)
		return false;
	char e = c->p[c->pos++];
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit = e != '\0' ? strchr(from, e) : NULL;
	if (hit != NULL) {
		*out = to[hit - from];
		return true;
	}
	if (e != 'u' || c->len - c->pos < 4)
		return false;
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hex_value(c->p[c->pos++]);
		if (h < 0)
			return false;
		v = v * 16 + h;
	}
	if (v == 0 || v >= 0x80)            /* beyond ASCII: never in a parameter object */
		return false;
	*out = (char) v;
	return true;
}

/* A string (the opening quote next); decoded into out (cap + 1 bytes). */
static bool
read_string(json_cursor *c, char *out, size_t cap, bool *too_long)
{
	if (!eat(c, '"'))
		return false;
	size_t n = 0;
	*too_long = false;
	while (c->pos < c->len) {
		unsigned char ch = (unsigned char) c->p[c->pos++];
		char dec = (char) ch;
		if (ch == '"') {
			if (out != NULL)
				out[n < cap ? n : cap] = '\0';
			return true;
		}
		if (ch < 0x20 || (ch == '\\' && !read_escape(c, &dec)))
			return false;
		if (out != NULL && n < cap)
			out[n] = dec;
		if (++n > cap)
			*too_long = true;
	}
	return false;
}

static bool
read_digits(json_cursor *c)
{
	size_t start = c->pos;
	while (c->pos < c->len && c->p[c->pos] >= '0' && c->p[c->pos] <= '9')
		c->pos++;
	return c->pos > start;
}

/* RFC 8259 number grammar; true with [*start, pos) the number. */
static bool
read_number(json_cursor *c, size_t *start)
{
	skip_ws(c);
	*start = c->pos;
	if (c->pos < c->len && c->p[c->pos] == '-')
		c->pos++;
	if (c->pos < c->len && c->p[c->pos] == '0')
		c->pos++;
	else if (!read_digits(c))
		return false;
	if (c->pos < c->len && c->p[c->pos] == '.') {
		c->pos++;
		if (!read_digits(c))
			return false;
	}
	if (c->pos < c->len && (c->p[c->pos] == 'e' || c->p[c->pos] == 'E')) {
		c->pos++;
		if (c->pos < c->len && (c->p[c->pos] == '+' || c->p[c->pos] == '-'))
			c->pos++;
		if (!read_digits(c))
			return false;
	}
	return true;
}

static bool
read_literal(json_cursor *c, const char *word)
{
	size_t n = strlen(word);
	skip_ws(c);
	if (c->len - c->pos < n || memcmp(c->p + c->pos, word, n) != 0)
		return false;
	c->pos += n;
	return true;
}

static bool read_value(json_cursor *c, json_member *m, int depth);

/* An array or object (opening bracket next), checked and skipped. */
static bool
read_composite(json_cursor *c, int depth)
{
	if (depth >= JSON_MAX_DEPTH)
		return false;
	bool object = eat(c, '{');
	if (!object && !eat(c, '['))
		return false;
	char close = object ? '}' : ']';
	if (eat(c, close))
		return true;
	do {
		json_member scratch;
		bool too_long;
		if (object && (!read_string(c, NULL, 0, &too_long) || !eat(c, ':')))
			return false;
		if (!read_value(c, &scratch, depth + 1))
			return false;
	} while (eat(c, ','));
	return eat(c, close);
}

static bool
read_value(json_cursor *c, json_member *m, int depth)
{
	skip_ws(c);
	if (c->pos >= c->len)
		return false;
	char ch = c->p[c->pos];
	if (ch == '"') {
		m->kind = JSON_STRING;
		return read_string(c, m->str, JSON_MAX_STRING, &m->str_too_long);
	}
	if (ch == '{' || ch == '[') {
		m->kind = JSON_COMPOSITE;
		return read_composite(c, depth);
	}
	if (ch == 't' || ch == 'f' || ch == 'n') {
		m->kind = ch == 't' ? JSON_TRUE : ch == 'f' ? JSON_FALSE : JSON_NULL;
		return read_literal(c, ch == 't' ? "true" : ch == 'f' ? "false" : "null");
	}
	size_t start;
	m->kind = JSON_NUMBER;
	if (!read_number(c, &start))
		return false;
	m->num = c->p + start;
	m->num_len = c->pos - start;
	return true;
}

static bool
same_key(const json_member *a, const json_member *b)
{
	return !a->key_too_long && !b->key_too_long && strcmp(a->key, b->key) == 0;
}

json_result
json_parse_object(const char *text, size_t len, json_object *out)
{
	json_cursor c = { text, len, 0 };
	out->count = 0;
	if (!eat(&c, '{'))
		return JSON_SYNTAX;
	if (!eat(&c, '}')) {
		do {
			if (out->count == JSON_MAX_MEMBERS)
				return JSON_TOO_MANY;
			json_member *m = &out->members[out->count];
			memset(m, 0, sizeof *m);
			if (!read_string(&c, m->key, JSON_MAX_STRING, &m->key_too_long) || !eat(&c, ':') ||
			    !read_value(&c, m, 1))
				return JSON_SYNTAX;
			for (size_t i = 0; i < out->count; i++)
				if (same_key(&out->members[i], m))
					return JSON_DUPLICATE;
			out->count++;
		} while (eat(&c, ','));
		if (!eat(&c, '}'))
			return JSON_SYNTAX;
	}
	skip_ws(&c);
	return c.pos == c.len ? JSON_OK : JSON_SYNTAX;
}

const json_member *
json_get(const json_object *o, const char *key)
{
	for (size_t i = 0; i < o->count; i++)
		if (!o->members[i].key_too_long && strcmp(o->members[i].key, key) == 0)
			return &o->members[i];
	return NULL;
}

/* Reads the exponent digits of a number (at most 9 significant ones). */
static bool
parse_exponent(const char *p, size_t n, int64_t *out)
{
	bool neg = false;
	size_t i = 0;
	if (i < n && (p[i] == '+' || p[i] == '-'))
		neg = p[i++] == '-';
	while (i < n && p[i] == '0')
		i++;
	if (n - i > 9)
		return false;
	int64_t v = 0;
	for (; i < n; i++)
		v = v * 10 + (p[i] - '0');
	*out = neg ? -v : v;
	return true;
}

bool
json_decimal_parse(const char *text, size_t len, json_decimal *d)
{
	json_cursor c = { text, len, 0 };
	size_t start;
	if (!read_number(&c, &start) || start != 0 || c.pos != len)
		return false;
	memset(d, 0, sizeof *d);
	size_t i = 0, frac_digits = 0;
	bool in_frac = false, leading = true;
	d->neg = text[0] == '-';
	i = d->neg ? 1 : 0;
	int64_t point = 0;              /* significant digits seen before the point */
	for (; i < len && text[i] != 'e' && text[i] != 'E'; i++) {
		if (text[i] == '.') {
			in_frac = true;
			continue;
		}
		frac_digits += in_frac;
		if (leading && text[i] == '0') {
			point -= in_frac;       /* a zero after the point moves the first digit down */
			continue;
		}
		leading = false;
		if (d->ndigits == JSON_MAX_DIGITS)
			return false;
		d->digits[d->ndigits++] = text[i];
		point += !in_frac;
	}
	int64_t e = 0;
	if (i < len && !parse_exponent(text + i + 1, len - i - 1, &e))
		return false;
	while (d->ndigits > 0 && d->digits[d->ndigits - 1] == '0')
		d->digits[--d->ndigits] = '\0';
	/* value = 0.digits * 10^(point + e) = digits * 10^(point + e - ndigits) */
	d->exp10 = d->ndigits ? point + e - (int64_t) d->ndigits : 0;
	d->neg = d->neg && d->ndigits > 0;
	d->scale = (int64_t) frac_digits - e > 0 ? (int64_t) frac_digits - e : 0;
	return true;
}

bool
json_decimal_equal(const json_decimal *a, const json_decimal *b)
{
	return a->neg == b->neg && a->ndigits == b->ndigits && a->exp10 == b->exp10 &&
	       memcmp(a->digits, b->digits, a->ndigits) == 0;
}

bool
json_decimal_u64(const json_decimal *d, uint64_t *out)
{
	if (d->neg || d->scale != 0 || d->exp10 < 0 || (int64_t) d->ndigits + d->exp10 > 20)
		return false;
	uint64_t v = 0;
	for (int64_t i = 0; i < (int64_t) d->ndigits + d->exp10; i++) {
		unsigned digit = i < (int64_t) d->ndigits ? (unsigned) (d->digits[i] - '0') : 0;
		if (v > (UINT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*out = v;
	return true;
}

bool
json_number_double(const char *text, size_t len, double *out)
{
	char buf[128];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t) 0);
	if (c_locale == (locale_t) 0)
		return false;
	char *end;
	*out = strtod_l(buf, &end, c_locale);
	freelocale(c_locale);
	return *end == '\0';
}
