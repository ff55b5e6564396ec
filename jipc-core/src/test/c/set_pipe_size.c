/*
 * Asks the kernel to resize a fresh pipe to each size given and prints one line per size: the capacity chosen,
 * or the errno name. Used to show what an unprivileged process gets above /proc/sys/fs/pipe-max-size.
 *
 *   1048577 EPERM
 *   1000 4096
 *
 * usage: set_pipe_size SIZE...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        perror("pipe2");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        int size = (int) strtol(argv[i], NULL, 10);
        int r = fcntl(p[1], F_SETPIPE_SZ, size);
        if (r < 0) {
            printf("%s %s\n", argv[i], strerrorname_np(errno));
        } else {
            printf("%s %d\n", argv[i], r);
        }
    }
    return 0;
}
