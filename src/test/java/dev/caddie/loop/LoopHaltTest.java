package dev.caddie.loop;

import dev.caddie.TestWorkspace;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.RunRecord;
import dev.caddie.ledger.Verdict;
import dev.caddie.run.Executor;
import dev.caddie.run.LocalExecutor;
import dev.caddie.run.RunHandle;
import dev.caddie.run.RunSpec;
import dev.caddie.run.RunStatus;
import dev.caddie.run.Runner;
import dev.caddie.search.Proposal;
import dev.caddie.search.SearchProposer;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.caddie.loop.ExperimentLoopTest.scripted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loop stops on its own, saying why, when going on could only burn candidates: it never spins. */
class LoopHaltTest {
    @TempDir Path tmp;

    /** A workspace without the micro tier first, plus a tier "t" running the given command. */
    private Path workspace(String command) throws Exception {
        Path ws = TestWorkspace.create(tmp.resolve("ws"));
        String toml = Files.readString(ws.resolve("caddie.toml")).replace("micro_first = true", "micro_first = false");
        Files.writeString(ws.resolve("caddie.toml"), toml + "\n[tiers.t]\nexecutor = \"local\"\ncommand = " + command
                + "\ntimeout_seconds = 120\ncost_per_hour = 0.0\nenv = { ITERATIONS = \"20\", MAX_WALLCLOCK_SECONDS = \"0\", VAL_MAX_TOKENS = \"8192\" }\n");
        return ws;
    }

    private record Ran(List<Experiment> all, String halted) {}

    private Ran loop(Path ws, dev.caddie.search.Proposer proposer, int experiments) throws Exception {
        TaskSpec task = TaskSpecReader.read(ws);
        try (Ledger ledger = Ledger.open(new Workspace(ws).ledgerFile())) {
            ExperimentLoop loop = new ExperimentLoop(task, ledger, new Runner(new LocalExecutor()), proposer, new LoopListener() {});
            List<Experiment> all = loop.run(new LoopOptions("t", experiments, null, "t", 1337));
            return new Ran(all, loop.halted().orElse(null));
        }
    }

    @Test
    void aRunCommandThatCannotStartStopsTheLoopAtOnceSayingWhichProgramIsMissing() throws Exception {
        Path ws = workspace("[\"no-such-trainer-xyz\", \"train.py\"]");
        Ran r = loop(ws, new SearchProposer(1), 50);
        assertThat(r.all()).hasSize(1);
        assertThat(r.all().get(0).run().status()).isEqualTo("not_started");
        assertThat(r.all().get(0).verdict().reason()).contains("cannot start no-such-trainer-xyz: it is not on PATH");
        assertThat(r.halted()).contains("could not start", "no-such-trainer-xyz", "caddie ledger show 1");
        assertThat(Files.readString(Path.of(r.all().get(0).run().logPath()))).contains("no-such-trainer-xyz");
    }

    @Test
    void aBaselineThatCrashesStopsTheLoopWithItsError() throws Exception {
        Path ws = workspace("[\"bash\", \"-c\", \"echo 'RuntimeError: CUDA is not available'; exit 3\"]");
        Ran r = loop(ws, new SearchProposer(1), 50);
        assertThat(r.all()).hasSize(1);
        assertThat(r.all().get(0).verdict().verdict()).isEqualTo(Verdict.CRASH);
        assertThat(r.halted()).contains("the baseline", "crashed", "RuntimeError: CUDA is not available");
        // The environment fixed, the same baseline runs again: the critic does not hold its earlier crash against it.
        Path toml = ws.resolve("caddie.toml");
        Files.writeString(toml, Files.readString(toml).replace("echo 'RuntimeError: CUDA is not available'; exit 3",
                "echo 'Total submission size int6+zlib: 120000 bytes'; echo 'final_int6_zlib_roundtrip_exact val_loss:2.00000000 val_bpb:2.88539008'"));
        Ran again = loop(ws, new SearchProposer(1), 1);
        assertThat(again.all().get(again.all().size() - 1).candidate().proposer()).isEqualTo("baseline");
        assertThat(again.all().get(again.all().size() - 1).verdict().verdict()).isEqualTo(Verdict.KEEP);
    }

    @Test
    void candidatesThatCrashInARowStopTheLoopAfterMaxConsecutiveFailures() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path ws = workspace("[\"bash\", \"-c\", \"[ -z \\\"$CRASH\\\" ] || { echo 'RuntimeError: boom'; exit 3; }; exec \\\"$0\\\" train.java\", \"" + java + "\"]");
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml"))
                .replace("max_consecutive_failures = 3", "max_consecutive_failures = 2"));
        Proposal crash = Proposal.env("crash", Map.of("CRASH", "1"));
        Ran r = loop(ws, scripted(crash, Proposal.env("crash again", Map.of("CRASH", "2")), Proposal.env("never reached", Map.of("CRASH", "3"))), 10);
        assertThat(r.all()).extracting(e -> e.verdict().verdict()).containsExactly(Verdict.KEEP, Verdict.CRASH, Verdict.CRASH);
        assertThat(r.halted()).contains("2 candidates in a row crashed", "RuntimeError: boom", "max_consecutive_failures");
    }

    @Test
    void aScriptThatIsNotCommittedIsRefusedBeforeAnyCandidate() throws Exception {
        Path ws = workspace("[\"true\"]");
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")).replace("script = \"train.java\"", "script = \"train_gpt.py\""));
        Files.writeString(ws.resolve("train_gpt.py"), "print('hi')\n");
        assertThatThrownBy(() -> loop(ws, new SearchProposer(1), 1)).hasMessageContaining("train_gpt.py is not in the commit the loop starts from")
                .hasMessageContaining("git add train_gpt.py");
    }

    @Test
    void aTournamentWhoseRunCommandCannotStartStopsAtTheFirstCandidate() throws Exception {
        Path ws = workspace("[\"no-such-trainer-xyz\"]");
        dev.caddie.run.Git git = new dev.caddie.run.Git(ws);
        git.branchForce(ExperimentLoop.branch("t"), git.revParse("HEAD"));
        TaskSpec task = TaskSpecReader.read(ws);
        try (Ledger ledger = Ledger.open(new Workspace(ws).ledgerFile())) {
            Tournament.Result r = new Tournament(task, ledger, new Runner(new LocalExecutor()), new SearchProposer(1), new LoopListener() {})
                    .run("t", task.tier("t"), new Tournament.Settings(List.of(), Map.of(), 0, 2, 3600, false, List.of()), 1337);
            assertThat(r.halted()).contains("could not start", "no-such-trainer-xyz");
            assertThat(ledger.experiments("t")).hasSize(1);
        }
    }

    /**
     * A scheduler that takes the machine away once (Slurm's PREEMPTED, reported through the handle as the Slurm
     * executor reports it; a real preemption needs a preemptible partition this test cluster does not have).
     */
    @Test
    void aPreemptedRunIsRunOnceMoreAndTheLoopGoesOn() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path ws = workspace("[\"" + java + "\", \"train.java\"]");
        TaskSpec task = TaskSpecReader.read(ws);
        LocalExecutor local = new LocalExecutor();
        int[] starts = {0};
        Executor preemptsOnce = new Executor() {
            @Override public String name() { return "local"; }
            @Override public RunHandle start(RunSpec spec) throws IOException {
                RunHandle h = local.start(spec);
                if (starts[0]++ > 0) return h;
                return new RunHandle() {
                    @Override public long pid() { return h.pid(); }
                    @Override public String startedAt() { return h.startedAt(); }
                    @Override public InputStream output() { return h.output(); }
                    @Override public Integer waitFor(long millis) throws InterruptedException { return h.waitFor(millis); }
                    @Override public void kill() { h.kill(); }
                    @Override public Ending ending() {
                        return new Ending(RunStatus.PREEMPTED, "Slurm job 42 ended PREEMPTED; the machine was taken away");
                    }
                };
            }
        };
        try (Ledger ledger = Ledger.open(new Workspace(ws).ledgerFile())) {
            ExperimentLoop loop = new ExperimentLoop(task, ledger, new Runner(preemptsOnce), new SearchProposer(1), new LoopListener() {});
            List<Experiment> all = loop.run(new LoopOptions("t", 1, null, "t", 1337));
            assertThat(loop.halted()).isEmpty();
            assertThat(ledger.runs(all.get(0).candidate().id())).extracting(RunRecord::status).startsWith("preempted", "ok");
            assertThat(all.get(0).verdict().verdict()).isEqualTo(Verdict.KEEP);
        }
    }

    /** The "sota" rule without loop.sota uses the record a frontier sync found; with neither, the loop says what to do. */
    @Test
    void theSotaRuleWithoutAStateOfTheArtRefusesToStartAndASyncedRecordServes() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path ws = workspace("[\"" + java + "\", \"train.java\"]");
        Files.writeString(ws.resolve("caddie.toml"), Files.readString(ws.resolve("caddie.toml")).replaceFirst("keep_rule = \"\\w+\"", "keep_rule = \"sota\""));
        TaskSpec task = TaskSpecReader.read(ws);
        assertThat(task.loop().keepRule()).isEqualTo("sota");
        try (Ledger ledger = Ledger.open(new Workspace(ws).ledgerFile())) {
            ExperimentLoop loop = new ExperimentLoop(task, ledger, new Runner(new LocalExecutor()), new SearchProposer(1), new LoopListener() {});
            assertThatThrownBy(() -> loop.run(new LoopOptions("t", 1, null, "t", 1337)))
                    .hasMessageContaining("set [loop] sota").hasMessageContaining("caddie frontier sync");
            assertThat(ledger.experiments("t")).isEmpty();
            ledger.setMeta("frontier.record_bpb", "1.0811");
            assertThat(dev.caddie.frontier.CurrentRecord.sota(task, ledger)).isEqualTo(1.0811);
        }
    }
}
