package io.msrconf.emu.cpu;

import io.msrconf.vcpu.VcpuExit;

/**
 * Linear-address accesses of the guest at CPL 0: canonical checks, the walk of the guest's own 4-level
 * page tables (4 KiB, 2 MiB and 1 GiB pages) with its present, reserved-bit, CR0.WP and NX checks and
 * accessed/dirty updates, and the guest-physical access behind, which ends the run with
 * {@link VcpuExit.Mmio} where no RAM backs the address.
 *
 * <p>Translations are cached per 4 KiB page, but unlike a hardware TLB the cache is coherent: the
 * frames of the paging structures walked are watched in {@link GuestRam}, and any write to them (by
 * the guest or the harness) drops every cached translation. A guest that edits its page tables thus
 * sees the change at once (hardware may use stale translations until INVLPG; no payload may rely on
 * either). Accessed bits are set once the whole walk succeeds; a write through a cached translation
 * whose dirty bit the walk did not set walks again to set it.
 *
 * <p>An operand is first {@link #resolve resolved} (translated and checked for the access, which
 * may fault) and then {@link #read() read} and/or {@link #write(long) written}, so an instruction
 * can check all its accesses before it changes anything.
 */
final class Mmu {

    static final int READ = 0;
    static final int WRITE = 1;
    /** Read-modify-write: translated as a write (write permission, dirty bit); unbacked memory is reported as the read. */
    static final int RMW = 2;
    static final int FETCH = 3;

    static final int PAGE_SIZE = 4096;

    private static final long P = 1L;
    private static final long RW = 1L << 1;
    private static final long ACCESSED = 1L << 5;
    private static final long DIRTY = 1L << 6;
    private static final long PS = 1L << 7;
    private static final long XD = 1L << 63;
    /** Physical-address bits of an entry, for MAXPHYADDR 52 (no reserved address bits). */
    private static final long ADDRESS = 0x000f_ffff_ffff_f000L;
    private static final long RESERVED_1G = 0x3fff_e000L;    // bits 29:13 of a 1 GiB leaf
    private static final long RESERVED_2M = 0x001f_e000L;    // bits 20:13 of a 2 MiB leaf

    // #PF error code bits
    private static final int PF_PRESENT = 1;
    private static final int PF_WRITE = 1 << 1;
    private static final int PF_RESERVED = 1 << 3;
    private static final int PF_FETCH = 1 << 4;

    private final Cpu cpu;
    private GuestRam ram;
    private final long[] walked = new long[4];

    private static final int TLB_SIZE = 256;
    /** Linear page number + 1 of each entry (0: empty). */
    private final long[] tlbTag = new long[TLB_SIZE];
    private final long[] tlbFrame = new long[TLB_SIZE];
    /** The entry allows writes without a walk: writable and dirty. */
    private final boolean[] tlbWrite = new boolean[TLB_SIZE];
    private final boolean[] tlbExecute = new boolean[TLB_SIZE];
    /** Whether the last successful walk allows instruction fetches (no XD bit under EFER.NXE). */
    private boolean walkedExecutable;
    private int tlbStamp;

    private long refFirst;
    private long refSecond;
    private int refSplit;
    private int refSize;

    Mmu(Cpu cpu) {
        this.cpu = cpu;
    }

    void attach(GuestRam guestRam) {
        this.ram = guestRam;
        flushTlb();
    }

    private void flushTlb() {
        java.util.Arrays.fill(tlbTag, 0);
        tlbStamp = ram.watchedWrites();
    }

    static boolean canonical(long linear) {
        return linear << 16 >> 16 == linear;
    }

    /**
     * The guest-physical address of {@code linear} for an access of kind {@code access}.
     *
     * @throws GuestFault #PF with the faulting address (for CR2) and the architectural error code
     * @throws ExitSignal if a paging-structure entry lies outside the RAM
     */
    long translate(long linear, int access) {
        boolean write = access == WRITE || access == RMW;
        if (ram.watchedWrites() != tlbStamp) {
            flushTlb();
        }
        long page = linear >>> 12;
        int slot = (int) page & (TLB_SIZE - 1);
        if (tlbTag[slot] == page + 1 && (!write || tlbWrite[slot]) && (access != FETCH || tlbExecute[slot])) {
            return tlbFrame[slot] | (linear & 0xfff);
        }
        long physical = walk(linear, access, write);
        // A walk's own accessed/dirty updates may have bumped the watch counter: they do not change a translation.
        tlbStamp = ram.watchedWrites();
        tlbTag[slot] = page + 1;
        tlbFrame[slot] = physical & ~0xfffL;
        tlbWrite[slot] = write;
        tlbExecute[slot] = walkedExecutable;
        return physical;
    }

    private long walk(long linear, int access, boolean write) {
        boolean fetch = access == FETCH;
        boolean nxe = (cpu.efer & Cpu.EFER_NXE) != 0;
        long table = cpu.cr3 & ADDRESS;
        boolean writable = true;
        boolean executable = true;
        int shift = 39;
        int levels = 0;
        long entry;
        while (true) {
            long at = table + ((linear >>> shift) & 0x1ff) * 8;
            entry = physical(at, 8, Mmu.READ);
            ram.watch(at);
            walked[levels++] = at;
            if ((entry & P) == 0) {
                throw GuestFault.pageFault(linear, errorCode(0, write, fetch, nxe));
            }
            boolean leaf = shift == 12 || (shift <= 30 && (entry & PS) != 0);
            long reserved = nxe ? 0 : XD;
            if (shift == 39) {
                reserved |= PS;
            } else if (leaf && shift == 30) {
                reserved |= RESERVED_1G;
            } else if (leaf && shift == 21) {
                reserved |= RESERVED_2M;
            }
            if ((entry & reserved) != 0) {
                throw GuestFault.pageFault(linear, errorCode(PF_PRESENT | PF_RESERVED, write, fetch, nxe));
            }
            writable &= (entry & RW) != 0;
            executable &= !nxe || (entry & XD) == 0;
            if (leaf) {
                break;
            }
            table = entry & ADDRESS;
            shift -= 9;
        }
        if (write && !writable && (cpu.cr0 & Cpu.CR0_WP) != 0) {
            throw GuestFault.pageFault(linear, errorCode(PF_PRESENT, true, fetch, nxe));
        }
        if (fetch && !executable) {
            throw GuestFault.pageFault(linear, errorCode(PF_PRESENT, false, true, nxe));
        }
        walkedExecutable = executable;
        for (int i = 0; i < levels; i++) {
            setBits(walked[i], i == levels - 1 && write ? ACCESSED | DIRTY : ACCESSED);
        }
        long offsetMask = (1L << shift) - 1;
        return (entry & ADDRESS & ~offsetMask) | (linear & offsetMask);
    }

    private static int errorCode(int bits, boolean write, boolean fetch, boolean nxe) {
        // The I/D bit is reported only where instruction fetches can fault on their own (NX; SMEP is never on here).
        return bits | (write ? PF_WRITE : 0) | (fetch && nxe ? PF_FETCH : 0);
    }

    private void setBits(long entryAddress, long bits) {
        long entry = ram.readLe((int) entryAddress, 8);
        if ((entry & bits) != bits) {
            ram.writeLe((int) entryAddress, 8, entry | bits);
        }
    }

    /** Reads guest-physical memory for the CPU itself (page walks); unbacked memory ends the run. */
    private long physical(long gpa, int size, int access) {
        return ram.readLe(backed(gpa, size, access), size);
    }

    private int backed(long gpa, int size, int access) {
        if (!ram.contains(gpa, size)) {
            throw new ExitSignal(new VcpuExit.Mmio(gpa, access == WRITE, size));
        }
        return (int) gpa;
    }

    /**
     * Translates [linear, linear + size) (size 1 to 8) for the access; {@link #read()} and
     * {@link #write(long)} then use it. A non-canonical address raises #SS(0) for stack references
     * ({@code stack}) and #GP(0) otherwise.
     */
    void resolve(long linear, int size, int access, boolean stack) {
        if (!canonical(linear) || !canonical(linear + size - 1)) {
            throw stack ? GuestFault.of(GuestFault.SS, 0) : GuestFault.gp(0);
        }
        int offset = (int) linear & (PAGE_SIZE - 1);
        refSize = size;
        if (offset + size <= PAGE_SIZE) {
            refFirst = backed(translate(linear, access), size, access);
            refSplit = size;
        } else {
            int first = PAGE_SIZE - offset;
            long firstPhysical = translate(linear, access);
            long secondPhysical = translate(linear + first, access);
            refFirst = backed(firstPhysical, first, access);
            refSecond = backed(secondPhysical, size - first, access);
            refSplit = first;
        }
    }

    long read() {
        if (refSplit == refSize) {
            return ram.readLe((int) refFirst, refSize);
        }
        return ram.readLe((int) refFirst, refSplit) | ram.readLe((int) refSecond, refSize - refSplit) << (8 * refSplit);
    }

    void write(long value) {
        if (refSplit == refSize) {
            ram.writeLe((int) refFirst, refSize, value);
        } else {
            ram.writeLe((int) refFirst, refSplit, value);
            ram.writeLe((int) refSecond, refSize - refSplit, value >>> (8 * refSplit));
        }
    }

    long read(long linear, int size, boolean stack) {
        resolve(linear, size, READ, stack);
        return read();
    }

    void write(long linear, int size, long value, boolean stack) {
        resolve(linear, size, WRITE, stack);
        write(value);
    }

    /** Checks that [linear, linear + length) could be written, without writing (the pages at both ends). */
    void probeWrite(long linear, int length, boolean stack) {
        resolve(linear, 1, WRITE, stack);
        resolve(linear + length - 1, 1, WRITE, stack);
    }
}
