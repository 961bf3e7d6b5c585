/*
 * msr_script: runs the MSR script table at SCRIPT_TABLE in order. For each entry it performs
 * RDMSR or WRMSR, or RDMSR or RDTSC behind KVM's forced-emulation prefix, and records the value
 * read, or the exception the instruction raised, then reports REPORT_DONE through one OUT to
 * REPORT_PORT. The harness may then append entries and raise HDR_COUNT (a case's continue step: the
 * same guest goes on where it stopped), so the count is re-read before every entry and a resumed
 * report goes back to the loop. See guest-payloads/README.md for the ABI.
 *
 * Register use (the exception handler relies on it): r13 = current entry, rbx = table header.
 * The harness enters with RDI = the vCPU's script table.
 * The harness enters at payload_entry in 64-bit mode, CPL 0, IF = 0, with a valid stack.
 */
        .include "abi.inc"
        .include "stubs.inc"
        .code64
        PAYLOAD_HEADER payload_entry

payload_entry:
        /* RDI = this vCPU's script table (each vCPU of a case has its own); 0, from a harness that sets
           no register (the benchmark's C floor, one vCPU), means vCPU 0's table at SCRIPT_TABLE. */
        mov     %rdi, %rbx
        test    %rbx, %rbx
        jnz     .Ltable_chosen
        mov     $SCRIPT_TABLE, %ebx
.Ltable_chosen:
        lea     HDR_SIZE(%rbx), %r13
        xor     %r14d, %r14d
next_entry:
        cmp     HDR_COUNT(%rbx), %r14d
        jae     all_done
        mov     ENT_OP(%r13), %eax
        mov     ENT_INDEX(%r13), %ecx
        cmp     $OP_RDMSR, %eax
        je      do_rdmsr
        cmp     $OP_WRMSR, %eax
        je      do_wrmsr
        cmp     $OP_FEP_RDMSR, %eax
        je      do_fep_rdmsr
        cmp     $OP_FEP_RDTSC, %eax
        je      do_fep_rdtsc
        cmp     $OP_FEP_WRMSR, %eax
        je      do_fep_wrmsr
        movw    $OUTCOME_BAD_OP, ENT_OUTCOME(%r13)
        jmp     entry_finished

do_rdmsr:
        .globl rdmsr_insn
rdmsr_insn:
        rdmsr
.Lrecord_edx_eax:                        /* the value read (RDMSR, RDTSC) is EDX:EAX */
        shl     $32, %rdx
        mov     %eax, %eax
        or      %rax, %rdx
        mov     %rdx, ENT_RESULT(%r13)
        movw    $OUTCOME_COMPLETED, ENT_OUTCOME(%r13)
        jmp     entry_finished

do_wrmsr:
        mov     ENT_VALUE(%r13), %eax
        mov     ENT_VALUE+4(%r13), %edx
        .globl wrmsr_insn
wrmsr_insn:
        wrmsr
        movw    $OUTCOME_COMPLETED, ENT_OUTCOME(%r13)
        jmp     entry_finished

        /*
         * Forced emulation: KVM's #UD handler recognises the prefix, moves RIP past it and runs the
         * next instruction through its instruction emulator. The global label after each prefix
         * is where an exception of the emulated instruction points (and lets objdump resynchronise
         * after the "kvm" signature bytes, which are not code).
         */
do_fep_rdmsr:
        .globl fep_rdmsr_prefix
fep_rdmsr_prefix:
        KVM_FEP
        .globl fep_rdmsr_insn
fep_rdmsr_insn:
        rdmsr
        jmp     .Lrecord_edx_eax

do_fep_rdtsc:
        .globl fep_rdtsc_prefix
fep_rdtsc_prefix:
        KVM_FEP
        .globl fep_rdtsc_insn
fep_rdtsc_insn:
        rdtsc
        jmp     .Lrecord_edx_eax

do_fep_wrmsr:
        mov     ENT_VALUE(%r13), %eax
        mov     ENT_VALUE+4(%r13), %edx
        .globl fep_wrmsr_prefix
fep_wrmsr_prefix:
        KVM_FEP
        .globl fep_wrmsr_insn
fep_wrmsr_insn:
        wrmsr
        movw    $OUTCOME_COMPLETED, ENT_OUTCOME(%r13)
        jmp     entry_finished

        .globl fault_resume
fault_resume:                           /* the handler resumes here after a faulting access */
entry_finished:
        add     $ENT_SIZE, %r13
        inc     %r14d
        mov     %r14d, HDR_COMPLETED(%rbx)
        jmp     next_entry

all_done:
        mov     $REPORT_DONE, %eax
        mov     $REPORT_PORT, %edx
        out     %eax, %dx
        jmp     next_entry              /* resumed only after the harness appended entries; no HLT (see README) */

        VECTOR_STUBS exception_common

exception_common:
        push    %rax
        push    %rdx
        /* stack: rdx, rax, vector @16, error @24, rip @32, cs, rflags, rsp, ss */
        mov     32(%rsp), %rax
        lea     rdmsr_insn(%rip), %rdx
        cmp     %rdx, %rax
        je      access_faulted
        lea     wrmsr_insn(%rip), %rdx
        cmp     %rdx, %rax
        je      access_faulted
        /* An emulated instruction faults at itself; without forced emulation the prefix's UD2 faults. */
        lea     fep_rdmsr_insn(%rip), %rdx
        cmp     %rdx, %rax
        je      access_faulted
        lea     fep_rdtsc_insn(%rip), %rdx
        cmp     %rdx, %rax
        je      access_faulted
        lea     fep_wrmsr_insn(%rip), %rdx
        cmp     %rdx, %rax
        je      access_faulted
        lea     fep_rdmsr_prefix(%rip), %rdx
        cmp     %rdx, %rax
        je      access_faulted
        lea     fep_rdtsc_prefix(%rip), %rdx
        cmp     %rdx, %rax
        je      access_faulted
        lea     fep_wrmsr_prefix(%rip), %rdx
        cmp     %rdx, %rax
        je      access_faulted
        /* Anything else is a payload or harness bug (the frame is above the two saved registers). */
        REPORT_UNEXPECTED_EXCEPTION 16, %rbx

access_faulted:
        movw    $OUTCOME_FAULTED, ENT_OUTCOME(%r13)
        mov     16(%rsp), %rax
        mov     %ax, ENT_VECTOR(%r13)
        mov     24(%rsp), %rax
        mov     %eax, ENT_ERROR(%r13)
        lea     fault_resume(%rip), %rax
        mov     %rax, 32(%rsp)
        pop     %rdx
        pop     %rax
        add     $16, %rsp
        iretq
