#!/usr/bin/env bash
# `make bench`: fcgi-auth (lighttpd + the FastCGI programs of build/) against
# Better Auth 1.7.25 (tests/reference/server.mjs on Node), both on one private
# FerretDB (different database names, same secret), measured with wrk on
# 127.0.0.1 only. Prints one table and the targets, and writes the results
# section of docs/benchmarks.md and docs/benchmarks.svg.
#
# STORE=sqlite (default): FerretDB's SQLite backend. STORE=postgresql: its
# PostgreSQL backend on a private cluster of Debian's PostgreSQL (initdb into a
# temporary directory, 127.0.0.1 on a free port, started and stopped here;
# the package is installed on first use, it is not a dependency of make test).
# Its results go to their own section of docs/benchmarks.md.
#
# BENCH_STORE_ADDR=tcp (default): both implementations reach FerretDB on
# 127.0.0.1:<port>. unix: FerretDB listens on a Unix socket in the work
# directory only (no TCP listener, so nothing can reach it another way) and
# both connect through it (MONGODB_URI=mongodb://%2F...%2Fferretdb.sock/ for
# lighttpd's programs, schema-apply, callgrind and tests/reference/server.mjs).
# With STORE=postgresql, FerretDB still reaches PostgreSQL over TCP.
#
# Cells (each repeated BENCH_REPS times, ours and theirs interleaved; medians):
#   get-db (get-session, database path, both rate limiters off), get-rl (the
#   same with both limiters on, limits raised so nothing is refused),
#   get-cache (cookie cache), trivial (the trivial-responder ceiling; run
#   repetition by repetition with get-cache, whose ratio to it is a target), signin
#   (scrypt-bound), signup (a new email per request); and callgrind: the
#   `session` program's instructions per get-session (bench/callgrind.sh),
#   deterministic. BENCH_CELLS="get-db callgrind" runs only those.
# Memory: VmRSS of every FastCGI process and of the Node processes, at rest
# and after the runs; peak RSS sampled during the sign-in cells.
# Scrypt limit: nproc / seconds per hash (C password_hash and Node scryptSync).
#
# Knobs (environment): BENCH_REPS=3 BENCH_GET_SECONDS=6 BENCH_POST_SECONDS=10
# BENCH_GET_CONNS=16 BENCH_POST_CONNS=4 BENCH_THREADS=1 BENCH_WARMUP_SECONDS=2
# BENCH_KEEP=1 (keep the work directory) BENCH_NO_DOCS=1 (do not write docs/)
# BENCH_CELLS (default: all) BENCH_CG_REQUESTS=100 (callgrind requests per row)
# BENCH_STORE_ADDR=tcp|unix (how both reach the store, above).
#
# Bounded: every wait has a limit, wrk runs are fixed-length, and a watchdog
# ends the run after BENCH_MAX_SECONDS (default 900). Everything started here
# is stopped by PID on exit.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

REPS=${BENCH_REPS:-3}
GET_S=${BENCH_GET_SECONDS:-6}
POST_S=${BENCH_POST_SECONDS:-10}
GET_C=${BENCH_GET_CONNS:-16}
POST_C=${BENCH_POST_CONNS:-4}
THREADS=${BENCH_THREADS:-1}
WARM_S=${BENCH_WARMUP_SECONDS:-2}
SETTLE=${BENCH_SETTLE_SECONDS:-2}  # pause after each scrypt-bound run
SETTLE_S=0
MAX_S=${BENCH_MAX_SECONDS:-900}
BUILD=${FCGI_AUTH_BUILD:-build}
STORE=${STORE:-sqlite}
CELLS=${BENCH_CELLS:-get-db get-rl get-cache trivial callgrind signin signup}
STORE_ADDR=${BENCH_STORE_ADDR:-tcp}
t_start=$(date +%s)

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for b in session signin signup signout sync-user me; do
	[ -x "$BUILD/cgi-bin/$b" ] || die "$BUILD/cgi-bin/$b missing: run make first"
done
[ -f "$BUILD/libfcgiauth.a" ] && [ -x "$BUILD/schema-apply" ] || die "$BUILD is incomplete: run make first"
[ -x .deps/bin/ferretdb ] || die ".deps/bin/ferretdb missing: run make deps first"
[ -d node_modules/better-auth ] || die "node_modules missing: run make deps first"
case $STORE in sqlite | postgresql) ;; *) die "STORE must be sqlite or postgresql, not $STORE" ;; esac
case $STORE_ADDR in tcp | unix) ;; *) die "BENCH_STORE_ADDR must be tcp or unix, not $STORE_ADDR" ;; esac
want() { case " $CELLS " in *" $1 "*) return 0 ;; esac; return 1; }

# wrk and gnuplot (scripts/deps.sh installs them; here too when run directly).
missing=""
command -v wrk >/dev/null || missing="$missing wrk"
command -v gnuplot >/dev/null || missing="$missing gnuplot-nox"
want callgrind && ! command -v valgrind >/dev/null && missing="$missing valgrind"
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
[ "$STORE" = postgresql ] && [ -z "$(pg_bin)" ] && missing="$missing postgresql"
if [ -n "$missing" ]; then
	log "installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

work=$(mktemp -d /tmp/fcgi-auth-bench.XXXXXX)
results=$work/results.tsv   # cell impl rep rps p50_us p99_us non2xx sockerr cpu_us db_us machine_us wrk_us
meta=$work/meta.env         # key=value lines for the report
rss=$work/rss.tsv           # when instance pid name vmrss vmhwm rssanon pss (KiB)
: >"$results"
: >"$rss"
: >"$meta"

# ------------------------------------------------------------ process control
started=()       # PIDs we started directly (lighttpd, node, ferretdb)
declare -A PID_OF=()  # server URL -> its PID (for CPU accounting)
fcgi_pids=()     # FastCGI processes spawned by our lighttpd instances
wd_pid=""
sampler_pid=""
pg_pid=""        # the private PostgreSQL cluster's postmaster (STORE=postgresql)
pg_dir=""

alive() { kill -0 "$1" 2>/dev/null; }

stop_pid() { # pid: TERM, wait up to 3 s, KILL
	local p=$1 i=0
	alive "$p" || return 0
	kill -TERM "$p" 2>/dev/null || true
	while alive "$p" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	alive "$p" && kill -KILL "$p" 2>/dev/null || true
}

# The FastCGI programs lighttpd spawned: its direct children.
children_of() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true; }

cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	[ -n "$sampler_pid" ] && stop_pid "$sampler_pid"
	for ((i = ${#started[@]} - 1; i >= 0; i--)); do
		p=${started[$i]}
		# collect lighttpd's children now (they may have been respawned)
		for c in $(children_of "$p"); do fcgi_pids+=("$c"); done
		stop_pid "$p"
	done
	for p in "${fcgi_pids[@]}"; do stop_pid "$p"; done
	if [ -n "$pg_pid" ]; then
		# SIGINT: PostgreSQL's fast shutdown (its backends end with it)
		kill -INT "$pg_pid" 2>/dev/null || true
		for ((i = 0; i < 150; i++)); do alive "$pg_pid" || break; sleep 0.1; done
		alive "$pg_pid" && log "warning: PostgreSQL ($pg_pid) did not stop within 15 s"
	fi
	[ -n "$pg_dir" ] && ! alive "${pg_pid:-0}" && rm -rf "$pg_dir"
	[ -n "$wd_pid" ] && stop_pid "$wd_pid"
	wait 2>/dev/null || true
	# the metrics segment of our database outlives the programs (lib/metrics.h)
	[ -n "${OURS_DB:-}" ] && "$BUILD/tests-tools/metrics-remove" "$OURS_DB" 2>/dev/null || true
	if [ -n "${BENCH_KEEP:-}" ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Watchdog: the whole run is bounded.
main_pid=$$
(
	trap 'kill $sp 2>/dev/null; exit 0' TERM
	sleep "$MAX_S" & sp=$!
	wait $sp
	echo "bench: watchdog: over ${MAX_S}s, stopping" >&2
	kill -TERM $main_pid
) &
wd_pid=$!

load() { cut -d' ' -f1-3 /proc/loadavg; }

free_port() { ./scripts/free-port.sh; }

wait_ok() { # url what pid
	local i=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/api/auth/ok" || true)" != 200 ]; do
		alive "$3" || die "$2 exited; see $work"
		i=$((i + 1))
		[ $i -le 150 ] || die "$2 did not answer on $1 within 30 s"
		sleep 0.2
	done
}

# ------------------------------------------------------------ set-up
SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
OURS_DB=bench_ours_$tag
THEIRS_DB=bench_theirs_$tag
PASSWORD=bench-password-123
EMAIL=bench@bench.example
BASE_ENV=(env -i "PATH=$PATH" "HOME=${HOME:-/root}" "LANG=C.UTF-8" "BETTER_AUTH_SECRET=$SECRET"
	"BETTER_AUTH_TELEMETRY=0" "DO_NOT_TRACK=1" "FCGI_AUTH_HASH_SLOTS=${FCGI_AUTH_HASH_SLOTS:-}")

log "load at start: $(load); work directory $work"
if [ "$STORE" = postgresql ]; then
	# A private cluster: initdb into a temporary directory, trust
	# authentication on 127.0.0.1 only, PostgreSQL's default settings. The
	# server refuses to run as root: then it runs as the package's postgres user.
	pgb=$(pg_bin)
	pg_dir=$(mktemp -d /tmp/fcgi-auth-bench-pg.XXXXXX)
	as_pg=()
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "STORE=postgresql as root needs the postgres user (Debian's postgresql package)"
		chown postgres: "$pg_dir"
		as_pg=(runuser -u postgres --)
	fi
	pg_port=$(free_port)
	(cd "$pg_dir" && "${as_pg[@]}" "$pgb/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 \
		--locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1) || die "initdb failed: $(tail -3 "$pg_dir/initdb.log")"
	(cd "$pg_dir" && "${as_pg[@]}" "$pgb/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgresql.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir" start >/dev/null) ||
		die "PostgreSQL did not start: $(tail -3 "$pg_dir/postgresql.log")"
	pg_pid=$(head -1 "$pg_dir/data/postmaster.pid")
	(cd "$pg_dir" && "${as_pg[@]}" "$pgb/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres ferretdb) ||
		die "createdb ferretdb failed"
	export FERRETDB_POSTGRESQL_URL="postgres://postgres@127.0.0.1:$pg_port/ferretdb"
	log "PostgreSQL $("$pgb/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (pid $pg_pid, $pg_dir)"
	echo "postgresql=$("$pgb/postgres" --version | awk '{print $3}')" >>"$meta"
fi
echo "store=$STORE" >>"$meta"
if [ "$STORE_ADDR" = unix ]; then
	fdb_sock=$work/ferretdb.sock
	fdb_pid=$(./scripts/ferretdb.sh - "$work/ferretdb" "$work/ferretdb.log" "--listen-unix=$fdb_sock")
	# The path percent-encoded (libmongoc and the Node driver take it so).
	MONGO="mongodb://$(node -p 'encodeURIComponent(process.argv[1])' "$fdb_sock")/"
	echo "store_addr=unix socket" >>"$meta"
else
	fdb_port=$(free_port)
	fdb_pid=$(./scripts/ferretdb.sh "$fdb_port" "$work/ferretdb" "$work/ferretdb.log")
	MONGO="mongodb://127.0.0.1:$fdb_port/"
	echo "store_addr=TCP 127.0.0.1" >>"$meta"
fi
unset FERRETDB_POSTGRESQL_URL
started+=("$fdb_pid")
log "FerretDB (pid $fdb_pid) at $MONGO"
for db in "$OURS_DB" "$THEIRS_DB"; do
	# The adapter's indexes on both databases (user.email, session.token, ...).
	MONGODB_URI=$MONGO MONGODB_DB=$db "./$BUILD/schema-apply" >/dev/null || die "schema-apply on $db failed"
done

# Rate limiting: off, or on (1) with every class's limit raised so that
# nothing is refused: what it costs, not what it refuses.
RL_ON=("BETTER_AUTH_RATE_LIMIT=1" "FCGI_AUTH_RATE_LIMIT_MAX=1000000" "FCGI_AUTH_RATE_LIMIT_STRICT_MAX=1000000")
RL_OFF=("BETTER_AUTH_RATE_LIMIT=0")
rl_env() { # 0|1
	if [ "$1" = 1 ]; then printf '%s\n' "${RL_ON[@]}"; else printf '%s\n' "${RL_OFF[@]}"; fi
}

start_ours() { # name port cache ratelimit -> sets REPLY to lighttpd's pid
	local name=$1 port=$2 cache=$3 st=$work/$1
	local -a rl
	mapfile -t rl < <(rl_env "$4")
	mkdir -p "$st/docroot"
	"${BASE_ENV[@]}" "FCGI_AUTH_HOST=127.0.0.1" "FCGI_AUTH_PORT=$port" "FCGI_AUTH_BIN=$top/$BUILD/cgi-bin" \
		"FCGI_AUTH_STATE=$st" "FCGI_AUTH_DOCROOT=$st/docroot" "FCGI_AUTH_CONF=$top/lighttpd-conf" \
		"BETTER_AUTH_URL=http://127.0.0.1:$port" "MONGODB_URI=$MONGO" "MONGODB_DB=$OURS_DB" \
		"FCGI_AUTH_COOKIE_CACHE=$cache" "${rl[@]}" \
		lighttpd -D -f "$top/lighttpd-conf/lighttpd.conf" >"$st/stdout.log" 2>&1 &
	REPLY=$!
	started+=("$REPLY")
	wait_ok "http://127.0.0.1:$port" "lighttpd ($name)" "$REPLY"
}

start_theirs() { # name port cache ratelimit
	local name=$1 port=$2 cache=$3
	local -a rl
	mapfile -t rl < <(rl_env "$4")
	"${BASE_ENV[@]}" "NODE_ENV=production" "PORT=$port" "BETTER_AUTH_URL=http://127.0.0.1:$port" \
		"MONGODB_URI=$MONGO" "MONGODB_DB=$THEIRS_DB" "FCGI_AUTH_COOKIE_CACHE=$cache" "${rl[@]}" \
		node tests/reference/server.mjs >"$work/$name.log" 2>&1 &
	REPLY=$!
	started+=("$REPLY")
	wait_ok "http://127.0.0.1:$port" "Better Auth ($name)" "$REPLY"
}

p=$(free_port); start_ours ours-db "$p" 0 0; OURS_DB_URL=http://127.0.0.1:$p; OURS_DB_PID=$REPLY
p=$(free_port); start_ours ours-cache "$p" 1 0; OURS_CACHE_URL=http://127.0.0.1:$p; OURS_CACHE_PID=$REPLY
p=$(free_port); start_ours ours-rl "$p" 0 1; OURS_RL_URL=http://127.0.0.1:$p; OURS_RL_PID=$REPLY
p=$(free_port); start_theirs theirs-db "$p" 0 0; THEIRS_DB_URL=http://127.0.0.1:$p; THEIRS_DB_PID=$REPLY
p=$(free_port); start_theirs theirs-cache "$p" 1 0; THEIRS_CACHE_URL=http://127.0.0.1:$p; THEIRS_CACHE_PID=$REPLY
p=$(free_port); start_theirs theirs-rl "$p" 0 1; THEIRS_RL_URL=http://127.0.0.1:$p; THEIRS_RL_PID=$REPLY
PID_OF[$OURS_DB_URL]=$OURS_DB_PID PID_OF[$OURS_CACHE_URL]=$OURS_CACHE_PID PID_OF[$OURS_RL_URL]=$OURS_RL_PID
PID_OF[$THEIRS_DB_URL]=$THEIRS_DB_PID PID_OF[$THEIRS_CACHE_URL]=$THEIRS_CACHE_PID
PID_OF[$THEIRS_RL_URL]=$THEIRS_RL_PID

# The ceiling: bench/trivial (answers {"ok":true} and does nothing else) as
# every program of the shipped lighttpd.conf, under that configuration as it
# is (identity.lua, the URL conditions, the same FastCGI settings), so that it
# pays all that lighttpd does for a request and nothing that our programs do;
# and a bare node:http server.
make -s "$BUILD/bench/trivial" >&2
mkdir -p "$work/trivial-bin" "$work/trivial-state/docroot"
for prog in $(sed -n 's/.*var\.bin + "\/\([a-z-]*\)".*/\1/p' lighttpd-conf/lighttpd.conf | sort -u); do
	cp "$BUILD/bench/trivial" "$work/trivial-bin/$prog"
done
[ -x "$work/trivial-bin/session" ] || die "no session program in lighttpd-conf/lighttpd.conf"
p=$(free_port)
"${BASE_ENV[@]}" "FCGI_AUTH_HOST=127.0.0.1" "FCGI_AUTH_PORT=$p" "FCGI_AUTH_BIN=$work/trivial-bin" \
	"FCGI_AUTH_STATE=$work/trivial-state" "FCGI_AUTH_DOCROOT=$work/trivial-state/docroot" \
	"FCGI_AUTH_CONF=$top/lighttpd-conf" \
	lighttpd -D -f "$top/lighttpd-conf/lighttpd.conf" >"$work/trivial-state/stdout.log" 2>&1 &
TRIV_PID=$!
started+=("$TRIV_PID")
TRIV_URL=http://127.0.0.1:$p
PID_OF[$TRIV_URL]=$TRIV_PID
wait_ok "$TRIV_URL" "lighttpd (trivial)" "$TRIV_PID"
p=$(free_port)
"${BASE_ENV[@]}" "PORT=$p" node -e '
const b = "{\"ok\":true}";
require("node:http").createServer((q, s) => {
	s.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
	s.end(b);
}).listen(Number(process.env.PORT), "127.0.0.1");' >"$work/node-trivial.log" 2>&1 &
NODE_TRIV_PID=$!
started+=("$NODE_TRIV_PID")
NODE_TRIV_URL=http://127.0.0.1:$p
PID_OF[$NODE_TRIV_URL]=$NODE_TRIV_PID
wait_ok "$NODE_TRIV_URL" "node (trivial)" "$NODE_TRIV_PID"

# ------------------------------------------------------------ seed users
post() { # url path json -> body in $work/body, headers in $work/hdrs; prints status
	curl -s --max-time 15 -o "$work/body" -D "$work/hdrs" -w '%{http_code}' -X POST "$1$2" \
		-H 'Content-Type: application/json' -H "Origin: $1" --data-binary "$3"
}
cookies_from_hdrs() { # live Set-Cookie name=value pairs joined with "; "
	grep -i '^set-cookie:' "$work/hdrs" | grep -vi 'max-age=0' |
		sed -e 's/^[^:]*:[[:space:]]*//' -e 's/;.*//' -e 's/\r$//' | paste -sd';' | sed 's/;/; /g'
}
signin_cookies() { # url -> cookie header
	local s
	s=$(post "$1" /api/auth/sign-in/email "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")
	[ "$s" = 200 ] || die "sign-in on $1 answered $s: $(cat "$work/body")"
	cookies_from_hdrs
}
check_session() { # url cookie what: get-session must name the seeded user
	local body
	body=$(curl -s --max-time 5 -H "Cookie: $2" "$1/api/auth/get-session")
	case $body in *"\"$EMAIL\""*) ;; *) die "$3: get-session did not return the user: $body" ;; esac
}

for url in "$OURS_DB_URL" "$THEIRS_DB_URL"; do
	for i in 0 1 2 3 4 5 6 7; do
		e=seed-$i@bench.example
		[ $i -eq 0 ] && e=$EMAIL
		s=$(post "$url" /api/auth/sign-up/email "{\"name\":\"Seed $i\",\"email\":\"$e\",\"password\":\"$PASSWORD\"}")
		[ "$s" = 200 ] || die "seed sign-up on $url answered $s: $(cat "$work/body")"
	done
done
OURS_DB_COOKIE=$(signin_cookies "$OURS_DB_URL")
THEIRS_DB_COOKIE=$(signin_cookies "$THEIRS_DB_URL")
check_session "$OURS_DB_URL" "$OURS_DB_COOKIE" "ours (DB path)"
check_session "$THEIRS_DB_URL" "$THEIRS_DB_COOKIE" "theirs (DB path)"
case $OURS_DB_COOKIE in *session_data*) die "ours (DB path) issued a session_data cookie" ;; esac
case $THEIRS_DB_COOKIE in *session_data*) die "theirs (DB path) issued a session_data cookie" ;; esac
log "seeded 8 users in each database ($OURS_DB, $THEIRS_DB)"

# ------------------------------------------------------------ memory
mem_line() { # when instance pid name: VmRSS, VmHWM, RssAnon (status) and Pss (smaps_rollup), KiB
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$(awk '
		FILENAME ~ /status$/ && /^(VmRSS|VmHWM|RssAnon):/ { v[$1] = $2 }
		FILENAME ~ /smaps_rollup$/ && /^Pss:/ { v[$1] = $2 }
		END { printf "%d\t%d\t%d\t%d", v["VmRSS:"], v["VmHWM:"], v["RssAnon:"], v["Pss:"] }' \
		"/proc/$3/status" "/proc/$3/smaps_rollup" 2>/dev/null)" >>"$rss"
}
record_rss() { # when
	local when=$1 inst pid c name
	for inst in ours-db:$OURS_DB_PID ours-cache:$OURS_CACHE_PID ours-rl:$OURS_RL_PID; do
		pid=${inst#*:}
		for c in $(children_of "$pid"); do
			name=$(cat "/proc/$c/comm" 2>/dev/null) || continue
			mem_line "$when" "${inst%%:*}" "$c" "$name"
		done
	done
	for inst in theirs-db:$THEIRS_DB_PID theirs-cache:$THEIRS_CACHE_PID theirs-rl:$THEIRS_RL_PID; do
		mem_line "$when" "${inst%%:*}" "${inst#*:}" node
	done
}
sleep 1
record_rss rest

# ------------------------------------------------------------ wrk
# CPU time (utime + stime, clock ticks) of a server: the process and its
# direct children (lighttpd's FastCGI programs), and of the store: FerretDB,
# and with STORE=postgresql the postmaster, its live backends and those that
# ended (the postmaster's cutime + cstime).
ticks() { # pid...
	local p t=0 v
	for p in "$@"; do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }') || continue
		t=$((t + ${v:-0}))
	done
	echo $t
}
store_ticks() {
	local t v
	t=$(ticks "$fdb_pid")
	if [ -n "$pg_pid" ]; then
		v=$(sed 's/.*) //' "/proc/$pg_pid/stat" 2>/dev/null | awk '{ print $14 + $15 }') || v=0
		t=$((t + ${v:-0} + $(ticks "$pg_pid" $(children_of "$pg_pid"))))
	fi
	echo $t
}
server_pids() { echo "$1" $(children_of "$1"); }
# Every core's busy time (user, nice, system, irq, softirq, steal), ticks.
machine_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
HZ=$(getconf CLK_TCK)

run_wrk() { # cell impl rep conns seconds url path script args...
	local cell=$1 impl=$2 rep=$3 conns=$4 secs=$5 url=$6 path=$7 script=$8 out line pids s0 d0 s1 d1
	shift 8
	local m0 m1 wrk_cpu
	pids=$(server_pids "${PID_OF[$url]}")
	s0=$(ticks $pids)
	d0=$(store_ticks)
	m0=$(machine_ticks)
	# (times, in the same subshell and not in a pipe: that subshell's only
	# child is wrk; its second line is wrk's user and system time)
	out=$(wrk -t"$THREADS" -c"$conns" -d"${secs}s" --timeout 10s -s "$script" "$url$path" -- "$@" 2>&1 &&
		times >"$work/wrk.times") || die "wrk failed ($cell $impl): $out"
	s1=$(ticks $pids)
	d1=$(store_ticks)
	m1=$(machine_ticks)
	wrk_cpu=$(tail -1 "$work/wrk.times" | sed 's/m/ /g; s/s//g' | awk '{ printf "%.3f", $1 * 60 + $2 + $3 * 60 + $4 }')
	line=$(printf '%s\n' "$out" | grep '^RESULT ' | tail -1)
	[ -n "$line" ] || die "wrk printed no RESULT ($cell $impl): $out"
	# A client that hangs up does not stop a hash in progress: let the server
	# finish what the last run left in flight before the next run starts.
	[ "$SETTLE_S" != 0 ] && sleep "$SETTLE_S"
	[ "$rep" = warm ] && return 0
	# RESULT requests duration_us p50 p99 non2xx sockerr
	# + CPU µs per request: the server's, FerretDB's (the requests still in
	# flight when wrk stops are not counted, so this slightly over-states it)
	# + the machine's (every core's busy time) and wrk's, per request: what
	# is left of the machine's is everything else that ran meanwhile
	echo "$line" | awk -v c="$cell" -v i="$impl" -v r="$rep" -v s=$((s1 - s0)) -v d=$((d1 - d0)) -v hz="$HZ" \
		-v m=$((m1 - m0)) -v w="${wrk_cpu:-0}" \
		'{ n = $2 > 0 ? $2 : 1; printf "%s\t%s\t%s\t%.1f\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\n", c, i, r, $2 / ($3 / 1e6), $4, $5, $6, $7,
			s * 1e6 / hz / n, d * 1e6 / hz / n, m * 1e6 / hz / n, w * 1e6 / n }' >>"$results"
	tail -1 "$results" | awk -F'\t' '{ printf "bench:   %-9s %-6s #%s %8.1f req/s  p50 %8.2f ms  p99 %8.2f ms  CPU/req server %7.0f us, store %6.0f us, wrk %5.0f us, machine %7.0f us%s\n",
		$1, $2, $3, $4, $5 / 1000, $6 / 1000, $9, $10, $12, $11, ($7 + $8 > 0 ? "  (" $7 " non-2xx, " $8 " socket errors)" : "") }' >&2
}

# CELL_REP=n: only repetition n (and the warm-up only when n is 1), so that
# two cells can be run repetition by repetition under the same load.
cell() { # name conns secs ours:(url path script args) -- theirs:(...)
	local name=$1 conns=$2 secs=$3 r first=${CELL_REP:-1} last=${CELL_REP:-$REPS}
	shift 3
	local -a ours=() theirs=()
	while [ "$1" != "--" ]; do ours+=("$1"); shift; done
	shift
	theirs=("$@")
	if [ "$first" = 1 ]; then
		log "$name (load $(load)): warm-up, then $REPS x ${secs}s each, $conns connections"
		echo "load_$name=$(load)" >>"$meta"
		run_wrk "$name" ours warm "$conns" "$WARM_S" "${ours[@]}"
		[ ${#theirs[@]} -gt 0 ] && run_wrk "$name" theirs warm "$conns" "$WARM_S" "${theirs[@]}"
	fi
	for ((r = first; r <= last; r++)); do
		# alternate who goes first, so drifting load hits both alike
		if [ $((r % 2)) -eq 1 ] || [ ${#theirs[@]} -eq 0 ]; then
			run_wrk "$name" ours "$r" "$conns" "$secs" "${ours[@]}"
			[ ${#theirs[@]} -gt 0 ] && run_wrk "$name" theirs "$r" "$conns" "$secs" "${theirs[@]}"
		else
			run_wrk "$name" theirs "$r" "$conns" "$secs" "${theirs[@]}"
			run_wrk "$name" ours "$r" "$conns" "$secs" "${ours[@]}"
		fi
	done
	return 0
}

GS=/api/auth/get-session
if want get-db; then
	cell get-db "$GET_C" "$GET_S" \
		"$OURS_DB_URL" "$GS" bench/wrk.lua get "$OURS_DB_COOKIE" -- \
		"$THEIRS_DB_URL" "$GS" bench/wrk.lua get "$THEIRS_DB_COOKIE"
fi
if want get-rl; then
	# Both limiters on (ours: the rateLimit collection or shared memory, as
	# lib/ratelimit.c counts the class; Better Auth: its default in-memory
	# storage), every limit raised so that nothing is refused.
	check_session "$OURS_RL_URL" "$OURS_DB_COOKIE" "ours (DB path, rate limit on)"
	check_session "$THEIRS_RL_URL" "$THEIRS_DB_COOKIE" "theirs (DB path, rate limit on)"
	cell get-rl "$GET_C" "$GET_S" \
		"$OURS_RL_URL" "$GS" bench/wrk.lua get "$OURS_DB_COOKIE" -- \
		"$THEIRS_RL_URL" "$GS" bench/wrk.lua get "$THEIRS_DB_COOKIE"
fi

if want get-cache || want trivial || want callgrind; then
	# cookie cache: a fresh sign-in on the cache-enabled instances (session_token +
	# session_data; session_data lives FCGI_AUTH_COOKIE_CACHE_MAX_AGE = 300 s).
	OURS_CACHE_COOKIE=$(signin_cookies "$OURS_CACHE_URL")
	THEIRS_CACHE_COOKIE=$(signin_cookies "$THEIRS_CACHE_URL")
	for c in "$OURS_CACHE_COOKIE" "$THEIRS_CACHE_COOKIE"; do
		case $c in *session_token*session_data* | *session_data*session_token*) ;;
		*) die "cookie-cache sign-in did not set session_token and session_data: $c" ;; esac
	done
	check_session "$OURS_CACHE_URL" "$OURS_CACHE_COOKIE" "ours (cookie cache)"
	check_session "$THEIRS_CACHE_URL" "$THEIRS_CACHE_COOKIE" "theirs (cookie cache)"
fi
# The cookie cache and its ceiling, repetition by repetition: their ratio
# is a target, and load drifts between cells.
for ((g = 1; g <= REPS; g++)); do
	if want get-cache; then
		CELL_REP=$g cell get-cache "$GET_C" "$GET_S" \
			"$OURS_CACHE_URL" "$GS" bench/wrk.lua get "$OURS_CACHE_COOKIE" -- \
			"$THEIRS_CACHE_URL" "$GS" bench/wrk.lua get "$THEIRS_CACHE_COOKIE"
	fi
	if want trivial; then
		CELL_REP=$g cell trivial "$GET_C" "$GET_S" \
			"$TRIV_URL" "$GS" bench/wrk.lua get "$OURS_CACHE_COOKIE" -- \
			"$NODE_TRIV_URL" "$GS" bench/wrk.lua get "$THEIRS_CACHE_COOKIE"
	fi
done

# Instructions per get-session in the session program (bench/callgrind.sh):
# deterministic, unlike req/s. The same database, cookies and secret.
if want callgrind; then
	cg_env=("BETTER_AUTH_SECRET=$SECRET" "MONGODB_URI=$MONGO" "MONGODB_DB=$OURS_DB"
		"BETTER_AUTH_URL=$OURS_DB_URL" "HOME=${HOME:-/root}")
	cg_row() { # key cookie env...
		local key=$1 cookie=$2 line
		shift 2
		log "callgrind: $key (load $(load))"
		line=$(FCGI_AUTH_BUILD=$BUILD ./bench/callgrind.sh "$work/cg-$key" "$cookie" "\"$EMAIL\"" \
			"${cg_env[@]}" "$@") || die "bench/callgrind.sh ($key) failed"
		echo "$line" | awk -v k="$key" '{ print "callgrind_" k "=" $2 }' >>"$meta"
		log "callgrind: $key: $(echo "$line" | awk '{ print $2 }') instructions per request"
	}
	cg_row db-off "$OURS_DB_COOKIE" "${RL_OFF[@]}"
	cg_row db-on "$OURS_DB_COOKIE" "${RL_ON[@]}"
	# a fresh session_data cookie (it lives 300 s): every request a cache hit
	OURS_CACHE_COOKIE=$(signin_cookies "$OURS_CACHE_URL")
	cg_row cache-off "$OURS_CACHE_COOKIE" "${RL_OFF[@]}" FCGI_AUTH_COOKIE_CACHE=1
	cg_row cache-on "$OURS_CACHE_COOKIE" "${RL_ON[@]}" FCGI_AUTH_COOKIE_CACHE=1
	echo "callgrind_requests=${BENCH_CG_REQUESTS:-100}" >>"$meta"
fi

if want signin || want signup; then
	# The machine's scrypt limit, measured right before the scrypt-bound cells.
	NPROC=$(nproc)
	log "scrypt: timing password_hash (C, libsodium) and crypto.scryptSync (Node), load $(load)"
	make -s "$BUILD/bench/scrypt-rate" >&2 # (no-op when up to date; a stale one would time old code)
	C_RATE=$("$BUILD/bench/scrypt-rate" 8) || die "scrypt-rate failed"
	C_SPH=$(echo "$C_RATE" | awk '{print $3}')
	C_FPH=$(echo "$C_RATE" | awk '{print $4}') # page faults per hash (lib/bigmap.h)
	NODE_SPH=$(node -e '
	const c = require("node:crypto"), n = 8, o = { N: 16384, r: 16, p: 1, maxmem: 64 * 1024 * 1024 };
	c.scryptSync("bench-password-123", "0123456789abcdef0123456789abcdef", 64, o);
	const t = process.hrtime.bigint();
	for (let i = 0; i < n; i++) c.scryptSync("bench-password-123", "0123456789abcdef0123456789abcdef", 64, o);
	console.log((Number(process.hrtime.bigint() - t) / 1e9 / n).toFixed(6));')
	# The same with every core hashing at once (memory bandwidth is shared): one
	# scrypt-rate per core, side by side; the sum of their rates.
	par_rate() {
		local par=() i j
		for ((i = 0; i < NPROC; i++)); do
			"$BUILD/bench/scrypt-rate" 4 >"$work/scrypt-par.$i" &
			par+=($!)
		done
		for j in "${par[@]}"; do wait "$j" || die "scrypt-rate failed"; done
		cat "$work"/scrypt-par.* | awk '{ r += 1 / $3 } END { printf "%.3f", r }'
	}
	C_PAR=$(par_rate)
	{
		echo "scrypt_c_parallel_rate=$C_PAR"
		echo "nproc=$NPROC"
		echo "scrypt_c_s=$C_SPH"
		echo "scrypt_c_faults=$C_FPH"
		echo "scrypt_node_s=$NODE_SPH"
		echo "load_scrypt=$(load)"
	} >>"$meta"
	log "scrypt: C $C_SPH s/hash ($C_FPH page faults), Node $NODE_SPH s/hash -> limit $(awk -v n="$NPROC" -v s="$C_SPH" 'BEGIN{printf "%.2f", n/s}') req/s (C); $NPROC at once: $C_PAR hashes/s"
fi
if want signin; then
	# Peak RSS during the sign-in cells: sample VmRSS of the sign-in processes and
	# of the Node process every 0.2 s.
	# Bash builtins only: an awk per process and sample (25 forks a second) cost
	# the sign-in cell 15 % of its throughput (13.1 against 15.5 req/s, measured
	# side by side).
	sample_rss() {
		local pids="$*" p k v _ tick
		# The 0.2 s pause: a read with a timeout on a FIFO nobody writes.
		mkfifo "$work/sampler.fifo"
		exec {tick}<>"$work/sampler.fifo"
		while :; do
			for p in $pids; do
				while read -r k v _; do
					[ "$k" = VmRSS: ] && { echo "$p $v"; break; }
				done <"/proc/$p/status" 2>/dev/null
			done
			read -r -t 0.2 -u "$tick" _ || :
		done
	}
	signin_pids=""
	for c in $(children_of "$OURS_DB_PID"); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = signin ] && signin_pids="$signin_pids $c"
	done
	SETTLE_S=$SETTLE
	sample_rss $signin_pids "$THEIRS_DB_PID" >"$work/signin-rss.txt" &
	sampler_pid=$!
	# Repetition by repetition, each after the two-hasher rate measured anew:
	# the VM's speed drifts (a bare hash 81 → 90 ms within an hour), and the
	# target compares sign-in with what the hashers do at the same time.
	pars=()
	for ((g = 1; g <= REPS; g++)); do
		pars+=("$(par_rate)")
		CELL_REP=$g cell signin "$POST_C" "$POST_S" \
			"$OURS_DB_URL" /api/auth/sign-in/email bench/wrk.lua signin "$OURS_DB_URL" "$EMAIL" "$PASSWORD" -- \
			"$THEIRS_DB_URL" /api/auth/sign-in/email bench/wrk.lua signin "$THEIRS_DB_URL" "$EMAIL" "$PASSWORD"
	done
	echo "scrypt_c_parallel_rates=${pars[*]}" >>"$meta"
	log "scrypt: $NPROC at once before each sign-in repetition: ${pars[*]} hashes/s"
	stop_pid "$sampler_pid"
	sampler_pid=""
	ours_peak=$(awk -v l="$signin_pids" 'BEGIN{n=split(l,a," ");for(i=1;i<=n;i++)w[a[i]]=1} w[$1]&&$2>m{m=$2} END{print m+0}' "$work/signin-rss.txt")
	ours_peak_sum=$(awk -v l="$signin_pids" 'BEGIN{n=split(l,a," ");for(i=1;i<=n;i++)w[a[i]]=1}
		w[$1]{cur[$1]=$2; s=0; for(k in cur)s+=cur[k]; if(s>m)m=s} END{print m+0}' "$work/signin-rss.txt")
	theirs_peak=$(awk -v p="$THEIRS_DB_PID" '$1==p&&$2>m{m=$2} END{print m+0}' "$work/signin-rss.txt")
	{
		echo "signin_peak_ours_kib=$ours_peak"
		echo "signin_peak_ours_sum_kib=$ours_peak_sum"
		echo "signin_peak_theirs_kib=$theirs_peak"
	} >>"$meta"
fi
if want signup; then
	cell signup "$POST_C" "$POST_S" \
		"$OURS_DB_URL" /api/auth/sign-up/email bench/wrk-signup.lua "$OURS_DB_URL" "$PASSWORD" -- \
		"$THEIRS_DB_URL" /api/auth/sign-up/email bench/wrk-signup.lua "$THEIRS_DB_URL" "$PASSWORD"
fi

sleep 1
record_rss after

# ------------------------------------------------------------ report
cmd="./bench/run.sh"
[ -n "${MAKELEVEL:-}" ] && cmd="make bench"
[ "$STORE" = sqlite ] || cmd="$cmd STORE=$STORE"
knobs=""
for k in BENCH_REPS BENCH_GET_SECONDS BENCH_POST_SECONDS BENCH_GET_CONNS BENCH_POST_CONNS BENCH_THREADS BENCH_WARMUP_SECONDS BENCH_CELLS BENCH_STORE_ADDR; do
	case ${!k:-} in "") ;; *" "*) knobs="$knobs$k=\"${!k}\" " ;; *) knobs="$knobs$k=${!k} " ;; esac
done
{
	echo "command=$knobs$cmd"
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "load_end=$(load)"
	echo "elapsed_s=$(($(date +%s) - t_start))"
	echo "reps=$REPS"
	echo "get_conns=$GET_C"
	echo "post_conns=$POST_C"
	echo "threads=$THREADS"
	echo "get_s=$GET_S"
	echo "post_s=$POST_S"
	echo "cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
	echo "mem=$(awk '/^MemTotal:/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "kernel=$(uname -sr)"
	echo "lighttpd=$(lighttpd -v 2>&1 | head -1 | awk '{print $1}')"
	echo "node=$(node -v)"
	echo "ferretdb=$(.deps/bin/ferretdb --version 2>&1 | awk '/^version:/{print $2}')"
	echo "better_auth=$(node -p 'require("./node_modules/better-auth/package.json").version')"
	echo "mongo_adapter=$(node -p 'require("./node_modules/@better-auth/mongo-adapter/package.json").version' 2>/dev/null || echo ?)"
	echo "wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
	echo "openssl=$(openssl version | awk '{print $2}')"
	echo "libsodium=$(pkg-config --modversion libsodium)"
	echo "hash_slots=${FCGI_AUTH_HASH_SLOTS:-$(nproc)}"
	if [ "${MONGOC:-slim}" = slim ]; then
		echo "libmongoc=$(sed -n 1p "${MONGOC_DIR:-.deps/mongoc}/.stamp"), static"
	else
		echo "libmongoc=$(pkg-config --modversion libmongoc-1.0) (Debian, shared)"
	fi
	echo "cc=$(cc --version | head -1)"
} >>"$meta"

docs=docs
[ -n "${BENCH_NO_DOCS:-}" ] && docs=$work
mkdir -p "$docs"
svg=benchmarks.svg
[ "$STORE" = sqlite ] || svg=benchmarks-$STORE.svg
echo "chart=$svg" >>"$meta"
node bench/report.mjs "$work" "$docs/benchmarks.md" "$work/chart.dat"
gnuplot -e "datafile='$work/chart.dat'; outfile='$docs/$svg'; reps=$REPS; rows=$(wc -l <"$work/chart.dat"); store='$STORE'" bench/chart.gp ||
	log "warning: gnuplot failed; no chart"
log "wrote $docs/benchmarks.md and $docs/$svg in $(($(date +%s) - t_start)) s"
