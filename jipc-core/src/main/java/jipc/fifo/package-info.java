/**
 * Named pipes between unrelated processes: {@link jipc.fifo.Fifo} (mkfifo with an exact mode, blocking and
 * non-blocking opens, unlink), refusing symbolic links and non-FIFOs.
 */
package jipc.fifo;
