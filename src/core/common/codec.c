/* codec.c: bounds-checked reader and growable writer. */
#include "common/codec.h"

#include <string.h>
#include <sodium.h>

#include "common/alloc.h"

void
sa_reader_init(sa_reader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
	r->failed = (p == NULL && len != 0);
}

size_t
sa_reader_remaining(const sa_reader *r)
{
	return r->failed ? 0 : r->len - r->pos;
}

const uint8_t *
sa_get_view(sa_reader *r, size_t n)
{
	if (r->failed || n > r->len - r->pos) {
		r->failed = true;
		return NULL;
	}
	const uint8_t *v = r->p + r->pos;
	r->pos += n;
	return v;
}

bool
sa_get_bytes(sa_reader *r, uint8_t *out, size_t n)
{
	const uint8_t *v = sa_get_view(r, n);
	if (v == NULL)
		return false;
	if (n > 0)
		memcpy(out, v, n);
	return true;
}

bool
sa_get_u8(sa_reader *r, uint8_t *v)
{
	const uint8_t *p = sa_get_view(r, 1);
	if (p == NULL)
		return false;
	*v = p[0];
	return true;
}

bool
sa_get_u32(sa_reader *r, uint32_t *v)
{
	const uint8_t *p = sa_get_view(r, 4);
	if (p == NULL)
		return false;
	*v = sa_load_u32_be(p);
	return true;
}

bool
sa_get_u64(sa_reader *r, uint64_t *v)
{
	const uint8_t *p = sa_get_view(r, 8);
	if (p == NULL)
		return false;
	*v = sa_load_u64_be(p);
	return true;
}

bool
sa_get_count(sa_reader *r, uint32_t *count, size_t min_each)
{
	if (!sa_get_u32(r, count))
		return false;
	if (min_each != 0 && (size_t) *count > sa_reader_remaining(r) / min_each) {
		r->failed = true;
		return false;
	}
	return true;
}

bool
sa_reader_ok(const sa_reader *r)
{
	return !r->failed;
}

bool
sa_reader_done(const sa_reader *r)
{
	return !r->failed && r->pos == r->len;
}

void
sa_writer_init(sa_writer *w)
{
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
	w->failed = false;
}

/* Moves the buffer to a new one of exactly cap bytes (cap >= len). */
static bool
writer_move(sa_writer *w, size_t cap)
{
	uint8_t *nb = sa_alloc(cap);
	if (nb == NULL) {
		w->failed = true;
		return false;
	}
	if (w->len > 0)
		memcpy(nb, w->buf, w->len);
	if (w->buf != NULL)
		sa_free_secret(w->buf, w->cap);
	w->buf = nb;
	w->cap = cap;
	return true;
}

/* Checks that extra more bytes can be counted; true if they already fit. */
static bool
writer_fits(sa_writer *w, size_t extra, bool *fits)
{
	*fits = false;
	if (w->failed)
		return false;
	if (extra <= w->cap - w->len) {
		*fits = true;
		return true;
	}
	if (extra > SIZE_MAX / 2 - w->len) {
		w->failed = true;
		return false;
	}
	return true;
}

bool
sa_writer_reserve_exact(sa_writer *w, size_t extra)
{
	bool fits;
	if (!writer_fits(w, extra, &fits))
		return false;
	return fits || writer_move(w, w->len + extra);
}

bool
sa_writer_reserve(sa_writer *w, size_t extra)
{
	bool fits;
	if (!writer_fits(w, extra, &fits))
		return false;
	if (fits)
		return true;
	size_t need = w->len + extra;
	size_t cap = w->cap ? w->cap : 256;
	while (cap < need)
		cap *= 2;
	return writer_move(w, cap);
}

void
sa_put_bytes(sa_writer *w, const void *p, size_t n)
{
	if (n == 0 || !sa_writer_reserve(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void
sa_put_u8(sa_writer *w, uint8_t v)
{
	sa_put_bytes(w, &v, 1);
}

void
sa_put_u32(sa_writer *w, uint32_t v)
{
	uint8_t b[4];
	sa_store_u32_be(b, v);
	sa_put_bytes(w, b, 4);
}

void
sa_put_u64(sa_writer *w, uint64_t v)
{
	uint8_t b[8];
	sa_store_u64_be(b, v);
	sa_put_bytes(w, b, 8);
}

uint8_t *
sa_writer_finish(sa_writer *w, size_t *len)
{
	if (w->failed) {
		sa_writer_discard(w);
		return NULL;
	}
	if (w->buf == NULL && !sa_writer_reserve(w, 1))
		return NULL;
	*len = w->len;
	uint8_t *b = w->buf;
	w->buf = NULL;
	w->len = w->cap = 0;
	return b;
}

void
sa_writer_discard(sa_writer *w)
{
	if (w->buf != NULL)
		sa_free_secret(w->buf, w->cap);
	w->buf = NULL;
	w->len = w->cap = 0;
}
