package dev.caddie.ledger;

import java.util.Map;

/**
 * A submission folder of the challenge repository as the frontier index holds it.
 *
 * @param ref        "main", or "pull/N" for a PR head
 * @param tree       the folder's git tree id: the same id, the same files
 * @param date       when it was submitted (submission.json's date, the folder name's, else when its commit was made)
 * @param scriptFp   the script's code fingerprint (comments and layout left out), for copies that are not byte-identical
 * @param onMain     its folder is on main at the synced commit (merged, and not deleted since)
 * @param files      file name (relative to the folder) to its blob
 * @param verdict    the triage verdict for this tree, or null until triaged
 */
public record Submission(long id, String ref, Integer pr, String commit, String folder, String track, String tree, String date,
                         String name, String author, Double claimedBpb, String scriptBlob, String scriptFp, boolean onMain,
                         Map<String, File> files, String verdict, String verdictJson) {
    /** A file of the folder: its blob id and size. */
    public record File(String blob, long size) {}

    public Submission {
        files = files == null ? Map.of() : Map.copyOf(files);
    }

    /** How a reader names it: "PR 1413 records/..." or "main records/...". */
    public String label() { return (pr != null ? "PR " + pr : "main") + " " + folder; }
}
