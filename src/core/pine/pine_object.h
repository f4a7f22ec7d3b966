/*
 * pine_object.h: the canonical parameter object of PINE (what the SQL
 * function pine_params returns as jsonb, and what libsecagg reads back):
 * its names and its members, defined once for both. A host writes the
 * members in order as one JSON object; a reader compares an object it was
 * given with the members of the parameters that object configures.
 */
#ifndef SECAGG_PINE_PINE_OBJECT_H
#define SECAGG_PINE_PINE_OBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "pine/pine.h"

#define PINE_PARAMS_FORMAT "secagg.pine.params"
#define PINE_DRAFT_KEY     "draft"           /* absent in -01 objects made before -02 existed */
#define PINE_MIN_BATCH_KEY "min_batch_size"  /* present only when set */

/* Names of variants, drafts and fields; NULL for a value out of range. */
const char *pine_variant_name(pine_variant v);
const char *pine_draft_name(pine_draft d);
const char *pine_field_name(pine_field_id f);
/* The variant / draft named s (len bytes), or -1. */
int pine_variant_by_name(const char *s, size_t len);
int pine_draft_by_name(const char *s, size_t len);

typedef enum pine_member_kind {
	PINE_MEMBER_TEXT,       /* a JSON string: text */
	PINE_MEMBER_INTEGER,    /* a JSON number: text holds its decimal digits (up to 128 bits) */
	PINE_MEMBER_DOUBLE      /* a JSON number: dbl, written in its shortest round-trip form */
} pine_member_kind;

typedef struct pine_member {
	const char *key;
	pine_member_kind kind;
	char text[72];
	double dbl;
} pine_member;

#define PINE_MAX_MEMBERS 56

/*
 * The members of the canonical object of P, in order (the configuration,
 * then every derived value, then the digest), into out (room for
 * PINE_MAX_MEMBERS); returns how many. with_draft is false only to compare
 * with a -01 object written before the "draft" key existed.
 */
size_t pine_params_members(const pine_params *P, bool with_draft, pine_member *out);

#endif
