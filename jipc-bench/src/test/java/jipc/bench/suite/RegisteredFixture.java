package jipc.bench.suite;

import java.time.Duration;
import java.util.List;

/** A benchmark registered through the test's service file, to see {@link Runner#registered()} find it. */
public final class RegisteredFixture implements Benchmark {
    @Override
    public String id() {
        return "test-fixture";
    }

    @Override
    public List<Step> steps(Plan plan) {
        return List.of(new Step("fixture", Duration.ofMillis(1), (p, log) -> List.of()));
    }
}
