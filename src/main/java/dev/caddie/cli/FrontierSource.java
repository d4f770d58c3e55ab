package dev.caddie.cli;

import dev.caddie.frontier.FrontierHome;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The workspace and --repo of the frontier commands: together they say where the mirror and its index live. */
final class FrontierSource {
    @Mixin WorkspaceOption ws;
    @Option(names = "--repo", paramLabel = "URL|PATH", description = "the challenge repository (a clone, a mirror or its URL): synced first")
    String repo;

    FrontierHome home() { return FrontierHome.of(ws.path(), repo); }

    boolean given() { return repo != null; }
}
