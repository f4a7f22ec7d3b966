/*
 * fuzz_sa_client_round: server-to-client messages of every round, fed to
 * sa_client_round on real client states.
 *
 * Input: byte 0 picks the case, the rest is the message.
 *   stage = b0 % 5, user = (b0 / 5) % n (the next user still in the
 *   protocol at that stage if that one is not)
 *   b0 >= 25: re-sign the (mutated) key list of ShareKeys or the signature
 *   list of Unmasking with each listed user's key (the fixture knows them),
 *   so mutations reach the checks behind the signatures
 * Checked: a refused message leaves the client exactly as it was (rounds
 * are transactional); an accepted one moves it to the next stage and its
 * state survives serialise -> deserialise -> serialise unchanged. The
 * client's answer is then delivered to the server, as a caller would: for
 * the genuine server message the server must accept it.
 */
#include "secagg_fixture.h"

static secagg_fixture FC, FG;     /* complete graph; SecAgg+ (messages of version 2) */
#define F (*X)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	fx_build(&FC, 0);
	fx_build(&FG, 2);
	return 0;
}

/* SecAgg+ ShareKeys: the key list follows n1 | root | index | path length | path. */
static size_t
keylist_at(const secagg_fixture *X, const uint8_t *in, size_t in_len)
{
	size_t at = SA_S2C_HEADER_BYTES;
	if (X->k == 0)
		return at;
	at += 4 + 32 + 4;
	if (in_len < at + 1)
		return in_len;
	return at + 1 + (size_t) in[at] * 32;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_rng_reset(2);
	const secagg_fixture *X = fx_pick(&FC, &FG, data + 1, size - 1);
	int stage = data[0] % FX_STAGES;
	int u = (data[0] / FX_STAGES) % FX_N;
	while (F.cstate[stage][u].p == NULL)
		u = (u + 1) % FX_N;
	const fx_buf *cs = &F.cstate[stage][u];
	uint8_t *in = fuzz_dup(data + 1, size - 1);
	size_t in_len = size - 1;
	size_t list_at = stage == 1 ? keylist_at(X, in, in_len) : SA_S2C_HEADER_BYTES;
	if (data[0] >= 25 && in_len >= list_at + 4) {
		uint8_t *e = in + list_at + 4;
		size_t left = in_len - list_at - 4;
		if (stage == 1) {
			for (; left >= 136; e += 136, left -= 136)
				fx_sign_advert(&F, fuzz_be64(e), e + 8, e + 40, e + 72);
		} else if (stage == 4 && X->k) {
			/* the statement is over the digest of the U3 bitmap of round 3 */
			const fx_buf *r3 = &F.s2c[3][u];
			for (; left >= 72; e += 72, left -= 72)
				fx_sign_consistency_graph(&F, fuzz_be64(e), r3->p + SA_S2C_HEADER_BYTES + 4, e + 8);
		} else if (stage == 4) {
			/* the statement is over the U3 this user was sent in round 3 */
			const fx_buf *r3 = &F.s2c[3][u];
			uint32_t n3 = (uint32_t) ((r3->len - SA_S2C_HEADER_BYTES - 4) / 8);
			for (; left >= 72; e += 72, left -= 72)
				fx_sign_consistency(&F, fuzz_be64(e), r3->p + SA_S2C_HEADER_BYTES + 4, n3, e + 8);
		}
	}

	sa_client *c;
	FUZZ_CHECK(sa_client_deserialize(cs->p, cs->len, &c) == SA_OK);
	uint8_t *out, *img1, *img2;
	size_t out_len, len1, len2;
	sa_status st = sa_client_round(c, in, in_len, &out, &out_len);
	FUZZ_CHECK(sa_client_serialize(c, &img1, &len1) == SA_OK);
	if (st != SA_OK) {
		FUZZ_CHECK(fuzz_eq(img1, len1, cs->p, cs->len));
		sa_free(img1);
		goto done;
	}
	FUZZ_CHECK(sa_client_stage(c) == stage + 1);
	{
		sa_client *c2;
		FUZZ_CHECK(sa_client_deserialize(img1, len1, &c2) == SA_OK);
		FUZZ_CHECK(sa_client_serialize(c2, &img2, &len2) == SA_OK);
		FUZZ_CHECK(fuzz_eq(img1, len1, img2, len2));
		/* and it is a legitimate successor of the state it came from */
		FUZZ_CHECK(sa_client_check_recover(cs->p, cs->len, img1, len1) == SA_OK);
		FUZZ_CHECK(sa_client_check_recover(img1, len1, cs->p, cs->len) == SA_ERR_ROLLBACK);
		sa_free(img2);
		sa_client_free(c2);
	}
	sa_free(img1);

	/* deliver the answer to a server that has received nothing this round */
	{
		size_t cap, img_len = F.img_empty[stage].len;
		uint8_t *img = fx_image_copy(&F.img_empty[stage], 0, &cap);
		sa_status rst = fx_recv(&img, &img_len, &cap, F.ids[u], out, out_len);
		if (fuzz_eq(in, in_len, F.s2c[stage][u].p, F.s2c[stage][u].len))
			FUZZ_CHECK(rst == SA_OK);
		if (rst == SA_OK)
			FUZZ_CHECK(sa_server_validate(img, img_len) == SA_OK);
		free(img);
	}
	sa_free(out);
done:
	sa_client_free(c);
	free(in);
	return 0;
}
#undef F
