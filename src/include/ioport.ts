// SPDX-License-Identifier: GPL-2.0-only
// struct resource (include/linux/ioport.h), as far as early boot sizes it.

/** sizeof(struct resource) on x86_64: start, end, name, flags, desc and three tree pointers, 8 bytes each. */
export const RESOURCE_SIZE = 64;
