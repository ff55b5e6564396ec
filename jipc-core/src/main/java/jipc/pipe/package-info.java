/**
 * Anonymous pipes between a parent and its children: {@link jipc.pipe.Pipe} and the two-pipe
 * {@link jipc.pipe.Duplex}.
 */
package jipc.pipe;
