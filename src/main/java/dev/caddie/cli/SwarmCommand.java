package dev.caddie.cli;

import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Message;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.LoopOptions;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "swarm", description = {"Many workers, on many machines, on one task: one shared ledger ([ledger] url), one git remote ([swarm] remote).",
        "Each machine holds a clone of the task repository and runs `caddie swarm join`."},
        subcommands = {SwarmCommand.Join.class, SwarmCommand.Status.class, SwarmCommand.Feed.class})
final class SwarmCommand extends ParentCommand {

    @Command(name = "join", description = {"Start a worker here: it takes requeued candidates first, else proposes its own, publishes each commit to the "
            + "remote before running it, and keeps only by compare-and-swap on the tag's one best.",
            "It heartbeats; a worker silent past [swarm] claim_timeout is taken for dead and its run requeued. Ctrl-C stops it cleanly."})
    static final class Join implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--name", required = true, description = "this worker's name, unique in the swarm (letters, digits, . _ -)") String name;
        @Option(names = "--proposer", defaultValue = "search", description = "search (default) or agent:NAME") String proposer;
        @Option(names = "--tier", description = "tier to run on (default: [loop] tier)") String tier;
        @Option(names = "--experiments", description = "stop after N experiments") Integer experiments;
        @Option(names = "--hours", description = "stop starting experiments after H hours") Double hours;
        @Option(names = "--tag", description = "experiment tag shared by the swarm (default: the ledger's last one)") String tag;
        @Option(names = "--seed", defaultValue = "1337", description = "training seed, the same on every worker (default: ${DEFAULT-VALUE})") long seed;
        @Option(names = "--unsandboxed", description = "run coding agents without bubblewrap") boolean unsandboxed;

        @Override
        public Integer call() throws Exception {
            TaskSpec task = TaskSpecReader.read(ws.path());
            return LoopRunner.run(task, proposer, new LoopOptions(null, experiments, hours, tier, seed), tag, unsandboxed, name).report();
        }
    }

    @Command(name = "status", description = "The workers (alive or not, last heartbeat, what each does), the leaderboard, the queue and claims, the feed.")
    static final class Status implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--tag", description = "tag (default: the ledger's last one)") String tag;
        @Option(names = "--top", defaultValue = "10", description = "leaderboard rows (default: ${DEFAULT-VALUE})") int top;

        @Override
        public Integer call() throws Exception {
            TaskSpec task = TaskSpecReader.read(ws.path());
            if (top < 1) throw new IllegalArgumentException("--top must be at least 1, got " + top);
            try (Ledger l = Ledger.open(task.ledgerUrl())) {
                l.joinTimeout(task.swarm().claimTimeoutSec() * 1000);
                System.out.println("ledger " + l.where() + (task.swarm().remote() == null ? "" : ", remote " + task.swarm().remote()));
                List<Ledger.Worker> workers = l.workers();
                System.out.println();
                System.out.println("workers (" + workers.stream().filter(l::workerAlive).count() + " alive of " + workers.size() + ")");
                for (Ledger.Worker w : workers)
                    System.out.printf(Locale.ROOT, "  %-14s %-5s %-22s heartbeat %5s ago  %s%n", w.name(), l.workerAlive(w) ? "alive" : w.state().equals("stopped") ? "left" : "dead",
                            w.host() + ":" + w.pid(), ago(w.silentSeconds()), w.doing() == null ? "" : w.doing());
                String t = tag != null ? tag : l.meta("tag").orElse(null);
                if (t == null) System.out.println("\nno experiments yet");
                else leaderboard(task, l, t);
                System.out.println("\nclaims");
                int n = 0;
                for (var r : l.runningRuns()) {
                    String w = l.runWorker(r.id());
                    System.out.printf(Locale.ROOT, "  run %-5d candidate %-5d %-8s %s%n", r.id(), r.candidateId(), r.tier(), w == null ? "pid " + r.pid() : "worker " + w);
                    n++;
                }
                for (Ledger.QueueEntry q : l.queue()) {
                    System.out.printf(Locale.ROOT, "  queue %-3d candidate %-5d %-8s %s%n", q.id(), q.candidateId(), q.state(),
                            (q.worker() == null ? "" : "by " + q.worker() + ": ") + dev.caddie.Text.oneLine(q.reason(), 80));
                    n++;
                }
                if (n == 0) System.out.println("  none");
                List<Message> feed = l.messages("feed");
                System.out.println("\nfeed (" + feed.size() + ")");
                for (Message m : feed.subList(Math.max(0, feed.size() - 10), feed.size())) System.out.println("  " + Feed.line(m));
            }
            return 0;
        }

        /** The tag's kept results, best first, with the worker that found each. */
        private void leaderboard(TaskSpec task, Ledger l, String t) {
            List<Experiment> all = l.experiments(t);
            record Kept(Experiment e, double score) {}
            List<Kept> kept = new ArrayList<>();
            // each score read once: a comparator that queried the ledger would do so n log n times
            for (Experiment e : all)
                if (e.verdict() != null && e.verdict().verdict().equals(Verdict.KEEP) && e.run() != null && e.run().valBpb() != null)
                    kept.add(new Kept(e, l.meanScore(e.candidate().id(), e.run().tier()).orElse(e.run().valBpb())));
            Comparator<Kept> byScore = Comparator.comparingDouble(Kept::score);
            kept.sort(task.metric().minimize() ? byScore : byScore.reversed());
            System.out.println("\nleaderboard, tag " + t + " (" + all.size() + " candidates, " + kept.size() + " kept)");
            for (int i = 0; i < Math.min(top, kept.size()); i++) {
                Experiment e = kept.get(i).e();
                String by = l.candidateWorker(e.candidate().id());
                System.out.printf(Locale.ROOT, "  %2d. #%-5d %s %.6f  %-8s %-12s %s%n", i + 1, e.candidate().id(), task.metric().name(),
                        kept.get(i).score(), e.candidate().commit().substring(0, 7), by == null ? "-" : by, dev.caddie.Text.oneLine(e.candidate().description(), 60));
            }
        }

        private static String ago(long s) { return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s / 3600 + "h"; }
    }

    @Command(name = "feed", description = "The swarm's mailbox across machines: what a worker or a person wants the others to know.",
            subcommands = {Feed.Post.class, Feed.ListFeed.class})
    static final class Feed extends ParentCommand {
        static String line(Message m) {
            String text;
            try {
                text = new com.fasterxml.jackson.databind.ObjectMapper().readTree(m.body()).path("text").asText(m.body());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                text = m.body();
            }
            return String.format(Locale.ROOT, "#%d %s %s: %s", m.id(), m.createdAt().substring(0, 19).replace('T', ' '), m.sender(), text);
        }

        @Command(name = "post", description = "Post a note to every worker.")
        static final class Post implements Callable<Integer> {
            @Mixin WorkspaceOption ws;
            @Option(names = "--from", required = true, description = "who says it (a worker's or a person's name)") String from;
            @Parameters(paramLabel = "TEXT", arity = "1..*", description = "the note") List<String> words;

            @Override
            public Integer call() throws Exception {
                String text = String.join(" ", words).strip();
                if (text.isEmpty()) throw new IllegalArgumentException("the note is empty");
                if (from.isBlank()) throw new IllegalArgumentException("--from is empty; say who posts it");
                TaskSpec task = TaskSpecReader.read(ws.path());
                try (Ledger l = Ledger.open(task.ledgerUrl())) {
                    String body = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("text", text).toString();
                    var posted = l.postMessage("feed", from, body, "feed:" + java.util.UUID.randomUUID(), null);
                    System.out.println("posted #" + posted.id());
                }
                return 0;
            }
        }

        @Command(name = "list", description = "The feed, oldest first.")
        static final class ListFeed implements Callable<Integer> {
            @Mixin WorkspaceOption ws;
            @Option(names = "--since", description = "only notes after this id") Long since;

            @Override
            public Integer call() throws Exception {
                TaskSpec task = TaskSpecReader.read(ws.path());
                try (Ledger l = Ledger.open(task.ledgerUrl())) {
                    for (Message m : l.messages("feed")) if (since == null || m.id() > since) System.out.println(line(m));
                }
                return 0;
            }
        }
    }
}
