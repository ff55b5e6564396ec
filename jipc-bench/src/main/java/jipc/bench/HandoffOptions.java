package jipc.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Options of the {@code handoff} harness.
 *
 * @param rounds     measured round trips per pair
 * @param warmup     round trips before measuring (JIT compilation, page faults, caches)
 * @param pin        the CPUs of side a and side b ({@code taskset -c}), or {@code null} to leave placement to the
 *                   scheduler
 * @param cSpins     how often the C waiter of the second C pair re-reads the word before it sleeps (the first C
 *                   pair never spins: a raw futex ping-pong)
 * @param jvmOptions extra options for both Java peers
 */
record HandoffOptions(int rounds, long warmup, Pin pin, long cSpins, List<String> jvmOptions) {
    static final String USAGE = """
            usage: handoff [--rounds M] [--warmup N] [--pin CPU_A,CPU_B] [--c-spins S] [--jvm-option OPTION]...
              --rounds M        measured round trips per pair (default 100000)
              --warmup N        round trips before measuring (default 20000)
              --pin A,B         run side a on CPU A and side b on CPU B with taskset (A = B: same core);
                                default: not pinned
              --c-spins S       re-reads of the word before the second C pair sleeps in FUTEX_WAIT (default 100,
                                as jipc's Semaphore; the first C pair never spins)
              --jvm-option OPT  extra JVM option for both Java peers (repeatable)""";

    static final int DEFAULT_ROUNDS = 100_000;
    static final long DEFAULT_WARMUP = 20_000;
    /** jipc's Semaphore re-reads the count 100 times before it sleeps (Semaphore.SPINS). */
    static final long DEFAULT_C_SPINS = 100;

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException with a message for the user on any bad option
     */
    static HandoffOptions parse(String... args) {
        int rounds = DEFAULT_ROUNDS;
        long warmup = DEFAULT_WARMUP;
        Pin pin = null;
        long cSpins = DEFAULT_C_SPINS;
        List<String> jvmOptions = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--rounds" -> rounds = (int) number(option, value, 1, Integer.MAX_VALUE / Long.BYTES);
                case "--warmup" -> warmup = number(option, value, 0, Long.MAX_VALUE / 2);
                case "--c-spins" -> cSpins = number(option, value, 0, Integer.MAX_VALUE);
                case "--jvm-option" -> jvmOptions.add(value);
                case "--pin" -> pin = Pin.parse(option, value);
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        return new HandoffOptions(rounds, warmup, pin, cSpins, List.copyOf(jvmOptions));
    }

    private static long number(String option, String value, long min, long max) {
        return Args.number(option, value, min, max);
    }
}
