/*
 * keccak.c: Keccak-p[1600, n_r] (FIPS 202 §3.3), written out lane by lane.
 *
 * Lanes live in local variables a<x>_<y> (state index x + 5y) for the whole
 * permutation. Each round is theta, rho+pi (into b), chi (back into a) and
 * iota. Round constants are the FIPS 202 RC[0..23]; Keccak-p[1600, n_r]
 * runs rounds 24-n_r .. 23.
 */
#include "vdaf/keccak.h"

#define ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

static const uint64_t keccak_rc[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

void
vdaf_keccak_p1600(uint64_t s[25], unsigned nrounds)
{
	uint64_t a0_0, a1_0, a2_0, a3_0, a4_0;
	uint64_t a0_1, a1_1, a2_1, a3_1, a4_1;
	uint64_t a0_2, a1_2, a2_2, a3_2, a4_2;
	uint64_t a0_3, a1_3, a2_3, a3_3, a4_3;
	uint64_t a0_4, a1_4, a2_4, a3_4, a4_4;
	uint64_t b0_0, b1_0, b2_0, b3_0, b4_0;
	uint64_t b0_1, b1_1, b2_1, b3_1, b4_1;
	uint64_t b0_2, b1_2, b2_2, b3_2, b4_2;
	uint64_t b0_3, b1_3, b2_3, b3_3, b4_3;
	uint64_t b0_4, b1_4, b2_4, b3_4, b4_4;
	uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;

	if (nrounds > 24)
		nrounds = 24;
	a0_0 = s[0];
	a1_0 = s[1];
	a2_0 = s[2];
	a3_0 = s[3];
	a4_0 = s[4];
	a0_1 = s[5];
	a1_1 = s[6];
	a2_1 = s[7];
	a3_1 = s[8];
	a4_1 = s[9];
	a0_2 = s[10];
	a1_2 = s[11];
	a2_2 = s[12];
	a3_2 = s[13];
	a4_2 = s[14];
	a0_3 = s[15];
	a1_3 = s[16];
	a2_3 = s[17];
	a3_3 = s[18];
	a4_3 = s[19];
	a0_4 = s[20];
	a1_4 = s[21];
	a2_4 = s[22];
	a3_4 = s[23];
	a4_4 = s[24];
	for (unsigned round = 24 - nrounds; round < 24; round++) {
		c0 = a0_0 ^ a0_1 ^ a0_2 ^ a0_3 ^ a0_4;
		c1 = a1_0 ^ a1_1 ^ a1_2 ^ a1_3 ^ a1_4;
		c2 = a2_0 ^ a2_1 ^ a2_2 ^ a2_3 ^ a2_4;
		c3 = a3_0 ^ a3_1 ^ a3_2 ^ a3_3 ^ a3_4;
		c4 = a4_0 ^ a4_1 ^ a4_2 ^ a4_3 ^ a4_4;
		d0 = c4 ^ ROL(c1, 1);
		d1 = c0 ^ ROL(c2, 1);
		d2 = c1 ^ ROL(c3, 1);
		d3 = c2 ^ ROL(c4, 1);
		d4 = c3 ^ ROL(c0, 1);
		b0_0 = a0_0 ^ d0;
		b1_3 = ROL(a0_1 ^ d0, 36);
		b2_1 = ROL(a0_2 ^ d0, 3);
		b3_4 = ROL(a0_3 ^ d0, 41);
		b4_2 = ROL(a0_4 ^ d0, 18);
		b0_2 = ROL(a1_0 ^ d1, 1);
		b1_0 = ROL(a1_1 ^ d1, 44);
		b2_3 = ROL(a1_2 ^ d1, 10);
		b3_1 = ROL(a1_3 ^ d1, 45);
		b4_4 = ROL(a1_4 ^ d1, 2);
		b0_4 = ROL(a2_0 ^ d2, 62);
		b1_2 = ROL(a2_1 ^ d2, 6);
		b2_0 = ROL(a2_2 ^ d2, 43);
		b3_3 = ROL(a2_3 ^ d2, 15);
		b4_1 = ROL(a2_4 ^ d2, 61);
		b0_1 = ROL(a3_0 ^ d3, 28);
		b1_4 = ROL(a3_1 ^ d3, 55);
		b2_2 = ROL(a3_2 ^ d3, 25);
		b3_0 = ROL(a3_3 ^ d3, 21);
		b4_3 = ROL(a3_4 ^ d3, 56);
		b0_3 = ROL(a4_0 ^ d4, 27);
		b1_1 = ROL(a4_1 ^ d4, 20);
		b2_4 = ROL(a4_2 ^ d4, 39);
		b3_2 = ROL(a4_3 ^ d4, 8);
		b4_0 = ROL(a4_4 ^ d4, 14);
		a0_0 = b0_0 ^ (~b1_0 & b2_0);
		a1_0 = b1_0 ^ (~b2_0 & b3_0);
		a2_0 = b2_0 ^ (~b3_0 & b4_0);
		a3_0 = b3_0 ^ (~b4_0 & b0_0);
		a4_0 = b4_0 ^ (~b0_0 & b1_0);
		a0_1 = b0_1 ^ (~b1_1 & b2_1);
		a1_1 = b1_1 ^ (~b2_1 & b3_1);
		a2_1 = b2_1 ^ (~b3_1 & b4_1);
		a3_1 = b3_1 ^ (~b4_1 & b0_1);
		a4_1 = b4_1 ^ (~b0_1 & b1_1);
		a0_2 = b0_2 ^ (~b1_2 & b2_2);
		a1_2 = b1_2 ^ (~b2_2 & b3_2);
		a2_2 = b2_2 ^ (~b3_2 & b4_2);
		a3_2 = b3_2 ^ (~b4_2 & b0_2);
		a4_2 = b4_2 ^ (~b0_2 & b1_2);
		a0_3 = b0_3 ^ (~b1_3 & b2_3);
		a1_3 = b1_3 ^ (~b2_3 & b3_3);
		a2_3 = b2_3 ^ (~b3_3 & b4_3);
		a3_3 = b3_3 ^ (~b4_3 & b0_3);
		a4_3 = b4_3 ^ (~b0_3 & b1_3);
		a0_4 = b0_4 ^ (~b1_4 & b2_4);
		a1_4 = b1_4 ^ (~b2_4 & b3_4);
		a2_4 = b2_4 ^ (~b3_4 & b4_4);
		a3_4 = b3_4 ^ (~b4_4 & b0_4);
		a4_4 = b4_4 ^ (~b0_4 & b1_4);
		a0_0 ^= keccak_rc[round];
	}
	s[0] = a0_0;
	s[1] = a1_0;
	s[2] = a2_0;
	s[3] = a3_0;
	s[4] = a4_0;
	s[5] = a0_1;
	s[6] = a1_1;
	s[7] = a2_1;
	s[8] = a3_1;
	s[9] = a4_1;
	s[10] = a0_2;
	s[11] = a1_2;
	s[12] = a2_2;
	s[13] = a3_2;
	s[14] = a4_2;
	s[15] = a0_3;
	s[16] = a1_3;
	s[17] = a2_3;
	s[18] = a3_3;
	s[19] = a4_3;
	s[20] = a0_4;
	s[21] = a1_4;
	s[22] = a2_4;
	s[23] = a3_4;
	s[24] = a4_4;
}

void
vdaf_keccak_p1600_12(uint64_t s[25])
{
	vdaf_keccak_p1600(s, 12);
}
