/*
 * WorkerPool: worker processes send their results into one many-producer channel that the main process consumes.
 *
 * Shows: SharedChannel.createManyToOne (any number of producer processes at once, each claiming room with one
 * compare-and-set), Spawn.java to start worker JVMs on the same class path, the consumer's take() sleeping in a
 * futex until a result comes, and per-worker end-of-work messages so the consumer knows when all are done.
 * Worker w computes task t * t for every task t with t % workers == w; the main process checks the sum.
 *
 *   java --enable-native-access=ALL-UNNAMED -cp ... dev.jipc.examples.WorkerPool WORKERS TASKS
 */
package dev.jipc.examples;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jipc.channel.ManyToOneChannel;
import jipc.channel.SharedChannel;
import jipc.process.ChildProcess;
import jipc.process.Spawn;

public final class WorkerPool {
    static final int RESULT = 1;   // payload: int worker, long task, long result
    static final int DONE = 2;     // payload: int worker, long tasks done

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            work(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        int workers = Integer.parseInt(args[0]);
        int tasks = Integer.parseInt(args[1]);
        String name = "/jipc-example-pool-" + ProcessHandle.current().pid();
        List<ChildProcess> children = new ArrayList<>();
        try (SharedChannel shared = SharedChannel.createManyToOne(name, 64 * 1024, 64)) {
            ManyToOneChannel results = shared.manyToOne().registerConsumer();
            for (int w = 0; w < workers; w++) {
                children.add(Spawn.java(WorkerPool.class, "worker", name, String.valueOf(w), String.valueOf(workers),
                        String.valueOf(tasks)).start());
            }
            long[] sum = {0};
            long[] received = {0};
            int[] done = {0};
            while (done[0] < workers) {
                int got = results.poll((type, payload) -> {
                    if (type == RESULT) {
                        sum[0] += payload.get(JAVA_LONG_UNALIGNED, 12);
                        received[0]++;
                    } else if (type == DONE) {
                        done[0]++;
                    }
                }, Duration.ofSeconds(30));
                if (got == 0) {
                    throw new IllegalStateException("no result for 30 s; " + done[0] + " of " + workers + " done");
                }
            }
            for (ChildProcess child : children) {
                if (!child.waitFor().success()) {
                    throw new IllegalStateException("worker " + child + " failed");
                }
            }
            long expected = 0;
            for (long t = 0; t < tasks; t++) {
                expected += t * t;
            }
            System.out.printf("WorkerPool: %d workers sent %d results, sum of squares %d (expected %d)%n", workers,
                    received[0], sum[0], expected);
            shared.unlink();
            if (sum[0] != expected || received[0] != tasks) {
                System.exit(1);
            }
        } finally {
            for (ChildProcess child : children) {
                child.close();   // kills and reaps a worker still running (only after a failure)
            }
            SharedChannel.unlinkIfExists(name);
        }
    }

    /** One worker process: attaches to the channel and produces the results of its share of the tasks. */
    private static void work(String name, int worker, int workers, int tasks) throws Exception {
        try (SharedChannel shared = SharedChannel.attach(name)) {
            ManyToOneChannel out = shared.manyToOne();   // takes a producer slot on the first claim
            long count = 0;
            for (long t = worker; t < tasks; t += workers) {
                send(out, RESULT, worker, t, t * t);
                count++;
            }
            send(out, DONE, worker, count, 0);
            out.detachProducer();                        // gives the producer slot back (close() would too)
        }
    }

    private static void send(ManyToOneChannel out, int type, int worker, long a, long b) throws InterruptedException {
        MemorySegment slot = out.claim(type, 20, Duration.ofSeconds(10));
        if (slot == null) {
            throw new IllegalStateException("ring full for 10 s: is the consumer running?");
        }
        slot.set(JAVA_INT_UNALIGNED, 0, worker);
        slot.set(JAVA_LONG_UNALIGNED, 4, a);
        slot.set(JAVA_LONG_UNALIGNED, 12, b);
        out.commit();
    }
}
