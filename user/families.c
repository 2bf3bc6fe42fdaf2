// SPDX-License-Identifier: GPL-2.0
/* The family table: adding a family is one line here (see family.h). */
#include <string.h>
#include "family.h"
#include "util.h"

extern const struct family collapse_family;
extern const struct family split_family;
extern const struct family deferred_family;
extern const struct family device_family;
extern const struct family migrate_family;

const struct family *const families[] = {
	&collapse_family,
	&split_family,
	&deferred_family,
	&device_family,
	&migrate_family,
};

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
