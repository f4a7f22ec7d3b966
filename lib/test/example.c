/*
 * example.c: the README's example client, built by lib-test through
 * pkg-config against a staged install. Three users' keys and the roster
 * (in a deployment the server publishes the roster), one client with a
 * quantized vector, its state saved and restored; prints "example: ok".
 */
#include <secagg.h>
#include <stdio.h>

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "%s: %s (SQLSTATE %s)\n", what, secagg_strerror(rc), secagg_sqlstate(rc));
	return 1;
}

int
main(void)
{
	uint64_t ids[3] = { 11, 22, 33 };
	uint8_t pks[3][SECAGG_SIGN_PK_BYTES], sks[3][SECAGG_SIGN_SK_BYTES];
	for (int i = 0; i < 3; i++)
		secagg_sign_keypair(pks[i], sks[i]);
	uint8_t *roster, *state;
	size_t roster_len, state_len;
	int rc = secagg_roster_encode(ids, &pks[0][0], 3, &roster, &roster_len);
	if (rc != SECAGG_OK)
		return fail("roster", rc);

	double x[4] = { 0.25, -1.5, 3.0, 0.0 };       /* clipped to [-2, 2] */
	uint64_t q[4];
	if ((rc = secagg_quantize(x, 4, 2.0, 16, q)) != SECAGG_OK)
		return fail("quantize", rc);

	secagg_client *c;
	const uint8_t sid[] = "example-session";
	rc = secagg_client_new(sid, sizeof sid - 1, ids[0], 2, 0, sks[0], sizeof sks[0], q, 4, roster, roster_len, &c);
	secagg_free(roster, roster_len);
	if (rc != SECAGG_OK)
		return fail("client", rc);
	/* for each server message: secagg_client_round(c, msg, len, &reply, &reply_len), send reply */
	if ((rc = secagg_client_serialize(c, &state, &state_len)) != SECAGG_OK)
		return fail("serialize", rc);
	secagg_client_free(c);
	if ((rc = secagg_client_deserialize(state, state_len, &c)) != SECAGG_OK)
		return fail("deserialize", rc);
	secagg_free(state, state_len);
	int round = secagg_client_round_number(c);
	secagg_client_free(c);

	double back[4];
	if ((rc = secagg_dequantize(q, 4, 1, 2.0, 16, back)) != SECAGG_OK)
		return fail("dequantize", rc);
	printf("example: %s\n", round == 0 && back[2] == 2.0 && back[0] > 0.2 && back[0] < 0.3 ? "ok" : "wrong");
	return 0;
}
