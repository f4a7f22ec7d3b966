/*
 * fuzz_lib_pine_params: libsecagg's reader of the canonical PINE parameter
 * object (the JSON text pine_params returns, given to a client outside the
 * database): lib/json.c's strict parser and lib/pine_params.c's check that
 * the object is exactly the canonical one of the configuration it states.
 * The library's sources are compiled into the harness with the fuzzing
 * core, so the same flags and sanitizers apply.
 *
 * Input: the JSON text. Checked: no crash or sanitizer report on any
 * input; for an accepted object, the sizes the handle reports agree with
 * the core's parameters, its digest is the core's, and parsing the same
 * text again gives the same digest.
 */
#include "../lib/json.c"        /* first: it sets the feature macros strtod_l needs */
#include "../lib/memory.c"
#include "../lib/errors.c"
#include "../lib/pine_params.c"

#include "fuzz_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secagg_pine_params *p = NULL, *q = NULL;
	if (secagg_pine_params_parse((const char *) data, size, &p) != SECAGG_OK)
		return 0;
	const pine_params *P = secagg_pine_core_params(p);
	FUZZ_CHECK(secagg_pine_num_shares(p) == P->num_shares && P->num_shares >= 2);
	FUZZ_CHECK(secagg_pine_dimension(p) == P->cfg.dimension);
	uint8_t d1[32], d2[32];
	FUZZ_CHECK(secagg_pine_digest(p, d1) == SECAGG_OK && memcmp(d1, P->digest, 32) == 0);
	FUZZ_CHECK(secagg_pine_params_parse((const char *) data, size, &q) == SECAGG_OK);
	FUZZ_CHECK(secagg_pine_digest(q, d2) == SECAGG_OK && memcmp(d1, d2, 32) == 0);
	secagg_pine_params_free(p);
	secagg_pine_params_free(q);
	return 0;
}
