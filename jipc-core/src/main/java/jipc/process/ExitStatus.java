package jipc.process;

/**
 * How a child process ended: normally with an exit code, or killed by a signal.
 *
 * @param code   the exit code (0..255) if the child exited, otherwise -1
 * @param signal the number of the signal that killed it (e.g. 9 for SIGKILL), otherwise 0
 */
public record ExitStatus(int code, int signal) {

    /** Decodes a {@code waitpid(2)} status word. */
    static ExitStatus fromWaitStatus(int status) {
        int termSig = status & 0x7F;
        if (termSig == 0) {
            return new ExitStatus((status >> 8) & 0xFF, 0);
        }
        return new ExitStatus(-1, termSig);
    }

    /**
     * Whether the child called {@code exit} (or returned from {@code main}).
     *
     * @return {@code true} if the child exited normally
     */
    public boolean exited() {
        return signal == 0;
    }

    /**
     * Whether a signal killed the child.
     *
     * @return {@code true} if a signal ended it
     */
    public boolean signaled() {
        return signal != 0;
    }

    /**
     * Whether the child exited with code 0.
     *
     * @return {@code true} only for a normal exit with code 0
     */
    public boolean success() {
        return signal == 0 && code == 0;
    }

    @Override
    public String toString() {
        return exited() ? "exit code " + code : "killed by signal " + signal;
    }
}
