package dev.caddie.frontier;

import dev.caddie.ledger.Ledger;
import dev.caddie.task.TaskSpec;

import java.util.Optional;

/**
 * The record-track #1 as the last frontier sync found it, kept in the ledger's meta so that the loop's "sota" keep
 * rule, the submission check and the agents' decision state use it without anyone typing it in.
 */
public final class CurrentRecord {
    static final String BPB = "frontier.record_bpb", FOLDER = "frontier.record_folder", DATE = "frontier.record_date";

    private CurrentRecord() {}

    static void remember(Ledger ledger, RecordHistory.Step record) {
        ledger.setMeta(BPB, Double.toString(record.valBpb()));
        ledger.setMeta(FOLDER, record.folder());
        ledger.setMeta(DATE, record.date() == null ? "" : record.date());
    }

    /** The synced record's val_bpb, if a sync found one. */
    public static Optional<Double> bpb(Ledger ledger) {
        return ledger.meta(BPB).map(Double::parseDouble);
    }

    /** "1.0811 (records/track_10min_16mb/..., 2026-04-09)", for people and agents. */
    public static Optional<String> describe(Ledger ledger) {
        return bpb(ledger).map(b -> b + " (" + ledger.meta(FOLDER).orElse("?") + ledger.meta(DATE).filter(d -> !d.isEmpty()).map(d -> ", " + d).orElse("") + ")");
    }

    /** The state of the art the keep rule measures against: loop.sota when set, else the synced record. */
    public static Double sota(TaskSpec task, Ledger ledger) {
        return task.loop().sota() != null ? task.loop().sota() : bpb(ledger).orElse(null);
    }

    /** After a sync: the record-track #1 on main, remembered (or forgotten when main has none). */
    public static Optional<RecordHistory.Step> refresh(Ledger ledger, FrontierTriage t) {
        Optional<RecordHistory.Step> now = RecordHistory.current(t, SubmissionFolder.RECORD);
        now.ifPresent(s -> remember(ledger, s));
        return now;
    }
}
