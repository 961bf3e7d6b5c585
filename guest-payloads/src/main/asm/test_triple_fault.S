/*
 * test_triple_fault: a harness self-test. Loads an IDT with limit 0, then executes UD2: #UD cannot be
 * delivered (#GP), nor can #GP (#DF), nor #DF: the CPU shuts down (KVM_EXIT_SHUTDOWN), and the
 * harness must report that as a crash with the registers.
 */
        .include "abi.inc"
        .include "stubs.inc"
        .code64
        PAYLOAD_HEADER payload_entry

payload_entry:
        lidt    empty_idt(%rip)
        ud2

        VECTOR_STUBS unexpected
unexpected:
        REPORT_UNEXPECTED_EXCEPTION 0

        .section .rodata
empty_idt:
        .word   0
        .quad   0
