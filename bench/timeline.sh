#!/usr/bin/env bash
# Load test of the read and publish paths on a large generated instance, on SQLite and on
# PostgreSQL, in one run (see bench/README.md).
#
#   bench/timeline.sh                          # 1,000,000 posts by 10,000 authors, both backends
#   POSTS=20000 AUTHORS=500 bench/timeline.sh  # a quick run (a minute or two per backend)
#   BACKENDS=sqlite DURATION=30s ROUNDS=5 bench/timeline.sh
#   BASELINE=/path/to/old/credence bench/timeline.sh   # the old and the new binary, interleaved
#
# For each backend: a fresh database (SQLite in a temporary directory; PostgreSQL on
# 127.0.0.1:5432 as user postgres, dropped afterwards), `demo --posts --authors` (timed), `serve`
# on a loopback port, a Bearer token for the seeded sample member (who follows 100 accounts),
# then, through the API, the member's bookmarks, favourites, notifications and a thread of 20
# replies (the seed writes none), then wrk on /healthz and every listing (LISTINGS: home, public,
# explore, hashtag, profile, thread, bookmarks, favourites, notifications), ROUNDS times in
# alternation, and publishing (POST /api/v1/statuses, bench/post.lua). Each listing's ratio to
# /healthz is taken between medians; the table also gives each listing's bytes per page and
# the server's resident memory after the run.
#
# With BASELINE (a binary built from another revision), the instance is seeded by the baseline,
# copied (SQLite: the files; PostgreSQL: CREATE DATABASE … TEMPLATE), and both binaries serve
# their own copy side by side on two ports; every round measures each endpoint on one, then the
# other, so both see the same machine. Raw wrk output goes to bench/results/; a table per
# backend and binary goes to standard output.
set -euo pipefail
cd "$(dirname "$0")/.."

POSTS="${POSTS:-1000000}"
AUTHORS="${AUTHORS:-10000}"
BACKENDS="${BACKENDS:-sqlite postgres}"
DURATION="${DURATION:-20s}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-18080}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432}"
BASELINE="${BASELINE:-}"
LISTINGS="${LISTINGS:-home public explore tag profile thread bookmarks favourites notifications}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/credence-target}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# wrk, from the distribution's packages, once.
if ! command -v wrk >/dev/null; then
  echo "installing wrk"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

echo "== building the release binary"
cargo build --release -q -p credence
# Run private copies: the target directory may be shared, and another build must not swap a
# binary under a running benchmark.
work="$(mktemp -d "${TMPDIR:-/tmp}/credence-bench.XXXXXX")"
cp "$CARGO_TARGET_DIR/release/credence" "$work/new"
binaries="new"
seeder="$work/new"
if [ -n "$BASELINE" ]; then
  cp "$BASELINE" "$work/old"
  binaries="old new"
  seeder="$work/old"
fi
for bin in $binaries; do
  "$work/$bin" demo --help | grep -q -- '--posts' || { echo "$bin has no 'demo --posts'" >&2; exit 1; }
done

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
results="bench/results/$stamp-p$POSTS-a$AUTHORS"
mkdir -p "$results"

declare -A server_pid=() url=() port=() token=()
pg_dbs=()
stop_servers() {
  for bin in "${!server_pid[@]}"; do
    kill "${server_pid[$bin]}" 2>/dev/null || true
    wait "${server_pid[$bin]}" 2>/dev/null || true
  done
  server_pid=()
}
drop_databases() {
  for db in "${pg_dbs[@]}"; do
    psql -q "$PG_ADMIN_URL/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  pg_dbs=()
}
cleanup() { stop_servers; drop_databases; rm -rf "$work"; }
trap cleanup EXIT

# "Requests/sec", the 50th and 99th latency percentiles and the non-2xx count of a wrk output.
rps()     { awk '/^Requests\/sec:/ {print $2}' "$1"; }
pct()     { awk -v p="$2%" '$1 == p {print $2}' "$1"; }
non2xx()  { awk '/Non-2xx or 3xx responses:/ {n = $5} END {print n + 0}' "$1"; }
errors()  { awk '/Socket errors:/ {sub(/.*Socket errors: /, ""); print}' "$1"; }
median()  { # bin endpoint: the median requests/s over the rounds
  for f in "$results/$backend-$1-$2"-*.txt; do rps "$f"; done | sort -g \
    | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}

# The median over the rounds of a listing's p99 latency, in ms.
median_p99() { # bin endpoint
  for f in "$results/$backend-$1-$2"-*.txt; do
    pct "$f" 99 | awk '/us$/ {sub(/us$/, ""); print $1 / 1000; next} /ms$/ {sub(/ms$/, ""); print $1 + 0; next} /s$/ {sub(/s$/, ""); print $1 * 1000}'
  done | sort -g | awk '{v[NR] = $1} END {printf "%.1f ms", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}

# The token a listing is read with, in `auth_args`: none for what anyone may read (as most
# readers of those do).
listing_auth() { # bin listing
  auth_args=()
  case "$2" in
    home|bookmarks|favourites|notifications) auth_args=(-H "Authorization: Bearer ${token[$1]}") ;;
  esac
}

run_wrk() { # bin name path [extra wrk args...]
  local bin="$1" name="$2" path="$3"; shift 3
  local out="$results/$backend-$bin-$name.txt"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "http://127.0.0.1:${port[$bin]}$path" >"$out" 2>&1
  printf '%-4s %-26s %10s %10s %10s %8s %s\n' "$bin" "$name" "$(rps "$out")" "$(pct "$out" 50)" \
    "$(pct "$out" 99)" "$(non2xx "$out")" "$(errors "$out")" | tee -a "$results/$backend-runs.txt"
}

# One request through curl first: a benchmark of error pages measures nothing.
smoke() { # bin path [curl args...]
  local bin="$1" path="$2"; shift 2
  local code
  code="$(curl -s -o "$work/smoke.json" -w '%{http_code}' "$@" "http://127.0.0.1:${port[$bin]}$path")"
  if [ "$code" != 200 ]; then
    echo "$bin: $path answered $code: $(head -c 300 "$work/smoke.json")" >&2
    exit 1
  fi
}

# The settings a binary runs with against its copy of the database.
settings() { # bin
  mkdir -p "$work/$1-data"
  export CREDENCE_DATABASE_URL="${url[$1]}" CREDENCE_DATA_DIR="$work/$1-data" CREDENCE_LOG=warn
  unset CREDENCE_KEY_FILE
}

new_database() { # name: prints its URL
  case "$backend" in
    sqlite) mkdir -p "$work/$1-data"; echo "sqlite:$work/$1-data/credence.db" ;;
    postgres)
      local db="credence_bench_$$_$1"
      psql -q "$PG_ADMIN_URL/postgres" -c "CREATE DATABASE $db" >/dev/null
      pg_dbs+=("$db")
      echo "$PG_ADMIN_URL/$db"
      ;;
  esac
}

copy_database() { # from to: prints the copy's URL
  # The key file goes with the copy: a database with encrypted records refuses to start
  # without the key it was sealed with.
  mkdir -p "$work/$2-data"
  if [ -f "$work/$1-data/credence.key" ]; then cp -p "$work/$1-data/credence.key" "$work/$2-data/"; fi
  case "$backend" in
    sqlite)
      mkdir -p "$work/$2-data"
      cp "$work/$1-data"/credence.db* "$work/$2-data/"
      echo "sqlite:$work/$2-data/credence.db"
      ;;
    postgres)
      local db="credence_bench_$$_$2"
      psql -q "$PG_ADMIN_URL/postgres" -c "CREATE DATABASE $db TEMPLATE credence_bench_$$_$1" >/dev/null
      pg_dbs+=("$db")
      echo "$PG_ADMIN_URL/$db"
      ;;
  esac
}

api() { # bin token method path [curl args...]: the answer's body; fails on a non-2xx
  local bin="$1" tok="$2" method="$3" path="$4"; shift 4
  curl -fsS -X "$method" -H "Authorization: Bearer $tok" "$@" "http://127.0.0.1:${port[$bin]}$path"
}

# What the seed does not write, made through the API as people would: the member bookmarks
# and likes 40 public posts and asks 8 questions; five other authors each follow the member,
# like their 8 questions and reply 4 times to the newest (a thread of 20 replies): 65
# notifications.
# Sets `listing_path[bin:listing]` for every listing (each binary serves its own copy).
prepare_listings() { # bin
  local bin="$1" tok="${token[$bin]}"
  local me public mine thread tag author
  me="$(api "$bin" "$tok" GET /api/v1/accounts/verify_credentials | jq -r .id)"
  public="$(api "$bin" "$tok" GET '/api/v1/timelines/public?limit=40')"
  for id in $(jq -r '.[].id' <<<"$public"); do
    api "$bin" "$tok" POST "/api/v1/statuses/$id/bookmark" >/dev/null
    api "$bin" "$tok" POST "/api/v1/statuses/$id/favourite" >/dev/null
  done
  local questions=() thread others
  for i in 1 2 3 4 5 6 7 8; do
    questions+=("$(api "$bin" "$tok" POST /api/v1/statuses -H 'Content-Type: application/json' \
      -d "{\"status\": \"Question for everyone ($i): how do you keep walking through the winter months?\"}" \
      | jq -r .id)")
  done
  thread="${questions[7]}"
  others="$(jq -r --arg me "$member" '[.[].account.username | select(. != $me)] | unique | .[:5] | .[]' <<<"$public")"
  for handle in $others; do
    local other
    other="$("$work/$bin" admin token --handle "$handle")"
    api "$bin" "$other" POST "/api/v1/accounts/$me/follow" >/dev/null
    for id in "${questions[@]}"; do
      api "$bin" "$other" POST "/api/v1/statuses/$id/favourite" >/dev/null
    done
    for i in 1 2 3 4; do
      api "$bin" "$other" POST /api/v1/statuses -H 'Content-Type: application/json' \
        -d "{\"status\": \"Thank you, this is clear and kind (note $i).\", \"in_reply_to_id\": \"$thread\"}" >/dev/null
    done
  done
  tag="$(jq -r '[.[].tags[].name][0]' <<<"$public")"
  # The profile listing: the busiest author on the public page.
  author="$(jq -r 'max_by(.account.statuses_count).account.id' <<<"$public")"
  listing_path+=(
    ["$bin:home"]=/api/v1/timelines/home
    ["$bin:public"]=/api/v1/timelines/public
    ["$bin:explore"]=/api/v1/trends/statuses
    ["$bin:tag"]="/api/v1/timelines/tag/$tag"
    ["$bin:profile"]="/api/v1/accounts/$author/statuses"
    ["$bin:thread"]="/api/v1/statuses/$thread/context"
    ["$bin:bookmarks"]=/api/v1/bookmarks
    ["$bin:favourites"]=/api/v1/favourites
    ["$bin:notifications"]=/api/v1/notifications
  )
}
declare -A listing_path=()

for backend in $BACKENDS; do
  echo
  echo "== $backend: $POSTS posts by $AUTHORS authors ($binaries)"
  if [ "$backend" = postgres ] && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null \
      && command -v pg_ctlcluster >/dev/null; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  case "$backend" in sqlite|postgres) ;; *) echo "unknown backend '$backend'" >&2; exit 2 ;; esac
  : >"$results/$backend-runs.txt"
  : >"$results/$backend-table.txt"

  # Seed once (with the baseline when comparing, which the new binary can migrate further).
  first="${binaries%% *}"
  url[$first]="$(new_database "$first")"
  settings "$first"
  "$seeder" migrate >/dev/null
  start=$(date +%s.%N)
  "$seeder" demo --posts "$POSTS" --authors "$AUTHORS" >"$results/$backend-seed.txt" 2>"$results/$backend-seed-progress.txt"
  seed_secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
  cat "$results/$backend-seed.txt"
  member="$(sed -n 's/^sample member: @\([A-Za-z0-9_]*\).*/\1/p' "$results/$backend-seed.txt")"
  [ -n "$member" ] || { echo "no sample member in the seed output" >&2; exit 1; }
  if [ "$backend" = sqlite ]; then
    db_size="$(du -sh "$work/$first-data" | cut -f1)"
  else
    # Vacuum and analyse now rather than let autovacuum do it under the load test (a run
    # where it did measured /healthz at half its rate).
    psql -q "${url[$first]}" -c "VACUUM (ANALYZE)" >/dev/null
    db_size="$(psql -qtA "${url[$first]}" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
  fi
  printf 'seed: %s s wall clock (database %s)\n' "$seed_secs" "$db_size" | tee -a "$results/$backend-table.txt"
  if [ "$binaries" = "old new" ]; then
    url[new]="$(copy_database old new)"
  fi

  offset=0
  for bin in $binaries; do
    port[$bin]=$((PORT + offset)); offset=$((offset + 1))
    settings "$bin"
    "$work/$bin" migrate >/dev/null
    token[$bin]="$("$work/$bin" admin token --handle "$member")"
    "$work/$bin" --listen "127.0.0.1:${port[$bin]}" serve >"$results/$backend-$bin-server.log" 2>&1 &
    server_pid[$bin]=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:${port[$bin]}/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    kill -0 "${server_pid[$bin]}" 2>/dev/null || { cat "$results/$backend-$bin-server.log" >&2; exit 1; }
    smoke "$bin" /healthz
    prepare_listings "$bin"
    # Pages differ with the seeded member and author (articles are long): say what was
    # measured. No ANALYZE after the member's feed is built: the server analyses the feed
    # tables itself when they outgrow what the planner last saw (finding 12).
    for listing in $LISTINGS; do
      listing_auth "$bin" "$listing"
      smoke "$bin" "${listing_path[$bin:$listing]}" "${auth_args[@]}"
      printf '%s %s page: %s bytes (%s statuses)\n' "$bin" "$listing" "$(wc -c <"$work/smoke.json")" \
        "$(jq 'if type == "array" then length else (.descendants // []) + (.ancestors // []) | length end' "$work/smoke.json")" \
        | tee -a "$results/$backend-table.txt"
    done
  done

  printf '%-4s %-26s %10s %10s %10s %8s\n' bin endpoint "req/s" p50 p99 non-2xx | tee -a "$results/$backend-runs.txt"
  # Every listing alternates with /healthz ROUNDS times, and the binaries take turns on each
  # endpoint, the first of the pair changing every round: the machine's own noise (other
  # services, the database's background work) moves single runs by tens of percent and drifts
  # over minutes, so neither binary may always go first. Ratios are taken between medians.
  for round in $(seq "$ROUNDS"); do
    order="$binaries"
    if [ $((round % 2)) = 0 ]; then order="$(printf '%s\n' $binaries | tac | xargs)"; fi
    for endpoint in healthz $LISTINGS; do
      for bin in $order; do
        case "$endpoint" in
          healthz) run_wrk "$bin" "healthz-$round" /healthz ;;
          *) listing_auth "$bin" "$endpoint"
             run_wrk "$bin" "$endpoint-$round" "${listing_path[$bin:$endpoint]}" "${auth_args[@]}" ;;
        esac
      done
    done
  done
  for bin in $binaries; do
    auth=(-H "Authorization: Bearer ${token[$bin]}")
    run_wrk "$bin" publish /api/v1/statuses -s bench/post.lua "${auth[@]}"
  done

  echo "medians of $ROUNDS rounds (req/s, the ratio to /healthz, the median p99):" | tee -a "$results/$backend-table.txt"
  for bin in $binaries; do
    healthz="$(median "$bin" healthz)"
    printf '%-4s %-14s %8.0f\n' "$bin" healthz "$healthz" | tee -a "$results/$backend-table.txt"
    for listing in $LISTINGS; do
      m="$(median "$bin" "$listing")"
      awk -v b="$bin" -v n="$listing" -v m="$m" -v z="$healthz" -v p="$(median_p99 "$bin" "$listing")" \
        'BEGIN {printf "%-4s %-14s %8.0f  %.3f  p99 %s\n", b, n, m, (z > 0 ? m / z : 0), p}' \
        | tee -a "$results/$backend-table.txt"
    done
    # Resident memory after every listing and publishing: what the caches grew to.
    printf '%-4s RSS after the run: %s MB\n' "$bin" \
      "$(( $(ps -o rss= -p "${server_pid[$bin]}") / 1024 ))" | tee -a "$results/$backend-table.txt"
  done
  if [ "$binaries" = "old new" ]; then
    # How far each of the new binary's ratios is from the old one's (the restructure's bound:
    # within 10%).
    for listing in $LISTINGS; do
      awk -v n="$listing" -v oz="$(median old healthz)" -v om="$(median old "$listing")" \
          -v nz="$(median new healthz)" -v nm="$(median new "$listing")" \
          'BEGIN {o = om / oz; w = nm / nz; printf "%s: ratio new/old = %.3f / %.3f = %+.1f%%\n", n, w, o, (w / o - 1) * 100}' \
        | tee -a "$results/$backend-table.txt"
    done
  fi

  stop_servers
  drop_databases
  rm -rf "$work"/*-data
done

echo
echo "== summary ($POSTS posts, $AUTHORS authors; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; raw output in $results)"
for backend in $BACKENDS; do
  echo "-- $backend"
  cat "$results/$backend-table.txt"
done
