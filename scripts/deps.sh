#!/usr/bin/env bash
# deps.sh [build|test|lab|bench]...: install the Debian packages thpscope
# needs, only those missing. Idempotent; needs root (or sudo) when
# something must be installed. With no argument: build and run.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

build="make clang llvm gcc libc6-dev pkg-config bpftool libbpf-dev scdoc
	libelf-dev zlib1g-dev libzstd-dev libjansson-dev libmicrohttpd-dev"
test="libcmocka-dev libclang-rt-dev procps util-linux perl tmux chromium prometheus
	debhelper dh-dkms dkms linux-headers-amd64 lintian debootstrap groff-base
	curl apache2-utils"
lab="qemu-system-x86 busybox-static cpio zstd xz-utils debootstrap file"
bench="bpftrace linux-perf time"

want=$build
for group in "$@"; do
	case "$group" in
	build) ;;
	test) want="$want $test" ;;
	lab) want="$want $test $lab" ;;
	bench) want="$want $test $bench" ;;
	*) die "unknown group '$group' (build, test, lab, bench)" ;;
	esac
done

missing=
for pkg in $want; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "need root to install:$missing"
	sudo=sudo
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || die "apt-get update failed"
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	die "apt-get install failed for:$missing"
