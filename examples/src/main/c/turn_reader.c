/*
 * turn_reader: the C peer of SemaphoreTurns, the seed's alternation ("B writes only when the semaphore is 0 and
 * sets it to 1; A reads only when it is 1 and sets it to 0") with two POSIX named semaphores over a POSIX shared
 * memory object, nothing but libc: the Java side made all three with jipc.
 *
 *   turn_reader SHM WRITTEN READ ROUNDS
 *
 * Each round: sem_wait(WRITTEN) (the Java writer filled the page), read the NUL-terminated text at offset 0, check
 * it says "message N", print it, sem_post(READ) (the page is free again). Exit 0 after ROUNDS rounds, 1 for a wrong
 * message, 2 for a usage or system error. Built by the examples' pom: gcc -std=gnu11 -O2 turn_reader.c -pthread
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: turn_reader SHM WRITTEN READ ROUNDS\n");
        return 2;
    }
    int rounds = atoi(argv[4]);
    int fd = shm_open(argv[1], O_RDONLY, 0);
    if (fd < 0) {
        fprintf(stderr, "turn_reader: shm_open(\"%s\"): %s\n", argv[1], strerror(errno));
        return 2;
    }
    const char *page = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    sem_t *written = sem_open(argv[2], 0);
    sem_t *read = sem_open(argv[3], 0);
    if (page == MAP_FAILED || written == SEM_FAILED || read == SEM_FAILED) {
        fprintf(stderr, "turn_reader: mmap/sem_open: %s\n", strerror(errno));
        return 2;
    }
    char expected[64];
    for (int n = 0; n < rounds; n++) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 10;
        while (sem_timedwait(written, &deadline) != 0) {
            if (errno != EINTR) {
                fprintf(stderr, "turn_reader: sem_timedwait(%s) in round %d: %s\n", argv[2], n, strerror(errno));
                return 1;
            }
        }
        snprintf(expected, sizeof expected, "message %d", n);
        if (strncmp(page, expected, strlen(expected)) != 0) {
            fprintf(stderr, "turn_reader: round %d read \"%.60s\"\n", n, page);
            return 1;
        }
        printf("C reader, round %d: %.200s\n", n, page);
        fflush(stdout);
        sem_post(read);
    }
    sem_close(written);
    sem_close(read);
    return 0;
}
