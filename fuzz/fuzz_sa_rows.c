/*
 * fuzz_sa_rows: the SecAgg+ rounds routed as rows (server_route.c,
 * server_unmask.c): the ROUTES and UNMASK outputs, the users' messages
 * split against them, and the rows the host groups back (routes, shares,
 * rebuilt secrets), every one of them hostile.
 *
 * Input: byte 0 selects what the rest is, against the SecAgg+ fixture:
 *   0  a ROUTES output, split with user 0's genuine ShareKeys message
 *   1  a ShareKeys message of user (byte 1), split with the genuine output:
 *      accepted only if it is the genuine message, each route to a member
 *      of U2 other than the sender
 *   2  routes for one recipient (share_message_agg's rows)
 *   3  an UNMASK output, split with user 0's genuine Unmasking message
 *   4  an Unmasking message of user (byte 1), split with the genuine output
 *   5  shares for one owner (unmask_secret_agg's rows): a secret comes out
 *      only with the fixture's context, and for the genuine shares it is
 *      the genuine secret
 *   6  the fixture's genuine secrets XORed with the input: the sum comes
 *      out only if it is the true sum
 * Nothing may crash or read out of bounds, whatever the bytes.
 */
#include "secagg_fixture.h"

static secagg_fixture FG;               /* SecAgg+ */
static uint8_t *secrets;                /* the genuine secrets, from the genuine rows */
static size_t nsecrets;

typedef struct rows {
	uint8_t *p;
	size_t n, size;
} rows;

static sa_status
keep_row(void *arg, uint64_t to, const uint8_t *row)
{
	rows *r = arg;
	(void) to;
	r->p = realloc(r->p, (r->n + 1) * r->size);
	FUZZ_CHECK(r->p != NULL);
	memcpy(r->p + r->n++ * r->size, row, r->size);
	return SA_OK;
}

static sa_status
keep_route(void *arg, uint64_t to, const uint8_t route[SA_ROUTE_BYTES])
{
	return keep_row(arg, to, route);
}

static sa_status
keep_share(void *arg, uint64_t to, const uint8_t share[SA_UNMASK_SHARE_BYTES])
{
	return keep_row(arg, to, share);
}

/* Every genuine Unmasking message split; the shares of each owner rebuilt. */
static void
build_secrets(void)
{
	sa_unmask_view uv;
	FUZZ_CHECK(sa_unmask_open(FG.out[4].p, FG.out[4].len, &uv) == SA_OK);
	secrets = calloc(FX_N, SA_UNMASK_SECRET_BYTES);
	for (int o = 0; o < FX_N; o++) {
		rows all = { NULL, 0, SA_UNMASK_SHARE_BYTES }, mine = { NULL, 0, SA_UNMASK_SHARE_BYTES };
		for (int u = 0; u < FX_N; u++)
			if (FG.drop[u] > 4)
				FUZZ_CHECK(sa_unmask_split(&uv, FG.ids[u], FG.c2s[4][u].p, FG.c2s[4][u].len, keep_share,
				                           &all) == SA_OK);
		for (size_t i = 0; i < all.n; i++)
			if (fuzz_be64(all.p + i * SA_UNMASK_SHARE_BYTES + SA_UNMASK_SHARE_OWNER) == FG.ids[o])
				keep_row(&mine, 0, all.p + i * SA_UNMASK_SHARE_BYTES);
		if (mine.n > 0)
			FUZZ_CHECK(sa_unmask_rebuild(mine.p, mine.n, secrets + nsecrets++ * SA_UNMASK_SECRET_BYTES) == SA_OK);
		free(all.p);
		free(mine.p);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	fx_build(&FG, 2);
	build_secrets();
	return 0;
}

static void
split_routes(const uint8_t *out, size_t out_len, int user, const uint8_t *msg, size_t len)
{
	sa_routes rv;
	if (sa_routes_open(out, out_len, &rv) != SA_OK)
		return;
	rows r = { NULL, 0, SA_ROUTE_BYTES };
	sa_status st = sa_routes_split(&rv, FG.ids[user], msg, len, keep_route, &r);
	if (st == SA_OK && out == FG.out[1].p) {
		/* the genuine output accepts only the genuine message, whose routes leave the sender */
		FUZZ_CHECK(len == FG.c2s[1][user].len && memcmp(msg, FG.c2s[1][user].p, len) == 0);
		for (size_t i = 0; i < r.n; i++)
			FUZZ_CHECK(fuzz_be64(r.p + i * SA_ROUTE_BYTES + 1 + SA_CTX_BYTES) == FG.ids[user]);
	}
	free(r.p);
}

static void
split_shares(const uint8_t *out, size_t out_len, int user, const uint8_t *msg, size_t len)
{
	sa_unmask_view uv;
	if (sa_unmask_open(out, out_len, &uv) != SA_OK)
		return;
	rows r = { NULL, 0, SA_UNMASK_SHARE_BYTES };
	sa_status st = sa_unmask_split(&uv, FG.ids[user], msg, len, keep_share, &r);
	if (st == SA_OK && out == FG.out[4].p)
		FUZZ_CHECK(len == FG.c2s[4][user].len && memcmp(msg, FG.c2s[4][user].p, len) == 0);
	free(r.p);
}

static void
rebuild(const uint8_t *d, size_t n)
{
	uint8_t secret[SA_UNMASK_SECRET_BYTES];
	if (sa_unmask_rebuild(d, n / SA_UNMASK_SHARE_BYTES, secret) == SA_OK)
		FUZZ_CHECK(memcmp(secret, d, 1 + SA_CTX_BYTES) == 0);   /* version and context carried over */
}

static void
finish(const uint8_t *d, size_t n)
{
	size_t len = nsecrets * SA_UNMASK_SECRET_BYTES;
	uint8_t *s = fuzz_dup(secrets, len);
	for (size_t i = 0; i < n && i < len; i++)
		s[i] ^= d[i];
	uint8_t *out;
	size_t out_len;
	if (sa_unmask_finish(FG.out[4].p, FG.out[4].len, s, nsecrets, 1, &out, &out_len, NULL) == SA_OK) {
		sa_output_view ov;
		FUZZ_CHECK(sa_output_open(out, out_len, &ov) == SA_OK && ov.kind == SA_OUTPUT_VECTOR);
		for (uint32_t i = 0; i < FX_M; i++)
			FUZZ_CHECK(sa_output_vector_at(&ov, i) == FG.sum[i]);    /* never a wrong sum */
		sa_free(out);
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	fuzz_rng_reset(2);
	int mode = data[0] % 7, user = data[1] % FX_N;
	const uint8_t *d = data + 2;
	size_t n = size - 2;
	uint8_t *copy = fuzz_dup(d, n);          /* exactly n bytes: reads past them are caught */
	switch (mode) {
	case 0: split_routes(copy, n, 0, FG.c2s[1][0].p, FG.c2s[1][0].len); break;
	case 1: split_routes(FG.out[1].p, FG.out[1].len, user, copy, n); break;
	case 2: {
		uint8_t *msg;
		size_t len;
		if (sa_share_message(copy, n / SA_ROUTE_BYTES, &msg, &len) == SA_OK) {
			FUZZ_CHECK(len == SA_S2C_HEADER_BYTES + 4 + (n / SA_ROUTE_BYTES) * SA_CT_ENTRY_BYTES);
			sa_free(msg);
		}
		break;
	}
	case 3: split_shares(copy, n, 0, FG.c2s[4][0].p, FG.c2s[4][0].len); break;
	case 4: split_shares(FG.out[4].p, FG.out[4].len, user, copy, n); break;
	case 5: rebuild(copy, n); break;
	default: finish(copy, n); break;
	}
	free(copy);
	return 0;
}
