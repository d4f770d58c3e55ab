package dev.caddie.cli;

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

@Command(name = "research", description = "What the literature and the competition offer: findings fetched from arXiv and feeds into the ledger.",
        subcommands = {ResearchCommand.Fetch.class, ResearchCommand.ListFindings.class, ResearchCommand.Show.class})
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
            try (Ledger l = Ledger.open(new dev.caddie.loop.Workspace(ws.path()).ledgerFile()); LiveLine live = new LiveLine(System.err)) {
                // the challenge's PRs, where a frontier sync indexed them, are findings too
                String source = dev.caddie.frontier.ChallengeRepo.at(ws.path().resolve(".caddie/frontier/challenge.git")).source();
                String pullUrl = dev.caddie.frontier.GitHubPulls.repoOf(source).map(r -> "https://github.com/" + r[0] + "/" + r[1] + "/pull/").orElse(null);
                ResearchFetch fetch = new ResearchFetch(l.findings(), task.research(), only, l.frontier(), pullUrl);
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

    @Command(name = "list", description = "Every finding: id, source, date, title.")
    static final class ListFindings implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--json", description = "one JSON object per line") boolean json;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = LedgerCommand.read(ws)) {
                for (Finding f : l.findings().all()) {
                    if (json) System.out.println(json(f));
                    else System.out.printf(Locale.ROOT, "%5d  %-6s %-10s %s%n", f.id(), f.source(), f.published() == null ? "?" : f.published().substring(0, Math.min(10, f.published().length())),
                            f.title().length() > 100 ? f.title().substring(0, 97) + "..." : f.title());
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
