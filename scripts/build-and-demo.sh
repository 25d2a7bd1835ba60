#!/bin/bash
# The README's first command: install what is missing, build, start the
# daemon (CUSE where /dev/cuse exists, else a FUSE file under a runtime
# directory), run the demonstration client against it, and stop it.
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
uiommufd_install_deps

[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
echo "built: build/daemon/uiommufd"

if [ -c /dev/cuse ] || modprobe cuse 2>/dev/null && [ -c /dev/cuse ]; then
	node=/dev/uiommufd-demo
	./build/daemon/uiommufd --cuse --name uiommufd-demo --status-socket none 2>/tmp/uiommufd-demo.log &
else
	run=${XDG_RUNTIME_DIR:-/run}/uiommufd-demo
	mkdir -p "$run"
	node=$run/iommu
	echo "/dev/cuse is missing on this kernel: serving a FUSE file at $node"
	./build/daemon/uiommufd --fuse "$run" --status-socket none 2>/tmp/uiommufd-demo.log &
fi
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -e "$node" ] && break; sleep 0.05; done
[ -e "$node" ] || { cat /tmp/uiommufd-demo.log; exit 1; }
./build/examples/demo_client "$node"
