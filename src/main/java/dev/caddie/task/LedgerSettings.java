package dev.caddie.task;

import dev.caddie.ledger.LedgerUrl;

import java.nio.file.Path;

/**
 * [ledger]: where the ledger lives. Absent, the embedded SQLite file in the workspace (.caddie/ledger.db); a swarm
 * points every worker at one PostgreSQL database. Credentials are read from the environment variables named, so
 * caddie.toml can be committed and shared.
 *
 * @param url         a JDBC url (jdbc:postgresql://HOST:PORT/DB or jdbc:sqlite:PATH), or null for the workspace's file
 * @param userEnv     the variable holding the database user, or null
 * @param passwordEnv the variable holding its password, or null
 */
public record LedgerSettings(String url, String userEnv, String passwordEnv) {
    public static LedgerSettings defaults() { return new LedgerSettings(null, null, null); }

    /** The ledger of a workspace under these settings. */
    public LedgerUrl resolve(Path workspace) {
        if (url == null) return LedgerUrl.sqlite(workspace.resolve(".caddie").resolve("ledger.db"));
        return LedgerUrl.parse(url, env(userEnv), env(passwordEnv));
    }

    /** Whether the ledger is shared beyond this workspace (a server, or a file named outside .caddie). */
    public boolean shared() { return url != null; }

    private static String env(String name) {
        if (name == null) return null;
        String v = System.getenv(name);
        if (v == null) throw new IllegalArgumentException(name + " should hold the ledger database's user or password ([ledger] user_env / password_env, or --user-env / --password-env) and is not set; export " + name);
        return v;
    }
}
