/* status.c: fixed texts for sa_status codes (never contain data). */
#include "common/status.h"

const char *
sa_status_message(sa_status s)
{
	switch (s) {
	case SA_OK: return "success";
	case SA_ERR_NOMEM: return "out of memory";
	case SA_ERR_PARAM: return "invalid parameter";
	case SA_ERR_MALFORMED: return "malformed message or state";
	case SA_ERR_NONCANONICAL: return "non-canonical field element";
	case SA_ERR_VERSION: return "unsupported format version";
	case SA_ERR_SESSION: return "message or state belongs to another session";
	case SA_ERR_WRONG_ROUND: return "message does not belong to the current round";
	case SA_ERR_UNKNOWN_USER: return "user is not allowed in this round";
	case SA_ERR_DUPLICATE: return "duplicate user";
	case SA_ERR_SIGNATURE: return "signature does not verify";
	case SA_ERR_DECRYPT: return "ciphertext does not authenticate";
	case SA_ERR_KEYS: return "invalid or repeated public keys";
	case SA_ERR_THRESHOLD: return "fewer users than the threshold";
	case SA_ERR_LENGTH: return "vector length does not match the session";
	case SA_ERR_RECONSTRUCT: return "secret shares are inconsistent";
	case SA_ERR_STATE: return "operation not allowed in this state";
	case SA_ERR_ROLLBACK: return "state is older than one already used";
	case SA_ERR_LIMIT: return "size limit exceeded";
	case SA_ERR_CRYPTO: return "cryptographic primitive failed";
	case SA_ERR_INTERRUPTED: return "interrupted";
	case SA_ERR_GRAPH: return "message does not fit the session's communication graph";
	case SA_ERR_NEIGHBOURHOOD: return "a neighbourhood has fewer users left than the threshold";
	case SA_STATUS_COUNT: break;
	}
	return "unknown error";
}
