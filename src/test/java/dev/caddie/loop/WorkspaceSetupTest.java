package dev.caddie.loop;

import dev.caddie.run.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `caddie init` never loses or commits a file of the user's. */
class WorkspaceSetupTest {
    @TempDir Path tmp;

    /** A user's repository: a committed README.md and train_gpt.py. */
    private Path userRepo() throws Exception {
        Path d = tmp.resolve("user");
        Files.createDirectories(d);
        Git.run(d, "init", "-q");
        Files.writeString(d.resolve("README.md"), "# my project\n");
        Files.writeString(d.resolve("train_gpt.py"), "print('train')\n");
        Git.run(d, "add", "-A");
        Git.run(d, "commit", "-q", "-m", "mine");
        return d;
    }

    private static String head(Path d) throws Exception { return Git.run(d, "rev-parse", "HEAD").strip(); }

    @Test
    void withoutAPresetAFolderThatHoldsAProjectIsRefusedAndNothingIsWritten() throws Exception {
        Path d = userRepo();
        String before = head(d);
        assertThatThrownBy(() -> WorkspaceSetup.init(d, null, false))
                .hasMessageContaining("already holds files (README.md, train_gpt.py)").hasMessageContaining("--preset parameter-golf");
        assertThat(head(d)).isEqualTo(before);
        assertThat(Files.readString(d.resolve("README.md"))).isEqualTo("# my project\n");
        assertThat(d.resolve("caddie.toml")).doesNotExist();
        assertThat(d.resolve("train.java")).doesNotExist();
    }

    @Test
    void tinyGolfRefusesToReplaceADifferentReadmeAndForceRefusesUncommittedEdits() throws Exception {
        Path d = userRepo();
        assertThatThrownBy(() -> WorkspaceSetup.init(d, "tiny-golf", false)).hasMessageContaining("it would replace README.md; nothing was written");
        Files.writeString(d.resolve("README.md"), "# my project\nan edit not yet committed\n");
        assertThatThrownBy(() -> WorkspaceSetup.init(d, "tiny-golf", true)).hasMessageContaining("README.md is not committed or has uncommitted changes");
        assertThat(Files.readString(d.resolve("README.md"))).endsWith("an edit not yet committed\n");
        assertThat(d.resolve("train.java")).doesNotExist();
    }

    @Test
    void forceReplacesOnlyACommittedFileAndCommitsOnlyWhatInitWrote() throws Exception {
        Path d = userRepo();
        Files.writeString(d.resolve("notes.txt"), "staged by the user\n");
        Git.run(d, "add", "notes.txt");
        Files.writeString(d.resolve("train_gpt.py"), "print('edited, not committed')\n");
        WorkspaceSetup.init(d, "tiny-golf", true);
        List<String> committed = Git.run(d, "show", "--name-only", "--format=", "HEAD").lines().filter(l -> !l.isBlank()).sorted().toList();
        assertThat(committed).containsExactly(".gitignore", "README.md", "caddie.toml", "train.java");
        // the user's staged file and uncommitted edit are still theirs, untouched and uncommitted
        assertThat(Git.run(d, "status", "--porcelain")).contains("A  notes.txt", " M train_gpt.py");
        // the replaced README is one `git show` away
        assertThat(Git.run(d, "show", "HEAD~1:README.md")).isEqualTo("# my project\n");
    }

    @Test
    void anEmptyFolderGetsTinyGolfAndASecondInitIsRefusedWithoutForce() throws Exception {
        Path d = tmp.resolve("empty");
        WorkspaceSetup.init(d, null, false);
        assertThat(d.resolve("train.java")).exists();
        assertThat(Git.run(d, "status", "--porcelain")).isBlank();
        assertThatThrownBy(() -> WorkspaceSetup.init(d, "tiny-golf", false)).hasMessageContaining("caddie.toml already exists")
                .hasMessageContaining("--force");
    }

    @Test
    void parameterGolfWithoutDataSaysNothingIsProtectedAndHowToFetchIt() throws Exception {
        Path d = userRepo();
        List<String> said = WorkspaceSetup.init(d, "parameter-golf", false);
        assertThat(String.join("\n", said)).contains("0 protected file(s)", "warning: no validation shards or tokenizer under data/",
                "cached_challenge_fineweb.py", "--force` to pin them");
        assertThat(Files.readString(d.resolve("README.md"))).isEqualTo("# my project\n");
        assertThat(Git.run(d, "log", "--oneline").lines().count()).isEqualTo(1); // nothing committed for the user
    }

    @Test
    void parameterGolfSaysWhenTheScriptIsNotCommitted() throws Exception {
        Path d = tmp.resolve("fresh");
        Files.createDirectories(d);
        Files.writeString(d.resolve("train_gpt.py"), "print('train')\n");
        List<String> said = WorkspaceSetup.init(d, "parameter-golf", false);
        assertThat(String.join("\n", said)).contains("train_gpt.py is not committed");
    }

    @Test
    void aFileInPlaceOfTheFolderIsRefused() throws Exception {
        Path f = Files.writeString(tmp.resolve("afile"), "x");
        assertThatThrownBy(() -> WorkspaceSetup.init(f, "tiny-golf", false)).hasMessageContaining("is a file, not a folder");
    }
}
