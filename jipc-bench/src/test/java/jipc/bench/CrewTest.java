package jipc.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jipc.shm.Memfd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The crew protocol with shell members: ready, blocks and their reports, a member that dies, one that stays mute. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrewTest {
    private static List<String> sh(String script) {
        return List.of("bash", "-c", script);
    }

    @Test
    void membersRunBlocksAndReportThem() throws Exception {
        String member = "echo ready; while read cmd n; do [ \"$cmd\" = quit ] && exit 0; "
                + "echo \"done 1 2 3 $n 0 7\"; done";
        try (Memfd memfd = Memfd.create("crew-test", 4096);
             Crew crew = Crew.start("test", List.of(sh(member), sh(member)), memfd, Duration.ofSeconds(20))) {
            assertEquals(2, crew.size());
            List<Crew.Report> reports = crew.block(42, Duration.ofSeconds(10));
            assertEquals(List.of(new Crew.Report(1, 2, 3, 42, 0, 7), new Crew.Report(1, 2, 3, 42, 0, 7)), reports);
            crew.run(List.of(1), 5);
            assertEquals(5, crew.await(List.of(1), Duration.ofSeconds(10)).getFirst().count());
        }
    }

    @Test
    void aMemberThatDiesFailsTheBlockNamingIt() throws Exception {
        try (Memfd memfd = Memfd.create("crew-test", 4096)) {
            Crew crew = Crew.start("dying", List.of(sh("echo ready; read cmd; exit 3")), memfd,
                    Duration.ofSeconds(20));
            IOException e = assertThrows(IOException.class, () -> crew.block(1, Duration.ofSeconds(10)));
            assertTrue(e.getMessage().contains("dying member 0") && e.getMessage().contains("closed its report pipe"),
                    e.getMessage());
            assertThrows(IOException.class, crew::close);
        }
    }

    @Test
    void aMemberThatSaysNothingTimesOutAndIsKilled() throws Exception {
        try (Memfd memfd = Memfd.create("crew-test", 4096)) {
            IOException e = assertThrows(IOException.class, () -> Crew.start("mute", List.of(sh("sleep 30")), memfd,
                    Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("said nothing in time"), e.getMessage());
            Crew crew = Crew.start("slow", List.of(sh("echo ready; read cmd; sleep 30")), memfd,
                    Duration.ofSeconds(20));
            e = assertThrows(IOException.class, () -> crew.block(1, Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("said nothing in time"), e.getMessage());
            crew.kill();
        }
    }
}
