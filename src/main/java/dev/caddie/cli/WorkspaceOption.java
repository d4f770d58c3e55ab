package dev.caddie.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The shared --workspace option: the folder holding caddie.toml (default: the current directory). */
final class WorkspaceOption {
    @Option(names = {"-C", "--workspace"}, description = "workspace folder (default: current directory)", defaultValue = ".")
    Path dir;

    Path path() { return dir.toAbsolutePath().normalize(); }
}
