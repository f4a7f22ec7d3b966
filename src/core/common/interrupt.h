/*
 * interrupt.h: cooperative cancellation of the core's long loops.
 *
 * The host (the PostgreSQL layer) installs a check that says whether the
 * current call should stop (a cancel request, a statement timeout, a
 * terminate signal). Long loops poll sa_interrupted() every so often and,
 * when it is true, unwind normally, freeing what they hold, and return
 * SA_ERR_INTERRUPTED (PINE_ERR_INTERRUPTED, VDAF_ERR_INTERRUPTED); the host
 * then raises its own error. The core never jumps out of a loop, so nothing
 * leaks (memory from malloc, OpenSSL contexts) and worker threads can poll
 * too: the check must be safe to call from any thread and only read flags.
 */
#ifndef SECAGG_COMMON_INTERRUPT_H
#define SECAGG_COMMON_INTERRUPT_H

#include <stdbool.h>

typedef bool (*sa_interrupt_fn)(void);

/* Installs the check (NULL: never interrupted). Process-wide; set once at load. */
void sa_set_interrupt_check(sa_interrupt_fn fn);

/* True if the host asks the current call to stop. Cheap; any thread. */
bool sa_interrupted(void);

#endif
