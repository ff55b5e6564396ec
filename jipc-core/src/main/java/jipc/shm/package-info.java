/**
 * Shared memory between processes, mapped as bounds-checked {@link java.lang.foreign.MemorySegment}s:
 * {@link jipc.shm.PosixSharedMemory} (named, in {@code /dev/shm}), {@link jipc.shm.SysVSharedMemory} (keyed,
 * {@code ipcs -m}) and {@link jipc.shm.Memfd} (anonymous, handed to a child by descriptor), all
 * {@link jipc.shm.SharedMemory}; each mapping is a {@link jipc.shm.Mapping} whose lifetime is one shared arena.
 * {@link jipc.shm.SharedMemoryListing} lists what exists on the host.
 */
package jipc.shm;
