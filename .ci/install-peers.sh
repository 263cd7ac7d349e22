#!/usr/bin/env bash
# Installs the real peers JSD's tests talk to: qemu 10 (bookworm-backports), libnbd-bin, fio, nbdkit.
# Idempotent: does nothing when everything is already there.
set -euo pipefail
need=()
for t in qemu-img qemu-io qemu-nbd qemu-storage-daemon qemu-system-x86_64 nbdinfo nbdcopy nbdsh fio nbdkit busybox openssl; do
  command -v "$t" >/dev/null 2>&1 || need+=("$t")
done
ls /boot/vmlinuz-* >/dev/null 2>&1 || need+=(kernel)
[ ${#need[@]} -eq 0 ] && { echo "peers: all present"; exit 0; }
echo "peers: installing (missing: ${need[*]})"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q 'bookworm-backports' "$src" /etc/apt/sources.list.d/* 2>/dev/null; then
  uris=$(awk '/^URIs:/{print $2; exit}' "$src")
  keyring=$(awk '/^Signed-By:/{print $2; exit}' "$src")
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
    "${uris:-http://deb.debian.org/debian}" "${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}" \
    | $SUDO tee /etc/apt/sources.list.d/backports.sources >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
  qemu-utils qemu-system-x86 linux-image-cloud-amd64 busybox-static >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends libnbd-bin python3-libnbd openssl fio nbdkit util-linux cpio xz-utils kmod >/dev/null
qemu-storage-daemon --version | head -1
