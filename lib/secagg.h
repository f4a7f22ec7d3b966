/*
 * secagg.h: libsecagg, the client side of secagg as a C library.
 *
 * A client outside the database (a phone, a training worker, a Python
 * process through ctypes) uses this library to take part in a secure
 * aggregation session whose server runs in PostgreSQL (the secagg
 * extension), and to shard PINE measurements for the extension's PINE
 * aggregators. It is built from the same C core as the extension.
 *
 * Conventions (every function):
 *  - Returns an int error code: SECAGG_OK (0) or one of SECAGG_ERR_*
 *    (stable values, see below); secagg_strerror() gives a fixed English
 *    text, secagg_sqlstate() the SQLSTATE the SQL side raises for the same
 *    refusal. A NULL pointer where one is required is SECAGG_ERR_NULL.
 *    On error every output is left untouched and every handle unchanged.
 *  - Handles (secagg_client, secagg_pine_params) are opaque; each has its
 *    own free function, which wipes the secrets it holds.
 *  - Byte strings the library returns (uint8_t **out, size_t *out_len) are
 *    allocated by it and freed by the caller with secagg_free(out, out_len),
 *    which wipes them first. Arrays of fixed, known size (keys, quantized
 *    vectors, PINE lengths) are caller-provided instead.
 *  - Integers on the wire and in states are big-endian, vector elements
 *    little-endian u64; doc/wire-format.md describes every byte.
 *
 * Threads: the library keeps no mutable global state (libsodium's one-time
 * initialisation aside) and every function may be called from any thread.
 * A handle is not locked: use one handle from one thread at a time (or
 * lock around it). secagg_pine_params handles are read-only after
 * creation and may be shared between threads freely.
 *
 * Randomness comes from libsodium's randombytes (key pairs, nonces, Shamir
 * coefficients, stochastic rounding).
 */
#ifndef SECAGG_H
#define SECAGG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(SECAGG_BUILDING_LIBRARY)
#define SECAGG_API __attribute__((visibility("default")))
#else
#define SECAGG_API
#endif

/* ---- version ------------------------------------------------------------ */

#define SECAGG_VERSION_STRING "0.4.0"
#define SECAGG_ABI_VERSION    0          /* the soname: libsecagg.so.0 */

/* The library's version ("0.4.0"). */
SECAGG_API const char *secagg_version(void);

/* ---- errors ------------------------------------------------------------- */

/*
 * Error codes. The values are stable: new codes are appended, none is
 * renumbered or removed. 1..22 correspond one to one to the C core's
 * sa_status values of the same name.
 */
enum {
	SECAGG_OK = 0,
	SECAGG_ERR_NOMEM = 1,            /* allocation failed */
	SECAGG_ERR_PARAM = 2,            /* invalid parameter (threshold, length, id, range) */
	SECAGG_ERR_MALFORMED = 3,        /* bytes or text do not parse */
	SECAGG_ERR_NONCANONICAL = 4,     /* a field element or scalar is not reduced */
	SECAGG_ERR_VERSION = 5,          /* unknown format version */
	SECAGG_ERR_SESSION = 6,          /* message or state of another session or user */
	SECAGG_ERR_WRONG_ROUND = 7,      /* message does not belong to the client's round */
	SECAGG_ERR_UNKNOWN_USER = 8,     /* id outside the set allowed in this round */
	SECAGG_ERR_DUPLICATE = 9,        /* repeated id */
	SECAGG_ERR_SIGNATURE = 10,       /* a signature does not verify */
	SECAGG_ERR_DECRYPT = 11,         /* a ciphertext does not authenticate */
	SECAGG_ERR_KEYS = 12,            /* key mismatch, repeated or low-order keys */
	SECAGG_ERR_THRESHOLD = 13,       /* fewer than t users remain */
	SECAGG_ERR_LENGTH = 14,          /* vector length differs from the session's */
	SECAGG_ERR_RECONSTRUCT = 15,     /* shares are inconsistent */
	SECAGG_ERR_FINISHED = 16,        /* the client has finished the session */
	SECAGG_ERR_ROLLBACK = 17,        /* a state older than (or forking from) one used */
	SECAGG_ERR_LIMIT = 18,           /* an implementation limit is exceeded */
	SECAGG_ERR_CRYPTO = 19,          /* a primitive failed unexpectedly */
	SECAGG_ERR_INTERRUPTED = 20,     /* (not raised by the library) */
	SECAGG_ERR_GRAPH = 21,           /* message does not fit the SecAgg+ graph */
	SECAGG_ERR_NEIGHBOURHOOD = 22,   /* a SecAgg+ neighbourhood is below t */
	SECAGG_ERR_NULL = 23,            /* a required pointer argument is NULL */
	SECAGG_ERR_INIT = 24,            /* libsodium could not be initialised */
	SECAGG_ERR_PARAMS_MISMATCH = 25, /* PINE params: a key missing, extra or altered (digest) */
	SECAGG_ERR_MEASUREMENT = 26,     /* PINE: NaN, infinite, subnormal or too large entry */
	SECAGG_ERR_NORM = 27,            /* PINE: the measurement's L2 norm exceeds the bound */
	SECAGG_ERR_RETRY = 28,           /* PINE: wraparound checks failed (draw fresh rand) */
	SECAGG_ERR_RANGE = 29,           /* dequantize: a sum n clients cannot produce */
	SECAGG_ERR_INTERNAL = 30,        /* an impossible condition */
	SECAGG_ERROR_COUNT = 31
};

/* Fixed English text of a code (never NULL, never holds data). */
SECAGG_API const char *secagg_strerror(int code);
/* The SQLSTATE (5 characters) the SQL functions raise for the same refusal. */
SECAGG_API const char *secagg_sqlstate(int code);

/* ---- memory, initialisation, randomness ----------------------------------- */

/*
 * Initialises libsodium (idempotent, thread-safe). Every function that
 * needs it calls it; calling it first is optional. SECAGG_ERR_INIT on failure.
 */
SECAGG_API int secagg_init(void);
/* Wipes len bytes at buf, then frees it (buf from this library; NULL is a no-op). */
SECAGG_API void secagg_free(void *buf, size_t len);
/* n random bytes from libsodium (for PINE nonces, ids). */
SECAGG_API int secagg_random_bytes(uint8_t *buf, size_t n);
/*
 * Threads a client round may use (1 to 64; 1 by default): ShareKeys checks
 * its neighbours' signatures and encrypts its shares, MaskedInputCollection
 * does its key agreements and mask expansions, on that many threads (the
 * SQL setting secagg.threads). Results do not depend on it. Process-wide:
 * set it once, before clients run on several threads. SECAGG_ERR_PARAM
 * outside 1..64.
 */
SECAGG_API int secagg_set_threads(unsigned threads);

/* ---- signing keys and rosters ------------------------------------------- */

#define SECAGG_SIGN_PK_BYTES 32          /* Ed25519 public key */
#define SECAGG_SIGN_SK_BYTES 64          /* Ed25519 secret key (seed || pk), libsodium's form */
#define SECAGG_SESSION_ID_MAX 64

/* A fresh Ed25519 key pair (secagg.gen_keypair()). */
SECAGG_API int secagg_sign_keypair(uint8_t pk[SECAGG_SIGN_PK_BYTES], uint8_t sk[SECAGG_SIGN_SK_BYTES]);

/*
 * The canonical roster bytes (secagg.roster()) of n users: ids (non-zero,
 * distinct, any order) and their public keys (n x 32 bytes, in the same
 * order). *out is freed with secagg_free.
 */
SECAGG_API int secagg_roster_encode(const uint64_t *ids, const uint8_t *sign_pks, size_t n,
                                    uint8_t **out, size_t *out_len);

/* ---- secure-aggregation client ------------------------------------------ */

typedef struct secagg_client secagg_client;

#define SECAGG_ROUND_DONE 5              /* secagg_client_round_number once finished */

/*
 * A client for one session: session_id (1..64 bytes), this user's id and
 * Ed25519 secret key (64 bytes, matching its key in the roster), the
 * session's threshold t, the degree k of a SecAgg+ session's Harary graph
 * (0: the complete graph), the vector (m u64 words, summed mod 2^64) and
 * the roster bytes. Complete graph: 2 <= t <= n, t > n/2. SecAgg+: k even,
 * 2 <= k <= n - 2, 2 <= t <= k + 1 (choose k and t with
 * secagg_graph_find / secagg_graph_check, as the server did).
 */
SECAGG_API int secagg_client_new(const uint8_t *session_id, size_t session_id_len, uint64_t user_id,
                                 uint32_t threshold, uint32_t degree,
                                 const uint8_t *sign_sk, size_t sign_sk_len,
                                 const uint64_t *vector, size_t vector_length,
                                 const uint8_t *roster, size_t roster_len, secagg_client **out);
/* Frees a client, wiping its secrets (NULL is a no-op). */
SECAGG_API void secagg_client_free(secagg_client *c);

/*
 * Answers the server's message of the client's current round; *out is the
 * message to send back. On a refusal the client is unchanged (it can still
 * answer a valid message of the same round). SECAGG_ERR_FINISHED once done.
 */
SECAGG_API int secagg_client_round(secagg_client *c, const uint8_t *msg, size_t msg_len,
                                   uint8_t **out, size_t *out_len);

/* 0..4: waiting for the server message of that round; 5: finished; -1 for NULL. */
SECAGG_API int secagg_client_round_number(const secagg_client *c);
/* The user id (0 for NULL). */
SECAGG_API uint64_t secagg_client_user_id(const secagg_client *c);
/* The session's vector length m (0 for NULL). */
SECAGG_API uint32_t secagg_client_vector_length(const secagg_client *c);

/*
 * The client's state as bytes (it HOLDS SECRETS: store it like a private
 * key) and back. A restored client continues where the state was taken.
 */
SECAGG_API int secagg_client_serialize(const secagg_client *c, uint8_t **out, size_t *out_len);
SECAGG_API int secagg_client_deserialize(const uint8_t *state, size_t state_len, secagg_client **out);

/*
 * Rollback guard (secagg.client_recover): may `candidate` replace `current`,
 * the last state this client used? SECAGG_OK, SECAGG_ERR_SESSION (another
 * session or user), SECAGG_ERR_ROLLBACK (an earlier round, or a different
 * state at the same round: a fork), or a decoding error of either.
 */
SECAGG_API int secagg_client_check_recover(const uint8_t *current, size_t current_len,
                                           const uint8_t *candidate, size_t candidate_len);
/* The check above, then the candidate restored as a client. */
SECAGG_API int secagg_client_recover(const uint8_t *current, size_t current_len,
                                     const uint8_t *candidate, size_t candidate_len, secagg_client **out);

/* ---- SecAgg+ graph parameters ------------------------------------------- */

#define SECAGG_MODEL_HONEST_BUT_CURIOUS 0
#define SECAGG_MODEL_SEMI_MALICIOUS     1

/*
 * The degree k and threshold t the extension's graph_params() finds for n
 * users, a corrupt fraction and a dropout fraction in [0, 1), and a server
 * model. *complete is 1 when the complete graph was chosen (then use
 * degree 0 with threshold t). SECAGG_ERR_PARAM when infeasible.
 */
SECAGG_API int secagg_graph_find(uint32_t n, double corrupt_fraction, double dropout_fraction, int model,
                                 uint32_t *k, uint32_t *t, int *complete);
/* Do (k, t) meet the finder's security rules for these fractions? */
SECAGG_API int secagg_graph_check(uint32_t n, uint32_t k, uint32_t t, double corrupt_fraction,
                                  double dropout_fraction, int model);

/* ---- PINE --------------------------------------------------------------- */

typedef struct secagg_pine_params secagg_pine_params;

/*
 * Parameters from the canonical JSON text secagg.pine_params() returns (a
 * jsonb's text: keys in any order, any whitespace). As the SQL functions
 * do, re-derives every value from the configuration keys and refuses an
 * object whose derived values or digest do not match
 * (SECAGG_ERR_PARAMS_MISMATCH), an invalid configuration
 * (SECAGG_ERR_PARAM), an unknown version (SECAGG_ERR_VERSION) or text that
 * is not one JSON object of scalars without repeated keys
 * (SECAGG_ERR_MALFORMED).
 */
SECAGG_API int secagg_pine_params_parse(const char *json, size_t json_len, secagg_pine_params **out);
SECAGG_API void secagg_pine_params_free(secagg_pine_params *p);

/* Sizes (0 for NULL, or for agg_id >= num_shares). */
SECAGG_API size_t secagg_pine_dimension(const secagg_pine_params *p);
SECAGG_API size_t secagg_pine_num_shares(const secagg_pine_params *p);
SECAGG_API size_t secagg_pine_nonce_len(const secagg_pine_params *p);
SECAGG_API size_t secagg_pine_rand_len(const secagg_pine_params *p);
SECAGG_API size_t secagg_pine_public_share_len(const secagg_pine_params *p);
SECAGG_API size_t secagg_pine_input_share_len(const secagg_pine_params *p, uint32_t agg_id);
/* The SHA-256 digest of the parameters (the "digest" key), 32 bytes. */
SECAGG_API int secagg_pine_digest(const secagg_pine_params *p, uint8_t digest[32]);

/*
 * Shards a measurement (dimension doubles) for a report nonce
 * (nonce_len bytes): *public_share (public_share_len bytes) and
 * *input_shares, the input shares of the Aggregators 0 (the Leader) ..
 * num_shares - 1 concatenated in that order (input_share_len(j) bytes
 * each). Fresh randomness, retried on the draft's "retry" (as
 * secagg.pine_shard without rand). SECAGG_ERR_NORM, SECAGG_ERR_MEASUREMENT
 * are final. Free both outputs with secagg_free.
 */
SECAGG_API int secagg_pine_shard(const secagg_pine_params *p, const double *measurement, size_t dimension,
                                 const uint8_t *nonce, size_t nonce_len,
                                 uint8_t **public_share, size_t *public_share_len,
                                 uint8_t **input_shares, size_t *input_shares_len);
/* The same with the caller's randomness (rand_len bytes): deterministic; SECAGG_ERR_RETRY possible. */
SECAGG_API int secagg_pine_shard_with_rand(const secagg_pine_params *p, const double *measurement,
                                           size_t dimension, const uint8_t *nonce, size_t nonce_len,
                                           const uint8_t *rand, size_t rand_len,
                                           uint8_t **public_share, size_t *public_share_len,
                                           uint8_t **input_shares, size_t *input_shares_len);

/* ---- quantization (before secure summation, and back) ----------------------
 *
 * For a clipping range c > 0 (finite) and b bits (1 <= b <= 53), L = 2^b - 1:
 *   quantize:    x' = min(max(x, -c), c)              (clip; NaN is refused)
 *                s  = ((x' + c) / (2 c)) * L           (in [0, L], doubles)
 *                f  = floor(s), p = s - f
 *                u  = (r >> 11) * 2^-53, r a little-endian u64 of 8 random
 *                     bytes (one per element, drawn with randombytes_buf in
 *                     blocks of up to SECAGG_QUANTIZE_BLOCK elements)
 *                q  = f + 1 if u < p else f            (stochastic rounding:
 *                                                       E[q] = s)
 *   The u64 words q are summed mod 2^64 by secure aggregation; n clients
 *   can be summed without wrapping when n L < 2^64.
 *   dequantize:  out = (double) S * (2 c / L) - (double) n * c
 *                (S the sum of n clients' q; SECAGG_ERR_RANGE if S > n L)
 *   weighted:    a client with integer weight w >= 0 sends m + 1 words
 *                [w, w q_1, ..., w q_m] (w L < 2^64); from the sums
 *                [W, S_1, ..., S_m] the weighted mean of x is
 *                out_i = ((double) S_i / (double) W) * (2 c / L) - c
 *                (SECAGG_ERR_RANGE if W = 0 or S_i > W L).
 */
#define SECAGG_QUANTIZE_MAX_BITS 53
#define SECAGG_QUANTIZE_BLOCK    512

/* out: m words. */
SECAGG_API int secagg_quantize(const double *x, size_t m, double clip, uint32_t bits, uint64_t *out);
/* out: m + 1 words, [w, w q_1, ..., w q_m]. */
SECAGG_API int secagg_quantize_weighted(const double *x, size_t m, uint64_t weight, double clip, uint32_t bits,
                                        uint64_t *out);
/* sum: m words summed over n_clients clients; out: m doubles (the sum of their x). */
SECAGG_API int secagg_dequantize(const uint64_t *sum, size_t m, uint64_t n_clients, double clip, uint32_t bits,
                                 double *out);
/* sum: m + 1 words [W, S_1..S_m]; out: m doubles (the weighted mean). */
SECAGG_API int secagg_dequantize_weighted(const uint64_t *sum, size_t m_plus_1, double clip, uint32_t bits,
                                          double *out);

#ifdef __cplusplus
}
#endif

#endif
