#!/usr/bin/env bash
# Peak memory of the server under parallel large uploads (issue 21, item 3).
#
#   bench/uploads.sh                              # this revision
#   BASELINE=/path/to/old/credence bench/uploads.sh   # and an old binary, one after the other
#
# For each binary: a fresh SQLite instance, four accounts with a Bearer token each, `serve` on a
# loopback port; then UPLOADS (8) parallel uploads of a SIZE_MB (100) MB file of random bytes
# (two per account: the per-account cap is two), all refused in the end (random bytes are no
# image or video), as an attacker's would be. Prints the server's resident memory before
# (VmRSS) and its peak (VmHWM, from /proc), and the status codes the uploads got.
set -euo pipefail
cd "$(dirname "$0")/.."

UPLOADS="${UPLOADS:-8}"
SIZE_MB="${SIZE_MB:-100}"
PORT="${PORT:-18090}"
BASELINE="${BASELINE:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/credence-target}"

echo "== building the release binary"
cargo build --release -q -p credence
work="$(mktemp -d "${TMPDIR:-/tmp}/credence-uploads.XXXXXX")"
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$CARGO_TARGET_DIR/release/credence" "$work/new"
binaries="new"
if [ -n "$BASELINE" ]; then
  cp "$BASELINE" "$work/old"
  binaries="old new"
fi
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom > "$work/upload.bin"

mb() { awk -v kb="$1" 'BEGIN { printf "%.0f", kb / 1024 }'; }
kb_of() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$2/status"; }

printf '%-6s %12s %12s  %s\n' binary "rss before" "peak rss" "statuses"
for bin in $binaries; do
  data="$work/data-$bin"
  settings=(--data-dir "$data" --listen "127.0.0.1:$PORT")
  tokens=()
  for i in 1 2 3 4; do
    echo "bench-password-$i" | "$work/$bin" admin create-user "${settings[@]}" \
      --email "up$i@example.org" --handle "uploader$i" --role professional >/dev/null
    tokens+=("$("$work/$bin" admin token "${settings[@]}" --handle "uploader$i" | tail -n1)")
  done
  "$work/$bin" serve "${settings[@]}" >"$work/$bin.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    sleep 0.1
  done
  before="$(kb_of VmRSS "$server")"
  statuses="$work/statuses-$bin"
  : > "$statuses"
  for n in $(seq "$UPLOADS"); do
    token="${tokens[$(( (n - 1) % 4 ))]}"
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" \
      -F "file=@$work/upload.bin" -F description=bench \
      "http://127.0.0.1:$PORT/api/v2/media" >> "$statuses" &
  done
  wait $(jobs -p | grep -v "^$server$") 2>/dev/null || true
  peak="$(kb_of VmHWM "$server")"
  printf '%-6s %9s MB %9s MB  %s\n' "$bin" "$(mb "$before")" "$(mb "$peak")" \
    "$(sort "$statuses" | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
done
