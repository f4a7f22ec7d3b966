/*
 * test_secagg_outputs.c: round outputs beyond the byte-flip tests of
 * test_secagg_tamper.c. Broadcast outputs list each recipient once.
 * Rejection records: the round
 * close lists them in id order in an SAO2 output; sa_output_open checks
 * every record against the output's state (a roster member, the round just
 * closed, a status that blames a sender, no id twice) and refuses an SAO2
 * without records; SAO1 is written when there are none.
 */
#include "unit.h"
#include "secagg_sim.h"
#include "common/codec.h"

/* Round 0 of a 6-user session answered by users 1..5 (index 0..4); returns the image. */
static void
round0(sim *s)
{
	enum { N = 6, M = 2 };
	uint64_t x[N * M] = { 0 };
	sim_init(s, N, 4, M, 10);
	sa_roster r = sim_roster(s);
	static const uint8_t sid[] = "rejections";
	UNIT_CHECK(sa_server_create(sid, sizeof sid - 1, 4, M, &r, &s->img, &s->img_len) == SA_OK);
	s->img_cap = s->img_len;
	uint8_t *r0, *out;
	size_t r0_len, out_len;
	sa_server_round0_msg(s->img, s->img_len, &r0, &r0_len);
	for (uint32_t i = 0; i < 5; i++) {
		UNIT_CHECK(sa_client_create(sid, sizeof sid - 1, 4, &r, s->ids[i], s->sks[i], x + i * M, M, &s->clients[i]) == SA_OK);
		UNIT_CHECK(sa_client_round(s->clients[i], r0, r0_len, &out, &out_len) == SA_OK);
		UNIT_CHECK(sim_recv(s, s->ids[i], out, out_len) == SA_OK);
		sa_free(out);
	}
	sa_free(r0);
}

static void
test_output_lists_rejections_sorted(void)
{
	sim s;
	round0(&s);
	uint8_t rej[2 * SA_REJECTION_BYTES];
	sa_rejection_put(rej, s.ids[5], 0, SA_ERR_SIGNATURE);                  /* listed out of order */
	sa_rejection_put(rej + SA_REJECTION_BYTES, s.ids[1], 0, SA_ERR_DUPLICATE);
	uint8_t *out;
	size_t out_len;
	UNIT_CHECK(sa_server_round_rejecting(s.img, s.img_len, 1, rej, 2, &out, &out_len) == SA_OK);
	UNIT_CHECK(memcmp(out, "SAO2", 4) == 0);
	sa_output_view ov;
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_OK);
	UNIT_CHECK(ov.rejected_count == 2);
	uint64_t id;
	uint8_t round;
	sa_status st;
	sa_output_rejection_at(&ov, 0, &id, &round, &st);
	UNIT_CHECK(id == s.ids[1] && round == 0 && st == SA_ERR_DUPLICATE);
	sa_output_rejection_at(&ov, 1, &id, &round, &st);
	UNIT_CHECK(id == s.ids[5] && round == 0 && st == SA_ERR_SIGNATURE);
	sa_free(out);
	/* none: SAO1 */
	UNIT_CHECK(sa_server_round_rejecting(s.img, s.img_len, 1, NULL, 0, &out, &out_len) == SA_OK);
	UNIT_CHECK(memcmp(out, "SAO1", 4) == 0);
	sa_free(out);
	sim_free(&s);
}

static void
test_round_close_refuses_bad_records(void)
{
	sim s;
	round0(&s);
	uint8_t rej[2 * SA_REJECTION_BYTES], *out;
	size_t out_len;
	sa_rejection_put(rej, 999, 0, SA_ERR_SIGNATURE);                         /* not in the roster */
	UNIT_CHECK(sa_server_round_rejecting(s.img, s.img_len, 1, rej, 1, &out, &out_len) == SA_ERR_MALFORMED);
	sa_rejection_put(rej, s.ids[5], 1, SA_ERR_SIGNATURE);                    /* another round */
	UNIT_CHECK(sa_server_round_rejecting(s.img, s.img_len, 1, rej, 1, &out, &out_len) == SA_ERR_MALFORMED);
	sa_rejection_put(rej, s.ids[5], 0, SA_ERR_THRESHOLD);                    /* not a sender's fault */
	UNIT_CHECK(sa_server_round_rejecting(s.img, s.img_len, 1, rej, 1, &out, &out_len) == SA_ERR_MALFORMED);
	sa_rejection_put(rej, s.ids[5], 0, SA_ERR_SIGNATURE);
	sa_rejection_put(rej + SA_REJECTION_BYTES, s.ids[5], 0, SA_ERR_LENGTH);  /* twice */
	UNIT_CHECK(sa_server_round_rejecting(s.img, s.img_len, 1, rej, 2, &out, &out_len) == SA_ERR_MALFORMED);
	sim_free(&s);
}

/* An SAO2 output edited byte by byte where its records are: each edit that breaks a rule is refused. */
static void
test_output_open_checks_records(void)
{
	sim s;
	round0(&s);
	uint8_t rej[SA_REJECTION_BYTES], *out;
	size_t out_len;
	sa_rejection_put(rej, s.ids[5], 0, SA_ERR_SIGNATURE);
	UNIT_CHECK(sa_server_round_rejecting(s.img, s.img_len, 1, rej, 1, &out, &out_len) == SA_OK);
	size_t state_len = (size_t) sa_load_u64_be(out + 5);
	uint8_t *rec = out + 13 + state_len + 4;                /* after the record count */
	sa_output_view ov;
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_OK);
	uint8_t keep[SA_REJECTION_BYTES];
	memcpy(keep, rec, sizeof keep);
	sa_store_u64_be(rec, 999);                              /* id outside the roster */
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_ERR_MALFORMED);
	memcpy(rec, keep, sizeof keep);
	rec[8] = 1;                                             /* the output closes round 0 */
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_ERR_MALFORMED);
	memcpy(rec, keep, sizeof keep);
	rec[9] = SA_ERR_NOMEM;                                  /* not a sender's fault */
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_ERR_MALFORMED);
	rec[9] = SA_STATUS_COUNT;                               /* no such status */
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_ERR_MALFORMED);
	memcpy(rec, keep, sizeof keep);
	sa_store_u32_be(rec - 4, 0);                            /* SAO2 with no records */
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_ERR_MALFORMED);
	sa_store_u32_be(rec - 4, 1);
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_OK);
	sa_free(out);
	sim_free(&s);
}

/* A broadcast output (round 0 here) with one recipient listed twice is refused. */
static void
test_broadcast_recipients_distinct(void)
{
	sim s;
	round0(&s);
	uint8_t *out;
	size_t out_len;
	UNIT_CHECK(sa_server_round(s.img, s.img_len, 1, &out, &out_len) == SA_OK);
	sa_output_view ov;
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_OK);
	UNIT_CHECK(ov.kind == SA_OUTPUT_BROADCAST && ov.count == 5);
	uint8_t *ids = (uint8_t *) ov.items;
	memcpy(ids + 8, ids, 8);                     /* recipient 2 = recipient 1 */
	UNIT_CHECK(sa_output_open(out, out_len, &ov) == SA_ERR_MALFORMED);
	sa_free(out);
	sim_free(&s);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_output_lists_rejections_sorted);
	UNIT_RUN(test_round_close_refuses_bad_records);
	UNIT_RUN(test_output_open_checks_records);
	UNIT_RUN(test_broadcast_recipients_distinct);
	return UNIT_DONE();
}
