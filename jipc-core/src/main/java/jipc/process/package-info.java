/**
 * Child processes with chosen file descriptors: {@link jipc.process.Spawn} (posix_spawnp with fd placement, clean
 * signal state and closefrom) and {@link jipc.process.ChildProcess} (pidfd-based wait, signal and reap).
 */
package jipc.process;
