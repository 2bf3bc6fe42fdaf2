// SPDX-License-Identifier: GPL-2.0
/* The family table: adding a family is one line here (see family.h). */
#include <string.h>
#include "family.h"
#include "util.h"

/* The families, in the order reports, top and the HTML page show them. */
#define FAMILIES(X)	\
	X(collapse)	\
	X(split)	\
	X(deferred)	\
	X(device)	\
	X(migrate)	\
	X(pathology)	\
	X(coverage)

#define DECLARE(name) extern const struct family name##_family;
#define ENTRY(name) &name##_family,

FAMILIES(DECLARE)

const struct family *const families[] = { FAMILIES(ENTRY) };

_Static_assert(ARRAY_SIZE(families) <= MAX_FAMILIES, "MAX_FAMILIES is too small");

const size_t nfamilies = ARRAY_SIZE(families);

const struct family *family_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < nfamilies; i++)
		if (!strcmp(families[i]->name, name))
			return families[i];
	return NULL;
}
