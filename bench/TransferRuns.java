// The tier-transfer report's set-up in bench/search-vs-optuna: picks N of Caddie's commits scored at the full
// (60 s) budget and queues them for promotion to the official (600 s) tier, one seed each, so that
// `caddie promote` runs them and `caddie calibrate --cheap full --dear official` reports the rank correlation.
// The picks are the commits the tournament kept (already queued), then commits spread evenly over the ranks
// of the rest, so the pairs cover good and bad scores alike.
//   TransferRuns WS N
import dev.caddie.ledger.Candidate;
import dev.caddie.ledger.Ledger;
import dev.caddie.ledger.Promotion;
import dev.caddie.loop.Workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

public class TransferRuns {
    public static void main(String[] args) throws Exception {
        Path ws = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Path toml = ws.resolve("caddie.toml");
        // one seed per commit: the report compares commits, and a seed costs ten minutes here
        String text = Files.readString(toml).replaceFirst("(?m)^seeds = \\d+", "seeds = 1");
        Files.writeString(toml, text);
        try (Ledger l = Ledger.open(new Workspace(ws).ledgerFile())) {
            record Scored(long id, double score) {}
            List<Scored> scored = new ArrayList<>();
            for (var e : l.experiments("bench")) {
                var full = l.runs(e.candidate().id()).stream()
                        .filter(r -> r.tier().equals("full") && r.valBpb() != null && r.artifactBytes() != null && r.artifactBytes() <= 160_000).findFirst();
                full.ifPresent(r -> scored.add(new Scored(e.candidate().id(), r.valBpb())));
            }
            scored.sort(Comparator.comparingDouble(Scored::score));
            Set<Long> picks = new LinkedHashSet<>();
            for (Promotion p : l.promotions()) if (p.tier().equals("official") && p.state().equals(Promotion.QUEUED)) picks.add(p.candidateId());
            List<Scored> rest = scored.stream().filter(s -> !picks.contains(s.id())).toList();
            int want = Math.max(0, n - picks.size());
            for (int i = 0; i < want && !rest.isEmpty(); i++) {
                Scored s = rest.get(want == 1 ? rest.size() - 1 : (int) Math.round(i * (rest.size() - 1) / (double) (want - 1)));
                if (picks.add(s.id())) l.enqueuePromotion(s.id(), "official", "tier-transfer report");
            }
            System.out.printf(Locale.ROOT, "%d commits scored at the full budget; %d queued for the official tier:%n", scored.size(), picks.size());
            for (Scored s : scored)
                if (picks.contains(s.id())) {
                    Candidate c = l.candidate(s.id()).orElseThrow();
                    System.out.printf(Locale.ROOT, "  candidate %d  full %.4f  %s%n", s.id(), s.score(), c.description());
                }
        }
    }
}
