// Poison pointer values of include/linux/poison.h with x86_64's CONFIG_ILLEGAL_POINTER_VALUE
// (0xdead000000000000), as the u32 halves the memmap stores.

/** POISON_POINTER_DELTA, high half (the low half is 0). */
export const POISON_POINTER_DELTA_HI = 0xdead0000;
/** LIST_POISON1 (0xdead000000000100): what list_del() leaves in entry->next. */
export const LIST_POISON1_LO = 0x100;
/** LIST_POISON2 (0xdead000000000122): what list_del() leaves in entry->prev. */
export const LIST_POISON2_LO = 0x122;
