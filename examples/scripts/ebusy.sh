# Kernel pages pin their block: offlining it fails with EBUSY (and leaves it exactly as it was),
# until they are freed.   meminit run examples/scripts/ebusy.sh hotplug   (exits 1: a write failed)
echo online_kernel > /sys/devices/system/memory/memory36/state
alloc 16 type=unmovable order=2
cat /proc/buddyinfo
echo offline > /sys/devices/system/memory/memory36/state
cat /sys/devices/system/memory/memory36/state
free a1
echo offline > /sys/devices/system/memory/memory36/state
cat /sys/devices/system/memory/memory36/state
