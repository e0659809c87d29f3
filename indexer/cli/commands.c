/*
 * commands.c: the one command table. Adding a command = a cmd_<name>.c with its handler and
 * option table, its prototype in cli.h, and one entry here.
 */
#include <stddef.h>

#include "cli.h"

static const struct lx_cli_opt no_opts[] = {LX_OPT_END};

const struct lx_command lx_commands[] = {
	{"help", lx_cmd_help, 0, 0, 1, no_opts, "help [COMMAND]", "show commands or one command's help",
	 "Without an argument lists every command; with one, prints that command's usage,\n"
	 "options and description.\n"},
	{"version", lx_cmd_version, 0, 0, 0, no_opts, "version", "print the lendex version", ""},
	{NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL},
};
