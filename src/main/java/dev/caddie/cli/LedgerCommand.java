package dev.caddie.cli;

import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Experiment;
import dev.caddie.ledger.GateRecord;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.LedgerExport;
import dev.caddie.ledger.RunRecord;
import dev.caddie.ledger.Verdict;
import dev.caddie.loop.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "ledger", description = "Read the ledger: every candidate, run, gate result and verdict.",
        subcommands = {LedgerCommand.List.class, LedgerCommand.Show.class, LedgerCommand.Export.class, LedgerCommand.Migrate.class})
final class LedgerCommand extends ParentCommand {
    static Ledger open(WorkspaceOption ws) throws Exception {
        dev.caddie.ledger.LedgerUrl url = existing(ws);
        return Ledger.open(url);
    }

    /** For commands that only read: works on a ledger file that cannot be written (a read-only mount). */
    static Ledger read(WorkspaceOption ws) throws Exception {
        dev.caddie.ledger.LedgerUrl url = existing(ws);
        return url.file() != null ? Ledger.openForReading(url.file()) : Ledger.open(url);
    }

    private static dev.caddie.ledger.LedgerUrl existing(WorkspaceOption ws) throws Exception {
        dev.caddie.ledger.LedgerUrl url = dev.caddie.task.TaskSpecReader.ledgerOf(ws.path());
        if (url.file() != null && !Files.exists(url.file())) throw new IOException(url.file() + ": no ledger yet; `caddie run` creates it");
        return url;
    }

    @Command(name = "list", description = "One line per candidate.")
    static final class List implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--tag", description = "only this tag") String tag;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = read(ws)) {
                TerminalConsole.table(System.out, l.experiments(tag));
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Everything about one candidate.")
    static final class Show implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Parameters(paramLabel = "ID") long id;

        @Override
        public Integer call() throws Exception {
            try (Ledger l = read(ws)) {
                Candidate c = l.candidate(id).orElse(null);
                if (c == null) {
                    System.err.println("caddie: no candidate " + id + " in " + l.file());
                    return 2;
                }
                PrintStream o = System.out;
                o.printf("candidate %d  tag %s  proposer %s%n  commit %s (parent %s)%n  %s%n  env %s%n  diff: %d file(s), +%d -%d%n",
                        c.id(), c.tag(), c.proposer(), c.commit(), c.parent(), c.description(), c.env(), c.filesChanged(), c.linesAdded(), c.linesRemoved());
                for (GateRecord g : l.gateResults(id))
                    o.printf("  gate %-16s %s  %s%n", g.gate(), g.passed() ? "pass" : "FAIL", g.reason());
                for (RunRecord r : l.runs(id)) {
                    o.printf("  run %d  tier %s seed %d  %s  exit %s  %s ms%n    log %s (sha256 %s)%n", r.id(), r.tier(), r.seed(), r.status(),
                            r.exitCode(), r.durationMs(), r.logPath(), r.logSha256());
                    if (r.valBpb() != null) o.printf("    %s val_bpb %.8f val_loss %.8f  artifact %s bytes  code %s bytes%n", r.scoreName(), r.valBpb(), r.valLoss(), r.artifactBytes(), r.codeBytes());
                    if (r.error() != null) o.println("    error:\n      " + r.error().replace("\n", "\n      "));
                }
                for (Verdict v : l.verdicts(id)) o.printf("  verdict %s: %s%n", v.verdict(), v.reason());
            }
            return 0;
        }
    }

    @Command(name = "export", description = "Export every experiment as TSV (autoresearch's results.tsv columns first) or JSONL.")
    static final class Export implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--format", defaultValue = "tsv", description = "tsv or jsonl (default: ${DEFAULT-VALUE})") String format;
        @Option(names = "--out", description = "file to write (default: standard output)") Path out;
        @Option(names = "--tag", description = "only this tag") String tag;

        @Override
        public Integer call() throws Exception {
            if (!format.equals("tsv") && !format.equals("jsonl")) {
                System.err.println("caddie: unknown --format '" + format + "'; accepted: tsv, jsonl");
                return 2;
            }
            try (Ledger l = read(ws)) {
                java.util.List<Experiment> rows = l.experiments(tag);
                java.io.StringWriter text = new java.io.StringWriter();
                if (format.equals("tsv")) LedgerExport.tsv(rows, text);
                else LedgerExport.jsonl(rows, text);
                // A ledger written before Caddie redacted keys may still hold one: an export never carries it out.
                String redacted = dev.caddie.task.Secrets.redact(text.toString());
                try (Writer w = out == null ? new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8) {
                    @Override public void close() throws IOException { flush(); } // leave standard output open
                } : Files.newBufferedWriter(out)) {
                    w.write(redacted);
                }
            }
            return 0;
        }
    }

    @Command(name = "migrate", description = {"Copy the ledger, every row with its id, into another database: the workspace's file into a "
            + "swarm's PostgreSQL (--to jdbc:postgresql://HOST:PORT/DB), or back into a file (--to PATH).",
            "The target must be empty; the copy is one transaction and the source is only read."})
    static final class Migrate implements Callable<Integer> {
        @Mixin WorkspaceOption ws;
        @Option(names = "--to", required = true, paramLabel = "URL", description = "jdbc:postgresql://HOST:PORT/DB, jdbc:sqlite:PATH or a file path") String to;
        @Option(names = "--user-env", paramLabel = "VAR", description = "variable holding the target database's user") String userEnv;
        @Option(names = "--password-env", paramLabel = "VAR", description = "variable holding its password") String passwordEnv;

        @Override
        public Integer call() throws Exception {
            if (passwordEnv != null) dev.caddie.task.Secrets.register(passwordEnv);
            dev.caddie.ledger.LedgerUrl target = new dev.caddie.task.LedgerSettings(to, userEnv, passwordEnv).resolve(ws.path());
            dev.caddie.ledger.LedgerUrl source = existing(ws);
            if (source.jdbc().equals(target.jdbc())) throw new IllegalArgumentException("--to names the ledger itself (" + source.display() + ")");
            try (Ledger from = read(ws); Ledger into = Ledger.open(target)) {
                long t0 = System.nanoTime();
                var copied = dev.caddie.ledger.LedgerCopy.copy(from, into);
                long rows = copied.values().stream().mapToLong(Long::longValue).sum();
                System.out.printf(java.util.Locale.ROOT, "copied %,d rows from %s into %s in %.1f s%n", rows, source.display(), target.display(), (System.nanoTime() - t0) / 1e9);
                copied.forEach((t, n) -> { if (n > 0) System.out.printf(java.util.Locale.ROOT, "  %-22s %,9d%n", t, n); });
                System.out.println("every row was counted again in the target. To use it, put this in caddie.toml:");
                System.out.println("  [ledger]");
                System.out.println("  url = \"" + (target.file() != null ? "jdbc:sqlite:" + target.file() : to) + "\"");
                if (userEnv != null) System.out.println("  user_env = \"" + userEnv + "\"");
                if (passwordEnv != null) System.out.println("  password_env = \"" + passwordEnv + "\"");
            }
            return 0;
        }
    }
}
