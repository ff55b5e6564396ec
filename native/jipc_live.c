/*
 * jipc's liveness tokens in C (jipc.live's token, monitor and roles); see jipc_live.h and docs/liveness-format.md.
 * Shared by the C twins of the channel (jipc_channel.c) and of the topic (jipc_topic.c).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "jipc_live.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

unsigned jipc_live_fork_generation(void) {
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
uint64_t jipc_live_pid_namespace(void) {
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
                         (unsigned long long) jipc_live_pid_namespace());
        ssize_t unused = write(fd, line, (size_t) n);
        (void) unused;
        if (publish_token(fresh, path) < 0) {
            int error = errno;
            unlink(fresh);
            close(fd);
            if ((error == EEXIST || error == ENOENT) && attempt < 100) {
                /* EEXIST: a token, perhaps a dead one, has this number; ENOENT: the .new name was removed under us
                 * (a concurrent `jipc clean` took the unlocked file for a dead one's): draw another */
                continue;
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
uint64_t jipc_live_new_party(void) {
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
void jipc_live_release_party(uint64_t party) {
    unsigned number = (unsigned) (party >> JIPC_LIVE_PARTY_NUMBER_SHIFT) & 0xFFFF;
    pthread_mutex_lock(&token.lock);
    if (token.fd >= 0 && (party & TOKEN_KEY_MASK) == token.key && number != JIPC_LIVE_PROCESS_PARTY) {
        token.numbers[number / 64] &= ~(1ULL << (number % 64));
    }
    pthread_mutex_unlock(&token.lock);
}

void jipc_live_role_taken(void) {
    pthread_mutex_lock(&token.lock);
    token.roles_held++;
    pthread_mutex_unlock(&token.lock);
}

void jipc_live_role_given_back(void) {
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
void jipc_live_remove_dead_token(uint64_t party) {
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
int jipc_live_may_be_alive(uint64_t party) {
    enum jipc_live_state state = jipc_live_check(party);
    return state == JIPC_LIVE_ALIVE || state == JIPC_LIVE_UNKNOWN;
}

/* Takes the role held in word for mine (liveness-format.md, "Exclusive roles"): one compare-and-set from 0 or from
 * a holder that is certainly dead. Of two takers exactly one wins; the other sees the winner, alive, and fails.
 * *previous: 0 if the role was free (or already ours), else the dead holder it was taken over from. 0, or -1 EBUSY. */
int jipc_live_take_role(void *role_word, uint64_t mine, uint64_t *previous) {
    _Atomic uint64_t *word = role_word;
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
            jipc_live_remove_dead_token(holder);
            return 0;
        }
        /* another taker, or the holder, changed the word: judge the new holder */
    }
}

/* CAS(word, mine, 0): whether the role was ours and is given back. */
int jipc_live_give_role_back(void *role_word, uint64_t mine) {
    return atomic_compare_exchange_strong((_Atomic uint64_t *) role_word, &mine, 0);
}
