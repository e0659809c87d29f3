/*
 * commands.c: the one command table. Adding a command = a cmd_<name>.c with its handler and
 * option table, its prototype in cli.h, and one entry here.
 */
#include <stddef.h>

#include "cli.h"
#include "common.h"
#include "risk_common.h"

static const struct lx_cli_opt no_opts[] = {LX_OPT_END};
static const struct lx_cli_opt version_opts[] = {
	{"paths", false, false, "also print the chains/ and ABI directories in use"}, LX_OPT_END};
static const struct lx_cli_opt chain_opts[] = {LX_OPT_RPC, LX_OPT_JSON, LX_OPT_RPC_TUNING,
					       LX_OPT_END};
static const struct lx_cli_opt sync_opts[] = {
	LX_OPT_CHAIN,
	LX_OPT_RPC,
	LX_OPT_DATADIR,
	LX_OPT_CHAINSDIR,
	LX_OPT_DEPLOYMENT,
	LX_OPT_QUIET,
	LX_OPT_JSON,
	{"to", true, false, "BLOCK  stop at this block (default: the head)"},
	{"confirmations", true, false, "K  stay K blocks behind the head"},
	{"max-range", true, false, "N  widest eth_getLogs range to try"},
	{"concurrency", true, false, "N  block ranges in flight (default 4)"},
	{"follow", false, false, "keep tailing the head"},
	{"verify", false, false, "prove every used log against headers linked to a checkpoint"},
	{"checkpoint", true, false, "BLOCK:0xHASH  trusted block for --verify (default: chain's)"},
	LX_OPT_RPC_TUNING,
	LX_OPT_END};
static const struct lx_cli_opt position_opts[] = {
	LX_OPT_CHAIN, LX_OPT_DATADIR, LX_OPT_CHAINSDIR, LX_OPT_DEPLOYMENT, LX_OPT_JSON,
	{"at", true, false, "TIMESTAMP  interest to this time (default: the synced block's)"},
	{"market", true, false, "0xID  with --deployment: one of its isolated markets"},
	LX_OPT_END};
static const struct lx_cli_opt decode_opts[] = {
	{"abi", true, false, "FILE_OR_DIR  JSON ABI file or a directory of them"},
	{"address", true, true, "ADDR  decode only logs from this emitter (repeatable)"},
	LX_OPT_CHAIN,
	LX_OPT_CHAINSDIR,
	LX_OPT_END};
static const struct lx_cli_opt leverage_opts[] = {
	LX_OPT_RISK, {"top", true, false, "N  accounts listed (default 20)"},
	{"by-entity", false, false, "per signer entity (the keys sync --verify recovered)"},
	{"all-markets", false, false, "one row per account over every market of the chain: loops "
				      "across protocols"},
	LX_OPT_END};
static const struct lx_cli_opt clusters_opts[] = {LX_OPT_RISK, LX_OPT_END};
static const struct lx_cli_opt cascade_opts[] = {
	LX_OPT_RISK,
	{"shock", true, true, "ASSET=-20%  symbol, address or group:NAME (repeatable)"},
	{"sweep", false, false, "shock from 0 to --max in --step steps: the cascade curve"},
	{"step", true, false, "PCT  sweep step (default 5)"},
	{"max", true, false, "PCT  sweep end (default 50)"},
	{"rounds", true, false, "N  stop after N rounds (1 = round 1 only)"},
	{"gas-cost", true, false, "USD  skip liquidations whose bonus earns less (default 0)"},
	{"market", true, false, "dex|percent  market model (default: dex when chains/ names pools)"},
	{"depth-share", true, false, "PCT  percent model: depth per 1% move as % of supply (2)"},
	{"depth-file", true, false, "FILE  per-asset depth (base currency per 1%) without a pool"},
	{"rpc", true, true, "URL  node to read the DEX pools from at the synced block"},
	{"all-markets", false, false, "one cascade over every market of the store together"},
	LX_OPT_END};
static const struct lx_cli_opt report_opts[] = {
	LX_OPT_RISK,
	{"out", true, false, "DIR  where to write (default ./lendex-report)"},
	{"shock", true, true, "ASSET=-20%  the cascade's shock (default: largest collateral -20%)"},
	{"top", true, false, "N  accounts listed by leverage (default 20)"},
	{"step", true, false, "PCT  sweep step (default 5)"},
	{"max", true, false, "PCT  sweep end (default 50)"},
	{"gas-cost", true, false, "USD  skip liquidations whose bonus earns less (default 0)"},
	{"market", true, false, "dex|percent  market model (default: dex when chains/ names pools)"},
	{"depth-share", true, false, "PCT  percent model: depth per 1% move as % of supply (2)"},
	{"depth-file", true, false, "FILE  per-asset depth (base currency per 1%) without a pool"},
	{"rpc", true, true, "URL  node to read the DEX pools from at the synced block"},
	LX_OPT_END};
static const struct lx_cli_opt dump_opts[] = {LX_OPT_DATADIR, LX_OPT_END};
static const struct lx_cli_opt entity_opts[] = {LX_OPT_CHAIN, LX_OPT_DATADIR, LX_OPT_CHAINSDIR,
						LX_OPT_JSON, LX_OPT_END};

const struct lx_command lx_commands[] = {
	{"help", lx_cmd_help, 0, 0, 1, no_opts, "help [COMMAND]", "show commands or one command's help",
	 "Without an argument lists every command; with one, prints that command's usage,\n"
	 "options and description.\n"},
	{"version", lx_cmd_version, 0, 0, 0, version_opts, "version [--paths]",
	 "print the lendex version", ""},
	{"chain", lx_cmd_chain, LX_CMD_RPC, 0, 0, chain_opts, "chain --rpc URL [--json]",
	 "show a node's chain id, head block and client",
	 "Asks the node for its chain id, head block and client version. A node that cannot be\n"
	 "reached or does not answer JSON-RPC is one error line and exit code 2.\n"},
	{"sync", lx_cmd_sync, LX_CMD_RPC | LX_CMD_STORE_RW, 0, 0, sync_opts,
	 "sync --chain NAME [--rpc URL]... [--to BLOCK] [--follow]",
	 "index a chain's lending deployments into the store",
	 "Fetches the deployments' logs range by range (ranges adapt to what the node allows),\n"
	 "applies them in block order and commits each range with the chain's cursor in one\n"
	 "transaction: interrupt it at any point and rerun to continue. Oracle prices are read\n"
	 "at the last block. Reorgs inside the chain's reorg window are unwound.\n"},
	{"position", lx_cmd_position, LX_CMD_STORE_RO, 1, 1, position_opts,
	 "position ADDRESS [--chain NAME] [--deployment NAME [--market ID]] [--json]",
	 "one account's assets, debts, health factor and liquidation prices",
	 "Answers from the store alone, as of the synced head: every market the address is on\n"
	 "(each deployment of each synced chain, or of --chain, and each isolated sub-market),\n"
	 "then a total in USD (prices from the chain's oracles that answer in USD; a token none\n"
	 "lists is said to have no USD price and left out). Amounts are in token units and in\n"
	 "the market's base currency; totals are exactly what the protocol computes at that\n"
	 "block (Aave: getUserAccountData). --deployment: that market alone.\n"},
	{"dump", lx_cmd_dump, LX_CMD_STORE_RO, 0, 0, dump_opts, "dump [--datadir DIR]",
	 "print the whole store in a canonical text form",
	 "One line per record: table, key and value in hex, in order. Two stores hold the same\n"
	 "state exactly when their dumps are equal.\n"},
	{"decode", lx_cmd_decode, 0, 1, 1, decode_opts,
	 "decode --abi FILE_OR_DIR [--chain NAME] [--address ADDR]... LOGS.json",
	 "decode eth_getLogs output or receipts into JSON lines",
	 "Reads a JSON array of logs, a receipt, or an array of receipts ('-' for stdin) and\n"
	 "prints one JSON line per decoded log: tx, logIndex, address, event and args (integers\n"
	 "as decimal strings, addresses and bytes as lowercase hex, tuples as objects). Logs that\n"
	 "match no event are counted on stderr. --chain restricts to a deployment's contracts.\n"},
	{"leverage", lx_cmd_leverage, LX_CMD_STORE_RO, 0, 0, leverage_opts,
	 "leverage [--top N] [--by-entity | --all-markets] [--json]",
	 "leverage and recursive loop depth per account",
	 "Leverage = collateral / (collateral - debt); loop depth = borrow → resupply rounds found\n"
	 "in the account's history (same asset or correlation group); implied depth = rounds a\n"
	 "loop at the account's LTV needs for its leverage. See docs/risk.md.\n"
	 "--by-entity: per key instead — the accounts whose positions one signer's transactions\n"
	 "moved (own account, smart wallets, onBehalfOf), summed as one position; needs a store\n"
	 "synced with --verify (which recovers the signers).\n"
	 "--all-markets: one row per account over every market of the chain (or of every synced\n"
	 "chain), collateral and debt in USD, loops followed from a borrow on one protocol to the\n"
	 "supply of its proceeds on another (across = such rounds).\n"},
	{"clusters", lx_cmd_clusters, LX_CMD_STORE_RO, 0, 0, clusters_opts, "clusters [--json]",
	 "debt-weighted health-factor bands, clusters and liquidation ladders",
	 "Debt by health-factor band, 1-D k-means clusters of log HF weighted by debt, a\n"
	 "concentration index, and (--json) per collateral asset the liquidation-price ladder\n"
	 "and DeFiLlama-shaped liquidation levels. See docs/risk.md.\n"},
	{"cascade", lx_cmd_cascade, LX_CMD_STORE_RO, 0, 0, cascade_opts,
	 "cascade --shock ASSET=-20% [--shock ...] [--sweep | --all-markets] [--json]",
	 "simulate liquidation cascades under oracle shocks",
	 "Liquidates every account below HF 1 by the protocol's rules (close factor, bonus,\n"
	 "protocol fee; round 1 exact to the wei), sells the seized collateral into a depth model,\n"
	 "reprices and repeats to a fixed point. --sweep gives the cascade curve. --all-markets:\n"
	 "one cascade over every deployment of the store (or of --chain) together, a shock on a\n"
	 "token moving every market that lists it and each market's sales moving it for all.\n"},
	{"report", lx_cmd_report, LX_CMD_STORE_RO, 0, 0, report_opts, "report --out DIR [--shock ...]",
	 "write report.json, CSV tables and a self-contained report.html",
	 "The whole risk pass as files: JSON and CSV for machines, one HTML page with inline SVG\n"
	 "charts (health factors, liquidation ladders, loop depths, cascade curve) for people.\n"},
	{"entity", lx_cmd_entity, LX_CMD_STORE_RO, 1, 1, entity_opts,
	 "entity ADDRESS [--chain NAME] [--json]",
	 "the accounts whose positions this key's transactions moved",
	 "Joins the signers that 'sync --verify' recovered from each transaction's signature\n"
	 "with the position flows: the key's own account, and the smart wallets, proxies and\n"
	 "onBehalfOf accounts it drove. Needs a store synced with --verify.\n"},
	{NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL},
};
