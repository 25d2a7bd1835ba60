#!/bin/bash
# Shared part of the reliability tests, on top of the security tests'
# harness (a root daemon on a FUSE file, unprivileged clients):
#   . rel_lib.sh; rel_init "$@"; rel_start_daemon [OPTION]...
# Arguments from meson: DAEMON EXEC CTL PROGDIR (PROGDIR holds rel_client;
# sec_probe is found next to it in ../security).
# What "back to baseline" means here: no context, nothing mapped or pinned,
# every per-user account (daemon memory, contexts, descriptors, pinned
# pages) at 0 in `uiommufdctl status --json`, no locked memory in the
# daemon (VmLck), its descriptors exactly as many as at the baseline and its
# resident set within REL_RSS_SLACK_KB of it (malloc keeps freed arenas; a
# leak of a few hundred bytes per client over a long run shows anyway),
# plus 1 MiB for each worker thread the pool grew by since the baseline
# (its stack and malloc arena; the pool does not shrink, and a warm-up of
# the same width before the baseline makes that rare).
REL_DIR=$(dirname "${BASH_SOURCE[0]}")
. "$REL_DIR/../security/lib.sh"
. "$REL_DIR/../security/cost_lib.sh"

rel_init() {
	sec_init "$@"
	sec_cost_init
	REL_CLIENT=$SEC_PROGS/rel_client
	# sec_probe (sec_daemon_answers) lives with the security tests.
	[ -x "$SEC_PROGS/sec_probe" ] || SEC_PROGS_PROBE=$SEC_PROGS/../security/sec_probe
	[ -x "$REL_CLIENT" ] || sec_skip "no rel_client in $SEC_PROGS"
	command -v python3 >/dev/null || sec_skip "no python3 (reads the status JSON)"
	REL_RSS_SLACK_KB=${REL_RSS_SLACK_KB:-8192}
	if sec_sanitized; then
		# ASan keeps freed memory in a quarantine (256 MiB by default)
		# to catch uses after free: RSS after a run says nothing then.
		# A small one still catches them among a request's allocations.
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8:thread_local_quarantine_size_kb=256"
		REL_RSS_SLACK_KB=$((REL_RSS_SLACK_KB * 6))
	fi
}

# sec_start_daemon with the loop fixed: classic, or the ring with
# SEC_LOOP=uring.  --loop auto would follow the kernel's enable_uring,
# which other tests on the machine turn on for a moment, and a daemon on
# the ring keeps one ring (a descriptor) per worker it grew.
rel_start_daemon() {
	if [ "${SEC_LOOP:-classic}" = uring ]; then
		sec_start_daemon "$@"
	else
		sec_start_daemon --loop classic "$@"
	fi
}

# A root client's IOAS_ALLOC+DESTROY within SECONDS.
rel_probe_within() {
	sec_within "$1" "${SEC_PROGS_PROBE:-$SEC_PROGS/sec_probe}" "$SEC_NODE"
}

rel_status_json() {
	timeout -s KILL 5 "$SEC_CTL" --socket "$SEC_STATUS" status --json 2>/dev/null
}

# One line "contexts=N mapped=B pinned=B users=N user_contexts=N
# user_bytes=B user_fds=N pin_users=N pin_user_pages=N pin_procs=N
# pin_proc_pages=N", or nothing when the status socket does not answer.
rel_accounts() {
	rel_status_json | python3 -c '
import json, sys
j = json.load(sys.stdin)
t = j["totals"]; a = j.get("accounts", {})
f = [("contexts", t["contexts"] + j.get("contexts_omitted", 0)),
     ("mapped", t["mapped_bytes"]), ("pinned", t["pinned_bytes"])]
for k in ("users", "user_contexts", "user_bytes", "user_fds", "pin_users",
          "pin_user_pages", "pin_procs", "pin_proc_pages"):
    f.append((k, a.get(k, "missing")))
print(" ".join("%s=%s" % kv for kv in f))' 2>/dev/null
}

# Whether every figure of rel_accounts is 0.
rel_accounts_zero() {
	local line
	line=$(rel_accounts) && [ -n "$line" ] || return 1
	REL_ACCOUNTS=$line
	! grep -qE '=([1-9]|missing)' <<<"$line"
}

# rel_wait_clean SECONDS: until the accounts are all 0 (REL_ACCOUNTS holds
# the last reading).
rel_wait_clean() {
	local end=$((SECONDS + $1))
	while ! rel_accounts_zero; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# What the daemon's descriptors point to, one per line, sorted.
rel_fd_list() {
	local f
	for f in /proc/$SEC_PID/fd/*; do readlink "$f"; done 2>/dev/null |
		sed 's/\[[0-9]*\]$/[N]/' | sort | uniq -c
}

rel_vmlck_kb() { awk '/^VmLck:/ { print $2 }' "/proc/$SEC_PID/status"; }
rel_threads() { ls "/proc/$SEC_PID/task" | wc -l; }

# The daemon's io_uring descriptors: on the ring, one per fast worker,
# kept while the worker lives (daemon/frontend/uring_fast.c).
rel_uring_fds() {
	local f n=0
	for f in /proc/$SEC_PID/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "anon_inode:[io_uring]" ] && n=$((n + 1))
	done
	echo "$n"
}

# The daemon's state now: "fds=N rss_kb=N vmlck_kb=N threads=N".
rel_daemon_state() {
	echo "fds=$(sec_fd_count) rss_kb=$(sec_rss_kb) vmlck_kb=$(rel_vmlck_kb) threads=$(rel_threads)"
}

# rel_baseline: remember the daemon's descriptors and RSS (call once the
# accounts are 0 after a warm-up that grew the worker pool).
rel_baseline() {
	REL_BASE_FDS=$(sec_fd_count)
	REL_BASE_RSS=$(sec_rss_kb)
	REL_BASE_THREADS=$(rel_threads)
	REL_BASE_URING=$(rel_uring_fds)
	REL_BASE_FD_LIST=$(rel_fd_list)
	echo "baseline: $(rel_daemon_state)"
}

# rel_check_clean WHAT SECONDS: the accounts drain to 0 within SECONDS, and
# then the daemon holds no locked memory, its baseline's descriptors and
# about its baseline's RSS.  Fails the test (sec_fail) otherwise.
rel_check_clean() {
	local what=$1 fds rss vmlck grown allow rings
	if rel_wait_clean "$2"; then
		sec_ok "$what: every context, pin and per-user account at 0 ($REL_ACCOUNTS)"
	else
		sec_fail "$what: the accounts did not drain within $2 s: ${REL_ACCOUNTS:-no status answer}"
	fi
	fds=$(sec_fd_count) rss=$(sec_rss_kb) vmlck=$(rel_vmlck_kb)
	grown=$(($(rel_threads) - REL_BASE_THREADS))
	[ "$grown" -lt 0 ] && grown=0
	rings=$(($(rel_uring_fds) - REL_BASE_URING))
	echo "after $what: $(rel_daemon_state)"
	[ "$vmlck" -eq 0 ] && sec_ok "$what: VmLck 0" ||
		sec_fail "$what: the daemon still has $vmlck kB locked"
	# Exactly the baseline's, but for the rings of workers grown since.
	if [ $((fds - rings)) -eq "$REL_BASE_FDS" ] && [ "$rings" -le "$grown" ]; then
		sec_ok "$what: $fds descriptors, the baseline's $REL_BASE_FDS and $rings rings of $grown workers grown since"
	else
		sec_fail "$what: $fds descriptors, $REL_BASE_FDS at the baseline ($rings more rings, $grown more threads)"
		echo "at the baseline:"; echo "$REL_BASE_FD_LIST"
		echo "now:"; rel_fd_list
	fi
	allow=$((REL_RSS_SLACK_KB + grown * 1024))
	if [ "$rss" -le $((REL_BASE_RSS + allow)) ]; then
		sec_ok "$what: RSS $rss kB, baseline $REL_BASE_RSS kB (+$((rss - REL_BASE_RSS)); $grown more threads)"
	else
		sec_fail "$what: RSS $rss kB, more than $allow kB over the baseline's $REL_BASE_RSS kB ($grown more threads)"
	fi
}
