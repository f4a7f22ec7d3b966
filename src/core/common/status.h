/*
 * status.h: result codes shared by the whole C core.
 *
 * Core functions never print, never abort on bad input and never put
 * secrets into messages: they return one of these codes, and the caller
 * (a unit test, the PostgreSQL layer, a client library) maps it to its own
 * error reporting. sa_status_message() gives a fixed English text.
 *
 * The numeric values are part of a wire format (the rejection records of a
 * round output, server.h): append new codes before SA_STATUS_COUNT, never
 * reorder or remove one.
 */
#ifndef SECAGG_COMMON_STATUS_H
#define SECAGG_COMMON_STATUS_H

typedef enum sa_status {
	SA_OK = 0,
	SA_ERR_NOMEM,            /* allocation failed */
	SA_ERR_PARAM,            /* invalid parameter (threshold, length, id) */
	SA_ERR_MALFORMED,        /* bytes do not parse: length, tag, trailing data */
	SA_ERR_NONCANONICAL,     /* a field element or scalar is not reduced */
	SA_ERR_VERSION,          /* unknown format version */
	SA_ERR_SESSION,          /* message or state belongs to another session */
	SA_ERR_WRONG_ROUND,      /* message does not belong to the current round */
	SA_ERR_UNKNOWN_USER,     /* id outside the set allowed in this round */
	SA_ERR_DUPLICATE,        /* second message from the same user, or repeated id */
	SA_ERR_SIGNATURE,        /* a signature does not verify */
	SA_ERR_DECRYPT,          /* AEAD authentication failed or ids mismatch */
	SA_ERR_KEYS,             /* key agreement failure, repeated or echoed keys */
	SA_ERR_THRESHOLD,        /* fewer than t users remain */
	SA_ERR_LENGTH,           /* vector length differs from the session's */
	SA_ERR_RECONSTRUCT,      /* shares are inconsistent; a secret cannot be rebuilt */
	SA_ERR_STATE,            /* operation not allowed in this state (finished, rollback) */
	SA_ERR_ROLLBACK,         /* recovering a state older than one already used */
	SA_ERR_LIMIT,            /* a size limit of the implementation is exceeded */
	SA_ERR_CRYPTO,           /* a primitive failed unexpectedly */
	SA_ERR_INTERRUPTED,      /* the host asked the call to stop (interrupt.h) */
	SA_ERR_GRAPH,            /* a message does not fit the session's communication graph */
	SA_ERR_NEIGHBOURHOOD,    /* a SecAgg+ neighbourhood has fewer than t users left */
	SA_STATUS_COUNT
} sa_status;

const char *sa_status_message(sa_status s);

#endif
