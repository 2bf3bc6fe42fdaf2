/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands; each returns the process exit status. */
#ifndef THPSCOPE_COMMANDS_H
#define THPSCOPE_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_probes(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_maps(int argc, char **argv);

/* Print the human report of RECORD. */
void report_print(FILE *out, json_t *record);
/* The record's timeline as a table (nothing with fewer than 2 samples). */
void report_timeline(FILE *out, json_t *record);

#endif
