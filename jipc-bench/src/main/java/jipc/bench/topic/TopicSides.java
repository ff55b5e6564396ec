package jipc.bench.topic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jipc.bench.Crew;
import jipc.bench.Peers;
import jipc.bench.channel.ChannelPairs;
import jipc.bench.channel.Rows;
import jipc.bench.suite.Result;
import jipc.bench.topic.TopicRig.Impl;
import jipc.shm.Memfd;
import jipc.topic.OverflowPolicy;

/**
 * The sides of the topic comparisons: a crew ({@link Crew}) of live processes on their own memfd, run block by block,
 * adding up what its measured blocks did for its row.
 */
final class TopicSides {
    /** How long a crew may take to start (JVMs on a busy 2-core machine) and a block at most, beyond its messages. */
    static final Duration START_LIMIT = Duration.ofSeconds(120);
    static final Duration BLOCK_LIMIT = Duration.ofSeconds(60);

    private TopicSides() {
    }

    /**
     * Who and how: the implementation, the overflow policy (Agrona has none: it always overwrites) and the wait
     * strategy of every member.
     */
    record Spec(Impl impl, OverflowPolicy policy, String strategy) {
        /** {@code "topic BLOCK 1->4 hybrid"}, {@code "broadcast 1->4 backoff"}. */
        String mechanism(int subscribers) {
            return (impl == Impl.AGRONA ? "broadcast" : "topic " + policy) + " 1->" + subscribers + " " + strategy;
        }

        /** {@code "jipc BLOCK hybrid"}, for step names. */
        String label() {
            return impl.label + (impl == Impl.AGRONA ? "" : " " + policy) + " " + strategy;
        }

        /** What WAIT means for this implementation, for notes. */
        String waitNote() {
            if (impl == Impl.AGRONA) {
                return strategy.equals("spin") ? "Agrona receivers busy-spin (BusySpinIdleStrategy)"
                        : "Agrona receivers park (BackoffIdleStrategy: 10 spins, 5 yields, parks 1 us..1 ms)";
            }
            String who = impl == Impl.JIPC ? "jipc" : "the C twin's";
            return switch (strategy) {
                case "spin" -> who + " subscribers and publisher busy-spin";
                case "hybrid" -> who + " subscribers and publisher wait hybrid: 1000 spins, then futex";
                default -> who + " subscribers and publisher sleep in FUTEX_WAIT at once";
            };
        }
    }

    /** A publisher and {@code subscribers} subscribers of one topic, publishing blocks of messages. */
    static final class Throughput implements AutoCloseable {
        final Spec spec;
        final int subscribers;
        final int size;
        private final Memfd memfd;
        private final Crew crew;
        private final List<Integer> subs;
        private long published;
        private double delivered;
        private long elapsed;
        private long publisherCpu;
        private long subscriberCpu;
        private long lost;
        private int blocks;

        private Throughput(Spec spec, int subscribers, int size, Memfd memfd, Crew crew) {
            this.spec = spec;
            this.subscribers = subscribers;
            this.size = size;
            this.memfd = memfd;
            this.crew = crew;
            this.subs = IntStream.range(0, subscribers).boxed().toList();
        }

        /**
         * Launches the crew: subscribers (joining at the tail) first, then the publisher; the first block waits until
         * each has said ready, so the crews of a step start at once.
         */
        static Throughput start(TopicRig rig, Spec spec, int subscribers, int size) throws IOException {
            long capacity = TopicRig.capacity(size);
            Memfd memfd = TopicRig.memory(spec.impl(), spec.policy(), capacity, 1);
            try {
                List<List<String>> commands = new ArrayList<>();
                for (int i = 0; i < subscribers; i++) {
                    commands.add(rig.command(spec.impl(), false, "sub", spec.strategy(), size, capacity, 0, -1, null));
                }
                commands.add(rig.command(spec.impl(), true, "pub", spec.strategy(), size, capacity, -1, 0, null));
                Crew crew = Crew.launch(spec.label() + " 1->" + subscribers, commands, memfd);
                return new Throughput(spec, subscribers, size, memfd, crew);
            } catch (IOException | RuntimeException e) {
                memfd.close();
                throw e;
            }
        }

        /**
         * Waits until every member of the crew said ready. The crews of a step are launched together without waiting;
         * the step waits here before its warm-up, whose time limit is for warming, not for starting JVMs (five JVMs
         * starting on two loaded CPUs took 10 to 17 s, and a warm-up that counted them ended after its first block,
         * 6 Dec 2026).
         */
        void awaitReady() throws IOException {
            crew.awaitReady(START_LIMIT);
        }

        /**
         * One block of {@code count} messages; returns the messages each subscriber received per second (their mean),
         * from the publisher's start to the last subscriber's end. Only {@code measured} blocks count for the row.
         */
        double block(long count, boolean measured) throws IOException {
            crew.awaitReady(START_LIMIT); // launched without waiting (with the other side's crew): ready by now?
            List<Crew.Report> reports = crew.block(count, BLOCK_LIMIT.plusNanos(count * 100_000L));
            Crew.Report pub = reports.get(subscribers);
            long end = Long.MIN_VALUE;
            long received = 0;
            long blockLost = 0;
            long cpu = 0;
            for (int i = 0; i < subscribers; i++) {
                Crew.Report r = reports.get(i);
                end = Math.max(end, r.t1());
                received += r.count();
                blockLost += r.lost();
                cpu += r.cpu();
            }
            long nanos = Math.max(1, end - pub.t0());
            double perSubscriber = (double) received / subscribers;
            if (measured) {
                published += pub.count();
                delivered += perSubscriber;
                elapsed += nanos;
                publisherCpu += pub.cpu();
                subscriberCpu += cpu;
                lost += blockLost;
                blocks++;
            }
            return perSubscriber * 1e9 / nanos;
        }

        /**
         * The CPU each subscriber of each of {@code sides} burns while it waits for a message that does not come: the
         * subscribers of all the sides are told to receive one message, left {@code settle} to fall asleep, then their
         * threads' CPU time is read over the same {@code seconds} (idle processes do not disturb each other); then
         * each publisher sends the message. Percent of one core, per side and subscriber.
         */
        static ChannelPairs.Idle[][] idle(List<Throughput> sides, Duration settle, double seconds)
                throws IOException, InterruptedException {
            for (Throughput side : sides) {
                side.crew.awaitReady(START_LIMIT);
                side.crew.run(side.subs, 1);
            }
            Thread.sleep(settle);
            List<List<Map<String, Long>>> before = new ArrayList<>();
            for (Throughput side : sides) {
                List<Map<String, Long>> threads = new ArrayList<>();
                for (int i = 0; i < side.subscribers; i++) {
                    threads.add(ChannelPairs.threadsCpuNanos(side.crew.pid(i)));
                }
                before.add(threads);
            }
            long t0 = System.nanoTime();
            Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
            long wall = System.nanoTime() - t0;
            ChannelPairs.Idle[][] percent = new ChannelPairs.Idle[sides.size()][];
            for (int s = 0; s < sides.size(); s++) {
                Throughput side = sides.get(s);
                percent[s] = new ChannelPairs.Idle[side.subscribers];
                for (int i = 0; i < side.subscribers; i++) {
                    percent[s][i] = ChannelPairs.Idle.of(before.get(s).get(i),
                            ChannelPairs.threadsCpuNanos(side.crew.pid(i)), wall);
                }
            }
            for (Throughput side : sides) {
                side.crew.run(List.of(side.subscribers), 1);
                side.crew.await(IntStream.rangeClosed(0, side.subscribers).boxed().toList(), BLOCK_LIMIT);
            }
            return percent;
        }

        /** The row of the measured blocks: delivered messages per subscriber per second, CPU per published message. */
        Result row(String pinning, String note) {
            double rate = delivered * 1e9 / elapsed;
            String loss = lost == 0 ? "nothing lost"
                    : String.format(java.util.Locale.ROOT, "%.1f%% of the messages lost to lapping (%d of %d)",
                            100.0 * lost / ((double) published * subscribers), lost, published * subscribers);
            return new Result(spec.mechanism(subscribers), spec.impl().label, Result.Kind.THROUGHPUT, size,
                    published, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, List.of(),
                    rate, rate * size, (double) publisherCpu / published, (double) subscriberCpu / published,
                    Double.NaN, pinning, note + "; " + blocks + " blocks, " + loss + "; published "
                    + jipc.bench.report.Figures.rate(published * 1e9 / elapsed) + " msg/s");
        }

        @Override
        public void close() throws IOException {
            try {
                crew.close();
            } finally {
                memfd.close();
            }
        }
    }

    /** The two ends of a ping-pong over two topics (a to b, and the echo b to a), run in blocks of round trips. */
    static final class Latency implements AutoCloseable {
        final Spec spec;
        final int size;
        private final Memfd memfd;
        private final Crew crew;
        private final Path samples;
        private int rounds;

        private Latency(Spec spec, int size, Memfd memfd, Crew crew, Path samples) {
            this.spec = spec;
            this.size = size;
            this.memfd = memfd;
            this.crew = crew;
            this.samples = samples;
        }

        static Latency start(TopicRig rig, Spec spec, int size) throws IOException {
            long capacity = TopicRig.capacity(size);
            long stride = TopicRig.stride(spec.impl(), capacity);
            Memfd memfd = TopicRig.memory(spec.impl(), spec.policy(), capacity, 2);
            Path samples = Files.createTempFile(rig.work, "samples-", ".bin");
            try {
                List<List<String>> commands = List.of(
                        rig.command(spec.impl(), false, "ping-b", spec.strategy(), size, capacity, 0, stride, null),
                        rig.command(spec.impl(), true, "ping-a", spec.strategy(), size, capacity, stride, 0, samples));
                Crew crew = Crew.launch(spec.label() + " ping-pong", commands, memfd);
                return new Latency(spec, size, memfd, crew, samples);
            } catch (IOException | RuntimeException e) {
                memfd.close();
                Files.deleteIfExists(samples);
                throw e;
            }
        }

        /** One block of {@code count} round trips; returns its median round trip (ns). */
        double block(long count, boolean measured) throws IOException {
            crew.awaitReady(START_LIMIT); // launched without waiting (with the other side's crew): ready by now?
            List<Crew.Report> reports = crew.block(count, BLOCK_LIMIT.plusNanos(count * 1_000_000L));
            if (measured) {
                rounds += (int) count;
            } else {
                Files.write(samples, new byte[0]); // warm-up round trips are not kept
            }
            return reports.get(1).p50();
        }

        Result row(String pinning, String note) throws IOException {
            return Rows.latency(spec.mechanism(1), spec.impl().label, size, Peers.readSamples(samples, rounds),
                    pinning, note);
        }

        @Override
        public void close() throws IOException {
            try {
                crew.close();
            } finally {
                memfd.close();
                Files.deleteIfExists(samples);
            }
        }
    }

    /** The floor of a topic's throughput: one C process copying each message into a ring area ({@code memcpy}). */
    static final class Memcpy implements AutoCloseable {
        private final Memfd memfd;
        private final Crew crew;

        private Memcpy(Memfd memfd, Crew crew) {
            this.memfd = memfd;
            this.crew = crew;
        }

        static Memcpy start(TopicRig rig, int size) throws IOException {
            long capacity = TopicRig.capacity(size);
            Memfd memfd = Memfd.create("jipc-bench-topic-memcpy", TopicRig.stride(Impl.C, capacity));
            try {
                List<String> command = Peers.pinned(rig.pin, true, List.of(rig.c.executable().toString(), "memcpy",
                        "-", String.valueOf(size), String.valueOf(capacity), "-", "0"));
                return new Memcpy(memfd, Crew.launch("C memcpy", List.of(command), memfd));
            } catch (IOException | RuntimeException e) {
                memfd.close();
                throw e;
            }
        }

        /** Messages per second of one block of {@code count}. */
        double block(long count) throws IOException {
            crew.awaitReady(START_LIMIT);
            Crew.Report r = crew.block(count, BLOCK_LIMIT).getFirst();
            return count * 1e9 / Math.max(1, r.t1() - r.t0());
        }

        @Override
        public void close() throws IOException {
            try {
                crew.close();
            } finally {
                memfd.close();
            }
        }
    }
}
