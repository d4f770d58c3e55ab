package dev.caddie.cli;

import dev.caddie.loop.WorkspaceSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "init", description = "Write a commented caddie.toml into a git workspace (tiny-golf also copies the trainer and prepares its data). "
        + "Never replaces or commits a file of yours: a folder that already holds files needs --preset.")
final class InitCommand implements Callable<Integer> {
    @Option(names = "--preset", description = "tiny-golf or parameter-golf (default: tiny-golf, in an empty folder only)")
    String preset;

    @Option(names = "--force", description = "replace caddie.toml (and, for tiny-golf, train.java and README.md) when git holds them unchanged")
    boolean force;

    @Parameters(arity = "0..1", defaultValue = ".", description = "workspace folder (default: current directory)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Path d = dir.toAbsolutePath().normalize();
        for (String line : WorkspaceSetup.init(d, preset, force)) System.out.println(line);
        System.out.println("next: cd " + Launcher.quoted(d) + " && " + Launcher.command() + " run");
        return 0;
    }
}
