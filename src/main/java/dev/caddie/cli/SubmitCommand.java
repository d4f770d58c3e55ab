package dev.caddie.cli;

import dev.caddie.ledger.Ledger;
import dev.caddie.loop.SubmissionBuilder;
import dev.caddie.loop.Workspace;
import dev.caddie.rules.SubmissionFile;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "submit", sortOptions = false,
        description = {"Package a result as a records folder (README.md, submission.json, the captured train logs, the script).",
                "Verifies from the logs first (artifact, line limit, seeds, train and eval time, significance for the record track) and refuses with what failed; exit 1 then."})
final class SubmitCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;
    @Option(names = "--tag", description = "experiment tag (default: the last one used)") String tag;
    @Option(names = "--candidate", description = "candidate id (default: the tag's best mean on --tier)") Long candidate;
    @Option(names = "--tier", description = "tier whose runs are the seeds (default: the promotion tier)") String tier;
    @Option(names = "--name", required = true, description = "the submission's name") String name;
    @Option(names = "--author", required = true) String author;
    @Option(names = "--github-id", required = true) String githubId;
    @Option(names = "--track", defaultValue = SubmissionBuilder.RECORD_TRACK, description = "10min_16mb (a record: significance required) or non_record_16mb (default: ${DEFAULT-VALUE})")
    String track;
    @Option(names = "--out", required = true, description = "the records folder to create (must be new or empty)") Path out;
    @Option(names = "--min-seeds", defaultValue = "3", description = "seeds required (default: ${DEFAULT-VALUE})") int minSeeds;
    @Option(names = "--eval-limit", defaultValue = "600", description = "evaluation seconds allowed (default: ${DEFAULT-VALUE})") double evalLimit;
    @Option(names = "--baseline-loss", paramLabel = "NATS", description = "the frontier's mean val_loss") Double baselineLoss;
    @Option(names = "--baseline-bpb", paramLabel = "BPB", description = "the frontier's mean val_bpb (default: loop.sota, else the record the last caddie frontier sync found)") Double baselineBpb;
    @Option(names = "--baseline-json", paramLabel = "FILE", description = "the frontier's submission.json (its seeds' val_loss)") Path baselineJson;

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        double[] frontierSeeds = null;
        if (baselineJson != null) {
            SubmissionFile f = SubmissionFile.read(baselineJson);
            frontierSeeds = f.seeds().values().stream().filter(s -> s.valLoss() != null).mapToDouble(SubmissionFile.Seed::valLoss).toArray();
            if (frontierSeeds.length == 0 && f.valLoss() != null) frontierSeeds = new double[]{f.valLoss()};
            if (frontierSeeds.length == 0) throw new IllegalArgumentException(baselineJson + ": no val_loss, per seed or overall");
        }
        try (Ledger ledger = Ledger.open(task.ledgerUrl())) {
            String t = LoopRunner.existingTag(ledger, tag);
            var req = new SubmissionBuilder.Request(t, candidate, tier != null ? tier : task.budget().promoteTier(), name, author, githubId, track, out,
                    minSeeds, evalLimit, baselineLoss, baselineBpb, frontierSeeds);
            SubmissionBuilder b = new SubmissionBuilder(task, ledger);
            SubmissionBuilder.Checked ch = b.check(req);
            ch.passed().forEach(p -> System.out.println("ok: " + p));
            if (!ch.failures().isEmpty()) {
                System.out.println("refused: nothing written. What failed:");
                ch.failures().forEach(f -> System.out.println("  - " + f));
                return 1;
            }
            Path dir = b.write(req, ch);
            System.out.println("wrote " + dir + ": README.md, submission.json, " + ch.seeds().size() + " train logs, " + Path.of(task.script()).getFileName());
            return 0;
        }
    }
}
