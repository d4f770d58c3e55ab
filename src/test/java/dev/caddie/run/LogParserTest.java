package dev.caddie.run;

import dev.caddie.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LogParserTest {
    private final LogParser parser = new LogParser();

    /** One row of pgolf-log-finals.tsv: what a correct parser extracts from that shared log. */
    record Expected(Map<String, String> row) {
        String get(String k) { String v = row.get(k); return v == null || v.equals("NA") || v.isEmpty() ? null : v; }
        @Override public String toString() { return row.get("folder") + "/" + row.get("log_file"); }
    }

    static List<Expected> sharedLogs() throws IOException {
        List<String> lines = Files.readAllLines(SharedData.file("pgolf-log-finals.tsv"));
        String[] head = lines.get(0).split("\t", -1);
        List<Expected> out = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] cells = l.split("\t", -1);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < head.length; i++) row.put(head[i], i < cells.length ? cells[i] : "");
            out.add(new Expected(row));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedLogs")
    void everySharedLogParsesToItsExpectedValues(Expected e) throws IOException {
        Path log = SharedData.file("pgolf-logs/" + e.row().get("folder") + "/" + e.row().get("log_file"));
        LogSummary s = parser.parse(log);

        assertThat(s.runs()).as("runs").isEqualTo(Integer.parseInt(e.get("n_runs")));
        if (e.get("best_final_val_bpb") == null) {
            assertThat(s.score()).as("score").isNull();
        } else {
            assertThat(s.score().valBpb()).as("score").isCloseTo(Double.parseDouble(e.get("best_final_val_bpb")), within(1e-9));
            for (String pair : e.get("all_final_metrics_last_run").split(";")) {
                String[] kv = pair.split("=");
                assertThat(s.finals()).as("finals").containsKey(kv[0]);
                assertThat(s.finals().get(kv[0]).valBpb()).as(kv[0]).isCloseTo(Double.parseDouble(kv[1]), within(1e-9));
            }
            assertThat(s.finals()).hasSize(e.get("all_final_metrics_last_run").split(";").length);
        }
        String total = e.get("total_bytes");
        if (total != null && total.endsWith("MB")) // logs that print megabytes only
            assertThat(s.artifactBytes()).as("artifact bytes").isEqualTo(Math.round(Double.parseDouble(total.replace("MB", "")) * 1e6));
        else
            assertThat(s.artifactBytes()).as("artifact bytes").isEqualTo(longOrNull(total));
        assertThat(s.codeBytes()).as("code bytes").isEqualTo(longOrNull(e.get("code_bytes")));
        assertThat(s.stopTrainTimeMs()).as("train time").isEqualTo(longOrNull(e.get("stop_train_time_ms")));
        assertThat(s.stopStep() == null ? null : (long) s.stopStep()).as("stop step").isEqualTo(longOrNull(e.get("stop_step")));
        assertThat(s.lastValStep() == null ? null : (long) s.lastValStep()).as("last val step").isEqualTo(longOrNull(e.get("last_periodic_val_step")));
        if (e.get("last_periodic_val_bpb") != null)
            assertThat(s.lastValBpb()).as("last val bpb").isCloseTo(Double.parseDouble(e.get("last_periodic_val_bpb")), within(1e-9));
        assertThat(s.peakMemMib()).as("peak memory").isEqualTo(longOrNull(e.get("peak_mem_mib")));
        assertThat((long) s.stepLines()).as("step lines").isEqualTo(longOrNull(e.get("n_step_lines")));
    }

    private static Long longOrNull(String s) { return s == null ? null : Long.parseLong(s); }

    @Test
    void theBrokenExtraEvalAfterTheRealScoreIsNotTheScore() throws IOException {
        LogSummary s = parser.parse(SharedData.file("pgolf-logs/2026-04-04_SP4096_DepthRecurrence_ParallelResid_MuonEqR/train_seed42.log"));
        assertThat(s.score().name()).isEqualTo("final_int6_sliding_window");
        assertThat(s.score().valBpb()).isEqualTo(1.08938974);
    }

    @Test
    void anEmptyLogHasNoScoreAndNoRuns() {
        LogSummary s = parser.parse("empty.txt", new String[]{""});
        assertThat(s.score()).isNull();
        assertThat(s.runs()).isZero();
        assertThat(s.artifactBytes()).isNull();
    }

    @Test
    void aLogWithoutAFinalMetricStillReportsItsProgress() {
        LogSummary s = parser.parse("cut.txt", new String[]{
                "step:1/100 train_loss:6.9370 train_time:24ms step_avg:24.05ms",
                "step:50/100 val_loss:3.1000 val_bpb:1.8000 train_time:900ms step_avg:18.00ms",
                "Traceback (most recent call last):"});
        assertThat(s.score()).isNull();
        assertThat(s.lastValStep()).isEqualTo(50);
        assertThat(s.trainTimeMs()).isEqualTo(900L);
    }

    @Test
    void metricTemplatesInsideEmbeddedCodeAreNotMetrics() {
        LogSummary s = parser.parse("code.txt", new String[]{
                "import os",
                "    log0(f\"final_int8_zlib_roundtrip_exact val_loss:{a:.8f} val_bpb:{b:.8f}\")",
                "=".repeat(100),
                "final_int8_zlib_roundtrip val_loss:2.0000 val_bpb:1.2000 eval_time:1ms"});
        assertThat(s.finals()).containsOnlyKeys("final_int8_zlib_roundtrip");
        assertThat(s.score().valBpb()).isEqualTo(1.2);
    }

    @Test
    void aNanTrainLossIsFlagged() {
        LogSummary s = parser.parse("nan.txt", new String[]{"step:3/10 train_loss:nan train_time:3ms step_avg:1.00ms"});
        assertThat(s.nanSeen()).isTrue();
    }

    @Test
    void timestampPrefixesAreStripped() {
        LogSummary s = parser.parse("ts.txt", new String[]{
                "1776144156.999 quantized_ttt_phased val_loss:2.76951521 val_bpb:1.07216564 eval_time:500104ms"});
        assertThat(s.score().name()).isEqualTo("quantized_ttt_phased");
    }
}
