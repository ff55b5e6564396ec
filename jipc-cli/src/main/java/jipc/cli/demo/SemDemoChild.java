package jipc.cli.demo;

import java.io.IOException;
import java.time.Duration;

import jipc.cli.Narrator;
import jipc.shm.Mapping;
import jipc.shm.Memfd;
import jipc.sync.Semaphore;

/**
 * The reader of {@code jipc demo sem}: maps the memfd at its fd 3, attaches the two semaphores the writer created and,
 * for each round, takes "full", checks the message and gives "empty". Arguments: the writer's pid, the rounds.
 * Exit codes: 0 all messages as expected, 3 a wrong message, 4 the writer did not give the turn within 30 s.
 */
public final class SemDemoChild {
    private SemDemoChild() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Narrator reader = Narrator.of("reader");
        long writerPid = Long.parseLong(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int code = 0;
        try (Memfd memfd = Memfd.inherit(3); Mapping mapping = memfd.map()) {
            Semaphore empty = Semaphore.attach(mapping.segment(), SemDemo.EMPTY);
            Semaphore full = Semaphore.attach(mapping.segment(), SemDemo.FULL);
            reader.say("mapped the memfd at my fd 3 (" + memfd.name() + ", " + mapping.size() + " bytes) and "
                    + "attached the semaphores: 'empty' = " + empty.availablePermits() + ", 'full' = "
                    + full.availablePermits() + ".");
            for (int round = 1; round <= rounds && code == 0; round++) {
                if (!full.tryAcquire(SemDemo.TURN_TIMEOUT)) {
                    reader.say("the writer did not release 'full' within " + SemDemo.TURN_TIMEOUT.toSeconds()
                            + " s: giving up.");
                    code = 4;
                    break;
                }
                String message = mapping.getString(SemDemo.MESSAGE);
                String expected = SemDemo.message(round, writerPid);
                if (message.equals(expected)) {
                    reader.say("took 'full' (1 -> 0); read \"" + message + "\": checked, round " + round + " of "
                            + rounds + "; releasing 'empty' (0 -> 1): the writer's turn.");
                } else {
                    reader.say("took 'full' (1 -> 0); read \"" + message + "\" but expected \"" + expected + "\".");
                    code = 3;
                }
                empty.release();
            }
        }
        if (code == 0) {
            reader.say("all " + rounds + " messages checked; unmapped the memory. Exiting with code 0.");
        }
        System.exit(code);
    }
}
