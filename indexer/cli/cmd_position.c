/*
 * cmd_position.c: `lendex position ADDRESS` — one account's exposure from the store alone, as
 * of the synced head. Per market it is on (every deployment of every synced chain, and every
 * sub-market of a deployment with isolated markets): per reserve the supplied and borrowed
 * amounts (token units and the market's base currency), the collateral flag and the prices at
 * which the account becomes liquidatable (that asset's oracle price falling or rising, the
 * others held; an e-mode category's price source on its own line); the account's totals exactly
 * as the protocol computes them (Aave: getUserAccountData). Then a total in USD over every
 * market, through the chain's USD price book (report.h: only oracles that answer in USD; a
 * token none of them lists is reported as having no USD price and left out of the total).
 * With --deployment: that deployment's market alone, as before.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "lendex/hex.h"
#include "lendex/proto.h"
#include "lendex/report.h"
#include "lendex/risk.h"
#include "lendex/store.h"
#include "position_v4.h"
#include "views.h"

/* Base value of amount at price with decimals, floor, as the protocol computes it. */
static void base_value(struct lx_u256 *out, const struct lx_u256 *amt, const struct lx_u256 *px,
		       unsigned dec)
{
	struct lx_u256 unit;
	lx_u256_pow10(&unit, dec);
	if (lx_u256_muldiv(out, amt, px, &unit))
		lx_u256_max(out);
}

/* Decimals of mv's prices (model.h: price_decimals, else base_decimals). */
static unsigned price_dec(const struct lx_market_view *mv)
{
	return mv->price_decimals ? mv->price_decimals : mv->base_decimals;
}

/* A position's base value in base units: its price scaled from price to base decimals first
 * (Aave V4: amount * price * 10^(18 - decimals), no rounding), then as base_value. */
static void pos_value(struct lx_u256 *out, const struct lx_market_view *mv,
		      const struct lx_u256 *amt, const struct lx_u256 *px, unsigned dec)
{
	struct lx_u256 p = *px, s;
	unsigned pd = price_dec(mv);
	if (mv->base_decimals > pd &&
	    (lx_u256_pow10(&s, mv->base_decimals - pd) || lx_u256_mul(&p, &p, &s))) {
		lx_u256_max(out);
		return;
	}
	base_value(out, amt, &p, dec);
}

/* The point of feed f in one direction (lx_risk_liq_points), or NULL when the feed moves none
 * of the account's collateral (fall) or debt (rise). */
static const struct lx_liq_point *liq_point(const struct lx_liq_point *pts, size_t n, uint32_t f,
					    bool rise)
{
	for (size_t k = 0; k < n; k++)
		if (pts[k].feed == f && pts[k].rise == rise)
			return &pts[k];
	return NULL;
}

/* A reserve's own price line: the point of the asset's own feed, or "none" when that feed
 * moves nothing of the account (e.g. the position is priced by an e-mode source). */
static json_t *own_price_json(const struct lx_liq_point *pts, size_t n, uint32_t asset, bool rise)
{
	const struct lx_liq_point *p = liq_point(pts, n, asset, rise);
	if (!p || p->status == LX_LIQ_NONE)
		return json_null();
	if (p->status != LX_LIQ_FOUND)
		return json_string("undecided");
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), &p->price);
	return json_string(b);
}

static void own_price_text(char *buf, size_t cap, const struct lx_liq_point *pts, size_t n,
			   uint32_t f, bool rise, unsigned bd)
{
	const struct lx_liq_point *p = liq_point(pts, n, f, rise);
	if (!p || p->status == LX_LIQ_NONE)
		snprintf(buf, cap, "none");
	else if (p->status != LX_LIQ_FOUND)
		snprintf(buf, cap, "undecided");
	else
		lx_u256_to_fixed(buf, cap, &p->price, bd);
}

static json_t *u256_json(const struct lx_u256 *v)
{
	char b[LX_U256_DEC_MAX];
	lx_u256_to_dec(b, sizeof(b), v);
	return json_string(b);
}

static void fixed(char *buf, size_t cap, const struct lx_u256 *v, unsigned dec)
{
	lx_u256_to_fixed(buf, cap, v, dec);
}

static const char *proto_name(const struct lx_deployment *d)
{
	const struct lx_proto_ops *ops = d ? lx_proto_find_id(d->protocol) : NULL;
	return ops ? ops->name : "?";
}

/* Blocks between the price's read and the synced block (0: current; never read: the block). */
static uint64_t price_age(const struct lx_market_view *mv, const struct lx_asset_info *inf)
{
	return inf->price_block < mv->block ? mv->block - inf->price_block : 0;
}

/*
 * Which block the prices of the account's assets were read at. Prices are read at the last
 * block of each sync; an older one (a read that failed or was never made) is said plainly,
 * since every base value and the health factor above use it.
 */
static void print_price_ages(const struct lx_market_view *mv, const struct lx_account_view *ac)
{
	bool stale = false;
	for (size_t i = 0; i < ac->n_pos; i++) {
		const struct lx_asset_info *inf = &mv->assets[ac->pos[i].asset];
		uint64_t age = price_age(mv, inf);
		if (!age)
			continue;
		stale = true;
		if (!inf->price_block)
			printf("STALE PRICE        %s: never read from the oracle (valued at 0)\n",
			       inf->symbol[0] ? inf->symbol : "?");
		else
			printf("STALE PRICE        %s: read at block %llu, %llu blocks before the synced "
			       "block %llu\n",
			       inf->symbol[0] ? inf->symbol : "?", (unsigned long long)inf->price_block,
			       (unsigned long long)age, (unsigned long long)mv->block);
	}
	if (!stale && ac->n_pos)
		printf("prices             read at the synced block %llu\n",
		       (unsigned long long)mv->block);
}

/* The version the view was computed with (read from the chain), else the chains/ hint. */
static const char *version_of(const struct lx_market_view *mv, const struct lx_deployment *dep)
{
	if (mv->protocol_version[0])
		return mv->protocol_version;
	return dep ? dep->version : "?";
}

static bool has_market(const uint8_t m[32])
{
	for (int i = 0; i < 32; i++)
		if (m[i])
			return true;
	return false;
}

/* "0x" + 64 hex digits of a sub-market id */
static void market_hex(char out[67], const uint8_t m[32])
{
	lx_hex_encode(out, 67, m, 32);
}

/* The points of account index i (lx_risk_liq_points orders them by account). */
static const struct lx_liq_point *points_of(const struct lx_liq_point *pts, size_t n, size_t i,
					    size_t *m)
{
	size_t k = 0;
	while (k < n && pts[k].account != i)
		k++;
	size_t e = k;
	while (e < n && pts[e].account == i)
		e++;
	*m = e - k;
	return pts ? pts + k : NULL;
}

static bool no_debt(const struct lx_health *h)
{
	struct lx_u256 max;
	lx_u256_max(&max);
	return lx_u256_eq(&h->health_factor, &max);
}

/* USD values of one position (all-markets mode); ok false = no USD price for it */
struct usd_pos {
	bool ok;
	struct lx_u256 supplied, borrowed;
	const char *source;
};

static struct usd_pos usd_of(const struct lx_usd_book *book, const struct lx_market_view *mv,
			     const struct lx_asset_pos *p)
{
	struct usd_pos u;
	memset(&u, 0, sizeof(u));
	u.ok = lx_usd_value(book, mv, p->asset, &p->supplied, &p->price, &u.supplied, &u.source) ==
		       0 &&
	       lx_usd_value(book, mv, p->asset, &p->borrowed, &p->price, &u.borrowed, NULL) == 0;
	return u;
}

/* One market's object (the one-market output, plus USD values when book is given). */
static json_t *market_json(const struct lx_chain *chain, const struct lx_deployment *dep,
			   const struct lx_market_view *mv, const struct lx_account_view *ac,
			   const struct lx_liq_point *pts, size_t npts,
			   const struct lx_usd_book *book)
{
	const struct lx_health *h = &ac->health;
	char addr[LX_ADDR_STRLEN];
	lx_addr_checksum(addr, &ac->account);
	json_t *o = json_object();
	json_object_set_new(o, "chain", json_string(chain->name));
	json_object_set_new(o, "deployment", json_string(mv->name));
	json_object_set_new(o, "protocol", json_string(proto_name(dep)));
	/* the version the chain says was live (upgrades read from the chain), not chains/ */
	json_object_set_new(o, "protocolVersion", json_string(version_of(mv, dep)));
	if (has_market(ac->market)) {
		char mh[67];
		market_hex(mh, ac->market);
		json_object_set_new(o, "market", json_string(mh));
	} else {
		json_object_set_new(o, "market", json_null());
	}
	json_object_set_new(o, "block", json_integer((json_int_t)mv->block));
	json_object_set_new(o, "timestamp", json_integer((json_int_t)mv->timestamp));
	json_object_set_new(o, "account", json_string(addr));
	json_object_set_new(o, "emode", json_integer(ac->emode));
	json_object_set_new(o, "base", json_string(mv->base));
	json_object_set_new(o, "baseDecimals", json_integer(mv->base_decimals));
	json_object_set_new(o, "totalCollateralBase", u256_json(&h->total_collateral_base));
	json_object_set_new(o, "totalDebtBase", u256_json(&h->total_debt_base));
	json_object_set_new(o, "availableBorrowsBase", u256_json(&h->available_borrows_base));
	json_object_set_new(o, "currentLiquidationThreshold", u256_json(&h->liq_threshold_bps));
	json_object_set_new(o, "ltv", u256_json(&h->ltv_bps));
	json_object_set_new(o, "healthFactor", u256_json(&h->health_factor));
	json_t *rs = json_array();
	struct lx_u256 su = {{0}}, bu = {{0}};
	bool all_usd = true;
	for (size_t i = 0; i < ac->n_pos; i++) {
		const struct lx_asset_pos *p = &ac->pos[i];
		const struct lx_asset_info *inf = &mv->assets[p->asset];
		char as[LX_ADDR_STRLEN];
		lx_addr_checksum(as, &inf->asset);
		struct lx_u256 sb, bb;
		pos_value(&sb, mv, &p->supplied, &p->price, inf->decimals);
		pos_value(&bb, mv, &p->borrowed, &p->price, inf->decimals);
		json_t *r = json_object();
		json_object_set_new(r, "asset", json_string(as));
		json_object_set_new(r, "symbol", json_string(inf->symbol));
		json_object_set_new(r, "decimals", json_integer(inf->decimals));
		json_object_set_new(r, "supplied", u256_json(&p->supplied));
		json_object_set_new(r, "variableDebt", u256_json(&p->borrowed_variable));
		json_object_set_new(r, "stableDebt", u256_json(&p->borrowed_stable));
		json_object_set_new(r, "borrowed", u256_json(&p->borrowed));
		json_object_set_new(r, "scaledSupplied", u256_json(&p->scaled_supplied));
		json_object_set_new(r, "scaledVariableDebt", u256_json(&p->scaled_variable));
		json_object_set_new(r, "collateral", json_boolean(p->collateral));
		json_object_set_new(r, "price", u256_json(&p->price));
		/* the block the price was read at, and how far it lags the synced block */
		json_object_set_new(r, "priceBlock", json_integer((json_int_t)inf->price_block));
		json_object_set_new(r, "priceAgeBlocks", json_integer((json_int_t)price_age(mv, inf)));
		json_object_set_new(r, "priceStale", json_boolean(price_age(mv, inf) > 0));
		json_object_set_new(r, "suppliedBase", u256_json(&sb));
		json_object_set_new(r, "borrowedBase", u256_json(&bb));
		if (book) {
			struct usd_pos u = usd_of(book, mv, p);
			json_object_set_new(r, "suppliedUSD", u.ok ? u256_json(&u.supplied) : json_null());
			json_object_set_new(r, "borrowedUSD", u.ok ? u256_json(&u.borrowed) : json_null());
			json_object_set_new(r, "usdPriceFrom",
					    u.ok ? json_string(u.source) : json_null());
			if (!u.ok)
				all_usd = false;
			else if (lx_u256_add(&su, &su, &u.supplied) || lx_u256_add(&bu, &bu, &u.borrowed))
				all_usd = false;
		}
		/* the asset's own price falling / rising; null = no such price liquidates */
		json_object_set_new(r, "liquidationPrice", own_price_json(pts, npts, p->asset, false));
		json_object_set_new(r, "liquidationPriceRise", own_price_json(pts, npts, p->asset, true));
		uint32_t f = lx_model_feed_of(mv, p);
		if (f != p->asset) {
			char lb[64];
			json_object_set_new(r, "pricedBy",
					    json_string(lx_report_feed_label(mv, f, lb, sizeof(lb))));
		}
		json_array_append_new(rs, r);
	}
	json_object_set_new(o, "reserves", rs);
	if (book) {
		/* the market's USD totals, null when a position has no USD price */
		json_object_set_new(o, "suppliedUSD", all_usd ? u256_json(&su) : json_null());
		json_object_set_new(o, "borrowedUSD", all_usd ? u256_json(&bu) : json_null());
	}
	json_t *lps = json_array();
	for (size_t k = 0; k < npts; k++)
		json_array_append_new(lps, lx_report_point_json(&pts[k], mv));
	json_object_set_new(o, "liquidationPrices", lps);
	return o;
}

/* One market as text (the one-market output). */
static void market_text(const struct lx_chain *chain, const struct lx_deployment *dep,
			const struct lx_market_view *mv, const struct lx_account_view *ac,
			const struct lx_liq_point *pts, size_t npts)
{
	const struct lx_health *h = &ac->health;
	unsigned bd = mv->base_decimals;
	char addr[LX_ADDR_STRLEN];
	lx_addr_checksum(addr, &ac->account);
	char b1[100], b2[100], b3[100];
	char mk[80] = "";
	if (has_market(ac->market)) {
		char mh[67];
		market_hex(mh, ac->market);
		snprintf(mk, sizeof(mk), ", market %s", mh);
	}
	printf("account  %s  (%s, %s%s: %s %s rules, block %llu)\n", addr, chain->name, mv->name, mk,
	       proto_name(dep), version_of(mv, dep), (unsigned long long)mv->block);
	if (ac->n_pos == 0)
		printf("no positions\n");
	else {
		printf("%-8s %26s %26s %18s %18s %5s %16s %16s\n", "asset", "supplied", "borrowed",
		       "supplied (base)", "borrowed (base)", "coll", "liq. if falls", "liq. if rises");
		for (size_t i = 0; i < ac->n_pos; i++) {
			const struct lx_asset_pos *p = &ac->pos[i];
			const struct lx_asset_info *inf = &mv->assets[p->asset];
			struct lx_u256 sb, bb;
			pos_value(&sb, mv, &p->supplied, &p->price, inf->decimals);
			pos_value(&bb, mv, &p->borrowed, &p->price, inf->decimals);
			fixed(b1, sizeof(b1), &p->supplied, inf->decimals);
			fixed(b2, sizeof(b2), &p->borrowed, inf->decimals);
			char sbs[100], bbs[100], lf[100], lr[100];
			fixed(sbs, sizeof(sbs), &sb, bd);
			fixed(bbs, sizeof(bbs), &bb, bd);
			own_price_text(lf, sizeof(lf), pts, npts, p->asset, false, price_dec(mv));
			own_price_text(lr, sizeof(lr), pts, npts, p->asset, true, price_dec(mv));
			printf("%-8s %26s %26s %18s %18s %5s %16s %16s\n",
			       inf->symbol[0] ? inf->symbol : "?", b1, b2, sbs, bbs,
			       p->collateral ? "yes" : "no", lf, lr);
		}
	}
	/* prices that move several positions together (e-mode category sources) */
	for (size_t k = 0; k < npts; k++) {
		const struct lx_liq_point *q = &pts[k];
		if (q->feed < mv->n_assets || (k > 0 && pts[k - 1].feed == q->feed))
			continue;
		char lb[64], pn[100], lf[100], lr[100];
		lx_report_feed_label(mv, q->feed, lb, sizeof(lb));
		lx_u256_to_fixed(pn, sizeof(pn), &q->price_now, price_dec(mv));
		own_price_text(lf, sizeof(lf), pts, npts, q->feed, false, price_dec(mv));
		own_price_text(lr, sizeof(lr), pts, npts, q->feed, true, price_dec(mv));
		char key[LX_ADDR_STRLEN];
		lx_addr_checksum(key, &mv->feeds[q->feed - mv->n_assets].key);
		printf("%s %s (prices the category's assets together, so their own prices "
		       "move nothing here): now %s, liq. if falls %s, if rises %s\n",
		       lb, key, pn, lf, lr);
	}
	printf("(liquidation prices: the highest price below today's / the lowest above at "
	       "which HF < 1, that price alone moving; none = no such price)\n");
	fixed(b1, sizeof(b1), &h->total_collateral_base, bd);
	fixed(b2, sizeof(b2), &h->total_debt_base, bd);
	fixed(b3, sizeof(b3), &h->available_borrows_base, bd);
	printf("\ncollateral         %s (base currency%s%s)\ndebt               %s\n"
	       "borrowing power    %s\n",
	       b1, mv->base[0] ? ": " : "", mv->base, b2, b3);
	fixed(b1, sizeof(b1), &h->ltv_bps, 2);
	fixed(b2, sizeof(b2), &h->liq_threshold_bps, 2);
	printf("ltv                %s%%\nliq. threshold     %s%%\n", b1, b2);
	struct lx_u256 wad;
	lx_u256_from_u64(&wad, 1000000000000000000ull);
	if (no_debt(h))
		printf("health factor      inf (no debt)\n");
	else {
		fixed(b1, sizeof(b1), &h->health_factor, 18);
		printf("health factor      %s%s\n", b1,
		       lx_u256_is_zero(&h->total_collateral_base)	   ? " (debt, no collateral)"
		       : lx_u256_cmp(&h->health_factor, &wad) < 0 ? " (liquidatable)"
								   : "");
	}
	if (ac->emode)
		printf("e-mode category    %u\n", ac->emode);
	print_price_ages(mv, ac);
}

/* --market 0x<64 hex>: a sub-market id */
static int parse_market(const char *s, uint8_t out[32])
{
	memset(out, 0, 32);
	if (strlen(s) != 66 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	for (int i = 0; i < 32; i++) {
		int v = 0;
		for (int j = 0; j < 2; j++) {
			char c = s[2 + 2 * i + j];
			int d = c >= '0' && c <= '9'	 ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* `position ADDRESS --deployment D [--market M]`: that deployment's market alone */
static int one_market(const struct lx_cli_args *a, const struct lx_addr *who)
{
	uint8_t want[32];
	const char *ms = lx_cli_get(a, "market", NULL);
	if (ms && parse_market(ms, want)) {
		lx_cli_errorf("bad --market '%s': expected 0x and 64 hex digits", ms);
		return LX_EXIT_USAGE;
	}
	struct lx_market_view mv;
	struct lx_chain *chain;
	int rc = lx_cli_load_view(a, &mv, 0, who, 1, &chain);
	if (rc)
		return rc;
	if (mv.protocol == LX_PROTO_AAVE_V4) { /* per Spoke: its own account data */
		rc = lx_cli_position_v4(a, &mv, chain->name, who);
		lx_market_view_release(&mv);
		lx_chain_destroy(chain);
		return rc;
	}
	const struct lx_deployment *dep =
		lx_chain_find_deployment(chain, lx_cli_get(a, "deployment", NULL));
	/* the account's view in this deployment: the one of --market, else the only market it
	 * is on (one view per sub-market) */
	struct lx_account_view empty;
	memset(&empty, 0, sizeof(empty));
	empty.account = *who;
	lx_u256_max(&empty.health.health_factor);
	const struct lx_account_view *ac = NULL;
	size_t idx = SIZE_MAX, on = 0;
	for (size_t i = 0; i < mv.n_accounts; i++) {
		const struct lx_account_view *v = &mv.accounts[i];
		if (!lx_addr_eq(&v->account, who))
			continue;
		if (ms ? !memcmp(v->market, want, 32) : (v->n_pos > 0 || !ac)) {
			if (!ms && v->n_pos > 0)
				on++;
			if (!ac || (!ms && v->n_pos > 0 && ac->n_pos == 0)) {
				ac = v;
				idx = i;
			}
		}
	}
	if (on > 1) {
		char list[400] = "";
		size_t o = 0;
		for (size_t i = 0; i < mv.n_accounts && o + 70 < sizeof(list); i++)
			if (lx_addr_eq(&mv.accounts[i].account, who) && mv.accounts[i].n_pos) {
				char mh[67];
				market_hex(mh, mv.accounts[i].market);
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", mh);
			}
		lx_cli_errorf("%s is on %zu markets of %s (%s): add --market ID, or leave out "
			      "--deployment to list them all",
			      a->pos[0], on, mv.name, list);
		lx_market_view_release(&mv);
		lx_chain_destroy(chain);
		return LX_EXIT_USAGE;
	}
	if (!ac) {
		if (ms)
			memcpy(empty.market, want, 32);
		ac = &empty;
	}
	struct lx_liq_point *all = NULL;
	size_t nall = 0, npts = 0;
	int lrc = lx_risk_liq_points(&mv, &all, &nall);
	if (lrc) {
		/* never a "-" that hides a failure: no liquidation price is not the same as none */
		lx_cli_errorf("position: cannot compute liquidation prices on %s: %s", mv.name,
			      lx_strerror(lrc));
		lx_market_view_release(&mv);
		lx_chain_destroy(chain);
		return LX_EXIT_RUNTIME;
	}
	const struct lx_liq_point *pts = idx == SIZE_MAX ? NULL : points_of(all, nall, idx, &npts);
	if (lx_cli_has(a, "json")) {
		json_t *o = market_json(chain, dep, &mv, ac, pts, npts, NULL);
		char *s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		market_text(chain, dep, &mv, ac, pts, npts);
	}
	free(all);
	lx_market_view_release(&mv);
	lx_chain_destroy(chain);
	return LX_EXIT_OK;
}

static void usd_text(char *buf, size_t cap, const struct lx_u256 *v)
{
	lx_u256_to_fixed(buf, cap, v, LX_USD_DECIMALS);
}

/* a - b as signed text */
static void net_text(char *buf, size_t cap, const struct lx_u256 *a, const struct lx_u256 *b,
		     bool fixed_point)
{
	struct lx_u256 d;
	bool neg = lx_u256_cmp(a, b) < 0;
	lx_u256_sub(&d, neg ? b : a, neg ? a : b);
	buf[0] = '-';
	if (fixed_point)
		usd_text(buf + neg, cap - 1, &d);
	else
		lx_u256_to_dec(buf + neg, cap - 1, &d);
}

/* one deployment's view of the account and its liquidation prices */
struct entry {
	const struct lx_chain *chain;
	const struct lx_deployment *dep;
	const struct lx_market_view *mv;
	struct lx_liq_point *pts;
	size_t npts;
};

struct listing {
	struct lx_cli_views views;
	struct entry *e;
	size_t n;
	struct lx_usd_book book;
};

static void listing_release(struct listing *L)
{
	for (size_t i = 0; i < L->n; i++)
		free(L->e[i].pts);
	free(L->e);
	lx_usd_book_release(&L->book);
	lx_cli_views_release(&L->views);
}

/* `position ADDRESS`: every deployment, sub-market and synced chain, and a USD total */
static int all_markets(const struct lx_cli_args *a, const struct lx_addr *who)
{
	struct listing L;
	memset(&L, 0, sizeof(L));
	lx_usd_book_init(&L.book);
	int rc = lx_cli_views_load(a, who, 1, 0, &L.views);
	if (rc) {
		listing_release(&L);
		return rc;
	}
	L.e = calloc(L.views.n ? L.views.n : 1, sizeof(*L.e));
	if (!L.e) {
		lx_cli_errorf("position: out of memory");
		listing_release(&L);
		return LX_EXIT_RUNTIME;
	}
	for (size_t i = 0; i < L.views.n; i++) {
		struct entry *en = &L.e[L.n++];
		en->chain = L.views.v[i].chain;
		en->dep = L.views.v[i].dep;
		en->mv = &L.views.v[i].mv;
		if (lx_usd_book_add(&L.book, en->mv)) {
			lx_cli_errorf("position: out of memory");
			listing_release(&L);
			return LX_EXIT_RUNTIME;
		}
		/* every market's ops compute liquidation prices (a curve or a monotone health):
		 * one that fails says so, never a "-" that hides it */
		int lrc = lx_risk_liq_points(en->mv, &en->pts, &en->npts);
		if (lrc) {
			lx_cli_errorf("position: cannot compute liquidation prices on %s: %s",
				      en->mv->name, lx_strerror(lrc));
			listing_release(&L);
			return LX_EXIT_RUNTIME;
		}
	}
	char addr[LX_ADDR_STRLEN];
	lx_addr_checksum(addr, who);
	/* totals over every market's positions that have a USD price */
	struct lx_u256 ts = {{0}}, tb = {{0}};
	size_t n_markets = 0, n_unpriced = 0;
	for (size_t i = 0; i < L.n; i++)
		for (size_t k = 0; k < L.e[i].mv->n_accounts; k++) {
			const struct lx_account_view *ac = &L.e[i].mv->accounts[k];
			if (!ac->n_pos || !lx_addr_eq(&ac->account, who))
				continue;
			n_markets++;
			for (size_t j = 0; j < ac->n_pos; j++) {
				struct usd_pos u = usd_of(&L.book, L.e[i].mv, &ac->pos[j]);
				if (!u.ok || lx_u256_add(&ts, &ts, &u.supplied) ||
				    lx_u256_add(&tb, &tb, &u.borrowed))
					n_unpriced++;
			}
		}
	char b1[100], b2[100], b3[100];
	if (lx_cli_has(a, "json")) {
		json_t *o = json_object(), *ms = json_array(), *cs = json_array(),
		       *un = json_array(), *sk = json_array();
		json_object_set_new(o, "account", json_string(addr));
		for (size_t c = 0; c < L.views.n_chains; c++)
			json_array_append_new(cs, json_string(L.views.chains[c]->name));
		json_object_set_new(o, "chains", cs);
		for (size_t i = 0; i < L.n; i++) {
			const struct entry *en = &L.e[i];
			for (size_t k = 0; k < en->mv->n_accounts; k++) {
				const struct lx_account_view *ac = &en->mv->accounts[k];
				if (!ac->n_pos || !lx_addr_eq(&ac->account, who))
					continue;
				size_t np;
				const struct lx_liq_point *pts = points_of(en->pts, en->npts, k, &np);
				json_array_append_new(ms, market_json(en->chain, en->dep, en->mv, ac,
								      pts, np, &L.book));
				for (size_t j = 0; j < ac->n_pos; j++) {
					const struct lx_asset_pos *p = &ac->pos[j];
					if (usd_of(&L.book, en->mv, p).ok)
						continue;
					const struct lx_asset_info *inf = &en->mv->assets[p->asset];
					char as[LX_ADDR_STRLEN], mh[67];
					lx_addr_checksum(as, &inf->asset);
					market_hex(mh, ac->market);
					json_array_append_new(
						un, json_pack("{s:s,s:s,s:o,s:s,s:s}", "chain",
							      en->chain->name, "deployment", en->mv->name,
							      "market",
							      has_market(ac->market) ? json_string(mh)
										     : json_null(),
							      "asset", as, "symbol", inf->symbol));
				}
			}
		}
		json_object_set_new(o, "markets", ms);
		json_t *t = json_object();
		json_object_set_new(t, "usdDecimals", json_integer(LX_USD_DECIMALS));
		json_object_set_new(t, "suppliedUSD", u256_json(&ts));
		json_object_set_new(t, "borrowedUSD", u256_json(&tb));
		net_text(b1, sizeof(b1), &ts, &tb, false);
		json_object_set_new(t, "netUSD", json_string(b1));
		/* complete: every position had a USD price; else the unpriced ones are listed and
		 * left out of the sums */
		json_object_set_new(t, "complete", json_boolean(n_unpriced == 0));
		json_object_set_new(t, "noUSDPrice", un);
		json_object_set_new(o, "total", t);
		for (size_t i = 0; i < L.views.n_skipped; i++)
			json_array_append_new(
				sk, json_pack("{s:s,s:s,s:s}", "chain", L.views.skipped[i].chain->name,
					      "deployment", L.views.skipped[i].dep->name, "why",
					      "protocol not supported by this lendex yet"));
		json_object_set_new(o, "notCovered", sk);
		char *s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(o);
		listing_release(&L);
		return LX_EXIT_OK;
	}
	char chains[400] = "";
	for (size_t c = 0, o = 0; c < L.views.n_chains && o < sizeof(chains); c++)
		o += (size_t)snprintf(chains + o, sizeof(chains) - o, "%s%s", c ? ", " : "",
				      L.views.chains[c]->name);
	if (!n_markets)
		printf("account  %s: no positions on any synced market (chains: %s)\n", addr, chains);
	for (size_t i = 0; i < L.n; i++) {
		const struct entry *en = &L.e[i];
		for (size_t k = 0; k < en->mv->n_accounts; k++) {
			const struct lx_account_view *ac = &en->mv->accounts[k];
			if (!ac->n_pos || !lx_addr_eq(&ac->account, who))
				continue;
			size_t np;
			const struct lx_liq_point *pts = points_of(en->pts, en->npts, k, &np);
			market_text(en->chain, en->dep, en->mv, ac, pts, np);
			printf("\n");
		}
	}
	if (n_markets) {
		printf("== %s on %zu market%s (chains: %s)\n", addr, n_markets,
		       n_markets == 1 ? "" : "s", chains);
		printf("%-10s %-24s %-12s %18s %18s %22s\n", "chain", "deployment", "market",
		       "supplied (USD)", "borrowed (USD)", "health factor");
		for (size_t i = 0; i < L.n; i++) {
			const struct entry *en = &L.e[i];
			for (size_t k = 0; k < en->mv->n_accounts; k++) {
				const struct lx_account_view *ac = &en->mv->accounts[k];
				if (!ac->n_pos || !lx_addr_eq(&ac->account, who))
					continue;
				struct lx_u256 su = {{0}}, bu = {{0}};
				bool ok = true;
				for (size_t j = 0; j < ac->n_pos; j++) {
					struct usd_pos u = usd_of(&L.book, en->mv, &ac->pos[j]);
					ok = ok && u.ok && !lx_u256_add(&su, &su, &u.supplied) &&
					     !lx_u256_add(&bu, &bu, &u.borrowed);
				}
				char mk[16] = "-";
				if (has_market(ac->market)) {
					/* an address (Aave V4 Spoke) shows its own digits, an id its start */
					static const uint8_t z[12];
					char mh[67];
					market_hex(mh, ac->market);
					snprintf(mk, sizeof(mk), "%.10s..",
						 memcmp(ac->market, z, 12) ? mh : mh + 24);
					if (!memcmp(ac->market, z, 12))
						memcpy(mk, "0x", 2);
				}
				if (ok) {
					usd_text(b1, sizeof(b1), &su);
					usd_text(b2, sizeof(b2), &bu);
				} else {
					snprintf(b1, sizeof(b1), "no USD price");
					snprintf(b2, sizeof(b2), "no USD price");
				}
				if (no_debt(&ac->health))
					snprintf(b3, sizeof(b3), "inf");
				else
					fixed(b3, sizeof(b3), &ac->health.health_factor, 18);
				printf("%-10s %-24s %-12s %18s %18s %22s\n", en->chain->name, en->mv->name,
				       mk, b1, b2, b3);
				for (size_t j = 0; !ok && j < ac->n_pos; j++) {
					const struct lx_asset_pos *p = &ac->pos[j];
					if (usd_of(&L.book, en->mv, p).ok)
						continue;
					const struct lx_asset_info *inf = &en->mv->assets[p->asset];
					printf("  no USD price: %s (no oracle of %s answering in USD lists "
					       "it; left out of the total)\n",
					       inf->symbol[0] ? inf->symbol : "?", en->chain->name);
				}
			}
		}
		usd_text(b1, sizeof(b1), &ts);
		usd_text(b2, sizeof(b2), &tb);
		printf("%-48s %18s %18s\n", "total (USD)", b1, b2);
		net_text(b3, sizeof(b3), &ts, &tb, true);
		printf("net (USD)          %s%s\n", b3,
		       n_unpriced ? "  (positions with no USD price left out)" : "");
	}
	for (size_t i = 0; i < L.views.n_skipped; i++)
		printf("not covered: %s's deployment %s (protocol not supported by this lendex yet)\n",
		       L.views.skipped[i].chain->name, L.views.skipped[i].dep->name);
	listing_release(&L);
	return LX_EXIT_OK;
}

int lx_cmd_position(const struct lx_cli_args *a)
{
	struct lx_addr who;
	struct lx_error e;
	if (lx_addr_parse(&who, a->pos[0], &e)) {
		lx_cli_errorf("%s", e.msg);
		return LX_EXIT_USAGE;
	}
	if (lx_cli_get(a, "deployment", NULL) || lx_cli_get(a, "market", NULL))
		return one_market(a, &who);
	return all_markets(a, &who);
}
