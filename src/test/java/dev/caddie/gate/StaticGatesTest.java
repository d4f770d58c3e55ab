package dev.caddie.gate;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** No failure inside a gate ends the loop: the candidate is rejected with the reason. */
class StaticGatesTest {
    private static Gate failing(String name, Throwable t) {
        return new Gate() {
            @Override public String name() { return name; }
            @Override public GateResult check(CandidateChange c) {
                if (t instanceof RuntimeException r) throw r;
                throw (Error) t;
            }
        };
    }

    @Test
    void aGateThatThrowsOrRunsOutOfMemoryRejectsTheCandidateAndStopsTheChain() {
        Gate never = new Gate() {
            @Override public String name() { return "never"; }
            @Override public GateResult check(CandidateChange c) { throw new AssertionError("the chain went on past a failure"); }
        };
        CandidateChange c = new CandidateChange(null, Path.of("."), List.of());
        List<GateResult> oom = new StaticGates(List.of(failing("lint", new OutOfMemoryError("Required array size too large")), never)).check(c);
        assertThat(oom).singleElement().satisfies(r -> {
            assertThat(r.passed()).isFalse();
            assertThat(r.gate()).isEqualTo("lint");
            assertThat(r.reason()).contains("could not check this candidate", "Required array size too large");
        });
        List<GateResult> npe = new StaticGates(List.of(failing("overlap", new NullPointerException()))).check(c);
        assertThat(npe.get(0).reason()).contains("NullPointerException");
    }
}
