package dev.caddie.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies one ledger into another, every table and row with its id (so runs still point at their candidates and
 * logs at their runs): the embedded file into a swarm's PostgreSQL database, or back. The copy is one
 * transaction on the target: it lands whole or not at all, and the source is only read.
 */
public final class LedgerCopy {
    private LedgerCopy() {}

    /** Rows copied per table, in copy order. */
    public static Map<String, Long> copy(Ledger from, Ledger to) throws SQLException {
        Connection src = from.connection(), dst = to.connection();
        synchronized (from) {
            synchronized (to) {
                List<String> notEmpty = new ArrayList<>();
                for (String[] t : Migrations.TABLES) if (count(dst, t[0]) > 0) notEmpty.add(t[0]);
                if (!notEmpty.isEmpty())
                    throw new IllegalArgumentException(to.where() + " already holds a ledger (rows in " + String.join(", ", notEmpty)
                            + "); copy into an empty database, so that nothing in either is lost or mixed");
                Map<String, Long> copied = new LinkedHashMap<>();
                try (Statement st = dst.createStatement()) {
                    to.dialect().beginLocked(st, "schema");
                    try {
                        for (String[] t : Migrations.TABLES) copied.put(t[0], copyTable(src, dst, t[0], t[1].equals("id"), to.dialect()));
                        for (String[] t : Migrations.TABLES) to.dialect().afterCopy(st, t[0], t[1].equals("id"));
                        st.execute("COMMIT");
                    } catch (SQLException | RuntimeException e) {
                        st.execute("ROLLBACK");
                        throw e;
                    }
                }
                for (var e : copied.entrySet()) {
                    long there = count(dst, e.getKey());
                    if (there != e.getValue())
                        throw new SQLException(e.getKey() + ": " + e.getValue() + " rows read but " + there + " in " + to.where());
                }
                return copied;
            }
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long copyTable(Connection src, Connection dst, String table, boolean rowId, Dialect target) throws SQLException {
        Map<String, Integer> targetTypes = new LinkedHashMap<>();
        try (Statement s = dst.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1=0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) targetTypes.put(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT), md.getColumnType(i));
        }
        long n = 0;
        try (Statement s = src.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + (rowId ? " ORDER BY id" : ""))) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> cols = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) cols.add(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
            for (String c : cols)
                if (!targetTypes.containsKey(c)) throw new SQLException(table + "." + c + " has no column to go to in the target ledger");
            String sql = "INSERT INTO " + table + "(" + String.join(", ", cols) + ") VALUES(" + "?, ".repeat(cols.size() - 1) + "?)";
            try (PreparedStatement ps = dst.prepareStatement(sql)) {
                while (rs.next()) {
                    for (int i = 0; i < cols.size(); i++) bind(ps, i + 1, rs, i + 1, target == Dialect.SQLITE ? null : targetTypes.get(cols.get(i)));
                    ps.addBatch();
                    if (++n % 500 == 0) ps.executeBatch();
                }
                ps.executeBatch();
            }
        }
        return n;
    }

    /**
     * One value in the target column's type: SQLite hands back whatever was stored and takes anything (type null),
     * PostgreSQL wants its column's type.
     */
    private static void bind(PreparedStatement ps, int at, ResultSet rs, int col, Integer type) throws SQLException {
        Object v = rs.getObject(col);
        if (type == null) { if (v == null) ps.setNull(at, Types.NULL); else ps.setObject(at, v); return; }
        if (v == null) { ps.setNull(at, type); return; }
        switch (type) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT -> ps.setLong(at, rs.getLong(col));
            case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.NUMERIC -> ps.setDouble(at, rs.getDouble(col));
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> ps.setBytes(at, rs.getBytes(col));
            default -> ps.setString(at, rs.getString(col));
        }
    }
}
