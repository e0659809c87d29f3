/*
 * cli.h: the command table and option parsing shared by every `lendex <command>`.
 *
 * One table (commands.c) lists every command: name, handler, flags, positional arity, the
 * options it takes, a one-line summary and a help text. main.c dispatches on it: it parses the
 * options declared for the command (rejecting any other, quoting it back), checks arity, and
 * calls the handler with the parsed arguments. Handlers return an exit code.
 */
#ifndef LENDEX_CLI_H
#define LENDEX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in README.md. */
enum lx_exit {
	LX_EXIT_OK = 0,
	LX_EXIT_USAGE = 1,   /* bad command line: unknown command/option, bad argument */
	LX_EXIT_RUNTIME = 2, /* the command failed: node unreachable, bad data, store error */
};

#define LX_CLI_MAX_OPTS 24
#define LX_CLI_MAX_VALUES 16
#define LX_CLI_MAX_POS 16

/* An option a command accepts: --name (flag) or --name VALUE; `multi` allows repeats. */
struct lx_cli_opt {
	const char *name;
	bool has_arg;
	bool multi;
	const char *help; /* "URL  JSON-RPC endpoint (repeat for failover)" */
};

/* Parsed command line of one command. Strings point into argv (borrowed). */
struct lx_cli_args {
	const struct lx_cli_opt *opts;          /* the command's option table */
	size_t n_opts;
	int count[LX_CLI_MAX_OPTS];             /* times each option was given */
	const char *values[LX_CLI_MAX_OPTS][LX_CLI_MAX_VALUES];
	int n_pos;
	const char *pos[LX_CLI_MAX_POS];        /* positional arguments */
};

/* Command flags */
#define LX_CMD_RPC 0x1        /* talks to a node */
#define LX_CMD_STORE_RO 0x2   /* reads the store */
#define LX_CMD_STORE_RW 0x4   /* writes the store */

struct lx_command {
	const char *name;
	int (*run)(const struct lx_cli_args *args);
	unsigned flags;
	int min_pos, max_pos;          /* positional arity; max_pos -1 = unbounded */
	const struct lx_cli_opt *opts; /* NULL-name terminated */
	const char *usage;             /* "decode --abi FILE_OR_DIR [--chain NAME] LOGS.json" */
	const char *summary;           /* one line for `lendex help` */
	const char *help;              /* paragraphs for `lendex help <command>` */
};

/* The table, NULL-name terminated (commands.c). */
extern const struct lx_command lx_commands[];

/* Looks a command up by name; NULL if unknown. */
const struct lx_command *lx_cli_find(const char *name);

/* True if --name was given. */
bool lx_cli_has(const struct lx_cli_args *a, const char *name);
/* Last value of --name, or def if absent. */
const char *lx_cli_get(const struct lx_cli_args *a, const char *name, const char *def);
/* All values of a multi option; returns the count and points *vals at them. */
int lx_cli_all(const struct lx_cli_args *a, const char *name, const char *const **vals);
/*
 * Parses --name as an unsigned integer (decimal or 0x); on a bad value prints a usage error
 * quoting it and returns -1; returns 0 (with *out = def) when absent, 1 when parsed.
 */
int lx_cli_u64(const struct lx_cli_args *a, const char *name, unsigned long long def,
	       unsigned long long *out);

/*
 * Prints "lendex: <message>" to stderr (one line). The first message of a run is also what
 * main() puts in the {"error":{...}} object on stdout when the command fails under --json.
 */
void lx_cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * From now on a SIGBUS (LMDB reading a page past the end of dir/data.mdb) ends the run with
 * "store corrupt: ..." and exit 2 instead of a crash (main.c).
 */
void lx_cli_guard_store(const char *dir);
/* Prints "lendex: warning: <message>" to stderr; not an error (exit code unchanged). */
void lx_cli_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Common option helpers every data command uses: the data directory (--datadir, else
 * $LENDEX_DATADIR, else ./lendex-data) and the chains/ directory (--chains-dir, else
 * lx_cli_data_dir(LX_DATA_CHAINS)).
 */
const char *lx_cli_datadir(const struct lx_cli_args *a);
const char *lx_cli_chainsdir(const struct lx_cli_args *a);

/*
 * Where lendex's read-only data lives (paths.c). The first that exists of: the environment
 * ($LENDEX_CHAINS, $LENDEX_ABI_DIR), ../share/lendex/{chains,abi} next to the binary (the
 * layout `cmake --install` writes), the source tree the binary was built from, the configured
 * install prefix. Returns a static string (the last candidate when none exists, so errors name
 * a path).
 */
enum lx_data_kind { LX_DATA_CHAINS, LX_DATA_ABI };
const char *lx_cli_data_dir(enum lx_data_kind kind);
#define LX_DEFAULT_CHAINS_DIR lx_cli_data_dir(LX_DATA_CHAINS)
#define LX_DEFAULT_ABI_DIR lx_cli_data_dir(LX_DATA_ABI)

/* Common option table entries, to include in commands' option lists. */
#define LX_OPT_JSON {"json", false, false, "print machine-readable JSON"}
#define LX_OPT_CHAIN {"chain", true, false, "NAME  deployment config chains/NAME.json"}
#define LX_OPT_RPC {"rpc", true, true, "URL  JSON-RPC endpoint (repeat for failover)"}
#define LX_OPT_DATADIR {"datadir", true, false, "DIR  store directory (default ./lendex-data)"}
#define LX_OPT_CHAINSDIR {"chains-dir", true, false, "DIR  where chain configs live"}
#define LX_OPT_QUIET {"quiet", false, false, "no progress output"}
#define LX_OPT_END {NULL, false, false, NULL}

struct lx_market_view;
#define LX_CLI_VIEW_FLOWS 0x1 /* also load each account's flow history */
/*
 * Loads the market view of the deployment chosen by --chain (and --deployment when a chain has
 * several) from the store in --datadir, as of the synced head. Prints a clear error and returns
 * an exit code (LX_EXIT_USAGE / LX_EXIT_RUNTIME) on failure, LX_EXIT_OK on success; release the
 * view with lx_market_view_release. (indexer/cli/market.c)
 */
int lx_cli_load_market(const struct lx_cli_args *a, struct lx_market_view *mv, unsigned flags);
#define LX_OPT_DEPLOYMENT {"deployment", true, false, "NAME  deployment within the chain"}

/* Handlers, one per cmd_<name>.c. */
int lx_cmd_help(const struct lx_cli_args *a);
int lx_cmd_version(const struct lx_cli_args *a);
int lx_cmd_chain(const struct lx_cli_args *a);
int lx_cmd_sync(const struct lx_cli_args *a);
int lx_cmd_position(const struct lx_cli_args *a);
int lx_cmd_dump(const struct lx_cli_args *a);
int lx_cmd_decode(const struct lx_cli_args *a);
int lx_cmd_leverage(const struct lx_cli_args *a);
int lx_cmd_clusters(const struct lx_cli_args *a);
int lx_cmd_cascade(const struct lx_cli_args *a);
int lx_cmd_report(const struct lx_cli_args *a);
int lx_cmd_entity(const struct lx_cli_args *a);

#endif
