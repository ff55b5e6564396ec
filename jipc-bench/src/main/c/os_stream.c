/*
 * os_stream: the C baseline of the operating-system stream benchmarks (jipc.bench.os.StreamBenchmark): pipes,
 * FIFOs, AF_UNIX stream sockets and TCP loopback, measured with plain read(2)/write(2) between two processes.
 * The Java peer (jipc.bench.os.StreamPeer) takes the same arguments and writes the same files.
 *
 * usage: os_stream TRANSPORT ENDPOINT a|b OUTDIR ITEM...
 *   TRANSPORT ENDPOINT
 *     fds  -      the harness placed the ends: fd 3 reads from the other side, fd 4 writes to it (two pipes)
 *     fifo DIR    DIR/ab carries a -> b, DIR/ba carries b -> a (made by the harness); each writer sets the
 *                 FIFO's capacity to PIPE_SIZE (an argument of the item list, below) after opening it
 *     unix PATH   side b binds and listens on PATH, then writes PATH.ready; side a connects once that exists
 *     tcp  FILE   side b listens on 127.0.0.1, port 0, and writes the port to FILE; side a connects to it;
 *                 TCP_NODELAY on both ends
 *   ITEM, run in order by both sides:
 *     pipesize:BYTES            FIFOs only: the capacity each writer asks for with F_SETPIPE_SZ (0: leave it)
 *     lat:SIZE:WARMUP:ROUNDS    ping-pong: a writes SIZE bytes, b reads them all and writes them back, a reads
 *                               them all; a writes ROUNDS round-trip times (int64 ns, CLOCK_MONOTONIC, native
 *                               byte order) to OUTDIR/lat-SIZE.samples
 *     tp:SIZE:WARMUP:COUNT      a writes WARMUP + COUNT messages of SIZE bytes, each starting with its sequence
 *                               number (int64, when SIZE >= 8); b reads them (at most the rest of the current
 *                               message per read(2)), checks every sequence number and the byte count, and
 *                               writes "messages bytes elapsed_ns cpu_ns" of the COUNT measured messages to
 *                               OUTDIR/tp-SIZE.b; a writes "messages cpu_ns" of its measured writes to OUTDIR/tp-SIZE.a
 *                               (cpu = CLOCK_PROCESS_CPUTIME_ID, user + system)
 *     crew:SIZE                 the last item: a jipc.bench.Crew member from here on. It prints "ready", then per
 *                               "run COUNT" line on stdin a writes COUNT messages of SIZE bytes and b reads and
 *                               checks them (sequence numbers go on across blocks), and each prints
 *                               "done T0 T1 CPU COUNT 0 0" (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID); "quit" or the
 *                               end of stdin ends it
 * Both sides read and write through one page-aligned buffer (the Java peer aligns its direct buffer the same way).
 * exit: 0 done, 2 usage, 1 a system call failed or the data was wrong (message on stderr).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "crew.h"

#define CONNECT_TIMEOUT_NS (30LL * 1000000000LL)

static int in_fd = -1;
static int out_fd = -1;
static int pipe_size = 0;

static void die(const char *what) {
    fprintf(stderr, "os_stream: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void fail(const char *message) {
    fprintf(stderr, "os_stream: %s\n", message);
    exit(1);
}

static int64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void write_fully(int fd, const char *buffer, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, buffer, length);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("write");
        }
        buffer += n;
        length -= (size_t) n;
    }
}

static void read_fully(int fd, char *buffer, size_t length) {
    while (length > 0) {
        ssize_t n = read(fd, buffer, length);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("read");
        }
        if (n == 0) {
            fail("read: end of stream before the message was complete");
        }
        buffer += n;
        length -= (size_t) n;
    }
}

static void sleep_a_millisecond(void) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

static FILE *open_output(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        die(path);
    }
    return f;
}

static int open_fifo(const char *dir, const char *name, int flags) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        die(path);
    }
    if ((flags & O_WRONLY) && pipe_size > 0 && fcntl(fd, F_SETPIPE_SZ, pipe_size) < 0) {
        die("fcntl F_SETPIPE_SZ");
    }
    return fd;
}

static void no_delay(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        die("setsockopt TCP_NODELAY");
    }
}

/* Waits for the file side b writes once it listens; returns its first line's number (the TCP port or 0). */
static long await_ready(const char *file) {
    int64_t deadline = now_ns(CLOCK_MONOTONIC) + CONNECT_TIMEOUT_NS;
    for (;;) {
        FILE *f = fopen(file, "r");
        if (f != NULL) {
            long value = -1;
            int ok = fscanf(f, "%ld", &value);
            fclose(f);
            if (ok == 1) {
                return value;
            }
        }
        if (now_ns(CLOCK_MONOTONIC) > deadline) {
            fail("side b did not get ready in 30 s");
        }
        sleep_a_millisecond();
    }
}

/* Writes VALUE to FILE through a temporary name and rename(2), so the reader never sees half a line. */
static void publish(const char *file, long value) {
    char temporary[4104];
    snprintf(temporary, sizeof temporary, "%s.tmp", file);
    FILE *f = fopen(temporary, "w");
    if (f == NULL) {
        die(temporary);
    }
    fprintf(f, "%ld\n", value);
    if (fclose(f) != 0 || rename(temporary, file) != 0) {
        die("publish");
    }
}

static void connect_socket(const char *transport, const char *endpoint, int side_a) {
    int tcp = strcmp(transport, "tcp") == 0;
    char ready[4096];
    snprintf(ready, sizeof ready, tcp ? "%s" : "%s.ready", endpoint);
    int fd;
    if (side_a) {
        long port = await_ready(ready);
        fd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            die("socket");
        }
        int r;
        if (tcp) {
            struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            r = connect(fd, (struct sockaddr *) &address, sizeof address);
        } else {
            struct sockaddr_un address = {.sun_family = AF_UNIX};
            snprintf(address.sun_path, sizeof address.sun_path, "%s", endpoint);
            r = connect(fd, (struct sockaddr *) &address, sizeof address);
        }
        if (r < 0) {
            die("connect");
        }
    } else {
        int server = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (server < 0) {
            die("socket");
        }
        long port = 0;
        if (tcp) {
            struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            socklen_t length = sizeof address;
            if (bind(server, (struct sockaddr *) &address, sizeof address) < 0) {
                die("bind");
            }
            if (getsockname(server, (struct sockaddr *) &address, &length) < 0) {
                die("getsockname");
            }
            port = ntohs(address.sin_port);
        } else {
            struct sockaddr_un address = {.sun_family = AF_UNIX};
            if (strlen(endpoint) >= sizeof address.sun_path) {
                fail("unix socket path too long");
            }
            snprintf(address.sun_path, sizeof address.sun_path, "%s", endpoint);
            if (bind(server, (struct sockaddr *) &address, sizeof address) < 0) {
                die("bind");
            }
        }
        if (listen(server, 1) < 0) {
            die("listen");
        }
        publish(ready, port);
        do {
            fd = accept4(server, NULL, NULL, SOCK_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            die("accept");
        }
        close(server);
    }
    if (tcp) {
        no_delay(fd);
    }
    in_fd = fd;
    out_fd = fd;
}

static void latency(int side_a, const char *outdir, long size, long warmup, long rounds, char *buffer) {
    if (!side_a) {
        for (long i = 0; i < warmup + rounds; i++) {
            read_fully(in_fd, buffer, (size_t) size);
            write_fully(out_fd, buffer, (size_t) size);
        }
        return;
    }
    int64_t *samples = malloc(sizeof(int64_t) * (size_t) (rounds > 0 ? rounds : 1));
    if (samples == NULL) {
        fail("out of memory for samples");
    }
    for (long i = 0; i < warmup + rounds; i++) {
        if (size >= 8) {
            memcpy(buffer, &i, sizeof i);
        }
        int64_t start = now_ns(CLOCK_MONOTONIC);
        write_fully(out_fd, buffer, (size_t) size);
        read_fully(in_fd, buffer, (size_t) size);
        int64_t end = now_ns(CLOCK_MONOTONIC);
        if (i >= warmup) {
            samples[i - warmup] = end - start;
        }
        long echoed = i;
        if (size >= 8) {
            memcpy(&echoed, buffer, sizeof echoed);
        }
        if (echoed != i) {
            fail("latency: the echo is not the message sent");
        }
    }
    char name[64];
    snprintf(name, sizeof name, "lat-%ld.samples", size);
    FILE *f = open_output(outdir, name);
    if (fwrite(samples, sizeof(int64_t), (size_t) rounds, f) != (size_t) rounds || fclose(f) != 0) {
        die("write samples");
    }
    free(samples);
}

static void throughput(int side_a, const char *outdir, long size, long warmup, long count, char *buffer) {
    char name[64];
    snprintf(name, sizeof name, "tp-%ld.%s", size, side_a ? "a" : "b");
    if (side_a) {
        int64_t cpu0 = 0;
        for (long i = 0; i < warmup + count; i++) {
            if (i == warmup) {
                cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
            }
            if (size >= 8) {
                memcpy(buffer, &i, sizeof i);
            }
            write_fully(out_fd, buffer, (size_t) size);
        }
        int64_t cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        FILE *f = open_output(outdir, name);
        fprintf(f, "%ld %lld\n", count, (long long) cpu);
        if (fclose(f) != 0) {
            die("write result");
        }
        return;
    }
    /* Reads at most the rest of the current message per read(2), so no read takes bytes of the next item. */
    long long bytes = 0;
    int64_t start = 0, cpu0 = 0;
    for (long i = 0; i < warmup + count; i++) {
        if (i == warmup) {
            start = now_ns(CLOCK_MONOTONIC);
            cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
            bytes = 0;
        }
        long got = 0;
        while (got < size) {
            ssize_t n = read(in_fd, buffer + got, (size_t) (size - got));
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                die("read");
            }
            if (n == 0) {
                fail("throughput: end of stream before the last message");
            }
            got += n;
        }
        bytes += got;
        long sequence = i;
        if (size >= 8) {
            memcpy(&sequence, buffer, sizeof sequence);
        }
        if (sequence != i) {
            fprintf(stderr, "os_stream: throughput: message %ld carries sequence number %ld\n", i, sequence);
            exit(1);
        }
    }
    int64_t elapsed = now_ns(CLOCK_MONOTONIC) - start;
    int64_t cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    if (bytes != (long long) count * size) {
        fail("throughput: byte count differs from messages * size");
    }
    FILE *f = open_output(outdir, name);
    fprintf(f, "%ld %lld %lld %lld\n", count, bytes, (long long) elapsed, (long long) cpu);
    if (fclose(f) != 0) {
        die("write result");
    }
}

/* The crew:SIZE item: blocks of COUNT messages on demand (see the header). */
static void crew(int side_a, long size, char *buffer) {
    long next = 0;
    crew_ready();
    long count;
    while ((count = crew_next_block("os_stream")) >= 0) {
        int64_t t0 = now_ns(CLOCK_MONOTONIC);
        int64_t cpu0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < count; i++, next++) {
            if (side_a) {
                if (size >= 8) {
                    memcpy(buffer, &next, sizeof next);
                }
                write_fully(out_fd, buffer, (size_t) size);
            } else {
                read_fully(in_fd, buffer, (size_t) size);
                long sequence = next;
                if (size >= 8) {
                    memcpy(&sequence, buffer, sizeof sequence);
                }
                if (sequence != next) {
                    fprintf(stderr, "os_stream: crew: message %ld carries sequence number %ld\n", next, sequence);
                    exit(1);
                }
            }
        }
        int64_t t1 = now_ns(CLOCK_MONOTONIC);
        crew_done(t0, t1, now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0, count, 0, 0);
    }
}

int main(int argc, char **argv) {
    if (argc < 5 || (strcmp(argv[3], "a") != 0 && strcmp(argv[3], "b") != 0)) {
        fprintf(stderr, "usage: os_stream fds|fifo|unix|tcp ENDPOINT a|b OUTDIR ITEM...\n");
        return 2;
    }
    const char *transport = argv[1], *endpoint = argv[2], *outdir = argv[4];
    int side_a = strcmp(argv[3], "a") == 0;
    long largest = 8;
    for (int i = 5; i < argc; i++) {
        long size = 0, x = 0, y = 0;
        if (sscanf(argv[i], "pipesize:%ld", &size) == 1) {
            pipe_size = (int) size;
        } else if (sscanf(argv[i], "crew:%ld", &size) == 1) {
            if (size < 1) {
                fprintf(stderr, "os_stream: bad item %s\n", argv[i]);
                return 2;
            }
            largest = size > largest ? size : largest;
        } else if (sscanf(argv[i], "lat:%ld:%ld:%ld", &size, &x, &y) == 3
                || sscanf(argv[i], "tp:%ld:%ld:%ld", &size, &x, &y) == 3) {
            if (size < 1 || x < 0 || y < 1) {
                fprintf(stderr, "os_stream: bad item %s\n", argv[i]);
                return 2;
            }
            largest = size > largest ? size : largest;
        } else {
            fprintf(stderr, "os_stream: unknown item %s\n", argv[i]);
            return 2;
        }
    }
    if (strcmp(transport, "fds") == 0) {
        in_fd = 3;
        out_fd = 4;
    } else if (strcmp(transport, "fifo") == 0) {
        /* a opens ab then ba, b opens ab then ba: each open meets its partner, no deadlock. */
        if (side_a) {
            out_fd = open_fifo(endpoint, "ab", O_WRONLY);
            in_fd = open_fifo(endpoint, "ba", O_RDONLY);
        } else {
            in_fd = open_fifo(endpoint, "ab", O_RDONLY);
            out_fd = open_fifo(endpoint, "ba", O_WRONLY);
        }
    } else if (strcmp(transport, "unix") == 0 || strcmp(transport, "tcp") == 0) {
        connect_socket(transport, endpoint, side_a);
    } else {
        fprintf(stderr, "os_stream: unknown transport %s\n", transport);
        return 2;
    }
    char *buffer = aligned_alloc(4096, ((size_t) largest + 4095) / 4096 * 4096);
    if (buffer == NULL) {
        fail("out of memory for the buffer");
    }
    memset(buffer, 0x5A, (size_t) largest);
    for (int i = 5; i < argc; i++) {
        long size, x, y;
        if (sscanf(argv[i], "lat:%ld:%ld:%ld", &size, &x, &y) == 3) {
            latency(side_a, outdir, size, x, y, buffer);
        } else if (sscanf(argv[i], "tp:%ld:%ld:%ld", &size, &x, &y) == 3) {
            throughput(side_a, outdir, size, x, y, buffer);
        } else if (sscanf(argv[i], "crew:%ld", &size) == 1) {
            crew(side_a, size, buffer);
        }
    }
    free(buffer);
    return 0;
}
