// SPDX-License-Identifier: GPL-2.0
/* -e FAMILY (see session_family.h). */
#include <string.h>
#include "family.h"
#include "session_family.h"
#include "textbuf.h"
#include "util.h"

unsigned int session_family_bit(const char *name)
{
	const struct family *fam = family_by_name(name);
	size_t i;

	for (i = 0; fam && i < nfamilies; i++)
		if (families[i] == fam)
			return 1U << i;
	return 0;
}

int session_family_option(const char *command, const char *name, unsigned int *chosen)
{
	unsigned int bit = session_family_bit(name);
	struct textbuf names = TEXTBUF_INIT;
	size_t i;

	if (bit) {
		*chosen |= bit;
		return 0;
	}
	for (i = 0; i < nfamilies; i++)
		textbuf_printf(&names, "%s%s", i ? ", " : "", families[i]->name);
	errorf("%s: unknown family '%s' (%s)", command, name, textbuf_str(&names));
	textbuf_free(&names);
	return -1;
}

const char *session_family_help(unsigned int indent)
{
	static struct textbuf help = TEXTBUF_INIT;
	size_t width = 0, i;

	for (i = 0; i < nfamilies; i++)
		if (strlen(families[i]->name) > width)
			width = strlen(families[i]->name);
	textbuf_reset(&help);
	for (i = 0; i < nfamilies; i++) {
		const struct family *fam = families[i];

		if (fam->summary)
			textbuf_printf(&help, "%*s%-*s  %s\n", (int)indent, "", (int)width, fam->name,
				       fam->summary);
		else
			textbuf_printf(&help, "%*s%s\n", (int)indent, "", fam->name);
	}
	return textbuf_str(&help);
}
