/*
 * msrconf-agent: runs inside a guest kernel booted under QEMU and executes KVM operations for msrconf's
 * Java harness, which sends them over a virtio-serial port. It is the guest half of the agent transport
 * (io.msrconf.kvm.agent): the Java side keeps every decision (which VM, which filter, what to answer to
 * an exit); the agent owns only what must live in the guest's address space: file descriptors, the
 * guest memory and kvm_run mappings, and the bitmaps a filter points to.
 *
 * Protocol (all integers little-endian; see guest-agent/PROTOCOL.md):
 *   request:  u32 length (of what follows), u32 op, u32 handle, payload[length - 8]
 *   response: u32 length (of what follows), i32 result (>= 0, or -errno), payload[length - 4]
 * On start the agent writes the banner "MSRCONF-AGENT <version>\n" once, so the host knows it is
 * listening before it sends anything.
 *
 * Built static (gcc -static) so the guest's initramfs needs no C library.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define AGENT_PROTOCOL 1
#define AGENT_VERSION "1"
#define MAX_MESSAGE (16u << 20)
#define MAX_FDS 1024
#define MAX_FILE (1u << 20)
#define RUN_HEADER 256
#define PAGE 4096ul

enum op {
	OP_HELLO = 1,
	OP_KVM_OPEN = 2,
	OP_GET_API_VERSION = 3,
	OP_CHECK_EXTENSION = 4,
	OP_GET_VCPU_MMAP_SIZE = 5,
	OP_GET_SUPPORTED_CPUID = 6,
	OP_GET_MSR_INDEX_LIST = 7,
	OP_CREATE_VM = 8,
	OP_CREATE_IRQCHIP = 9,
	OP_ENABLE_CAP = 10,
	OP_MAP_MEMORY = 11,
	OP_MEM_WRITE = 12,
	OP_MEM_READ = 13,
	OP_MEM_FILL = 14,
	OP_CREATE_VCPU = 15,
	OP_SET_MSR_FILTER = 16,
	OP_SET_MSR_FILTER_NULL = 17,
	OP_CLOSE = 18,
	OP_SET_CPUID = 19,
	OP_GET_REGS = 20,
	OP_SET_REGS = 21,
	OP_GET_SREGS = 22,
	OP_SET_SREGS = 23,
	OP_GET_MSRS = 24,
	OP_SET_MSRS = 25,
	OP_GET_LAPIC = 26,
	OP_SET_LAPIC = 27,
	OP_SET_MP_STATE = 28,
	OP_RUN = 29,
	OP_READ_FILE = 30,
	OP_LIST_DIR = 31,
	OP_WRITE_FILE = 32,
	OP_POWEROFF = 33,
	OP_XEN_HVM_CONFIG = 34,
	OP_RUN_PROGRAM = 35,
};

/* bitmap placements (io.msrconf.filter.BitmapMemory, plus NULL) */
enum placement { PLACE_NULL = 0, PLACE_VALID = 1, PLACE_SHORT = 2, PLACE_UNMAPPED = 3, PLACE_WILD = 4 };

/* BitmapMemory.WILD_ADDRESS: below vm.mmap_min_addr, where nothing can be mapped. */
#define WILD_ADDRESS 0x1000ul

enum kind { FREE = 0, KVM_SYS, VM, VCPU };

struct handle {
	enum kind kind;
	int vm;                 /* a vCPU's VM */
	void *mem;              /* a VM's guest memory */
	uint64_t mem_size;
	struct kvm_run *run;    /* a vCPU's kvm_run */
	size_t run_size;
};

static struct handle handles[MAX_FDS];
static int port = -1;
static int kvm_fd = -1;
static volatile struct kvm_run *running;   /* the vCPU in KVM_RUN, for the deadline's signal */

/* ---------- I/O ---------- */

static void die(const char *what)
{
	fprintf(stderr, "msrconf-agent: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int read_full(void *buf, size_t n)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = read(port, p, n);
		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void write_full(const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(port, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += w;
		n -= (size_t)w;
	}
}

/*
 * The response being built: 8 bytes of header (length, result) then the payload, sent with one write
 * (each write to the port is a round trip through the emulated device: one is cheaper than three).
 */
static unsigned char *out;
static size_t out_len, out_cap;

static void *out_room(size_t n);

static void out_reset(void)
{
	out_len = 0;
	out_room(8);
}

static void *out_room(size_t n)
{
	if (out_len + n > out_cap) {
		size_t cap = out_cap ? out_cap : 65536;
		while (cap < out_len + n)
			cap *= 2;
		out = realloc(out, cap);
		if (!out)
			die("realloc");
		out_cap = cap;
	}
	void *p = out + out_len;
	out_len += n;
	return p;
}

static void out_bytes(const void *b, size_t n)
{
	memcpy(out_room(n), b, n);
}

static void out_u64(uint64_t v)
{
	out_bytes(&v, 8);
}

static void respond(int32_t result)
{
	uint32_t len = (uint32_t)out_len - 4;
	memcpy(out, &len, 4);
	memcpy(out + 4, &result, 4);
	write_full(out, out_len);
	out_reset();
}

/* The request's payload and a cursor over it. */
struct in {
	unsigned char *p;
	size_t n;
	size_t at;
	int bad;
};

static uint32_t in_u32(struct in *in)
{
	uint32_t v = 0;
	if (in->at + 4 > in->n) {
		in->bad = 1;
		return 0;
	}
	memcpy(&v, in->p + in->at, 4);
	in->at += 4;
	return v;
}

static uint8_t in_u8(struct in *in)
{
	if (in->at + 1 > in->n) {
		in->bad = 1;
		return 0;
	}
	return in->p[in->at++];
}

static uint64_t in_u64(struct in *in)
{
	uint64_t v = 0;
	if (in->at + 8 > in->n) {
		in->bad = 1;
		return 0;
	}
	memcpy(&v, in->p + in->at, 8);
	in->at += 8;
	return v;
}

static unsigned char *in_bytes(struct in *in, size_t n)
{
	if (n > in->n - in->at || in->at > in->n) {
		in->bad = 1;
		return NULL;
	}
	unsigned char *p = in->p + in->at;
	in->at += n;
	return p;
}

static size_t in_rest(struct in *in)
{
	return in->at <= in->n ? in->n - in->at : 0;
}

/* ---------- handles ---------- */

static struct handle *handle(uint32_t fd, enum kind kind)
{
	if (fd >= MAX_FDS || handles[fd].kind != kind)
		return NULL;
	return &handles[fd];
}

static int32_t rc(int r)
{
	return r < 0 ? -errno : r;
}

static void close_handle(int fd)
{
	struct handle *h = &handles[fd];
	if (h->kind == VM) {
		for (int v = 0; v < MAX_FDS; v++)
			if (handles[v].kind == VCPU && handles[v].vm == fd)
				close_handle(v);
		close(fd);
		if (h->mem)
			munmap(h->mem, h->mem_size);
	} else if (h->kind == VCPU) {
		if (h->run)
			munmap(h->run, h->run_size);
		close(fd);
	} else if (h->kind == KVM_SYS) {
		close(fd);
		if (kvm_fd == fd)
			kvm_fd = -1;
	}
	memset(h, 0, sizeof(*h));
}

/* ---------- the filter's bitmaps, placed as the host asked ---------- */

struct placed {
	unsigned char *map;
	size_t size;
	int hole;	/* PLACE_UNMAPPED: the middle page is unmapped before the ioctl */
};

/* Exactly len bytes ending where a PROT_NONE page begins; len 0 points at that page. */
static void *place_short(const unsigned char *bits, size_t len, struct placed *keep)
{
	size_t data_pages = (len + PAGE - 1) / PAGE;
	size_t size = (data_pages + 1) * PAGE;
	unsigned char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	keep->map = m;
	keep->size = size;
	if (mprotect(m + data_pages * PAGE, PAGE, PROT_NONE) < 0)
		return NULL;
	unsigned char *start = m + data_pages * PAGE - len;
	memcpy(start, bits, len);
	return start;
}

/*
 * The middle page of three PROT_NONE pages; set_msr_filter() unmaps it only after every range is placed,
 * just before the ioctl: unmapped any earlier, the next range's mmap() could land in the hole (a
 * one-page hole fits a one-page bitmap) and the "unmapped" bitmap would be readable.
 */
static void *place_unmapped(struct placed *keep)
{
	unsigned char *m = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	keep->map = m;
	keep->size = 3 * PAGE;
	keep->hole = 1;
	return m + PAGE;
}

static int32_t set_msr_filter(int vm, struct in *in)
{
	struct kvm_msr_filter filter;
	struct placed placed[KVM_MSR_FILTER_MAX_RANGES];
	memset(&filter, 0, sizeof(filter));
	memset(placed, 0, sizeof(placed));
	filter.flags = in_u32(in);
	uint32_t n = in_u32(in);
	if (n > KVM_MSR_FILTER_MAX_RANGES)
		return -E2BIG;
	int32_t result = 0;
	for (uint32_t i = 0; i < n && !in->bad; i++) {
		struct kvm_msr_filter_range *r = &filter.ranges[i];
		r->flags = in_u32(in);
		r->nmsrs = in_u32(in);
		r->base = in_u32(in);
		uint32_t where = in_u32(in);
		uint32_t len = in_u32(in);
		unsigned char *bits = in_bytes(in, len);
		if (in->bad)
			break;
		switch (where) {
		case PLACE_NULL:
			r->bitmap = NULL;
			break;
		case PLACE_VALID: {
			/* the host sends the bytes already padded to what the kernel copies */
			struct placed *k = &placed[i];
			k->size = (len + PAGE - 1) / PAGE * PAGE;
			if (k->size == 0)
				k->size = PAGE;
			k->map = mmap(NULL, k->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (k->map == MAP_FAILED) {
				k->map = NULL;
				result = -ENOMEM;
				goto done;
			}
			memcpy(k->map, bits, len);
			r->bitmap = k->map;
			break;
		}
		case PLACE_SHORT:
			r->bitmap = place_short(bits, len, &placed[i]);
			if (!r->bitmap) {
				result = -ENOMEM;
				goto done;
			}
			break;
		case PLACE_UNMAPPED:
			r->bitmap = place_unmapped(&placed[i]);
			if (!r->bitmap) {
				result = -ENOMEM;
				goto done;
			}
			break;
		case PLACE_WILD:
			r->bitmap = (uint8_t *)WILD_ADDRESS;
			break;
		default:
			result = -EINVAL;
			goto done;
		}
	}
	if (in->bad) {
		result = -EPROTO;
		goto done;
	}
	for (int i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++)
		if (placed[i].hole)
			munmap(placed[i].map + PAGE, PAGE);   /* no mmap() follows before the ioctl */
	result = rc(ioctl(vm, KVM_X86_SET_MSR_FILTER, &filter));
done:
	for (int i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++)
		if (placed[i].map)
			munmap(placed[i].map, placed[i].size);
	return result;
}

/* ---------- KVM_RUN with a deadline ---------- */

static void on_alarm(int sig)
{
	(void)sig;
	volatile struct kvm_run *r = running;
	if (r)
		r->immediate_exit = 1;
}

static void arm(uint64_t timeout_ns)
{
	struct itimerval t;
	memset(&t, 0, sizeof(t));
	t.it_value.tv_sec = (time_t)(timeout_ns / 1000000000ull);
	t.it_value.tv_usec = (suseconds_t)(timeout_ns % 1000000000ull / 1000);
	if (t.it_value.tv_sec == 0 && t.it_value.tv_usec == 0)
		t.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &t, NULL);
}

static void disarm(void)
{
	struct itimerval t;
	memset(&t, 0, sizeof(t));
	setitimer(ITIMER_REAL, &t, NULL);
}

/*
 * RUN: u64 timeout_ns, u32 complete (0/1), u32 error, u64 data. Before entering the guest, the answer
 * to the last MSR exit is written into kvm_run when `complete` is set. Response: KVM_RUN's 0 or -errno,
 * then the first RUN_HEADER bytes of kvm_run and 8 bytes of I/O data (from io.data_offset, when the exit
 * is an I/O exit and the offset lies inside the mapping; zeros otherwise).
 */
static int32_t run_vcpu(struct handle *h, int fd, struct in *in)
{
	uint64_t timeout_ns = in_u64(in);
	uint32_t complete = in_u32(in);
	uint32_t error = in_u32(in);
	uint64_t data = in_u64(in);
	if (in->bad)
		return -EPROTO;
	struct kvm_run *run = h->run;
	if (complete) {
		run->msr.error = (uint8_t)error;
		run->msr.data = data;
	}
	int r;
	running = run;
	if (timeout_ns == 0) {
		run->immediate_exit = 1;
	} else {
		arm(timeout_ns);
	}
	r = ioctl(fd, KVM_RUN, 0);
	int saved = errno;
	disarm();
	running = NULL;
	run->immediate_exit = 0;
	errno = saved;
	int32_t result = rc(r);
	out_bytes(run, RUN_HEADER < h->run_size ? RUN_HEADER : h->run_size);
	unsigned char io[8];
	memset(io, 0, sizeof(io));
	if (r == 0 && run->exit_reason == KVM_EXIT_IO && run->io.data_offset + 8 <= h->run_size)
		memcpy(io, (unsigned char *)run + run->io.data_offset, 8);
	out_bytes(io, 8);
	return result;
}

/* ---------- files of the guest (how the target describes itself; module parameters) ---------- */

static int32_t read_file(struct in *in)
{
	char path[512];
	size_t n = in_rest(in);
	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, in_bytes(in, n), n);
	path[n] = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	char buf[8192];
	size_t total = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (total + (size_t)r > MAX_FILE) {
			close(fd);
			return -EFBIG;
		}
		out_bytes(buf, (size_t)r);
		total += (size_t)r;
	}
	close(fd);
	return (int32_t)total;
}

static int32_t list_dir(struct in *in)
{
	char path[512];
	size_t n = in_rest(in);
	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, in_bytes(in, n), n);
	path[n] = 0;
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	struct dirent *e;
	int count = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		out_bytes(e->d_name, strlen(e->d_name));
		out_bytes("\n", 1);
		count++;
	}
	closedir(d);
	return count;
}

/* WRITE_FILE: u32 path length, path, content. Only /sys/module parameters: the agent changes nothing else. */
static int32_t write_file(struct in *in)
{
	char path[512];
	uint32_t n = in_u32(in);
	unsigned char *p = in_bytes(in, n);
	if (in->bad || n == 0 || n >= sizeof(path))
		return -EINVAL;
	memcpy(path, p, n);
	path[n] = 0;
	if (strncmp(path, "/sys/module/", 12) != 0 || strstr(path, "/parameters/") == NULL || strstr(path, ".."))
		return -EPERM;
	size_t len = in_rest(in);
	unsigned char *content = in_bytes(in, len);
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, content, len);
	int32_t result = w < 0 ? -errno : (int32_t)w;
	close(fd);
	return result;
}

/*
 * RUN_PROGRAM: u32 timeout in ms, then the path of a program the initramfs carries under /programs/ (the kernel's
 * own selftests, run beside msrconf's cases on the same kernel). No arguments, no environment. The answer is its
 * exit status (128 + the signal if one ended it; -ETIMEDOUT if it ran past the timeout and was killed) and its
 * stdout and stderr together, of which the first MAX_FILE bytes are kept.
 */
static int32_t run_program(struct in *in)
{
	char path[512];
	uint32_t timeout_ms = in_u32(in);
	size_t n = in_rest(in);
	if (in->bad || n == 0 || n >= sizeof(path))
		return -EINVAL;
	memcpy(path, in_bytes(in, n), n);
	path[n] = 0;
	if (strncmp(path, "/programs/", 10) != 0 || strchr(path + 10, '/') != NULL)
		return -EPERM;
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(out[0]);
		close(out[1]);
		return -e;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		char *argv[] = {path, NULL};
		char *envp[] = {NULL};
		execve(path, argv, envp);
		_exit(127);
	}
	close(out[1]);
	struct timeval start, now;
	gettimeofday(&start, NULL);
	size_t total = 0;
	int timed_out = 0;
	char buf[8192];
	for (;;) {
		gettimeofday(&now, NULL);
		long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_usec - start.tv_usec) / 1000;
		if (elapsed >= (long)timeout_ms) {
			timed_out = 1;
			break;
		}
		struct pollfd p = {.fd = out[0], .events = POLLIN};
		int r = poll(&p, 1, (int)(timeout_ms - elapsed));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t got = read(out[0], buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;   /* EOF: the program (and whatever it started) closed its output */
		size_t keep = total >= MAX_FILE ? 0 : ((size_t)got < MAX_FILE - total ? (size_t)got : MAX_FILE - total);
		out_bytes(buf, keep);
		total += keep;
	}
	close(out[0]);
	if (timed_out)
		kill(-pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return -ETIMEDOUT;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---------- dispatch ---------- */

/* A vCPU ioctl that fills a fixed-size struct (KVM_GET_REGS, _SREGS, _LAPIC): the struct is the answer. */
static int32_t vcpu_get(uint32_t h, unsigned long request, void *buf, size_t size)
{
	if (!handle(h, VCPU))
		return -EBADF;
	if (ioctl((int)h, request, buf) < 0)
		return -errno;
	out_bytes(buf, size);
	return 0;
}

/* A vCPU ioctl that takes a fixed-size struct (KVM_SET_REGS, _SREGS, _LAPIC) from the request. */
static int32_t vcpu_set(uint32_t h, struct in *in, unsigned long request, void *buf, size_t size)
{
	unsigned char *p = in_bytes(in, size);
	if (in->bad)
		return -EPROTO;
	if (!handle(h, VCPU))
		return -EBADF;
	memcpy(buf, p, size);
	return rc(ioctl((int)h, request, buf));
}

static int32_t dispatch(uint32_t op, uint32_t h, struct in *in)
{
	struct handle *x;
	switch (op) {
	case OP_HELLO:
		out_bytes(AGENT_VERSION, strlen(AGENT_VERSION));
		return AGENT_PROTOCOL;
	case OP_KVM_OPEN: {
		if (kvm_fd >= 0)
			return kvm_fd;
		int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (fd >= MAX_FDS) {
			close(fd);
			return -EMFILE;
		}
		handles[fd].kind = KVM_SYS;
		kvm_fd = fd;
		return fd;
	}
	case OP_GET_API_VERSION:
		if (!handle(h, KVM_SYS))
			return -EBADF;
		return rc(ioctl((int)h, KVM_GET_API_VERSION, 0));
	case OP_CHECK_EXTENSION: {
		uint32_t cap = in_u32(in);
		if (in->bad)
			return -EPROTO;
		if (!handle(h, KVM_SYS) && !handle(h, VM))
			return -EBADF;
		return rc(ioctl((int)h, KVM_CHECK_EXTENSION, (unsigned long)cap));
	}
	case OP_GET_VCPU_MMAP_SIZE:
		if (!handle(h, KVM_SYS))
			return -EBADF;
		return rc(ioctl((int)h, KVM_GET_VCPU_MMAP_SIZE, 0));
	case OP_GET_SUPPORTED_CPUID: {
		uint32_t capacity = in_u32(in);
		if (in->bad || capacity == 0 || capacity > 4096)
			return -EINVAL;
		if (!handle(h, KVM_SYS))
			return -EBADF;
		size_t size = sizeof(struct kvm_cpuid2) + capacity * sizeof(struct kvm_cpuid_entry2);
		struct kvm_cpuid2 *c = calloc(1, size);
		if (!c)
			return -ENOMEM;
		c->nent = capacity;
		int r = ioctl((int)h, KVM_GET_SUPPORTED_CPUID, c);
		int32_t result = rc(r);
		if (r >= 0)
			out_bytes(c, sizeof(struct kvm_cpuid2) + c->nent * sizeof(struct kvm_cpuid_entry2));
		free(c);
		return result;
	}
	case OP_GET_MSR_INDEX_LIST: {
		if (!handle(h, KVM_SYS))
			return -EBADF;
		struct kvm_msr_list probe = {.nmsrs = 0};
		ioctl((int)h, KVM_GET_MSR_INDEX_LIST, &probe);
		uint32_t count = probe.nmsrs;
		struct kvm_msr_list *list = calloc(1, sizeof(*list) + (count + 1) * 4);
		if (!list)
			return -ENOMEM;
		list->nmsrs = count;
		int r = ioctl((int)h, KVM_GET_MSR_INDEX_LIST, list);
		int32_t result = rc(r);
		if (r >= 0)
			out_bytes(list, sizeof(*list) + list->nmsrs * 4);
		free(list);
		return result;
	}
	case OP_CREATE_VM: {
		if (!handle(h, KVM_SYS))
			return -EBADF;
		int fd = ioctl((int)h, KVM_CREATE_VM, 0);
		if (fd < 0)
			return -errno;
		if (fd >= MAX_FDS) {
			close(fd);
			return -EMFILE;
		}
		handles[fd].kind = VM;
		return fd;
	}
	case OP_CREATE_IRQCHIP:
		if (!handle(h, VM))
			return -EBADF;
		return rc(ioctl((int)h, KVM_CREATE_IRQCHIP, 0));
	case OP_ENABLE_CAP: {
		struct kvm_enable_cap cap;
		memset(&cap, 0, sizeof(cap));
		cap.cap = in_u32(in);
		cap.flags = in_u32(in);	/* as the host sends it: a case checks that KVM refuses non-zero flags */
		for (int i = 0; i < 4; i++)
			cap.args[i] = in_u64(in);
		if (in->bad)
			return -EPROTO;
		if (!handle(h, VM))
			return -EBADF;
		return rc(ioctl((int)h, KVM_ENABLE_CAP, &cap));
	}
	case OP_MAP_MEMORY: {
		uint64_t size = in_u64(in);
		if (in->bad || size == 0 || size % PAGE || size > (1ull << 30))
			return -EINVAL;
		if (!(x = handle(h, VM)))
			return -EBADF;
		if (x->mem)
			return -EEXIST;
		void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			return -errno;
		struct kvm_userspace_memory_region region = {
			.slot = 0, .guest_phys_addr = 0, .memory_size = size, .userspace_addr = (uintptr_t)m,
		};
		if (ioctl((int)h, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
			int e = errno;
			munmap(m, size);
			return -e;
		}
		x->mem = m;
		x->mem_size = size;
		return 0;
	}
	case OP_MEM_WRITE: {
		uint64_t gpa = in_u64(in);
		size_t n = in_rest(in);
		unsigned char *p = in_bytes(in, n);
		if (in->bad)
			return -EPROTO;
		if (!(x = handle(h, VM)) || !x->mem)
			return -EBADF;
		if (gpa > x->mem_size || n > x->mem_size - gpa)
			return -EFAULT;
		memcpy((unsigned char *)x->mem + gpa, p, n);
		return 0;
	}
	case OP_MEM_READ: {
		uint64_t gpa = in_u64(in);
		uint32_t n = in_u32(in);
		if (in->bad)
			return -EPROTO;
		if (!(x = handle(h, VM)) || !x->mem)
			return -EBADF;
		if (gpa > x->mem_size || n > x->mem_size - gpa || n > MAX_MESSAGE - 64)
			return -EFAULT;
		out_bytes((unsigned char *)x->mem + gpa, n);
		return 0;
	}
	case OP_MEM_FILL: {
		uint64_t gpa = in_u64(in);
		uint64_t n = in_u64(in);
		uint32_t value = in_u32(in);
		if (in->bad)
			return -EPROTO;
		if (!(x = handle(h, VM)) || !x->mem)
			return -EBADF;
		if (gpa > x->mem_size || n > x->mem_size - gpa)
			return -EFAULT;
		memset((unsigned char *)x->mem + gpa, (int)value, n);
		return 0;
	}
	case OP_CREATE_VCPU: {
		uint32_t id = in_u32(in);
		if (in->bad)
			return -EPROTO;
		if (!handle(h, VM) || kvm_fd < 0)
			return -EBADF;
		int size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
		if (size < 0)
			return -errno;
		int fd = ioctl((int)h, KVM_CREATE_VCPU, (unsigned long)id);
		if (fd < 0)
			return -errno;
		if (fd >= MAX_FDS) {
			close(fd);
			return -EMFILE;
		}
		void *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (run == MAP_FAILED) {
			int e = errno;
			close(fd);
			return -e;
		}
		handles[fd].kind = VCPU;
		handles[fd].vm = (int)h;
		handles[fd].run = run;
		handles[fd].run_size = (size_t)size;
		return fd;
	}
	case OP_SET_MSR_FILTER:
		if (!handle(h, VM))
			return -EBADF;
		return set_msr_filter((int)h, in);
	case OP_SET_MSR_FILTER_NULL:
		if (!handle(h, VM))
			return -EBADF;
		return rc(ioctl((int)h, KVM_X86_SET_MSR_FILTER, NULL));
	case OP_XEN_HVM_CONFIG: {
		/* The blob is always at the wild address: KVM never copies the agent's memory into the guest. */
		struct kvm_xen_hvm_config xen;
		memset(&xen, 0, sizeof(xen));
		xen.msr = in_u32(in);
		xen.blob_size_32 = xen.blob_size_64 = in_u8(in);
		xen.blob_addr_32 = xen.blob_addr_64 = WILD_ADDRESS;
		if (in->bad)
			return -EPROTO;
		if (!handle(h, VM))
			return -EBADF;
		return rc(ioctl((int)h, KVM_XEN_HVM_CONFIG, &xen));
	}
	case OP_CLOSE:
		if (h >= MAX_FDS || handles[h].kind == FREE)
			return -EBADF;
		close_handle((int)h);
		return 0;
	case OP_SET_CPUID: {
		size_t n = in_rest(in);
		unsigned char *p = in_bytes(in, n);
		if (!handle(h, VCPU))
			return -EBADF;
		if (n < sizeof(struct kvm_cpuid2))
			return -EPROTO;
		struct kvm_cpuid2 *c = (struct kvm_cpuid2 *)p;
		if (sizeof(struct kvm_cpuid2) + (size_t)c->nent * sizeof(struct kvm_cpuid_entry2) > n)
			return -EPROTO;
		/* p is unaligned in general: copy to an aligned buffer */
		void *copy = malloc(n);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, p, n);
		int32_t result = rc(ioctl((int)h, KVM_SET_CPUID2, copy));
		free(copy);
		return result;
	}
	case OP_GET_REGS: {
		struct kvm_regs r;
		return vcpu_get(h, KVM_GET_REGS, &r, sizeof(r));
	}
	case OP_SET_REGS: {
		struct kvm_regs r;
		return vcpu_set(h, in, KVM_SET_REGS, &r, sizeof(r));
	}
	case OP_GET_SREGS: {
		struct kvm_sregs r;
		return vcpu_get(h, KVM_GET_SREGS, &r, sizeof(r));
	}
	case OP_SET_SREGS: {
		struct kvm_sregs r;
		return vcpu_set(h, in, KVM_SET_SREGS, &r, sizeof(r));
	}
	case OP_GET_MSRS:
	case OP_SET_MSRS: {
		uint32_t n = in_u32(in);
		if (in->bad || n > 4096)
			return -EINVAL;
		if (!handle(h, VCPU))
			return -EBADF;
		struct kvm_msrs *m = calloc(1, sizeof(*m) + (n + 1) * sizeof(struct kvm_msr_entry));
		if (!m)
			return -ENOMEM;
		m->nmsrs = n;
		for (uint32_t i = 0; i < n; i++) {
			m->entries[i].index = in_u32(in);
			if (op == OP_SET_MSRS)
				m->entries[i].data = in_u64(in);
		}
		if (in->bad) {
			free(m);
			return -EPROTO;
		}
		int r = ioctl((int)h, op == OP_GET_MSRS ? KVM_GET_MSRS : KVM_SET_MSRS, m);
		int32_t result = rc(r);
		if (op == OP_GET_MSRS)
			for (int i = 0; i < r && (uint32_t)i < n; i++)
				out_u64(m->entries[i].data);
		free(m);
		return result;
	}
	case OP_GET_LAPIC: {
		struct kvm_lapic_state r;
		return vcpu_get(h, KVM_GET_LAPIC, &r, sizeof(r));
	}
	case OP_SET_LAPIC: {
		struct kvm_lapic_state r;
		return vcpu_set(h, in, KVM_SET_LAPIC, &r, sizeof(r));
	}
	case OP_SET_MP_STATE: {
		struct kvm_mp_state s = {.mp_state = in_u32(in)};
		if (in->bad)
			return -EPROTO;
		if (!handle(h, VCPU))
			return -EBADF;
		return rc(ioctl((int)h, KVM_SET_MP_STATE, &s));
	}
	case OP_RUN:
		if (!(x = handle(h, VCPU)))
			return -EBADF;
		return run_vcpu(x, (int)h, in);
	case OP_READ_FILE:
		return read_file(in);
	case OP_LIST_DIR:
		return list_dir(in);
	case OP_WRITE_FILE:
		return write_file(in);
	case OP_RUN_PROGRAM:
		return run_program(in);
	case OP_POWEROFF:
		sync();
		reboot(RB_POWER_OFF);
		return -errno;
	default:
		return -ENOSYS;
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: msrconf-agent PORT (the virtio-serial port device, e.g. /dev/vport0p1)\n");
		return 2;
	}
	port = open(argv[1], O_RDWR | O_CLOEXEC);
	if (port < 0)
		die(argv[1]);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;   /* no SA_RESTART: KVM_RUN must return EINTR */
	sigaction(SIGALRM, &sa, NULL);

	const char banner[] = "MSRCONF-AGENT " AGENT_VERSION "\n";
	write_full(banner, sizeof(banner) - 1);

	unsigned char *buf = NULL;
	size_t cap = 0;
	out_reset();
	for (;;) {
		uint32_t header[3];
		if (read_full(header, 12) < 0)
			break;
		uint32_t len = header[0];
		if (len < 8 || len > MAX_MESSAGE) {
			fprintf(stderr, "msrconf-agent: bad message length %u\n", len);
			return 3;
		}
		size_t n = len - 8;
		if (n > cap) {
			buf = realloc(buf, n);
			if (!buf)
				die("realloc");
			cap = n;
		}
		if (n && read_full(buf, n) < 0)
			break;
		struct in in = {.p = buf, .n = n, .at = 0, .bad = 0};
		out_reset();
		int32_t result = dispatch(header[1], header[2], &in);
		respond(result);
	}
	return 0;
}
