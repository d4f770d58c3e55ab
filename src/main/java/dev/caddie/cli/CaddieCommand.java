package dev.caddie.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `caddie` command: one subcommand class per verb, each thin over the packages. */
@Command(name = "caddie", mixinStandardHelpOptions = true, version = "caddie 0.1.0",
        description = "Autonomous research for constrained training challenges (Parameter Golf).",
        subcommands = {InitCommand.class, RunCommand.class, DemoCommand.class, MicroCommand.class, PromoteCommand.class, BudgetCommand.class, CalibrateCommand.class, TournamentCommand.class,
                CheckCommand.class, SignificanceCommand.class, TriageCommand.class, FrontierCommand.class, ResearchCommand.class, DashboardCommand.class, CompareCommand.class, LintCommand.class, SubmitCommand.class, HypothesesCommand.class, MailCommand.class, SuperviseCommand.class, SwarmCommand.class, VerifyCommand.class, ParseCommand.class, LedgerCommand.class, DataCommand.class,
                TinyGolfCommand.class, ExecutorsCommand.class, PodsCommand.class, HelpCommand.class})
public final class CaddieCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) { System.exit(execute(args)); }

    /** Runs the CLI; user errors print one line (no stack trace) and exit 2. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new CaddieCommand());
        addHelp(cl);
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("caddie: " + dev.caddie.task.Secrets.redact(describe(ex)));
            if (System.getenv("CADDIE_DEBUG") != null) ex.printStackTrace(line.getErr());
            return 2;
        });
        return cl.execute(args);
    }

    /**
     * An exception as a line a person can act on. Java's file errors carry only a path ("/tmp/x") or a bare reason
     * ("Is a directory"), and a decoder's only "Input length = 1": say which it is and what would be accepted.
     */
    static String describe(Throwable ex) {
        if (ex instanceof java.nio.file.NoSuchFileException f) return f.getFile() + ": no such file or folder";
        if (ex instanceof java.nio.file.FileAlreadyExistsException f) return f.getFile() + ": already exists as a file; give a folder, or a path that does not exist yet";
        if (ex instanceof java.nio.file.NotDirectoryException f) return f.getFile() + ": is a file, not a folder";
        if (ex instanceof java.nio.file.AccessDeniedException f) return f.getFile() + ": permission denied";
        if (ex instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getFile() + ": " + f.getReason();
        if (ex instanceof java.nio.charset.CharacterCodingException)
            return "a file given is not UTF-8 text (" + ex.getMessage() + "): give a text file (a log, a diff, a TOML or JSON file)";
        if (ex instanceof OutOfMemoryError) return "out of memory (" + ex.getMessage() + "); an input is far larger than Caddie expects";
        if (ex instanceof java.nio.file.InvalidPathException p)
            return "'" + p.getInput() + "' is not a valid path here (" + p.getReason() + "); under a non-UTF-8 locale, set LC_ALL=C.UTF-8";
        return ex.getMessage() == null ? ex.toString() : ex.getMessage();
    }

    /** -h and --help on every subcommand, however deep, so that no verb needs to remember to ask for them. */
    static void addHelp(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            if (spec.findOption("--help") == null && !(sub.getCommand() instanceof HelpCommand))
                spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            addHelp(sub);
        }
    }
}
