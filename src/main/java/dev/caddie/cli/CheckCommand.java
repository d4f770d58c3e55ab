package dev.caddie.cli;

import picocli.CommandLine.Command;

@Command(name = "check", description = "The challenge's rules as numbers: an artifact as counted, whether a planned model can fit and train, whether validation data leaked into training.",
        subcommands = {CheckArtifactCommand.class, CheckConstraintsCommand.class, CheckOverlapCommand.class})
final class CheckCommand extends ParentCommand {}
