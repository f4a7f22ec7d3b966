/*
 * test_secagg_keys.c: the server refuses, at round 0, advertisements whose
 * X25519 keys are non-canonical or of small order, even when the signature
 * over them is valid (such a key would make every honest peer's key
 * agreement fail in ShareKeys, so the session could never finish).
 */
#include "unit.h"
#include "secagg_sim.h"
#include "common/codec.h"
#include "secagg/protocol.h"

/* The small-order points of Curve25519 (u-coordinates, little-endian), and non-canonical forms. */
static const char *const bad_keys[] = {
	"0000000000000000000000000000000000000000000000000000000000000000", /* u = 0 */
	"0100000000000000000000000000000000000000000000000000000000000000", /* u = 1 */
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", /* order 8 */
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", /* order 8 */
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* u = p - 1 */
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* u = p (non-canonical 0) */
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* u = p + 1 (non-canonical 1) */
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* u = 2^255 - 1 */
	"0900000000000000000000000000000000000000000000000000000000000080", /* base point, top bit set */
};

static void
test_kx_pk_check_refuses_bad_keys(void)
{
	for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
		uint8_t pk[32];
		UNIT_CHECK(unit_hex_decode(bad_keys[i], pk, sizeof pk) == 32);
		if (sa_kx_pk_check(pk) != SA_ERR_KEYS)
			fprintf(stderr, "  accepted bad key %s\n", bad_keys[i]);
		UNIT_CHECK(sa_kx_pk_check(pk) == SA_ERR_KEYS);
	}
}

static void
test_kx_pk_check_accepts_real_keys(void)
{
	uint8_t base[32] = { 9 }, pk[32], sk[32];
	UNIT_CHECK(sa_kx_pk_check(base) == SA_OK);
	for (int i = 0; i < 64; i++) {
		crypto_kx_keypair(pk, sk);
		UNIT_CHECK(sa_kx_pk_check(pk) == SA_OK);
	}
	/* u = p - 2: canonical and not of small order */
	uint8_t p_minus_2[32];
	UNIT_CHECK(unit_hex_decode("ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", p_minus_2, 32) == 32);
	UNIT_CHECK(sa_kx_pk_check(p_minus_2) == SA_OK);
}

/* A correctly signed advertisement of user index i with the given keys. */
static size_t
advertise(const sim *s, uint32_t i, const uint8_t ctx[SA_CTX_BYTES], const uint8_t c_pk[32],
          const uint8_t s_pk[32], uint8_t *msg)
{
	uint8_t signed_msg[SA_ADVERTISE_SIGNED_BYTES];
	msg[0] = SA_WIRE_VERSION;
	msg[1] = SA_MSG_C2S(0);
	memcpy(msg + 2, ctx, SA_CTX_BYTES);
	sa_store_u64_be(msg + 2 + SA_CTX_BYTES, s->ids[i]);
	memcpy(msg + SA_C2S_HEADER_BYTES, c_pk, 32);
	memcpy(msg + SA_C2S_HEADER_BYTES + 32, s_pk, 32);
	sa_advertise_signed(signed_msg, ctx, s->ids[i], c_pk, s_pk);
	crypto_sign_detached(msg + SA_C2S_HEADER_BYTES + 64, NULL, signed_msg, sizeof signed_msg, s->sks[i]);
	return SA_C2S_HEADER_BYTES + 64 + 64;
}

static void
test_server_refuses_small_order_advertisement(void)
{
	sim s;
	sim_init(&s, 4, 3, 2, 10);
	sa_roster r = sim_roster(&s);
	static const uint8_t sid[] = "keys";
	UNIT_CHECK(sa_server_create(sid, sizeof sid - 1, 3, 2, &r, &s.img, &s.img_len) == SA_OK);
	s.img_cap = s.img_len;
	sa_server_info info;
	UNIT_CHECK(sa_server_info_get(s.img, s.img_len, &info) == SA_OK);
	uint8_t ctx[SA_CTX_BYTES];
	memcpy(ctx, info.ctx, SA_CTX_BYTES);
	uint8_t good1[32], good2[32], sk[32], one[32] = { 1 }, msg[256];
	crypto_kx_keypair(good1, sk);
	crypto_kx_keypair(good2, sk);
	uint8_t *before = malloc(s.img_len);
	memcpy(before, s.img, s.img_len);
	size_t before_len = s.img_len;

	size_t len = advertise(&s, 0, ctx, one, good2, msg);
	UNIT_CHECK(sim_recv(&s, s.ids[0], msg, len) == SA_ERR_KEYS);
	len = advertise(&s, 0, ctx, good1, one, msg);
	UNIT_CHECK(sim_recv(&s, s.ids[0], msg, len) == SA_ERR_KEYS);
	uint8_t high[32];
	memcpy(high, good1, 32);
	high[31] |= 0x80;
	len = advertise(&s, 0, ctx, high, good2, msg);
	UNIT_CHECK(sim_recv(&s, s.ids[0], msg, len) == SA_ERR_KEYS);
	UNIT_CHECK(s.img_len == before_len && memcmp(s.img, before, before_len) == 0);

	/* the same user with usable keys is accepted afterwards */
	len = advertise(&s, 0, ctx, good1, good2, msg);
	UNIT_CHECK(sim_recv(&s, s.ids[0], msg, len) == SA_OK);
	free(before);
	sim_free(&s);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_kx_pk_check_refuses_bad_keys);
	UNIT_RUN(test_kx_pk_check_accepts_real_keys);
	UNIT_RUN(test_server_refuses_small_order_advertisement);
	return UNIT_DONE();
}
