package dev.caddie.cli;

import dev.caddie.data.SyntheticShards;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "data", description = "Data in the challenge's shard format.", subcommands = DataCommand.Synthetic.class)
final class DataCommand extends ParentCommand {
    @Command(name = "synthetic", description = "Write train and val shards from a seeded order-2 Markov source, so any script that reads challenge shards can run without the real data.")
    static final class Synthetic implements Callable<Integer> {
        @Option(names = "--vocab", required = true, description = "vocabulary size (2..65536)") int vocab;
        @Option(names = "--tokens", required = true, description = "training tokens") long tokens;
        @Option(names = "--val-tokens", description = "validation tokens (default: a tenth of --tokens)") Long valTokens;
        @Option(names = "--out", required = true, description = "output folder") Path out;
        @Option(names = "--prefix", defaultValue = "fineweb", description = "file prefix: fineweb (train_gpt.py) or tinygolf (default: ${DEFAULT-VALUE})") String prefix;
        @Option(names = "--seed", defaultValue = "1", description = "seed (default: ${DEFAULT-VALUE})") long seed;

        @Override
        public Integer call() throws Exception {
            long val = valTokens != null ? valTokens : Math.max(2, tokens / 10);
            SyntheticShards.Summary s = SyntheticShards.write(out.toAbsolutePath().normalize(), prefix, vocab, tokens, val, seed);
            System.out.printf(Locale.ROOT, "%s: %,d training tokens in %d shard(s) (%s_train_*.bin), %,d validation tokens (%s_val_000000.bin)%n",
                    s.dir(), s.trainTokens(), s.trainShards(), prefix, s.valTokens(), prefix);
            System.out.printf(Locale.ROOT, "vocab %d; the source's entropy rate is %.4f nats/token (a model cannot beat it; ln(vocab) = %.4f)%n",
                    vocab, s.entropyRateNats(), Math.log(vocab));
            return 0;
        }
    }
}
