package dev.caddie.loop;

import dev.caddie.gate.CheckpointHalving;
import dev.caddie.ledger.RunRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Training-loss curves of a tournament's runs, each read from its log once. The checkpoint gate wants every
 * peer's curve for every new run on a rung, and the search wants every stopped run's for every proposal;
 * a run that has ended never logs again, so its curve is kept (a live one is read afresh each time).
 */
final class RunCurves {
    private record Key(long runId, Double capMs) {}

    private final Map<Key, List<CheckpointHalving.Point>> ended = new HashMap<>();

    /** The run's curve with positions against capMs (steps when null); null when it has no log. */
    List<CheckpointHalving.Point> of(RunRecord r, Double capMs) throws IOException {
        if (r.logPath() == null || !Files.exists(Path.of(r.logPath()))) return null;
        Key key = new Key(r.id(), capMs);
        List<CheckpointHalving.Point> known = ended.get(key);
        if (known != null) return known;
        List<CheckpointHalving.Point> curve = CheckpointHalving.curve(Path.of(r.logPath()), capMs);
        if (!"running".equals(r.status())) ended.put(key, curve);
        return curve;
    }
}
