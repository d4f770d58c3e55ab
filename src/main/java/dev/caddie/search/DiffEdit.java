package dev.caddie.search;

import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import com.github.difflib.patch.PatchFailedException;
import com.github.difflib.patch.VerifyChunk;
import com.github.difflib.unifieddiff.UnifiedDiff;
import com.github.difflib.unifieddiff.UnifiedDiffFile;
import com.github.difflib.unifieddiff.UnifiedDiffReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff (as `git diff` or `diff -u` write it) as a worktree edit. Every hunk is checked against
 * the file before anything is written, so a diff that does not apply changes nothing and names its hunk.
 */
public final class DiffEdit implements Proposal.Edit {
    private final UnifiedDiff diff;
    private final String source;

    /** A diff that cannot be read or applied; the message names the file and hunk. */
    public static final class DiffException extends IOException {
        DiffException(String message) { super(message); }
    }

    private DiffEdit(UnifiedDiff diff, String source) {
        this.diff = diff;
        this.source = source;
    }

    /** Parses diff text; source names it in errors (a file name). */
    public static DiffEdit parse(String text, String source) throws DiffException {
        UnifiedDiff d;
        try {
            d = UnifiedDiffReader.parseUnifiedDiff(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new DiffException(source + ": not a unified diff: " + e.getMessage());
        }
        if (d.getFiles().isEmpty() || d.getFiles().stream().allMatch(f -> f.getPatch().getDeltas().isEmpty()))
            throw new DiffException(source + ": no hunks found; expected a unified diff (---/+++ headers and @@ hunks)");
        return new DiffEdit(d, source);
    }

    /** The files the diff writes, relative to the worktree. */
    public List<String> files() {
        return diff.getFiles().stream().map(DiffEdit::target).toList();
    }

    @Override
    public void apply(Path worktree) throws IOException {
        List<Path> paths = new ArrayList<>();
        List<List<String>> results = new ArrayList<>();
        for (UnifiedDiffFile f : diff.getFiles()) {
            String name = target(f);
            Path p = worktree.resolve(name).normalize();
            if (!p.startsWith(worktree)) throw new DiffException(source + ": " + name + " is outside the workspace");
            boolean created = f.getFromFile() == null || f.getFromFile().equals("/dev/null");
            List<String> lines = created || !Files.exists(p) ? new ArrayList<>() : new ArrayList<>(Files.readAllLines(p, StandardCharsets.UTF_8));
            if (!created && !Files.exists(p)) throw new DiffException(source + ": " + name + " does not exist in the candidate");
            Patch<String> patch = f.getPatch();
            List<AbstractDelta<String>> deltas = patch.getDeltas();
            for (int i = 0; i < deltas.size(); i++) {
                AbstractDelta<String> d = deltas.get(i);
                VerifyChunk ok;
                try {
                    ok = d.getSource().verifyChunk(lines);
                } catch (PatchFailedException e) {
                    ok = VerifyChunk.CONTENT_DOES_NOT_MATCH_TARGET;
                }
                if (ok != VerifyChunk.OK)
                    throw new DiffException(String.format("%s: hunk %d of %s (@@ -%d,%d @@) does not apply: %s", source, i + 1, name,
                            d.getSource().getPosition() + 1, d.getSource().size(),
                            ok == VerifyChunk.POSITION_OUT_OF_TARGET ? "the file has only " + lines.size() + " lines"
                                    : "the file differs from the hunk's context there"));
            }
            try {
                results.add(patch.applyTo(lines));
            } catch (PatchFailedException e) {
                throw new DiffException(source + ": " + name + ": " + e.getMessage());
            }
            paths.add(p);
        }
        for (int i = 0; i < paths.size(); i++) {
            Files.createDirectories(paths.get(i).getParent());
            Files.writeString(paths.get(i), String.join("\n", results.get(i)) + "\n", StandardCharsets.UTF_8);
        }
    }

    /** The path a file entry writes, without git's a/ b/ prefixes. */
    private static String target(UnifiedDiffFile f) {
        String name = f.getToFile() != null && !f.getToFile().equals("/dev/null") ? f.getToFile() : f.getFromFile();
        if (name.startsWith("b/") || name.startsWith("a/")) name = name.substring(2);
        return name;
    }
}
