package dev.caddie.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ./caddie launcher script, run by bash as a user runs it. */
class LauncherTest {
    /**
     * With JAVA_TOOL_OPTIONS set (containers and CI often set it), `java -version` prints "Picked up ..." before
     * its version line; the launcher read the first line, found no version, and refused every JDK.
     */
    @Test
    void findsTheJdkWhenJavaToolOptionsMakesJavaPrintALineBeforeItsVersion() throws Exception {
        Path launcher = Path.of("caddie").toAbsolutePath();
        assertTrue(Files.isExecutable(launcher), launcher + " should be the launcher script");
        Path jdk = Path.of(System.getProperty("java.home")); // the JDK running this test (Maven's forked JVM)
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.toString());
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Dcaddie.launcher.test=true");
        pb.environment().put("CADDIE_PRINT_JAVA", "1"); // prints the java it chose, builds nothing
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not return");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), out);
        assertEquals(jdk.resolve("bin").resolve("java").toString(), out.lines().reduce((a, b) -> b).orElse(""), out);
    }

    /**
     * Under LC_ALL=C Java decodes file names as ASCII, so a workspace under "Überfahrt" was "not found"; the
     * launcher reads them as UTF-8 whatever the locale, and leaves a UTF-8 locale alone.
     */
    @Test
    void underTheCLocaleTheLauncherRunsJavaWithAUtf8Locale() throws Exception {
        assertEquals("LC_ALL=C.UTF-8", launcherLocale("C"));
        assertEquals("LC_ALL=C.UTF-8", launcherLocale("POSIX"));
        assertEquals("LC_ALL=C.UTF-8", launcherLocale("C.UTF-8"));
    }

    private static String launcherLocale(String lcAll) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("caddie").toAbsolutePath().toString()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("LC_ALL", lcAll);
        pb.environment().put("CADDIE_PRINT_JAVA", "locale");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not return");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), out);
        return out.lines().reduce((a, b) -> b).orElse("");
    }
}
