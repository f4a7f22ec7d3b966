/*
 * fuzz_sa_server_recv: client-to-server messages of every round, fed to
 * sa_server_recv on real server images.
 *
 * Input: byte 0 picks the case, the rest is the message.
 *   stage = b0 % 5 (AdvertiseKeys .. Unmasking), f = b0 / 5;
 *   f % 3 picks the image: 0 = it already holds t - 1 messages (users 0,
 *          1), 1 = it has received nothing yet this round, 2 = it holds
 *          every message the users sent (in Unmasking that is 3 of the 4
 *          users of U4: a message from user 3 gives 4 responders for 3
 *          shares, so a corrupt share can be found and left out);
 *   g = f / 3: g & 1: 0 = the sender id is the one in the message header,
 *          1 = the sender id is user (g / 4) % n;
 *   g & 2: AdvertiseKeys only: sign the (mutated) keys again with the
 *          sender's key (the fixture knows it), so mutations reach the key
 *          checks behind the signature.
 * Checked: a refused message leaves the image byte for byte unchanged; an
 * accepted one gives an image that passes sa_server_validate with one more
 * message. Then, as a caller would, the round is closed once t messages are
 * in; a closed round's output must open and carry a valid next state, and
 * its message to a user must be answered by that user's real client state
 * (what the server accepts, an honest client accepts).
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

/*
 * The answer of an honest user to the message the closed round sent it.
 * Every round here closes on a genuine image plus one accepted message, so
 * what the server accepted must be acceptable to an honest client too: a
 * refusal means the server let through something (a key, a ciphertext
 * list, a signature) that stalls the honest users.
 */
static void
answer_as_client(const secagg_fixture *X, int stage, const sa_output_view *ov)
{
	uint64_t id;
	const uint8_t *msg;
	size_t msg_len;
	bool end = false;
	sa_output_cursor *oc;
	FUZZ_CHECK(sa_output_cursor_open(ov, &oc) == SA_OK);
	for (;;) {
		FUZZ_CHECK(sa_output_cursor_next(oc, &id, &msg, &msg_len, &end) == SA_OK);
		if (end)
			break;
		int u = fx_user_index(&F, id);
		FUZZ_CHECK(u >= 0);
		const fx_buf *cs = &F.cstate[stage][u];
		if (cs->p == NULL)
			continue;
		sa_client *c;
		FUZZ_CHECK(sa_client_deserialize(cs->p, cs->len, &c) == SA_OK);
		uint8_t *out;
		size_t out_len;
		sa_status st = sa_client_round(c, msg, msg_len, &out, &out_len);
		/* SecAgg+: a user whose neighbourhood kept fewer than t users stops (a dropout) */
		if (X->k && st == SA_ERR_NEIGHBOURHOOD) {
			sa_client_free(c);
			break;
		}
		if (st != SA_OK)
			fprintf(stderr, "user %llu refuses the message of round %d: %s\n",
			        (unsigned long long) id, stage, sa_status_message(st));
		FUZZ_CHECK(st == SA_OK);
		sa_free(out);
		sa_client_free(c);
		break;                        /* one user is enough */
	}
	sa_output_cursor_free(oc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_rng_reset(2);
	const secagg_fixture *X = fx_pick(&FC, &FG, data + 1, size - 1);
	int stage = data[0] % FX_STAGES, f = data[0] / FX_STAGES, g = f / 3;
	int fixed_id = g & 1, resign = g & 2;
	const fx_buf *base = f % 3 == 0 ? &F.img_partial[stage]
	                     : f % 3 == 1 ? &F.img_empty[stage] : &F.img_full[stage];
	uint8_t *msg = fuzz_dup(data + 1, size - 1);
	size_t msg_len = size - 1;
	uint64_t id = F.ids[0];
	if (fixed_id)
		id = F.ids[(g / 4) % FX_N];
	else if (msg_len >= SA_C2S_HEADER_BYTES)
		id = fuzz_be64(msg + 2 + SA_CTX_BYTES);
	if (resign && stage == 0 && msg_len >= SA_C2S_HEADER_BYTES + 128) {
		uint8_t *p = msg + SA_C2S_HEADER_BYTES;
		fx_sign_advert(&F, fuzz_be64(msg + 2 + SA_CTX_BYTES), p, p + 32, p + 64);
	}

	size_t cap, img_len = base->len;
	uint8_t *img = fx_image_copy(base, 0, &cap);
	sa_server_info before, after;
	FUZZ_CHECK(sa_server_info_get(img, img_len, &before) == SA_OK);

	sa_status st = fx_recv(&img, &img_len, &cap, id, msg, msg_len);
	if (st != SA_OK) {
		FUZZ_CHECK(fuzz_eq(img, img_len, base->p, base->len));
		goto done;
	}
	FUZZ_CHECK(sa_server_validate(img, img_len) == SA_OK);
	FUZZ_CHECK(sa_server_info_get(img, img_len, &after) == SA_OK);
	FUZZ_CHECK(after.stage == before.stage && after.received == before.received + 1);
	FUZZ_CHECK(after.base_len == before.base_len);

	/* the same message again is a duplicate, and changes nothing */
	{
		size_t len2 = img_len, cap2;
		fx_buf cur = { img, img_len };
		uint8_t *img2 = fx_image_copy(&cur, 0, &cap2);
		FUZZ_CHECK(fx_recv(&img2, &len2, &cap2, id, msg, msg_len) == SA_ERR_DUPLICATE);
		FUZZ_CHECK(fuzz_eq(img2, len2, img, img_len));
		free(img2);
	}

	if (after.received >= after.threshold) {
		uint8_t *out;
		size_t out_len;
		if (sa_server_round(img, img_len, 1, &out, &out_len) == SA_OK) {
			sa_output_view ov;
			FUZZ_CHECK(sa_output_open(out, out_len, &ov) == SA_OK);
			FUZZ_CHECK(sa_server_validate(ov.state, ov.state_len) == SA_OK);
			if (ov.kind == SA_OUTPUT_ROUTES) {    /* SecAgg+ ShareKeys: the host routes the messages */
				sa_routes rv;
				FUZZ_CHECK(stage == 1 && sa_routes_open(out, out_len, &rv) == SA_OK && rv.n2 == ov.count);
			} else if (ov.kind == SA_OUTPUT_UNMASK) {   /* SecAgg+ Unmasking: the host routes the shares */
				sa_unmask_view uv;
				FUZZ_CHECK(stage == 4 && sa_unmask_open(out, out_len, &uv) == SA_OK && uv.count == ov.count);
			} else if (ov.kind != SA_OUTPUT_VECTOR) {
				FUZZ_CHECK(stage < 4);
				answer_as_client(X, stage + 1, &ov);
			} else {
				FUZZ_CHECK(stage == 4 && ov.count == FX_M);
			}
			sa_free(out);
		}
	}
done:
	free(img);
	free(msg);
	return 0;
}
#undef F
