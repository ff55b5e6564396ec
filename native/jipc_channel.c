/*
 * The C twin of jipc.channel.OneToOneChannel and ManyToOneChannel, and of jipc.live's token, monitor and roles; see
 * jipc_channel.h, docs/channel-format.md and docs/liveness-format.md.
 *
 * Memory ordering, as in the Java code: a record's payload and type are plain stores, its length a release store,
 * the tail a release store; the consumer reads lengths with acquire loads, zeroes consumed records with plain stores
 * and publishes the head with a release store. The wake protocol uses sequentially consistent fences (Dekker). Role
 * words are taken and given back with sequentially consistent compare-and-sets; the display fields beside them are
 * release stores that no verdict reads.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jipc_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SLICE_NS 100000000LL
/* A consumer looks at a stalled head of a many-producer channel (liveness checks) at most once a millisecond. */
#define STALL_CHECK_NS 1000000LL
/* A consumer whose FUTEX_WAKE woke nobody looks for dead producers' waiting bits at most every 100 ms. */
#define WAITING_CHECK_NS 100000000LL
/* The largest padding record the consumer writes over a dead producer's claim without a header. */
#define MAX_PADDING ((uint64_t) (INT32_MAX & -JIPC_RECORD_ALIGNMENT))

static int holds_producer(const jipc_channel *ch);
static int holds_consumer(const jipc_channel *ch);
static void clear_dead_waiters(jipc_channel *ch, uint64_t waiting);
static int may_be_alive(uint64_t party);

static _Atomic uint32_t *u32(const jipc_channel *ch, size_t offset) {
    return (_Atomic uint32_t *) (ch->base + offset);
}

static _Atomic uint64_t *u64(const jipc_channel *ch, size_t offset) {
    return (_Atomic uint64_t *) (ch->base + offset);
}

static _Atomic uint32_t *length_word(const jipc_channel *ch, uint64_t index) {
    return (_Atomic uint32_t *) (ch->ring + index + JIPC_RECORD_LENGTH_OFFSET);
}

/* The record header as one little-endian int64: length in the low half, type in the high half. */
static _Atomic uint64_t *header_word(const jipc_channel *ch, uint64_t index) {
    return (_Atomic uint64_t *) (ch->ring + index + JIPC_RECORD_LENGTH_OFFSET);
}

static uint64_t header(int32_t length, int32_t type) {
    return ((uint64_t) (uint32_t) type << 32) | (uint32_t) length;
}

static _Atomic uint64_t *slot_word(const jipc_channel *ch, int slot, size_t field) {
    return u64(ch, JIPC_CHANNEL_PRODUCER_SLOTS_OFFSET + (size_t) JIPC_CHANNEL_PRODUCER_SLOT_LENGTH * slot + field);
}

static uint64_t align8(uint64_t n) {
    return (n + JIPC_RECORD_ALIGNMENT - 1) & ~(uint64_t) (JIPC_RECORD_ALIGNMENT - 1);
}

static uint64_t max_message_limit(uint64_t capacity) {
    uint64_t limit = capacity / 8 - JIPC_RECORD_HEADER_LENGTH;
    return limit > (uint64_t) INT_MAX - 64 ? (uint64_t) INT_MAX - 64 : limit;
}

static long futex(_Atomic uint32_t *word, int op, uint32_t value, const struct timespec *timeout) {
    return syscall(SYS_futex, (uint32_t *) word, op, value, timeout, NULL, 0);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- liveness: the token this process holds, the monitor that judges others, the roles ------------------------ */

/* This process's token (docs/liveness-format.md, "The token file"): one per process, of one access class, made on the
 * first need. Everything in it is guarded by lock; a forked child forgets it (after_fork_child). */
static struct {
    pthread_mutex_t lock;
    int fd;                         /* the locked token file's descriptor, -1 while there is none */
    uint64_t key;                   /* store tag << 48 | token number: a party id without its party number */
    char path[64];
    mode_t mode;                    /* the access class: permission bits of the objects served, and their group */
    gid_t gid;
    int hooks_installed;            /* pthread_atfork and atexit, once per process image */
    unsigned roles_held;            /* roles taken and not given back (for tests and debugging; nothing removes the token) */
    uint64_t numbers[(JIPC_LIVE_MAX_PARTY + 1) / 64]; /* party numbers handed out; 1, the process, always */
} token = { PTHREAD_MUTEX_INITIALIZER, -1, 0, "", 0600, (gid_t) -1, 0, 0, { 0 } };

/* Incremented in a forked child: an instance whose roles were taken in another generation holds none of them. */
static _Atomic unsigned fork_generation;
/* The store tag of /dev/shm, 0 until known (a tag is never 0). */
static _Atomic uint32_t own_tag;

#define TOKEN_KEY_MASK (~(0xFFFFULL << JIPC_LIVE_PARTY_NUMBER_SHIFT))

static unsigned fork_generation_now(void) {
    return atomic_load_explicit(&fork_generation, memory_order_relaxed);
}

uint16_t jipc_live_store_tag(uint64_t dev, uint64_t ino) {
    uint64_t h = dev * 0x9E3779B97F4A7C15ULL ^ ino * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    uint16_t tag = (uint16_t) ((h ^ (h >> 16)) & 0xFFFF);
    return tag == 0 ? 1 : tag;
}

uint16_t jipc_live_own_store_tag(void) {
    uint32_t tag = atomic_load_explicit(&own_tag, memory_order_relaxed);
    if (tag == 0) {
        struct stat st;
        if (stat(JIPC_LIVE_TOKEN_DIRECTORY, &st) < 0) {
            return 0;
        }
        tag = jipc_live_store_tag((uint64_t) st.st_dev, (uint64_t) st.st_ino);
        atomic_store_explicit(&own_tag, tag, memory_order_relaxed);
    }
    return (uint16_t) tag;
}

const char *jipc_live_state_word(enum jipc_live_state state) {
    switch (state) {
    case JIPC_LIVE_ALIVE: return "alive";
    case JIPC_LIVE_DEAD: return "dead";
    case JIPC_LIVE_UNKNOWN: return "alive?";
    default: return "none";
    }
}

/* The inode of this process's pid namespace ("pid:[INODE]"), 0 if unreadable: for the display fields only. */
static uint64_t pid_namespace(void) {
    char link[64];
    ssize_t n = readlink("/proc/self/ns/pid", link, sizeof link - 1);
    if (n <= 0) {
        return 0;
    }
    link[n] = '\0';
    char *open_bracket = strchr(link, '[');
    return open_bracket == NULL ? 0 : strtoull(open_bracket + 1, NULL, 10);
}

static void token_path(char *out, size_t size, uint64_t party) {
    snprintf(out, size, "%s/%s%04x%08x", JIPC_LIVE_TOKEN_DIRECTORY, JIPC_LIVE_TOKEN_PREFIX,
             (unsigned) (party >> JIPC_LIVE_STORE_TAG_SHIFT) & 0xFFFF, (unsigned) (uint32_t) party);
}

/* A random token number, neither 0 nor 0xFFFFFFFF (so a party id is neither 0 nor -1). */
static uint32_t token_number(void) {
    for (;;) {
        uint32_t number;
        if (getrandom(&number, sizeof number, 0) != (ssize_t) sizeof number) {
            /* no getrandom: the clock and the pid, mixed (splitmix64's finaliser) */
            uint64_t z = (uint64_t) now_ns() ^ ((uint64_t) getpid() << 32);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            number = (uint32_t) (z ^ (z >> 31));
        }
        if (number != 0 && number != 0xFFFFFFFFu) {
            return number;
        }
    }
}

static struct flock lock_byte_zero(short type) {
    struct flock fl;
    memset(&fl, 0, sizeof fl); /* l_pid must be 0 for the F_OFD_* commands */
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = JIPC_LIVE_LOCK_BYTE;
    fl.l_len = 1;
    return fl;
}

static void after_fork_child(void);
static void before_fork(void);
static void after_fork_parent(void);

/* Gives the locked .new file its final name without ever replacing a file of that name (a dead token replaced would
 * bring its parties back to life): renameat2 with RENAME_NOREPLACE, so that /proc/PID/fd shows the final name, or
 * link and unlink where the file system refuses the flag. 0, or -1 with errno (EEXIST: the name is taken). */
static int publish_token(const char *fresh, const char *path) {
    if (renameat2(AT_FDCWD, fresh, AT_FDCWD, path, RENAME_NOREPLACE) == 0) {
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        return -1;
    }
    if (link(fresh, path) < 0) {
        return -1;
    }
    unlink(fresh);
    return 0;
}

/* Makes the token (liveness-format.md, "Making a token"), with token.lock held: the file gets its final name only
 * once it is locked, so a token file under its final name that is not locked belongs to a dead process. */
static int make_token_locked(void) {
    uint16_t tag = jipc_live_own_store_tag();
    if (tag == 0) {
        return -1;
    }
    mode_t bits = (token.mode & 0666) | ((token.mode & 0222) << 1) | 0600;
    for (int attempt = 0;; attempt++) {
        uint64_t key = ((uint64_t) tag << JIPC_LIVE_STORE_TAG_SHIFT) | token_number();
        char path[64];
        char fresh[72];
        token_path(path, sizeof path, key);
        snprintf(fresh, sizeof fresh, "%s%s", path, JIPC_LIVE_NEW_SUFFIX);
        int fd = open(fresh, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            if (errno == EEXIST && attempt < 100) {
                continue;
            }
            return -1;
        }
        if (token.gid != (gid_t) -1 && fchown(fd, (uid_t) -1, token.gid) < 0) {
            /* not a member of the objects' group: the token keeps ours, and peers of the group that cannot open it
             * say "cannot decide" (never "dead") about our parties */
        }
        /* an open file description lock (F_OFD_SETLK), not F_SETLK: a process's locks vanish when any of its
         * descriptors of the file is closed, and they would not be the kernel's word for "this process lives" */
        struct flock fl = lock_byte_zero(F_WRLCK);
        if (fchmod(fd, bits) < 0 || fcntl(fd, F_OFD_SETLK, &fl) < 0) {
            int error = errno;
            unlink(fresh);
            close(fd);
            errno = error;
            return -1;
        }
        /* one line for people; nothing reads it for a verdict */
        char line[80];
        int n = snprintf(line, sizeof line, "pid %d pidns %llu\n", (int) getpid(),
                         (unsigned long long) pid_namespace());
        ssize_t unused = write(fd, line, (size_t) n);
        (void) unused;
        if (publish_token(fresh, path) < 0) {
            int error = errno;
            unlink(fresh);
            close(fd);
            if (error == EEXIST && attempt < 100) {
                continue; /* a token, perhaps a dead one, has this number: draw another */
            }
            errno = error;
            return -1;
        }
        token.fd = fd;
        token.key = key;
        memcpy(token.path, path, sizeof path);
        memset(token.numbers, 0, sizeof token.numbers);
        token.numbers[0] = 1ULL << JIPC_LIVE_PROCESS_PARTY;
        token.roles_held = 0;
        if (!token.hooks_installed) {
            token.hooks_installed = 1;
            pthread_atfork(before_fork, after_fork_parent, after_fork_child);
            /* No atexit removal: atexit handlers run while other threads may still hold roles, and a token that
             * went early would make a live holder look dead. Takers, jipc clean and new Java processes remove it. */
        }
        return 0;
    }
}

/* fork without exec: the child must not keep its parent's token locked (an open file description lock lives while
 * any descriptor of it is open, and the child's copy would keep a dead parent looking alive). The child forgets the
 * token, its party numbers and its roles, and makes a token of its own when it needs one. The lock is held across
 * fork so that the child never sees the state half-written by another thread. */
static void before_fork(void) {
    pthread_mutex_lock(&token.lock);
}

static void after_fork_parent(void) {
    pthread_mutex_unlock(&token.lock);
}

static void after_fork_child(void) {
    if (token.fd >= 0) {
        close(token.fd);
    }
    token.fd = -1;
    token.key = 0;
    token.path[0] = '\0';
    token.roles_held = 0;
    memset(token.numbers, 0, sizeof token.numbers);
    atomic_fetch_add(&fork_generation, 1);
    pthread_mutex_unlock(&token.lock);
}

int jipc_live_set_access(mode_t mode, gid_t gid) {
    pthread_mutex_lock(&token.lock);
    int made = token.fd >= 0;
    if (!made) {
        token.mode = mode & 0777;
        token.gid = gid;
    }
    pthread_mutex_unlock(&token.lock);
    if (made) {
        errno = EBUSY;
        return -1;
    }
    return 0;
}

uint64_t jipc_live_process_party(void) {
    pthread_mutex_lock(&token.lock);
    uint64_t party = 0;
    if (token.fd >= 0 || make_token_locked() == 0) {
        party = token.key | ((uint64_t) JIPC_LIVE_PROCESS_PARTY << JIPC_LIVE_PARTY_NUMBER_SHIFT);
    }
    int error = errno;
    pthread_mutex_unlock(&token.lock);
    errno = error;
    return party;
}

const char *jipc_live_token_path(void) {
    pthread_mutex_lock(&token.lock);
    const char *path = token.fd >= 0 ? token.path : NULL;
    pthread_mutex_unlock(&token.lock);
    return path;
}

/* A fresh party of this process for one role (the lowest party number not handed out), making the token if needed;
 * 0 with errno if the token cannot be made, or EMFILE if all 65534 numbers are handed out. */
static uint64_t new_party(void) {
    pthread_mutex_lock(&token.lock);
    uint64_t party = 0;
    if (token.fd >= 0 || make_token_locked() == 0) {
        for (unsigned number = JIPC_LIVE_PROCESS_PARTY + 1; number <= JIPC_LIVE_MAX_PARTY; number++) {
            uint64_t bit = 1ULL << (number % 64);
            if ((token.numbers[number / 64] & bit) == 0) {
                token.numbers[number / 64] |= bit;
                party = token.key | ((uint64_t) number << JIPC_LIVE_PARTY_NUMBER_SHIFT);
                break;
            }
        }
        if (party == 0) {
            errno = EMFILE;
        }
    }
    int error = errno;
    pthread_mutex_unlock(&token.lock);
    errno = error;
    return party;
}

/* Gives a party number back for reuse (give its role back first). A party of a token forgotten at fork: nothing. */
static void release_party(uint64_t party) {
    unsigned number = (unsigned) (party >> JIPC_LIVE_PARTY_NUMBER_SHIFT) & 0xFFFF;
    pthread_mutex_lock(&token.lock);
    if (token.fd >= 0 && (party & TOKEN_KEY_MASK) == token.key && number != JIPC_LIVE_PROCESS_PARTY) {
        token.numbers[number / 64] &= ~(1ULL << (number % 64));
    }
    pthread_mutex_unlock(&token.lock);
}

static void role_taken(void) {
    pthread_mutex_lock(&token.lock);
    token.roles_held++;
    pthread_mutex_unlock(&token.lock);
}

static void role_given_back(void) {
    pthread_mutex_lock(&token.lock);
    if (token.roles_held > 0) {
        token.roles_held--;
    }
    pthread_mutex_unlock(&token.lock);
}

/* Steps 3 and 4 of "Judging a party" on the token file at path; *exists (if not NULL): whether the file was there. */
static enum jipc_live_state check_token_file(const char *path, int *exists) {
    if (exists != NULL) {
        *exists = 0;
    }
    /* 3. gone means dead: token files are removed only after their process died */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        return errno == ENOENT ? JIPC_LIVE_DEAD : JIPC_LIVE_UNKNOWN;
    }
    if (exists != NULL) {
        *exists = 1;
    }
    /* 4. its lock: F_OFD_GETLK reports a conflicting lock (it needs no write permission), or F_UNLCK if none */
    struct flock fl = lock_byte_zero(F_WRLCK);
    int tested = fcntl(fd, F_OFD_GETLK, &fl);
    close(fd);
    if (tested < 0) {
        return JIPC_LIVE_UNKNOWN;
    }
    return fl.l_type == F_UNLCK ? JIPC_LIVE_DEAD : JIPC_LIVE_ALIVE;
}

enum jipc_live_state jipc_live_check(uint64_t party) {
    if (party == 0) {
        return JIPC_LIVE_NONE;
    }
    int error = errno;
    /* 1. one of our own parties: alive while handed out, no system call */
    pthread_mutex_lock(&token.lock);
    if (token.fd >= 0 && (party & TOKEN_KEY_MASK) == token.key) {
        unsigned number = (unsigned) (party >> JIPC_LIVE_PARTY_NUMBER_SHIFT) & 0xFFFF;
        int handed_out = (token.numbers[number / 64] & (1ULL << (number % 64))) != 0;
        pthread_mutex_unlock(&token.lock);
        return handed_out ? JIPC_LIVE_ALIVE : JIPC_LIVE_DEAD;
    }
    pthread_mutex_unlock(&token.lock);
    /* 2. a token in another /dev/shm cannot be looked at from here */
    uint16_t tag = jipc_live_own_store_tag();
    if (tag == 0 || (uint16_t) (party >> JIPC_LIVE_STORE_TAG_SHIFT) != tag) {
        errno = error;
        return JIPC_LIVE_UNKNOWN;
    }
    char path[64];
    token_path(path, sizeof path, party);
    enum jipc_live_state state = check_token_file(path, NULL);
    errno = error;
    return state;
}

/* Whoever takes a role over from a dead party removes its token file, if it is in our /dev/shm and still there, so
 * that the tokens of crashed processes do not pile up (the cleaner's job, done by whoever recovers from the dead).
 * Best effort: another user's token in the sticky /dev/shm (EPERM) is left to `jipc clean`. Removing a dead token
 * changes no verdict: a party whose token is gone is dead too. */
static void remove_dead_token(uint64_t party) {
    if (party == 0 || (uint16_t) (party >> JIPC_LIVE_STORE_TAG_SHIFT) != jipc_live_own_store_tag()) {
        return;
    }
    pthread_mutex_lock(&token.lock);
    int mine = token.fd >= 0 && (party & TOKEN_KEY_MASK) == token.key;
    pthread_mutex_unlock(&token.lock);
    if (mine) {
        return;
    }
    int error = errno;
    char path[64];
    token_path(path, sizeof path, party);
    int exists;
    if (check_token_file(path, &exists) == JIPC_LIVE_DEAD && exists) {
        unlink(path);
    }
    errno = error;
}

/* Alive or cannot decide: whatever it holds must not be taken over. */
static int may_be_alive(uint64_t party) {
    enum jipc_live_state state = jipc_live_check(party);
    return state == JIPC_LIVE_ALIVE || state == JIPC_LIVE_UNKNOWN;
}

/* Takes the role held in word for mine (liveness-format.md, "Exclusive roles"): one compare-and-set from 0 or from
 * a holder that is certainly dead. Of two takers exactly one wins; the other sees the winner, alive, and fails.
 * *previous: 0 if the role was free (or already ours), else the dead holder it was taken over from. 0, or -1 EBUSY. */
static int take_role(_Atomic uint64_t *word, uint64_t mine, uint64_t *previous) {
    for (;;) {
        uint64_t holder = atomic_load(word);
        if (holder == mine) {
            *previous = 0;
            return 0;
        }
        if (holder != 0 && jipc_live_check(holder) != JIPC_LIVE_DEAD) {
            errno = EBUSY;
            return -1;
        }
        if (atomic_compare_exchange_strong(word, &holder, mine)) {
            *previous = holder;
            remove_dead_token(holder);
            return 0;
        }
        /* another taker, or the holder, changed the word: judge the new holder */
    }
}

/* CAS(word, mine, 0): whether the role was ours and is given back. */
static int give_role_back(_Atomic uint64_t *word, uint64_t mine) {
    return atomic_compare_exchange_strong(word, &mine, 0);
}

/* Roles taken in another fork generation belong to the parent: a forked child's instance holds none of them (and
 * must not give them back). */
static void forget_inherited_roles(jipc_channel *ch) {
    unsigned now = fork_generation_now();
    if (ch->generation != now) {
        ch->producer_party = 0;
        ch->consumer_party = 0;
        ch->slot = -1;
        ch->generation = now;
    }
}

static int holds_producer(const jipc_channel *ch) {
    return ch->producer_party != 0 && ch->generation == fork_generation_now();
}

static int holds_consumer(const jipc_channel *ch) {
    return ch->consumer_party != 0 && ch->generation == fork_generation_now();
}

int jipc_channel_attach(jipc_channel *ch, void *base, size_t size) {
    unsigned char *b = base;
    if (((uintptr_t) b) % JIPC_RECORD_ALIGNMENT != 0) {
        return JIPC_CHANNEL_EALIGN;
    }
    if (size < JIPC_CHANNEL_HEADER_LENGTH) {
        return JIPC_CHANNEL_ETOOSMALL;
    }
    memset(ch, 0, sizeof *ch);
    ch->base = b;
    /* acquire: a complete header was written before the magic (release) */
    if (atomic_load_explicit(u64(ch, JIPC_CHANNEL_MAGIC_OFFSET), memory_order_acquire) != JIPC_CHANNEL_MAGIC) {
        return JIPC_CHANNEL_EMAGIC;
    }
    uint32_t version, header, max, flags;
    uint64_t capacity;
    memcpy(&version, b + JIPC_CHANNEL_VERSION_OFFSET, 4);
    memcpy(&flags, b + JIPC_CHANNEL_FLAGS_OFFSET, 4);
    memcpy(&header, b + JIPC_CHANNEL_HEADER_LENGTH_OFFSET, 4);
    memcpy(&capacity, b + JIPC_CHANNEL_CAPACITY_OFFSET, 8);
    memcpy(&max, b + JIPC_CHANNEL_MAX_MESSAGE_LENGTH_OFFSET, 4);
    if (version != JIPC_CHANNEL_LAYOUT_VERSION) {
        return JIPC_CHANNEL_EVERSION;
    }
    if (header != JIPC_CHANNEL_HEADER_LENGTH) {
        return JIPC_CHANNEL_EHEADER;
    }
    if ((flags & ~(uint32_t) JIPC_CHANNEL_FLAG_MANY_PRODUCERS) != 0) {
        /* a later format: flags this twin does not speak */
        return JIPC_CHANNEL_EFLAGS;
    }
    if (capacity < JIPC_CHANNEL_MIN_CAPACITY || (capacity & (capacity - 1)) != 0) {
        return JIPC_CHANNEL_ECAPACITY;
    }
    if (size < JIPC_CHANNEL_HEADER_LENGTH + capacity) {
        return JIPC_CHANNEL_ETOOSMALL;
    }
    if (max < 1 || max > max_message_limit(capacity)) {
        return JIPC_CHANNEL_EMAXMSG;
    }
    ch->ring = b + JIPC_CHANNEL_HEADER_LENGTH;
    ch->capacity = capacity;
    /* capacity - 1 without the low 3 bits: the same index for the multiples of 8 correct peers write, and a record
     * boundary inside the ring for a position a hostile process forged to an odd value (no access past the end) */
    ch->mask = (capacity - 1) & ~(uint64_t) (JIPC_RECORD_ALIGNMENT - 1);
    ch->max_message_length = max;
    ch->many = (flags & JIPC_CHANNEL_FLAG_MANY_PRODUCERS) != 0;
    ch->slot = -1;
    return JIPC_CHANNEL_OK;
}

const char *jipc_channel_strerror(int error) {
    switch (error) {
    case JIPC_CHANNEL_OK: return "ok";
    case JIPC_CHANNEL_ETOOSMALL: return "segment smaller than the channel it holds";
    case JIPC_CHANNEL_EMAGIC: return "no jipc channel there (magic)";
    case JIPC_CHANNEL_EVERSION: return "unsupported layout version";
    case JIPC_CHANNEL_EHEADER: return "header length is not 4096";
    case JIPC_CHANNEL_ECAPACITY: return "capacity is not a power of two >= 1024";
    case JIPC_CHANNEL_EMAXMSG: return "max message length out of range";
    case JIPC_CHANNEL_EALIGN: return "segment not 8-byte aligned";
    case JIPC_CHANNEL_EFLAGS: return "unsupported flags (a later format)";
    default: return "unknown error";
    }
}

/* ---- producer ------------------------------------------------------------------------------------------------ */

/* Start after the last record any earlier producer published (even one that died before moving the tail). */
static int recover_tail(jipc_channel *ch) {
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
    uint64_t end = head > tail ? head : tail;
    while (end - head < ch->capacity) {
        uint64_t index = end & ch->mask;
        uint32_t length = atomic_load_explicit(length_word(ch, index), memory_order_acquire);
        if (length == 0) {
            break;
        }
        if (length < JIPC_RECORD_HEADER_LENGTH || align8(length) > ch->capacity - index) {
            errno = EPROTO;
            return -1;
        }
        end += align8(length);
    }
    if (end != tail) {
        atomic_store_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), end, memory_order_release);
    }
    ch->head_cache = head;
    return 0;
}

static uint64_t required_space(const jipc_channel *ch, uint64_t tail, uint64_t space) {
    uint64_t to_end = ch->capacity - (tail & ch->mask);
    return space > to_end ? to_end + space : space;
}

/* Signed, as in Java: with many producers the tail may be more than a ring ahead of a stale head cache, and a
 * fresh head may be past a stale tail. With one producer 8 more bytes must be free: the length word after the
 * record, which the producer zeroes before publishing it because the consumer does not zero what it consumed. */
static int has_room(jipc_channel *ch, uint64_t tail, uint64_t required) {
    int64_t needed = (int64_t) required + (ch->many ? 0 : JIPC_RECORD_HEADER_LENGTH);
    if (needed > (int64_t) ch->capacity - (int64_t) (tail - ch->head_cache)) {
        ch->head_cache = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
        return needed <= (int64_t) ch->capacity - (int64_t) (tail - ch->head_cache);
    }
    return 1;
}

/* The producer's half of the wake protocol: fence, then wake only if the consumer announced its sleep. */
static void wake_consumer_if_sleeping(jipc_channel *ch) {
    atomic_thread_fence(memory_order_seq_cst);
    _Atomic uint32_t *waiting = u32(ch, JIPC_CHANNEL_CONSUMER_WAITING_OFFSET);
    uint32_t expected = 1;
    if (atomic_load_explicit(waiting, memory_order_relaxed) != 0
            && atomic_compare_exchange_strong(waiting, &expected, 0)) {
        _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_CONSUMER_WAKE_OFFSET);
        atomic_fetch_add(wake, 1);
        futex(wake, FUTEX_WAKE, 1, NULL);
    }
}

/* Many producers: a free slot, else one whose holder is dead, taken for party with one compare-and-set of its party
 * word; then claim -1, the display fields and the slot's waiting bit cleared (a dead holder may have died asleep). */
static int take_slot(jipc_channel *ch, uint64_t party) {
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < JIPC_CHANNEL_MAX_PRODUCER_SLOTS; i++) {
            _Atomic uint64_t *word = slot_word(ch, i, JIPC_CHANNEL_SLOT_PARTY_OFFSET);
            uint64_t holder = atomic_load_explicit(word, memory_order_acquire);
            /* first pass: free slots only; second: also slots of dead parties */
            int takeable = holder == 0 || (pass == 1 && jipc_live_check(holder) == JIPC_LIVE_DEAD);
            if (takeable && atomic_compare_exchange_strong(word, &holder, party)) {
                /* Until this store a consumer may see the old claim position under our party and wait a moment; it
                 * never takes a claim of ours for a dead one. */
                atomic_store(slot_word(ch, i, JIPC_CHANNEL_SLOT_CLAIM_OFFSET), (uint64_t) -1);
                atomic_store_explicit(u32(ch, JIPC_CHANNEL_PRODUCER_SLOTS_OFFSET
                                              + (size_t) JIPC_CHANNEL_PRODUCER_SLOT_LENGTH * i
                                              + JIPC_CHANNEL_SLOT_PID_OFFSET),
                                      (uint32_t) getpid(), memory_order_release);
                atomic_store_explicit(slot_word(ch, i, JIPC_CHANNEL_SLOT_PID_NAMESPACE_OFFSET), pid_namespace(),
                                      memory_order_release);
                atomic_fetch_and(u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET), ~(1ULL << i));
                remove_dead_token(holder);
                ch->slot = i;
                return 0;
            }
        }
    }
    errno = EBUSY;
    return -1;
}

int jipc_channel_attach_producer(jipc_channel *ch) {
    forget_inherited_roles(ch);
    if (ch->producer_party != 0) {
        return 0;
    }
    uint64_t party = new_party();
    if (party == 0) {
        return -1;
    }
    int taken;
    if (ch->many) {
        taken = take_slot(ch, party);
    } else {
        uint64_t previous;
        _Atomic uint64_t *word = u64(ch, JIPC_CHANNEL_PRODUCER_PARTY_OFFSET);
        taken = take_role(word, party, &previous);
        if (taken == 0) {
            atomic_store_explicit(u32(ch, JIPC_CHANNEL_PRODUCER_PID_OFFSET), (uint32_t) getpid(),
                                  memory_order_release);
            atomic_store_explicit(u64(ch, JIPC_CHANNEL_PRODUCER_PID_NAMESPACE_OFFSET), pid_namespace(),
                                  memory_order_release);
            if (previous != 0) {
                /* the dead producer may have died asleep on a full ring */
                atomic_fetch_and(u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET),
                                 ~JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT);
            }
            /* only now, as the role's holder, may this instance write the tail and the ring */
            if (recover_tail(ch) < 0) {
                int error = errno;
                give_role_back(word, party);
                errno = error;
                taken = -1;
            }
        }
    }
    if (taken < 0) {
        int error = errno;
        release_party(party);
        errno = error;
        return -1;
    }
    role_taken();
    ch->producer_party = party;
    ch->generation = fork_generation_now();
    return 0;
}

void jipc_channel_detach_producer(jipc_channel *ch) {
    if (!holds_producer(ch)) {
        return;
    }
    uint64_t party = ch->producer_party;
    if (ch->many) {
        atomic_store_explicit(slot_word(ch, ch->slot, JIPC_CHANNEL_SLOT_CLAIM_OFFSET), (uint64_t) -1,
                              memory_order_release);
        if (give_role_back(slot_word(ch, ch->slot, JIPC_CHANNEL_SLOT_PARTY_OFFSET), party)) {
            role_given_back();
        }
        ch->slot = -1;
    } else if (give_role_back(u64(ch, JIPC_CHANNEL_PRODUCER_PARTY_OFFSET), party)) {
        role_given_back();
    }
    ch->producer_party = 0;
    release_party(party);
}

/* Many producers: claim by CAS of the tail with the claim position announced first, negative header, payload,
 * then the committed header in one 64-bit store (docs/channel-format.md, "Producer: publish one message"). */
static int offer_many(jipc_channel *ch, int32_t type, const void *payload, uint32_t length) {
    _Atomic uint64_t *claim = slot_word(ch, ch->slot, JIPC_CHANNEL_SLOT_CLAIM_OFFSET);
    _Atomic uint64_t *tail_word = u64(ch, JIPC_CHANNEL_TAIL_OFFSET);
    uint64_t space = align8((uint64_t) JIPC_RECORD_HEADER_LENGTH + length);
    uint64_t tail;
    uint64_t required;
    for (;;) {
        tail = atomic_load(tail_word);
        required = required_space(ch, tail, space);
        if (!has_room(ch, tail, required)) {
            atomic_store_explicit(claim, (uint64_t) -1, memory_order_release);
            return 0;
        }
        /* before the CAS: a consumer that sees the moved tail sees this position and waits for our header */
        atomic_store(claim, tail);
        if (atomic_compare_exchange_strong(tail_word, &tail, tail + required)) {
            break;
        }
    }
    uint64_t index = tail & ch->mask;
    uint64_t padding = required - space;
    if (padding != 0) {
        atomic_store_explicit(header_word(ch, index), header((int32_t) padding, JIPC_RECORD_PADDING_TYPE),
                              memory_order_release);
    }
    uint64_t record = padding == 0 ? index : 0;
    int32_t total = (int32_t) (JIPC_RECORD_HEADER_LENGTH + length);
    atomic_store_explicit(header_word(ch, record), header(-total, ch->slot), memory_order_release);
    memcpy(ch->ring + record + JIPC_RECORD_HEADER_LENGTH, payload, length);
    atomic_store_explicit(header_word(ch, record), header(total, type), memory_order_release);
    atomic_store_explicit(claim, (uint64_t) -1, memory_order_release);
    wake_consumer_if_sleeping(ch);
    return 1;
}

int jipc_channel_offer(jipc_channel *ch, int32_t type, const void *payload, uint32_t length) {
    if (type < 1 || length > ch->max_message_length) {
        errno = EINVAL;
        return -1;
    }
    if (!holds_producer(ch) && jipc_channel_attach_producer(ch) < 0) {
        return -1;
    }
    if (ch->many) {
        return offer_many(ch, type, payload, length);
    }
    /* only this producer writes the tail */
    uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_relaxed);
    uint64_t space = align8((uint64_t) JIPC_RECORD_HEADER_LENGTH + length);
    uint64_t index = tail & ch->mask;
    uint64_t required = required_space(ch, tail, space);
    uint64_t padding = required - space;
    if (!has_room(ch, tail, required)) { /* keeps the next record's length word free: see has_room */
        return 0;
    }
    uint64_t record = padding == 0 ? index : 0;
    memcpy(ch->ring + record + JIPC_RECORD_HEADER_LENGTH, payload, length);
    uint64_t next = tail + required;
    /* Zero the length word after this record (free space, reserved above): it may hold an old record's length, or
     * bytes a producer that died mid-claim wrote; the consumer, arriving at next, must read 0 there. Ordered by the
     * release store below. */
    atomic_store_explicit(length_word(ch, next & ch->mask), 0, memory_order_relaxed);
    memcpy(ch->ring + record + JIPC_RECORD_TYPE_OFFSET, &type, 4);
    atomic_store_explicit(length_word(ch, record), (uint32_t) (JIPC_RECORD_HEADER_LENGTH + length),
                          memory_order_release);
    if (padding != 0) {
        /* after the record it covers: a consumer that reads the padding finds the record complete behind it */
        int32_t padding_type = JIPC_RECORD_PADDING_TYPE;
        memcpy(ch->ring + index + JIPC_RECORD_TYPE_OFFSET, &padding_type, 4);
        atomic_store_explicit(length_word(ch, index), (uint32_t) padding, memory_order_release);
    }
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), next, memory_order_release);
    wake_consumer_if_sleeping(ch);
    return 1;
}

int jipc_channel_wait_room(jipc_channel *ch, uint32_t length, int64_t timeout_ns) {
    if (!holds_producer(ch) && jipc_channel_attach_producer(ch) < 0) {
        return -1;
    }
    uint64_t space = align8((uint64_t) JIPC_RECORD_HEADER_LENGTH + length);
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
    _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_PRODUCER_WAKE_OFFSET);
    _Atomic uint64_t *waiting = u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET);
    /* this producer's bit in the set: its slot's, or bit 63 for the producer of a one-producer channel */
    uint64_t bit = ch->many ? 1ULL << ch->slot : JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT;
    for (;;) {
        /* acquire: many producers move the tail too */
        uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
        if (has_room(ch, tail, required_space(ch, tail, space))) {
            return 1;
        }
        int64_t left = deadline == INT64_MAX ? SLICE_NS : deadline - now_ns();
        if (left <= 0) {
            return 0;
        }
        int64_t slice = left < SLICE_NS ? left : SLICE_NS;
        struct timespec ts = { slice / 1000000000LL, slice % 1000000000LL };
        uint32_t seen = atomic_load(wake);
        atomic_fetch_or(waiting, bit); /* an atomic RMW: a full fence before the re-check */
        if (!has_room(ch, tail, required_space(ch, tail, space))) {
            futex(wake, FUTEX_WAIT, seen, &ts);
        }
        atomic_fetch_and(waiting, ~bit);
    }
}

/* ---- consumer ------------------------------------------------------------------------------------------------ */

/* The consumer's half of the producers' wake protocol: fence after the head's release store, then wake only if a
 * bit of the producers-waiting set is on. A wake that woke nobody may mean bits of producers that died asleep. */
static void wake_producers_if_sleeping(jipc_channel *ch) {
    atomic_thread_fence(memory_order_seq_cst);
    uint64_t waiting = atomic_load_explicit(u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET), memory_order_relaxed);
    if (waiting != 0) {
        _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_PRODUCER_WAKE_OFFSET);
        atomic_fetch_add(wake, 1);
        if (futex(wake, FUTEX_WAKE, INT_MAX, NULL) == 0) {
            clear_dead_waiters(ch, waiting);
        }
    }
}

/* Clears the bits of waiting whose producer is certainly dead or gone (a slot whose party word is 0), so that a
 * producer killed asleep on a full ring does not cost every later give-back a FUTEX_WAKE; at most every 100 ms, as
 * a verdict costs system calls. A producer that sets its bit just after this clear is woken by its slice's end. */
static void clear_dead_waiters(jipc_channel *ch, uint64_t waiting) {
    int64_t now = now_ns();
    if (now < ch->next_waiting_check) {
        return;
    }
    ch->next_waiting_check = now + WAITING_CHECK_NS;
    _Atomic uint64_t *set = u64(ch, JIPC_CHANNEL_PRODUCERS_WAITING_OFFSET);
    if (!ch->many) {
        if ((waiting & JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT) != 0
                && !may_be_alive(atomic_load(u64(ch, JIPC_CHANNEL_PRODUCER_PARTY_OFFSET)))) {
            atomic_fetch_and(set, ~JIPC_CHANNEL_ONE_PRODUCER_WAITING_BIT);
        }
        return;
    }
    for (int i = 0; i < JIPC_CHANNEL_MAX_PRODUCER_SLOTS; i++) {
        uint64_t bit = 1ULL << i;
        if ((waiting & bit) != 0 && !may_be_alive(atomic_load(slot_word(ch, i, JIPC_CHANNEL_SLOT_PARTY_OFFSET)))) {
            atomic_fetch_and(set, ~bit);
        }
    }
}

int jipc_channel_has_message(const jipc_channel *ch) {
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    /* > 0: a claim of a many-producer channel has a negative length until it is committed */
    return (int32_t) atomic_load_explicit(length_word(ch, head & ch->mask), memory_order_acquire) > 0;
}

/* Slot i's claim position if its owner claims below `below` and may be alive (alive or cannot decide), else -1.
 * Party, claim, party again: a claim position is never paired with another owner. */
static int64_t live_claim(const jipc_channel *ch, int i, uint64_t below) {
    _Atomic uint64_t *party = slot_word(ch, i, JIPC_CHANNEL_SLOT_PARTY_OFFSET);
    for (;;) {
        uint64_t owner = atomic_load_explicit(party, memory_order_acquire);
        if (owner == 0) {
            return -1;
        }
        int64_t claim = (int64_t) atomic_load_explicit(slot_word(ch, i, JIPC_CHANNEL_SLOT_CLAIM_OFFSET),
                                                       memory_order_acquire);
        if (atomic_load_explicit(party, memory_order_acquire) != owner) {
            continue;
        }
        return claim >= 0 && (uint64_t) claim < below && may_be_alive(owner) ? claim : -1;
    }
}

/* A claim (negative length) at position: padding once its slot's owner certainly does not own it any more.
 * 1: a published record is there now; 0: wait; -1: corrupt (errno EPROTO). */
static int resolve_claim(jipc_channel *ch, uint64_t position) {
    uint64_t index = position & ch->mask;
    uint64_t h = atomic_load_explicit(header_word(ch, index), memory_order_acquire);
    int32_t length = (int32_t) h;
    if (length >= 0) {
        return length > 0;
    }
    int32_t slot = (int32_t) (h >> 32);
    if (slot < 0 || slot >= JIPC_CHANNEL_MAX_PRODUCER_SLOTS) {
        errno = EPROTO;
        return -1;
    }
    int64_t claim = live_claim(ch, slot, position + 1);
    if (claim >= 0 && (uint64_t) claim <= position) {
        return 0;
    }
    /* only if still the claim: a commit stores its header before it clears its claim position */
    atomic_compare_exchange_strong(header_word(ch, index), &h, header(-length, JIPC_RECORD_PADDING_TYPE));
    return (int32_t) atomic_load_explicit(length_word(ch, index), memory_order_acquire) > 0;
}

/* A zero length below the tail: a claim without a header. Padding up to the first non-zero word, the lowest live
 * claim position, or the ring's end, once no live producer may own position. Results as resolve_claim. */
static int resolve_headerless(jipc_channel *ch, uint64_t position) {
    uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
    if (tail <= position) {
        return 0;
    }
    uint64_t bound = tail;
    for (int i = 0; i < JIPC_CHANNEL_MAX_PRODUCER_SLOTS; i++) {
        int64_t claim = live_claim(ch, i, tail);
        if (claim >= 0) {
            if ((uint64_t) claim <= position) {
                return 0;
            }
            if ((uint64_t) claim < bound) {
                bound = (uint64_t) claim;
            }
        }
    }
    uint64_t index = position & ch->mask;
    int32_t now = (int32_t) atomic_load_explicit(length_word(ch, index), memory_order_acquire);
    if (now != 0) {
        return now > 0 ? 1 : resolve_claim(ch, position);
    }
    uint64_t limit = bound - position;
    if (limit > ch->capacity - index) {
        limit = ch->capacity - index;
    }
    if (limit > MAX_PADDING) {
        limit = MAX_PADDING;
    }
    uint64_t end = JIPC_RECORD_ALIGNMENT;
    while (end < limit && atomic_load_explicit(length_word(ch, index + end), memory_order_acquire) == 0) {
        end += JIPC_RECORD_ALIGNMENT;
    }
    uint64_t zero = 0;
    atomic_compare_exchange_strong(header_word(ch, index), &zero,
                                   header((int32_t) (end < limit ? end : limit), JIPC_RECORD_PADDING_TYPE));
    return (int32_t) atomic_load_explicit(length_word(ch, index), memory_order_acquire) > 0;
}

/* Many producers: a stalled head (a claim, or zeros below the tail) looked at no more than once a millisecond. */
static int resolve_stall(jipc_channel *ch, uint64_t position, int32_t length) {
    int64_t now = now_ns();
    if (now < ch->next_stall_check) {
        return 0;
    }
    ch->next_stall_check = now + STALL_CHECK_NS;
    return length < 0 ? resolve_claim(ch, position) : resolve_headerless(ch, position);
}

/* Zeroes length <= capacity ring bytes from position on, in two pieces if they wrap. */
static void zero_ring(jipc_channel *ch, uint64_t position, uint64_t length) {
    uint64_t index = position & ch->mask;
    uint64_t first = length < ch->capacity - index ? length : ch->capacity - index;
    memset(ch->ring + index, 0, first);
    if (first < length) {
        memset(ch->ring, 0, length - first);
    }
}

/* Gives [head, new_head) back to the producers: the pending head first, so that the successor of a consumer killed
 * while giving back knows how far to finish; then (many producers) the zeroing (they rely on "length 0 = not
 * written yet"); then the head, with a release store. A process killed leaves its stores in program order (x86-64
 * keeps stores in order); the signal fence stops the compiler from moving the memset before the pending store. */
static void give_back(jipc_channel *ch, uint64_t head, uint64_t new_head) {
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_PENDING_HEAD_OFFSET), new_head, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    if (ch->many) {
        /* only many producers need it: any 8-byte word may become a claimed record's header, whose 0 means "claimed,
         * not written yet"; one producer zeroes just the length word after its own record */
        zero_ring(ch, head, new_head - head);
    }
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), new_head, memory_order_release);
    wake_producers_if_sleeping(ch);
}

int jipc_channel_poll(jipc_channel *ch, jipc_channel_handler handler, void *context, int limit) {
    if (!holds_consumer(ch) && jipc_channel_register_consumer(ch) < 0) {
        return -1;
    }
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_relaxed);
    uint64_t consumed = 0;
    int messages = 0;
    int corrupt = 0;
    while (messages < limit && consumed < ch->capacity) {
        uint64_t index = (head + consumed) & ch->mask;
        /* length and type in one load: the many-producer channel publishes them in one store */
        uint64_t h = atomic_load_explicit(header_word(ch, index), memory_order_acquire);
        int32_t length = (int32_t) h;
        if (length <= 0) {
            if (length < 0 && !ch->many) {
                corrupt = 1;
                break;
            }
            int resolved = ch->many && length <= 0 ? resolve_stall(ch, head + consumed, length) : 0;
            if (resolved <= 0) {
                corrupt = resolved < 0;
                break;
            }
            h = atomic_load_explicit(header_word(ch, index), memory_order_acquire);
            length = (int32_t) h;
        }
        uint64_t space = align8((uint32_t) length);
        if (length < JIPC_RECORD_HEADER_LENGTH || space > ch->capacity - index) {
            corrupt = 1;
            break;
        }
        int32_t type = (int32_t) (h >> 32);
        if (type < 1 && type != JIPC_RECORD_PADDING_TYPE) {
            corrupt = 1; /* neither a message type nor padding: not handed out, not given back */
            break;
        }
        consumed += space;
        if (type != JIPC_RECORD_PADDING_TYPE) {
            messages++;
            handler(context, type, ch->ring + index + JIPC_RECORD_HEADER_LENGTH, length - JIPC_RECORD_HEADER_LENGTH);
        }
    }
    if (consumed > 0) {
        give_back(ch, head, head + consumed);
    }
    if (corrupt) {
        errno = EPROTO;
        return -1;
    }
    return messages;
}

/* A record at the head, or (many producers) a stalled head that could be turned into padding: a dead producer wakes
 * nobody, so a sleeping consumer looks again when its slice ends. */
static int consumer_ready(jipc_channel *ch) {
    if (jipc_channel_has_message(ch)) {
        return 1;
    }
    if (!ch->many) {
        return 0;
    }
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    int32_t length = (int32_t) atomic_load_explicit(length_word(ch, head & ch->mask), memory_order_acquire);
    return resolve_stall(ch, head, length) > 0;
}

int jipc_channel_wait_message(jipc_channel *ch, int64_t timeout_ns) {
    int64_t deadline = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
    _Atomic uint32_t *wake = u32(ch, JIPC_CHANNEL_CONSUMER_WAKE_OFFSET);
    _Atomic uint32_t *waiting = u32(ch, JIPC_CHANNEL_CONSUMER_WAITING_OFFSET);
    for (;;) {
        if (consumer_ready(ch)) {
            return 1;
        }
        int64_t left = deadline == INT64_MAX ? SLICE_NS : deadline - now_ns();
        if (left <= 0) {
            return 0;
        }
        int64_t slice = left < SLICE_NS ? left : SLICE_NS;
        struct timespec ts = { slice / 1000000000LL, slice % 1000000000LL };
        /* read the wake word before announcing: an increment after the re-check makes FUTEX_WAIT return EAGAIN */
        uint32_t seen = atomic_load(wake);
        atomic_store(waiting, 1);
        atomic_thread_fence(memory_order_seq_cst);
        if (!jipc_channel_has_message(ch)) {
            futex(wake, FUTEX_WAIT, seen, &ts);
        }
        atomic_store(waiting, 0);
    }
}

/* ---- the consumer role ---------------------------------------------------------------------------------------- */

int jipc_channel_register_consumer(jipc_channel *ch) {
    forget_inherited_roles(ch);
    if (ch->consumer_party != 0) {
        return 0;
    }
    uint64_t party = new_party();
    if (party == 0) {
        return -1;
    }
    uint64_t previous;
    if (take_role(u64(ch, JIPC_CHANNEL_CONSUMER_PARTY_OFFSET), party, &previous) < 0) {
        release_party(party);
        errno = EBUSY;
        return -1;
    }
    role_taken();
    ch->consumer_party = party;
    atomic_store_explicit(u32(ch, JIPC_CHANNEL_CONSUMER_PID_OFFSET), (uint32_t) getpid(), memory_order_release);
    atomic_store_explicit(u64(ch, JIPC_CHANNEL_CONSUMER_PID_NAMESPACE_OFFSET), pid_namespace(),
                          memory_order_release);
    if (previous != 0) {
        /* a dead consumer may have left its waiting flag set: one needless wake for the next commit otherwise */
        atomic_store(u32(ch, JIPC_CHANNEL_CONSUMER_WAITING_OFFSET), 0);
    }
    /* a consumer killed while giving room back: finish its zeroing and publish the head it was about to. Only the
     * role's holder does this, so no two processes zero at once. */
    uint64_t head = atomic_load_explicit(u64(ch, JIPC_CHANNEL_HEAD_OFFSET), memory_order_acquire);
    uint64_t pending = atomic_load_explicit(u64(ch, JIPC_CHANNEL_PENDING_HEAD_OFFSET), memory_order_acquire);
    if (pending > head) {
        uint64_t tail = atomic_load_explicit(u64(ch, JIPC_CHANNEL_TAIL_OFFSET), memory_order_acquire);
        if (pending - head > ch->capacity || pending > tail) {
            errno = EPROTO;
            return -1;
        }
        give_back(ch, head, pending);
    }
    return 0;
}

void jipc_channel_unregister_consumer(jipc_channel *ch) {
    if (!holds_consumer(ch)) {
        return;
    }
    uint64_t party = ch->consumer_party;
    ch->consumer_party = 0;
    if (give_role_back(u64(ch, JIPC_CHANNEL_CONSUMER_PARTY_OFFSET), party)) {
        role_given_back();
    }
    release_party(party);
}

int jipc_channel_consumer_alive(const jipc_channel *ch) {
    return may_be_alive(atomic_load_explicit(u64(ch, JIPC_CHANNEL_CONSUMER_PARTY_OFFSET), memory_order_acquire));
}

/* ---- roles for structures built out of channels (jipc_rpc.c) ---------------------------------------------------- */

uint64_t jipc_live_new_party(void) {
    return new_party();
}

void jipc_live_release_party(uint64_t party) {
    release_party(party);
}

int jipc_live_take_role(uint64_t *word, uint64_t mine, uint64_t *previous) {
    if (take_role((_Atomic uint64_t *) word, mine, previous) < 0) {
        return -1;
    }
    role_taken();
    return 0;
}

int jipc_live_give_role_back(uint64_t *word, uint64_t mine) {
    if (!give_role_back((_Atomic uint64_t *) word, mine)) {
        return 0;
    }
    role_given_back();
    return 1;
}

uint64_t jipc_live_pid_namespace(void) {
    return pid_namespace();
}
