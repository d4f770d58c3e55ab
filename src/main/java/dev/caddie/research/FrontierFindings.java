package dev.caddie.research;

import dev.caddie.ledger.Finding;
import dev.caddie.ledger.FrontierStore;
import dev.caddie.ledger.Submission;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The competition as a source: each PR that `caddie frontier sync` indexed is a finding (its name, folder, claim and
 * triage verdict), so the research sees what others submitted beside what they published.
 */
final class FrontierFindings implements Source {
    private final FrontierStore store;
    private final String pullUrl;

    /** @param pullUrl the PRs' web address without the number (https://github.com/openai/parameter-golf/pull/), or null */
    FrontierFindings(FrontierStore store, String pullUrl) {
        this.store = store;
        this.pullUrl = pullUrl;
    }

    @Override public String name() { return "frontier"; }

    /** Nothing to ask before a frontier sync has indexed PRs. */
    @Override public List<Query> queries() { return store.count() == 0 ? List.of() : List.of(new Query("frontier:pulls", "")); }

    @Override
    public List<Finding> fetch(Query q) {
        List<Finding> out = new ArrayList<>();
        for (Submission s : store.all()) {
            if (s.pr() == null) continue;
            String folder = s.folder().substring(s.folder().lastIndexOf('/') + 1);
            String title = "PR " + s.pr() + ": " + (s.name() != null && !s.name().isBlank() ? s.name() : folder);
            String summary = String.format(Locale.ROOT, "%s%s%s", s.folder(), s.claimedBpb() == null ? "" : "; claims val_bpb " + s.claimedBpb(),
                    s.verdict() == null ? "" : "; triage: " + s.verdict());
            out.add(new Finding(0, name(), "pr/" + s.pr() + ":" + s.folder(), pullUrl == null ? null : pullUrl + s.pr(), title, summary,
                    s.author() == null ? List.of() : List.of(s.author()), s.date(), null, null, null, null));
        }
        out.sort((a, b) -> String.valueOf(b.published()).compareTo(String.valueOf(a.published())));
        return out;
    }
}
