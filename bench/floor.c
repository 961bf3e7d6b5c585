/*
 * The floor of `msrconf bench`: the benchmark's KVM workload done by the shortest C program that makes
 * the same ioctls as the Java harness (KvmBackend, fresh VM per case). The benchmark compiles it with
 * gcc into a temporary directory and feeds it one binary input file written by the Java side
 * (io.msrconf.bench.FloorInput): the guest memory image (system tables, payload), the start state of
 * GuestLayout, and every case as steps (filters as raw kvm_msr_filter fields, script tables as the
 * bytes the guest reads, the answers to MSR exits, host MSR accesses).
 *
 * Per case it creates a VM with an in-kernel irqchip, 2 MiB of memory, one vCPU with the supported
 * CPUID (and x2APIC mode when the case asks), enables KVM_CAP_X86_USER_SPACE_MSR when the case wants
 * exits, then runs the steps, answering MSR exits like ScriptRun, and closes everything. It times
 * the same phases as the Java side and prints, as key=value lines, the median over rounds of the
 * per-case mean of each phase, in nanoseconds.
 *
 * usage: floor INPUT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE (2u << 20)
#define SYSTEM_TABLES 0x1000
#define PAYLOAD_BASE 0x10000
#define SCRIPT_TABLE 0x20000
#define HDR_COMPLETED 8
#define REPORT_PORT 0xf4
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_X2APIC (0xfee00000ull | 1 << 8 | 1 << 11 | 1 << 10)
#define MAX_EXITS (4 * 8190 + 16)

enum { STEP_FILTER = 1, STEP_RUN = 2, STEP_HOST_SET = 3, STEP_HOST_GET = 4 };
enum { PH_SETUP, PH_FILTER, PH_RUN, PH_TEARDOWN, PH_COUNT };

struct answer { uint32_t has, error; uint64_t data; };
struct step {
    uint32_t kind;
    struct kvm_msr_filter filter;                   /* STEP_FILTER: bitmaps point into the input */
    uint8_t *table; uint32_t table_len;             /* STEP_RUN */
    uint32_t naccess; struct answer *answers; uint32_t *exits_seen;
    uint32_t nmsrs; struct kvm_msrs *msrs;          /* STEP_HOST_SET / STEP_HOST_GET */
};
struct bcase { uint32_t x2apic, exit_mask, nsteps; struct step *steps; };
struct seg { uint64_t base; uint32_t limit, selector, type, present, dpl, db, s, l, g; };

static uint8_t *in; static size_t in_len, in_pos;
static int kvm;
static struct kvm_cpuid2 *cpuid;

static void die(const char *what) { perror(what); exit(1); }
static void *take(size_t n) {
    if (in_pos + n > in_len) { fprintf(stderr, "floor: input truncated\n"); exit(1); }
    void *p = in + in_pos; in_pos += n; return p;
}
static uint32_t u32(void) { uint32_t v; memcpy(&v, take(4), 4); return v; }
static uint64_t u64(void) { uint64_t v; memcpy(&v, take(8), 8); return v; }
static uint64_t now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec; }
static int cmp(const void *a, const void *b) { uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b; return x < y ? -1 : x > y; }

static void read_seg(struct seg *s) {
    s->base = u64(); s->limit = u32(); s->selector = u32(); s->type = u32(); s->present = u32();
    s->dpl = u32(); s->db = u32(); s->s = u32(); s->l = u32(); s->g = u32();
}
static void to_kvm(struct kvm_segment *k, const struct seg *s) {
    memset(k, 0, sizeof *k);
    k->base = s->base; k->limit = s->limit; k->selector = s->selector; k->type = s->type; k->present = s->present;
    k->dpl = s->dpl; k->db = s->db; k->s = s->s; k->l = s->l; k->g = s->g;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: floor INPUT\n"); return 2; }
    FILE *f = fopen(argv[1], "rb"); if (!f) die(argv[1]);
    fseek(f, 0, SEEK_END); in_len = ftell(f); fseek(f, 0, SEEK_SET);
    in = malloc(in_len); if (fread(in, 1, in_len, f) != in_len) die("read"); fclose(f);

    if (u32() != 0x42525346) { fprintf(stderr, "floor: not a floor input\n"); return 1; }
    uint32_t rounds = u32(), warmup = u32();
    uint32_t sys_len = u32(); uint8_t *sys = take(sys_len);
    uint32_t pay_len = u32(); uint8_t *pay = take(pay_len);
    uint64_t rip = u64(), rsp = u64(), rflags = u64(), cr0 = u64(), cr3 = u64(), cr4 = u64(), efer = u64();
    uint64_t gdt_base = u64(), idt_base = u64(); uint32_t gdt_limit = u32(), idt_limit = u32();
    struct seg cs, ds, tr; read_seg(&cs); read_seg(&ds); read_seg(&tr);
    uint32_t ncases = u32();
    struct bcase *cases = calloc(ncases, sizeof *cases);
    for (uint32_t c = 0; c < ncases; c++) {
        cases[c].x2apic = u32(); cases[c].exit_mask = u32(); cases[c].nsteps = u32();
        cases[c].steps = calloc(cases[c].nsteps, sizeof(struct step));
        for (uint32_t s = 0; s < cases[c].nsteps; s++) {
            struct step *st = &cases[c].steps[s];
            st->kind = u32();
            if (st->kind == STEP_FILTER) {
                st->filter.flags = u32(); uint32_t n = u32();
                for (uint32_t r = 0; r < n && r < KVM_MSR_FILTER_MAX_RANGES; r++) {
                    st->filter.ranges[r].flags = u32(); st->filter.ranges[r].nmsrs = u32(); st->filter.ranges[r].base = u32();
                    uint32_t len = u32();
                    st->filter.ranges[r].bitmap = len == 0xffffffffu ? NULL : take(len);
                }
            } else if (st->kind == STEP_RUN) {
                st->table_len = u32(); st->table = take(st->table_len);
                st->naccess = u32(); st->answers = calloc(st->naccess + 1, sizeof(struct answer));
                st->exits_seen = calloc(st->naccess + 1, sizeof(uint32_t));
                for (uint32_t a = 0; a < st->naccess; a++) { st->answers[a].has = u32(); st->answers[a].error = u32(); st->answers[a].data = u64(); }
            } else {
                st->nmsrs = u32();
                st->msrs = calloc(1, sizeof(struct kvm_msrs) + st->nmsrs * sizeof(struct kvm_msr_entry));
                st->msrs->nmsrs = st->nmsrs;
                for (uint32_t m = 0; m < st->nmsrs; m++) {
                    st->msrs->entries[m].index = u32();
                    if (st->kind == STEP_HOST_SET) st->msrs->entries[m].data = u64();
                }
            }
        }
    }

    kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC); if (kvm < 0) die("/dev/kvm");
    cpuid = calloc(1, sizeof *cpuid + 256 * sizeof(struct kvm_cpuid_entry2)); cpuid->nent = 256;
    if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) die("KVM_GET_SUPPORTED_CPUID");

    uint64_t *samples[PH_COUNT + 1];
    for (int p = 0; p <= PH_COUNT; p++) samples[p] = calloc(rounds, sizeof(uint64_t));
    uint64_t exits_total = 0, run_ns_total = 0;

    for (uint32_t round = 0; round < warmup + rounds; round++) {
        uint64_t phase[PH_COUNT] = {0}, round_start = now();
        for (uint32_t c = 0; c < ncases; c++) {
            struct bcase *bc = &cases[c];
            uint64_t t0 = now();
            int mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
            int vm = ioctl(kvm, KVM_CREATE_VM, 0); if (vm < 0) die("KVM_CREATE_VM");
            if (ioctl(vm, KVM_CREATE_IRQCHIP, 0)) die("KVM_CREATE_IRQCHIP");
            uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (mem == MAP_FAILED) die("mmap");
            struct kvm_userspace_memory_region region = { .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (uint64_t)mem };
            if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region)) die("KVM_SET_USER_MEMORY_REGION");
            memcpy(mem + SYSTEM_TABLES, sys, sys_len);
            memcpy(mem + PAYLOAD_BASE, pay, pay_len);
            if (bc->exit_mask) {
                struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR, .args = { bc->exit_mask } };
                if (ioctl(vm, KVM_ENABLE_CAP, &cap)) die("KVM_ENABLE_CAP");
            }
            int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0); if (vcpu < 0) die("KVM_CREATE_VCPU");
            struct kvm_run *run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
            if (run == MAP_FAILED) die("mmap kvm_run");
            if (ioctl(vcpu, KVM_SET_CPUID2, cpuid)) die("KVM_SET_CPUID2");
            if (bc->x2apic) {
                struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = { .h.nmsrs = 1, .e = { .index = MSR_APIC_BASE, .data = APIC_BASE_X2APIC } };
                if (ioctl(vcpu, KVM_SET_MSRS, &m) != 1) die("KVM_SET_MSRS(APIC_BASE)");
            }
            uint64_t t1 = now(); phase[PH_SETUP] += t1 - t0;

            for (uint32_t s = 0; s < bc->nsteps; s++) {
                struct step *st = &bc->steps[s];
                uint64_t ts = now();
                if (st->kind == STEP_FILTER) {
                    ioctl(vm, KVM_X86_SET_MSR_FILTER, &st->filter);   /* errno is data here, as in the Java harness */
                    phase[PH_FILTER] += now() - ts;
                    continue;
                }
                if (st->kind == STEP_HOST_SET) {
                    ioctl(vcpu, KVM_SET_MSRS, st->msrs);
                } else if (st->kind == STEP_HOST_GET) {
                    ioctl(vcpu, KVM_GET_MSRS, st->msrs);
                } else {
                    memcpy(mem + SCRIPT_TABLE, st->table, st->table_len);
                    memset(st->exits_seen, 0, (st->naccess + 1) * sizeof(uint32_t));
                    struct kvm_sregs sregs;
                    if (ioctl(vcpu, KVM_GET_SREGS, &sregs)) die("KVM_GET_SREGS");
                    to_kvm(&sregs.cs, &cs); to_kvm(&sregs.ds, &ds); sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
                    to_kvm(&sregs.tr, &tr);
                    sregs.gdt.base = gdt_base; sregs.gdt.limit = gdt_limit; sregs.idt.base = idt_base; sregs.idt.limit = idt_limit;
                    sregs.cr0 = cr0; sregs.cr3 = cr3; sregs.cr4 = cr4; sregs.efer = efer;
                    if (ioctl(vcpu, KVM_SET_SREGS, &sregs)) die("KVM_SET_SREGS");
                    struct kvm_regs regs; memset(&regs, 0, sizeof regs); regs.rip = rip; regs.rsp = rsp; regs.rflags = rflags;
                    if (ioctl(vcpu, KVM_SET_REGS, &regs)) die("KVM_SET_REGS");
                    uint64_t tr0 = now(), exits = 0;
                    for (int n = 0; n < MAX_EXITS; n++) {
                        if (ioctl(vcpu, KVM_RUN, 0) < 0) { if (errno == EINTR) continue; die("KVM_RUN"); }
                        if (run->exit_reason == KVM_EXIT_IO) {
                            if (run->io.port != REPORT_PORT) fprintf(stderr, "floor: stray port I/O 0x%x\n", run->io.port);
                            break;
                        }
                        if (run->exit_reason == KVM_EXIT_X86_RDMSR || run->exit_reason == KVM_EXIT_X86_WRMSR) {
                            exits++;
                            uint32_t done; memcpy(&done, mem + SCRIPT_TABLE + HDR_COMPLETED, 4);
                            int first = done < st->naccess && st->exits_seen[done]++ == 0;
                            struct answer *a = done < st->naccess ? &st->answers[done] : NULL;
                            if (a && first && a->has) {
                                run->msr.error = a->error;
                                if (run->exit_reason == KVM_EXIT_X86_RDMSR) run->msr.data = a->data;
                            } else {
                                run->msr.error = 1;
                                if (run->exit_reason == KVM_EXIT_X86_RDMSR) run->msr.data = 0;
                            }
                            continue;
                        }
                        fprintf(stderr, "floor: unexpected exit %u\n", run->exit_reason);
                        break;
                    }
                    if (round >= warmup) { exits_total += exits; run_ns_total += now() - tr0; }
                    uint8_t back[64]; memcpy(back, mem + SCRIPT_TABLE, sizeof back);   /* the harness reads the table back */
                    (void)back;
                }
                phase[PH_RUN] += now() - ts;
            }

            uint64_t t2 = now();
            munmap(run, mmap_size); close(vcpu); close(vm); munmap(mem, MEM_SIZE);
            phase[PH_TEARDOWN] += now() - t2;
        }
        if (round >= warmup) {
            for (int p = 0; p < PH_COUNT; p++) samples[p][round - warmup] = phase[p] / ncases;
            samples[PH_COUNT][round - warmup] = now() - round_start;
        }
    }
    const char *names[] = {"setup_ns", "filter_ns", "run_ns", "teardown_ns", "round_ns"};
    uint64_t total = 0;
    for (int p = 0; p <= PH_COUNT; p++) {
        qsort(samples[p], rounds, sizeof(uint64_t), cmp);
        uint64_t median = samples[p][rounds / 2];
        if (p < PH_COUNT) total += median;
        printf("%s=%llu\n", names[p], (unsigned long long)median);
    }
    printf("case_ns=%llu\n", (unsigned long long)samples[PH_COUNT][rounds / 2] / ncases);
    printf("phase_sum_ns=%llu\n", (unsigned long long)total);
    printf("exits=%llu\nexit_run_ns=%llu\n", (unsigned long long)exits_total, (unsigned long long)run_ns_total);
    return 0;
}
