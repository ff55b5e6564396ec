/*
 * Exclusive ends and liveness tokens of the C twin (native/jipc_channel.c), for ExclusiveEndsTest. ROLE is consumer
 * or producer (the producer of a one-producer channel); NAME a POSIX shared memory channel that Java created.
 *
 *   role_peer tag DEV INO [DEV INO ...]  print jipc_live_store_tag(DEV, INO) for each pair (unsigned decimal), one a
 *                                        line
 *   role_peer tag-self                   print the store tag of this process's /dev/shm
 *   role_peer token MODE                 choose the access class MODE (octal), make the token, print its path and
 *                                        its permission bits (octal); then "again: ERROR" for a second
 *                                        jipc_live_set_access (EBUSY)
 *   role_peer contend NAME               make this process's token, print "ready", then follow commands on stdin,
 *                                        one a line: "ROLE T": a fresh jipc_channel, spin until CLOCK_MONOTONIC
 *                                        reads T (ns), take ROLE, print "won" or "busy" (EBUSY); "give": give the
 *                                        last instance's role back, print "given". Ends at EOF.
 *   role_peer take ROLE NAME             take ROLE once: print "won" and give it back, or "busy"
 *   role_peer twice ROLE NAME            take ROLE with two instances of this process: print both results
 *   role_peer hold ROLE NAME             take ROLE and print "holding TOKEN_PATH", then keep it (at most 120 s): a
 *                                        consumer sleeps, a producer fills the ring and sleeps in
 *                                        jipc_channel_wait_room (its bit 63 in producersWaiting set)
 *   role_peer fork-hold NAME             take the consumer role, print "holding TOKEN_PATH", then fork without exec:
 *                                        the child tries the role on the inherited instance, prints "child PID
 *                                        RESULT TOKEN_PATH" (RESULT busy or won; the path of the token it made for
 *                                        that), closes its stdout and stderr and lives on for at most 60 s with
 *                                        every other descriptor it inherited; the parent keeps the role (120 s)
 *
 * Exit 0 on success; 1 for an unexpected result; 2 for a usage or system error.
 */
#include "jipc_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned char *base;
static size_t size;

static void map_channel(const char *name) {
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0) {
        perror("shm_open");
        exit(2);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        perror("fstat");
        exit(2);
    }
    size = (size_t) st.st_size;
    base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    close(fd);
}

static void attach(jipc_channel *ch) {
    int error = jipc_channel_attach(ch, base, size);
    if (error != JIPC_CHANNEL_OK) {
        fprintf(stderr, "attach: %s\n", jipc_channel_strerror(error));
        exit(2);
    }
}

static int is_consumer(const char *role) {
    if (strcmp(role, "consumer") == 0) {
        return 1;
    }
    if (strcmp(role, "producer") == 0) {
        return 0;
    }
    fprintf(stderr, "unknown role %s\n", role);
    exit(2);
}

/* Takes the role: 0, or -1 with errno. */
static int take(jipc_channel *ch, int consumer) {
    return consumer ? jipc_channel_register_consumer(ch) : jipc_channel_attach_producer(ch);
}

static void give(jipc_channel *ch, int consumer) {
    if (consumer) {
        jipc_channel_unregister_consumer(ch);
    } else {
        jipc_channel_detach_producer(ch);
    }
}

/* "won", "busy", or "error: MESSAGE" for the result of take. */
static const char *result(int taken) {
    static char line[160];
    if (taken == 0) {
        return "won";
    }
    if (errno == EBUSY) {
        return "busy";
    }
    snprintf(line, sizeof line, "error: %s", strerror(errno));
    return line;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static int contend(const char *name) {
    map_channel(name);
    /* the token now, so that taking a role in a round costs only the compare-and-set and the verdicts */
    if (jipc_live_process_party() == 0) {
        perror("jipc_live_process_party");
        return 2;
    }
    printf("ready\n");
    jipc_channel ch;
    int consumer = 1;
    attach(&ch);
    char line[128];
    while (fgets(line, sizeof line, stdin) != NULL) {
        char role[16];
        long long start;
        if (sscanf(line, "%15s %lld", role, &start) == 2) {
            consumer = is_consumer(role);
            attach(&ch);
            while (now_ns() < start) {
                /* spin: both contenders leave this loop within microseconds of each other */
            }
            printf("%s\n", result(take(&ch, consumer)));
        } else if (strncmp(line, "give", 4) == 0) {
            give(&ch, consumer);
            printf("given\n");
        } else {
            fprintf(stderr, "unknown command %s", line);
            return 2;
        }
    }
    return 0;
}

static int take_once(const char *role, const char *name) {
    int consumer = is_consumer(role);
    map_channel(name);
    jipc_channel ch;
    attach(&ch);
    int taken = take(&ch, consumer);
    printf("%s\n", result(taken));
    give(&ch, consumer);
    return taken == 0 || errno == EBUSY ? 0 : 2;
}

static int twice(const char *role, const char *name) {
    int consumer = is_consumer(role);
    map_channel(name);
    jipc_channel first, second;
    attach(&first);
    attach(&second);
    int a = take(&first, consumer);
    printf("first %s\n", result(a));
    int b = take(&second, consumer);
    printf("second %s\n", result(b));
    give(&second, consumer);
    give(&first, consumer);
    return 0;
}

static int hold(const char *role, const char *name) {
    int consumer = is_consumer(role);
    map_channel(name);
    jipc_channel ch;
    attach(&ch);
    int taken = take(&ch, consumer);
    if (taken < 0) {
        printf("%s\n", result(taken));
        return 1;
    }
    unsigned char payload[64] = { 0 };
    if (!consumer) {
        int sent;
        while ((sent = jipc_channel_offer(&ch, 1, payload, sizeof payload)) == 1) {
        }
        if (sent < 0) {
            perror("jipc_channel_offer");
            return 2;
        }
    }
    printf("holding %s\n", jipc_live_token_path());
    if (!consumer) {
        /* nobody consumes: sleeps in FUTEX_WAIT slices with bit 63 of producersWaiting set, until killed */
        jipc_channel_wait_room(&ch, sizeof payload, 120000000000LL);
        return 0;
    }
    sleep_ms(120000);
    return 0;
}

static int fork_hold(const char *name) {
    map_channel(name);
    jipc_channel ch;
    attach(&ch);
    if (jipc_channel_register_consumer(&ch) < 0) {
        printf("%s\n", result(-1));
        return 1;
    }
    printf("holding %s\n", jipc_live_token_path());
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 2;
    }
    if (child == 0) {
        /* the inherited instance holds none of the parent's roles: it must take the role afresh, and the parent,
         * alive, holds it */
        int taken = jipc_channel_register_consumer(&ch);
        const char *path = jipc_live_token_path();
        printf("child %d %s %s\n", (int) getpid(), result(taken), path == NULL ? "-" : path);
        fflush(stdout);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        close(null);
        sleep_ms(60000);
        _exit(0);
    }
    sleep_ms(120000);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 4 && argc % 2 == 0 && strcmp(argv[1], "tag") == 0) {
        for (int i = 2; i + 1 < argc; i += 2) {
            uint64_t dev = strtoull(argv[i], NULL, 10);
            uint64_t ino = strtoull(argv[i + 1], NULL, 10);
            printf("%u\n", (unsigned) jipc_live_store_tag(dev, ino));
        }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "tag-self") == 0) {
        uint16_t tag = jipc_live_own_store_tag();
        if (tag == 0) {
            perror("stat /dev/shm");
            return 2;
        }
        printf("%u\n", (unsigned) tag);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "token") == 0) {
        if (jipc_live_set_access((mode_t) strtoul(argv[2], NULL, 8), (gid_t) -1) < 0
                || jipc_live_process_party() == 0) {
            perror("token");
            return 2;
        }
        const char *path = jipc_live_token_path();
        struct stat st;
        if (stat(path, &st) < 0) {
            perror(path);
            return 2;
        }
        printf("%s %o\n", path, (unsigned) (st.st_mode & 07777));
        int again = jipc_live_set_access(0600, (gid_t) -1);
        printf("again: %s\n", again == 0 ? "0" : strerror(errno));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "contend") == 0) {
        return contend(argv[2]);
    }
    if (argc == 4 && strcmp(argv[1], "take") == 0) {
        return take_once(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "twice") == 0) {
        return twice(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "hold") == 0) {
        return hold(argv[2], argv[3]);
    }
    if (argc == 3 && strcmp(argv[1], "fork-hold") == 0) {
        return fork_hold(argv[2]);
    }
    fprintf(stderr, "usage: role_peer tag DEV INO ... | tag-self | token MODE | contend NAME | take ROLE NAME |"
                    " twice ROLE NAME | hold ROLE NAME | fork-hold NAME\n");
    return 2;
}
