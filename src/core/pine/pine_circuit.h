/*
 * pine_circuit.h: PINE's two validity circuits as vdaf_valid descriptors.
 */
#ifndef SECAGG_PINE_CIRCUIT_H
#define SECAGG_PINE_CIRCUIT_H

#include "pine/pine_internal.h"
#include "vdaf/flp.h"

/* Fill the main (PineValid) and norm-equality (PineValidNormEquality)
 * circuit descriptors. They keep a pointer to P. */
void pine_circuits_init(const pine_params *P, vdaf_valid *main_circuit,
                        vdaf_valid *ne_circuit);

#endif
