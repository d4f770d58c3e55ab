package dev.caddie.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `caddie` command: one subcommand class per verb, each thin over the packages. */
@Command(name = "caddie", mixinStandardHelpOptions = true, version = "caddie 0.1.0",
        description = "Autonomous research for constrained training challenges (Parameter Golf).",
        subcommands = {InitCommand.class, RunCommand.class, DemoCommand.class, MicroCommand.class, PromoteCommand.class, BudgetCommand.class, CalibrateCommand.class, TournamentCommand.class,
                CheckCommand.class, SignificanceCommand.class, CompareCommand.class, LintCommand.class, SubmitCommand.class, HypothesesCommand.class, MailCommand.class, SuperviseCommand.class, ParseCommand.class, LedgerCommand.class, DataCommand.class,
                TinyGolfCommand.class, CommandLine.HelpCommand.class})
public final class CaddieCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) { System.exit(execute(args)); }

    /** Runs the CLI; user errors print one line (no stack trace) and exit 2. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new CaddieCommand());
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            line.getErr().println("caddie: " + msg);
            if (System.getenv("CADDIE_DEBUG") != null) ex.printStackTrace(line.getErr());
            return 2;
        });
        return cl.execute(args);
    }
}
