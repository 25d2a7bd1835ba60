#!/bin/bash
# A worker stuck on the attacker's FUSE file in a page read through /proc/TID/mem
# (ACCESS_RW of an unpinned area): SIGTERM still ends the daemon.  See stop_lib.sh.
. "$(dirname "$0")/stop_lib.sh"
stop_fuse_test access "$@"
