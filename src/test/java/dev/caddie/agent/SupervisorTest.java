package dev.caddie.agent;

import dev.caddie.TestWorkspace;
import dev.caddie.cli.CaddieProcessTestSupport;
import dev.caddie.ledger.Ledger;
import dev.caddie.loop.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Roles as real child processes: restarts with backoff, giving up, hangs, and orphans after a kill -9. */
class SupervisorTest {
    @TempDir Path tmp;

    private Path script(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void aCrashingRoleIsRestartedWithBackoffFiveTimesThenReportedFailedWithTheReason() throws Exception {
        Path flaky = script("flaky.sh", "echo \"trying once more\"; exit 3");
        List<String> said = new ArrayList<>();
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            long t0 = System.nanoTime();
            List<String> failed = new Supervisor(l, List.of(new Supervisor.Role("flaky", List.of(flaky.toString()))), 5, Duration.ofMillis(50),
                    Duration.ofSeconds(30), tmp.resolve("roles"), said::add).run();
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(failed).containsExactly("flaky");
            assertThat(seconds).isGreaterThanOrEqualTo(0.75); // 50 + 100 + 200 + 400 ms of backoff
            Ledger.Role r = l.roles().get(0);
            assertThat(r.state()).isEqualTo(Supervisor.FAILED);
            assertThat(r.attempts()).isEqualTo(5);
            assertThat(r.reason()).isEqualTo("failed 5 times; last: exited with code 3: trying once more");
        }
        assertThat(said).filteredOn(s -> s.contains("started (attempt")).hasSize(5);
        assertThat(said).anyMatch(s -> s.contains("restarting in 0.4 s"));
        assertThat(Files.readAllLines(tmp.resolve("roles/flaky.log"))).hasSize(5);
    }

    @Test
    void aRoleThatRecoversIsDoneAndAHungOneIsKilledAtItsSilenceLimit() throws Exception {
        Path counter = tmp.resolve("count");
        Path second = script("second.sh", "n=$(cat " + counter + " 2>/dev/null || echo 0); echo $((n+1)) > " + counter + "; echo attempt $n; [ $n -ge 1 ]");
        Path hung = script("hung.sh", "echo started; sleep 600");
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            List<String> failed = new Supervisor(l, List.of(new Supervisor.Role("second", List.of(second.toString())), new Supervisor.Role("hung", List.of(hung.toString()))),
                    2, Duration.ofMillis(50), Duration.ofSeconds(1), tmp.resolve("roles"), s -> { }).run();
            assertThat(failed).containsExactly("hung");
            Ledger.Role secondRole = l.roles().stream().filter(r -> r.name().equals("second")).findFirst().orElseThrow();
            assertThat(secondRole.state()).isEqualTo(Supervisor.DONE);
            assertThat(secondRole.attempts()).isEqualTo(2);
            Ledger.Role hungRole = l.roles().stream().filter(r -> r.name().equals("hung")).findFirst().orElseThrow();
            assertThat(hungRole.reason()).isEqualTo("failed 2 times; last: no heartbeat (no output) for 1 s; killed");
        }
        assertThat(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains("hung.sh"))).isFalse();
    }

    @Test
    void afterAKillMinusNineTheNextStartStopsTheOrphanedRole() throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        Path beating = script("beating.sh", "while true; do echo beat; sleep 0.2; done");
        Path quick = script("quick.sh", "echo done");
        Process sup = CaddieProcessTestSupport.caddie(ws, tmp.resolve("sup1.txt"), "supervise", "--role", "beating=" + beating);
        Path db = new Workspace(ws).ledgerFile();
        Long pid = null;
        for (int i = 0; i < 200 && pid == null; i++) {
            Thread.sleep(100);
            if (!Files.exists(db)) continue;
            try (Ledger l = Ledger.open(db)) {
                Optional<Ledger.Role> r = l.roles().stream().filter(x -> x.name().equals("beating") && x.pid() != null).findFirst();
                if (r.isPresent()) pid = r.get().pid();
            }
        }
        assertThat(pid).as(Files.readString(tmp.resolve("sup1.txt"))).isNotNull();
        sup.toHandle().destroyForcibly(); // kill -9: no shutdown hook runs
        sup.waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true); // the orphan lives on
        Process next = CaddieProcessTestSupport.caddie(ws, tmp.resolve("sup2.txt"), "supervise", "--role", "quick=" + quick);
        assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(tmp.resolve("sup2.txt"));
        assertThat(next.exitValue()).as(out).isZero();
        assertThat(out).contains("role beating: pid " + pid + " was left running by a Caddie that died; stopped it").contains("role quick: done");
        long p = pid;
        assertThat(ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void stoppingTheSupervisorStopsEveryChild() throws Exception {
        Path beating = script("beating2.sh", "while true; do echo beat; sleep 0.2; done");
        try (Ledger l = Ledger.open(tmp.resolve("ledger.db"))) {
            Supervisor s = new Supervisor(l, List.of(new Supervisor.Role("a", List.of(beating.toString())), new Supervisor.Role("b", List.of(beating.toString()))),
                    5, Duration.ofMillis(50), Duration.ofSeconds(30), tmp.resolve("roles"), x -> { });
            Thread t = new Thread(() -> {
                try {
                    s.run();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 100 && pids.size() < 2; i++) {
                Thread.sleep(100);
                pids.clear();
                l.roles().forEach(r -> { if (r.pid() != null) pids.add(r.pid()); });
            }
            assertThat(pids).hasSize(2);
            s.stop();
            t.join(10_000);
            for (long pid : pids) assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(l.roles()).extracting(Ledger.Role::state).containsOnly(Supervisor.STOPPED);
        }
    }
}
