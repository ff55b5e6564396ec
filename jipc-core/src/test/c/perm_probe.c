/*
 * Tries what another user would do to jipc's objects and prints one line per attempt: "ok" or the errno name.
 * PermissionsTest runs it as user nobody (setpriv) to show what the objects' modes let a stranger do.
 *
 * Each attempt is three arguments, VERB TARGET ACCESS:
 *   shm     /name  rw|ro   shm_open(O_RDWR|O_RDONLY), then mmap the whole object (PROT_WRITE for rw)
 *   sem     /name  post    sem_open(name, 0), then sem_post
 *   path    PATH   rw|ro   open(PATH, O_RDWR|O_RDONLY|O_NONBLOCK) (a FIFO, a /proc/PID/fd/N link...)
 *   fifo    PATH   r|w     open(PATH, O_RDONLY|O_WRONLY, O_NONBLOCK); w needs a reader to be "ok"
 *   sysvshm ID     rw|ro   shmat(id, NULL, 0 or SHM_RDONLY)
 *   sysvsem ID     post    semop(id, {0, +1, 0})
 *
 * usage: perm_probe VERB TARGET ACCESS [VERB TARGET ACCESS]...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *result(int ok) {
    return ok ? "ok" : strerrorname_np(errno);
}

static int try_shm(const char *name, int rw) {
    int fd = shm_open(name, rw ? O_RDWR : O_RDONLY, 0);
    if (fd < 0) {
        return 0;
    }
    struct stat st;
    int ok = fstat(fd, &st) == 0;
    if (ok && st.st_size > 0) {
        void *p = mmap(NULL, (size_t) st.st_size, rw ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
        ok = p != MAP_FAILED;
        if (ok) {
            munmap(p, (size_t) st.st_size);
        }
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return ok;
}

static int try_sem(const char *name) {
    sem_t *s = sem_open(name, 0);
    if (s == SEM_FAILED) {
        return 0;
    }
    int ok = sem_post(s) == 0;
    int saved = errno;
    sem_close(s);
    errno = saved;
    return ok;
}

static int try_open(const char *path, int flags) {
    int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    close(fd);
    return 1;
}

static int try_sysvshm(int id, int rw) {
    void *p = shmat(id, NULL, rw ? 0 : SHM_RDONLY);
    if (p == (void *) -1) {
        return 0;
    }
    shmdt(p);
    return 1;
}

static int try_sysvsem(int id) {
    struct sembuf op = {.sem_num = 0, .sem_op = 1, .sem_flg = 0};
    return semop(id, &op, 1) == 0;
}

int main(int argc, char **argv) {
    if (argc < 4 || (argc - 1) % 3 != 0) {
        fprintf(stderr, "usage: perm_probe VERB TARGET ACCESS [VERB TARGET ACCESS]...\n");
        return 2;
    }
    for (int i = 1; i + 2 < argc; i += 3) {
        const char *verb = argv[i];
        const char *target = argv[i + 1];
        const char *access = argv[i + 2];
        int rw = strcmp(access, "rw") == 0 || strcmp(access, "w") == 0;
        int ok;
        errno = 0;
        if (strcmp(verb, "shm") == 0) {
            ok = try_shm(target, rw);
        } else if (strcmp(verb, "sem") == 0) {
            ok = try_sem(target);
        } else if (strcmp(verb, "path") == 0) {
            ok = try_open(target, rw ? O_RDWR : O_RDONLY);
        } else if (strcmp(verb, "fifo") == 0) {
            ok = try_open(target, rw ? O_WRONLY : O_RDONLY);
        } else if (strcmp(verb, "sysvshm") == 0) {
            ok = try_sysvshm(atoi(target), rw);
        } else if (strcmp(verb, "sysvsem") == 0) {
            ok = try_sysvsem(atoi(target));
        } else {
            fprintf(stderr, "perm_probe: unknown verb %s\n", verb);
            return 2;
        }
        printf("%s %s %s %s\n", verb, target, access, result(ok));
    }
    return 0;
}
