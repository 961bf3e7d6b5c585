package io.msrconf.filter;

/**
 * Where the harness puts a range's bitmap bytes in its own address space before the ioctl, so that
 * the bitmap pointer can be made to fault the way a buggy VMM's would. A NULL pointer is not a
 * placement: it is {@code bitmap == null} in {@link FilterRange}. The kernel's memdup_user() copies
 * {@link FilterRange#kernelCopyBytes} bytes, and any fault during that copy is EFAULT.
 */
public enum BitmapMemory {

    /**
     * The bytes, zero-padded to at least what the kernel copies: never faults. Every filter built
     * without a placement uses this, as the harness always has.
     */
    VALID_PADDED,

    /**
     * Exactly the bytes given, ending at a page boundary that is followed by a PROT_NONE page: the
     * copy faults when the kernel copies more bytes than were given, and reads only the given bytes
     * otherwise.
     */
    SHORT,

    /** An address in a page that was mapped and unmapped again before the ioctl: any copy faults. */
    UNMAPPED,

    /**
     * A wild pointer, {@link #WILD_ADDRESS}: below vm.mmap_min_addr, where no process can map anything,
     * so any copy faults; the bytes are not placed anywhere. A buggy VMM's garbage in a slot it left empty.
     */
    WILD;

    /** One page above NULL: below the smallest vm.mmap_min_addr a distribution ships (4096; 65536 by default). */
    public static final long WILD_ADDRESS = 0x1000;
}
