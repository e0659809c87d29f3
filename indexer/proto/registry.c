/*
 * registry.c: the protocol registry. A new protocol adds its ops here (one line) and its own
 * file; sync and the CLI find handlers only through lx_proto_find / lx_proto_create.
 */
#include <string.h>

#include "lendex/chain.h"
#include "lendex/proto.h"

extern const struct lx_proto_ops lx_proto_aave_v2;
extern const struct lx_proto_ops lx_proto_aave_v3;
extern const struct lx_proto_ops lx_proto_aave_v4;
extern const struct lx_proto_ops lx_proto_compound_v3;
extern const struct lx_proto_ops lx_proto_morpho_blue;

static const struct lx_proto_ops *const registry[] = {
	&lx_proto_aave_v2,
	&lx_proto_aave_v3,
	&lx_proto_aave_v4,
	&lx_proto_compound_v3,
	&lx_proto_morpho_blue,
};

const struct lx_proto_ops *lx_proto_find(const char *name)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const struct lx_proto_ops *lx_proto_find_id(uint32_t protocol)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (registry[i]->protocol == protocol)
			return registry[i];
	return NULL;
}

int lx_proto_create(struct lx_proto **out, const struct lx_chain *chain,
		    const struct lx_deployment *dep, const char *abi_dir,
		    struct lx_store_txn *txn, struct lx_error *err)
{
	*out = NULL;
	const struct lx_proto_ops *ops = lx_proto_find_id(lx_deployment_protocol(dep));
	if (!ops)
		return lx_error_set(err, LX_EINVAL,
				    "deployment '%s': protocol not supported by this lendex yet",
				    lx_deployment_name(dep));
	return ops->create(out, chain, dep, abi_dir, txn, err);
}

void lx_proto_destroy(struct lx_proto *p)
{
	if (p)
		p->ops->destroy(p);
}
