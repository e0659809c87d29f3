/*
 * loops.c: loop detection — the leverage loops an account's own flows built and still holds
 * (risk.h: lx_risk_loops; the definition in docs/risk.md, "Loop depth"). One model:
 *
 * A loop round is a borrow whose proceeds come back as collateral of the same account while
 * that debt is open. Flows are the account's Supply / Borrow / Repay / Withdraw / liquidation /
 * aToken-transfer events, keyed by the account they act for (Aave's onBehalfOf), so a contract
 * acting for the account (a position manager, a flash-loan adapter) counts as the account.
 *  - Same transaction: a borrow pairs with the nearest later supply of the transaction; in a
 *    transaction that took a flash loan also with an earlier one (flash loan → swap →
 *    supply → borrow that repays the flash loan). Without a flash loan, "supply then borrow"
 *    in one transaction is a deposit-and-borrow, not a loop.
 *  - Later transaction: a supply within window_blocks of an open, unpaired borrow pairs with
 *    the most recent such borrow when its value is about the borrow's open value.
 *  - Value: amounts at the view's prices (the store keeps no price history), supply / borrow
 *    in [min_ratio, max_ratio] (same transaction: no upper bound — own capital is added).
 *  - Any asset pair: correlated when debt and collateral are in one correlation group (or the
 *    same asset), directional otherwise (stablecoin debt against ETH, ETH debt against USD).
 *  - Repays (and the debt a liquidation repays) reduce the account's open borrows of that
 *    asset, most recent first; withdrawals, aToken transfers out and seized collateral reduce
 *    its supplies of that asset, most recent first (collateral seized as aTokens is counted
 *    once, not also as the transfer to the liquidator). A round whose borrow is repaid or
 *    whose supply is gone is closed: depth counts the rounds still open (current exposure).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lendex/risk.h"

const struct lx_loop_params lx_loop_defaults = {LX_LOOP_WINDOW_BLOCKS, 0.5, 2.0};

struct leg {
	uint32_t asset;
	uint64_t block;
	size_t flow;       /* index in a->flows */
	double orig, rem;  /* token units (double: only ratios and closure are decided here) */
	long round;        /* index in rounds[], -1 when unpaired */
};

struct round {
	size_t b, s;       /* legs */
	bool flash;
};

static double tok(const struct lx_u256 *v)
{
	return lx_u256_to_double(v);
}

static double value(const struct lx_market_view *mv, uint32_t asset, double amount)
{
	if (asset >= mv->n_assets)
		return 0;
	return amount * lx_u256_to_double(&mv->assets[asset].price) /
	       pow(10, mv->assets[asset].decimals) * lx_model_price_to_base(mv);
}

static bool open_leg(const struct leg *l)
{
	return l->rem > l->orig * 1e-9 && l->rem > 0;
}

static bool correlated(const struct lx_market_view *mv, uint32_t a, uint32_t b)
{
	if (a == b)
		return true;
	if (a >= mv->n_assets || b >= mv->n_assets)
		return false;
	uint16_t ga = mv->assets[a].group, gb = mv->assets[b].group;
	return ga && ga == gb;
}

/* does the transaction (block, tx) hold a market flash loan? market_flows are block-ordered */
static bool flash_tx(const struct lx_market_view *mv, uint64_t block, const uint8_t tx[32])
{
	size_t lo = 0, hi = mv->n_market_flows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mv->market_flows[mid].block < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < mv->n_market_flows && mv->market_flows[i].block == block; i++)
		if (mv->market_flows[i].kind == LX_FLOW_FLASH_LOAN &&
		    memcmp(mv->market_flows[i].tx, tx, 32) == 0)
			return true;
	return false;
}

/*
 * A liquidation that hands the collateral over as aTokens shows it twice: the aToken's transfer
 * to the liquidator and the pool's LiquidationCall. In transaction [i, j), is flow k such a
 * transfer (same asset, the seized amount within rounding)? Each seizure excuses one transfer.
 */
static bool seizure_transfer(const struct lx_account_view *a, size_t i, size_t j, size_t k,
			     bool *used)
{
	const struct lx_flow *t = &a->flows[k];
	double amt = tok(&t->amount);
	for (size_t m = i; m < j; m++) {
		const struct lx_flow *f = &a->flows[m];
		if (f->kind != LX_FLOW_LIQUIDATED || f->asset != t->asset || used[m - i])
			continue;
		double s = tok(&f->amount);
		if (fabs(s - amt) <= 1 + s * 1e-12) {
			used[m - i] = true;
			return true;
		}
	}
	return false;
}

/* reduce the open legs of `asset` by amount, most recent first */
static void reduce(struct leg *legs, size_t n, uint32_t asset, double amount)
{
	for (size_t i = n; i-- > 0 && amount > 0;) {
		struct leg *l = &legs[i];
		if (l->asset != asset || !open_leg(l))
			continue;
		double t = amount < l->rem ? amount : l->rem;
		l->rem -= t;
		amount -= t;
	}
}

/* market_of: NULL, or per asset of mv the market it belongs to (out->across) */
static int find_loops(const struct lx_market_view *mv, const struct lx_account_view *a,
		      const struct lx_loop_params *p, const uint32_t *market_of,
		      struct lx_loops *out)
{
	if (a->n_flows == 0)
		return 0;
	size_t n = a->n_flows;
	struct leg *bl = calloc(n, sizeof(*bl)), *sl = calloc(n, sizeof(*sl));
	struct round *rounds = calloc(n, sizeof(*rounds));
	long *leg_of = calloc(n, sizeof(*leg_of)); /* flow → its leg (borrow or supply) */
	bool *used = calloc(n, sizeof(*used));     /* seizures already matched to a transfer */
	if (!bl || !sl || !rounds || !leg_of || !used) {
		free(bl);
		free(sl);
		free(rounds);
		free(leg_of);
		free(used);
		return LX_ENOMEM;
	}
	size_t nb = 0, ns = 0, nr = 0;
	for (size_t i = 0; i < n;) {
		/* one transaction: a run of flows with the same block and hash */
		size_t j = i + 1;
		while (j < n && a->flows[j].block == a->flows[i].block &&
		       memcmp(a->flows[j].tx, a->flows[i].tx, 32) == 0)
			j++;
		bool flash = flash_tx(mv, a->flows[i].block, a->flows[i].tx);
		size_t b0 = nb, s0 = ns;
		for (size_t k = i; k < j; k++) {
			const struct lx_flow *f = &a->flows[k];
			struct leg *l = NULL;
			if (f->kind == LX_FLOW_BORROW) {
				leg_of[k] = (long)nb;
				l = &bl[nb++];
			} else if (f->kind == LX_FLOW_SUPPLY) {
				leg_of[k] = (long)ns;
				l = &sl[ns++];
			} else {
				leg_of[k] = -1;
				continue;
			}
			l->asset = f->asset;
			l->block = f->block;
			l->flow = k;
			l->orig = l->rem = tok(&f->amount);
			l->round = -1;
		}
		/* pair inside the transaction: a later supply first, an earlier one only after a
		 * flash loan */
		for (size_t x = b0; x < nb; x++) {
			double vb = value(mv, bl[x].asset, bl[x].orig);
			long best = -1;
			for (size_t y = s0; y < ns && best < 0; y++)
				if (sl[y].round < 0 && sl[y].flow > bl[x].flow &&
				    value(mv, sl[y].asset, sl[y].orig) >= p->min_ratio * vb)
					best = (long)y;
			for (size_t y = ns; flash && best < 0 && y-- > s0;)
				if (sl[y].round < 0 && sl[y].flow < bl[x].flow &&
				    value(mv, sl[y].asset, sl[y].orig) >= p->min_ratio * vb)
					best = (long)y;
			if (best >= 0) {
				rounds[nr] = (struct round){x, (size_t)best, flash};
				bl[x].round = sl[best].round = (long)nr++;
			}
		}
		/* then the transaction's effects in log order */
		for (size_t k = i; k < j; k++) {
			const struct lx_flow *f = &a->flows[k];
			double amt = tok(&f->amount);
			switch (f->kind) {
			case LX_FLOW_SUPPLY: {
				struct leg *s = &sl[leg_of[k]];
				if (s->round >= 0)
					break;
				double vs = value(mv, s->asset, s->orig);
				for (size_t x = b0; x-- > 0;) {
					struct leg *b = &bl[x];
					if (b->block + p->window_blocks < s->block)
						break; /* legs are block-ordered: older are out too */
					if (b->round >= 0 || !open_leg(b))
						continue;
					double vb = value(mv, b->asset, b->rem);
					if (vb > 0 && vs >= p->min_ratio * vb &&
					    vs <= p->max_ratio * vb) {
						rounds[nr] =
						    (struct round){x, (size_t)leg_of[k], false};
						b->round = s->round = (long)nr++;
						break;
					}
				}
				break;
			}
			case LX_FLOW_REPAY:
				reduce(bl, nb, f->asset, amt);
				break;
			case LX_FLOW_TRANSFER_OUT:
				if (seizure_transfer(a, i, j, k, used))
					break; /* counted by its LiquidationCall */
				reduce(sl, ns, f->asset, amt);
				break;
			case LX_FLOW_WITHDRAW:
			case LX_FLOW_LIQUIDATED:
				reduce(sl, ns, f->asset, amt);
				break;
			default:
				break;
			}
		}
		i = j;
	}
	/* current exposure only: a loop needs debt today */
	bool has_debt = false;
	for (size_t k = 0; k < a->n_pos; k++)
		has_debt |= !lx_u256_is_zero(&a->pos[k].borrowed);
	out->built = (unsigned)nr;
	for (size_t r = 0; r < nr && has_debt; r++) {
		const struct leg *b = &bl[rounds[r].b], *s = &sl[rounds[r].s];
		if (!open_leg(b) || !open_leg(s))
			continue;
		out->rounds++;
		if (correlated(mv, b->asset, s->asset))
			out->correlated++;
		else
			out->directional++;
		out->flash += rounds[r].flash;
		out->looped_collateral += value(mv, s->asset, s->rem);
		if (market_of && market_of[b->asset] != market_of[s->asset])
			out->across++;
	}
	free(bl);
	free(sl);
	free(rounds);
	free(leg_of);
	free(used);
	return 0;
}

int lx_risk_loops(const struct lx_market_view *mv, const struct lx_account_view *a,
		  const struct lx_loop_params *p, struct lx_loops *out)
{
	if (!out)
		return LX_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!mv || !a)
		return LX_EINVAL;
	return find_loops(mv, a, p ? p : &lx_loop_defaults, NULL, out);
}

/* merged flows in (block, log) order; a stable tie-break keeps a log's own flows in order */
struct mflow {
	struct lx_flow f;
	size_t seq;
};

static int cmp_mflow(const void *x, const void *y)
{
	const struct mflow *a = x, *b = y;
	if (a->f.block != b->f.block)
		return a->f.block < b->f.block ? -1 : 1;
	if (a->f.log_index != b->f.log_index)
		return a->f.log_index < b->f.log_index ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int sort_flows(struct lx_flow *out, const struct lx_flow *in, size_t n)
{
	struct mflow *t = malloc((n ? n : 1) * sizeof(*t));
	if (!t)
		return LX_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		t[i].f = in[i];
		t[i].seq = i;
	}
	qsort(t, n, sizeof(*t), cmp_mflow);
	for (size_t i = 0; i < n; i++)
		out[i] = t[i].f;
	free(t);
	return 0;
}

/*
 * The merged market: assets of every market one after the other (offset[k] is market k's
 * first), priced in USD (8 decimals, so value() compares USD), grouped by class; one account
 * holding the account's positions (for "has debt") and flows of every market.
 */
int lx_risk_loops_across(const struct lx_loop_market *m, size_t n, const struct lx_addr *account,
			 const struct lx_loop_params *p, struct lx_loops *out)
{
	if (!out)
		return LX_EINVAL;
	memset(out, 0, sizeof(*out));
	if ((!m && n) || !account)
		return LX_EINVAL;
	size_t na = 0, np = 0, nf = 0, nmf = 0;
	for (size_t k = 0; k < n; k++) {
		const struct lx_market_view *mv = m[k].mv;
		na += mv->n_assets;
		nmf += mv->n_market_flows;
		for (size_t i = 0; i < mv->n_accounts; i++)
			if (lx_addr_eq(&mv->accounts[i].account, account)) {
				np += mv->accounts[i].n_pos;
				nf += mv->accounts[i].n_flows;
			}
	}
	struct lx_market_view u;
	struct lx_account_view ua;
	memset(&u, 0, sizeof(u));
	memset(&ua, 0, sizeof(ua));
	u.assets = calloc(na ? na : 1, sizeof(*u.assets));
	uint32_t *market_of = calloc(na ? na : 1, sizeof(*market_of));
	ua.pos = calloc(np ? np : 1, sizeof(*ua.pos));
	struct lx_flow *fl = calloc(nf ? nf : 1, sizeof(*fl));
	u.market_flows = calloc(nmf ? nmf : 1, sizeof(*u.market_flows));
	ua.flows = calloc(nf ? nf : 1, sizeof(*ua.flows));
	int rc = LX_ENOMEM;
	if (!u.assets || !market_of || !ua.pos || !fl || !u.market_flows || !ua.flows)
		goto out;
	size_t off = 0;
	for (size_t k = 0; k < n; k++) {
		const struct lx_market_view *mv = m[k].mv;
		for (size_t i = 0; i < mv->n_assets; i++) {
			struct lx_asset_info *x = &u.assets[off + i];
			x->asset = mv->assets[i].asset;
			x->decimals = mv->assets[i].decimals;
			x->group = m[k].klass ? m[k].klass[i] : 0;
			if (m[k].usd)
				x->price = m[k].usd[i]; /* one whole token in USD: value() is USD */
			market_of[off + i] = (uint32_t)k;
		}
		for (size_t i = 0; i < mv->n_market_flows; i++) {
			struct lx_flow f = mv->market_flows[i];
			f.asset += (uint32_t)off;
			u.market_flows[u.n_market_flows++] = f;
		}
		for (size_t i = 0; i < mv->n_accounts; i++) {
			const struct lx_account_view *ac = &mv->accounts[i];
			if (!lx_addr_eq(&ac->account, account))
				continue;
			for (size_t j = 0; j < ac->n_pos; j++) {
				ua.pos[ua.n_pos] = ac->pos[j];
				ua.pos[ua.n_pos++].asset += (uint32_t)off;
			}
			for (size_t j = 0; j < ac->n_flows; j++) {
				struct lx_flow f = ac->flows[j];
				if (f.asset >= mv->n_assets)
					continue;
				const struct lx_asset_info *inf = &mv->assets[f.asset];
				/* a supply that cannot be collateral there is lending, not a leg;
				 * a flow in a token with no USD price cannot be valued */
				if ((f.kind == LX_FLOW_SUPPLY && !inf->liq_threshold_bps) ||
				    !m[k].usd || lx_u256_is_zero(&m[k].usd[f.asset]))
					continue;
				f.asset += (uint32_t)off;
				fl[ua.n_flows++] = f;
			}
		}
		off += mv->n_assets;
	}
	u.n_assets = na;
	ua.account = *account;
	if ((rc = sort_flows(ua.flows, fl, ua.n_flows)) ||
	    (rc = sort_flows(u.market_flows, u.market_flows, u.n_market_flows)))
		goto out;
	u.accounts = &ua;
	u.n_accounts = 1;
	rc = find_loops(&u, &ua, p ? p : &lx_loop_defaults, market_of, out);
out:
	free(u.assets);
	free(market_of);
	free(ua.pos);
	free(fl);
	free(u.market_flows);
	free(ua.flows);
	return rc;
}

unsigned lx_risk_loop_depth(const struct lx_market_view *mv, const struct lx_account_view *a)
{
	struct lx_loops l;
	return lx_risk_loops(mv, a, NULL, &l) == 0 ? l.rounds : 0;
}
