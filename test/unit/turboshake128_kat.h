/*
 * turboshake128_kat.h: TurboSHAKE128 known-answer tests, test data only.
 *
 * Source: RFC 9861 ("KangarooTwelve and TurboSHAKE", September 2025),
 * Section 5 "Test Vectors", the TurboSHAKE128 entries. Values as transcribed
 * in the W3C web-platform-tests file
 * WebCryptoAPI/digest/turboshake.tentative.https.any.js ("RFC 9861 Section 5
 * test vectors") and cross-checked against two other independent
 * transcriptions of the same RFC section (a Go and a Lean test suite).
 *
 * ptn(n) is the byte string of length n with byte i = i mod 251.
 * Message kinds: KAT_PTN (ptn(msg_len)) or KAT_FF (msg_len bytes 0xFF).
 * If tail_only is set, `expect` is the LAST 32 bytes of an out_len-byte output.
 */
#ifndef SECAGG_TEST_TURBOSHAKE128_KAT_H
#define SECAGG_TEST_TURBOSHAKE128_KAT_H

#include <stddef.h>
#include <stdint.h>

enum { KAT_PTN, KAT_FF };

typedef struct {
	int kind;
	size_t msg_len;
	uint8_t domain;
	size_t out_len;
	int tail_only;
	const char *expect;
} turboshake128_kat;

static const turboshake128_kat turboshake128_kats[] = {
	{ KAT_PTN, 0, 0x1F, 32, 0,
	  "1e415f1c5983aff2169217277d17bb538cd945a397ddec541f1ce41af2c1b74c" },
	{ KAT_PTN, 0, 0x1F, 64, 0,
	  "1e415f1c5983aff2169217277d17bb538cd945a397ddec541f1ce41af2c1b74c"
	  "3e8ccae2a4dae56c84a04c2385c03c15e8193bdf58737363321691c05462c8df" },
	{ KAT_PTN, 0, 0x1F, 10032, 1,
	  "a3b9b0385900ce761f22aed548e754da10a5242d62e8c658e3f3a923a7555607" },
	{ KAT_PTN, 1, 0x1F, 32, 0,
	  "55cedd6f60af7bb29a4042ae832ef3f58db7299f893ebb9247247d856958daa9" },
	{ KAT_PTN, 17, 0x1F, 32, 0,
	  "9c97d036a3bac819db70ede0ca554ec6e4c2a1a4ffbfd9ec269ca6a111161233" },
	{ KAT_PTN, 289, 0x1F, 32, 0,
	  "96c77c279e0126f7fc07c9b07f5cdae1e0be60bdbe10620040e75d7223a624d2" },
	{ KAT_PTN, 4913, 0x1F, 32, 0,
	  "d4976eb56bcf118520582b709f73e1d6853e001fdaf80e1b13e0d0599d5fb372" },
	{ KAT_PTN, 83521, 0x1F, 32, 0,
	  "da67c7039e98bf530cf7a37830c6664e14cbab7f540f58403b1b82951318ee5c" },
	{ KAT_PTN, 1419857, 0x1F, 32, 0,
	  "b97a906fbf83ef7c812517abf3b2d0aea0c4f60318ce11cf103925127f59eecd" },
	{ KAT_PTN, 24137569, 0x1F, 32, 0,
	  "35cd494adeded2f25239af09a7b8ef0c4d1ca4fe2d1ac370fa63216fe7b4c2b1" },
	{ KAT_FF, 3, 0x01, 32, 0,
	  "bf323f940494e88ee1c540fe660be8a0c93f43d15ec006998462fa994eed5dab" },
	{ KAT_FF, 1, 0x06, 32, 0,
	  "8ec9c66465ed0d4a6c35d13506718d687a25cb05c74cca1e42501abd83874a67" },
	{ KAT_FF, 3, 0x07, 32, 0,
	  "b658576001cad9b1e5f399a9f77723bba05458042d68206f7252682dba3663ed" },
	{ KAT_FF, 7, 0x0B, 32, 0,
	  "8deeaa1aec47ccee569f659c21dfa8e112db3cee37b18178b2acd805b799cc37" },
	{ KAT_FF, 1, 0x30, 32, 0,
	  "553122e2135e363c3292bed2c6421fa232bab03daa07c7d6636603286506325b" },
	{ KAT_FF, 3, 0x7F, 32, 0,
	  "16274cc656d44cefd422395d0f9053bda6d28e122aba15c765e5ad0e6eaf26f9" },
};

#endif
