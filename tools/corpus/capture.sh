#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot Debian's Linux 6.1 kernel in QEMU once per config in
# tools/corpus/configs/*.conf (or only the config names given as arguments)
# and save the serial console as test/corpus/NAME.log.
#
# Usage: tools/corpus/capture.sh [NAME...]
# Environment overrides:
#   KERNEL=/boot/vmlinuz-6.1...  kernel image (default: newest /boot/vmlinuz-6.1*)
#   TIMEOUT=180                  seconds per boot before qemu is killed
#   OUT_DIR=<repo>/test/corpus   where NAME.log files go
#   NO_INSTALL=1                 never call apt-get
#   OVMF_CODE=, OVMF_VARS=       UEFI images for FIRMWARE=ovmf configs
#
# See tools/corpus/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
conf_dir=$here/configs
out_dir=${OUT_DIR:-$repo/test/corpus}
timeout_s=${TIMEOUT:-180}

BASE_KERNEL_ARGS="console=ttyS0 memblock=debug ignore_loglevel"
END_MARKER="=== meminit-capture: done ==="

log() { printf '%s\n' "$*" >&2; }
die() { log "capture.sh: $*"; exit 1; }

# ---------------------------------------------------------------- packages
pkg_ok() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

find_kernel() {
	if [ -n "${KERNEL:-}" ]; then
		printf '%s\n' "$KERNEL"
		return
	fi
	# newest 6.1 image
	ls -1 /boot/vmlinuz-6.1* 2>/dev/null | sort -V | tail -n 1 || true
}

# Names of the configs to boot: the arguments, or every configs/*.conf.
if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for f in "$conf_dir"/*.conf; do
		[ -e "$f" ] || continue
		b=${f##*/}
		names+=("${b%.conf}")
	done
fi

# Does any selected config boot UEFI firmware (FIRMWARE=ovmf)?
want_ovmf() {
	local n
	for n in "${names[@]}"; do
		[ -r "$conf_dir/$n.conf" ] || continue
		(
			FIRMWARE=
			# shellcheck disable=SC1090
			. "$conf_dir/$n.conf" >/dev/null 2>&1
			[ "${FIRMWARE:-}" = ovmf ]
		) && return 0
	done
	return 1
}

ensure_packages() {
	local missing=() p
	for p in qemu-system-x86 busybox-static cpio gcc libc6-dev; do
		pkg_ok "$p" || missing+=("$p")
	done
	if want_ovmf; then pkg_ok ovmf || missing+=(ovmf); fi
	# The kernel package may be "half-configured" when its postinst could
	# not build an initrd (common in containers): the image is what counts.
	[ -n "$(find_kernel)" ] || missing+=(linux-image-amd64)
	command -v timeout >/dev/null || missing+=(coreutils)
	[ ${#missing[@]} -eq 0 ] && return
	[ "${NO_INSTALL:-0}" = 1 ] && die "missing packages: ${missing[*]} (NO_INSTALL=1)"
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (run as root or install them)"
	log "capture.sh: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_packages
kernel=$(find_kernel)
[ -n "$kernel" ] && [ -r "$kernel" ] || die "no readable kernel image (/boot/vmlinuz-6.1*)"
qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 not found"
busybox=/bin/busybox
[ -x "$busybox" ] || die "no $busybox (busybox-static)"

# ---------------------------------------------------------------- initramfs
work=$(mktemp -d "${TMPDIR:-/tmp}/meminit-capture.XXXXXX")
cleanup() {
	rm -rf "$work"
	rm -f "$out_dir"/.*.log.tmp
}
trap cleanup EXIT

build_initramfs() {
	local root=$work/root a
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp}
	cp "$busybox" "$root/bin/busybox"
	for a in $("$root/bin/busybox" --list); do
		[ "$a" = busybox ] && continue
		ln -s busybox "$root/bin/$a"
	done
	install -m 0755 "$here/init.sh" "$root/init"
	gcc -static -O2 -Wall -o "$root/bin/kpageflags" "$here/kpageflags.c"
	gcc -static -O2 -Wall -o "$root/bin/sysfs-write" "$here/sysfs-write.c"
	strip "$root/bin/kpageflags" "$root/bin/sysfs-write" 2>/dev/null || true
	# /dev/console lets the kernel hand init a console; init copes without.
	mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true
	# fixed mtimes + sorted list + gzip -n: byte-identical image each run,
	# so the initrd (and everything placed around it) lands in the same place
	find "$root" -exec touch -h -d @0 {} +
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet) |
		gzip -9n > "$work/initramfs.cpio.gz"
}
build_initramfs

# kernel release of the image, for /lib/modules/RELEASE
kernel_release() {
	local b=${1##*/}
	printf '%s\n' "${b#vmlinuz-}"
}

# extra_initramfs NAME ACTIONS MODULES: a second cpio archive (the kernel
# unpacks concatenated archives in order) with /actions and the modules,
# appended to the common image as $work/NAME.initramfs.cpio.gz
extra_initramfs() {
	local name=$1 actions=$2 modules=$3 root=$work/$1.extra m f rel
	rm -rf "$root"
	mkdir -p "$root"
	[ -z "$actions" ] || printf '%s\n' "$actions" > "$root/actions"
	if [ -n "$modules" ]; then
		rel=$(kernel_release "$kernel")
		mkdir -p "$root/lib/modules"
		for m in $modules; do
			f=$(find "/lib/modules/$rel/kernel" -name "$m.ko" | head -n 1)
			[ -n "$f" ] || { log "capture.sh: $name: no module $m.ko in /lib/modules/$rel"; return 1; }
			cp "$f" "$root/lib/modules/$m.ko"
		done
	fi
	find "$root" -exec touch -h -d @0 {} +
	{
		cat "$work/initramfs.cpio.gz"
		(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n
	} > "$work/$name.initramfs.cpio.gz"
}
log "capture.sh: kernel $kernel, initramfs $(stat -c %s "$work/initramfs.cpio.gz") bytes"

accel=tcg
[ -e /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && accel=kvm

# ---------------------------------------------------------------- boots
[ ${#names[@]} -gt 0 ] || die "no configs in $conf_dir"
mkdir -p "$out_dir"

fails=0
for name in "${names[@]}"; do
	conf=$conf_dir/$name.conf
	if [ ! -r "$conf" ]; then
		printf '%-28s FAIL no config %s\n' "$name" "$conf"
		fails=$((fails + 1))
		continue
	fi
	# each config in a subshell so variables don't leak between configs
	set +e
	(
		set -euo pipefail
		QEMU_ARGS= KERNEL_ARGS= KASLR=0 TIMEOUT=$timeout_s FIRMWARE= ACTIONS= MODULES=
		# shellcheck disable=SC1090
		. "$conf"
		initrd=$work/initramfs.cpio.gz
		if [ -n "$ACTIONS" ] || [ -n "$MODULES" ]; then
			extra_initramfs "$name" "$ACTIONS" "$MODULES" || {
				printf '%-28s FAIL initramfs extras\n' "$name"
				exit 1
			}
			initrd=$work/$name.initramfs.cpio.gz
		fi
		fw_args=
		case "${FIRMWARE:-}" in
		'' | seabios) ;; # QEMU's default BIOS
		ovmf)
			# UEFI: read-only OVMF code + a fresh writable copy of the
			# variable store per boot; the kernel still comes in over
			# fw_cfg (-kernel/-initrd/-append) and starts via its EFI stub.
			code=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE.fd}
			vars=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS.fd}
			[ -r "$code" ] && [ -r "$vars" ] || {
				printf '%-28s FAIL no OVMF (%s, %s)\n' "$name" "$code" "$vars"
				exit 1
			}
			cp "$vars" "$work/$name.vars.fd"
			fw_args="-drive if=pflash,format=raw,unit=0,readonly=on,file=$code
				-drive if=pflash,format=raw,unit=1,file=$work/$name.vars.fd"
			;;
		*)
			printf '%-28s FAIL unknown FIRMWARE=%s\n' "$name" "$FIRMWARE"
			exit 1
			;;
		esac
		cmdline=$BASE_KERNEL_ARGS
		[ "${KASLR:-0}" = 1 ] || cmdline="$cmdline nokaslr"
		[ -z "$KERNEL_ARGS" ] || cmdline="$cmdline $KERNEL_ARGS"
		extra=${cmdline#"$BASE_KERNEL_ARGS"}
		extra=${extra# }
		serial=$work/$name.serial
		rm -f "$serial"
		start=$(date +%s)
		set -f # QEMU_ARGS is word-split but never globbed
		rc=0
		# shellcheck disable=SC2086
		timeout --kill-after=10 "$TIMEOUT" "$qemu" \
			-nodefaults -no-user-config -accel "$accel" \
			-display none -monitor none -no-reboot \
			-serial "file:$serial" \
			$fw_args $QEMU_ARGS \
			-kernel "$kernel" -initrd "$initrd" \
			-append "$cmdline" \
			</dev/null >"$work/$name.qemu.out" 2>&1 || rc=$?
		set +f
		secs=$(( $(date +%s) - start ))
		if [ ! -s "$serial" ] || ! grep -qxF "$END_MARKER" <(tr -d '\r' <"$serial"); then
			why="no end marker"
			[ "$rc" = 124 ] && why="timeout after ${TIMEOUT}s"
			printf '%-28s FAIL %s (qemu rc=%s, %ss)\n' "$name" "$why" "$rc" "$secs"
			sed 's/^/    qemu: /' "$work/$name.qemu.out" | head -n 5
			[ ! -s "$serial" ] || tail -n 5 "$serial" | tr -d '\r' | sed 's/^/    console: /'
			exit 1
		fi
		tr -d '\r' <"$serial" >"$out_dir/.$name.log.tmp"
		mv -f "$out_dir/.$name.log.tmp" "$out_dir/$name.log"
		printf '%-28s ok   %4ss %7s bytes  %s\n' "$name" "$secs" \
			"$(stat -c %s "$out_dir/$name.log")" "extra args: ${extra:-(none)}"
		# surface QEMU warnings (deprecations etc.) without failing
		[ ! -s "$work/$name.qemu.out" ] ||
			sed 's/^/    qemu: /' "$work/$name.qemu.out" | head -n 5
	)
	[ $? -eq 0 ] || fails=$((fails + 1))
	set -e
done

[ "$fails" -eq 0 ] || { log "capture.sh: $fails config(s) failed"; exit 1; }
