/*
 * main.c: `lendex <command> [options] [args]`. Finds the command in the table, parses the
 * options it declares, checks arity, and runs it. Nothing else lives here.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "lendex/u256.h"

/*
 * The first error line of this run: main() repeats it as a JSON error object on stdout when
 * --json was given, so a script never parses an empty stdout, and it is how main() notices a
 * failure that printed nothing (a bug: every failure names its input).
 */
static char first_error[1024];
static bool json_mode;

void lx_cli_errorf(const char *fmt, ...)
{
	char msg[sizeof(first_error)];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n <= 0 || !msg[0])
		snprintf(msg, sizeof(msg), "an error with an empty message (a lendex bug)");
	fprintf(stderr, "lendex: %s\n", msg);
	if (!first_error[0]) {
		/* only the first line: "wrong number of arguments\nusage: ..." keeps its usage */
		size_t l = strcspn(msg, "\n");
		memcpy(first_error, msg, l);
		first_error[l] = 0;
	}
}

void lx_cli_warnf(const char *fmt, ...)
{
	va_list ap;
	fputs("lendex: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The error object printed on stdout with --json: {"error":{"code":N,"kind":..,"message":..}} */
static void print_json_error(int exit_code)
{
	json_t *j = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", exit_code, "kind",
			      exit_code == LX_EXIT_USAGE ? "usage" : "runtime", "message",
			      first_error);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (s)
		puts(s);
	free(s);
	json_decref(j);
	fflush(stdout);
}

const struct lx_command *lx_cli_find(const char *name)
{
	for (const struct lx_command *c = lx_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int opt_index(const struct lx_cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->n_opts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool lx_cli_has(const struct lx_cli_args *a, const char *name)
{
	int i = opt_index(a, name);
	return i >= 0 && a->count[i] > 0;
}

const char *lx_cli_get(const struct lx_cli_args *a, const char *name, const char *def)
{
	int i = opt_index(a, name);
	if (i < 0 || a->count[i] == 0 || !a->opts[i].has_arg)
		return def;
	int n = a->count[i] > LX_CLI_MAX_VALUES ? LX_CLI_MAX_VALUES : a->count[i];
	return a->values[i][n - 1];
}

int lx_cli_all(const struct lx_cli_args *a, const char *name, const char *const **vals)
{
	int i = opt_index(a, name);
	*vals = NULL;
	if (i < 0 || a->count[i] == 0 || !a->opts[i].has_arg)
		return 0;
	*vals = a->values[i];
	return a->count[i] > LX_CLI_MAX_VALUES ? LX_CLI_MAX_VALUES : a->count[i];
}

int lx_cli_u64(const struct lx_cli_args *a, const char *name, unsigned long long def,
	       unsigned long long *out)
{
	*out = def;
	const char *v = lx_cli_get(a, name, NULL);
	if (!v)
		return 0;
	struct lx_u256 x;
	uint64_t u;
	if (lx_u256_parse(&x, v, strlen(v)) != 0 || lx_u256_to_u64(&u, &x) != 0) {
		lx_cli_errorf("bad value '%s' for --%s: expected an unsigned integer", v, name);
		return -1;
	}
	*out = u;
	return 1;
}

const char *lx_cli_datadir(const struct lx_cli_args *a)
{
	const char *d = lx_cli_get(a, "datadir", NULL);
	if (!d)
		d = getenv("LENDEX_DATADIR");
	return d && *d ? d : "lendex-data";
}

const char *lx_cli_chainsdir(const struct lx_cli_args *a)
{
	const char *d = lx_cli_get(a, "chains-dir", NULL);
	return d && *d ? d : LX_DEFAULT_CHAINS_DIR;
}

/* Parses argv (after the command name) against cmd's option table. */
static int parse_args(struct lx_cli_args *a, const struct lx_command *cmd, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->opts = cmd->opts;
	while (cmd->opts && cmd->opts[a->n_opts].name && a->n_opts < LX_CLI_MAX_OPTS)
		a->n_opts++;
	bool only_pos = false;
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		if (!only_pos && strcmp(s, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (!only_pos && s[0] == '-' && s[1] == '-' && s[2]) {
			const char *name = s + 2;
			const char *eq = strchr(name, '=');
			char buf[64];
			size_t nl = eq ? (size_t)(eq - name) : strlen(name);
			if (nl >= sizeof(buf)) {
				lx_cli_errorf("unknown option '%s' for '%s' (try 'lendex help %s')", s,
					      cmd->name, cmd->name);
				return -1;
			}
			memcpy(buf, name, nl);
			buf[nl] = 0;
			int k = opt_index(a, buf);
			if (k < 0) {
				lx_cli_errorf("unknown option '--%s' for '%s' (try 'lendex help %s')", buf,
					      cmd->name, cmd->name);
				return -1;
			}
			const struct lx_cli_opt *o = &a->opts[k];
			const char *val = NULL;
			if (o->has_arg) {
				if (eq)
					val = eq + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else {
					lx_cli_errorf("option '--%s' needs a value", buf);
					return -1;
				}
			} else if (eq) {
				lx_cli_errorf("option '--%s' takes no value", buf);
				return -1;
			}
			if (a->count[k] > 0 && !o->multi && !o->has_arg) {
				/* repeated flag: harmless */
			}
			if (a->count[k] >= LX_CLI_MAX_VALUES) {
				lx_cli_errorf("option '--%s' given too many times", buf);
				return -1;
			}
			if (a->count[k] > 0 && o->has_arg && !o->multi) {
				lx_cli_errorf("option '--%s' given twice", buf);
				return -1;
			}
			a->values[k][a->count[k]++] = val;
			continue;
		}
		if (a->n_pos >= LX_CLI_MAX_POS) {
			lx_cli_errorf("too many arguments for '%s'", cmd->name);
			return -1;
		}
		a->pos[a->n_pos++] = s;
	}
	if (a->n_pos < cmd->min_pos || (cmd->max_pos >= 0 && a->n_pos > cmd->max_pos)) {
		lx_cli_errorf("wrong number of arguments for '%s'\nusage: lendex %s", cmd->name,
			      cmd->usage);
		return -1;
	}
	return 0;
}

/*
 * LMDB maps the store and trusts it: a page number that points past the end of data.mdb (the
 * file truncated while open, or damaged where lx_store_open cannot see) is a SIGBUS, not an
 * error code. The handler prints the same one-line error as any other and exits 2; the lines
 * are formatted in advance because a signal handler may only write(2).
 */
static char bus_err[1400], bus_json[1600];
static size_t bus_err_len, bus_json_len;

static void on_sigbus(int sig)
{
	(void)sig;
	ssize_t w = write(2, bus_err, bus_err_len);
	if (bus_json_len)
		w = write(1, bus_json, bus_json_len);
	(void)w;
	_exit(LX_EXIT_RUNTIME);
}

void lx_cli_guard_store(const char *dir)
{
	char msg[1200];
	snprintf(msg, sizeof(msg),
		 "store corrupt: %s/data.mdb: read past the end of the file (truncated while open, "
		 "or a damaged page number)",
		 dir);
	int n = snprintf(bus_err, sizeof(bus_err), "lendex: %s\n", msg);
	bus_err_len = n > 0 && (size_t)n < sizeof(bus_err) ? (size_t)n : 0;
	bus_json_len = 0;
	if (json_mode) {
		json_t *j = json_pack("{s:{s:i,s:s,s:s}}", "error", "code", LX_EXIT_RUNTIME, "kind",
				      "runtime", "message", msg);
		char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
		if (t && strlen(t) + 2 < sizeof(bus_json))
			bus_json_len = (size_t)snprintf(bus_json, sizeof(bus_json), "%s\n", t);
		free(t);
		json_decref(j);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

static int finish(int rc)
{
	if (rc != LX_EXIT_OK && !first_error[0])
		lx_cli_errorf("failed with exit code %d without saying why (a lendex bug)", rc);
	if (rc != LX_EXIT_OK && json_mode)
		print_json_error(rc);
	return rc;
}

int main(int argc, char **argv)
{
	/* known before the options are parsed, so a usage error is also answered in JSON */
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			json_mode = true;
	if (argc < 2) {
		struct lx_cli_args none = {0};
		lx_cmd_help(&none);
		return LX_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	if (strcmp(name, "--version") == 0)
		name = "version";
	const struct lx_command *cmd = lx_cli_find(name);
	if (!cmd) {
		lx_cli_errorf("unknown command '%s' (try 'lendex help')", name);
		return finish(LX_EXIT_USAGE);
	}
	static struct lx_cli_args args;
	if (parse_args(&args, cmd, argc - 2, argv + 2) != 0)
		return finish(LX_EXIT_USAGE);
	return finish(cmd->run(&args));
}
