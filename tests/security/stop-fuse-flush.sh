#!/bin/bash
# A worker stuck on the attacker's FUSE file in the FLUSH of closing an
# IOAS_MAP_FILE fd: SIGTERM still ends the daemon.  See stop_lib.sh.
. "$(dirname "$0")/stop_lib.sh"
stop_fuse_test flush "$@"
