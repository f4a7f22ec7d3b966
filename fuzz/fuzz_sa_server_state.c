/*
 * fuzz_sa_server_state: server state images from an untrusted source (what
 * the SQL layer reads back from a table): sa_server_validate, and for an
 * image it accepts, what a caller does next.
 *
 * Input: byte 0 = flags, the rest is the image. Flag 1: first rewrite the
 * image's session context to the one its own fields give (fx_fix_server_ctx),
 * so that mutated parameters, rosters and user sets get past the context
 * check and into the rest of the validation.
 * For a valid image: sa_server_info_get and sa_server_round0_msg succeed; a
 * genuine message of the stage is received (an accepted one keeps the
 * image valid); merging with the genuine empty image of the same base keeps
 * it valid; sa_server_round's output, if any, opens and carries a valid
 * next state. For any image: sa_server_info_get and sa_server_in_roster
 * must not read out of bounds.
 */
#include "secagg_fixture.h"

static secagg_fixture FC, FG;     /* complete graph; SecAgg+ (an "SAS2" image) */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	fx_build(&FC, 0);
	fx_build(&FG, 2);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_rng_reset(2);
	uint8_t *img = fuzz_dup(data + 1, size - 1);
	size--;
	const secagg_fixture *X = size >= 4 && memcmp(img, "SAS2", 4) == 0 ? &FG : &FC;
#define F (*X)
	if (data[0] & 1)
		fx_fix_server_ctx(img, size);
	sa_server_info info;
	sa_status ist = sa_server_info_get(img, size, &info);
	(void) sa_server_in_roster(img, size, F.ids[1]);
	sa_status st = sa_server_validate(img, size);
	if (st != SA_OK)
		goto done;
	FUZZ_CHECK(ist == SA_OK);
	FUZZ_CHECK(info.stage <= SA_SERVER_STAGE_DONE && info.received <= info.n);

	uint8_t *msg, *out;
	size_t msg_len, out_len;
	FUZZ_CHECK(sa_server_round0_msg(img, size, &msg, &msg_len) == SA_OK);
	sa_free(msg);

	if (info.stage < SA_SERVER_STAGE_DONE) {
		/* receive the first genuine message of this stage it takes */
		fx_buf cur = { img, size };
		for (int u = 0; u < FX_N; u++) {
			const fx_buf *m = &F.c2s[info.stage][u];
			if (m->p == NULL)
				continue;
			size_t cap, len = size;
			uint8_t *copy = fx_image_copy(&cur, 0, &cap);
			sa_status rst = fx_recv(&copy, &len, &cap, F.ids[u], m->p, m->len);
			if (rst == SA_OK)
				FUZZ_CHECK(sa_server_validate(copy, len) == SA_OK);
			else
				FUZZ_CHECK(fuzz_eq(copy, len, img, size));
			free(copy);
			if (rst == SA_OK)
				break;
		}
		/* merge with the empty image of the same stage (same base if genuine) */
		const fx_buf *e = &F.img_empty[info.stage];
		if (sa_server_merge(img, size, e->p, e->len, &out, &out_len) == SA_OK) {
			FUZZ_CHECK(sa_server_validate(out, out_len) == SA_OK);
			FUZZ_CHECK(fuzz_eq(out, out_len, img, size));
			sa_free(out);
		}
	}

	st = sa_server_round(img, size, 1, &out, &out_len);
	if (st == SA_OK) {
		sa_output_view ov;
		FUZZ_CHECK(info.stage < SA_SERVER_STAGE_DONE);
		FUZZ_CHECK(sa_output_open(out, out_len, &ov) == SA_OK);
		FUZZ_CHECK(sa_server_validate(ov.state, ov.state_len) == SA_OK);
		sa_server_info next;
		FUZZ_CHECK(sa_server_info_get(ov.state, ov.state_len, &next) == SA_OK);
		FUZZ_CHECK((next.stage == info.stage + 1 || (ov.kind == SA_OUTPUT_UNMASK && next.stage == 4)) &&
		           next.received == 0);
		if (ov.kind == SA_OUTPUT_ROUTES) {
			sa_routes rv;
			FUZZ_CHECK(info.stage == 1 && sa_routes_open(out, out_len, &rv) == SA_OK && rv.n2 == ov.count);
		} else if (ov.kind == SA_OUTPUT_UNMASK) {
			sa_unmask_view uv;
			FUZZ_CHECK(info.stage == 4 && sa_unmask_open(out, out_len, &uv) == SA_OK && uv.count == ov.count);
		} else if (ov.kind != SA_OUTPUT_VECTOR) {
			size_t n = 0;
			uint64_t id;
			const uint8_t *m;
			size_t m_len;
			bool end = false;
			sa_output_cursor *oc;
			FUZZ_CHECK(sa_output_cursor_open(&ov, &oc) == SA_OK);
			for (;;) {
				FUZZ_CHECK(sa_output_cursor_next(oc, &id, &m, &m_len, &end) == SA_OK);
				if (end)
					break;
				FUZZ_CHECK(sa_server_in_roster(img, size, id) && m_len > 0);
				n++;
			}
			sa_output_cursor_free(oc);
			FUZZ_CHECK(n == ov.count);
		} else {
			FUZZ_CHECK(info.stage == 4 && ov.count == info.vector_length);
		}
		sa_free(out);
	} else {
		FUZZ_CHECK(st != SA_ERR_NOMEM);
	}
done:
	free(img);
	return 0;
}
#undef F
