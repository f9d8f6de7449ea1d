/*
 * provider.c: lifecycle of the values that cross the provider contract.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsrpt/provider.h"

void
tp_zone_release(struct tp_zone *z)
{
	if (z == NULL)
		return;
	free(z->id);
	free(z->name);
	memset(z, 0, sizeof(*z));
}

void
tp_txt_rrset_release(struct tp_txt_rrset *r)
{
	if (r == NULL)
		return;
	tp_strv_release(&r->values);
	tp_strv_release(&r->ids);
	memset(r, 0, sizeof(*r));
}
