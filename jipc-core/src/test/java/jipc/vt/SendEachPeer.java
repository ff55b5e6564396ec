package jipc.vt;

import java.nio.charset.StandardCharsets;

import jipc.channel.SharedChannel;

/** A child JVM for the virtual-thread tests: sends "NAME" (as type 1) once into each channel PREFIX0..PREFIX(N-1). */
public final class SendEachPeer {
    private SendEachPeer() {
    }

    public static void main(String[] args) throws Exception {
        String prefix = args[0];
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < n; i++) {
            try (SharedChannel channel = SharedChannel.attach(prefix + i)) {
                byte[] bytes = (prefix + i).getBytes(StandardCharsets.UTF_8);
                if (!channel.channel().offer(1, bytes, 0, bytes.length)) {
                    throw new IllegalStateException("full: " + prefix + i);
                }
            }
        }
        System.out.println("sent " + n);
    }
}
