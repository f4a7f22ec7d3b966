/*
 * client.c: the secure-aggregation client handle, a thin layer over the
 * core's sa_client (src/core/secagg/client.c): argument checks, the roster
 * bytes, error codes. A secagg_client * is the core's sa_client *.
 */
#include "internal.h"

#include "common/alloc.h"
#include "secagg/client.h"
#include "secagg/roster.h"

static sa_client *
core_of(secagg_client *c)
{
	return (sa_client *) c;
}

static const sa_client *
const_core_of(const secagg_client *c)
{
	return (const sa_client *) c;
}

/* Checks the plain arguments of secagg_client_new (the core checks the rest). */
static int
check_new_args(size_t session_id_len, uint64_t user_id, size_t sign_sk_len, size_t vector_length)
{
	if (session_id_len < 1 || session_id_len > SECAGG_SESSION_ID_MAX)
		return SECAGG_ERR_PARAM;
	if (sign_sk_len != SECAGG_SIGN_SK_BYTES || user_id == 0)
		return SECAGG_ERR_PARAM;
	if (vector_length < 1 || vector_length > SA_MAX_VECTOR_LENGTH)
		return SECAGG_ERR_PARAM;
	return SECAGG_OK;
}

int
secagg_client_new(const uint8_t *session_id, size_t session_id_len, uint64_t user_id, uint32_t threshold,
                  uint32_t degree, const uint8_t *sign_sk, size_t sign_sk_len, const uint64_t *vector,
                  size_t vector_length, const uint8_t *roster, size_t roster_len, secagg_client **out)
{
	if (session_id == NULL || sign_sk == NULL || vector == NULL || roster == NULL || out == NULL)
		return SECAGG_ERR_NULL;
	int rc = check_new_args(session_id_len, user_id, sign_sk_len, vector_length);
	if (rc != SECAGG_OK || (rc = secagg_init()) != SECAGG_OK)
		return rc;
	sa_roster r;
	sa_status st = sa_roster_decode(roster, roster_len, &r);
	if (st != SA_OK)
		return secagg_code_from_sa(st);
	if (sa_roster_find(&r, user_id) < 0) {
		sa_roster_release(&r);
		return SECAGG_ERR_UNKNOWN_USER;
	}
	sa_client *c;
	st = sa_client_create_graph(session_id, session_id_len, threshold, degree, &r, user_id, sign_sk, vector,
	                            (uint32_t) vector_length, &c);
	sa_roster_release(&r);
	if (st != SA_OK)
		return secagg_code_from_sa(st);
	*out = (secagg_client *) c;
	return SECAGG_OK;
}

void
secagg_client_free(secagg_client *c)
{
	sa_client_free(core_of(c));
}

int
secagg_client_round(secagg_client *c, const uint8_t *msg, size_t msg_len, uint8_t **out, size_t *out_len)
{
	if (c == NULL || msg == NULL || out == NULL || out_len == NULL)
		return SECAGG_ERR_NULL;
	int rc = secagg_init();
	if (rc != SECAGG_OK)
		return rc;
	uint8_t *buf;
	size_t len;
	sa_status st = sa_client_round(core_of(c), msg, msg_len, &buf, &len);
	if (st != SA_OK)
		return secagg_code_from_sa(st);
	*out = buf;
	*out_len = len;
	return SECAGG_OK;
}

int
secagg_client_round_number(const secagg_client *c)
{
	return c == NULL ? -1 : sa_client_stage(const_core_of(c));
}

uint64_t
secagg_client_user_id(const secagg_client *c)
{
	return c == NULL ? 0 : sa_client_user_id(const_core_of(c));
}

uint32_t
secagg_client_vector_length(const secagg_client *c)
{
	return c == NULL ? 0 : sa_client_vector_length(const_core_of(c));
}

int
secagg_client_serialize(const secagg_client *c, uint8_t **out, size_t *out_len)
{
	if (c == NULL || out == NULL || out_len == NULL)
		return SECAGG_ERR_NULL;
	uint8_t *buf;
	size_t len;
	sa_status st = sa_client_serialize(const_core_of(c), &buf, &len);
	if (st != SA_OK)
		return secagg_code_from_sa(st);
	*out = buf;
	*out_len = len;
	return SECAGG_OK;
}

int
secagg_client_deserialize(const uint8_t *state, size_t state_len, secagg_client **out)
{
	if (state == NULL || out == NULL)
		return SECAGG_ERR_NULL;
	int rc = secagg_init();
	if (rc != SECAGG_OK)
		return rc;
	sa_client *c;
	sa_status st = sa_client_deserialize(state, state_len, &c);
	if (st != SA_OK)
		return secagg_code_from_sa(st);
	*out = (secagg_client *) c;
	return SECAGG_OK;
}

int
secagg_client_check_recover(const uint8_t *current, size_t current_len, const uint8_t *candidate,
                            size_t candidate_len)
{
	if (current == NULL || candidate == NULL)
		return SECAGG_ERR_NULL;
	int rc = secagg_init();
	if (rc != SECAGG_OK)
		return rc;
	return secagg_code_from_sa(sa_client_check_recover(current, current_len, candidate, candidate_len));
}

int
secagg_client_recover(const uint8_t *current, size_t current_len, const uint8_t *candidate, size_t candidate_len,
                      secagg_client **out)
{
	if (out == NULL)
		return SECAGG_ERR_NULL;
	int rc = secagg_client_check_recover(current, current_len, candidate, candidate_len);
	if (rc != SECAGG_OK)
		return rc;
	return secagg_client_deserialize(candidate, candidate_len, out);
}
