package jipc.bench;

/**
 * The CPU of side a and the CPU of side b of a two-process benchmark, applied with {@code taskset -c} (the same CPU
 * puts both on one core).
 */
public record Pin(int cpuA, int cpuB) {
    /**
     * Parses {@code CPU_A,CPU_B} given to {@code option}.
     *
     * @throws IllegalArgumentException naming the option if it is not two CPU numbers
     */
    public static Pin parse(String option, String value) {
        String[] cpus = value.split(",", -1);
        if (cpus.length != 2) {
            throw new IllegalArgumentException(option + " takes two CPU numbers, CPU_A,CPU_B: " + value);
        }
        // A CPU that does not exist makes taskset fail, which ends the run with its message.
        return new Pin((int) Args.number(option, cpus[0], 0, 4095), (int) Args.number(option, cpus[1], 0, 4095));
    }
}
