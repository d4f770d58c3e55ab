package dev.caddie.cli;

import picocli.CommandLine;

/** A verb that only groups subcommands (ledger, data, budget, tinygolf): on its own it prints its usage. */
abstract class ParentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }
}
