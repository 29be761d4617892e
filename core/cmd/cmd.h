#ifndef TRIAGE_CMD_H
#define TRIAGE_CMD_H

#include <stdio.h>

/*
 * Adding a command: write core/cmd/NAME.c with
 *	int cmd_NAME(int argc, char **argv);
 * where argv[0] is the command's name and --help prints the command's usage
 * to stdout and returns 0; declare it below, add one row to the commands[]
 * table in core/cmd/main.c, and list the file in core/meson.build. The table
 * is the only place that knows which commands exist: help, the man page
 * (triage help --man, committed as docs/triage.1), the "did you mean"
 * suggestion and dispatch all read it. Number flags go through cmd/opt.h.
 */

enum triage_exit {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,	/* findings at or above --fail-on */
	EXIT_USAGE = 2,		/* bad usage or bad input */
	EXIT_INTERNAL = 3,	/* a bug or an environment failure */
	EXIT_INCOMPLETE = 4,	/* collect: bundle written, but it holds no profile */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;	/* printed by "triage help NAME" and NAME --help */
};

const struct command *command_find(const char *name);
const struct command *command_list(void);
void command_usage(const struct command *cmd, FILE *out);
/* "  collect   gather profiles, ..." for every command, one a line. */
void command_print_list(FILE *out);
/* The command name is most likely a typo of, or NULL when none is close. */
const struct command *command_nearest(const char *name);
/* Prints " Did you mean 'NAME'?" when a command is close to name. */
void command_suggest(FILE *out, const char *name);
/* The man page, generated from the usage texts (core/cmd/man.c). */
int command_write_man(FILE *out);
/* Prints "triage NAME: MSG" and the usage hint to stderr; returns EXIT_USAGE. */
int command_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when argv holds -h or --help before any "--". */
int wants_help(int argc, char **argv);

int cmd_collect(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);

extern const char usage_collect[];
extern const char usage_watch[];
extern const char usage_analyze[];
extern const char usage_top[];
extern const char usage_show[];
extern const char usage_upload[];
extern const char usage_rules[];
extern const char usage_version[];
extern const char usage_help[];

#endif
