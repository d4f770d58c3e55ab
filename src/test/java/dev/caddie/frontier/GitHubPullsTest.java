package dev.caddie.frontier;

import dev.caddie.ledger.Ledger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PR titles and states from GitHub's REST API (a loopback stand-in speaking its format): pages, tokens, rate limits. */
class GitHubPullsTest {
    @TempDir Path tmp;

    private static GitHubStandIn standIn(int n) throws Exception {
        GitHubStandIn gh = new GitHubStandIn("tok-123", "openai", "parameter-golf");
        for (int i = 1; i <= n; i++)
            gh.pulls.add(new GitHubStandIn.Pr(i, "Record " + i, i % 3 == 0 ? "closed" : "open", i % 6 == 0 ? "2026-04-0" + (i % 9 + 1) + "T00:00:00Z" : null,
                    String.format("2026-04-%02dT%02d:00:00Z", 1 + i / 24, i % 24)));
        return gh;
    }

    @Test
    void everyPageIsReadAndALaterListingStopsAtWhatItHasSeen() throws Exception {
        try (GitHubStandIn gh = standIn(250); Ledger l = Ledger.open(tmp.resolve("l.db"))) {
            GitHubPulls api = new GitHubPulls(gh.url(), "openai", "parameter-golf", "tok-123");
            assertThat(api.refresh(l.frontier())).isEqualTo(250);
            assertThat(gh.requests.get()).isEqualTo(3); // 100 + 100 + 50, following the Link header
            assertThat(l.frontier().pull(6)).containsExactly("Record 6", "closed", "2026-04-07T00:00:00Z");
            assertThat(l.frontier().pull(3)[1]).isEqualTo("closed");
            gh.pulls.add(new GitHubStandIn.Pr(251, "A new one", "open", null, "2026-05-30T00:00:00Z"));
            gh.requests.set(0);
            assertThat(api.refresh(l.frontier())).isEqualTo(1);
            assertThat(gh.requests.get()).isEqualTo(1);
        }
    }

    @Test
    void aShortRateLimitIsWaitedOutALongOneAndABadTokenAreNamedWithoutTheToken() throws Exception {
        try (GitHubStandIn gh = standIn(5)) {
            gh.limited = 1;
            assertThat(new GitHubPulls(gh.url(), "openai", "parameter-golf", "tok-123").updatedSince(null)).hasSize(5);
            gh.limited = 1;
            gh.resetSeconds = 3600;
            assertThatThrownBy(() -> new GitHubPulls(gh.url(), "openai", "parameter-golf", "tok-123").updatedSince(null))
                    .hasMessageContaining("rate limit is spent").hasMessageContaining("resets in");
            assertThatThrownBy(() -> new GitHubPulls(gh.url(), "openai", "parameter-golf", "wrong-secret").updatedSince(null))
                    .hasMessageContaining("GitHub refused the token").hasMessageNotContaining("wrong-secret");
            assertThatThrownBy(() -> new GitHubPulls(gh.url(), "openai", "nope", "tok-123").updatedSince(null)).hasMessageContaining("HTTP 404");
        }
    }

    @Test
    void theRepositoryIsReadFromAGithubUrl() {
        assertThat(GitHubPulls.repoOf("https://github.com/openai/parameter-golf.git")).hasValueSatisfying(r -> assertThat(r).containsExactly("openai", "parameter-golf"));
        assertThat(GitHubPulls.repoOf("git@github.com:me/pgolf")).hasValueSatisfying(r -> assertThat(r).containsExactly("me", "pgolf"));
        assertThat(GitHubPulls.repoOf("/home/me/parameter-golf")).isEmpty();
    }
}
