/*
 * err.c: names of lendex error codes and the error record helpers (see err.h).
 *
 * Messages are formatted into a scratch buffer and then copied into the record, so an
 * argument may be the record's own message; a message that does not fit is cut on a UTF-8
 * character boundary and ends in "..." so a reader knows it was cut.
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
	case LX_ERLP: return "malformed rlp";
	case LX_EVERIFY: return "verification failed";
	case LX_EREVERTED: return "contract read reverted";
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

/*
 * Cuts s (of length len) to at most cap-1 bytes without splitting a UTF-8 sequence, so a
 * message quoting "0xab…" never ends in half a character, and marks the cut with "...".
 */
static void copy_bounded(char *dst, size_t cap, const char *s, size_t len)
{
	if (len < cap) {
		memcpy(dst, s, len);
		dst[len] = 0;
		return;
	}
	size_t n = cap - 1;
	/* back off over continuation bytes to the start of the character that did not fit */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(dst, s, n);
	if (n >= 3) {
		size_t m = n - 3;
		while (m > 0 && ((unsigned char)dst[m] & 0xc0) == 0x80)
			m--;
		memcpy(dst + m, "...", 3);
		n = m + 3;
	}
	dst[n] = 0;
}

/*
 * Formats into a scratch buffer first: callers may pass err->msg itself as an argument
 * (lx_error_set(err, c, "tx %s: %s", tx, err->msg)), and vsnprintf must not overlap.
 */
__attribute__((format(printf, 4, 0))) static int vset(struct lx_error *err, int code, long detail,
						   const char *fmt, va_list ap)
{
	if (!err)
		return code;
	char tmp[2 * sizeof(err->msg)];
	int len = fmt ? vsnprintf(tmp, sizeof(tmp), fmt, ap) : 0;
	if (len <= 0) /* never an empty message: at least the code's name */
		len = snprintf(tmp, sizeof(tmp), "%s", lx_strerror(code));
	size_t n = (size_t)len < sizeof(tmp) ? (size_t)len : sizeof(tmp) - 1;
	copy_bounded(err->msg, sizeof(err->msg), tmp, n);
	err->code = code;
	err->detail = detail;
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
	if (!err)
		return LX_EINVAL;
	/* a record the failing callee left clear or empty still gets a message: the context, and
	 * what is known of the cause, so no error ever reaches the user as an empty line */
	if (err->code == 0)
		lx_error_set(err, LX_EINVAL, "unknown error (the failing step left no detail)");
	else if (!err->msg[0])
		lx_error_setd(err, err->code, err->detail, "%s", lx_strerror(err->code));
	if (!fmt)
		return err->code;
	char tmp[3 * sizeof(err->msg)];
	va_list ap;
	va_start(ap, fmt);
	int pl = vsnprintf(tmp, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (pl < 0)
		pl = 0;
	size_t n = (size_t)pl < sizeof(err->msg) ? (size_t)pl : sizeof(err->msg) - 1;
	size_t ol = strnlen(err->msg, sizeof(err->msg) - 1);
	memcpy(tmp + n, ": ", 2);
	memcpy(tmp + n + 2, err->msg, ol);
	copy_bounded(err->msg, sizeof(err->msg), tmp, n + 2 + ol);
	return err->code;
}
