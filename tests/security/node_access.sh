#!/bin/bash
# Access: the VFIO look-alike node serves the whole ABI (test interface,
# fd passing), so it follows --mode/--owner/--group like the iommufd node.
# With --mode 0660 root:root an unprivileged user opens neither; root opens
# both.
. "$(dirname "$0")/lib.sh"
sec_init "$@"
sec_start_daemon --mode 0660 --vfio-node
for node in "$SEC_NODE" "$SEC_VFIO"; do
	if as_user -- "$SEC_PROGS/sec_probe" "$node" 2>/dev/null; then
		sec_fail "uid $SEC_UID uses $node (mode 0660 root:root)"
	else
		sec_ok "uid $SEC_UID cannot use $node"
	fi
	mode=$(stat -c %a "$node")
	[ "$mode" = 660 ] && sec_ok "$node is 0660" || sec_fail "$node is $mode, want 660"
	"$SEC_PROGS/sec_probe" "$node" && sec_ok "root uses $node" ||
		sec_fail "root cannot use $node"
done
sec_finish
