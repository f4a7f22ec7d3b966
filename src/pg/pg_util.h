/*
 * pg_util.h: the thin PostgreSQL glue shared by every SQL-callable file:
 * mapping core status codes to SQLSTATEs, NULL checks, bytea and jsonb
 * helpers. Nothing here knows the protocols.
 */
#ifndef SECAGG_PG_UTIL_H
#define SECAGG_PG_UTIL_H

#include "postgres.h"
#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "common/status.h"
#include "pine/pine.h"
#include "utils/array.h"

/* SQLSTATEs of secagg's own class "SA" (see README, "Errors"). */
#define ERRCODE_SECAGG_WRONG_SESSION   MAKE_SQLSTATE('S','A','0','0','1')
#define ERRCODE_SECAGG_WRONG_ROUND     MAKE_SQLSTATE('S','A','0','0','2')
#define ERRCODE_SECAGG_UNKNOWN_USER    MAKE_SQLSTATE('S','A','0','0','3')
#define ERRCODE_SECAGG_DUPLICATE       MAKE_SQLSTATE('S','A','0','0','4')
#define ERRCODE_SECAGG_SIGNATURE       MAKE_SQLSTATE('S','A','0','0','5')
#define ERRCODE_SECAGG_DECRYPT         MAKE_SQLSTATE('S','A','0','0','6')
#define ERRCODE_SECAGG_KEYS            MAKE_SQLSTATE('S','A','0','0','7')
#define ERRCODE_SECAGG_THRESHOLD       MAKE_SQLSTATE('S','A','0','0','8')
#define ERRCODE_SECAGG_LENGTH          MAKE_SQLSTATE('S','A','0','0','9')
#define ERRCODE_SECAGG_RECONSTRUCT     MAKE_SQLSTATE('S','A','0','1','0')
#define ERRCODE_SECAGG_FINISHED        MAKE_SQLSTATE('S','A','0','1','1')
#define ERRCODE_SECAGG_ROLLBACK        MAKE_SQLSTATE('S','A','0','1','2')
#define ERRCODE_SECAGG_GRAPH           MAKE_SQLSTATE('S','A','0','1','3')
#define ERRCODE_SECAGG_NEIGHBOURHOOD   MAKE_SQLSTATE('S','A','0','1','4')
#define ERRCODE_SECAGG_REJECTED        MAKE_SQLSTATE('S','A','0','2','0')
/* PINE client: the wraparound checks failed for the given randomness (retry). */
#define ERRCODE_SECAGG_PINE_RETRY      MAKE_SQLSTATE('S','A','0','2','1')
/* PINE: a batch smaller than the parameters' min_batch_size (pine_agg, pine_unshard). */
#define ERRCODE_SECAGG_PINE_BATCH_SIZE MAKE_SQLSTATE('S','A','0','2','2')
/* PINE: the input share given to finish preparation is not the one the Leader's prep state was made from. */
#define ERRCODE_SECAGG_PINE_STATE_MISMATCH MAKE_SQLSTATE('S','A','0','2','3')

/* Core status codes -> SQLSTATEs (one table, pg_util.c). */
int sa_pg_sqlstate(sa_status st);
int sa_pg_pine_sqlstate(pine_status st);

/* graph_sql.c: the SecAgg+ degree of a session from graph_params' jsonb (NULL: 0, complete). */
uint32 sa_pg_session_degree(Jsonb *graph, int32 threshold, uint32 n);
/* server_sql.c: 54000 with a hint when a complete-graph session would exceed SA_MAX_USERS. */
void sa_pg_check_complete_size(uint32 n);

/*
 * For SA_ERR_INTERRUPTED (a core loop stopped at the host's request):
 * CHECK_FOR_INTERRUPTS(), then 57014 if that returned. Else nothing.
 * Every path that reports a core status calls it first.
 */
void sa_pg_honour_interrupt(sa_status st);

/* ereport(ERROR) for a failed core call; `what` names the operation. */
pg_attribute_noreturn() void sa_pg_fail(sa_status st, const char *what);
/* Same, with a detail line (must not contain secrets). */
pg_attribute_noreturn() void sa_pg_fail_detail(sa_status st, const char *what, const char *detail);

/* ereport(ERROR) for a failed PINE core call; why (the core's reason, no secrets) as the detail. */
pg_attribute_noreturn() void sa_pg_pine_fail(pine_status st, const char *what, const char *why);

/* 22P03 unless a value of `what` has the length the parameters give. */
void sa_pg_check_len(const char *what, size_t got, size_t want);
/* The composite result of a function returning a row; its row type is
 * looked up once per call site (kept in fn_extra: see sa_pg_fn_extra). */
Datum sa_pg_make_record(FunctionCallInfo fcinfo, Datum *values, bool *nulls);
/* A one-dimensional bytea[] without NULLs of exactly n elements, one per Aggregator. */
void sa_pg_bytea_array(ArrayType *a, const char *what, int n, const uint8_t **ptrs, size_t *lens);

/*
 * Flat aggregate states (server_round_agg, pine_agg): a plain bytea that
 * starts with a header of hdr_len bytes, the first 4 the magic. name and
 * hint go into the XX001 (data_corrupted) error raised for a corrupt state.
 */
typedef struct sa_pg_flat_state {
	const char *magic;          /* 4 bytes */
	size_t hdr_len;
	const char *name;           /* "<name> state is corrupt: <why>" */
	const char *hint;
} sa_pg_flat_state;
pg_attribute_noreturn() void sa_pg_flat_corrupt(const sa_pg_flat_state *k, const char *why);
/* The header of s: XX001 unless s is in line, uncompressed, long enough and starts with the magic. */
const uint8_t *sa_pg_flat_header(bytea *s, const sa_pg_flat_state *k);

/* Raises 22023 unless n/2 < t <= n and t >= 2 (the rule against a malicious server). */
void sa_pg_check_threshold(int32 t, uint32 n);

/* Raises 22004 when argument `argno` is NULL. */
void sa_pg_require_args(FunctionCallInfo fcinfo, int first, int last, const char *const *names);

/*
 * Aggregate transition states arrive as plain bytea, and a role allowed to
 * EXECUTE a support function can hand it any bytes (an INITCOND, or a
 * window aggregate's inverse function). Every support function therefore
 * validates every state it receives, except that a transition function may
 * skip the O(state) part of the check for a state it built itself in this
 * query: such states carry this tag, 16 random bytes drawn once per
 * function-call site (FmgrInfo) and known to nobody else before the query
 * ends. The tag is trusted only in a plain aggregate (not a window
 * aggregate, whose inverse function may rewrite a tagged state).
 */
#define SA_PG_AGG_TAG_BYTES 16

/* What secagg keeps in a call site's fn_extra (allocated in fn_mcxt). */
typedef struct sa_pg_fn_extra {
	uint8_t agg_tag[SA_PG_AGG_TAG_BYTES];
	bool has_agg_tag;
	void *cache;                  /* the function's own cache, in fn_mcxt */
	TupleDesc result_desc;        /* sa_pg_make_record's row type, blessed */
} sa_pg_fn_extra;
sa_pg_fn_extra *sa_pg_fn_extra_get(FunctionCallInfo fcinfo);
/* The tag of this call site; 0A000 unless called as an aggregate support function. */
const uint8_t *sa_pg_agg_tag(FunctionCallInfo fcinfo, const char *fname, bool *plain_agg);
/* 0A000: `fname` is an aggregate support function called some other way. */
void sa_pg_require_agg_context(FunctionCallInfo fcinfo, const char *fname);

/* bytea <-> bytes */
bytea *sa_pg_bytea(const uint8_t *p, size_t len);
static inline const uint8_t *
sa_pg_bytes(bytea *b, size_t *len)
{
	*len = VARSIZE_ANY_EXHDR(b);
	return (const uint8_t *) VARDATA_ANY(b);
}

/*
 * base64 of SECRET bytes: libsodium's constant-time codec (original variant).
 * Decodes strictly; NULL on invalid input.
 */
char *sa_pg_base64(const uint8_t *p, size_t len);
uint8_t *sa_pg_unbase64(const char *s, size_t slen, size_t *len);
/*
 * base64 with OpenSSL's table-driven codec (about 10x faster than
 * libsodium's here; table lookups, so not constant time): for public data
 * and for PINE prep states, whose measurement share is uniformly random on
 * its own. Same text as sa_pg_base64 (standard alphabet, padded, no line
 * breaks); *slen, if not NULL, gets the text length. Decoding is strict and
 * canonical (exact padding, zero padding bits, nothing else accepted); NULL
 * on invalid input.
 */
char *sa_pg_base64_public(const uint8_t *p, size_t len, size_t *slen);
uint8_t *sa_pg_unbase64_public(const char *s, size_t slen, size_t *len);
char *sa_pg_hex(const uint8_t *p, size_t len);

/* Key of a jsonb object into *v; false if the root is not an object or the key is missing. */
bool sa_pg_jsonb_get(Jsonb *jb, const char *key, JsonbValue *v);
/* jsonb object lookups; error (22023) if missing or of the wrong type. */
void sa_pg_jsonb_string(Jsonb *jb, const char *key, const char *what, const char **s, int *len);
int64 sa_pg_jsonb_int(Jsonb *jb, const char *key, const char *what);
bool sa_pg_jsonb_bool(Jsonb *jb, const char *key, const char *what);
void sa_pg_jsonb_expect_format(Jsonb *jb, const char *format, const char *what);
Jsonb *sa_pg_jsonb_from_text(const char *text);
/*
 * The object `fields` (JSON text of a flat object) with one more key whose
 * value is the base64 of img: the large string goes in without a parse, and
 * its text is wiped. secret: libsodium's constant-time codec
 * (sa_pg_base64), else sa_pg_base64_public. 54000 if it cannot fit in a
 * jsonb (about 200 MB of binary); `what` names the state in that message.
 */
Jsonb *sa_pg_jsonb_with_base64(const char *fields, const char *key, const uint8_t *img, size_t len,
                               bool secret, const char *what);
/*
 * For arguments that carry secrets: if ptr (a varlena in the current memory
 * context) is a copy made by detoasting argument argno, it is wiped when
 * that context is reset or deleted, on error as well; the caller's datum
 * itself is left alone. Call it right after detoasting, and do not pfree ptr.
 */
void sa_pg_wipe_detoasted(FunctionCallInfo fcinfo, int argno, void *ptr);
/* Wipes len bytes at p (allocated in the current memory context) when that context is reset. */
void sa_pg_wipe_at_reset(void *p, size_t len);

/*
 * Longest vector a session can have in SQL: the server state from round 3
 * on, and the client state until round 2, hold the vector as base64 in a
 * jsonb, whose strings total at most 256 MB: 8 * 25,000,000 bytes of
 * vector, plus the rest of a 2,048-user state, fit. (The C core alone
 * allows SA_MAX_VECTOR_LENGTH = 2^26.)
 */
#define SA_PG_MAX_VECTOR_LENGTH 25000000
/* Raises 54000 unless 1 <= m <= SA_PG_MAX_VECTOR_LENGTH. */
void sa_pg_check_vector_length(int64 m, const char *what);

/* bigint[] <-> uint64 vectors (two's complement); errors on NULLs, dims. */
uint64 *sa_pg_vector_from_array(ArrayType *a, uint32 *m, const char *what);
ArrayType *sa_pg_array_from_vector(const uint64 *v, uint32 m);

extern int sa_threads;

#endif
