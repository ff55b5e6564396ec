/**
 * Owned file descriptors and their adapters: {@link jipc.io.Fd} (close-once, O_CLOEXEC, blocking switch, poll),
 * the typed ends {@link jipc.io.ReadEnd} and {@link jipc.io.WriteEnd} that pipes and FIFOs hand out, and
 * {@code java.nio} channel and {@code java.io} stream views of them.
 */
package jipc.io;
