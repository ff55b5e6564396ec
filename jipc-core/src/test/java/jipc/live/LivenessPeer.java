package jipc.live;

import java.util.List;

import jipc.process.ChildProcess;
import jipc.process.Spawn;

/**
 * The child JVM of the liveness tests: {@code hold} prints its process party id (hex) and sleeps; {@code check ID}
 * prints the verdict on a party id ({@code ALIVE its token ... is locked}); {@code parent} makes its token, starts a
 * grandchild {@code sleep 60} that inherits every descriptor a child can get, prints its party id and the grandchild's
 * pid, and sleeps.
 */
public final class LivenessPeer {
    private LivenessPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "hold" -> {
                System.out.println(Long.toHexString(LivenessToken.standard().processParty()));
                System.out.flush();
                Thread.sleep(60_000);
            }
            case "check" -> {
                PartyState state = Liveness.check(Long.parseUnsignedLong(args[1], 16));
                System.out.println(state.life() + " " + state.reason());
            }
            case "parent" -> {
                long party = LivenessToken.standard().processParty();
                // The JDK's ProcessBuilder and jipc's Spawn both close what a child should not get; the token's
                // descriptor is also O_CLOEXEC. Whatever the child inherits, it must not keep the token locked.
                ChildProcess grandchild = Spawn.command(List.of("sleep", "60")).start();
                System.out.println(Long.toHexString(party) + " " + grandchild.pid());
                System.out.flush();
                Thread.sleep(60_000);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
