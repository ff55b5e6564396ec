/*
 * Peer of NamedSemaphoreTest: alternates with Java over two POSIX named semaphores.
 *   sync_named_sem PING PONG ROUNDS
 * Each round: sem_wait(PING), check both values are 0 with sem_getvalue, sem_post(PONG).
 * Exit codes: 0 done, 2 usage, 3 a sem_* call failed, 4 a value was not 0.
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PING PONG ROUNDS\n", argv[0]);
        return 2;
    }
    sem_t *ping = sem_open(argv[1], 0);
    sem_t *pong = sem_open(argv[2], 0);
    if (ping == SEM_FAILED || pong == SEM_FAILED) {
        perror("sem_open");
        return 3;
    }
    long rounds = atol(argv[3]);
    for (long i = 1; i <= rounds; i++) {
        if (sem_wait(ping) != 0) {
            perror("sem_wait");
            return 3;
        }
        int a, b;
        if (sem_getvalue(ping, &a) != 0 || sem_getvalue(pong, &b) != 0) {
            perror("sem_getvalue");
            return 3;
        }
        if (a != 0 || b != 0) {
            fprintf(stderr, "round %ld: ping=%d pong=%d\n", i, a, b);
            return 4;
        }
        if (sem_post(pong) != 0) {
            perror("sem_post");
            return 3;
        }
    }
    sem_close(ping);
    sem_close(pong);
    return 0;
}
