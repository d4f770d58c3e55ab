package dev.caddie;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the tests, started once per test JVM: a fresh cluster in a temp folder, listening on
 * 127.0.0.1 on a free port, stopped when the JVM exits. Each test gets a database of its own ({@link #newDatabase}),
 * so tests never see each other's ledgers. As root, the server runs as the postgres user (initdb refuses root).
 */
public final class PostgresServer {
    private static PostgresServer instance;
    private static final AtomicInteger databases = new AtomicInteger();
    private final Path dir;
    private final int port;
    private final boolean asPostgres;

    private PostgresServer(Path dir, int port, boolean asPostgres) {
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** The bin folder of the newest installed PostgreSQL, or null. */
    static Path bin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (var vs = Files.list(root)) {
            return vs.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(java.util.Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0")))).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean root() { return "root".equals(System.getProperty("user.name")); }

    /** Whether a server can be started here: the binaries, and as root a postgres user to run them as. */
    static boolean available() {
        if (bin() == null) return false;
        if (!root()) return true;
        return Requirement.onPath("runuser") && run(List.of("id", "-u", "postgres"), null) == 0;
    }

    public static synchronized PostgresServer get() throws IOException {
        if (instance != null) return instance;
        Path bin = bin();
        if (bin == null) throw new IOException("no PostgreSQL under /usr/lib/postgresql");
        boolean asPg = root();
        Path dir = Files.createTempDirectory("caddie-pg");
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) { port = s.getLocalPort(); }
        if (asPg) run(List.of("chown", "postgres:postgres", dir.toString()), null);
        Path log = dir.resolve("server.log");
        check(run(as(asPg, bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync"), dir.resolve("initdb.log")), "initdb", dir.resolve("initdb.log"));
        check(run(as(asPg, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", log.toString(), "-w", "-t", "30", "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir + " -c fsync=off -c max_connections=200", "start"), dir.resolve("pg_ctl.log")), "pg_ctl start", log);
        PostgresServer s = new PostgresServer(dir, port, asPg);
        Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        return instance = s;
    }

    /** A new, empty database on the server; its JDBC url. */
    public String newDatabase() throws Exception {
        String name = "caddie_t" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
        try (var c = DriverManager.getConnection(url("postgres"), "postgres", ""); var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) { return "jdbc:postgresql://127.0.0.1:" + port + "/" + database; }

    public int port() { return port; }

    private void stop() {
        Path bin = bin();
        run(as(asPostgres, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), null);
        run(List.of("rm", "-rf", dir.toString()), null);
    }

    private static List<String> as(boolean asPg, String... cmd) {
        List<String> out = new ArrayList<>();
        if (asPg) out.addAll(List.of("runuser", "-u", "postgres", "--"));
        out.addAll(List.of(cmd));
        return out;
    }

    private static void check(int rc, String what, Path log) throws IOException {
        if (rc != 0) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            run(List.of("rm", "-rf", log.getParent().toString()), null);
            throw new IOException(what + " failed (exit " + rc + "): " + text);
        }
    }

    private static int run(List<String> cmd, Path out) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (out != null) pb.redirectOutput(out.toFile());
            else pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            return p.waitFor();
        } catch (IOException e) {
            return 127;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
