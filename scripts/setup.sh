#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make sure the Debian packages nmr's build, QEMU runner and checks need are installed.
#
# As root, missing packages are installed with apt-get; otherwise the exact command is
# printed and the script fails. Idempotent and quiet when nothing is missing.
set -euo pipefail

pkgs=(
	linux-source-6.12	# the test kernel is built from it
	build-essential bc bison flex libelf-dev libssl-dev dwarves xz-utils python3 kmod
	qemu-system-x86		# runs the test kernel (TCG)
	busybox-static cpio	# the guest's initramfs
	sparse			# make lint
	linux-image-amd64 linux-headers-amd64	# the stock Debian 12 kernel (6.1): scripts/stock.sh
	linux-headers-6.12-amd64	# Debian's 6.12 headers (and image): scripts/stock.sh
	dkms			# scripts/dkms-check.sh
	lcov			# make coverage: lcov and genhtml (scripts/coverage.sh)
	"$@"
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "nmr: missing Debian packages: ${missing[*]}" >&2
	echo "nmr: run as root:  apt-get update && $cmd" >&2
	exit 1
fi

echo "nmr: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists; refresh them when the install cannot find a package.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
