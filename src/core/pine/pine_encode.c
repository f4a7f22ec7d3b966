/*
 * pine_encode.c: the measurement encoding of draft-chen-cfrg-vdaf-pine
 * (-01 and -02), Section 4.1 "Measurement Encoding": float <-> fixed point
 * (4.1.2.1 "Encoding of Floating Point Numbers into Field Elements"; -01
 * floors, -02 rounds half to even), the gradient and range-checked squared
 * norm (4.1.2, 4.1.2.2, with 4.1.1 "Encoding Range-Checked Results"),
 * running the wraparound checks (4.1.3) and encoding their results (4.1.4).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pine/pine_internal.h"
#include "pine/pine_testing.h"

/* floor(y) for |y| < 2^62: truncate, then step down for negative fractions
 * (every double >= 2^53 is already an integer). */
static int64_t
floor_to_int(double y)
{
	int64_t t = (int64_t) y;
	if ((double) t > y)
		t -= 1;
	return t;
}

/* round(y), ties to even, for |y| < 2^62: the fraction y - trunc(y) is
 * exact, so comparing it with 1/2 decides without a rounding mode. */
static int64_t
round_half_even_to_int(double y)
{
	int64_t t = (int64_t) y;
	double frac = y - (double) t; /* in (-1, 1), same sign as y */
	int64_t away = y < 0 ? -1 : 1;
	double half = fabs(frac);
	if (half > 0.5 || (half == 0.5 && (t & 1) != 0))
		t += away;
	return t;
}

/*
 * Float encoding: v = floor(x * 2^nfb) under -01, round(x * 2^nfb) with
 * ties to even under -02. The product is a double product by a power of
 * two (exact unless it overflows). Inputs that are NaN, infinite or
 * subnormal are rejected, and so is |x * 2^nfb| >= 2^62 (no honest
 * gradient entry under any usable norm bound comes close).
 */
pine_status
pine_encode_entry(double x, uint32_t num_frac_bits, pine_draft draft, int64_t *out)
{
	if (isnan(x) || isinf(x))
		return PINE_ERR_MEASUREMENT;
	if (x != 0.0 && fabs(x) < 0x1p-1022)
		return PINE_ERR_MEASUREMENT;
	if (num_frac_bits >= 128 || (draft != PINE_DRAFT_01 && draft != PINE_DRAFT_02))
		return PINE_ERR_PARAM;
	double y = ldexp(x, (int) num_frac_bits);
	if (!(fabs(y) < 0x1p62))
		return PINE_ERR_MEASUREMENT;
	*out = draft == PINE_DRAFT_02 ? round_half_even_to_int(y) : floor_to_int(y);
	return PINE_OK;
}

double
pine_decode_signed(int64_t v, uint32_t num_frac_bits)
{
	return ldexp((double) v, -(int) num_frac_bits);
}

/* Signed decode: values above (p-1)/2 are negative. (double) of a 128-bit
 * integer is correctly rounded; the power-of-two scaling is then exact. */
double
pine_decode_value(const pine_params *P, const uint64_t v[2])
{
	pine_u128 p = pine_field_modulus(P->field);
	pine_u128 x = pine_u128_of(v);
	double mag;
	int neg = 0;

	if (x > (p - 1) / 2) {
		x = p - x;
		neg = 1;
	}
	mag = (double) x;
	mag = ldexp(mag, -(int) P->cfg.num_frac_bits);
	return neg ? -mag : mag;
}

pine_status
pine_encode_gradient_and_norm(const pine_params *P, const double *x,
                              vdaf_elem *out, unsigned cheat, const char **why)
{
	const vdaf_field *f = pine_vdaf_field(P);
	size_t d = P->dimension;
	uint64_t l2 = P->cfg.l2_norm_bound;
	pine_u128 bound = pine_u128_of(P->sq_norm_bound);
	pine_u128 sq = 0;
	size_t n = P->num_bits_for_sq_norm;

	for (size_t i = 0; i < d; i++) {
		int64_t v;
		pine_status st = pine_encode_entry(x[i], P->cfg.num_frac_bits, P->cfg.draft, &v);
		if (st != PINE_OK) {
			pine_set_why(why, "measurement entry is NaN, infinite, subnormal or too large");
			return st;
		}
		uint64_t mag = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
		vdaf_elem e = f->from_u64(mag);
		out[i] = v < 0 ? f->neg(e) : e;
		if (cheat & PINE_CHEAT_NORM)
			continue;
		if (mag > l2) {
			pine_set_why(why, "measurement entry exceeds the L2 norm bound");
			return PINE_ERR_NORM;
		}
		/* Exact integer squared norm. mag^2 <= bound < p/3 and sq <= bound
		 * before the add, so sq stays below 2^128. */
		sq += (pine_u128) mag * mag;
		if (sq > bound) {
			pine_set_why(why, "measurement's squared L2 norm exceeds the bound");
			return PINE_ERR_NORM;
		}
	}
	if (cheat & PINE_CHEAT_NORM) {
		/* The squared norm in the field, as the POC computes it; claim the
		 * bound if it does not fit in n_sq bits. */
		uint64_t w[2];
		vdaf_elem acc = f->vec_inner(out, out, d);
		f->to_u128(acc, w);
		sq = pine_u128_of(w);
		if (sq > bound)
			sq = bound;
	}
	/* sq <= bound < p, so the integer equals the POC's field value. */
	pine_u128 u = bound - sq;
	if (vdaf_field_encode_bits(f, out + d, (uint64_t) sq, (uint64_t) (sq >> 64), n) != VDAF_OK ||
	    vdaf_field_encode_bits(f, out + d + n, (uint64_t) u, (uint64_t) (u >> 64), n) != VDAF_OK) {
		pine_set_why(why, "squared norm bit encoding failed");
		return PINE_ERR_INTERNAL;
	}
	return PINE_OK;
}

/*
 * Wraparound checks. The stream is consumed check by check, ceil(d/4)
 * bytes each; 2-bit code 0b00 -> -1, 0b11 -> +1, else 0 (low bits first).
 *
 * With code bits (b1 b0) the coefficient is b0 + b1 - 1, so
 *     res_k = sum_j c_kj g_j - G,   c_kj = popcount(code_kj) in {0, 1, 2},
 *     G = sum_j g_j.
 * The sum of the c g is computed over the integers on 32-bit limbs of the
 * canonical values with 32x32->64 multiplies (SSE2 / AVX2 pmuludq) and
 * reduced once per check. Limb sums stay below 2 * 2^32 * d <= 2^60.
 * Everything is constant time in the gradient (the codes are public).
 */

#define WR_CHUNK 4096 /* stream bytes per squeeze */

/* Per-byte coefficient tables: t4[b][i] = popcount of code i of byte b
 * (4 x u64); t8[b][2i] = t8[b][2i+1] = the same (Field128 layout). */
typedef struct {
	uint64_t t4[256][4];
	uint64_t t8[256][8];
} wr_tables;

static void
wr_tables_init(wr_tables *T)
{
	for (unsigned b = 0; b < 256; b++)
		for (unsigned i = 0; i < 4; i++) {
			unsigned code = (b >> (2 * i)) & 3u;
			uint64_t c = (code & 1u) + (code >> 1);
			T->t4[b][i] = c;
			T->t8[b][2 * i] = c;
			T->t8[b][2 * i + 1] = c;
		}
}

/* acc[0..3]: limb sums for limbs 0..3 (32-bit limbs of the values). */
static void
wr_kernel_scalar(const uint64_t *g, size_t words_per_elem, const uint8_t *codes,
                 size_t nbytes, const wr_tables *T, uint64_t acc[4])
{
	for (size_t i = 0; i < nbytes; i++) {
		const uint64_t *c = T->t4[codes[i]];
		for (size_t t = 0; t < 4; t++) {
			const uint64_t *e = g + (4 * i + t) * words_per_elem;
			acc[0] += c[t] * (e[0] & 0xffffffffu);
			acc[1] += c[t] * (e[0] >> 32);
			if (words_per_elem == 2) {
				acc[2] += c[t] * (e[1] & 0xffffffffu);
				acc[3] += c[t] * (e[1] >> 32);
			}
		}
	}
}

#if defined(__SSE2__)
#include <emmintrin.h>

static void
wr_kernel_sse2(const uint64_t *g, size_t words_per_elem, const uint8_t *codes,
               size_t nbytes, const wr_tables *T, uint64_t acc[4])
{
	__m128i a0 = _mm_setzero_si128(), a1 = _mm_setzero_si128();
	uint64_t out[2];

	if (words_per_elem == 1) {
		/* lanes: a0 = low limbs, a1 = high limbs */
		for (size_t i = 0; i < nbytes; i++) {
			const __m128i *c = (const __m128i *) T->t4[codes[i]];
			__m128i v01 = _mm_loadu_si128((const __m128i *) (g + 4 * i));
			__m128i v23 = _mm_loadu_si128((const __m128i *) (g + 4 * i + 2));
			__m128i c01 = _mm_load_si128(c), c23 = _mm_load_si128(c + 1);
			a0 = _mm_add_epi64(a0, _mm_mul_epu32(v01, c01));
			a1 = _mm_add_epi64(a1, _mm_mul_epu32(_mm_srli_epi64(v01, 32), c01));
			a0 = _mm_add_epi64(a0, _mm_mul_epu32(v23, c23));
			a1 = _mm_add_epi64(a1, _mm_mul_epu32(_mm_srli_epi64(v23, 32), c23));
		}
		_mm_storeu_si128((__m128i *) out, a0);
		acc[0] += out[0] + out[1];
		_mm_storeu_si128((__m128i *) out, a1);
		acc[1] += out[0] + out[1];
	} else {
		/* value = (w0, w1): a0 lanes = limbs 0, 2; a1 lanes = limbs 1, 3 */
		for (size_t i = 0; i < nbytes; i++) {
			const __m128i *c = (const __m128i *) T->t8[codes[i]];
			const uint64_t *e = g + 8 * i;
			for (size_t t = 0; t < 4; t++) {
				__m128i v = _mm_loadu_si128((const __m128i *) (e + 2 * t));
				__m128i ct = _mm_load_si128(c + t);
				a0 = _mm_add_epi64(a0, _mm_mul_epu32(v, ct));
				a1 = _mm_add_epi64(a1, _mm_mul_epu32(_mm_srli_epi64(v, 32), ct));
			}
		}
		_mm_storeu_si128((__m128i *) out, a0);
		acc[0] += out[0];
		acc[2] += out[1];
		_mm_storeu_si128((__m128i *) out, a1);
		acc[1] += out[0];
		acc[3] += out[1];
	}
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define PINE_HAVE_AVX2_KERNEL 1
#include <immintrin.h>

__attribute__((target("avx2"))) static void
wr_kernel_avx2(const uint64_t *g, size_t words_per_elem, const uint8_t *codes, size_t nbytes,
               const wr_tables *T, uint64_t acc[4])
{
	__m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
	uint64_t out[4];

	if (words_per_elem == 1) {
		for (size_t i = 0; i < nbytes; i++) {
			__m256i v = _mm256_loadu_si256((const __m256i *) (g + 4 * i));
			__m256i c = _mm256_load_si256((const __m256i *) T->t4[codes[i]]);
			a0 = _mm256_add_epi64(a0, _mm256_mul_epu32(v, c));
			a1 = _mm256_add_epi64(a1, _mm256_mul_epu32(_mm256_srli_epi64(v, 32), c));
		}
		_mm256_storeu_si256((__m256i *) out, a0);
		acc[0] += out[0] + out[1] + out[2] + out[3];
		_mm256_storeu_si256((__m256i *) out, a1);
		acc[1] += out[0] + out[1] + out[2] + out[3];
	} else {
		/* two values per vector: lanes (w0, w1, w0', w1') */
		for (size_t i = 0; i < nbytes; i++) {
			const __m256i *c = (const __m256i *) T->t8[codes[i]];
			const uint64_t *e = g + 8 * i;
			__m256i v01 = _mm256_loadu_si256((const __m256i *) e);
			__m256i v23 = _mm256_loadu_si256((const __m256i *) (e + 4));
			__m256i c01 = _mm256_load_si256(c), c23 = _mm256_load_si256(c + 1);
			a0 = _mm256_add_epi64(a0, _mm256_mul_epu32(v01, c01));
			a1 = _mm256_add_epi64(a1, _mm256_mul_epu32(_mm256_srli_epi64(v01, 32), c01));
			a0 = _mm256_add_epi64(a0, _mm256_mul_epu32(v23, c23));
			a1 = _mm256_add_epi64(a1, _mm256_mul_epu32(_mm256_srli_epi64(v23, 32), c23));
		}
		_mm256_storeu_si256((__m256i *) out, a0);
		acc[0] += out[0] + out[2];
		acc[2] += out[1] + out[3];
		_mm256_storeu_si256((__m256i *) out, a1);
		acc[1] += out[0] + out[2];
		acc[3] += out[1] + out[3];
	}
}
#endif

typedef void (*wr_kernel_fn)(const uint64_t *, size_t, const uint8_t *, size_t,
                             const wr_tables *, uint64_t *);

static wr_kernel_fn
wr_pick_kernel(int which)
{
	if (which == PINE_WR_KERNEL_SCALAR)
		return wr_kernel_scalar;
#if defined(__SSE2__)
	if (which == PINE_WR_KERNEL_SSE2)
		return wr_kernel_sse2;
#endif
#ifdef PINE_HAVE_AVX2_KERNEL
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		return wr_kernel_avx2;
#endif
#if defined(__SSE2__)
	return wr_kernel_sse2;
#else
	return wr_kernel_scalar;
#endif
}

pine_status
pine_run_wr_checks(const pine_params *P, const vdaf_elem *grad, vdaf_xof *x,
                   vdaf_elem *res, const char **why)
{
	return pine_run_wr_checks_with(P, grad, x, res, PINE_WR_KERNEL_AUTO, why);
}

pine_status
pine_run_wr_checks_with(const pine_params *P, const vdaf_elem *grad, vdaf_xof *x,
                        vdaf_elem *res, int which, const char **why)
{
	const vdaf_field *f = pine_vdaf_field(P);
	size_t d = P->dimension;
	size_t nb = (d + 3) / 4;
	size_t wpe = P->field == PINE_FIELD128 ? 2 : 1; /* u64 words per value */
	size_t chunk = nb < WR_CHUNK ? nb : WR_CHUNK;
	uint64_t *g = NULL;
	uint8_t *codes = NULL;
	wr_tables *T = NULL;
	pine_status st = PINE_OK;
	wr_kernel_fn kernel = wr_pick_kernel(which);
	vdaf_elem G, two64 = f->from_u128(0, 1);

	/* canonical values, zero-padded to a multiple of 4 */
	g = calloc(4 * nb * wpe, sizeof *g);
	codes = malloc(chunk);
	T = aligned_alloc(64, sizeof *T);
	if (g == NULL || codes == NULL || T == NULL) {
		pine_set_why(why, "out of memory");
		st = PINE_ERR_NOMEM;
		goto out;
	}
	wr_tables_init(T);
	for (size_t j = 0; j < d; j++) {
		uint64_t v[2];
		f->to_u128(grad[j], v);
		g[j * wpe] = v[0];
		if (wpe == 2)
			g[j * wpe + 1] = v[1];
	}
	G = f->vec_sum(grad, d);

	for (size_t k = 0; k < P->num_wr_checks; k++) {
		uint64_t acc[4] = { 0, 0, 0, 0 };
		for (size_t off = 0; off < nb; off += chunk) {
			size_t len = nb - off < chunk ? nb - off : chunk;
			if (vdaf_xof_next(x, codes, len) != VDAF_OK) {
				pine_set_why(why, "XOF failure");
				st = PINE_ERR_INTERNAL;
				goto out;
			}
			kernel(g + 4 * off * wpe, wpe, codes, len, T, acc);
		}
		/* value = acc0 + acc1 2^32 + (acc2 + acc3 2^32) 2^64 */
		pine_u128 lo = (pine_u128) acc[0] + ((pine_u128) acc[1] << 32);
		pine_u128 hi = (pine_u128) acc[2] + ((pine_u128) acc[3] << 32);
		vdaf_elem r = f->add(f->from_u128((uint64_t) lo, (uint64_t) (lo >> 64)),
		                     f->mul(f->from_u128((uint64_t) hi, (uint64_t) (hi >> 64)), two64));
		res[k] = f->sub(r, G);
		sodium_memzero(acc, sizeof acc);
	}
out:
	if (g != NULL) {
		sodium_memzero(g, 4 * nb * wpe * sizeof *g);
		free(g);
	}
	free(codes);
	free(T);
	return st;
}

pine_status
pine_encode_wr_checks(const pine_params *P, const vdaf_elem *res, vdaf_elem *out,
                      unsigned cheat, const char **why)
{
	const vdaf_field *f = pine_vdaf_field(P);
	pine_u128 B = pine_u128_of(P->wr_check_bound);
	vdaf_elem shift = f->from_u128((uint64_t) (B - 1), (uint64_t) ((B - 1) >> 64));
	vdaf_elem one = f->from_u64(1), zero = vdaf_elem_zero();
	size_t nw = P->num_bits_for_wr_check;
	size_t count = 0;

	for (size_t k = 0; k < P->num_wr_checks; k++) {
		uint64_t v[2];
		f->to_u128(f->add(res[k], shift), v);
		/* in range <=> v <= 2B - 1 <=> v < 2^n_wr; the POC's bits() raises
		 * otherwise, so any out-of-range check means "retry". */
		if (cheat & PINE_CHEAT_WR) {
			/* keep only the low n_wr bits and claim success */
			if (nw < 64) {
				v[0] &= ((uint64_t) 1 << nw) - 1;
				v[1] = 0;
			} else if (nw < 128) {
				v[1] &= ((uint64_t) 1 << (nw - 64)) - 1;
			}
		}
		if (vdaf_field_encode_bits(f, out, v[0], v[1], nw) != VDAF_OK) {
			sodium_memzero(v, sizeof v);
			pine_set_why(why, "a wraparound check is out of range; retry with fresh randomness");
			return PINE_RETRY;
		}
		sodium_memzero(v, sizeof v);
		out += nw;
		if (count < P->num_wr_successes) {
			*out++ = one;
			count++;
		} else {
			*out++ = zero;
		}
	}
	if (count != P->num_wr_successes) {
		pine_set_why(why, "too few wraparound checks passed; retry with fresh randomness");
		return PINE_RETRY;
	}
	return PINE_OK;
}
