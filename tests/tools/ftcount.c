// SPDX-License-Identifier: GPL-2.0
/*
 * ftcount: count events in a tracefs instance's text buffer, as ground
 * truth for thpscope's in-kernel counts.
 *
 *   ftcount [-c COMM] [-p PID | -m PID] [-e ENUM:PREFIX] [-s | -x] INSTANCE EVENT FIELD
 *
 * Prints "VALUE COUNT" for each value of FIELD among EVENT's records
 * (symbolic values are turned back into numbers through the event's
 * print format, then into names through the kernel's BTF enum ENUM with
 * PREFIX stripped), or with -s the sum of FIELD, with -x its largest
 * value. FIELD "-" just counts.
 * -p keeps the records of a task's own context; -m those that name an mm
 * PID's records name (work done on its memory by any task, khugepaged's
 * included) between PID's first and last record: an mm freed before or
 * after is another process's that the allocator put at the same address.
 * Fails when the buffer lost events, since the counts would
 * be short.
 */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "btf_enum.h"

#define MAX_VALUES 256
#define MAX_MMS 16
#define USAGE "usage: ftcount [-c COMM] [-p PID | -m PID] [-e ENUM:PREFIX] [-s | -x] INSTANCE EVENT FIELD"

struct symbol {
	long long val;
	char name[64];
};

static struct symbol symbols[MAX_VALUES];
static int nsymbols;

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "ftcount: %s%s\n", msg, arg ? arg : "");
	exit(2);
}

static char label[96];	/* what precedes FIELD's value in a record's text */

/* From FORMAT's print fmt, learn how FIELD is printed: the label before
 * its conversion ("nr_succeeded=") and, for __print_symbolic, the names
 * of its values. */
static void load_format(const char *format, const char *field)
{
	FILE *f = fopen(format, "r");
	char line[16384], rec[96], *fmt, *end, *args, *p;
	int depth = 0, argi = 0, want = -1, conv = 0;
	char *prev;

	if (!f)
		die("cannot read ", format);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "print fmt: \"", 12))
			break;
	fclose(f);
	fmt = line + 12;
	for (end = fmt; *end && !(*end == '"' && end[-1] != '\\'); end++)
		;
	if (!*end)
		die("no print fmt in ", format);
	*end = '\0';
	args = end + 1;

	/* Which argument prints FIELD. */
	snprintf(rec, sizeof(rec), "REC->%s", field);
	for (p = args; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == ',' && depth == 0)
			argi++;
		else if (!strncmp(p, rec, strlen(rec)) && !isalnum((unsigned char)p[strlen(rec)]) &&
			 p[strlen(rec)] != '_' && want < 0) {
			want = argi - 1;
			if (depth && !strncmp(p - strlen("__print_symbolic("), "__print_symbolic(", 17))
				for (char *q = p; (q = strchr(q, '{')) && nsymbols < MAX_VALUES; q++) {
					struct symbol *s = &symbols[nsymbols];

					if (sscanf(q, "{%lld, \"%63[^\"]\"}", &s->val, s->name) == 2)
						nsymbols++;
					if (strchr(q, ')') && strchr(q, ')') < strchr(q, '{'))
						break;
				}
		}
	}
	if (want < 0)
		die("field not printed by the event: ", field);

	/* The text between the previous conversion and FIELD's. */
	prev = fmt;
	for (p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (conv == want) {
			while (prev < p && (*prev == ',' || *prev == ' '))
				prev++;
			snprintf(label, sizeof(label), "%.*s", (int)(p - prev), prev);
			return;
		}
		p++;
		while (*p && strchr("-+ #0123456789.lhzjt", *p))
			p++;
		if (*p == 'p')
			while (isalpha((unsigned char)p[1]))
				p++;
		prev = p + 1;
		conv++;
	}
	die("cannot find the conversion of ", field);
}

static bool parse_value(const char *text, long long *out)
{
	char *end;
	int i;

	*out = strtoll(text, &end, 0);
	if (end != text)
		return true;
	for (i = 0; i < nsymbols; i++)
		if (!strcmp(symbols[i].name, text)) {
			*out = symbols[i].val;
			return true;
		}
	return false;
}

/* Split a record line "  comm-pid  [cpu] flags ts: event: fields" into
 * its task, its time and the fields after "EVENT: " (KEY); false for
 * other lines. */
static bool parse_line(char *line, const char *key, char **comm, int *pid, double *ts,
		       char **fields)
{
	char *ev = strstr(line, key), *dash, *p = line, *t;

	if (line[0] == '#' || !ev)
		return false;
	/* The time ends at the colon before the event name (KEY ": "
	 * finds that colon itself). */
	t = ev;
	if (t > line && t[-1] == ':')
		t--;
	while (t > line && (isdigit((unsigned char)t[-1]) || t[-1] == '.'))
		t--;
	*ts = strtod(t, NULL);
	while (isspace((unsigned char)*p))
		p++;
	dash = strstr(p, " [");
	if (!dash)
		return false;
	while (dash > p && dash[-1] == ' ')
		dash--;
	*dash = '\0';
	dash = strrchr(p, '-');
	if (!dash)
		return false;
	*dash = '\0';
	*comm = p;
	*pid = atoi(dash + 1);
	*fields = ev + strlen(key);
	return true;
}

/* The (hashed) mm pointer a record prints, or false when it has none. */
static bool record_mm(const char *fields, char *mm, size_t size)
{
	const char *p = strstr(fields, "mm=");

	if (!p || (p > fields && !strchr(", ", p[-1])))
		return false;
	p += 3;
	snprintf(mm, size, "%.*s", (int)strcspn(p, ", \n"), p);
	return true;
}

static char mms[MAX_MMS][32];
static int nmms;
static double mm_first, mm_last;	/* the task's first and last record */
static bool mm_seen;

static bool mm_known(const char *mm)
{
	int i;

	for (i = 0; i < nmms; i++)
		if (!strcmp(mms[i], mm))
			return true;
	return false;
}

/* Learn the mms that the records of task PID name, from every event. */
static void load_mms(FILE *f, int pid)
{
	char line[4096], *comm, *fields, mm[32];
	double ts;
	int p;

	while (fgets(line, sizeof(line), f)) {
		if (!parse_line(line, ": ", &comm, &p, &ts, &fields) || p != pid)
			continue;
		if (!mm_seen || ts < mm_first)
			mm_first = ts;
		if (!mm_seen || ts > mm_last)
			mm_last = ts;
		mm_seen = true;
		if (!record_mm(fields, mm, sizeof(mm)) || mm_known(mm))
			continue;
		if (nmms == MAX_MMS)
			die("too many mms", NULL);
		snprintf(mms[nmms++], sizeof(mms[0]), "%s", mm);
	}
	if (!nmms)
		die("no record names an mm of the task", NULL);
	rewind(f);
}

static bool on_known_mm(const char *fields, double ts)
{
	char mm[32];

	return ts >= mm_first && ts <= mm_last && record_mm(fields, mm, sizeof(mm)) &&
	       mm_known(mm);
}

int main(int argc, char **argv)
{
	const char *comm = NULL, *enum_spec = NULL;
	long long counts_v[MAX_VALUES], counts_n[MAX_VALUES], sum = 0, max = 0, total = 0;
	int pid = -1, mm_pid = -1, nvals = 0, c, i;
	bool summing = false, largest = false;
	char path[512], line[4096], key[128];
	const char *inst, *event, *field;
	glob_t g;
	FILE *f;

	while ((c = getopt(argc, argv, "c:p:m:e:sx")) != -1) {
		switch (c) {
		case 'c': comm = optarg; break;
		case 'p': pid = atoi(optarg); break;
		case 'm': mm_pid = atoi(optarg); break;
		case 'e': enum_spec = optarg; break;
		case 's': summing = true; break;
		case 'x': largest = true; break;
		default: die(USAGE, NULL);
		}
	}
	if (argc - optind != 3 || (pid >= 0 && mm_pid >= 0) || (summing && largest))
		die(USAGE, NULL);
	inst = argv[optind];
	event = argv[optind + 1];
	field = argv[optind + 2];

	snprintf(path, sizeof(path), "%s/events/*/%s/format", inst, event);
	if (glob(path, 0, NULL, &g) || g.gl_pathc != 1)
		die("no such event: ", event);
	if (strcmp(field, "-"))
		load_format(g.gl_pathv[0], field);
	globfree(&g);

	snprintf(path, sizeof(path), "%s/trace", inst);
	f = fopen(path, "r");
	if (!f)
		die("cannot read ", path);
	snprintf(key, sizeof(key), " %s: ", event);
	if (mm_pid >= 0)
		load_mms(f, mm_pid);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long in_buf, written;
		char *fields, *task, *p;
		long long v = 0;
		int task_pid;
		double ts;

		if (sscanf(line, "# entries-in-buffer/entries-written: %llu/%llu",
			   &in_buf, &written) == 2 && in_buf != written)
			die("the trace buffer lost events; enlarge buffer_size_kb", NULL);
		if (!parse_line(line, key, &task, &task_pid, &ts, &fields))
			continue;
		if (comm && strcmp(task, comm))
			continue;
		if (pid >= 0 && task_pid != pid)
			continue;
		if (mm_pid >= 0 && !on_known_mm(fields, ts))
			continue;
		total++;
		if (!strcmp(field, "-"))
			continue;
		p = strstr(fields, label);
		if (!p)
			die("label not in record: ", label);
		p += strlen(label);
		p[strcspn(p, ", \n")] = '\0';
		if (!parse_value(p, &v))
			die("cannot decode value ", p);
		sum += v;
		if (v > max)
			max = v;
		if (summing || largest)
			continue;
		for (i = 0; i < nvals && counts_v[i] != v; i++)
			;
		if (i == nvals) {
			if (nvals == MAX_VALUES)
				die("too many values", NULL);
			counts_v[nvals] = v;
			counts_n[nvals++] = 0;
		}
		counts_n[i]++;
	}
	fclose(f);

	if (summing || largest || !strcmp(field, "-")) {
		printf("%lld\n", summing ? sum : largest ? max : total);
		return 0;
	}
	if (enum_spec) {
		char name[64], *colon;
		struct enum_names e;
		struct btf *btf = btf__load_vmlinux_btf();

		snprintf(name, sizeof(name), "%s", enum_spec);
		colon = strchr(name, ':');
		if (!colon || !btf)
			die("bad -e or no kernel BTF: ", enum_spec);
		*colon = '\0';
		enum_names_load(&e, btf, name, colon + 1, "value");
		for (i = 0; i < nvals; i++) {
			char buf[32];

			printf("%s %lld\n", enum_name(&e, counts_v[i], buf, sizeof(buf)), counts_n[i]);
		}
		enum_names_free(&e);
		btf__free(btf);
		return 0;
	}
	for (i = 0; i < nvals; i++)
		printf("%lld %lld\n", counts_v[i], counts_n[i]);
	return 0;
}
