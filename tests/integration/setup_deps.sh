#!/usr/bin/env bash
# setup_deps.sh SRC BUILD: a newcomer's first contact, without the machine's -dev packages.
# 1. cmake with every pkg-config module hidden (empty PKG_CONFIG_LIBDIR) stops with ONE
#    message naming every missing library's Debian package (CMocka only when tests are built).
# 2. scripts/deps.sh, on a machine where dpkg knows none of the packages and installing is not
#    allowed, stops with one message listing them all and the install command.
# 3. `cmake --install` lays out a binary that finds its chains/ and ABIs outside the source
#    tree, and the environment overrides them.
set -euo pipefail
src=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$tmp/empty"
libs="libcurl4-openssl-dev libjansson-dev libsecp256k1-dev liblmdb-dev"
for testing in ON OFF; do
  want="missing Debian packages: $libs"
  [ $testing = ON ] && want="$want libcmocka-dev"
  if PKG_CONFIG_LIBDIR="$tmp/empty" PKG_CONFIG_PATH= cmake -S "$src" -B "$tmp/b$testing" \
       -DBUILD_TESTING=$testing >"$tmp/out" 2>&1; then
    fail "cmake configured with no libraries visible"
  fi
  n=$(grep -c "missing Debian packages" "$tmp/out" || true)
  [ "$n" = 1 ] || { cat "$tmp/out"; fail "expected one message, got $n"; }
  grep -qF "lendex: $want" "$tmp/out" || { cat "$tmp/out"; fail "wrong list (tests $testing)"; }
  grep -qF "sudo apt-get install ${want#missing Debian packages: }" "$tmp/out" ||
    { cat "$tmp/out"; fail "no install command"; }
  ! grep -q "A required package was not found" "$tmp/out" || fail "pkg-config's generic message"
done
echo "ok cmake names every missing package once (tests on and off)"

# deps.sh with a dpkg that knows nothing and no node/npm/chromium on PATH
mkdir "$tmp/bin"
printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/dpkg-query"
chmod +x "$tmp/bin/dpkg-query"
for c in bash id cat sh env; do ln -s "$(command -v $c)" "$tmp/bin/$c"; done
for mode in unit test; do
  if PATH="$tmp/bin" LX_NO_INSTALL=1 bash "$src/scripts/deps.sh" $mode >"$tmp/out" 2>&1; then
    fail "deps.sh $mode passed with nothing installed"
  fi
  n=$(grep -c "missing Debian packages" "$tmp/out" || true)
  [ "$n" = 1 ] || { cat "$tmp/out"; fail "deps.sh $mode: expected one message, got $n"; }
  want="build-essential cmake pkg-config $libs libcmocka-dev"
  [ $mode = test ] && want="$want curl nodejs npm chromium"
  grep -qxF "lendex: missing Debian packages: $want" "$tmp/out" ||
    { cat "$tmp/out"; fail "deps.sh $mode: wrong list"; }
  grep -qxF "install them with: sudo apt-get install -y $want" "$tmp/out" ||
    { cat "$tmp/out"; fail "deps.sh $mode: no install command"; }
done
echo "ok deps.sh lists every missing package in one message"

# the install path, with fake dpkg-query / apt-get / sudo / id that record what they are asked:
# only the missing packages are installed, as root directly, else through sudo; without sudo
# (and not root) the one message names them
mkdir "$tmp/fake"
cat >"$tmp/fake/dpkg-query" <<'F'
#!/bin/sh
for a; do :; done
case "$a" in libcmocka-dev|liblmdb-dev) exit 1 ;; esac
echo "install ok installed"
F
cat >"$tmp/fake/apt-get" <<'F'
#!/bin/sh
echo "apt-get $*" >>"$LOG"
F
cat >"$tmp/fake/sudo" <<'F'
#!/bin/sh
[ "$1" = -n ] && shift
echo "sudo" >>"$LOG"
exec "$@"
F
for c in dpkg-query apt-get sudo; do chmod +x "$tmp/fake/$c"; done
mkdir "$tmp/root" "$tmp/user" "$tmp/nosudo"
printf '#!/bin/sh\necho 0\n' >"$tmp/root/id"
printf '#!/bin/sh\necho 1000\n' >"$tmp/user/id"
printf '#!/bin/sh\necho 1000\n' >"$tmp/nosudo/id"
chmod +x "$tmp"/root/id "$tmp"/user/id "$tmp"/nosudo/id
for c in bash cat sh env; do ln -s "$(command -v $c)" "$tmp/nosudo/$c"; done
for who in root user; do
  : >"$tmp/log.$who"
  LOG="$tmp/log.$who" PATH="$tmp/$who:$tmp/fake:$PATH" bash "$src/scripts/deps.sh" unit \
    >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "deps.sh did not install as $who"; }
  grep -qx "apt-get install -y -qq liblmdb-dev libcmocka-dev" "$tmp/log.$who" ||
    { cat "$tmp/log.$who"; fail "$who: wrong apt-get install"; }
  grep -qx "apt-get update -qq" "$tmp/log.$who" || fail "$who: no apt-get update"
  if [ $who = root ]; then ! grep -q sudo "$tmp/log.$who" || fail "root used sudo"
  else grep -q sudo "$tmp/log.$who" || fail "non-root did not use sudo"; fi
done
cp "$tmp/fake/dpkg-query" "$tmp/fake/apt-get" "$tmp/nosudo/"
if LOG="$tmp/log.n" PATH="$tmp/nosudo" bash "$src/scripts/deps.sh" unit >"$tmp/out" 2>&1; then
  fail "deps.sh passed without root or sudo"
fi
grep -qx "lendex: missing Debian packages: liblmdb-dev libcmocka-dev" "$tmp/out" ||
  { cat "$tmp/out"; fail "no one message without sudo"; }
echo "ok deps.sh installs only what is missing (root: apt-get; user: sudo apt-get)"

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
bin="$tmp/prefix/bin/lendex"
[ -x "$bin" ] || fail "no installed binary"
"$bin" --version | grep -qx "lendex [0-9.]*" || fail "--version"
out=$(env -u LENDEX_CHAINS -u LENDEX_ABI_DIR "$bin" version --paths)
grep -qx "chains $tmp/prefix/bin/../share/lendex/chains" <<<"$out" || { echo "$out"; fail "chains dir"; }
grep -qx "abi $tmp/prefix/bin/../share/lendex/abi" <<<"$out" || { echo "$out"; fail "abi dir"; }
for f in "$src"/chains/*.json; do
  cmp -s "$f" "$tmp/prefix/share/lendex/chains/$(basename "$f")" || fail "not installed: $f"
done
[ -f "$tmp/prefix/share/lendex/abi/aave_v3/Pool.json" ] || fail "ABIs not installed"
out=$(LENDEX_CHAINS=/x/c LENDEX_ABI_DIR=/x/a "$bin" version --paths)
grep -qx "chains /x/c" <<<"$out" && grep -qx "abi /x/a" <<<"$out" || fail "env override"
# an installed binary reads the installed config: the devnet chain loads from there
LENDEX_DATADIR="$tmp/db" "$bin" position 0x0000000000000000000000000000000000000001 \
  --chain devnet >"$tmp/out" 2>&1 || true
# (the chain config loads; the empty datadir is what stops it)
grep -q "no store in" "$tmp/out" || { cat "$tmp/out"; fail "installed chain config not read"; }
LENDEX_CHAINS="$tmp/empty" LENDEX_DATADIR="$tmp/db" "$bin" position \
  0x0000000000000000000000000000000000000001 --chain devnet >"$tmp/out" 2>&1 || true
grep -q "unknown chain 'devnet'" "$tmp/out" || { cat "$tmp/out"; fail "LENDEX_CHAINS ignored"; }
echo "ok installed binary finds its data beside it, environment overrides"
