/*
 * forkrun - run tcum commands as forks of one process, so that `make
 * valgrind` pays valgrind's start-up (about 0.4 s of CPU) once rather than
 * once per golden case.
 *
 *   forkrun --serve SOCKET               under valgrind: serve on SOCKET
 *   FORKRUN_SOCKET=SOCKET forkrun ARG... run `tcum ARG...` in that server
 *
 * The client passes its standard input, output and error (the descriptors
 * themselves), its directory, umask, SIGPIPE disposition and environment to
 * the server, which forks; the child sets them up and calls tcum's main, so
 * it runs exactly as `valgrind tcum ARG...` would, with the same program
 * code, but translated once.  Memcheck checks each child at its exit: leaks
 * and errors give the child valgrind's --error-exitcode, and with
 * --log-file=...%p each child's report has its own file.  The server sends
 * back the child's wait status; the client exits with it, or dies of the
 * same signal, so the test's shell sees what it would have seen.
 *
 * The server allocates nothing and runs no tcum code before it forks, so
 * each child starts as a fresh tcum process would.  SIGTERM stops it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int tcum_main(int argc, char **argv);

extern char **environ;

enum {
    MAX_REQUEST = 1 << 20, /* directory, arguments and environment */
    MAX_STRINGS = 8192,    /* arguments and environment entries */
    MAX_RUNNING = 64,      /* commands in flight */
    CHILD_TIMEOUT = 600,   /* seconds: a hung case fails, the server goes on */
};

static void die(const char *what)
{
    fprintf(stderr, "forkrun: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

static int unix_socket(const char *path, struct sockaddr_un *a)
{
    size_t n = strlen(path);
    if (n >= sizeof a->sun_path) {
        errno = ENAMETOOLONG;
        die(path);
    }
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path, path, n + 1);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0)
        die("socket");
    return s;
}

/* ---- client ---------------------------------------------------------- */

/*
 * Request: a uint32 length with the descriptors in its control message,
 * then the payload: a byte mask of which of 0, 1, 2 are open, the umask, 1
 * if SIGPIPE is ignored, then NUL-terminated strings: the directory, the
 * argument count and the arguments, the environment.
 */
static char req[MAX_REQUEST];
static size_t reqlen;

static void put(const char *s)
{
    size_t n = strlen(s) + 1;
    if (reqlen + n > sizeof req) {
        fprintf(stderr, "forkrun: command too long\n");
        exit(2);
    }
    memcpy(req + reqlen, s, n);
    reqlen += n;
}

static int client(const char *path, int argc, char **argv)
{
    struct sockaddr_un a;
    int s = unix_socket(path, &a);
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0)
        die(path);

    int fds[3], nfd = 0;
    char mask = 0;
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) >= 0) {
            fds[nfd++] = fd;
            mask |= (char)(1 << fd);
        }
    mode_t um = umask(0);
    umask(um);
    struct sigaction sa;
    sigaction(SIGPIPE, NULL, &sa);
    char num[32];
    req[reqlen++] = mask;
    snprintf(num, sizeof num, "%o", (unsigned)um);
    put(num);
    put(sa.sa_handler == SIG_IGN ? "1" : "0");
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        die("getcwd");
    put(cwd);
    snprintf(num, sizeof num, "%d", argc);
    put(num);
    for (int i = 0; i < argc; i++)
        put(argv[i]);
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "FORKRUN_SOCKET=", 15))
            put(*e);

    uint32_t len = (uint32_t)reqlen;
    struct iovec iov = {&len, sizeof len};
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(3 * sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (nfd > 0) {
        m.msg_control = ctl.b;
        m.msg_controllen = CMSG_SPACE((size_t)nfd * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN((size_t)nfd * sizeof(int));
        memcpy(CMSG_DATA(c), fds, (size_t)nfd * sizeof(int));
    }
    if (sendmsg(s, &m, 0) != (ssize_t)sizeof len || write_all(s, req, reqlen) < 0)
        die("send");

    int32_t st;
    if (read_all(s, &st, sizeof st) < 0) {
        fprintf(stderr, "forkrun: the server went away\n");
        return 2;
    }
    if (WIFSIGNALED(st)) {
        /* Die of the same signal, as the shell expects of tcum. */
        int sig = WTERMSIG(st);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        return 128 + sig;
    }
    return WEXITSTATUS(st);
}

/* ---- server ---------------------------------------------------------- */

static int wake[2]; /* self-pipe: SIGCHLD and SIGTERM end the poll */
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    int e = errno;
    if (sig == SIGTERM || sig == SIGINT)
        stopping = 1;
    (void)!write(wake[1], "x", 1);
    errno = e;
}

static struct {
    pid_t pid;
    int conn;
} running[MAX_RUNNING];

/* In the child: become the client's tcum and never return. */
static void become(int conn, const int *fds, char mask, char *p, char *end)
{
    static char *args[MAX_STRINGS + 1], *env[MAX_STRINGS + 1];
    char *umask_s = p;
    p += strlen(p) + 1;
    int ign_pipe = p[0] == '1';
    p += strlen(p) + 1;
    char *dir = p;
    p += strlen(p) + 1;
    long argc = strtol(p, NULL, 10);
    p += strlen(p) + 1;
    if (argc < 1 || argc > MAX_STRINGS)
        _exit(97);
    for (int i = 0; i < argc; i++) {
        if (p >= end)
            _exit(97);
        args[i] = p;
        p += strlen(p) + 1;
    }
    args[argc] = NULL;
    int ne = 0;
    while (p < end && ne < MAX_STRINGS) {
        env[ne++] = p;
        p += strlen(p) + 1;
    }
    env[ne] = NULL;

    /* The client's descriptors as 0, 1, 2; nothing else of the server's. */
    int k = 0, mine[3] = {-1, -1, -1};
    for (int fd = 0; fd < 3; fd++)
        if (mask & (1 << fd))
            mine[fd] = fds[k++];
    for (int fd = 0; fd < 3; fd++) {
        if (mine[fd] < 0) {
            close(fd);
            continue;
        }
        /* Move any received descriptor that sits on 0..2 out of the way first. */
        for (int j = fd + 1; j < 3; j++)
            if (mine[j] == fd && (mine[j] = dup(fd)) < 0)
                _exit(97);
        if (mine[fd] != fd) {
            if (dup2(mine[fd], fd) < 0)
                _exit(97);
            close(mine[fd]);
        } else {
            fcntl(fd, F_SETFD, 0);
        }
    }
    close(conn);
    for (int i = 0; i < MAX_RUNNING; i++)
        if (running[i].pid)
            close(running[i].conn);
    close(wake[0]);
    close(wake[1]);

    signal(SIGCHLD, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, ign_pipe ? SIG_IGN : SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    umask((mode_t)strtoul(umask_s, NULL, 8));
    if (chdir(dir) < 0)
        _exit(97);
    environ = env;
    alarm(CHILD_TIMEOUT);
    exit(tcum_main((int)argc, args));
}

static void serve_one(int ls)
{
    int conn = accept(ls, NULL, NULL);
    if (conn < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return;
        die("accept");
    }
    fcntl(conn, F_SETFD, FD_CLOEXEC);
    int slot = -1;
    for (int i = 0; i < MAX_RUNNING; i++)
        if (!running[i].pid) {
            slot = i;
            break;
        }

    static char payload[MAX_REQUEST];
    uint32_t len = 0;
    int fds[3] = {-1, -1, -1}, nfd = 0;
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(3 * sizeof(int))];
    } ctl;
    struct iovec iov = {&len, sizeof len};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.b;
    m.msg_controllen = sizeof ctl.b;
    ssize_t r;
    do
        r = recvmsg(conn, &m, 0);
    while (r < 0 && errno == EINTR);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); r > 0 && c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            if (nfd > 3)
                nfd = 3;
            memcpy(fds, CMSG_DATA(c), (size_t)nfd * sizeof(int));
        }
    int ok = r == (ssize_t)sizeof len && len >= 1 && len <= sizeof payload &&
             read_all(conn, payload, len) == 0 && payload[len - 1] == '\0' && slot >= 0;
    char mask = ok ? payload[0] : 0;
    int want = (mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1);
    pid_t pid = ok && want == nfd ? fork() : -1;
    if (pid == 0)
        become(conn, fds, mask, payload + 1, payload + len);
    for (int i = 0; i < nfd; i++)
        close(fds[i]);
    if (pid < 0) {
        int32_t st = 97 << 8; /* a status the test reports as a failure */
        (void)!write_all(conn, &st, sizeof st);
        close(conn);
        return;
    }
    running[slot].pid = pid;
    running[slot].conn = conn;
}

/* A command ended: its wait status goes to its client. */
static void report(pid_t pid, int st)
{
    for (int i = 0; i < MAX_RUNNING; i++)
        if (running[i].pid == pid) {
            int32_t s = st;
            (void)!write_all(running[i].conn, &s, sizeof s);
            close(running[i].conn);
            running[i].pid = 0;
        }
}

static void reap(void)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        report(pid, st);
}

static int serve(const char *path)
{
    struct sockaddr_un a;
    int ls = unix_socket(path, &a);
    unlink(path);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, MAX_RUNNING) < 0)
        die(path);
    fcntl(ls, F_SETFD, FD_CLOEXEC);
    if (pipe(wake) < 0)
        die("pipe");
    fcntl(wake[0], F_SETFL, O_NONBLOCK);
    fcntl(wake[1], F_SETFL, O_NONBLOCK);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* A client that went away must not kill the server. */
    signal(SIGPIPE, SIG_IGN);

    while (!stopping) {
        struct pollfd p[2] = {{ls, POLLIN, 0}, {wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            die("poll");
        if (p[1].revents & POLLIN) {
            char b[64];
            while (read(wake[0], b, sizeof b) > 0)
                ;
        }
        reap();
        if (!stopping && (p[0].revents & POLLIN))
            serve_one(ls);
    }
    /* Let the commands in flight finish, then stop. */
    for (;;) {
        int any = 0;
        for (int i = 0; i < MAX_RUNNING; i++)
            any |= running[i].pid != 0;
        if (!any)
            break;
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0 && errno != EINTR)
            break;
        if (pid > 0)
            report(pid, st);
    }
    close(ls);
    close(wake[0]);
    close(wake[1]);
    unlink(path);
    return 0;
}

int main(int argc, char **argv)
{
    const char *sock = getenv("FORKRUN_SOCKET");
    if (argc == 3 && !strcmp(argv[1], "--serve"))
        return serve(argv[2]);
    if (sock && *sock)
        return client(sock, argc, argv);
    fprintf(stderr, "usage: forkrun --serve SOCKET | FORKRUN_SOCKET=SOCKET forkrun [ARG...]\n");
    return 2;
}
