/*
 * err.c: names of lendex error codes and the error record helpers (see err.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lendex/err.h"

const char *lx_strerror(int code)
{
	switch (code) {
	case LX_OK: return "ok";
	case LX_EINVAL: return "invalid argument";
	case LX_ENOMEM: return "out of memory";
	case LX_EOVERFLOW: return "overflow";
	case LX_EDIVZERO: return "division by zero";
	case LX_EPARSE: return "parse error";
	case LX_EIO: return "i/o error";
	case LX_ETRANSPORT: return "transport error";
	case LX_ERPC: return "json-rpc error";
	case LX_ESTORE: return "store error";
	case LX_ENOTFOUND: return "not found";
	case LX_ESCHEMA: return "schema version mismatch";
	case LX_ECORRUPT: return "corrupt data";
	case LX_ESHORT: return "short data";
	case LX_EOFFSET: return "bad offset";
	case LX_ELENGTH: return "bad length";
	case LX_EPADDING: return "non-canonical padding";
	case LX_EUNKNOWN: return "unknown item";
	case LX_ETIMEOUT: return "timeout";
	case LX_ERANGE: return "range refused by provider";
	case LX_ERATELIMIT: return "rate limited";
	case LX_EREORG: return "reorg deeper than the window";
	case LX_ECHAIN: return "wrong chain";
	case LX_EUSAGE: return "usage error";
	case LX_EBADRESP: return "malformed response";
	case LX_ETOPICS: return "topic count mismatch";
	case LX_EHTTP: return "http error";
	case LX_EMAPFULL: return "store map full";
	default: return "unknown error";
	}
}

void lx_error_clear(struct lx_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->detail = 0;
	err->msg[0] = 0;
}

__attribute__((format(printf, 4, 0))) static int vset(struct lx_error *err, int code, long detail,
						   const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	err->detail = detail;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int lx_error_set(struct lx_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int lx_error_setd(struct lx_error *err, int code, long detail, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, code, detail, fmt, ap);
	va_end(ap);
	return code;
}

int lx_error_prefix(struct lx_error *err, const char *fmt, ...)
{
	if (!err || err->code == 0)
		return LX_EINVAL;
	char pre[256], old[sizeof(err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	size_t pl = strlen(pre), ol = strlen(old), cap = sizeof(err->msg) - 1;
	size_t n = 0;
	for (size_t i = 0; i < pl && n < cap; i++)
		err->msg[n++] = pre[i];
	for (size_t i = 0; i < 2 && n < cap; i++)
		err->msg[n++] = ": "[i];
	for (size_t i = 0; i < ol && n < cap; i++)
		err->msg[n++] = old[i];
	err->msg[n] = 0;
	return err->code;
}
