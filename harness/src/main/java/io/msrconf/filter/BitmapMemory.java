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
    UNMAPPED
}
