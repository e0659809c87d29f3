/*
 * fuzz_abi_decode.c: libFuzzer target for the ABI log decoder (untrusted bytes from nodes).
 * Input: first byte picks an event and a topic count, then 32-byte topics, the rest is data.
 * The events cover static words, bytes/string, dynamic and fixed arrays, nested tuples.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lendex/abi.h"

static struct lx_abi_set *set;

static const char *ABI =
	"[{\"type\":\"event\",\"name\":\"A\",\"inputs\":["
	"{\"name\":\"a\",\"type\":\"address\",\"indexed\":true},"
	"{\"name\":\"b\",\"type\":\"uint8\"},{\"name\":\"c\",\"type\":\"int16\"},"
	"{\"name\":\"d\",\"type\":\"bytes3\"},{\"name\":\"e\",\"type\":\"bytes\"},"
	"{\"name\":\"f\",\"type\":\"string\",\"indexed\":true},{\"name\":\"g\",\"type\":\"string\"},"
	"{\"name\":\"h\",\"type\":\"uint256[]\"},"
	"{\"name\":\"i\",\"type\":\"tuple[2]\",\"components\":[{\"name\":\"p\",\"type\":\"uint64\"},"
	"{\"name\":\"q\",\"type\":\"string\"}]},"
	"{\"name\":\"j\",\"type\":\"uint16[][]\"},{\"name\":\"k\",\"type\":\"bool\"}]},"
	"{\"type\":\"event\",\"name\":\"B\",\"inputs\":[{\"name\":\"x\",\"type\":\"tuple\","
	"\"components\":[{\"name\":\"m\",\"type\":\"bytes[]\"},{\"name\":\"n\",\"type\":\"tuple[]\","
	"\"components\":[{\"name\":\"o\",\"type\":\"int256[3]\"}]}]}]},"
	"{\"type\":\"event\",\"name\":\"C\",\"inputs\":[{\"name\":\"r\",\"type\":\"address\","
	"\"indexed\":true},{\"name\":\"s\",\"type\":\"uint256\"}]}]";

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	if (!set) {
		json_t *j = json_loads(ABI, 0, NULL);
		if (lx_abi_set_create(&set, NULL) || lx_abi_set_add_json(set, j, "fuzz", NULL))
			__builtin_trap();
		json_decref(j);
	}
	if (len < 1)
		return 0;
	const struct lx_abi_event *ev = set->events[in[0] % set->n];
	size_t nt = (in[0] >> 4) % 5;
	in++;
	len--;
	if (len < nt * 32)
		return 0;
	uint8_t topics[4][32];
	memcpy(topics, in, nt * 32);
	struct lx_abi_decoded *d;
	if (lx_abi_decode_log(&d, ev, (const uint8_t(*)[32])topics, nt, in + nt * 32, len - nt * 32,
			      NULL) == 0) {
		json_t *o = lx_abi_args_json(d);
		char *s = json_dumps(o, JSON_COMPACT);
		free(s);
		json_decref(o);
		lx_abi_decoded_free(d);
	}
	return 0;
}
