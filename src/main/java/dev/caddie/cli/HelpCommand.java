package dev.caddie.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** `caddie help [COMMAND...]`: the help of any command however deep (`caddie help check artifact`), which picocli's own help command stops short of. */
@Command(name = "help", helpCommand = true, description = "Show the help of a command, e.g. `caddie help check artifact`.")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "the command, and its subcommand if it has them")
    List<String> words = new ArrayList<>();

    private CommandLine self;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.out = out;
    }

    @Override
    public void run() {
        CommandLine target = self.getParent();
        for (String w : words) {
            CommandLine next = target.getSubcommands().get(w);
            if (next == null)
                throw new CommandLine.ParameterException(self, "'" + w + "' is not a command of `" + target.getCommandSpec().qualifiedName()
                        + "`; accepted: " + String.join(", ", target.getSubcommands().keySet()));
            target = next;
        }
        target.usage(out);
        out.flush();
    }
}
