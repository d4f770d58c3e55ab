package dev.caddie.task;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskSpecReaderTest {
    private static TaskSpec parse(String text) throws SpecException {
        return new TaskSpecReader().parse(Path.of("/ws"), "caddie.toml", text);
    }

    @Test
    void bothPresetsParseAndEncodeTheirRules() throws Exception {
        TaskSpec tiny = parse(Presets.text("tiny-golf"));
        assertThat(tiny.limits()).isEqualTo(new Limits(160_000, 1500, 600));
        assertThat(tiny.tiers()).containsKeys("micro", "local", "official");
        assertThat(tiny.tier("local").env()).containsEntry("MAX_WALLCLOCK_SECONDS", "60");
        assertThat(tiny.metric()).isEqualTo(new Metric("val_bpb", true));
        assertThat(tiny.search()).extracting(SearchParam::name).contains("MATRIX_LR", "QUANT_BITS");

        TaskSpec pg = parse(Presets.text("parameter-golf"));
        assertThat(pg.limits()).isEqualTo(new Limits(16_000_000, 1500, 600));
        assertThat(pg.command()).containsExactly("torchrun", "--standalone", "--nproc_per_node=8", "train_gpt.py");
        assertThat(pg.tier("official").costPerHour()).isEqualTo(21.52);
        ExecutorSpec pod = pg.executor(pg.tier("official"));
        assertThat(pod.kind()).isEqualTo("runpod");
        assertThat(pod.pod()).isEqualTo(new ExecutorSpec.Pod("RUNPOD_API_KEY", "NVIDIA H100 80GB HBM3", 8, "runpod/parameter-golf:latest", "SECURE", 200,
                pod.pod().setup(), 60, "https://api.runpod.io"));
        assertThat(pod.pod().setup()).anyMatch(c -> c.contains("cached_challenge_fineweb.py"));
        assertThat(pg.tier("official").timeoutSeconds() / 60).as("the pod's deadline outlasts the tier's timeout").isLessThan(pod.pod().maxPodMinutes());
        assertThat(pg.tier("official").worstCaseCost()).isGreaterThan(3.5);
    }

    @Test
    void brokenTomlNamesTheLine() {
        assertThatThrownBy(() -> parse("[task]\nname = \"x\"\nscript = \n")).isInstanceOf(SpecException.class)
                .hasMessageStartingWith("caddie.toml:3: not valid TOML");
    }

    @Test
    void aValueOfTheWrongTypeNamesItsLineAndWhatIsAccepted() throws Exception {
        String text = Presets.text("tiny-golf").replace("artifact_bytes = 160000", "artifact_bytes = \"big\"");
        int line = lineOf(text, "artifact_bytes");
        assertThatThrownBy(() -> parse(text)).hasMessageContaining("caddie.toml:" + line + ": limits.artifact_bytes: must be an integer");
    }

    @Test
    void anUnknownExecutorSearchKindAndLoopTierAreEachReported() throws Exception {
        String text = Presets.text("tiny-golf").replace("[tiers.micro]\nexecutor = \"local\"", "[tiers.micro]\nexecutor = \"runpod\"")
                .replace("kind = \"int\", low = 0, high = 3000", "kind = \"integer\", low = 0, high = 3000")
                .replace("tier = \"local\"", "tier = \"nowhere\"");
        assertThatThrownBy(() -> parse(text)).satisfies(e -> {
            String m = e.getMessage();
            assertThat(m).contains("caddie.toml:" + lineOf(text, "executor = \"runpod\"") + ": tiers.micro.executor: 'runpod' is not an executor; accepted: \"local\" or \"KIND:NAME\"");
            assertThat(m).contains("caddie.toml:" + lineOf(text, "WARMDOWN_ITERS =") + ": search.WARMDOWN_ITERS.kind: 'integer' is not a kind");
            assertThat(m).contains("caddie.toml:" + lineOf(text, "tier = \"nowhere\"") + ": loop.tier: 'nowhere' is not a tier");
        });
    }

    @Test
    void missingSectionsAndBadProtectedHashesAreReported() {
        assertThatThrownBy(() -> parse("[task]\nname = \"x\"\nscript = \"s.py\"\neditable = [\"s.py\"]\ncommand = [\"python\", \"s.py\"]\n[protected]\n\"data/v.bin\" = \"abc\"\n"))
                .hasMessageContaining("missing table [limits]").hasMessageContaining("missing table [tiers]")
                .hasMessageContaining("caddie.toml:7: protected.data/v.bin: 'abc' is not a SHA-256");
    }

    @Test
    void theSotaRuleNeedsTheStateOfTheArt() throws Exception {
        String text = Presets.text("parameter-golf").replace("keep_rule = \"noise\"", "keep_rule = \"sota\"");
        assertThat(parse(text).loop().sota()).as("without loop.sota the synced frontier record is used").isNull();
        TaskSpec ok = parse(text.replace("keep_rule = \"sota\"", "keep_rule = \"sota\"\nsota = 1.0611"));
        assertThat(ok.loop().sota()).isEqualTo(1.0611);
        assertThat(ok.loop().sotaFraction()).isEqualTo(0.1);
        assertThatThrownBy(() -> parse(text.replace("keep_rule = \"sota\"", "keep_rule = \"vibes\"")))
                .hasMessageContaining("'vibes' is not a rule; accepted: \"noise\"");
    }

    private static int lineOf(String text, String needle) {
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) if (lines[i].contains(needle)) return i + 1;
        throw new AssertionError(needle);
    }

    @Test
    void agentsAreReadWithTheirKindAndABadOneNamesItsLine() throws Exception {
        String ok = Presets.text("tiny-golf") + "\n[agent.claude]\nkind = \"claude\"\nmodel = \"sonnet\"\n\n[agent.mine]\nkind = \"generic\"\ncommand = [\"my-agent\", \"--fast\"]\ntimeout_seconds = 120\n";
        TaskSpec t = parse(ok);
        assertThat(t.agent("claude").model()).isEqualTo("sonnet");
        assertThat(t.agent("claude").timeoutSeconds()).isEqualTo(1800);
        assertThat(t.agent("mine").command()).containsExactly("my-agent", "--fast");
        assertThatThrownBy(() -> t.agent("codex")).hasMessageContaining("no [agent.codex] in caddie.toml; configured: claude, mine");
        String bad = Presets.text("tiny-golf") + "\n[agent.x]\nkind = \"cursor\"\n\n[agent.y]\nkind = \"generic\"\n";
        assertThatThrownBy(() -> parse(bad)).satisfies(e -> {
            assertThat(e.getMessage()).contains("caddie.toml:" + lineOf(bad, "kind = \"cursor\"") + ": agent.x.kind: 'cursor' is not a kind; accepted: claude, codex, opencode, aider, generic");
            assertThat(e.getMessage()).contains("agent.y.command: missing; accepted: an array of strings");
        });
    }

    @Test
    void aTableHeaderWithoutItsBracketIsNamedAsSuch() throws Exception {
        String text = Presets.text("tiny-golf").replace("[loop]", "[loop");
        assertThatThrownBy(() -> parse(text)).hasMessageContaining("not valid TOML").hasMessageContaining("needs its closing bracket");
    }

    @Test
    void aMisspeltKeyIsAnErrorNamingTheKeyMeantAndAPathOutsideTheWorkspaceIsRefused() throws Exception {
        String text = Presets.text("tiny-golf").replace("micro_first = true", "micro_frist = false")
                .replace("editable = [\"train.java\"]", "editable = [\"train.java\", \"../outside.py\", \"/etc/passwd\"]");
        assertThatThrownBy(() -> parse(text)).satisfies(e -> assertThat(e.getMessage())
                .contains("loop.micro_frist: unknown key; did you mean 'micro_first'?", "'../outside.py' is not inside the workspace",
                        "'/etc/passwd' is not inside the workspace"));
    }

    @Test
    void nanInfAndFractionalIntBoundsAreRefused() throws Exception {
        String text = Presets.text("tiny-golf").replace("noise_k = 2.0", "noise_k = nan").replace("abort_k = 3.0", "abort_k = inf")
                .replace("kind = \"int\", low = 0, high = 3000", "kind = \"int\", low = 0.5, high = 3000")
                .replace("noise_seeds = 3", "noise_seeds = 99999999999999999999");
        assertThatThrownBy(() -> parse(text)).satisfies(e -> assertThat(e.getMessage())
                .contains("loop.noise_k: NaN is out of range", "loop.abort_k: Infinity is out of range", "an int range needs whole bounds",
                        "loop.noise_seeds: 99999999999999999999 is out of range").doesNotContain("7766279631452241919"));
    }

    private static final String BOX = """

            [executor.gpu1]
            kind = "ssh"
            host = "root@10.0.0.5"
            workdir = "/root/caddie-runs"
            ssh_options = ["-p", "2222"]

            [executor.campus]
            kind = "slurm"
            ssh_host = "login.cluster"
            workdir = "~/caddie"
            sbatch_args = ["--gres=gpu:8", "--time=00:30:00"]
            """;

    @Test
    void executorTablesAreReadAndATierNamesOneAsKindColonName() throws Exception {
        TaskSpec t = parse(Presets.text("parameter-golf").replace("[tiers.official]\nexecutor = \"runpod:h100x8\"", "[tiers.official]\nexecutor = \"slurm:campus\"")
                .replace("fetch = [\"final_model.*\", \"logs/*.txt\"]", "fetch = [\"final_model.int8.ptz\"]")
                .replace("[tiers.local]\nexecutor = \"local\"", "[tiers.local]\nexecutor = \"ssh:gpu1\"") + BOX);
        assertThat(t.executor(t.tier("local"))).isEqualTo(new ExecutorSpec("gpu1", "ssh", "root@10.0.0.5", "/root/caddie-runs", null,
                java.util.List.of("-p", "2222"), java.util.List.of(), false));
        assertThat(t.executor(t.tier("local")).workspace()).isEqualTo("/root/caddie-runs/workspace");
        ExecutorSpec campus = t.executor(t.tier("official"));
        assertThat(campus.host()).isEqualTo("login.cluster");
        assertThat(campus.sbatchArgs()).containsExactly("--gres=gpu:8", "--time=00:30:00");
        assertThat(t.tier("official").fetch()).containsExactly("final_model.int8.ptz");
        assertThat(t.executor(t.tier("micro"))).isNull();
    }

    @Test
    void aBadExecutorTableOrReferenceNamesTheFieldAndWhatIsAccepted() throws Exception {
        String text = Presets.text("parameter-golf").replace("[tiers.official]\nexecutor = \"runpod:h100x8\"", "[tiers.official]\nexecutor = \"runpod:h100x9\"")
                .replace("[tiers.local]\nexecutor = \"local\"", "[tiers.local]\nexecutor = \"slurm:gpu1\"") + BOX
                + """

                [executor.bad]
                kind = "kubernetes"

                [executor.half]
                kind = "ssh"
                host = "-oProxyCommand=evil"
                workdir = "relative/dir"
                sbatch_args = ["--time=1"]
                timeout = 3
                """;
        assertThatThrownBy(() -> parse(text)).satisfies(e -> assertThat(e.getMessage()).contains(
                "tiers.official.executor: 'runpod:h100x9' is not an executor; accepted: \"local\" or \"KIND:NAME\" for an [executor.NAME] table (defined: runpod:h100x8, ssh:gpu1, slurm:campus, ssh:half)",
                "caddie.toml:" + lineOf(text, "executor = \"slurm:gpu1\"") + ": tiers.local.executor: 'slurm:gpu1': [executor.gpu1] is of kind ssh; write \"ssh:gpu1\"",
                "caddie.toml:" + lineOf(text, "kind = \"kubernetes\"") + ": executor.bad.kind: 'kubernetes' is not an executor kind; accepted: ssh, slurm, runpod",
                "executor.half.host: '-oProxyCommand=evil' is not a host",
                "executor.half.workdir: 'relative/dir' is not an absolute path",
                "executor.half.sbatch_args: only a slurm executor takes sbatch_args",
                "executor.half.timeout: unknown key; accepted: kind, host, ssh_host, workdir"));
        assertThatThrownBy(() -> parse(Presets.text("parameter-golf") + "\n[executor.x]\nkind = \"ssh\"\n"))
                .hasMessageContaining("executor.x.host: missing").hasMessageContaining("executor.x.workdir: missing");
    }

    @Test
    void theParameterGolfPresetsExecutorExamplesParseOnceUncommented() throws Exception {
        String text = Presets.text("parameter-golf").replaceAll("(?m)^# (\\[executor\\.|kind =|host =|ssh_host =|workdir =|workspace =|sbatch_args =)", "$1")
                .replace("[tiers.local]\nexecutor = \"local\"", "[tiers.local]\nexecutor = \"ssh:gpu1\"");
        TaskSpec t = parse(text);
        assertThat(t.executors()).containsOnlyKeys("gpu1", "campus", "h100x8");
        assertThat(t.executor(t.tier("local")).workspace()).isEqualTo("/root/parameter-golf");
        assertThat(t.executors().get("campus").workspace()).isEqualTo("~/parameter-golf");
    }

    @Test
    void aBadRunpodTableNamesEachField() throws Exception {
        String text = Presets.text("parameter-golf").replace("gpu_count = 8", "gpu_count = 16").replace("cloud = \"SECURE\"", "cloud = \"SPOT\"")
                .replace("api_key_env = \"RUNPOD_API_KEY\"", "api_key_env = \"rpa_abc123 secret\"\nhost = \"1.2.3.4\"")
                .replace("max_pod_minutes = 60", "max_pod_minutes = 1") + "\n[executor.gpu9]\nkind = \"ssh\"\nhost = \"x\"\nworkdir = \"/w\"\ngpu_type = \"H100\"\n";
        assertThatThrownBy(() -> parse(text)).satisfies(e -> assertThat(e.getMessage()).contains(
                "executor.h100x8.gpu_count: 16 is out of range; accepted: 1..8",
                "executor.h100x8.cloud: 'SPOT' is not a cloud",
                "executor.h100x8.api_key_env: 'rpa_abc123 secret' is not an environment variable name",
                "executor.h100x8.host: a runpod executor takes no host",
                "executor.h100x8.max_pod_minutes: 1 is out of range",
                "executor.gpu9.gpu_type: only a runpod executor takes gpu_type"));
    }
}
