/*
 * fuzz_sa_output: round-output blobs ("SAO1"/"SAO2": next state, rejection
 * records, then one message per user, one message for a list of users, or
 * the sum vector), sa_output_open.
 *
 * Input: byte 0 = flags, the rest is the blob. Flag 1: first rewrite the
 * session context of the embedded state (fx_fix_server_ctx), so mutated
 * states can pass sa_server_validate.
 * For a blob it accepts, a caller iterates it: the message iterator visits
 * exactly `count` records and ends at the end of the items (per-user
 * messages), or gives each of the `count` strictly increasing recipients
 * the one broadcast message inside the blob; every vector element and
 * rejection record can be read; the embedded state is then validated as the
 * SQL layer does before storing it.
 */
#include "secagg_fixture.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_rng_reset(2);
	uint8_t *blob = fuzz_dup(data + 1, size - 1);
	size_t len = size - 1;
	if ((data[0] & 1) && len >= 13) {
		/* "SAOx" | kind | state_len u64 | state */
		uint64_t slen = fuzz_be64(blob + 5);
		if (slen <= len - 13)
			fx_fix_server_ctx(blob + 13, (size_t) slen);
	}
	sa_output_view ov;
	if (sa_output_open(blob, len, &ov) != SA_OK)
		goto done;
	FUZZ_CHECK(ov.kind >= SA_OUTPUT_MESSAGES && ov.kind <= SA_OUTPUT_UNMASK);
	FUZZ_CHECK(ov.state >= blob && ov.state_len <= len && (size_t) (ov.state - blob) <= len - ov.state_len);
	FUZZ_CHECK(ov.items >= blob && ov.items_len <= len && (size_t) (ov.items - blob) <= len - ov.items_len);

	for (uint32_t i = 0; i < ov.rejected_count; i++) {
		uint64_t id;
		uint8_t round;
		sa_status st;
		sa_output_rejection_at(&ov, i, &id, &round, &st);
		FUZZ_CHECK(sa_status_rejects_sender(st));
	}
	if (ov.kind == SA_OUTPUT_BROADCAST) {
		/* every recipient, in strictly increasing order, gets the one message, which lies inside the blob */
		FUZZ_CHECK(ov.broadcast >= ov.items && (size_t) (ov.broadcast - ov.items) + ov.broadcast_len == ov.items_len);
		size_t pos = 0, n = 0;
		uint64_t id, prev = 0;
		const uint8_t *m;
		size_t m_len;
		while (sa_output_next_message(&ov, &pos, &id, &m, &m_len)) {
			FUZZ_CHECK(m == ov.broadcast && m_len == ov.broadcast_len && (n == 0 || id > prev));
			prev = id;
			n++;
		}
		FUZZ_CHECK(n == ov.count && pos == ov.count);
	} else if (ov.kind == SA_OUTPUT_MESSAGES) {
		size_t pos = 0, n = 0, total = 0;
		uint64_t id;
		const uint8_t *m;
		size_t m_len;
		while (sa_output_next_message(&ov, &pos, &id, &m, &m_len)) {
			FUZZ_CHECK(m >= ov.items && (size_t) (m - ov.items) + m_len <= ov.items_len);
			total += 12 + m_len;
			n++;
		}
		FUZZ_CHECK(n == ov.count && pos == ov.items_len && total == ov.items_len);
	} else if (ov.kind == SA_OUTPUT_UNMASK) {
		/* responders with digests: what the share routing reads agrees with the full open */
		sa_unmask_view uv;
		FUZZ_CHECK(sa_unmask_open(blob, len, &uv) == SA_OK);
		FUZZ_CHECK(uv.count == ov.count && uv.resp == ov.items);
	} else if (ov.kind == SA_OUTPUT_ROUTES) {
		/* U2 with digests: what the routing reads agrees with the full open */
		sa_routes rv;
		FUZZ_CHECK(sa_routes_open(blob, len, &rv) == SA_OK);
		FUZZ_CHECK(rv.n2 == ov.count && rv.u2 == ov.items);
	} else if (ov.kind == SA_OUTPUT_NEIGHBOURHOOD) {
		/* messages derived from the state: a cursor opens only on a valid one */
		FUZZ_CHECK(ov.items_len == (size_t) ov.count * SA_SIG_BYTES);
		sa_output_cursor *oc;
		if (sa_output_cursor_open(&ov, &oc) == SA_OK) {
			FUZZ_CHECK(sa_server_validate(ov.state, ov.state_len) == SA_OK);
			size_t n = 0;
			uint64_t id, prev = 0;
			const uint8_t *m;
			size_t m_len;
			bool end = false;
			for (;;) {
				FUZZ_CHECK(sa_output_cursor_next(oc, &id, &m, &m_len, &end) == SA_OK);
				if (end)
					break;
				FUZZ_CHECK((n == 0 || id > prev) && m_len > 0);
				prev = id;
				n++;
			}
			sa_output_cursor_free(oc);
			FUZZ_CHECK(n == ov.count);
		}
	} else if (ov.kind == SA_OUTPUT_BROADCAST) {
		size_t pos = 0, n = 0;
		uint64_t id, prev = 0;
		const uint8_t *m;
		size_t m_len;
		FUZZ_CHECK(ov.broadcast >= ov.items &&
		           (size_t) (ov.broadcast - ov.items) + ov.broadcast_len == ov.items_len);
		FUZZ_CHECK((size_t) ov.count * 8 + 4 + ov.broadcast_len == ov.items_len);
		while (sa_output_next_message(&ov, &pos, &id, &m, &m_len)) {
			FUZZ_CHECK(m == ov.broadcast && m_len == ov.broadcast_len);
			FUZZ_CHECK(n == 0 || id > prev);
			prev = id;
			n++;
		}
		FUZZ_CHECK(n == ov.count && pos == ov.count);
	} else {
		uint64_t acc = 0;
		FUZZ_CHECK(ov.items_len == (size_t) ov.count * 8);
		for (uint32_t i = 0; i < ov.count; i++)
			acc += sa_output_vector_at(&ov, i);
		(void) acc;
	}
	if (sa_server_validate(ov.state, ov.state_len) == SA_OK) {
		sa_server_info info;
		FUZZ_CHECK(sa_server_info_get(ov.state, ov.state_len, &info) == SA_OK);
		if (ov.rejected_count > 0)
			FUZZ_CHECK(info.stage >= 1);
	}
done:
	free(blob);
	return 0;
}
