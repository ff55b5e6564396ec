/**
 * Process-shared synchronisation in memory that the caller maps: {@link jipc.sync.Semaphore} (counting and binary)
 * and {@link jipc.sync.Mutex} (robust: a dead holder is detected by identity and reported). Both live at an offset
 * of any native segment, block with shared futexes instead of spinning, and have a documented byte layout
 * ({@link jipc.sync.SemaphoreDescriptor}, {@link jipc.sync.MutexDescriptor}) that C programs can share.
 * {@link jipc.sync.SharedSemaphore} puts a semaphore in a POSIX shared memory object of its own, found by name.
 *
 * <p>For peers that use the kernel's own semaphores: {@link jipc.sync.NamedSemaphore} (POSIX {@code sem_open}) and
 * {@link jipc.sync.SysVSemaphoreSet} (System V {@code semget}, with {@code SEM_UNDO} so the kernel repairs a dead
 * holder's operations).
 */
package jipc.sync;
