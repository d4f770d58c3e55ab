package dev.caddie.ledger;

import java.nio.file.Path;

/**
 * Where a ledger lives: a JDBC url (jdbc:sqlite:PATH, the default, or jdbc:postgresql://HOST:PORT/DB for a
 * swarm's shared ledger) with the credentials for it. The password is never part of what is printed.
 */
public record LedgerUrl(String jdbc, String user, String password) {
    public LedgerUrl {
        Dialect.of(jdbc); // refuses anything else with what is accepted
    }

    /** The embedded SQLite file. */
    public static LedgerUrl sqlite(Path file) { return new LedgerUrl("jdbc:sqlite:" + file.toAbsolutePath(), null, null); }

    /**
     * What a user typed (`ledger migrate --to`): a JDBC url, or a plain path that means an SQLite file.
     * Credentials come from the environment variables named, so none is typed on a command line.
     */
    public static LedgerUrl parse(String text, String user, String password) {
        if (text.startsWith("jdbc:")) return new LedgerUrl(text, user, password);
        return sqlite(Path.of(text));
    }

    public Dialect dialect() { return Dialect.of(jdbc); }

    /** The SQLite file, or null for a server. */
    public Path file() { return dialect() == Dialect.SQLITE ? Path.of(jdbc.substring("jdbc:sqlite:".length())) : null; }

    /** For messages: the file, or the url with any password= parameter hidden. */
    public String display() {
        if (file() != null) return file().toString();
        return jdbc.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public String toString() { return display(); }
}
