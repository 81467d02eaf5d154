# Persistent memory into ZONE_DEVICE on the default preset (memmap=1G!0x240000000 on node 1):
#   meminit run examples/scripts/pmem.sh default
# as a pfn device in "pmem" mode: the memmap on the device itself (vmem_altmap)
pmem map 0x240000000 memmap=dev
cat /proc/zoneinfo
check
pmem unmap 0x240000000
# as a raw namespace: the memmap in RAM
pmem map all memmap=ram
check
