/*
 * fuzz_sa_roster: the roster encoding ("SAR1" | n | n x (id | Ed25519 pk)),
 * sa_roster_decode.
 *
 * For a roster it accepts: re-encoding the decoded entries with
 * sa_roster_build (given in reverse order, so the sort is exercised) gives
 * the input back byte for byte (the format is canonical); a session over it
 * can be created (threshold n/2 + 1, m = 1) and its image validates; a
 * client state cannot be made with a key that is not in it.
 */
#include "fuzz_common.h"

#include "common/alloc.h"
#include "common/codec.h"
#include "secagg/client.h"
#include "secagg/roster.h"
#include "secagg/server.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_rng_reset(2);
	uint8_t *buf = fuzz_dup(data, size);
	sa_roster r;
	sa_status st = sa_roster_decode(buf, size, &r);
	if (st != SA_OK) {
		FUZZ_CHECK(r.n == 0 && r.ids == NULL && r.sign_pks == NULL);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(r.n >= 2 && r.n <= SA_MAX_USERS && sa_roster_check(&r) == SA_OK);

	uint8_t *entries = malloc((size_t) r.n * SA_ROSTER_ENTRY_BYTES);
	FUZZ_CHECK(entries != NULL);
	for (uint32_t i = 0; i < r.n; i++) {
		uint8_t *e = entries + (size_t) (r.n - 1 - i) * SA_ROSTER_ENTRY_BYTES;
		sa_store_u64_be(e, r.ids[i]);
		memcpy(e + 8, r.sign_pks[i], SA_SIGN_PK_BYTES);
		FUZZ_CHECK(sa_roster_find(&r, r.ids[i]) == (long) i);
	}
	uint8_t *enc, *img;
	size_t enc_len, img_len;
	FUZZ_CHECK(sa_roster_build(entries, r.n, &enc, &enc_len) == SA_OK);
	FUZZ_CHECK(fuzz_eq(enc, enc_len, buf, size));
	sa_free(enc);
	free(entries);

	static const uint8_t sid[] = "fuzz-roster";
	FUZZ_CHECK(sa_server_create(sid, sizeof sid - 1, r.n / 2 + 1, 1, &r, &img, &img_len) == SA_OK);
	FUZZ_CHECK(sa_server_validate(img, img_len) == SA_OK);
	sa_free(img);

	/* a fresh key pair is not the roster's: the client refuses it */
	uint8_t pk[SA_SIGN_PK_BYTES], sk[SA_SIGN_SK_BYTES];
	uint64_t x = 1;
	sa_client *c = NULL;
	sa_sign_keypair(pk, sk);
	st = sa_client_create(sid, sizeof sid - 1, r.n / 2 + 1, &r, r.ids[0], sk, &x, 1, &c);
	FUZZ_CHECK(st != SA_OK || memcmp(pk, r.sign_pks[0], SA_SIGN_PK_BYTES) == 0);
	sa_client_free(c);

	sa_roster_release(&r);
	free(buf);
	return 0;
}
