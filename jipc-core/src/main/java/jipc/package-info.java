/**
 * jipc: Linux inter-process communication for Java through {@code java.lang.foreign}.
 *
 * <p>This root package holds only the vocabulary every layer shares: {@link jipc.ErrnoException}, the one exception
 * type a failed system call becomes. The mechanisms live in sub-packages:
 * {@code jipc.io} (owned file descriptors, channels and streams), {@code jipc.process} (spawning children with chosen
 * file descriptors), {@code jipc.pipe} (anonymous pipes) and {@code jipc.fifo} (named pipes).
 */
package jipc;
