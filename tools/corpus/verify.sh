#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Sanity-check captured logs: tools/corpus/verify.sh [NAME...]
# For each test/corpus/NAME.log (default: every config in tools/corpus/configs)
# check the kernel banner, the memblock=debug output, the zone/node setup
# lines, every capture section, every hotplug action's result and @N
# sections, and that /proc/cmdline carries the config's
# KERNEL_ARGS (and nokaslr unless KASLR=1).  Prints one line per log.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
conf_dir=$here/configs
out_dir=${OUT_DIR:-$repo/test/corpus}

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for f in "$conf_dir"/*.conf; do b=${f##*/}; names+=("${b%.conf}"); done
fi

M='=== meminit-capture:'
sections=(/proc/cmdline /proc/zoneinfo /proc/buddyinfo /proc/pagetypeinfo
	/proc/iomem /proc/meminfo /proc/vmstat /sys/devices/system/memory
	/sys/devices/system/node /sys/devices/system/node/node0/meminfo kpageflags)

bad=0
for name in "${names[@]}"; do
	log=$out_dir/$name.log
	errs=()
	if [ ! -r "$log" ]; then
		printf '%-28s FAIL missing %s\n' "$name" "$log"
		bad=$((bad + 1))
		continue
	fi
	for pat in 'Linux version 6\.1' 'MEMBLOCK configuration:' \
		'memblock_alloc' 'memblock_reserve: ' 'Zone ranges:' \
		'Early memory node ranges' 'Built [0-9]+ zonelists' \
		"^$M done ===\$"; do
		grep -Eq -- "$pat" "$log" || errs+=("no /$pat/")
	done
	for s in "${sections[@]}"; do
		grep -qxF "$M $s ===" "$log" && grep -qxF "$M end $s ===" "$log" ||
			errs+=("no section $s")
	done
	# section bodies must not be empty
	for s in /proc/zoneinfo /proc/iomem kpageflags; do
		n=$(awk -v b="$M $s ===" -v e="$M end $s ===" \
			'$0==e{f=0} f{n++} $0==b{f=1} END{print n+0}' "$log")
		[ "$n" -gt 0 ] || errs+=("empty section $s")
	done
	# hotplug actions: every action has a result and its @N sections
	na=$(grep -c '^=== meminit-action: [0-9]' "$log" || true)
	nr=$(grep -c '^=== meminit-action-result: [0-9]* \(ok\|error .*\) ===$' "$log" || true)
	[ "$na" = "$nr" ] || errs+=("$na actions but $nr results")
	if [ "$na" -gt 0 ]; then
		for s in /proc/zoneinfo /proc/iomem /sys/devices/system/memory kpageflags; do
			n=$(grep -c "^$M end $s@[0-9]* ===\$" "$log" || true)
			[ "$n" = "$na" ] || errs+=("$n of $na sections $s@N")
		done
	fi
	cmdline=$(awk -v b="$M /proc/cmdline ===" 'f{print; exit} $0==b{f=1}' "$log")
	KERNEL_ARGS= KASLR=0 FIRMWARE=
	# shellcheck disable=SC1090
	. "$conf_dir/$name.conf" 2>/dev/null || errs+=("no config")
	want="console=ttyS0 memblock=debug ignore_loglevel"
	[ "${KASLR:-0}" = 1 ] || want="$want nokaslr"
	[ -z "$KERNEL_ARGS" ] || want="$want $KERNEL_ARGS"
	# OVMF's fw_cfg kernel loader appends the initrd's file name for the EFI stub
	[ "${FIRMWARE:-}" != ovmf ] || want="$want initrd=initrd"
	[ "$cmdline" = "$want" ] || errs+=("cmdline '$cmdline' != '$want'")
	if [ ${#errs[@]} -eq 0 ]; then
		printf '%-28s ok   %7s bytes  cmdline: %s\n' "$name" "$(stat -c %s "$log")" "$cmdline"
	else
		printf '%-28s FAIL %s\n' "$name" "$(IFS=';'; echo "${errs[*]}")"
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ]
