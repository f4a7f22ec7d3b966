/* errors.c: the library's error codes, their texts and SQLSTATEs. */
#include "internal.h"

typedef struct error_entry {
	const char *text;
	const char *sqlstate;       /* what the SQL layer raises for the same refusal */
} error_entry;

/* Indexed by code; the SQLSTATEs are src/pg/pg_util.c's table. */
static const error_entry errors[SECAGG_ERROR_COUNT] = {
	[SECAGG_OK] = { "success", "00000" },
	[SECAGG_ERR_NOMEM] = { "out of memory", "53200" },
	[SECAGG_ERR_PARAM] = { "invalid parameter", "22023" },
	[SECAGG_ERR_MALFORMED] = { "malformed message, state or text", "22P03" },
	[SECAGG_ERR_NONCANONICAL] = { "non-canonical field element or scalar", "22003" },
	[SECAGG_ERR_VERSION] = { "unsupported format version", "0A000" },
	[SECAGG_ERR_SESSION] = { "message or state belongs to another session or user", "SA001" },
	[SECAGG_ERR_WRONG_ROUND] = { "message does not belong to the current round", "SA002" },
	[SECAGG_ERR_UNKNOWN_USER] = { "user is not allowed in this round", "SA003" },
	[SECAGG_ERR_DUPLICATE] = { "duplicate user", "SA004" },
	[SECAGG_ERR_SIGNATURE] = { "signature does not verify", "SA005" },
	[SECAGG_ERR_DECRYPT] = { "ciphertext does not authenticate", "SA006" },
	[SECAGG_ERR_KEYS] = { "invalid, mismatched or repeated keys", "SA007" },
	[SECAGG_ERR_THRESHOLD] = { "fewer users than the threshold", "SA008" },
	[SECAGG_ERR_LENGTH] = { "vector length does not match the session", "SA009" },
	[SECAGG_ERR_RECONSTRUCT] = { "secret shares are inconsistent", "SA010" },
	[SECAGG_ERR_FINISHED] = { "the client has finished the session", "SA011" },
	[SECAGG_ERR_ROLLBACK] = { "state is older than, or forks from, one already used", "SA012" },
	[SECAGG_ERR_LIMIT] = { "size limit exceeded", "54000" },
	[SECAGG_ERR_CRYPTO] = { "cryptographic primitive failed", "XX000" },
	[SECAGG_ERR_INTERRUPTED] = { "interrupted", "57014" },
	[SECAGG_ERR_GRAPH] = { "message does not fit the session's communication graph", "SA013" },
	[SECAGG_ERR_NEIGHBOURHOOD] = { "a neighbourhood has fewer users left than the threshold", "SA014" },
	[SECAGG_ERR_NULL] = { "a required argument is NULL", "22004" },
	[SECAGG_ERR_INIT] = { "libsodium could not be initialised", "XX000" },
	[SECAGG_ERR_PARAMS_MISMATCH] = { "PINE params: derived values do not match the configuration "
	                                 "(some key is missing, extra or altered)", "22023" },
	[SECAGG_ERR_MEASUREMENT] = { "measurement unusable (NaN, infinite, subnormal or too large)", "22023" },
	[SECAGG_ERR_NORM] = { "measurement's L2 norm exceeds the bound", "22003" },
	[SECAGG_ERR_RETRY] = { "wraparound checks failed: shard again with fresh randomness", "SA021" },
	[SECAGG_ERR_RANGE] = { "sum outside what the given clients can produce", "22003" },
	[SECAGG_ERR_INTERNAL] = { "internal error", "XX000" },
};

const char *
secagg_strerror(int code)
{
	if (code < 0 || code >= SECAGG_ERROR_COUNT)
		return "unknown error code";
	return errors[code].text;
}

const char *
secagg_sqlstate(int code)
{
	if (code < 0 || code >= SECAGG_ERROR_COUNT)
		return "XX000";
	return errors[code].sqlstate;
}

int
secagg_code_from_sa(sa_status st)
{
	if ((int) st >= 0 && st < SA_STATUS_COUNT)
		return (int) st;          /* same values by construction (secagg.h) */
	return SECAGG_ERR_INTERNAL;
}

int
secagg_code_from_pine(pine_status st)
{
	switch (st) {
	case PINE_OK: return SECAGG_OK;
	case PINE_ERR_PARAM: return SECAGG_ERR_PARAM;
	case PINE_ERR_MALFORMED: return SECAGG_ERR_MALFORMED;
	case PINE_ERR_NONCANONICAL: return SECAGG_ERR_NONCANONICAL;
	case PINE_ERR_MEASUREMENT: return SECAGG_ERR_MEASUREMENT;
	case PINE_ERR_NORM: return SECAGG_ERR_NORM;
	case PINE_RETRY: return SECAGG_ERR_RETRY;
	case PINE_ERR_NOMEM: return SECAGG_ERR_NOMEM;
	case PINE_ERR_INTERRUPTED: return SECAGG_ERR_INTERRUPTED;
	case PINE_REJECT:                /* an aggregator's outcome, never a client's */
	case PINE_ERR_BATCH_SIZE:        /* unsharding, which clients do not do */
	case PINE_ERR_STATE_MISMATCH:    /* preparation, likewise */
	case PINE_ERR_INTERNAL: break;
	}
	return SECAGG_ERR_INTERNAL;
}

/* The library codes 0..22 are the core's sa_status values: checked at compile time. */
#define SAME_CODE(lib, core) _Static_assert((int) (lib) == (int) (core), #lib " must equal " #core)
SAME_CODE(SECAGG_ERR_NOMEM, SA_ERR_NOMEM);
SAME_CODE(SECAGG_ERR_PARAM, SA_ERR_PARAM);
SAME_CODE(SECAGG_ERR_MALFORMED, SA_ERR_MALFORMED);
SAME_CODE(SECAGG_ERR_NONCANONICAL, SA_ERR_NONCANONICAL);
SAME_CODE(SECAGG_ERR_VERSION, SA_ERR_VERSION);
SAME_CODE(SECAGG_ERR_SESSION, SA_ERR_SESSION);
SAME_CODE(SECAGG_ERR_WRONG_ROUND, SA_ERR_WRONG_ROUND);
SAME_CODE(SECAGG_ERR_UNKNOWN_USER, SA_ERR_UNKNOWN_USER);
SAME_CODE(SECAGG_ERR_DUPLICATE, SA_ERR_DUPLICATE);
SAME_CODE(SECAGG_ERR_SIGNATURE, SA_ERR_SIGNATURE);
SAME_CODE(SECAGG_ERR_DECRYPT, SA_ERR_DECRYPT);
SAME_CODE(SECAGG_ERR_KEYS, SA_ERR_KEYS);
SAME_CODE(SECAGG_ERR_THRESHOLD, SA_ERR_THRESHOLD);
SAME_CODE(SECAGG_ERR_LENGTH, SA_ERR_LENGTH);
SAME_CODE(SECAGG_ERR_RECONSTRUCT, SA_ERR_RECONSTRUCT);
SAME_CODE(SECAGG_ERR_FINISHED, SA_ERR_STATE);
SAME_CODE(SECAGG_ERR_ROLLBACK, SA_ERR_ROLLBACK);
SAME_CODE(SECAGG_ERR_LIMIT, SA_ERR_LIMIT);
SAME_CODE(SECAGG_ERR_CRYPTO, SA_ERR_CRYPTO);
SAME_CODE(SECAGG_ERR_INTERRUPTED, SA_ERR_INTERRUPTED);
SAME_CODE(SECAGG_ERR_GRAPH, SA_ERR_GRAPH);
SAME_CODE(SECAGG_ERR_NEIGHBOURHOOD, SA_ERR_NEIGHBOURHOOD);
SAME_CODE(SECAGG_ERR_NULL, SA_STATUS_COUNT);      /* the library's own codes start after the core's */
