#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the meminit corpus initramfs (busybox sh).  Copied into the
# temporary initramfs by tools/corpus/capture.sh; never run on the host.
#
# Prints /proc and sysfs files behind marker lines on the serial console:
#   === meminit-capture: NAME ===
#   ...content...
#   === meminit-capture: end NAME ===
# then "=== meminit-capture: done ===" and powers off.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# If the initramfs had no /dev/console the kernel gave us no fds: fix that.
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1

# Stop kernel messages from interleaving with the capture on the console
# (they stay in the ring buffer).  ignore_loglevel is writable at run time.
echo 0 > /sys/module/printk/parameters/ignore_loglevel 2>/dev/null
echo 1 > /proc/sys/kernel/printk 2>/dev/null

begin() { echo "=== meminit-capture: $1 ==="; }
end() { echo "=== meminit-capture: end $1 ==="; }

# section FILE: dump one file behind markers
section() {
	begin "$1"
	if [ -r "$1" ]; then
		cat "$1"
	else
		echo "error: cannot read $1"
	fi
	end "$1"
}

# one-line value of a sysfs attribute, spaces turned into commas, or "-"
attr() {
	if [ -r "$1" ]; then
		v=$(cat "$1" 2>/dev/null | tr -s ' \n' ',,')
		v=${v%,}
		echo "${v:--}"
	else
		echo "-"
	fi
}

begin start
echo "uname=$(uname -r)"
end start

section /proc/cmdline
section /proc/version
section /proc/zoneinfo
section /proc/buddyinfo
section /proc/pagetypeinfo
section /proc/iomem
section /proc/meminfo
section /proc/vmstat

M=/sys/devices/system/memory
begin $M
if [ -d $M ]; then
	echo "block_size_bytes=$(attr $M/block_size_bytes)"
	echo "auto_online_blocks=$(attr $M/auto_online_blocks)"
	for d in $M/memory[0-9]*; do
		[ -d "$d" ] || continue
		echo "${d##*/memory}"
	done | sort -n | while read -r n; do
		d=$M/memory$n
		nodes=
		for l in "$d"/node[0-9]*; do
			[ -e "$l" ] || continue
			nodes="$nodes,${l##*/node}"
		done
		nodes=${nodes#,}
		echo "memory$n phys_index=$(attr "$d/phys_index")" \
			"state=$(attr "$d/state")" \
			"online=$(attr "$d/online")" \
			"valid_zones=$(attr "$d/valid_zones")" \
			"removable=$(attr "$d/removable")" \
			"phys_device=$(attr "$d/phys_device")" \
			"node=${nodes:--}"
	done
else
	echo "error: no $M"
fi
end $M

N=/sys/devices/system/node
begin $N
if [ -d $N ]; then
	for f in online possible has_memory has_normal_memory has_high_memory \
		has_cpu has_generic_initiator; do
		[ -e "$N/$f" ] || continue
		echo "$f=$(attr "$N/$f")"
	done
	for d in $N/node[0-9]*; do
		[ -d "$d" ] || continue
		echo "${d##*/node}"
	done | sort -n | while read -r n; do
		echo "node$n cpulist=$(attr "$N/node$n/cpulist")" \
			"distance=$(attr "$N/node$n/distance")"
	done
else
	echo "error: no $N"
fi
end $N

for d in $N/node[0-9]*; do
	[ -d "$d" ] || continue
	echo "${d##*/node}"
done | sort -n | while read -r n; do
	section $N/node$n/meminfo
done

if [ -x /bin/kpageflags ]; then
	/bin/kpageflags /proc/kpageflags
else
	begin kpageflags
	echo "error: no /bin/kpageflags"
	end kpageflags
fi

echo "=== meminit-capture: done ==="
sync
poweroff -f
# not reached; keep pid 1 alive if poweroff failed
while :; do sleep 3600; done
