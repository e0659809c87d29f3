/*
 * paths.c: where the binary finds its read-only data (chain configs, event ABIs), so an
 * installed lendex works without the source tree it was built from. Search order, first
 * existing directory wins: the environment, ../share/lendex/<kind> next to the executable (what
 * `cmake --install` lays out, relocatable), the source tree (a build-tree binary), the
 * configured install prefix.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static bool is_dir(const char *p)
{
	struct stat st;
	return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir of the running executable into out (empty when unknown) */
static void exe_dir(char *out, size_t cap)
{
	out[0] = 0;
	ssize_t n = readlink("/proc/self/exe", out, cap - 1);
	if (n <= 0)
		return;
	out[n] = 0;
	char *slash = strrchr(out, '/');
	if (slash)
		*slash = 0;
	else
		out[0] = 0;
}

const char *lx_cli_data_dir(enum lx_data_kind kind)
{
	static char found[2][PATH_MAX + 32];
	char *res = found[kind == LX_DATA_ABI];
	if (res[0])
		return res;
	const char *env = getenv(kind == LX_DATA_ABI ? "LENDEX_ABI_DIR" : "LENDEX_CHAINS");
	const char *sub = kind == LX_DATA_ABI ? "abi" : "chains";
	const char *src = kind == LX_DATA_ABI ? LX_SOURCE_ABI_DIR : LX_SOURCE_CHAINS_DIR;
	/* beside holds exe plus "/../share/lendex/chains": room for it, so no truncation (gcc's
	 * -Wformat-truncation fails the -Werror ASan build otherwise) */
	char exe[PATH_MAX], beside[PATH_MAX + 32], inst[PATH_MAX];
	exe_dir(exe, sizeof(exe));
	beside[0] = 0;
	if (exe[0])
		snprintf(beside, sizeof(beside), "%s/../share/lendex/%s", exe, sub);
	snprintf(inst, sizeof(inst), "%s/%s", LX_INSTALL_DATA_DIR, sub);
	/* an explicit setting wins even when it does not exist: the error then names it */
	const char *pick = env && *env ? env
			   : is_dir(beside) ? beside
			   : is_dir(src)    ? src
					    : inst;
	snprintf(res, sizeof(found[0]), "%s", pick);
	return res;
}
