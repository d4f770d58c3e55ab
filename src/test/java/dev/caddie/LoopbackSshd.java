package dev.caddie;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real OpenSSH server on 127.0.0.1 with its own host key, client key, known_hosts and ssh_config, in a folder of
 * its own: the SSH executor's tests reach it as host "caddie-test" with ssh_options ["-F", config].
 */
public final class LoopbackSshd implements AutoCloseable {
    public static final String HOST = "caddie-test";
    private final Path dir;
    private final Process sshd;
    public final int port;

    private LoopbackSshd(Path dir, Process sshd, int port) {
        this.dir = dir;
        this.sshd = sshd;
        this.port = port;
    }

    /** The ssh_options an [executor] table needs to reach it. */
    public List<String> sshOptions() { return List.of("-F", dir.resolve("ssh_config").toString()); }

    public Path dir() { return dir; }

    /** A client config for the same server with a key it does not accept. */
    public List<String> wrongKeyOptions() throws IOException, InterruptedException {
        Path other = dir.resolve("other_ed25519");
        if (!Files.exists(other)) run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString(), "-C", "other");
        Path cfg = dir.resolve("ssh_config_wrong_key");
        Files.writeString(cfg, Files.readString(dir.resolve("ssh_config")).replace(dir.resolve("client_ed25519").toString(), other.toString()));
        // ControlPath=none: a shared connection to the same host, opened with the right key, would otherwise be reused.
        return List.of("-F", cfg.toString(), "-o", "ControlPath=none");
    }

    public static LoopbackSshd start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_ed25519").toString(), "-C", "host");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_ed25519").toString(), "-C", "client");
        Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) { port = s.getLocalPort(); }
        String user = System.getProperty("user.name");
        // StrictModes no: sshd otherwise refuses an authorized_keys under /tmp (bad ownership or modes).
        Files.writeString(dir.resolve("sshd_config"), """
                ListenAddress 127.0.0.1
                Port %d
                HostKey %s
                PidFile %s
                AuthorizedKeysFile %s
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                MaxStartups 100:30:200
                MaxSessions 100
                AcceptEnv SLURM_CONF
                """.formatted(port, dir.resolve("host_ed25519"), dir.resolve("sshd.pid"), dir.resolve("authorized_keys")));
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + String.join(" ",
                List.of(Files.readString(dir.resolve("host_ed25519.pub")).strip().split(" ")).subList(0, 2)) + "\n");
        Files.writeString(dir.resolve("ssh_config"), """
                Host %s
                  HostName 127.0.0.1
                  Port %d
                  User %s
                  IdentityFile %s
                  IdentitiesOnly yes
                  UserKnownHostsFile %s
                  StrictHostKeyChecking yes
                  BatchMode yes
                """.formatted(HOST, port, user, dir.resolve("client_ed25519"), dir.resolve("known_hosts")));
        // The privilege-separation folder systemd would make; without it sshd will not start.
        if ("root".equals(user)) Files.createDirectories(Path.of("/run/sshd"));
        Process p = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new LoopbackSshd(dir, p, port);
            } catch (IOException notYet) {
                if (!p.isAlive()) throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                Thread.sleep(25);
            }
        }
        p.destroyForcibly();
        throw new IOException("sshd did not listen on 127.0.0.1:" + port + " within 5 s: " + Files.readString(dir.resolve("sshd.log")));
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    @Override
    public void close() {
        sshd.destroy();
        try {
            sshd.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
