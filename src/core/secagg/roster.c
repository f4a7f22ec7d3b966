/* roster.c: canonical encoding of the session's public-key directory. */
#include "secagg/roster.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/codec.h"

sa_status
sa_roster_decode(const uint8_t *buf, size_t len, sa_roster *r)
{
	sa_reader rd;
	uint32_t n;
	memset(r, 0, sizeof *r);
	sa_reader_init(&rd, buf, len);
	const uint8_t *magic = sa_get_view(&rd, 4);
	if (magic == NULL || memcmp(magic, "SAR1", 4) != 0 || !sa_get_count(&rd, &n, SA_ROSTER_ENTRY_BYTES))
		return SA_ERR_MALFORMED;
	if (sa_reader_remaining(&rd) != (size_t) n * SA_ROSTER_ENTRY_BYTES)
		return SA_ERR_MALFORMED;
	if (n < 2 || n > SA_MAX_USERS_GRAPH)
		return SA_ERR_PARAM;
	uint64_t *ids = sa_alloc_array(n, sizeof(uint64_t));
	uint8_t (*pks)[SA_SIGN_PK_BYTES] = sa_alloc_array(n, SA_SIGN_PK_BYTES);
	if (ids == NULL || pks == NULL) {
		sa_free(ids); sa_free(pks);
		return SA_ERR_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		sa_get_u64(&rd, &ids[i]);
		sa_get_bytes(&rd, pks[i], SA_SIGN_PK_BYTES);
	}
	r->n = n;
	r->ids = ids;
	r->sign_pks = (const uint8_t (*)[SA_SIGN_PK_BYTES]) pks;
	sa_status st = sa_roster_check(r);
	if (st != SA_OK) {
		sa_roster_release(r);
		return st;
	}
	return SA_OK;
}

void
sa_roster_release(sa_roster *r)
{
	sa_free((void *) r->ids);
	sa_free((void *) r->sign_pks);
	memset(r, 0, sizeof *r);
}

static int
cmp_entry(const void *a, const void *b)
{
	uint64_t x = sa_load_u64_be(a), y = sa_load_u64_be(b);
	return x < y ? -1 : x > y;
}

sa_status
sa_roster_build(uint8_t *entries, size_t count, uint8_t **out, size_t *out_len)
{
	if (count < 2 || count > SA_MAX_USERS_GRAPH)
		return SA_ERR_PARAM;
	qsort(entries, count, SA_ROSTER_ENTRY_BYTES, cmp_entry);
	for (size_t i = 0; i < count; i++) {
		uint64_t id = sa_load_u64_be(entries + i * SA_ROSTER_ENTRY_BYTES);
		if (id == 0)
			return SA_ERR_PARAM;
		if (i > 0 && id == sa_load_u64_be(entries + (i - 1) * SA_ROSTER_ENTRY_BYTES))
			return SA_ERR_DUPLICATE;
	}
	sa_status st = sa_sign_pks_distinct(entries + 8, SA_ROSTER_ENTRY_BYTES, (uint32_t) count);
	if (st != SA_OK)
		return st;
	sa_writer w;
	sa_writer_init(&w);
	sa_put_bytes(&w, "SAR1", 4);
	sa_put_u32(&w, (uint32_t) count);
	sa_put_bytes(&w, entries, count * SA_ROSTER_ENTRY_BYTES);
	*out = sa_writer_finish(&w, out_len);
	return *out ? SA_OK : SA_ERR_NOMEM;
}
