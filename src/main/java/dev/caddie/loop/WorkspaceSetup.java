package dev.caddie.loop;

import dev.caddie.data.SyntheticShards;
import dev.caddie.data.TinyGolfCorpus;
import dev.caddie.run.Git;
import dev.caddie.task.Presets;
import dev.caddie.task.TaskInit;
import dev.caddie.task.TaskSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What `caddie init` does: a git workspace with caddie.toml, and for Tiny Golf the trainer and its data.
 * It never destroys a user's work: every file it would write is checked first, a different file already
 * there is refused (with --force, replaced only when git holds it unchanged, so git can bring it back), and
 * it commits only the files it wrote itself.
 */
public final class WorkspaceSetup {
    /** The files of examples/tiny-golf that ship inside the Caddie jar. */
    public static final List<String> TINY_GOLF_FILES = List.of("train.java", "README.md");
    private static final List<String> TINY_GOLF_IGNORED = List.of(".caddie/", "data/", "logs/", "final_model.*");
    private static final List<String> IGNORED = List.of(".caddie/");

    /** A refusal of init: nothing was written. */
    public static final class InitRefused extends IllegalArgumentException {
        InitRefused(String message) { super(message); }
    }

    private WorkspaceSetup() {}

    /** Lines for the user: what was done. A null preset means "not given": tiny-golf, but only in an empty folder. */
    public static List<String> init(Path dir, String preset, boolean force) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new InitRefused(dir + " is a file, not a folder; give a folder for the workspace");
        if (preset == null) preset = defaultPreset(dir);
        if (!Presets.NAMES.contains(preset)) throw new InitRefused("unknown preset '" + preset + "'; accepted: " + String.join(", ", Presets.NAMES));
        boolean tiny = preset.equals("tiny-golf");
        Files.createDirectories(dir);
        List<String> said = new ArrayList<>();
        boolean repo = Git.isRepo(dir);

        // Everything init writes into the user's tree, decided and checked before anything is written.
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (tiny) for (String f : TINY_GOLF_FILES) files.put(f, resource("/examples/tiny-golf/" + f));
        List<String> conflicts = new ArrayList<>(files.keySet().stream().filter(f -> differs(dir.resolve(f), files.get(f))).toList());
        if (Files.exists(dir.resolve(TaskSpec.FILE))) conflicts.add(TaskSpec.FILE);
        refuseConflicts(dir, repo, conflicts, force); // all of them named at once

        if (!repo) {
            Git.run(dir, "init", "-q");
            said.add("initialised a git repository in " + dir);
        }
        List<String> toCommit = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            if (Files.exists(p) && !differs(p, f.getValue())) continue; // identical: already Tiny Golf's own
            Files.write(p, f.getValue());
            toCommit.add(f.getKey());
        }
        if (tiny) {
            said.add("copied Tiny Golf's " + String.join(", ", TINY_GOLF_FILES));
            TinyGolfCorpus.Summary s = TinyGolfCorpus.prepare(dir.resolve("data"));
            said.add(String.format("data: %d validation documents (%,d tokens), %d training documents (%,d tokens) in %d shard(s)%s",
                    s.valDocs(), s.valTokens(), s.trainDocs(), s.trainTokens(), s.trainShards(), s.reused() ? " (already prepared)" : ""));
        }
        // The micro tier runs on synthetic shards, so a smoke test never needs the real data.
        SyntheticShards.Summary syn = SyntheticShards.write(dir.resolve(".caddie").resolve("synthetic"), tiny ? "tinygolf" : "fineweb",
                tiny ? 256 : 1024, tiny ? 1_000_000 : 5_000_000, tiny ? 32_768 : 262_144, 1);
        said.add(String.format("synthetic shards for the micro tier in %s (vocab %d)", syn.dir(), syn.vocab()));

        // A .gitignore of the user's is committed only if git already holds all of it (nothing of theirs goes in unasked).
        boolean ignoreCommittable = !Files.exists(dir.resolve(".gitignore")) || tracked(dir, ".gitignore") && clean(dir, ".gitignore");
        String ignoreNote = ignore(dir, tiny ? TINY_GOLF_IGNORED : IGNORED);
        Map<String, String> pinned = TaskInit.writeSpec(dir, preset);
        said.add("wrote caddie.toml (preset " + preset + ", " + pinned.size() + " protected file(s) pinned by SHA-256)");
        if (ignoreNote != null) said.add(ignoreNote);
        if (tiny) {
            toCommit.add(TaskSpec.FILE);
            if (ignoreNote != null && ignoreCommittable) toCommit.add(".gitignore");
            commitOnly(dir, toCommit, "caddie init: Tiny Golf workspace");
            said.add("committed " + String.join(", ", toCommit) + " (nothing else of the folder's)");
        } else {
            said.addAll(parameterGolfAdvice(dir, pinned));
        }
        return said;
    }

    /** Without --preset: Tiny Golf in an empty folder; a folder that holds a project must say which task it is. */
    static String defaultPreset(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return "tiny-golf";
        List<String> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.map(p -> p.getFileName().toString() + (Files.isDirectory(p) ? "/" : "")).filter(n -> !n.equals(".git/")).sorted().toList();
        }
        if (entries.isEmpty()) return "tiny-golf";
        String shown = entries.size() > 6 ? String.join(", ", entries.subList(0, 6)) + ", ..." : String.join(", ", entries);
        String hint = entries.contains("train_gpt.py")
                ? "this looks like a Parameter Golf checkout: run `caddie init --preset parameter-golf` (nothing of yours is changed)"
                : "give --preset parameter-golf for a Parameter Golf checkout (nothing of yours is changed), or --preset tiny-golf to add "
                  + "Tiny Golf's train.java, README.md and data/ beside your files";
        throw new InitRefused(dir + " already holds files (" + shown + "); " + hint);
    }

    private static void refuseConflicts(Path dir, boolean repo, List<String> conflicts, boolean force) throws IOException {
        if (conflicts.isEmpty()) return;
        if (!force) {
            String what = conflicts.equals(List.of(TaskSpec.FILE)) ? TaskSpec.FILE + " already exists" : "it would replace " + String.join(", ", conflicts);
            throw new InitRefused(dir.resolve(conflicts.get(0)).getParent() + ": " + what + "; nothing was written. Move "
                    + (conflicts.size() == 1 ? "it" : "them") + " aside, or pass --force to replace "
                    + (conflicts.size() == 1 ? "it" : "them") + " (only files committed unchanged, which git can bring back)");
        }
        List<String> unsafe = new ArrayList<>();
        for (String f : conflicts) if (!repo || !tracked(dir, f) || !clean(dir, f)) unsafe.add(f);
        if (!unsafe.isEmpty())
            throw new InitRefused("--force replaces only files that git holds unchanged; " + String.join(", ", unsafe)
                    + (unsafe.size() == 1 ? " is" : " are") + " not committed or " + (unsafe.size() == 1 ? "has" : "have")
                    + " uncommitted changes, so replacing would lose them. Commit or move them first; nothing was written");
    }

    /** Appends the missing ignore lines; null when none were missing, else what was done. */
    private static String ignore(Path dir, List<String> wanted) throws IOException {
        Path ignore = dir.resolve(".gitignore");
        boolean existed = Files.exists(ignore);
        String current = existed ? Files.readString(ignore) : "";
        List<String> have = current.lines().map(String::strip).toList();
        List<String> missing = wanted.stream().filter(w -> !have.contains(w)).toList();
        if (missing.isEmpty()) return null;
        Files.writeString(ignore, current + (current.isEmpty() || current.endsWith("\n") ? "" : "\n") + String.join("\n", missing) + "\n");
        return (existed ? "added " : "wrote .gitignore with ") + String.join(", ", missing) + (existed ? " to .gitignore" : "");
    }

    private static List<String> parameterGolfAdvice(Path dir, Map<String, String> pinned) throws IOException {
        List<String> said = new ArrayList<>();
        if (!Files.exists(dir.resolve("train_gpt.py")))
            said.add("warning: no train_gpt.py in " + dir + "; point caddie.toml's task.script at your training script");
        else if (!tracked(dir, "train_gpt.py"))
            said.add("warning: train_gpt.py is not committed; Caddie runs committed files only: `git add train_gpt.py` before committing");
        if (pinned.isEmpty())
            said.add("warning: no validation shards or tokenizer under data/ (data/datasets/*/fineweb_val_*.bin, data/tokenizers/*.model), "
                    + "so nothing is protected and the local and official tiers cannot run yet. Download them "
                    + "(`python3 data/cached_challenge_fineweb.py --variant sp1024`), then run `caddie init --preset parameter-golf --force` to pin them");
        said.add("commit caddie.toml and .gitignore when you are happy with them: git add caddie.toml .gitignore train_gpt.py && git commit -m \"caddie task\"");
        return said;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WorkspaceSetup.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException(name.substring(1) + " is missing from the Caddie jar");
            return in.readAllBytes();
        }
    }

    private static boolean differs(Path p, byte[] content) {
        try {
            return Files.exists(p) && !Arrays.equals(Files.readAllBytes(p), content);
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean tracked(Path dir, String file) {
        try {
            Git.run(dir, "ls-files", "--error-unmatch", "--", file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean clean(Path dir, String file) throws IOException {
        return Git.run(dir, "status", "--porcelain", "--", file).isBlank();
    }

    /** Commits just these paths, whatever else the user has staged or changed. */
    private static void commitOnly(Path dir, List<String> paths, String message) throws IOException {
        List<String> add = new ArrayList<>(List.of("add", "--"));
        add.addAll(paths);
        Git.run(dir, add.toArray(String[]::new));
        List<String> commit = new ArrayList<>(List.of("commit", "-q", "--allow-empty", "-m", message, "--only", "--"));
        commit.addAll(paths);
        Git.run(dir, commit.toArray(String[]::new));
    }
}
