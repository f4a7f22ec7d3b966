/* interrupt.c: the host's cancellation check (see interrupt.h). */
#include "common/interrupt.h"

#include <stddef.h>

static sa_interrupt_fn interrupt_check = NULL;

void
sa_set_interrupt_check(sa_interrupt_fn fn)
{
	interrupt_check = fn;
}

bool
sa_interrupted(void)
{
	return interrupt_check != NULL && interrupt_check();
}
