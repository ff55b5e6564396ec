/*
 * jipc_live: jipc's liveness tokens in C (jipc.live), shared by the C twins of the channel (jipc_channel.h) and of the
 * topic (jipc_topic.h). Party ids, token files, verdicts and exclusive roles are specified in
 * docs/liveness-format.md; the numbers below are those of jipc.live.LivenessDescriptor.
 *
 * A process holds one token, made on the first role taken (default mode 0600; jipc_live_set_access chooses another
 * before that) and kept open, close-on-exec, for the life of the process. A child forked without exec forgets it
 * (a pthread_atfork child handler closes the inherited descriptor), holds none of its parent's roles and makes a
 * token of its own when it needs one. Everything here is thread-safe.
 *
 * Requires Linux (open file description locks) and C11 atomics; build with gcc -std=gnu11 (or c11 with _GNU_SOURCE;
 * add -pthread on glibc older than 2.34).
 */
#ifndef JIPC_LIVE_H
#define JIPC_LIVE_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Party ids (docs/liveness-format.md), uint64:
 *
 *   63              48 47              32 31                                0
 *  +------------------+------------------+-----------------------------------+
 *  |    store tag     |   party number   |           token number            |
 *  +------------------+------------------+-----------------------------------+
 *
 * token number: random, not 0 and not 0xFFFFFFFF; party number 1: the process, 2..65535: one instance holding one
 * role; store tag: jipc_live_store_tag of /dev/shm. The token file is /dev/shm/jipc.live.TTTTNNNNNNNN (tag, token
 * number; lower-case hex).
 */
#define JIPC_LIVE_TOKEN_DIRECTORY "/dev/shm"
#define JIPC_LIVE_TOKEN_PREFIX "jipc.live."
#define JIPC_LIVE_NEW_SUFFIX ".new"
#define JIPC_LIVE_LOCK_BYTE 0
#define JIPC_LIVE_TOKEN_NUMBER_SHIFT 0
#define JIPC_LIVE_PARTY_NUMBER_SHIFT 32
#define JIPC_LIVE_STORE_TAG_SHIFT 48
#define JIPC_LIVE_PROCESS_PARTY 1
#define JIPC_LIVE_MAX_PARTY 0xFFFF

/* A verdict on a party id. UNKNOWN (cannot decide) counts as alive: nothing is taken over from it. */
enum jipc_live_state {
    JIPC_LIVE_NONE = 0,             /* party id 0: nobody */
    JIPC_LIVE_ALIVE = 1,            /* its token is locked (or it is a party of this process, handed out) */
    JIPC_LIVE_DEAD = 2,             /* its token is gone or not locked (or a party of this process given back) */
    JIPC_LIVE_UNKNOWN = 3           /* another /dev/shm (store tag), or its token cannot be opened or tested */
};

/* ---- liveness tokens (docs/liveness-format.md) ---- */

/* Chooses the access class of this process's token before it is made: the permission bits of the objects its parties
 * appear in (the token gets mode | (mode & 0222) << 1 | 0600: read wherever write is granted) and their group
 * ((gid_t) -1: the process's own). Whoever may open the objects must be able to open the token, and nobody else
 * should (a stranger who can open it can read-lock it and keep a dead process looking alive). Default: 0600, -1.
 * 0, or -1 with errno EBUSY once the token is made (it serves one class for the life of the process). */
int jipc_live_set_access(mode_t mode, gid_t gid);

/* The party id that stands for this whole process (party number 1), making the token if there is none yet: for a
 * structure's creator or owner word. 0 with errno if the token cannot be made. */
uint64_t jipc_live_process_party(void);

/* The token file's path, or NULL if this process has no token (yet, or since a fork). */
const char *jipc_live_token_path(void);

/* The verdict on a party id read from shared memory ("Judging a party"): NONE for 0; a party of this process: ALIVE
 * while handed out, else DEAD (no system call); another store tag: UNKNOWN; else by its token file: gone (ENOENT) DEAD,
 * not to be opened UNKNOWN, F_OFD_GETLK(F_WRLCK, byte 0) says F_UNLCK: DEAD, a lock: ALIVE, fails: UNKNOWN.
 * Never trusts the id: a forged one costs at most an open that fails. */
enum jipc_live_state jipc_live_check(uint64_t party);

/* "alive", "dead", "alive?" (cannot decide) or "none", as jipc.live.PartyState.word(). */
const char *jipc_live_state_word(enum jipc_live_state state);

/* The store tag of a token directory with this st_dev and st_ino: a 16-bit fold of both, never 0; equal to
 * jipc.live.LivenessDescriptor.storeTag(dev, ino). */
uint16_t jipc_live_store_tag(uint64_t dev, uint64_t ino);

/* The store tag of this process's /dev/shm (stat once, then cached); 0 with errno if it cannot be stat'ed. */
uint16_t jipc_live_own_store_tag(void);

/* ---- for the structures' C twins (jipc_channel.c, jipc_topic.c): parties and exclusive roles ---- */

/* A fresh party of this process for one role (the lowest party number not handed out), making the token if needed;
 * 0 with errno if the token cannot be made, or EMFILE if all 65534 numbers are handed out. */
uint64_t jipc_live_new_party(void);

/* Gives a party number back for reuse (give its role back first). A party of a token forgotten at fork: nothing. */
void jipc_live_release_party(uint64_t party);

/* Counts roles taken and given back (for tests and debugging; nothing removes the token). */
void jipc_live_role_taken(void);
void jipc_live_role_given_back(void);

/* Takes the role held in the aligned 64-bit word role_word for mine (liveness-format.md, "Exclusive roles"): one
 * compare-and-set from 0 or from a holder that is certainly dead (whose token file it then removes, best effort).
 * *previous: 0 if the role was free (or already ours), else the dead holder it was taken over from. 0, or -1 EBUSY. */
int jipc_live_take_role(void *role_word, uint64_t mine, uint64_t *previous);

/* CAS(role_word, mine, 0): whether the role was ours and is given back. */
int jipc_live_give_role_back(void *role_word, uint64_t mine);

/* Alive or cannot decide (whatever it holds must not be taken over): 1; dead or none: 0. */
int jipc_live_may_be_alive(uint64_t party);

/* Removes a dead party's token file if it is in our /dev/shm, still there and still not locked (the cleaner's job,
 * done by whoever takes over from the dead). Best effort; keeps errno. */
void jipc_live_remove_dead_token(uint64_t party);

/* Incremented in a forked child: an instance whose roles were taken in another generation holds none of them. */
unsigned jipc_live_fork_generation(void);

/* The inode of this process's pid namespace ("pid:[INODE]"), 0 if unreadable: for display fields only. */
uint64_t jipc_live_pid_namespace(void);

#ifdef __cplusplus
}
#endif

#endif
