#!/bin/sh
# The Debian packaging (debian/): dpkg-buildpackage -us -uc -b builds
# thpscope and thpdev-dkms from a copy of the tree; lintian reports no
# error and no warning that debian/*.lintian-overrides does not explain;
# VERSION is the version everywhere; the thpscope .deb installs with dpkg
# into a scratch bookworm root (a cached debootstrap under an overlay,
# in a mount namespace of its own) and its /usr/bin/thpscope runs there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../../scripts/lib/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
version=$(cat "$top/VERSION")
: "${THPSCOPE_MIRROR:=http://deb.debian.org/debian}"

# is NAME WANT GOT
is() {
	if [ "$2" = "$3" ]; then ok "$1 ($3)"; else not_ok "$1: [$3], want [$2]"; fi
}

for tool in dpkg-buildpackage dh dh_dkms lintian; do
	if ! command -v "$tool" >/dev/null; then
		skip "the packages: $tool is missing (scripts/deps.sh test)"
		exit 0
	fi
done

is "debian/changelog's version is VERSION's" "$version" \
	"$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)"

# A copy of the tree, so that debian/rules clean removes no build of ours
# and the packages land beside the copy.
src=$TMP/src/thpscope-$version
mkdir -p "$src"
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
# The caller's BUILD (tests/run passes an absolute one) is in the
# environment of the package build: it must not be built in or cleaned.
build_before=$(ls -l --time-style=full-iso "$BUILD/thpscope" 2>&1)
t0=$(date +%s)
if (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
	>"$TMP/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b ($(($(date +%s) - t0)) s)"
else
	not_ok "dpkg-buildpackage -us -uc -b: $(grep -m 3 -i 'error' "$TMP/build.log")"
	tail -n 20 "$TMP/build.log"
	exit 0
fi
is "the package build leaves $BUILD alone" "$build_before" \
	"$(ls -l --time-style=full-iso "$BUILD/thpscope" 2>&1)"
deb=$TMP/src/thpscope_${version}_amd64.deb
dkms_deb=$TMP/src/thpdev-dkms_${version}_all.deb
for f in "$deb" "$dkms_deb"; do
	[ -f "$f" ] || { not_ok "dpkg-buildpackage: ${f##*/} is missing"; exit 0; }
done

# Every error and warning, of both packages and the build; overridden
# ones are not printed.
lintian "$TMP/src/thpscope_${version}_amd64.changes" >"$TMP/lintian" 2>&1
tags=$(grep -c '^[EW]: ' "$TMP/lintian")
if [ "$tags" -eq 0 ]; then
	ok "lintian: no error or warning ($(grep -c '^[IP]: ' "$TMP/lintian") infos)"
else
	not_ok "lintian: $tags errors and warnings:"
	grep '^[EW]: ' "$TMP/lintian"
fi

is "thpscope.deb's version" "$version" "$(dpkg-deb -f "$deb" Version)"
depends=$(dpkg-deb -f "$deb" Depends)
case "$depends" in
*libbpf1*libc6* | *libc6*libbpf1*) ok "thpscope's Depends come from its shared libraries: $depends" ;;
*) not_ok "thpscope's Depends: [$depends], want libbpf1 and libc6 among them" ;;
esac

# Built with Debian's hardening flags: PIE, immediate binding, fortified.
mkdir "$TMP/deb"
dpkg-deb -x "$deb" "$TMP/deb"
if readelf -d "$TMP/deb/usr/bin/thpscope" | grep -q 'Flags: NOW PIE' &&
	objdump -T "$TMP/deb/usr/bin/thpscope" | grep -q '__[a-z]*_chk'; then
	ok "/usr/bin/thpscope is PIE, bound now and fortified"
else
	not_ok "/usr/bin/thpscope lacks Debian's hardening (PIE, BIND_NOW, _FORTIFY_SOURCE)"
fi
if grep -q '^[1-9][0-9]* passed, 0 failed' "$TMP/build.log"; then
	ok "the unit tests ran in the build: $(grep '^[0-9]* passed, ' "$TMP/build.log")"
else
	not_ok "the unit tests did not pass in the build: $(grep '^[0-9]* passed, ' "$TMP/build.log")"
fi

# thpdev-dkms: module/ as it is, and a dkms.conf of this version.
mkdir "$TMP/dkms"
dpkg-deb -x "$dkms_deb" "$TMP/dkms"
usrc=$TMP/dkms/usr/src/thpdev-$version
differ=
for f in "$top"/module/*; do
	cmp -s "$f" "$usrc/${f##*/}" || differ="$differ ${f##*/}"
done
if [ -z "$differ" ]; then
	ok "thpdev-dkms holds module/ in /usr/src/thpdev-$version"
else
	not_ok "thpdev-dkms: not as in module/:$differ"
fi
is "thpdev-dkms's dkms.conf version" "PACKAGE_VERSION=\"$version\"" \
	"$(grep '^PACKAGE_VERSION=' "$usrc/dkms.conf" 2>&1)"
if [ -x "$usrc/$(sed -n 's/^PRE_BUILD="\([^ ]*\).*/\1/p' "$usrc/dkms.conf")" ]; then
	ok "thpdev-dkms: dkms.conf's PRE_BUILD is an executable of the package"
else
	not_ok "thpdev-dkms: dkms.conf's PRE_BUILD is not executable in $usrc"
fi

# DKMS on a kernel without what thpdev needs (bookworm's 6.1): the build
# fails, and says why with thpdev.c's own #error lines. DKMS works in
# trees of the test's own.
errors=$(sed -n 's/^#error "\(.*\)"$/\1/p' "$top/module/thpdev.c")
hdr=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort | tail -n 1)
if ! command -v dkms >/dev/null || [ -z "$hdr" ]; then
	skip "dkms build on 6.1: needs dkms and linux-headers-amd64 of bookworm (scripts/deps.sh test)"
else
	kver=${hdr#/usr/src/linux-headers-}
	mkdir "$TMP/dkms-tree"
	dkms build --dkmstree "$TMP/dkms-tree" --sourcetree "$TMP/dkms/usr/src" -m thpdev \
		-v "$version" -k "$kver" --kernelsourcedir "$hdr" >"$TMP/dkms.out" 2>&1
	status=$?
	said=$(sed -n 's/.*error: #error "\(.*\)"$/\1/p' "$TMP/dkms.out" | sort -u)
	if [ "$status" -eq 0 ]; then
		not_ok "dkms build on $kver: built, but the kernel lacks the device-private THP API"
	elif [ -z "$said" ] || echo "$said" | grep -qvxF "$errors"; then
		not_ok "dkms build on $kver: exit $status without thpdev.c's message: $(tail -n 3 "$TMP/dkms.out")"
	else
		ok "dkms build on $kver fails (exit $status) saying: $(echo "$said" | paste -s -d ';' -)"
	fi
fi

# And on sid's kernel, which has it: dkms.conf's PRE_BUILD, then DKMS's
# default make, in the lab's chroot of sid (made by make test's module
# build; not made here).
# shellcheck disable=SC2016 # KDIR is the chroot's
if ! ls -d "$(thpscope_cache)"/chroot/sid-*/ >/dev/null 2>&1; then
	skip "thpdev-dkms on sid: no sid chroot in $(thpscope_cache)/chroot (scripts/vm/module makes it)"
elif "$top/scripts/vm/chroot" --kernel sid "$usrc" "$TMP/ko" \
	'sh ./dkms-pre-build "$KDIR" && make -s -C "$KDIR" M=/build && cp thpdev.ko out/' \
	>"$TMP/chroot.out" 2>&1 && [ -s "$TMP/ko/thpdev.ko" ]; then
	ok "thpdev-dkms's source builds thpdev.ko on sid as dkms.conf says"
else
	not_ok "thpdev-dkms on sid: $(tail -n 3 "$TMP/chroot.out")"
fi

# The scratch root: bookworm's minbase and the libraries thpscope depends
# on, made once and cached (keyed by them); the .deb goes into an
# overlay of it, so the cache stays as it was.
if [ "$(id -u)" -ne 0 ] || ! command -v debootstrap >/dev/null || ! command -v unshare >/dev/null; then
	skip "dpkg -i into a scratch root: needs root, debootstrap and unshare"
	exit 0
fi
libs=$(echo "$depends" | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | sort | paste -s -d ',' -)
root=$(thpscope_cache)/debroot/bookworm-$(echo "$libs" | md5sum | cut -c 1-16)
if [ ! -f "$root/.complete" ]; then
	echo "making a bookworm root with $libs (once), in $root"
	rm -rf "$root.tmp"
	mkdir -p "$(dirname "$root")"
	if debootstrap --variant=minbase --include="$libs" bookworm "$root.tmp" "$THPSCOPE_MIRROR" \
		>"$root.log" 2>&1; then
		rm -rf "$root"
		mv "$root.tmp" "$root"
		touch "$root/.complete"
	else
		not_ok "debootstrap of a bookworm root failed (see $root.log)"
		exit 0
	fi
fi
mkdir "$TMP/upper" "$TMP/work" "$TMP/merged"
cp "$deb" "$TMP/thpscope.deb"
# Its mounts end with the namespace; the host's /sys and /proc are what
# thpscope probes reads.
# shellcheck disable=SC2016 # the script's own arguments
unshare --mount --propagation private sh -c '
	cd "$1" || exit 1
	mount -t overlay overlay -o lowerdir="$2",upperdir=upper,workdir=work merged || exit 1
	dpkg --root=merged -i thpscope.deb >dpkg.out 2>&1
	echo $? >dpkg.status
	mount --rbind /sys merged/sys && mount -t proc proc merged/proc || exit 1
	chroot merged /usr/bin/thpscope --version >version.out 2>&1
	chroot merged /usr/bin/thpscope probes >probes.out 2>&1
	echo $? >probes.status
	dpkg --root=merged -L thpscope >files.out 2>&1
' sh "$TMP" "$root"
if [ "$(cat "$TMP/dpkg.status" 2>/dev/null)" = 0 ]; then
	ok "dpkg --root=SCRATCH -i thpscope_${version}_amd64.deb"
else
	not_ok "dpkg -i into a scratch root: $(tail -n 3 "$TMP/dpkg.out" 2>&1)"
	exit 0
fi
is "/usr/bin/thpscope --version in the scratch root" "thpscope $version" \
	"$(sed 's/ (.*//' "$TMP/version.out")"
if grep -q 'libbpf [0-9]*\.[0-9]*, running v[0-9]' "$TMP/version.out"; then
	ok "--version names libbpf built against and running: $(cat "$TMP/version.out")"
else
	not_ok "--version: $(cat "$TMP/version.out")"
fi
for f in /usr/bin/thpscope /usr/bin/thpload /usr/share/man/man1/thpscope.1.gz \
	/usr/share/bash-completion/completions/thpscope /lib/systemd/system/thpscope.service; do
	grep -qx "$f" "$TMP/files.out" || not_ok "dpkg -L thpscope: no $f"
done
# The same probes attach as with the tree's own build on this kernel.
attached=$(sed -n 's/^\([0-9]* of [0-9]*\) probes attach$/\1/p' "$TMP/probes.out")
if [ "$(cat "$TMP/probes.status")" != 0 ] || [ -z "$attached" ]; then
	not_ok "/usr/bin/thpscope probes in the scratch root: $(tail -n 2 "$TMP/probes.out")"
elif [ -x "$BUILD/thpscope" ]; then
	is "/usr/bin/thpscope probes attaches as $BUILD/thpscope does" \
		"$("$BUILD/thpscope" probes 2>/dev/null | sed -n 's/^\([0-9]* of [0-9]*\) probes attach$/\1/p')" \
		"$attached"
else
	ok "/usr/bin/thpscope probes in the scratch root: $attached probes attach"
fi
