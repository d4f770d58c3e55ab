package dev.caddie.cli;

import dev.caddie.Text;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.ledger.Finding;
import dev.caddie.ledger.Ledger;
import dev.caddie.research.ResearchFetch;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "research", description = "What the literature and the competition offer: findings fetched into the ledger, graded against the task, reflected into strategy.md.",
        subcommands = {ResearchCommand.Fetch.class, ResearchCommand.Grade.class, ResearchCommand.Verify.class, ResearchCommand.Reflect.class, ResearchCommand.Serve.class, ResearchCommand.ListFindings.class, ResearchCommand.Show.class})
final class ResearchCommand extends ParentCommand {
    @Command(name = "fetch", sortOptions = false,
            description = {"Pulls new items from each source [research] in caddie.toml configures (arXiv queries from its keywords and categories, "
                    + "Semantic Scholar's search on the same keywords, RSS/Atom feeds, the PRs a frontier sync indexed) into the ledger, deduplicated across sources by arXiv id, DOI, URL and title.",
                    "A source remembers the newest item it gave, per query, so a rerun stores only what is new; a source that fails is named and the others go on."})
    static final class Fetch implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--source", paramLabel = "NAME", arity = "1..*", description = "only these sources: arxiv, scholar (Semantic Scholar), feed, frontier (the PRs `caddie frontier sync` indexed)")
        List<String> only = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            TaskSpec task = TaskSpecReader.read(ws.path());
            // the first fetch in a new workspace creates the ledger, as the first run does
            try (Ledger l = Ledger.open(task.ledgerUrl()); LiveLine live = new LiveLine(System.err)) {
                ResearchFetch fetch = fetcher(task, l, only);
                if (!fetch.configured()) {
                    System.err.println("nothing to fetch: [research] in caddie.toml names no keywords and no feeds, e.g.\n"
                            + "  [research]\n  keywords = [\"quantization aware training\", \"muon optimizer\"]\n  categories = [\"cs.LG\", \"cs.CL\"]\n"
                            + "  feeds = [\"https://example.org/blog/atom.xml\"]");
                    return 1;
                }
                List<ResearchFetch.Outcome> out = fetch.run(task.research().since(), live);
                live.close();
                int failed = 0;
                for (ResearchFetch.Outcome o : out) {
                    if (o.error() != null) failed++;
                    System.out.printf(Locale.ROOT, "%-48s %s%n", o.query(), o.error() != null ? "FAILED: " + o.error()
                            : String.format(Locale.ROOT, "%d new, %d already known, %d older than the last fetch or [research] since", o.fresh(), o.duplicates(), o.older()));
                }
                System.out.printf(Locale.ROOT, "%d findings in the ledger%s%n", l.findings().all().size(), failed == 0 ? "" : "; " + failed + " quer" + (failed == 1 ? "y" : "ies") + " failed");
                return failed == out.size() ? 1 : 0;
            }
        }
    }

    @Command(name = "grade", sortOptions = false,
            description = {"Judges every finding not judged yet: a pre-filter first (a stated parameter count and bit width that `caddie check constraints` "
                    + "finds cannot fit the artifact limit is rejected, no model called), then the [llm] model, prompted with the task's limits, the best here, "
                    + "the public record, the battle plan and what failed here, answering one JSON object: scores per dimension, tier A/B/C and a plan.",
                    "An answer off the schema is sent back once with what was wrong, then recorded as ungraded; tokens and dollars are recorded per finding "
                            + "and the run stops at [llm] dollars. Without [llm] only the pre-filter runs."})
    static final class Grade implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "judge at most N findings this run (default: ${DEFAULT-VALUE})")
        int limit;
        @Option(names = "--regrade", description = "judge again findings already graded or rejected") boolean regrade;

        @Override
        public Integer call() throws Exception {
            if (limit < 1) throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
            TaskSpec task = TaskSpecReader.read(ws.path());
            dev.caddie.research.LlmClient llm = task.llm().configured() ? new dev.caddie.research.LlmClient(task.llm(), System.getenv()) : null;
            try (Ledger l = LedgerCommand.read(ws); LiveLine live = new LiveLine(System.err)) {
                dev.caddie.research.Grader.Run run = new dev.caddie.research.Grader(task, l, llm).run(limit, regrade, live::accept);
                live.close();
                int graded = 0, rejected = 0, ungraded = 0, tokens = 0;
                double cost = 0;
                for (var o : run.outcomes()) {
                    var g = o.grade();
                    tokens += g.promptTokens() + g.completionTokens();
                    cost += g.costUsd();
                    switch (g.status()) {
                        case dev.caddie.ledger.FindingGrade.GRADED -> graded++;
                        case dev.caddie.ledger.FindingGrade.REJECTED -> rejected++;
                        default -> ungraded++;
                    }
                    System.out.printf(Locale.ROOT, "%5d  %-8s %s  %s%n", o.finding().id(), g.status().equals(dev.caddie.ledger.FindingGrade.GRADED) ? "tier " + g.tier() : g.status(),
                            Text.oneLine(o.finding().title(), 60), g.status().equals(dev.caddie.ledger.FindingGrade.GRADED) ? "" : "— " + g.reason());
                }
                System.out.printf(Locale.ROOT, "%d graded, %d rejected by the pre-filter (no model called), %d ungraded; %,d tokens, $%.4f (of $%.2f for [llm] in all, $%.4f spent)%n",
                        graded, rejected, ungraded, tokens, cost, task.llm().dollars(), l.findings().llmSpend());
                if (run.waiting() > 0)
                    System.out.println(run.waiting() + " findings wait for a model" + (llm == null ? ": [llm] is not configured in caddie.toml (base_url, model, api_key_env)" : ""));
                if (run.stopped() != null) System.out.println("stopped early: " + run.stopped());
                return run.stopped() != null && graded == 0 && rejected == 0 ? 1 : 0;
            }
        }
    }

    @Command(name = "verify", sortOptions = false,
            description = {"Tries the best A-tier findings not tried yet: a coding agent ([agent.NAME]) is asked, in a worktree of the experiment branch's head, "
                    + "for the smallest change that implements the finding's plan; the change goes through the static gates and the micro tier, and the "
                    + "outcome (passes, crash, nan, no learning, over the limit, rejected, no change, agent failed) is recorded on the finding with its diff."})
    static final class Verify implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--agent", paramLabel = "NAME", required = true, description = "the [agent.NAME] that writes the change") String agent;
        @Option(names = "--top", paramLabel = "N", defaultValue = "3", description = "try at most N findings, highest expected gain first (default: ${DEFAULT-VALUE})") int top;
        @Option(names = "--unsandboxed", description = "run the agent without bubblewrap (only where bwrap cannot run; the gates still apply)") boolean unsandboxed;

        @Override
        public Integer call() throws Exception {
            if (top < 1) throw new IllegalArgumentException("--top must be at least 1, got " + top);
            TaskSpec task = TaskSpecReader.read(ws.path());
            var spec = task.agent(agent);
            dev.caddie.run.Git.requireRepo(task.workspace());
            String base = MicroCommand.baseCommit(new dev.caddie.loop.Workspace(task.workspace()), new dev.caddie.run.Git(task.workspace()));
            try (Ledger l = LedgerCommand.read(ws); LiveLine live = new LiveLine(System.err)) {
                var verifier = new dev.caddie.research.Verifier(task, l, spec, !unsandboxed, new dev.caddie.run.Runner(dev.caddie.run.Executors.of(task)));
                if (verifier.candidates(top).isEmpty()) {
                    live.close();
                    System.out.println("nothing to verify: no A-tier finding is left untried (caddie research grade grades them)");
                    return 0;
                }
                var out = verifier.run(top, base, live::accept);
                live.close();
                for (var o : out)
                    System.out.printf(Locale.ROOT, "%5d  %-14s %s  — %s%n", o.finding().id(), o.verification().outcome(), Text.oneLine(o.finding().title(), 60), o.verification().detail());
                return out.stream().anyMatch(o -> o.verification().outcome().equals("passes")) ? 0 : 1;
            }
        }
    }

    @Command(name = "reflect", description = {"Writes strategy.md from the ledger: where the search stands, each direction's tries and best delta (exhausted ones named), "
            + "the failures that repeat and the next experiments the A-tier findings suggest; with [llm], a synthesis on top. The agents' decision state quotes it."})
    static final class Reflect implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--no-llm", description = "the deterministic summary only, even with [llm] configured") boolean noLlm;

        @Override
        public Integer call() throws Exception {
            TaskSpec task = TaskSpecReader.read(ws.path());
            dev.caddie.research.LlmClient llm = task.llm().configured() && !noLlm ? new dev.caddie.research.LlmClient(task.llm(), System.getenv()) : null;
            try (Ledger l = LedgerCommand.read(ws)) {
                String text;
                try {
                    text = new dev.caddie.research.Reflection(task, l).write(llm);
                } catch (java.io.IOException e) {
                    // the model failed: the deterministic part is still worth writing
                    System.err.println("caddie: the [llm] synthesis failed (" + e.getMessage() + "); writing the summary without it");
                    text = new dev.caddie.research.Reflection(task, l).write(null);
                }
                System.out.print(text);
                System.err.println("wrote " + ws.path().resolve(dev.caddie.research.Reflection.FILE));
            }
            return 0;
        }
    }


    /** The fetch over every configured source; the challenge's PRs, where a frontier sync indexed them, are findings too. */
    static ResearchFetch fetcher(TaskSpec task, Ledger l, List<String> only) throws Exception {
        String source = dev.caddie.frontier.ChallengeRepo.at(task.workspace().resolve(".caddie/frontier/challenge.git")).source();
        String pullUrl = dev.caddie.frontier.GitHubPulls.repoOf(source).map(r -> "https://github.com/" + r[0] + "/" + r[1] + "/pull/").orElse(null);
        return new ResearchFetch(l.findings(), task.research(), only, l.frontier(), pullUrl);
    }

    @Command(name = "serve", sortOptions = false,
            description = {"The research role: answers the mailbox's open research requests from the findings, then fetches, grades, verifies (with --agent) "
                    + "and reflects, and again every --interval minutes. A step that fails is named and the cycle goes on. Run it under "
                    + "`caddie supervise --role research=\"caddie research serve\"` beside the experiment role."})
    static final class Serve implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--interval", paramLabel = "MINUTES", defaultValue = "60", description = "minutes between cycles (default: ${DEFAULT-VALUE})") double interval;
        @Option(names = "--once", description = "one cycle, then exit") boolean once;
        @Option(names = "--agent", paramLabel = "NAME", description = "verify A-tier findings with this [agent.NAME] each cycle") String agent;
        @Option(names = "--unsandboxed", description = "run the agent without bubblewrap") boolean unsandboxed;

        @Override
        public Integer call() throws Exception {
            if (!(interval > 0 && interval <= 7 * 24 * 60)) throw new IllegalArgumentException("--interval must be a positive number of minutes, got " + interval);
            for (int cycle = 1; ; cycle++) {
                TaskSpec task = TaskSpecReader.read(ws.path()); // read each cycle: an edited caddie.toml takes effect without a restart
                if (agent != null) task.agent(agent);
                System.out.println("research cycle " + cycle + " at " + java.time.Instant.now());
                try (Ledger l = Ledger.open(task.ledgerUrl())) {
                    cycle(task, l);
                }
                if (once) return 0;
                Thread.sleep((long) (interval * 60_000));
            }
        }

        private void cycle(TaskSpec task, Ledger l) throws InterruptedException {
            dev.caddie.research.LlmClient llm = null;
            try {
                llm = task.llm().configured() ? new dev.caddie.research.LlmClient(task.llm(), System.getenv()) : null;
            } catch (IllegalArgumentException e) {
                System.out.println("  llm: " + e.getMessage() + "; grading and synthesis wait for it");
            }
            final dev.caddie.research.LlmClient model = llm;
            step("requests", () -> new dev.caddie.research.RequestAnswerer(l, model).answerOpen().forEach(x -> System.out.println("  " + x)));
            step("fetch", () -> {
                ResearchFetch f = fetcher(task, l, List.of());
                if (!f.configured()) { System.out.println("  fetch: nothing configured in [research]"); return; }
                for (ResearchFetch.Outcome o : f.run(task.research().since(), x -> {}))
                    System.out.println("  fetch " + o.query() + ": " + (o.error() != null ? "FAILED: " + o.error() : o.fresh() + " new"));
            });
            step("grade", () -> {
                var run = new dev.caddie.research.Grader(task, l, model).run(500, false, x -> {});
                long graded = run.outcomes().stream().filter(o -> o.grade().status().equals(dev.caddie.ledger.FindingGrade.GRADED)).count();
                System.out.println("  grade: " + run.outcomes().size() + " judged (" + graded + " graded), " + run.waiting() + " waiting"
                        + (run.stopped() == null ? "" : "; stopped: " + run.stopped()));
            });
            if (agent != null) step("verify", () -> {
                String base = MicroCommand.baseCommit(new dev.caddie.loop.Workspace(task.workspace()), new dev.caddie.run.Git(task.workspace()));
                for (var o : new dev.caddie.research.Verifier(task, l, task.agent(agent), !unsandboxed, new dev.caddie.run.Runner(dev.caddie.run.Executors.of(task)))
                        .run(1, base, x -> {}))
                    System.out.println("  verify finding " + o.finding().id() + ": " + o.verification().outcome());
            });
            step("reflect", () -> {
                try {
                    new dev.caddie.research.Reflection(task, l).write(model);
                } catch (java.io.IOException e) {
                    new dev.caddie.research.Reflection(task, l).write(null);
                    System.out.println("  reflect: the synthesis failed (" + e.getMessage() + "); the summary was written");
                }
                System.out.println("  reflect: wrote " + dev.caddie.research.Reflection.FILE);
            });
        }

        private interface Step { void run() throws Exception; }

        private static void step(String name, Step s) throws InterruptedException {
            try {
                s.run();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                System.out.println("  " + name + " FAILED: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
    }

    @Command(name = "list", description = "Every finding: id, source, date, grade (tier, rejected or ungraded), title.")
    static final class ListFindings implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--json", description = "one JSON object per line") boolean json;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = LedgerCommand.read(ws)) {
                var grades = l.findings().latestGrades();
                for (Finding f : l.findings().all()) {
                    var g = grades.get(f.id());
                    String grade = g == null ? "-" : g.status().equals(dev.caddie.ledger.FindingGrade.GRADED) ? "tier " + g.tier() : g.status();
                    if (json) {
                        ObjectNode o = json(f);
                        if (g != null) o.put("grade", g.status()).put("tier", g.tier()).put("plan", g.plan()).put("reason", g.reason());
                        System.out.println(o);
                    } else System.out.printf(Locale.ROOT, "%5d  %-6s %-10s %-8s %s%n", f.id(), f.source(), f.published() == null ? "?" : f.published().substring(0, Math.min(10, f.published().length())),
                            grade, f.title().length() > 100 ? f.title().substring(0, 97) + "..." : f.title());
                }
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One finding whole: its source, links, authors, date and summary.")
    static final class Show implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Parameters(paramLabel = "ID") long id;
        @Option(names = "--json", description = "one JSON object, with the raw item as its source sent it") boolean json;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = LedgerCommand.read(ws)) {
                Finding f = l.findings().get(id).orElseThrow(() -> new IllegalArgumentException("no finding " + id + " in the ledger (caddie research list shows them)"));
                if (json) {
                    System.out.println(json(f).put("raw", f.raw()).toPrettyString());
                    return 0;
                }
                System.out.println(f.title());
                System.out.println("  source: " + f.source() + " (" + f.sourceId() + ")");
                if (f.url() != null) System.out.println("  url: " + f.url());
                if (f.arxivId() != null) System.out.println("  arXiv: " + f.arxivId());
                if (f.doi() != null) System.out.println("  DOI: " + f.doi());
                if (!f.authors().isEmpty()) System.out.println("  authors: " + String.join(", ", f.authors()));
                if (f.published() != null) System.out.println("  published: " + f.published());
                if (f.summary() != null) System.out.println("\n" + f.summary());
                var g = l.findings().latestGrades().get(f.id());
                var v = l.findings().latestVerifications().get(f.id());
                if (v != null) System.out.println("\nverified on the micro tier: " + v.outcome() + " — " + v.detail() + (v.diff() == null ? "" : "\n" + v.diff()));
                if (g != null) {
                    System.out.println("\ngrade: " + (g.status().equals(dev.caddie.ledger.FindingGrade.GRADED) ? "tier " + g.tier() + " " + g.scoresJson() : g.status() + " — " + g.reason()));
                    if (g.plan() != null) System.out.println("plan: " + g.plan());
                    if (g.model() != null) System.out.printf(Locale.ROOT, "by %s, %d+%d tokens, $%.4f, %s%n", g.model(), g.promptTokens(), g.completionTokens(), g.costUsd(), g.gradedAt());
                }
            }
            return 0;
        }
    }

    static ObjectNode json(Finding f) {
        ObjectNode o = new ObjectMapper().createObjectNode().put("id", f.id()).put("source", f.source()).put("source_id", f.sourceId())
                .put("url", f.url()).put("title", f.title()).put("summary", f.summary()).put("published", f.published())
                .put("arxiv_id", f.arxivId()).put("doi", f.doi()).put("fetched_at", f.fetchedAt());
        var a = o.putArray("authors");
        f.authors().forEach(a::add);
        return o;
    }
}
