package dev.caddie;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What a test may need beyond the JDK, Maven and git: how to tell it is there, and how to get it. */
public enum Requirement {
    PYTHON3("python3", "Caddie reads Python training scripts with it (lint, compare, the lint gate): apt-get install python3"),
    BWRAP("bubblewrap (bwrap)", "coding agents run in its sandbox: apt-get install bubblewrap (.ci/run installs it)"),
    CHALLENGE_DATA("the challenge's records, logs and scripts", SharedData.HOW_TO_GET),
    SSHD("an OpenSSH server (/usr/sbin/sshd) and client", "the SSH executor's tests start one on loopback: apt-get install openssh-server openssh-client (.ci/run installs it)"),
    SLURM("a running one-node Slurm cluster (sinfo shows an idle node)", "the Slurm executor's tests submit real jobs: .ci/run installs and starts one (bash .ci/slurm-up.sh as root, then export SLURM_CONF)"),
    POSTGRES("a PostgreSQL server's binaries (/usr/lib/postgresql/*/bin) and, as root, a postgres user",
            "the shared ledger's tests start a server of their own: apt-get install postgresql (.ci/run installs it)"),
    CHROMIUM("headless Chromium and its chromedriver (/usr/bin/chromium, /usr/bin/chromedriver)", "the dashboard's tests drive a real browser: apt-get install chromium chromium-driver (.ci/run installs them)");

    private final String what, howToGet;
    private volatile Boolean present;

    Requirement(String what, String howToGet) {
        this.what = what;
        this.howToGet = howToGet;
    }

    public boolean present() {
        Boolean p = present;
        if (p == null) present = p = switch (this) {
            case PYTHON3 -> onPath("python3");
            case BWRAP -> onPath("bwrap");
            case CHALLENGE_DATA -> SharedData.find() != null;
            case SSHD -> Files.isExecutable(Path.of("/usr/sbin/sshd")) && onPath("ssh") && onPath("ssh-keygen");
            case SLURM -> onPath("sbatch") && slurmIdle();
            case POSTGRES -> PostgresServer.available();
            case CHROMIUM -> Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver"));
        };
        return p;
    }

    public String skipLine() { return "skipped: needs " + what + ", not found on this machine; " + howToGet; }

    private static boolean slurmIdle() {
        try {
            Process p = new ProcessBuilder("sinfo", "-h", "-o", "%T").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0 && out.lines().anyMatch(l -> l.strip().matches("idle|mixed|allocated"));
        } catch (Exception e) {
            return false;
        }
    }

    static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":"))
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) return true;
        return false;
    }

    private static final Set<Requirement> announced = ConcurrentHashMap.newKeySet();

    /** Says once per test run what is missing, so a green run with skips still tells the user why. */
    static void announce(Requirement r) {
        if (announced.add(r)) System.err.println("caddie tests: " + r.skipLine());
    }

    /** Disables each test method whose class or method needs what is missing (so each is counted as skipped). */
    public static final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (context.getTestMethod().isEmpty()) return ConditionEvaluationResult.enabled("checked per test");
            Set<Requirement> needed = EnumSet.noneOf(Requirement.class);
            for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
                Needs n = c.getAnnotation(Needs.class);
                if (n != null) needed.addAll(List.of(n.value()));
            }
            Needs m = context.getRequiredTestMethod().getAnnotation(Needs.class);
            if (m != null) needed.addAll(List.of(m.value()));
            List<String> missing = new ArrayList<>();
            for (Requirement r : needed) {
                if (r.present()) continue;
                announce(r);
                missing.add(r.skipLine());
            }
            return missing.isEmpty() ? ConditionEvaluationResult.enabled("all there") : ConditionEvaluationResult.disabled(String.join("; ", missing));
        }
    }
}
