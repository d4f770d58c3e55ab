package dev.caddie.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** How the user started Caddie, so that advice printed for the next step can be pasted as it is. */
final class Launcher {
    private Launcher() {}

    /** "caddie" when that is on PATH, else the launcher's full path (the README's ./caddie is rarely on PATH). */
    static String command() {
        String launcher = System.getenv("CADDIE_LAUNCHER");
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (d.isEmpty()) continue;
                Path c = Path.of(d, "caddie");
                if (Files.isExecutable(c) && (launcher == null || sameFile(c, Path.of(launcher)))) return "caddie";
            }
        }
        return launcher == null ? "caddie" : quoted(Path.of(launcher));
    }

    /** A path as a shell word: quoted when it holds anything a shell would split or expand. */
    static String quoted(Path p) {
        String s = p.toString();
        return s.matches("[A-Za-z0-9_./@%+=:,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
