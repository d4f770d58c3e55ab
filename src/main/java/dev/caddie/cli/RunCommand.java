package dev.caddie.cli;

import dev.caddie.loop.LoopOptions;
import dev.caddie.task.TaskSpec;
import dev.caddie.task.TaskSpecReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "run", description = "Run the keep/discard loop: propose, gate, run, keep or discard. Ctrl-C stops cleanly; run again to resume.")
final class RunCommand implements Callable<Integer> {
    @Mixin WorkspaceOption ws;

    @Option(names = "--experiments", description = "stop after N experiments") Integer experiments;
    @Option(names = "--hours", description = "stop starting experiments after H hours") Double hours;
    @Option(names = "--tier", description = "tier to run on (default: [loop] tier in caddie.toml)") String tier;
    @Option(names = "--proposer", defaultValue = "search", description = "who proposes candidates: search (default) or agent:NAME ([agent.NAME] in caddie.toml)") String proposer;
    @Option(names = "--unsandboxed", description = "run coding agents without bubblewrap (only where bwrap cannot run; the diff check still applies)") boolean unsandboxed;
    @Option(names = "--tag", description = "experiment tag; the branch is caddie/TAG (default: the last one, else today's)") String tag;
    @Option(names = "--seed", defaultValue = "1337", description = "training seed (default: ${DEFAULT-VALUE})") long seed;

    @Override
    public Integer call() throws Exception {
        TaskSpec task = TaskSpecReader.read(ws.path());
        LoopRunner.run(task, proposer, new LoopOptions(null, experiments, hours, tier, seed), tag, unsandboxed);
        return 0;
    }
}
