/*
 * json.h: a small, strict parser for one JSON object of scalar members
 * (RFC 8259), enough to read the PINE parameter object: no PostgreSQL.
 * Strings are decoded (escapes; \u only below 0x80); numbers are kept as
 * their text and read on demand as exact decimals. Nested arrays and
 * objects are parsed and marked JSON_COMPOSITE. Repeated keys are refused.
 */
#ifndef SECAGG_LIB_JSON_H
#define SECAGG_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_MEMBERS 64        /* more: the object cannot be a canonical one */
#define JSON_MAX_STRING  95        /* decoded bytes kept of a key or string value */
#define JSON_MAX_DEPTH   32

typedef enum json_kind { JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL, JSON_COMPOSITE } json_kind;

typedef struct json_member {
	char key[JSON_MAX_STRING + 1];
	bool key_too_long;
	json_kind kind;
	char str[JSON_MAX_STRING + 1];  /* JSON_STRING: the decoded value */
	bool str_too_long;
	const char *num;                /* JSON_NUMBER: the text, inside the input */
	size_t num_len;
} json_member;

typedef enum json_result {
	JSON_OK = 0,
	JSON_SYNTAX,                    /* not one JSON object */
	JSON_DUPLICATE,                 /* a key appears twice */
	JSON_TOO_MANY                   /* more than JSON_MAX_MEMBERS members */
} json_result;

typedef struct json_object {
	size_t count;
	json_member members[JSON_MAX_MEMBERS];
} json_object;

json_result json_parse_object(const char *text, size_t len, json_object *out);
/* The member named key, or NULL. */
const json_member *json_get(const json_object *o, const char *key);

/*
 * A JSON number as an exact decimal: value = (neg ? -1 : 1) * digits * 10^exp10,
 * digits without leading or trailing zeros (zero: no digits, exp10 0).
 * scale is the display scale PostgreSQL's numeric would keep:
 * max(0, fraction digits - exponent).
 */
#define JSON_MAX_DIGITS 80
typedef struct json_decimal {
	bool neg;
	char digits[JSON_MAX_DIGITS + 1];
	size_t ndigits;
	int64_t exp10;
	int64_t scale;
} json_decimal;

/* false if the text is not a number or has more than JSON_MAX_DIGITS significant digits. */
bool json_decimal_parse(const char *text, size_t len, json_decimal *d);
bool json_decimal_equal(const json_decimal *a, const json_decimal *b);
/* A non-negative integer of scale 0 that fits in uint64. */
bool json_decimal_u64(const json_decimal *d, uint64_t *out);
/* The number as the nearest double (C locale). */
bool json_number_double(const char *text, size_t len, double *out);

#endif
