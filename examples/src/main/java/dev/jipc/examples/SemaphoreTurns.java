/*
 * SemaphoreTurns: the seed's shared memory "assisted by a binary semaphore": a writer (Java) and a reader (C) take
 * turns on one page of shared memory. The writer writes only when the page is free and then marks it written; the
 * reader reads only when it is written and then marks it free.
 *
 * Shows: PosixSharedMemory.create and map (the page is a MemorySegment), two POSIX NamedSemaphores ("written" starts
 * at 0, "read" at 1) that a plain C program opens with sem_open, tryAcquire with a deadline so a dead peer cannot
 * hang the writer, and unlinking all three names at the end.
 *
 *   java --enable-native-access=ALL-UNNAMED -cp ... dev.jipc.examples.SemaphoreTurns ROUNDS PATH/TO/turn_reader
 */
package dev.jipc.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import jipc.process.ChildProcess;
import jipc.process.ExitStatus;
import jipc.process.Spawn;
import jipc.shm.Mapping;
import jipc.shm.PosixSharedMemory;
import jipc.sync.NamedSemaphore;

public final class SemaphoreTurns {
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        String reader = args[1];
        long pid = ProcessHandle.current().pid();
        String shmName = "/jipc-example-page-" + pid;
        String writtenName = "/jipc-example-written-" + pid;
        String readName = "/jipc-example-read-" + pid;
        try (PosixSharedMemory shm = PosixSharedMemory.create(shmName, 4096);
                Mapping page = shm.map();
                NamedSemaphore written = NamedSemaphore.create(writtenName, 0);   // 1 = the page holds a message
                NamedSemaphore read = NamedSemaphore.create(readName, 1);         // 1 = the page may be written
                ChildProcess peer = Spawn.command(reader, shmName, writtenName, readName, String.valueOf(rounds))
                        .start()) {
            MemorySegment text = page.segment();
            for (int n = 0; n < rounds; n++) {
                if (!read.tryAcquire(Duration.ofSeconds(10))) {       // the writer's turn: wait until the page is free
                    throw new IllegalStateException("the C reader did not free the page in 10 s (round " + n + ")");
                }
                byte[] message = ("message " + n + " from Java pid " + pid).getBytes(UTF_8);
                MemorySegment.copy(message, 0, text, ValueLayout.JAVA_BYTE, 0, message.length);
                text.set(ValueLayout.JAVA_BYTE, message.length, (byte) 0);   // the C side reads a C string
                written.post();                                       // sem_post: the reader's turn
            }
            ExitStatus status = peer.waitFor();
            System.out.println("SemaphoreTurns: " + rounds + " turns each; C reader: " + status);
            if (!status.success()) {
                System.exit(1);
            }
        } finally {
            PosixSharedMemory.unlinkIfExists(shmName);
            NamedSemaphore.unlinkIfExists(writtenName);
            NamedSemaphore.unlinkIfExists(readName);
        }
    }
}
