/*
 * status.h: return codes shared by the VDAF building blocks (src/core/vdaf).
 *
 * Functions that can fail return int: VDAF_OK (0) on success, a negative
 * VDAF_ERR_* code otherwise. Nothing in src/core/vdaf aborts on bad input.
 */
#ifndef SECAGG_VDAF_STATUS_H
#define SECAGG_VDAF_STATUS_H

enum {
	VDAF_OK = 0,
	VDAF_ERR_INVALID = -1,   /* bad argument or length, non-canonical encoding */
	VDAF_ERR_NOMEM = -2,     /* allocation failed */
	VDAF_ERR_CRYPTO = -3,    /* libsodium / OpenSSL reported an error */
	VDAF_ERR_ROOT = -4,      /* FLP query randomness hit a root of unity (negligible) */
	VDAF_ERR_CIRCUIT = -5,   /* circuit misbehaved (e.g. wrong number of gadget calls) */
	VDAF_ERR_INTERRUPTED = -6 /* the host asked the call to stop (common/interrupt.h) */
};

#endif
