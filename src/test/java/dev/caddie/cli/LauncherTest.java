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

    /**
     * The first-contact probe U10 end to end: under LC_ALL=C a log whose name is not ASCII was "cannot convert ...
     * to Path". Through the launcher (with the classes under test) it is parsed, and a workspace under a non-ASCII
     * folder is found (U9).
     */
    @Test
    void underTheCLocaleAFileWithANonAsciiNameIsReadThroughTheLauncher() throws Exception {
        // this JVM must be able to write the name at all (./caddie selftest runs the tests under a UTF-8 locale)
        org.junit.jupiter.api.Assumptions.assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
                "the test JVM itself runs under a non-UTF-8 locale, so it cannot create the file this test reads");
        Path dir = Files.createTempDirectory("caddie-ü");
        try {
            Path log = Files.writeString(dir.resolve("log ü 1.log"), "step:100/100 train_loss:2.5000\nfinal_int8_zlib_roundtrip_exact val_loss:2.0 val_bpb:1.2\n");
            ProcessBuilder pb = new ProcessBuilder("bash", Path.of("caddie").toAbsolutePath().toString(), "parse", log.toString()).redirectErrorStream(true);
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("LC_ALL", "C");
            pb.environment().put("CADDIE_CLASSPATH", System.getProperty("java.class.path"));
            Process p = pb.start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not return");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("1.2"), out);
            assertTrue(!out.contains("InvalidPath") && !out.contains("cannot convert"), out);
        } finally {
            try (var files = Files.list(dir)) { for (Path f : files.toList()) Files.delete(f); }
            Files.delete(dir);
        }
    }
}
