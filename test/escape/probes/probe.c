/* probe.c — attempts known sandbox escapes and reports, one line each, how far every attempt got.
 *
 * usage: probe STEP[=ARG] ...
 * Each step runs in a child process, so a filter that kills one attempt (SIGSYS) does not stop the
 * others. One line per step: "<step> ok <value>", "<step> err <ERRNO>" or "<step> sig <SIGNAL>".
 * The probe only tries to gain access; it never writes to what it opened. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define X32_SYSCALL_BIT 0x40000000L
#define I386_KEYCTL 288
#define I386_GETPID 20

static const char *arg; /* the text after "=" in the current step */

static long fail(int err) { errno = err; return -1; }

/* ---- kernel attack surface ---- */

static long io_uring(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	return syscall(SYS_io_uring_setup, 4, &p);
}

/* a process keyring of our own: harmless, and proof that keyctl reached the keyring code */
static long keyctl_native(void) { return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1); }
static long add_key_native(void) { return syscall(SYS_add_key, "user", "nsjail-ts-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING); }
static long request_key_native(void) { return syscall(SYS_request_key, "user", "nsjail-ts-probe-absent", NULL, 0); }

/* the same keyctl through the x32 ABI: the x86_64 number with bit 30 set */
static long keyctl_x32(void) { return syscall(X32_SYSCALL_BIT | SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1); }

/* the same keyctl through the i386 ABI: int 0x80 with the i386 number, arguments in ebx, ecx, edx */
static long int80(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("push %%rbx\n\tmov %2, %%rbx\n\tint $0x80\n\tpop %%rbx"
	                 : "=a"(r) : "a"(nr), "r"(a), "c"(b), "d"(c) : "memory");
	return r < 0 && r > -4096 ? fail((int)-r) : r;
}
static long keyctl_i386(void) { return int80(I386_KEYCTL, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1); }
static long getpid_i386(void) { return int80(I386_GETPID, 0, 0, 0); }

static long bpf_map(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	return syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
}

/* needs no privilege: ENOENT means the call reached the bpf code */
static long bpf_obj_get(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.pathname = (unsigned long)"/nonexistent-bpf-object";
	return syscall(SYS_bpf, BPF_OBJ_GET, &a, sizeof a);
}

static long perf_open(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long uffd(void) { return syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY); }

/* ---- file handles ("shocker") ---- */

struct handle_buf { struct file_handle h; unsigned char bytes[MAX_HANDLE_SZ]; };

static long handle_of(struct handle_buf *hb, int *mount_fd)
{
	int mount_id;
	hb->h.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, arg, &hb->h, &mount_id, 0) < 0)
		return -1;
	*mount_fd = open(arg, O_RDONLY);
	return *mount_fd;
}

/* reopen ARG by its own handle */
static long by_handle(void)
{
	struct handle_buf hb;
	int mfd;
	if (handle_of(&hb, &mfd) < 0)
		return -1;
	return open_by_handle_at(mfd, &hb.h, O_RDONLY);
}

/* forge a handle for inode 2 (the root directory of an ext2/3/4 filesystem) on ARG's filesystem */
static long by_forged_handle(void)
{
	struct handle_buf hb;
	int mfd;
	if (handle_of(&hb, &mfd) < 0)
		return -1;
	hb.h.handle_type = 1; /* FILEID_INO32_GEN */
	hb.h.handle_bytes = 8;
	uint32_t ino_gen[2] = { 2, 0 };
	memcpy(hb.h.f_handle, ino_gen, sizeof ino_gen);
	int fd = open_by_handle_at(mfd, &hb.h, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	return fd;
}

/* ---- the terminal ---- */

static int tty_fd(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd))
			return fd;
	return open("/dev/tty", O_RDWR | O_NOCTTY);
}

/* push ARG into the terminal's input queue; ok = bytes now waiting there */
static long tiocsti(void)
{
	int fd = tty_fd();
	if (fd < 0)
		return -1;
	for (const char *p = arg; *p; p++)
		if (ioctl(fd, TIOCSTI, p) < 0)
			return -1;
	int waiting = 0;
	if (ioctl(fd, FIONREAD, &waiting) < 0)
		return -1;
	tcflush(fd, TCIFLUSH); /* nobody should ever run what was injected */
	return waiting;
}

/* TIOCSTI with junk in the upper half of the request: the kernel uses only the low 32 bits */
static long tiocsti_highbits(void)
{
	int fd = tty_fd();
	if (fd < 0)
		return -1;
	for (const char *p = arg; *p; p++)
		if (syscall(SYS_ioctl, fd, 0x100000000UL | TIOCSTI, p) < 0)
			return -1;
	int waiting = 0;
	ioctl(fd, FIONREAD, &waiting);
	tcflush(fd, TCIFLUSH);
	return waiting;
}

/* TIOCSTI through int 0x80 (i386 ioctl is 54): the character must sit below 4 GiB */
static long tiocsti_i386(void)
{
	int fd = tty_fd();
	if (fd < 0)
		return -1;
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		return -1;
	for (const char *p = arg; *p; p++) {
		*low = *p;
		if (int80(54, fd, TIOCSTI, (long)low) < 0)
			return -1;
	}
	int waiting = 0;
	ioctl(fd, FIONREAD, &waiting);
	tcflush(fd, TCIFLUSH);
	return waiting;
}

/* TIOCL_PASTESEL: paste the console selection as input (on a pty the tty layer answers ENOTTY) */
static long tioclinux(void)
{
	int fd = tty_fd();
	if (fd < 0)
		return -1;
	char sub = 3;
	return ioctl(fd, TIOCLINUX, &sub);
}

/* ---- descriptors and files ---- */

/* every open fd but the directory being listed: "N:type:target" joined by spaces */
static long list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	char out[4096] = "";
	struct dirent *de;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		char link[64], target[256] = "?";
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof target - 1);
		target[n > 0 ? n : 1] = '\0';
		struct stat st;
		const char *type = fstat(fd, &st) < 0 ? "?" : S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file"
		                 : S_ISFIFO(st.st_mode) ? "fifo" : S_ISSOCK(st.st_mode) ? "sock" : S_ISCHR(st.st_mode) ? "chr" : "other";
		size_t len = strlen(out);
		snprintf(out + len, sizeof out - len, "%s%d:%s:%s", len ? " " : "", fd, type, target);
	}
	closedir(d);
	printf("fds %s\n", out);
	return 0;
}

/* open ARG for writing (the program it names is not running in this process) through an O_PATH fd,
 * as in the runc /proc/self/exe overwrite; opens only, never writes */
static long exe_write_via_fd(void)
{
	int fd = open(arg, O_PATH);
	if (fd < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	return open(path, O_WRONLY);
}

static long exe_write(void) { return open(arg, O_WRONLY); }

/* the first line of ARG */
static long read_file(void)
{
	int fd = open(arg, O_RDONLY);
	if (fd < 0)
		return -1;
	char buf[128];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("content %s\n", buf);
	return n;
}

/* open ARG (a device) read-only; nothing is read */
static long open_dev(void) { return open(arg, O_RDONLY | O_NONBLOCK); }

/* ARG is "DIR:MAJOR:MINOR": make that block device node in DIR and open it read-only (nothing is read) */
static long mknod_blk(void)
{
	char dir[400], path[512];
	unsigned maj, min;
	if (sscanf(arg, "%399[^:]:%u:%u", dir, &maj, &min) != 3)
		return fail(EINVAL);
	snprintf(path, sizeof path, "%s/probe-blk-%d", dir, (int)getpid());
	if (mknod(path, S_IFBLK | 0600, makedev(maj, min)) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	int err = errno;
	unlink(path);
	return fd < 0 ? fail(err) : fd;
}

/* create and remove a file in directory ARG */
static long write_in(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/.nsjail-ts-probe-%d", arg, (int)getpid());
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* ---- mounts ---- */

static long remount_rw(void) { return mount(NULL, arg, NULL, MS_REMOUNT | MS_BIND, NULL); }
static long unmount(void) { return umount2(arg, MNT_DETACH); }

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int err = errno;
	close(fd);
	return n < 0 ? (int)fail(err) : 0;
}

/* a new user namespace of our own, where we are root with every capability */
static long enter_userns(int flags)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	if (unshare(CLONE_NEWUSER | flags) < 0)
		return -1;
	snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
	if (write_text("/proc/self/uid_map", map) < 0 || write_text("/proc/self/setgroups", "deny") < 0)
		return -1;
	snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
	return write_text("/proc/self/gid_map", map);
}

static long userns(void) { return enter_userns(0); }
static long userns_remount(void) { return enter_userns(CLONE_NEWNS) < 0 ? -1 : remount_rw(); }
static long userns_unmount(void) { return enter_userns(CLONE_NEWNS) < 0 ? -1 : unmount(); }
static long userns_hostname(void) { return enter_userns(0) < 0 ? -1 : sethostname(arg, strlen(arg)); }

/* the classic breakout: chroot into a subdirectory, climb past the new root, chroot to where we stand;
 * ok when the host path ARG is then visible */
static long chroot_escape(void)
{
	char dir[] = "/tmp/nsjail-ts-chroot-XXXXXX";
	if (!mkdtemp(dir))
		return -1;
	if (chroot(dir) < 0)
		return -1;
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			return -1;
	if (chroot(".") < 0)
		return -1;
	return access(arg, F_OK) < 0 ? -1 : 1;
}

/* ---- processes ---- */

static long do_ptrace(void)
{
	pid_t pid = atoi(arg);
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
		return -1;
	waitpid(pid, NULL, __WALL);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return 0;
}

static long proc_mem(void)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%s/mem", arg);
	return open(path, O_RDWR);
}

static long signal0(void) { return kill(atoi(arg), 0); }
static long sigterm(void) { return kill(atoi(arg), SIGTERM); }

/* ---- network ---- */

static long tcp(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return s < 0 ? -1 : connect(s, (struct sockaddr *)&a, sizeof a);
}

static long abstract_unix(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(arg);
	if (s < 0 || n + 1 > sizeof a.sun_path)
		return -1;
	memcpy(a.sun_path + 1, arg, n); /* sun_path[0] == 0: the abstract namespace */
	/* the whole zero-padded sun_path is the name, as Node's listener binds it */
	return connect(s, (struct sockaddr *)&a, sizeof a);
}

/* ---- host-wide state ---- */

/* set the clock to what it already reads: any success is the privilege, not the change */
static long settime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return clock_settime(CLOCK_REALTIME, &ts);
}

/* set the kernel's timezone to its current value */
static long settz(void)
{
	struct timeval tv;
	struct timezone tz;
	gettimeofday(&tv, &tz);
	return syscall(SYS_settimeofday, NULL, &tz);
}

static long set_hostname(void) { return sethostname(arg, strlen(arg)); }

/* ---- identity ---- */

/* ids and capability sets as the kernel reports them */
static long status(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256], out[1024] = "";
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "Uid:", 4) && strncmp(line, "Cap", 3) && strncmp(line, "NoNewPrivs:", 11) && strncmp(line, "Seccomp:", 8))
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (char *p = line; *p; p++)
			if (*p == '\t')
				*p = ' ';
		size_t len = strlen(out);
		snprintf(out + len, sizeof out - len, "%s%s", len ? ";" : "", line);
	}
	fclose(f);
	printf("status %s\n", out);
	return 0;
}

struct step { const char *name; long (*fn)(void); };
static const struct step steps[] = {
	{ "io_uring", io_uring }, { "keyctl", keyctl_native }, { "add_key", add_key_native },
	{ "request_key", request_key_native }, { "keyctl-x32", keyctl_x32 }, { "keyctl-i386", keyctl_i386 },
	{ "getpid-i386", getpid_i386 }, { "bpf-map", bpf_map }, { "bpf-obj-get", bpf_obj_get },
	{ "perf_event_open", perf_open }, { "userfaultfd", uffd }, { "by-handle", by_handle },
	{ "by-forged-handle", by_forged_handle }, { "tiocsti", tiocsti }, { "tiocsti-highbits", tiocsti_highbits },
	{ "tiocsti-i386", tiocsti_i386 }, { "tioclinux", tioclinux },
	{ "fds", list_fds }, { "exe-write", exe_write }, { "open-write", exe_write }, { "exe-write-via-fd", exe_write_via_fd },
	{ "read", read_file }, { "open-dev", open_dev }, { "mknod-blk", mknod_blk },
	{ "write-in", write_in }, { "remount", remount_rw }, { "umount", unmount }, { "userns", userns },
	{ "userns-remount", userns_remount }, { "userns-umount", userns_unmount },
	{ "userns-hostname", userns_hostname }, { "chroot-escape", chroot_escape }, { "ptrace", do_ptrace },
	{ "proc-mem", proc_mem }, { "signal0", signal0 }, { "sigterm", sigterm }, { "tcp", tcp },
	{ "abstract", abstract_unix }, { "settime", settime }, { "settz", settz }, { "sethostname", set_hostname },
	{ "status", status },
};

static void run(const char *spec)
{
	char name[64];
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
	snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), spec);
	arg = eq ? eq + 1 : "";
	const struct step *s = NULL;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (!strcmp(steps[i].name, name))
			s = &steps[i];
	if (!s) {
		printf("%s unknown\n", name);
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		printf("%s fork-failed %s\n", name, strerrorname_np(errno));
		return;
	}
	if (pid == 0) {
		errno = 0;
		long r = s->fn();
		if (r >= 0)
			printf("%s ok %ld\n", name, r);
		else
			printf("%s err %s\n", name, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
		fflush(stdout);
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		printf("%s sig %s\n", name, sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++)
		run(argv[i]);
	return 0;
}
