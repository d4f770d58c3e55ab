package dev.caddie.loop;

import dev.caddie.data.SyntheticShards;
import dev.caddie.data.TinyGolfCorpus;
import dev.caddie.run.Git;
import dev.caddie.task.TaskInit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What `caddie init` does: a git workspace with caddie.toml, and for Tiny Golf the trainer and its data. */
public final class WorkspaceSetup {
    /** The files of examples/tiny-golf that ship inside the Caddie jar. */
    public static final List<String> TINY_GOLF_FILES = List.of("train.java", "README.md");
    private static final String IGNORED = ".caddie/\ndata/\nlogs/\nfinal_model.*\n";

    private WorkspaceSetup() {}

    /** Lines for the user: what was done. */
    public static List<String> init(Path dir, String preset, boolean force) throws IOException {
        List<String> said = new ArrayList<>();
        Files.createDirectories(dir);
        if (!Git.isRepo(dir)) {
            Git.run(dir, "init", "-q");
            said.add("initialised a git repository in " + dir);
        }
        if (preset.equals("tiny-golf")) {
            for (String f : TINY_GOLF_FILES) {
                try (InputStream in = WorkspaceSetup.class.getResourceAsStream("/examples/tiny-golf/" + f)) {
                    if (in == null) throw new IOException("examples/tiny-golf/" + f + " is missing from the Caddie jar");
                    Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            said.add("copied Tiny Golf's " + String.join(", ", TINY_GOLF_FILES));
            TinyGolfCorpus.Summary s = TinyGolfCorpus.prepare(dir.resolve("data"));
            said.add(String.format("data: %d validation documents (%,d tokens), %d training documents (%,d tokens) in %d shard(s)%s",
                    s.valDocs(), s.valTokens(), s.trainDocs(), s.trainTokens(), s.trainShards(), s.reused() ? " (already prepared)" : ""));
        } else if (!Files.exists(dir.resolve("train_gpt.py"))) {
            said.add("warning: no train_gpt.py in " + dir + "; point caddie.toml's task.script at your training script");
        }
        // The micro tier runs on synthetic shards, so a smoke test never needs the real data.
        boolean tiny = preset.equals("tiny-golf");
        SyntheticShards.Summary syn = SyntheticShards.write(dir.resolve(".caddie").resolve("synthetic"), tiny ? "tinygolf" : "fineweb",
                tiny ? 256 : 1024, tiny ? 1_000_000 : 5_000_000, tiny ? 32_768 : 262_144, 1);
        said.add(String.format("synthetic shards for the micro tier in %s (vocab %d)", syn.dir(), syn.vocab()));
        Path ignore = dir.resolve(".gitignore");
        String current = Files.exists(ignore) ? Files.readString(ignore) : "";
        if (!current.contains(".caddie/")) Files.writeString(ignore, current + (current.isEmpty() || current.endsWith("\n") ? "" : "\n")
                + (preset.equals("tiny-golf") ? IGNORED : ".caddie/\n"));
        Map<String, String> pinned = TaskInit.writeSpec(dir, preset, force);
        said.add("wrote caddie.toml (preset " + preset + ", " + pinned.size() + " protected file(s) pinned by SHA-256)");
        if (preset.equals("tiny-golf")) {
            Git.run(dir, "add", "-A");
            Git.run(dir, "commit", "-q", "--allow-empty", "-m", "caddie init: Tiny Golf workspace");
            said.add("committed the workspace");
        } else {
            said.add("commit caddie.toml and .gitignore when you are happy with them");
        }
        return said;
    }
}
