package dev.caddie.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caddie.frontier.ChallengeRepo;
import dev.caddie.frontier.CurrentRecord;
import dev.caddie.frontier.FrontierHome;
import dev.caddie.frontier.FrontierSync;
import dev.caddie.frontier.FrontierTriage;
import dev.caddie.frontier.GitHubPulls;
import dev.caddie.frontier.RecordHistory;
import dev.caddie.frontier.SubmissionFolder;
import dev.caddie.frontier.TechniqueMap;
import dev.caddie.ledger.Ledger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "frontier", sortOptions = false, subcommands = {FrontierCommand.Sync.class, FrontierCommand.Techniques.class},
        description = {"The record history of a track from the challenge repository: one line each time its #1 changed, among the records "
                + "on main at the synced commit; with --include-prs, the open PRs that triage as valid and beat the record, with their significance.",
                "Inside a workspace it reads the index `caddie frontier sync` keeps in the ledger; elsewhere give --repo (synced into ~/.cache/caddie/frontier first)."})
final class FrontierCommand implements Callable<Integer> {
    @Mixin FrontierSource source;
    @Option(names = "--track", defaultValue = "10min_16mb", description = "10min_16mb (default) or non_record_16mb")
    String track;
    @Option(names = "--include-prs", description = "also the PRs not on main that triage as valid records and beat the current record")
    boolean includePrs;
    @Option(names = "--no-lint", description = "with --include-prs: judge PRs without `caddie lint` (it needs python3)")
    boolean noLint;
    @Option(names = "--json", description = "one JSON object per line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String trackDir = switch (track) {
            case "10min_16mb" -> SubmissionFolder.RECORD;
            case "non_record_16mb" -> SubmissionFolder.NON_RECORD;
            default -> throw new IllegalArgumentException("unknown --track '" + track + "'; accepted: 10min_16mb, non_record_16mb");
        };
        FrontierHome home = source.home();
        try (Ledger index = Sync.ready(home, source.given(), source.github, source.tokenEnv); ChallengeRepo mirror = home.repo()) {
            FrontierTriage t = new FrontierTriage(mirror, index.frontier(), !noLint);
            List<RecordHistory.Step> steps = RecordHistory.steps(t, trackDir);
            ObjectMapper om = new ObjectMapper();
            if (steps.isEmpty()) {
                System.err.println("no " + trackDir + " record with a claimed val_bpb on main at the synced commit");
                return 1;
            }
            for (RecordHistory.Step s : steps) {
                if (json) {
                    ObjectNode o = om.createObjectNode().put("date", s.date()).put("val_bpb", s.valBpb()).put("folder", s.folder());
                    if (s.pr() == null) o.putNull("pr");
                    else o.put("pr", s.pr());
                    System.out.println(o.put("commit", s.commit()));
                } else System.out.printf(Locale.ROOT, "%-10s  %.8f  %-8s %s%n", day(s.date()), s.valBpb(), s.pr() == null ? "" : "PR " + s.pr(), s.folder());
            }
            if (!includePrs) return 0;
            RecordHistory.Step record = steps.get(steps.size() - 1);
            List<RecordHistory.Challenger> cs = RecordHistory.challengers(t, record);
            if (!json) System.out.println(cs.isEmpty() ? "no open PR triages as a valid record that beats " + record.valBpb()
                    : "open PRs that triage as valid records and beat " + record.valBpb() + ", best first:");
            for (RecordHistory.Challenger c : cs) {
                if (json) {
                    ObjectNode o = om.createObjectNode().put("open_pr", c.pr()).put("val_bpb", c.claimed()).put("folder", c.submission().folder())
                            .put("commit", c.submission().commit()).put("verdict", c.verdict());
                    if (c.significance() != null) o.put("p", c.significance().p()).put("significant", c.significance().significant());
                    else o.put("significance", c.why());
                    System.out.println(o);
                } else System.out.printf(Locale.ROOT, "  PR %-6d %.8f  %s%n      %s%n", c.pr(), c.claimed(), c.submission().folder(),
                        c.significance() != null ? String.format(Locale.ROOT, "%s (p = %.3g, %d seeds)", c.significance().verdict(), c.significance().p(), c.significance().n())
                                : "not tested: " + c.why());
            }
            return 0;
        }
    }

    private static String day(String date) { return date == null ? "?" : date.substring(0, Math.min(10, date.length())); }

    @Command(name = "techniques", sortOptions = false,
            description = {"The battle plan: for each accepted submission, the earlier one whose script it most resembles (its parent), the "
                    + "techniques it adds (named, and the functions, classes and settings its code adds) and its val_bpb delta, confirmed when "
                    + "its seeds differ from the parent's at p < 0.01; per technique: proven, exploring or dead-end.",
                    "Inside a workspace it also writes technique_map.json there, which the agents' decision state reads."})
    static final class Techniques implements Callable<Integer> {
        @Mixin FrontierSource source;
        @Option(names = "--no-lint", description = "judge untriaged submissions without `caddie lint` (it needs python3)")
        boolean noLint;
        @Option(names = "--json", description = "print technique_map.json's content instead of the table")
        boolean json;

        @Override
        public Integer call() throws Exception {
            FrontierHome home = source.home();
            try (Ledger index = Sync.ready(home, source.given(), source.github, source.tokenEnv); ChallengeRepo mirror = home.repo()) {
                TechniqueMap map = TechniqueMap.build(new FrontierTriage(mirror, index.frontier(), !noLint));
                if (home.inWorkspace()) {
                    map = map.withOwn(index); // the workspace's own kept and discarded candidates join the evidence
                    // topics the research watches that findings name and no submission does: untried
                    map = map.withFindings(index.findings().all(), dev.caddie.task.TaskSpecReader.read(source.ws.path()).research().keywords());
                }
                ObjectNode doc = map.json();
                String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc);
                if (home.inWorkspace()) {
                    java.nio.file.Path out = source.ws.path().resolve(TechniqueMap.FILE);
                    java.nio.file.Files.writeString(out, text + "\n");
                    System.err.println("wrote " + out);
                }
                if (json) {
                    System.out.println(text);
                    return 0;
                }
                if (map.techniques().isEmpty()) System.out.println("no technique measured yet: no accepted submission has an accepted parent");
                for (TechniqueMap.Technique t : map.techniques()) {
                    System.out.printf(Locale.ROOT, "%-9s  %-32s %s  %d submission(s), %d confirmed%n", t.status(), clip(t.name(), 32),
                            t.meanDelta() == null ? "delta      ?    " : String.format(Locale.ROOT, "delta %+.4f bpb", t.meanDelta()), t.evidence().size(), t.confirmed());
                    if (!t.findings().isEmpty()) System.out.println("             research findings " + t.findings() + " (caddie research show ID)");
                    for (TechniqueMap.Own o : t.own())
                        System.out.printf(Locale.ROOT, "             here: candidate %d (%s) %s: %+.4f%n", o.candidateId(), o.tag(), o.verdict(), o.delta());
                    for (TechniqueMap.Step s : t.evidence().subList(0, Math.min(3, t.evidence().size())))
                        System.out.printf(Locale.ROOT, "             %s on %s%s%n", name(s.pr(), s.submission().folder()), name(s.parentPr(), s.parent().folder()),
                                s.delta() == null ? "" : String.format(Locale.ROOT, ": %+.4f%s", s.delta(), s.p() == null ? " (not testable: seeds)" : String.format(Locale.ROOT, " (p = %.3g)", s.p())));
                }
                return 0;
            }
        }

        private static String name(Integer pr, String folder) {
            return (pr == null ? "" : "PR " + pr + " ") + folder.substring(folder.lastIndexOf('/') + 1);
        }

        private static String clip(String s, int w) { return s.length() <= w ? s : s.substring(0, w - 3) + "..."; }
    }

    @Command(name = "sync", sortOptions = false,
            description = {"Fetch the challenge repository's branches and every PR head (refs/pull/N/head) into a local mirror and index each "
                    + "submission folder (records/track_*/FOLDER) into the ledger. A second sync reads only the refs that moved.",
                    "Default source: where it was synced from last, else " + ChallengeRepo.UPSTREAM + "."})
    static final class Sync implements Callable<Integer> {
        @Mixin FrontierSource source;

        @Override
        public Integer call() throws Exception {
            try (Ledger index = sync(source.home(), source.github, source.tokenEnv)) {
                return 0;
            }
        }

        /** The index, synced first when a source was given or there is none yet. */
        static Ledger ready(FrontierHome home, boolean sourceGiven, String github, String tokenEnv) throws IOException {
            if (sourceGiven || !home.synced()) {
                if (!sourceGiven && home.inWorkspace())
                    throw new IllegalArgumentException("this workspace has no frontier index yet: run `caddie frontier sync` (or give --repo PATH|URL)");
                return sync(home, github, tokenEnv);
            }
            return home.openIndex();
        }

        /**
         * PR titles and states from GitHub, when a token is set: an optional extra, so a failure is reported and the
         * sync, which git did, stands.
         */
        private static void github(Ledger index, String from, String github, String tokenEnv) {
            String token = tokenEnv == null ? null : System.getenv(tokenEnv);
            if (token == null || token.isBlank()) return;
            String[] ownerRepo = github != null ? github.split("/", 2) : GitHubPulls.repoOf(from).orElse(null);
            if (ownerRepo == null || ownerRepo.length != 2 || ownerRepo[0].isBlank() || ownerRepo[1].isBlank()) {
                System.err.println("GitHub: " + (github != null ? "--github '" + github + "' is not OWNER/REPO" : "the source is no github.com URL; give --github OWNER/REPO")
                        + " to read PR titles and states");
                return;
            }
            String api = System.getenv().getOrDefault("CADDIE_GITHUB_API", GitHubPulls.API); // GitHub Enterprise serves the same API elsewhere
            try {
                int n = new GitHubPulls(api, ownerRepo[0], ownerRepo[1], token).refresh(index.frontier());
                System.err.printf(Locale.ROOT, "GitHub: %,d PR(s) of %s/%s with a new title or state%n", n, ownerRepo[0], ownerRepo[1]);
            } catch (IOException e) {
                System.err.println("GitHub: " + dev.caddie.task.Secrets.redact(e.getMessage()) + " (the token is read from $" + tokenEnv
                        + "; the git sync above stands)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static Ledger sync(FrontierHome home, String github, String tokenEnv) throws IOException {
            String from = home.fetchFrom();
            Ledger index = home.openIndex();
            try (ChallengeRepo mirror = home.repo(); LiveLine live = new LiveLine(System.err)) {
                System.err.println("fetching " + from + " into " + home.mirror());
                mirror.fetch(from, live);
                FrontierSync.Summary s = new FrontierSync(mirror, index.frontier(), live).run();
                live.close();
                System.err.printf(Locale.ROOT, "synced: %,d PR heads (%,d read now, %,d gone), %,d folders on main, %,d submissions indexed in %.1f s%n",
                        s.pulls(), s.pullsRead(), s.forgotten(), s.mainFolders(), s.submissions(), s.millis() / 1000.0);
                github(index, from, github, tokenEnv);
                CurrentRecord.refresh(index, new FrontierTriage(mirror, index.frontier(), false))
                        .ifPresent(r -> System.err.printf(Locale.ROOT, "current record (%s): %s%n", SubmissionFolder.RECORD, CurrentRecord.describe(index).orElse("")));
                return index;
            } catch (IOException | RuntimeException e) {
                index.close();
                throw e;
            }
        }
    }
}
