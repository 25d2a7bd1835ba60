#!/bin/bash
# The README's first command: install what is missing, build, start the
# daemon (CUSE where /dev/cuse exists, else a FUSE file under a runtime
# directory) with one software edu device (--device edu), and run the
# demonstration client: the device DMAs into the client's memory through
# an IOAS, `uiommufdctl status` shows the pin, and after the unmap the
# device is blocked.  Stops the daemon at the end.
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
uiommufd_install_deps

[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
echo "built: build/daemon/uiommufd"

state=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-demo.XXXXXX")
sock=$state/status.sock
log=$state/daemon.log
if [ -c /dev/cuse ] || modprobe cuse 2>/dev/null && [ -c /dev/cuse ]; then
	node=/dev/uiommufd-demo
	dev=/dev/vfio/devices/uvfio-demo
	./build/daemon/uiommufd --cuse --name uiommufd-demo \
		--device edu,name=vfio/devices/uvfio-demo --status-socket "$sock" 2>"$log" &
else
	run=${XDG_RUNTIME_DIR:-/run}/uiommufd-demo
	mkdir -p "$run"
	node=$run/iommu
	dev=$run/devices/uvfio0
	echo "/dev/cuse is missing on this kernel: serving FUSE files at $node and $dev"
	./build/daemon/uiommufd --fuse "$run" --device edu --status-socket "$sock" 2>"$log" &
fi
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$state"' EXIT
for _ in $(seq 100); do [ -e "$node" ] && [ -e "$dev" ] && break; sleep 0.05; done
[ -e "$node" ] && [ -e "$dev" ] || { cat "$log"; exit 1; }
./build/examples/demo_client "$node" "$dev" -- ./build/tools/uiommufdctl --socket "$sock" status
