/*
 * milt_sandbox.c - what a worker locks itself into once it has loaded
 * everything (see milt_worker.c)
 *
 *  1. resource limits: address space (WorkerMemory; not in sanitizer
 *     builds, whose shadow memory alone is terabytes), CPU time (set per
 *     message by milt_sandbox_cpu), 64 open files, no new processes, no
 *     core files (they would hold mail)
 *  2. not dumpable (no ptrace by other processes of the same user), no new
 *     privileges
 *  3. Landlock, where the kernel has it: files may only be read, and only
 *     under the few trees a worker reads (time zones, iconv modules, the
 *     loader's cache)
 *  4. seccomp (libseccomp): an allow-list of system calls. No execve, no
 *     socket, no fork; write only to the channel and stderr; open only
 *     without write, create or truncate flags; no new executable memory
 *     except a read-only file mapped by the loader (an iconv module loaded
 *     on demand). Anything else traps: the worker names the call on stderr
 *     and dies with SIGSYS, which the daemon logs as a crash.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "milt_work.h"

#define SANDBOX_NOFILE 64

/* system calls a worker makes that take no argument worth checking */
static const int sandbox_plain[] = {
    SCMP_SYS(read),         SCMP_SYS(pread64),
    SCMP_SYS(readv),        SCMP_SYS(lseek),
    SCMP_SYS(close),        SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),   SCMP_SYS(stat),
    SCMP_SYS(lstat),        SCMP_SYS(statx),
    SCMP_SYS(getdents64),   SCMP_SYS(access),
    SCMP_SYS(faccessat),    SCMP_SYS(faccessat2),
    SCMP_SYS(readlink),     SCMP_SYS(readlinkat),
    SCMP_SYS(fcntl),        SCMP_SYS(brk),
    SCMP_SYS(munmap),       SCMP_SYS(mremap),
    SCMP_SYS(madvise),      SCMP_SYS(futex),
    SCMP_SYS(getpid),       SCMP_SYS(gettid),
    SCMP_SYS(getuid),       SCMP_SYS(geteuid),
    SCMP_SYS(getgid),       SCMP_SYS(getegid),
    SCMP_SYS(getrandom),    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday),
    SCMP_SYS(time),         SCMP_SYS(getrusage),
    SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigaction), SCMP_SYS(sigaltstack),
    SCMP_SYS(sched_yield),  SCMP_SYS(restart_syscall),
    SCMP_SYS(exit),         SCMP_SYS(exit_group),
    SCMP_SYS(uname),        SCMP_SYS(getcwd),
};

/* flags that would let open(2) change something */
#define SANDBOX_OPEN_WRITE                                                     \
	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_TMPFILE)

/* sandbox_limit - both limits of one resource */
static int
sandbox_limit(int resource, rlim_t v)
{
	struct rlimit rl = {v, v};

	return setrlimit(resource, &rl);
}

/* sandbox_rlimits - step 1 */
static int
sandbox_rlimits(const struct milt_sandbox *sb, char *err, size_t errlen)
{
	struct rlimit cpu = {RLIM_INFINITY, RLIM_INFINITY};
	const char *what = NULL;

	if (sb->mem > 0 && sandbox_limit(RLIMIT_AS, sb->mem) != 0)
		what = "RLIMIT_AS";
	else if (setrlimit(RLIMIT_CPU, &cpu) != 0)
		what = "RLIMIT_CPU";
	else if (sandbox_limit(RLIMIT_NOFILE, SANDBOX_NOFILE) != 0)
		what = "RLIMIT_NOFILE";
	else if (sandbox_limit(RLIMIT_NPROC, 0) != 0)
		what = "RLIMIT_NPROC";
	else if (sandbox_limit(RLIMIT_CORE, 0) != 0)
		what = "RLIMIT_CORE";
	if (what != NULL) {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

void
milt_sandbox_cpu(unsigned seconds)
{
	struct rusage ru;
	struct rlimit rl;

	if (getrusage(RUSAGE_SELF, &ru) != 0 || getrlimit(RLIMIT_CPU, &rl) != 0)
		return;
	rl.rlim_cur = (rlim_t)ru.ru_utime.tv_sec + (rlim_t)ru.ru_stime.tv_sec +
	              seconds + 2;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_CPU, &rl);
}

/* ---- Landlock -------------------------------------------------------------
 */

/* sandbox_gconv_dir - the directory of a loaded iconv module, into buf */
static int
sandbox_find_gconv(struct dl_phdr_info *info, size_t size, void *data)
{
	char *buf = data, *slash;
	const char *name = info->dlpi_name;

	(void)size;
	if (name == NULL || strstr(name, "/gconv/") == NULL)
		return 0;
	snprintf(buf, 4096, "%s", name);
	slash = strrchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	return 1;
}

/* sandbox_landlock_rule - read access beneath path (absent paths are fine) */
static void
sandbox_landlock_rule(int ruleset, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = access};

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return;
	(void)syscall(SYS_landlock_add_rule, ruleset,
	              LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
}

/* sandbox_landlock - step 3; 0 also when the kernel has no Landlock */
static int
sandbox_landlock(char *err, size_t errlen)
{
	const uint64_t rd =
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	struct landlock_ruleset_attr ra = {0};
	char gconv[4096] = "";
	long abi;
	int fd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	              LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0; /* not in this kernel: seccomp still applies */
	ra.handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
	if (abi >= 2)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	fd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (fd < 0) {
		snprintf(err, errlen, "landlock: %s", strerror(errno));
		return -1;
	}
	(void)dl_iterate_phdr(sandbox_find_gconv, gconv);
	if (gconv[0] != '\0')
		sandbox_landlock_rule(fd, gconv, rd);
	sandbox_landlock_rule(fd, "/usr/share/zoneinfo", rd);
	sandbox_landlock_rule(fd, "/etc/localtime",
	                      LANDLOCK_ACCESS_FS_READ_FILE);
	sandbox_landlock_rule(fd, "/etc/ld.so.cache",
	                      LANDLOCK_ACCESS_FS_READ_FILE);
	if (syscall(SYS_landlock_restrict_self, fd, 0) != 0) {
		snprintf(err, errlen, "landlock: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* ---- seccomp ---------------------------------------------------------------
 */

/* sandbox_sigsys - name the refused call, then die of SIGSYS */
static void
sandbox_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[96] = "calmilter worker: system call ";
	size_t n = strlen(line);
	char digits[16];
	int nr = si->si_syscall, d = 0;

	(void)uc;
	do
		digits[d++] = (char)('0' + nr % 10);
	while ((nr /= 10) > 0 && d < (int)sizeof(digits));
	while (d > 0)
		line[n++] = digits[--d];
	memcpy(line + n, " refused by the sandbox\n", 24);
	(void)!write(STDERR_FILENO, line, n + 24);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* struct sandbox_rule - a call allowed when its arguments compare so */
struct sandbox_rule {
	int sys;
	unsigned n;
	struct scmp_arg_cmp arg[2];
};

/* sandbox_rules - the allow-list into ctx; 0 or a negative errno */
static int
sandbox_rules(scmp_filter_ctx ctx, int channel)
{
	const scmp_datum_t me = (scmp_datum_t)getpid(), fd = (unsigned)channel;
	const struct sandbox_rule rules[] = {
	    {SCMP_SYS(write), 1, {SCMP_A0(SCMP_CMP_EQ, fd)}},
	    {SCMP_SYS(write), 1, {SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO)}},
	    {SCMP_SYS(writev), 1, {SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO)}},
	    {SCMP_SYS(openat),
	     1,
	     {SCMP_A2(SCMP_CMP_MASKED_EQ, SANDBOX_OPEN_WRITE, 0)}},
	    {SCMP_SYS(open),
	     1,
	     {SCMP_A1(SCMP_CMP_MASKED_EQ, SANDBOX_OPEN_WRITE, 0)}},
	    {SCMP_SYS(mmap), 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
	    /* code only from a file, never writable: an iconv module */
	    {SCMP_SYS(mmap),
	     2,
	     {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE, 0),
	      SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, 0)}},
	    {SCMP_SYS(mprotect),
	     1,
	     {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
	    {SCMP_SYS(tgkill), 1, {SCMP_A0(SCMP_CMP_EQ, me)}}, /* abort() */
	    {SCMP_SYS(kill), 1, {SCMP_A0(SCMP_CMP_EQ, me)}},
	    {SCMP_SYS(prlimit64), /* getrlimit */
	     2,
	     {SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A2(SCMP_CMP_EQ, 0)}},
	    {SCMP_SYS(prlimit64), /* milt_sandbox_cpu */
	     2,
	     {SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, RLIMIT_CPU)}},
	};
	size_t i;
	int r = 0;

	for (i = 0; i < sizeof(sandbox_plain) / sizeof(*sandbox_plain) && !r;
	     i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sandbox_plain[i], 0);
	for (i = 0; i < sizeof(rules) / sizeof(*rules) && !r; i++)
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rules[i].sys,
		                           rules[i].n, rules[i].arg);
	if (r == 0) /* isatty() and friends: not a terminal, not a crash */
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY),
		                     SCMP_SYS(ioctl), 0);
	return r;
}

/* sandbox_seccomp - step 4 */
static int
sandbox_seccomp(int channel, char *err, size_t errlen)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	(void)sigaction(SIGSYS, &sa, NULL);
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	r = sandbox_rules(ctx, channel);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r != 0) {
		snprintf(err, errlen, "seccomp: %s", strerror(-r));
		return -1;
	}
	return 0;
}

int
milt_sandbox_enter(const struct milt_sandbox *sb, char *err, size_t errlen)
{
	if (sandbox_rlimits(sb, err, errlen) != 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "prctl: %s", strerror(errno));
		return -1;
	}
	if (sandbox_landlock(err, errlen) != 0)
		return -1;
	return sandbox_seccomp(sb->channel, err, errlen);
}
