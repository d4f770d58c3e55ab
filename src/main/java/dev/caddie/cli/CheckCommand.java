package dev.caddie.cli;

import picocli.CommandLine.Command;

@Command(name = "check", description = "The challenge's size rules as numbers: an artifact as counted, or whether a planned model can fit and train.",
        subcommands = {CheckArtifactCommand.class, CheckConstraintsCommand.class})
final class CheckCommand extends ParentCommand {}
