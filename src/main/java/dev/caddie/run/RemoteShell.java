package dev.caddie.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A shell on the machine where runs go: the system `ssh` to a host (so ~/.ssh/config, agents and jump hosts
 * work as they do for the user), or bash on this machine for a Slurm cluster whose sbatch is local. Scripts
 * are handed to bash on the far side as one quoted string.
 */
public final class RemoteShell {
    private final String host;
    private final List<String> sshOptions;

    private RemoteShell(String host, List<String> sshOptions) {
        this.host = host;
        this.sshOptions = List.copyOf(sshOptions);
    }

    public static RemoteShell ssh(String host, List<String> sshOptions) { return new RemoteShell(host, sshOptions); }

    public static RemoteShell local() { return new RemoteShell(null, List.of()); }

    public boolean isLocal() { return host == null; }

    /** "ssh gpu1" or "this machine", for messages. */
    public String describe() { return host == null ? "this machine" : "ssh " + host; }

    /** What one script printed and how it ended. */
    public record Result(int exit, String out, String err) {
        public boolean ok() { return exit == 0; }
    }

    /** The command line that runs a bash script there. */
    public List<String> command(String script) {
        List<String> cmd = new ArrayList<>();
        if (host == null) {
            cmd.addAll(List.of("bash", "-c", script));
            return cmd;
        }
        // The user's options first: ssh keeps the first value it sees for an option, so theirs win over ours.
        cmd.add("ssh");
        cmd.addAll(sshOptions);
        // BatchMode: never wait for a password or a host-key question nobody will answer; the keepalives end a
        // dead connection in about a minute instead of TCP's hours; one shared connection per host saves the key
        // exchange on each of a run's calls.
        cmd.addAll(List.of("-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4"));
        Path mux = controlDir();
        if (mux != null) cmd.addAll(List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + mux + "/%C", "-o", "ControlPersist=120"));
        cmd.add(host);
        // The login shell there has read the user's rc files once (their PATH, conda, modules reach the run through
        // it); --norc keeps bash from reading .bashrc a second time, which under ssh it otherwise does, at half a
        // second a time on a box with conda or pyenv init.
        cmd.add("bash --norc --noprofile -c " + quote(script));
        return cmd;
    }

    /** A folder only this user can enter, for ssh's shared-connection sockets (their paths must stay short); null if none can be made. */
    private static Path controlDir() {
        Path d = Path.of(System.getProperty("java.io.tmpdir"), "caddie-ssh-" + System.getProperty("user.name"));
        try {
            if (!Files.isDirectory(d)) Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return Files.isDirectory(d) && Files.isWritable(d) && d.toString().length() < 60 ? d : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Starts a script whose output the caller reads (a log being followed). */
    public Process start(String script) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(script));
        dev.caddie.task.Secrets.strip(pb.environment(), java.util.Set.of());
        return pb.start();
    }

    /** Runs a script to its end, feeding it stdin (may be null); the connection itself failing is a CannotStartException. */
    public Result exec(String script, InputStream stdin, Duration timeout) throws IOException, InterruptedException {
        Process p = start(script);
        Thread feeder = Thread.ofVirtual().start(() -> {
            try (OutputStream o = p.getOutputStream()) {
                if (stdin != null) stdin.transferTo(o);
            } catch (IOException ignored) {
                // the far side stopped reading: its exit status says why
            }
        });
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = Thread.ofVirtual().start(() -> {
            try (InputStream e = p.getErrorStream()) { e.transferTo(err); } catch (IOException ignored) {}
        });
        byte[] out;
        try (InputStream o = p.getInputStream()) { out = o.readAllBytes(); }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new CannotStartException(RunStatus.UNREACHABLE, describe() + ": no answer within " + timeout.toSeconds() + " s");
        }
        errReader.join(5000);
        feeder.join(5000);
        Result r = new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        if (host != null && r.exit() == 255) throw connectionFailure(r.err());
        return r;
    }

    /** As exec, with no stdin and a minute to answer. */
    public Result exec(String script) throws IOException, InterruptedException { return exec(script, null, Duration.ofMinutes(1)); }

    /** ssh exits 255 when it, not the remote command, failed: the key, the host key, or the network. */
    CannotStartException connectionFailure(String stderr) {
        String said = stderr.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("Warning: Permanently added"))
                .reduce((a, b) -> b).orElse("ssh exited 255 and said nothing");
        boolean auth = stderr.contains("Permission denied") || stderr.contains("Host key verification failed")
                || stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || stderr.contains("Too many authentication failures")
                || stderr.contains("No more authentication methods");
        return new CannotStartException(auth ? RunStatus.AUTH : RunStatus.UNREACHABLE, describe() + ": " + said
                + (auth ? " (check that the key for this host is loaded, or IdentityFile in ~/.ssh/config, and that the host key is known: ssh " + host + " true)"
                : " (check that `ssh " + host + " true` works from this machine)"));
    }

    /** Single-quotes a word for bash. */
    public static String quote(String s) { return "'" + s.replace("'", "'\\''") + "'"; }
}
