/*
 * rpc_bench: the C side of jipc's request/response benchmarks (jipc.bench.rpc.RpcBenchmark), compiled at run time
 * with jipc_rpc.c, jipc_channel.c and jipc_live.c (the C twin of jipc.rpc). Its Java twin is jipc.bench.rpc.RpcPeer.
 *
 *   rpc_bench futex-a|futex-b SIZE [SAMPLES]        the floor: a raw futex ping-pong over the memfd at fd 3
 *                                                   (sequence words at 0 and 128, buffers at 4096 and after): a
 *                                                   copies SIZE bytes in, stores the word (release), FUTEX_WAKEs
 *                                                   always, then sleeps in FUTEX_WAIT on the other word; b the mirror
 *   rpc_bench unix-server|unix-client SIZE PATH [SAMPLES]
 *                                                   request/response over an AF_UNIX stream socket: the client
 *                                                   write(2)s SIZE bytes and read(2)s SIZE back, the server the mirror
 *   rpc_bench rpc-service|rpc-client SIZE NAME [SAMPLES]
 *                                                   jipc_rpc over the POSIX shared memory object NAME (made by the
 *                                                   harness with SharedRpc.create): jipc_rpc_call with a SIZE-byte
 *                                                   request, the service answering SIZE bytes from its handler
 *
 * Each is a member of a jipc.bench.Crew: it prints "ready" once connected, then per "run COUNT" line on stdin makes
 * (client side) or answers (server side) COUNT round trips and prints "done T0 T1 CPU COUNT 0 P50" (CLOCK_MONOTONIC
 * ns, CLOCK_PROCESS_CPUTIME_ID ns over the block, the block's median round trip on the client side, else 0); the
 * client side appends each round trip's nanoseconds (int64, native order) to SAMPLES. "quit" or end of file: exit 0.
 * Every request carries its sequence number in its first 8 bytes, every response echoes it; a mismatch exits 1.
 */
#define _GNU_SOURCE
#include "jipc_rpc.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "crew.h"

#define SHM_FD 3

static void die(const char *what) {
    fprintf(stderr, "rpc_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cpu_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0) {
        die("clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    }
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

/* ---- the raw futex ping-pong ---- */

static _Atomic int32_t *to_b, *to_a;
static unsigned char *buffer_b, *buffer_a;

static void await_seq(_Atomic int32_t *word, int32_t seq) {
    int32_t seen;
    while ((seen = atomic_load_explicit(word, memory_order_acquire)) != seq) {
        if (syscall(SYS_futex, word, FUTEX_WAIT, seen, NULL, NULL, 0) < 0 && errno != EAGAIN && errno != EINTR) {
            die("futex(FUTEX_WAIT)");
        }
    }
}

static void publish_seq(_Atomic int32_t *word, int32_t seq) {
    atomic_store_explicit(word, seq, memory_order_release);
    if (syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0) < 0) {
        die("futex(FUTEX_WAKE)");
    }
}

/* ---- sockets ---- */

static int sock = -1;

static void write_all(int fd, const unsigned char *p, long n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("write");
        }
        p += w;
        n -= w;
    }
}

static void read_all(int fd, unsigned char *p, long n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("read");
        }
        if (r == 0) {
            fprintf(stderr, "rpc_bench: end of stream\n");
            exit(1);
        }
        p += r;
        n -= r;
    }
}

/* ---- jipc rpc ---- */

static jipc_rpc rpc;
static jipc_rpc_client client;
static jipc_rpc_service service;

static int64_t echo(void *context, int32_t type, const void *request, uint32_t length, int32_t *response_type,
                    void *response, uint32_t response_max) {
    (void) context;
    if (length > response_max) {
        return -1;
    }
    memcpy(response, request, length);
    *response_type = type;
    return length;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: rpc_bench futex-a|futex-b SIZE [SAMPLES]\n"
                        "       rpc_bench unix-server|unix-client|rpc-service|rpc-client SIZE PATH|NAME [SAMPLES]\n");
        return 2;
    }
    const char *role = argv[1];
    long size = atol(argv[2]);
    int futex_role = strncmp(role, "futex-", 6) == 0;
    int unix_role = strncmp(role, "unix-", 5) == 0;
    int rpc_role = strncmp(role, "rpc-", 4) == 0;
    int client_side = strcmp(role, "futex-a") == 0 || strcmp(role, "unix-client") == 0
            || strcmp(role, "rpc-client") == 0;
    const char *samples_file = argc > (futex_role ? 3 : 4) ? argv[futex_role ? 3 : 4] : NULL;
    if (size < 8 || (!futex_role && argc < 4) || !(futex_role || unix_role || rpc_role)) {
        fprintf(stderr, "rpc_bench: bad arguments (role %s, SIZE %ld >= 8)\n", role, size);
        return 2;
    }
    unsigned char *payload = calloc(1, size);
    unsigned char *answer = calloc(1, size + 64);
    if (payload == NULL || answer == NULL) {
        die("calloc");
    }
    if (futex_role) {
        struct stat st;
        if (fstat(SHM_FD, &st) < 0) {
            die("fstat(fd 3)");
        }
        unsigned char *base = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, SHM_FD, 0);
        if (base == MAP_FAILED) {
            die("mmap(fd 3)");
        }
        crew_touch_pages(base, st.st_size);
        to_b = (_Atomic int32_t *) base;
        to_a = (_Atomic int32_t *) (base + 128);
        buffer_b = base + 4096;
        buffer_a = base + 4096 + ((size + 4095) & ~4095L);
        if ((size_t) (buffer_a - base) + size > (size_t) st.st_size) {
            fprintf(stderr, "rpc_bench: memfd too small\n");
            return 2;
        }
    } else if (unix_role) {
        struct sockaddr_un address = { .sun_family = AF_UNIX };
        if (strlen(argv[3]) >= sizeof address.sun_path) {
            fprintf(stderr, "rpc_bench: socket path too long\n");
            return 2;
        }
        strcpy(address.sun_path, argv[3]);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            die("socket");
        }
        if (client_side) {
            int64_t deadline = now_ns() + 60000000000LL;
            while (connect(fd, (struct sockaddr *) &address, sizeof address) < 0) {
                if ((errno != ENOENT && errno != ECONNREFUSED) || now_ns() > deadline) {
                    die("connect");
                }
                usleep(1000);
            }
            sock = fd;
        } else {
            if (bind(fd, (struct sockaddr *) &address, sizeof address) < 0 || listen(fd, 1) < 0) {
                die("bind/listen");
            }
            sock = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
            if (sock < 0) {
                die("accept");
            }
            close(fd);
        }
    } else {
        const char *field = NULL;
        if (jipc_rpc_open(&rpc, argv[3], &field) < 0) {
            fprintf(stderr, "rpc_bench: jipc_rpc_open(%s): %s%s%s\n", argv[3], strerror(errno),
                    field ? ", field " : "", field ? field : "");
            return 1;
        }
        if (client_side ? jipc_rpc_client_open(&client, &rpc) < 0 : jipc_rpc_service_open(&service, &rpc) < 0) {
            die(client_side ? "jipc_rpc_client_open" : "jipc_rpc_service_open");
        }
    }
    int64_t *times = NULL;
    long times_length = 0;
    int64_t next = 0;
    crew_ready();
    long count;
    while ((count = crew_next_block("rpc_bench")) >= 0) {
        if (client_side && times_length < count) {
            free(times);
            times = malloc(sizeof(int64_t) * count);
            times_length = count;
            if (times == NULL) {
                die("malloc");
            }
        }
        int64_t t0 = now_ns();
        int64_t cpu = cpu_ns();
        for (long i = 0; i < count; i++) {
            int64_t start = now_ns();
            int64_t seq = next++;
            int64_t echoed = seq;
            if (futex_role) {
                int32_t word = (int32_t) (seq + 1);
                if (client_side) {
                    memcpy(payload, &seq, sizeof seq);
                    memcpy(buffer_b, payload, size);
                    publish_seq(to_b, word);
                    await_seq(to_a, word);
                    memcpy(&echoed, buffer_a, sizeof echoed);
                } else {
                    await_seq(to_b, word);
                    memcpy(payload, buffer_b, size);
                    memcpy(buffer_a, payload, size);
                    publish_seq(to_a, word);
                }
            } else if (unix_role) {
                if (client_side) {
                    memcpy(payload, &seq, sizeof seq);
                    write_all(sock, payload, size);
                    read_all(sock, answer, size);
                    memcpy(&echoed, answer, sizeof echoed);
                } else {
                    read_all(sock, payload, size);
                    write_all(sock, payload, size);
                }
            } else if (client_side) {
                int32_t type = 0;
                uint32_t length = 0;
                memcpy(payload, &seq, sizeof seq);
                if (jipc_rpc_call(&client, 1, payload, size, 60000000000LL, answer, size + 64, &type, &length) < 0) {
                    die("jipc_rpc_call");
                }
                memcpy(&echoed, answer, sizeof echoed);
                if (length != (uint32_t) size) {
                    fprintf(stderr, "rpc_bench: response of %u bytes, expected %ld\n", length, size);
                    return 1;
                }
            } else {
                int taken = jipc_rpc_service_poll(&service, echo, NULL, 1, -1);
                if (taken < 0) {
                    die("jipc_rpc_service_poll");
                }
                if (taken == 0) {
                    i--;
                    next--;
                }
            }
            if (echoed != seq) {
                fprintf(stderr, "rpc_bench: answer %lld to request %lld\n", (long long) echoed, (long long) seq);
                return 1;
            }
            if (client_side) {
                times[i] = now_ns() - start;
            }
        }
        int64_t t1 = now_ns();
        int64_t p50 = 0;
        if (client_side && count > 0) {
            if (samples_file != NULL) {
                FILE *f = fopen(samples_file, "ab");
                if (f == NULL || fwrite(times, sizeof(int64_t), count, f) != (size_t) count || fclose(f) != 0) {
                    die(samples_file);
                }
            }
            qsort(times, count, sizeof(int64_t), cmp64);
            p50 = times[count / 2];
        }
        crew_done(t0, t1, cpu_ns() - cpu, count, 0, p50);
    }
    if (rpc_role) {
        if (client_side) {
            jipc_rpc_client_close(&client);
        } else {
            jipc_rpc_service_close(&service);
        }
        jipc_rpc_close(&rpc);
    }
    return 0;
}
