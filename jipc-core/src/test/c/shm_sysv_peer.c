/*
 * The System V side of jipc's shared memory tests: the classic shmget/shmat/shmdt flow in C.
 *
 *   shm_sysv_peer write-ftok PATH PROJ   key = ftok(PATH, PROJ); attach the existing segment, strcpy "Hello World"
 *                                        into it, detach. Prints the key in hex.
 *   shm_sysv_peer read-id ID             attach segment ID read-only, print the string at offset 0, then the
 *                                        segment's IPC_STAT fields as name=value pairs, detach.
 *
 * Exit status 0 on success; on failure the failed call and errno go to stderr and the status is 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

static int fail(const char *call) {
    fprintf(stderr, "%s: %s\n", call, strerror(errno));
    return 1;
}

static int write_ftok(const char *path, int proj) {
    key_t key = ftok(path, proj);
    if (key == -1) return fail("ftok");
    printf("key=0x%08x\n", (unsigned) key);
    int id = shmget(key, 0, 0);
    if (id == -1) return fail("shmget");
    char *p = shmat(id, NULL, 0);
    if (p == (char *) -1) return fail("shmat");
    strcpy(p, "Hello World");
    if (shmdt(p) == -1) return fail("shmdt");
    return 0;
}

static int read_id(int id) {
    const char *p = shmat(id, NULL, SHM_RDONLY);
    if (p == (const char *) -1) return fail("shmat");
    printf("%s\n", p);
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) == -1) return fail("shmctl");
    printf("key=%d segsz=%zu uid=%u gid=%u cuid=%u cgid=%u mode=%o cpid=%d lpid=%d nattch=%lu\n",
           (int) ds.shm_perm.__key, ds.shm_segsz, ds.shm_perm.uid, ds.shm_perm.gid, ds.shm_perm.cuid,
           ds.shm_perm.cgid, ds.shm_perm.mode & 0777, ds.shm_cpid, ds.shm_lpid, (unsigned long) ds.shm_nattch);
    if (shmdt(p) == -1) return fail("shmdt");
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "write-ftok") == 0) return write_ftok(argv[2], atoi(argv[3]));
    if (argc == 3 && strcmp(argv[1], "read-id") == 0) return read_id(atoi(argv[2]));
    fprintf(stderr, "usage: %s write-ftok PATH PROJ | read-id ID\n", argv[0]);
    return 2;
}
