/* SPDX-License-Identifier: GPL-2.0 */
/* -e FAMILY: the families of the table a command line chooses, as bits
 * of session_opts.families (the family's index in the table). */
#ifndef THPSCOPE_SESSION_FAMILY_H
#define THPSCOPE_SESSION_FAMILY_H

/* The bit of family NAME, 0 when there is none. */
unsigned int session_family_bit(const char *name);
/* COMMAND's -e NAME: add NAME's bit to CHOSEN, or print one line naming
 * the families and return -1. */
int session_family_option(const char *command, const char *name, unsigned int *chosen);
/* -e's help: a line per family, INDENT columns in, with its name and
 * what it measures. Valid until the next call. */
const char *session_family_help(unsigned int indent);

#endif
