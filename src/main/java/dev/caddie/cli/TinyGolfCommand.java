package dev.caddie.cli;

import dev.caddie.data.TinyGolfCorpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "tinygolf", description = "Tiny Golf's data.", subcommands = TinyGolfCommand.Prepare.class)
final class TinyGolfCommand extends ParentCommand {
    @Command(name = "prepare", description = "Write Tiny Golf's validation and training shards from the bundled Europarl corpus.")
    static final class Prepare implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "data", description = "output folder (default: ${DEFAULT-VALUE})")
        Path out;

        @Override
        public Integer call() throws Exception {
            TinyGolfCorpus.Summary s = TinyGolfCorpus.prepare(out.toAbsolutePath().normalize());
            System.out.printf("%s: validation %d documents, %,d tokens; training %d documents, %,d tokens in %d shard(s); "
                            + "%d training document(s) equal to a validation document dropped%s%n",
                    s.dir(), s.valDocs(), s.valTokens(), s.trainDocs(), s.trainTokens(), s.trainShards(), s.droppedDuplicates(),
                    s.reused() ? " (already prepared, verified)" : "");
            return 0;
        }
    }
}
