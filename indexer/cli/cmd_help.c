/*
 * cmd_help.c: `lendex help [COMMAND]` and `lendex version`, both generated from the table.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_options(const struct lx_command *c)
{
	if (!c->opts || !c->opts[0].name)
		return;
	printf("\noptions:\n");
	for (const struct lx_cli_opt *o = c->opts; o->name; o++)
		printf("  --%-14s %s\n", o->name, o->help ? o->help : "");
}

int lx_cmd_help(const struct lx_cli_args *a)
{
	if (a->n_pos == 1) {
		const struct lx_command *c = lx_cli_find(a->pos[0]);
		if (!c) {
			lx_cli_errorf("unknown command '%s' (try 'lendex help')", a->pos[0]);
			return LX_EXIT_USAGE;
		}
		printf("usage: lendex %s\n\n%s\n", c->usage, c->summary);
		if (c->help && *c->help)
			printf("\n%s", c->help);
		print_options(c);
		return LX_EXIT_OK;
	}
	printf("usage: lendex <command> [options] [args]\n\ncommands:\n");
	for (const struct lx_command *c = lx_commands; c->name; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\n'lendex help <command>' shows a command's options.\n"
	       "exit codes: 0 ok, 1 usage error, 2 runtime error\n");
	return LX_EXIT_OK;
}

int lx_cmd_version(const struct lx_cli_args *a)
{
	printf("lendex %s\n", LX_VERSION);
	if (lx_cli_has(a, "paths"))
		printf("chains %s\nabi %s\n", LX_DEFAULT_CHAINS_DIR, LX_DEFAULT_ABI_DIR);
	return LX_EXIT_OK;
}
