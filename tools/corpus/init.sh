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

# one-line value of a sysfs attribute, spaces turned into commas, or "-":
# what `cat FILE | tr -s ' \n' ',,'` minus a trailing comma gives, done with
# shell builtins only (forks are slow under TCG, and the memory-block list
# reads six attributes per block, once per hotplug action)
attr() {
	v=
	if [ -r "$1" ]; then
		{
			while IFS= read -r l || [ -n "$l" ]; do
				v="$v$l "
			done
		} <"$1" 2>/dev/null
		while :; do
			case "$v" in
			*'  '*) v=${v//  / } ;;
			*) break ;;
			esac
		done
		v=${v// /,}
		v=${v%,}
	fi
	echo "${v:--}"
}

begin start
echo "uname=$(uname -r)"
end start

section /proc/cmdline
section /proc/version
# section FILE [NAME]: dump one file behind markers named NAME (default FILE)
section_as() {
	begin "$2"
	if [ -r "$1" ]; then
		cat "$1"
	else
		echo "error: cannot read $1"
	fi
	end "$2"
}

# memory_tree SUFFIX: the memory-block list, one line per block
memory_tree() {
	M=/sys/devices/system/memory
	begin $M$1
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
	end $M$1
}

# node_tree SUFFIX: node states and one line per online node
node_tree() {
	N=/sys/devices/system/node
	begin $N$1
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
	end $N$1
}

# node_meminfo SUFFIX: each online node's meminfo
node_meminfo() {
	N=/sys/devices/system/node
	for d in $N/node[0-9]*; do
		[ -d "$d" ] || continue
		echo "${d##*/node}"
	done | sort -n | while read -r n; do
		section_as $N/node$n/meminfo $N/node$n/meminfo$1
	done
}

# kpageflags_dump SUFFIX
kpageflags_dump() {
	if [ -x /bin/kpageflags ]; then
		/bin/kpageflags /proc/kpageflags "kpageflags$1"
	else
		begin "kpageflags$1"
		echo "error: no /bin/kpageflags"
		end "kpageflags$1"
	fi
}

# ---------------------------------------------------------------- boot
section /proc/zoneinfo
section /proc/buddyinfo
section /proc/pagetypeinfo
section /proc/iomem
section /proc/meminfo
section /proc/vmstat
memory_tree ""
node_tree ""
node_meminfo ""
kpageflags_dump ""

# ---------------------------------------------------------------- actions
# /actions (optional, from the config's ACTIONS) holds one action a line in
# meminit's script syntax: "echo VALUE > PATH" (a sysfs write), "# comment",
# "insmod NAME [ARGS]" (load /lib/modules/NAME.ko) and "cat PATH" (read a
# file; shown as section "PATH@N").  Blank lines and
# comments are skipped; the others are numbered from 1.  For each:
#   === meminit-action: N LINE ===
#   === meminit-action-result: N ok ===   (or: N error ERRNO-TEXT)
# then the state again, every section name suffixed "@N".

# unquote WORD: WORD without one pair of surrounding '' or "" quotes
unquote() {
	case "$1" in
	\'*\' | \"*\") v=${1#?}; echo "${v%?}" ;;
	*) echo "$1" ;;
	esac
}

# failed WHAT: "error TEXT" from the last line of /tmp/action.err (its errno text after the last
# ": "), or WHAT when it said nothing
failed() {
	t=$(grep -v '^$' /tmp/action.err | tail -n 1)
	t=${t##*: }
	echo "error ${t:-$1}"
}

# run_action LINE: run one action, print "ok" or "error ERRNO-TEXT"
run_action() {
	case "$1" in
	'echo '*' > '*)
		# echo VALUE > PATH: one write(2) of "VALUE\n", as the shell does,
		# but by /bin/sysfs-write, which prints strerror(errno) itself
		v=${1#echo }
		v=$(unquote "${v% > *}")
		p=$(unquote "${1##* > }")
		if out=$(/bin/sysfs-write "$p" "$v"); then
			echo ok
		else
			echo "error ${out#*: }"
		fi ;;
	'insmod '*)
		# insmod NAME [ARGS...]: busybox insmod of /lib/modules/NAME.ko;
		# its message ends in the errno text ("...: File exists")
		set -- $1
		m=$2
		shift 2
		if insmod "/lib/modules/$m.ko" "$@" 2>/tmp/action.err; then
			echo ok
		else
			failed "insmod failed"
		fi ;;
	'cat '*)
		# cat PATH: read a file (e.g. an nd bus's wait_probe, which waits
		# for the bus's asynchronous device probes); the content is shown
		# as section "PATH@N" after the result
		p=$(unquote "${1#cat }")
		if cat "$p" >/tmp/action.out 2>/tmp/action.err; then
			echo ok
		else
			failed "cat failed"
		fi ;;
	*)
		echo "error unsupported action" ;;
	esac
}

if [ -r /actions ]; then
	n=0
	# read strips leading and trailing blanks
	while read -r line <&3; do
		case "$line" in
		'' | '#'*) continue ;;
		esac
		n=$((n + 1))
		echo "=== meminit-action: $n $line ==="
		rm -f /tmp/action.out
		res=$(run_action "$line")
		echo "=== meminit-action-result: $n $res ==="
		case "$line" in
		'cat '*)
			begin "$(unquote "${line#cat }")@$n"
			[ ! -f /tmp/action.out ] || cat /tmp/action.out
			end "$(unquote "${line#cat }")@$n" ;;
		esac
		section_as /proc/zoneinfo "/proc/zoneinfo@$n"
		section_as /proc/buddyinfo "/proc/buddyinfo@$n"
		section_as /proc/pagetypeinfo "/proc/pagetypeinfo@$n"
		section_as /proc/iomem "/proc/iomem@$n"
		section_as /proc/meminfo "/proc/meminfo@$n"
		memory_tree "@$n"
		node_tree "@$n"
		node_meminfo "@$n"
		kpageflags_dump "@$n"
	done 3</actions
fi

echo "=== meminit-capture: done ==="
sync
poweroff -f
# not reached; keep pid 1 alive if poweroff failed
while :; do sleep 3600; done
