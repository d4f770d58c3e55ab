package dev.caddie.cli;

import dev.caddie.frontier.FrontierHome;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The workspace and --repo of the frontier commands: together they say where the mirror and its index live. */
final class FrontierSource {
    @Mixin WorkspaceOption ws;
    @Option(names = "--repo", paramLabel = "URL|PATH", description = "the challenge repository (a clone, a mirror or its URL): synced first")
    String repo;

    @Option(names = "--github", paramLabel = "OWNER/REPO", description = "where GitHub keeps the PRs' titles and states (default: from a github.com source URL)")
    String github;
    @Option(names = "--github-token-env", paramLabel = "NAME", defaultValue = "GITHUB_TOKEN",
            description = "the variable holding a GitHub token; when it is set, sync also reads each PR's title and open/closed/merged state (optional: git alone gives the rest)")
    String tokenEnv;

    FrontierHome home() { return FrontierHome.of(ws.path(), repo); }

    boolean given() { return repo != null; }
}
