# meminit hotplug script for the `hotplug` preset (pc, 2G, DIMMs of 512M at 4G and 1G above):
#   meminit run examples/scripts/online-offline.sh hotplug
cat /sys/devices/system/memory/memory32/valid_zones
echo online_movable > /sys/devices/system/memory/memory32/state
echo online_kernel > /sys/devices/system/memory/memory36/state
cat /sys/devices/system/memory/memory33/valid_zones
# user pages land in ZONE_MOVABLE first; offlining migrates them
alloc 2000 type=movable
echo offline > /sys/devices/system/memory/memory32/state
echo offline > /sys/devices/system/memory/memory36/state
cat /proc/zoneinfo
check
