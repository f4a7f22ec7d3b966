/*
 * test_secagg_compat.c: a session started by secagg 0.3.0 finishes under
 * this version. States and messages of the complete graph kept their
 * format (version 1), so an upgrade in the middle of a session is safe:
 * the server image and client states recorded by 0.3.0 at the start of
 * round 2 (compat_030.h) load, answer and close rounds 2..4, and the sum is
 * exact.
 */
#include "unit.h"
#include <sodium.h>

#include "common/alloc.h"
#include "secagg/client.h"
#include "secagg/server.h"

#include "compat_030.h"

static uint8_t *
unhex(const char *h, size_t *len)
{
	*len = strlen(h) / 2;
	uint8_t *p = malloc(*len);
	for (size_t i = 0; i < *len; i++)
		sscanf(h + 2 * i, "%2hhx", &p[i]);
	return p;
}

static void
test_030_session_finishes(void)
{
	const char *const chex[3] = { compat_client0_r2, compat_client1_r2, compat_client2_r2 };
	const char *const ihex[3] = { compat_inbox0_r2, compat_inbox1_r2, compat_inbox2_r2 };
	const uint64_t ids[3] = { 7, 10, 13 };
	size_t img_len, len;
	uint8_t *img = unhex(compat_server_r2, &img_len), *inbox[3];
	size_t inbox_len[3];
	sa_client *c[3];
	UNIT_CHECK_EQ_U64(sa_server_validate(img, img_len), SA_OK);
	for (int i = 0; i < 3; i++) {
		uint8_t *b = unhex(chex[i], &len);
		UNIT_CHECK_EQ_U64(sa_client_deserialize(b, len, &c[i]), SA_OK);
		/* the format did not change: serialising gives the 0.3.0 bytes back */
		uint8_t *again;
		size_t again_len;
		UNIT_CHECK_EQ_U64(sa_client_serialize(c[i], &again, &again_len), SA_OK);
		UNIT_CHECK(again_len == len && memcmp(again, b, len) == 0);
		sa_free(again);
		free(b);
		inbox[i] = unhex(ihex[i], &inbox_len[i]);
	}
	uint64_t sum[2] = { 0, 0 };
	for (int round = 2; round <= 4; round++) {
		size_t cap = img_len;
		for (int i = 0; i < 3; i++) {
			uint8_t *out;
			size_t out_len, need;
			UNIT_CHECK_EQ_U64(sa_client_round(c[i], inbox[i], inbox_len[i], &out, &out_len), SA_OK);
			sa_status st = sa_server_recv(img, &img_len, cap, ids[i], out, out_len, &need);
			if (st == SA_ERR_LIMIT) {
				img = realloc(img, need);
				cap = need;
				st = sa_server_recv(img, &img_len, cap, ids[i], out, out_len, &need);
			}
			UNIT_CHECK_EQ_U64(st, SA_OK);
			sa_free(out);
		}
		uint8_t *o;
		size_t ol;
		UNIT_CHECK_EQ_U64(sa_server_round(img, img_len, 1, &o, &ol), SA_OK);
		sa_output_view ov;
		UNIT_CHECK_EQ_U64(sa_output_open(o, ol, &ov), SA_OK);
		free(img);
		img_len = ov.state_len;
		img = malloc(img_len);
		memcpy(img, ov.state, img_len);
		if (ov.kind == SA_OUTPUT_VECTOR) {
			sum[0] = sa_output_vector_at(&ov, 0);
			sum[1] = sa_output_vector_at(&ov, 1);
		} else {
			size_t pos = 0;
			uint64_t id;
			const uint8_t *msg;
			size_t msg_len;
			while (sa_output_next_message(&ov, &pos, &id, &msg, &msg_len))
				for (int i = 0; i < 3; i++)
					if (ids[i] == id) {
						free(inbox[i]);
						inbox[i] = malloc(msg_len);
						memcpy(inbox[i], msg, msg_len);
						inbox_len[i] = msg_len;
					}
		}
		sa_free(o);
	}
	UNIT_CHECK_EQ_U64(sum[0], 531);
	UNIT_CHECK_EQ_U64(sum[1], (uint64_t) -558);
	for (int i = 0; i < 3; i++) {
		sa_client_free(c[i]);
		free(inbox[i]);
	}
	free(img);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_030_session_finishes);
	return UNIT_DONE();
}
