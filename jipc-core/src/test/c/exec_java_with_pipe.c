/*
 * A native parent for a Java child: make a pipe, fork, put the read end at fd 3 in the child and exec the command
 * given as arguments (a `java ... MainClass 3` line); the parent closes the read end, writes "Hello from parent",
 * closes the write end (the child sees EOF) and waits. Exits with the child's exit code, or 100 + signal.
 *
 * usage: exec_java_with_pipe /path/to/java [java arguments...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what) {
    fprintf(stderr, "exec_java_with_pipe: %s: %s\n", what, strerrorname_np(errno));
    return 3;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: exec_java_with_pipe /path/to/java [args...]\n");
        return 64;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return fail("pipe2");
    pid_t pid = fork();
    if (pid < 0) return fail("fork");
    if (pid == 0) {
        /* dup2 clears close-on-exec on fd 3; if the read end already is fd 3, clear the flag by hand. */
        if (p[0] == 3) {
            if (fcntl(3, F_SETFD, 0) < 0) _exit(fail("fcntl"));
        } else if (dup2(p[0], 3) < 0) {
            _exit(fail("dup2"));
        }
        execv(argv[1], argv + 1);
        _exit(fail("execv"));
    }
    close(p[0]);
    printf("Parent (C, pid %d): forked Java child %d, writing to fd %d\n", (int) getpid(), (int) pid, p[1]);
    fflush(stdout);
    const char *msg = "Hello from parent";
    size_t left = strlen(msg);
    while (left > 0) {
        ssize_t n = write(p[1], msg, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail("write");
        }
        msg += n;
        left -= (size_t) n;
    }
    close(p[1]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return fail("waitpid");
    }
    if (WIFEXITED(status)) {
        printf("Parent (C): child exited with %d\n", WEXITSTATUS(status));
        return WEXITSTATUS(status);
    }
    printf("Parent (C): child killed by signal %d\n", WTERMSIG(status));
    return 100 + WTERMSIG(status);
}
