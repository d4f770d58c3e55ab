package dev.caddie.cli;

import dev.caddie.loop.WorkspaceSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "init", description = "Write a commented caddie.toml into a git workspace (tiny-golf also copies the trainer and prepares its data).")
final class InitCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "tiny-golf", description = "tiny-golf or parameter-golf (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--force", description = "replace an existing caddie.toml")
    boolean force;

    @Parameters(arity = "0..1", defaultValue = ".", description = "workspace folder (default: current directory)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (!dev.caddie.task.Presets.NAMES.contains(preset)) {
            System.err.println("caddie: unknown preset '" + preset + "'; accepted: " + String.join(", ", dev.caddie.task.Presets.NAMES));
            return 2;
        }
        Path d = dir.toAbsolutePath().normalize();
        for (String line : WorkspaceSetup.init(d, preset, force)) System.out.println(line);
        System.out.println("next: cd " + d + " && caddie run");
        return 0;
    }
}
