// SPDX-License-Identifier: GPL-2.0
/* thpscope probes: every probe thpscope knows, the mechanisms it can use,
 * and whether it attaches on this kernel or why not. */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "session.h"
#include "table.h"
#include "textbuf.h"
#include "util.h"

static const char usage[] =
"usage: thpscope probes [--json]\n"
"\n"
"Load and attach every probe, report which attach on this kernel with\n"
"which mechanism (tracepoint, tp_btf, fentry, kprobe) and why the others\n"
"do not, then detach. Missing hooks never stop a recording.\n"
"\n"
"  --json       the probes as a JSON document\n"
"  -h, --help   this text\n";

static const char *offered(const struct probe *p, struct textbuf *tb)
{
	int k;

	textbuf_reset(tb);
	for (k = 0; k < MECH_NR; k++)
		if (p->offered & (1U << k))
			textbuf_printf(tb, "%s%s", tb->len ? "," : "", mechanism_name(k));
	return textbuf_str(tb);
}

int cmd_probes(int argc, char **argv)
{
	struct textbuf mechs = TEXTBUF_INIT;
	struct session s;
	struct table *t;
	bool as_json = argc > 1 && !strcmp(argv[1], "--json");
	size_t i;

	if (argc > 1 && is_help(argv[1])) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 2 || (argc == 2 && !as_json)) {
		errorf("probes: unexpected argument '%s' (see thpscope probes --help)",
		       argv[argc - 1]);
		return 2;
	}
	if (session_open(&s, NULL)) {
		session_close(&s);
		return 1;
	}
	if (as_json) {
		json_t *j = probes_to_json(&s.probes);

		json_dumpf(j, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		t = table_new("PROBE\tMECHANISMS\tUSING\tATTACHED\tNOTE");
		for (i = 0; i < s.probes.n; i++) {
			const struct probe *p = &s.probes.v[i];

			table_add(t, "%s\t%s\t%s\t%s\t%s", p->name, offered(p, &mechs),
				  p->mech >= 0 ? mechanism_name(p->mech) : "-",
				  p->attached ? "yes" : "no", p->why[0] ? p->why : "-");
		}
		table_print(t, stdout, "Probes on this kernel", NULL);
		printf("\n%zu of %zu probes attach\n", session_attached(&s), s.probes.n);
		table_free(t);
		textbuf_free(&mechs);
	}
	session_close(&s);
	return 0;
}
