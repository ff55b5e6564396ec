package jipc.cli.top;

/**
 * What {@code jipc top} read about one object at one moment: the kind, the counters of its header and the verdicts
 * on the processes it records. A field that does not apply to the kind is {@code -1} (numbers) or {@code null}
 * (verdicts: {@code TRUE} alive or cannot decide, {@code FALSE} certainly dead, {@code null} none recorded).
 *
 * @param kind           {@code channel}, {@code topic}, {@code rpc}, {@code shm}, {@code sem} or {@code sysv}
 * @param variant        {@code 1:1}/{@code N:1} for a channel, {@code block}/{@code overwrite} for a topic, else null
 * @param name           {@code /name} (a semaphore's {@code sem_open} name), or {@code id:N} for System V
 * @param size           bytes of the object
 * @param at             {@link System#nanoTime()} when the positions were read
 * @param capacity       ring bytes (an rpc object: of its request channel)
 * @param tail           bytes ever committed (an rpc object: to its request channel)
 * @param head           bytes ever consumed (channels and the rpc request channel); -1 for a topic
 * @param sequence       messages ever published (topics only: each record carries its sequence number, so the rate
 *                       costs nothing per message); -1 elsewhere
 * @param lag            a channel's (or the rpc request channel's) unconsumed bytes; a topic's largest subscriber lag
 * @param consumerPid    the channel's consumer, the topic's publisher or the rpc service, as recorded; 0 if none
 * @param consumerAlive  the verdict on that process
 * @param sleeping       the channel's consumer asleep on its futex (0/1), or the topic's sleeping subscribers
 * @param parties        producers holding roles (channel), subscribers (topic), clients (rpc)
 * @param partiesAlive   how many of those may be alive
 * @param waiting        producers (channel) or the publisher (topic, 0/1) asleep waiting for room
 * @param attached       System V attachments; -1 elsewhere
 * @param state          {@code stale}, {@code in-use} or {@code unknown}, from {@link jipc.stale.StaleObjects}
 * @param why            the reason for {@code state}
 */
record Snapshot(String kind, String variant, String name, long size, long at, long capacity, long tail, long head,
                long sequence, long lag, int consumerPid, Boolean consumerAlive, long sleeping, long parties,
                long partiesAlive, long waiting, long attached, String state, String why) {

    /** The identity of the object across samples: kind and name. */
    String key() {
        return kind + " " + name;
    }

    /** Whether the object has a ring whose tail can move. */
    boolean hasRing() {
        return tail >= 0;
    }

    /** Used bytes of the ring in per cent, or -1 without a ring (a topic's ring is always full once wrapped). */
    double fill() {
        if (head < 0 || capacity <= 0) {
            return -1;
        }
        return 100.0 * (tail - head) / capacity;
    }

    /** The kind as the table shows it: {@code channel 1:1}, {@code topic block}, {@code shm}... */
    String kindColumn() {
        return variant == null ? kind : kind + " " + variant;
    }
}
