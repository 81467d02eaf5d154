# For the corpus boot pc-4g-numa2-dimm-movable-node (a 1G DIMM on node 1, memory40-47, movable_node):
#   meminit replay test/corpus/pc-4g-numa2-dimm-movable-node.log --script examples/scripts/movable-node.sh
cat /sys/devices/system/memory/memory40/valid_zones
# with movable_node, plain "online" picks ZONE_MOVABLE
echo online > /sys/devices/system/memory/memory40/state
echo online_kernel > /sys/devices/system/memory/memory42/state
cat /sys/devices/system/node/has_memory /sys/devices/system/node/has_normal_memory
cat /proc/zoneinfo
echo offline > /sys/devices/system/memory/memory40/state
echo offline > /sys/devices/system/memory/memory42/state
check
