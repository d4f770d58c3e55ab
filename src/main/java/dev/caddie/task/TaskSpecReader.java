package dev.caddie.task;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads and validates caddie.toml; every problem is reported as {@code caddie.toml:LINE: what, accepted}. */
public final class TaskSpecReader {
    private static final Set<String> SECTIONS = Set.of("task", "metric", "limits", "protected", "tiers", "search", "loop", "budget", "agent", "executor", "research", "critic", "llm", "ledger", "swarm");
    /** The keys each table accepts: a misspelt key (micro_frist) would otherwise be ignored and its default used silently. */
    private static final Map<String, List<String>> KEYS = Map.ofEntries(
            Map.entry("task", List.of("name", "script", "editable", "command", "env")),
            Map.entry("metric", List.of("name", "direction")),
            Map.entry("limits", List.of("artifact_bytes", "script_lines", "train_seconds")),
            Map.entry("tiers.*", List.of("executor", "command", "env", "timeout_seconds", "cost_per_hour", "pass_env", "fetch")),
            Map.entry("executor.*", List.of("kind", "host", "ssh_host", "workdir", "workspace", "ssh_options", "sbatch_args", "keep_runs",
                    "api_key_env", "gpu_type", "gpu_count", "image", "cloud", "disk_gb", "setup", "max_pod_minutes", "api_url")),
            Map.entry("search.*", List.of("kind", "low", "high", "choices", "default")),
            Map.entry("loop", List.of("tier", "keep_margin", "micro_first", "keep_rule", "sota", "sota_fraction", "noise_seeds", "noise_k", "abort_k",
                    "max_consecutive_failures")),
            Map.entry("budget", List.of("dollars", "reserve_floor", "min_interval_minutes", "promote_tier", "seeds")),
            Map.entry("agent.*", List.of("kind", "command", "model", "args", "timeout_seconds", "env", "pass_env")),
            Map.entry("research", List.of("keywords", "categories", "since", "feeds", "max_results", "arxiv_api", "arxiv_interval_seconds", "scholar_api",
                    "scholar_key_env", "scholar_interval_seconds", "openreview_api", "openreview_interval_seconds", "github_repos", "github_api", "github_token_env")),
            Map.entry("critic", List.of("max_diff_lines", "similarity", "enabled")),
            Map.entry("ledger", List.of("url", "user_env", "password_env")),
            Map.entry("swarm", List.of("remote", "claim_timeout", "heartbeat_seconds")),
            Map.entry("llm", List.of("base_url", "model", "api_key_env", "dollars", "input_per_million", "output_per_million", "stream", "timeout_seconds", "concurrency")));

    private final List<String> problems = new ArrayList<>();
    private TomlLines lines;
    private String fileName;

    /**
     * The ledger of a workspace for commands that need nothing else of the task: its [ledger] url when
     * caddie.toml names one, else the workspace's SQLite file (also where there is no caddie.toml).
     */
    public static dev.caddie.ledger.LedgerUrl ledgerOf(Path workspace) throws SpecException, IOException {
        if (!Files.isRegularFile(workspace.resolve(TaskSpec.FILE))) return LedgerSettings.defaults().resolve(workspace);
        try {
            return read(workspace).ledgerUrl();
        } catch (SpecException e) {
            // Reading the record must not need a caddie.toml that is right everywhere (a typo in [research] should not
            // hide the ledger): only [ledger] is read, and its own mistakes are still reported.
            TaskSpecReader r = new TaskSpecReader();
            r.fileName = TaskSpec.FILE;
            String text = Files.readString(workspace.resolve(TaskSpec.FILE));
            r.lines = new TomlLines(text);
            JsonNode root;
            try {
                root = new TomlMapper().readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
            } catch (JacksonException notToml) {
                throw e;
            }
            LedgerSettings ledger = r.ledger(r.table(root, "ledger", false));
            if (!r.problems.isEmpty()) throw new SpecException(String.join("\n", r.problems));
            return ledger.resolve(workspace.toAbsolutePath().normalize());
        }
    }

    /** Reads workspace/caddie.toml. */
    public static TaskSpec read(Path workspace) throws SpecException, IOException {
        Path file = workspace.resolve(TaskSpec.FILE);
        if (Files.isDirectory(file)) throw new SpecException(file + ": is a folder; caddie.toml must be a file (`caddie init` writes one)");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SpecException(file + ": not found; run `caddie init` in the workspace first");
        }
        String text;
        try {
            text = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SpecException(file + ": not UTF-8 text; caddie.toml must be a UTF-8 TOML file (is it the file you meant?)");
        }
        // Windows editors save UTF-8 with a byte-order mark, which TOML does not allow: read past it rather than refuse.
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        return new TaskSpecReader().parse(workspace.toAbsolutePath().normalize(), TaskSpec.FILE, text);
    }

    public TaskSpec parse(Path workspace, String fileName, String text) throws SpecException {
        this.fileName = fileName;
        this.lines = new TomlLines(text);
        JsonNode root;
        try {
            root = new TomlMapper().readTree(text);
        } catch (JacksonException e) {
            JsonLocation loc = e.getLocation();
            int line = loc == null ? 1 : loc.getLineNr();
            throw new SpecException(fileName + ":" + line + ": not valid TOML: " + e.getOriginalMessage() + hint(text, line));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String s = it.next();
            if (!SECTIONS.contains(s)) problem(s, "unknown section [" + s + "]; accepted: " + String.join(", ", SECTIONS.stream().sorted().toList()));
        }
        checkKeys(root);
        JsonNode task = table(root, "task");
        String name = string(task, "task.name", null);
        String script = string(task, "task.script", null);
        List<String> editable = strings(task, "task.editable", true);
        List<String> command = strings(task, "task.command", true);
        Map<String, String> env = stringMap(table(task, "task.env", false), "task.env");

        JsonNode metricNode = table(root, "metric");
        String metricName = string(metricNode, "metric.name", "val_bpb");
        String direction = string(metricNode, "metric.direction", "minimize");
        if (!direction.equals("minimize") && !direction.equals("maximize"))
            problem("metric.direction", "'" + direction + "' is not a direction; accepted: \"minimize\" or \"maximize\"");

        JsonNode limitsNode = table(root, "limits");
        Limits limits = new Limits(integer(limitsNode, "limits.artifact_bytes", 1, Long.MAX_VALUE),
                (int) integer(limitsNode, "limits.script_lines", 1, Integer.MAX_VALUE),
                (int) integer(limitsNode, "limits.train_seconds", 1, Integer.MAX_VALUE));

        for (String f : editable) inside("task.editable", f);
        inside("task.script", script);
        Map<String, String> protectedFiles = new LinkedHashMap<>();
        JsonNode prot = table(root, "protected", false);
        for (Map.Entry<String, String> e : stringMap(prot, "protected").entrySet()) {
            if (!e.getValue().matches("[0-9a-f]{64}"))
                problem("protected." + e.getKey(), "'" + e.getValue() + "' is not a SHA-256; accepted: 64 lowercase hex digits (caddie init writes them)");
            inside("protected." + e.getKey(), e.getKey());
            protectedFiles.put(e.getKey(), e.getValue());
        }

        Map<String, ExecutorSpec> executors = executors(table(root, "executor", false));
        Map<String, Tier> tiers = new LinkedHashMap<>();
        JsonNode tiersNode = table(root, "tiers");
        for (Iterator<Map.Entry<String, JsonNode>> it = tiersNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = "tiers." + e.getKey();
            if (!e.getValue().isObject()) { problem(p, "must be a table [" + p + "]"); continue; }
            JsonNode t = e.getValue();
            String executor = string(t, p + ".executor", "local");
            checkExecutorRef(p + ".executor", executor, executors);
            List<String> tierCommand = t.has("command") ? strings(t, p + ".command", true) : null;
            long timeout = integer(t, p + ".timeout_seconds", 1, 7 * 24 * 3600);
            double cost = real(t, p + ".cost_per_hour", 0.0, 0, 1e6);
            List<String> passEnv = strings(t, p + ".pass_env", false);
            passEnv.forEach(Secrets::register);
            List<String> fetch = strings(t, p + ".fetch", false);
            for (String f : fetch) inside(p + ".fetch", f);
            tiers.put(e.getKey(), new Tier(e.getKey(), executor, tierCommand, stringMap(table(t, p + ".env", false), p + ".env"), (int) timeout, cost, passEnv, fetch));
        }
        if (tiersNode.isObject() && tiers.isEmpty()) problem("tiers", "no tier defined; accepted: at least one [tiers.NAME] table");

        List<SearchParam> search = new ArrayList<>();
        JsonNode searchNode = table(root, "search", false);
        for (Iterator<Map.Entry<String, JsonNode>> it = searchNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            SearchParam sp = searchParam(e.getKey(), e.getValue());
            if (sp != null) search.add(sp);
        }

        JsonNode loop = table(root, "loop", false);
        String loopTier = string(loop, "loop.tier", tiers.containsKey("local") ? "local" : tiers.keySet().stream().findFirst().orElse("local"));
        if (!tiers.isEmpty() && !tiers.containsKey(loopTier))
            problem("loop.tier", "'" + loopTier + "' is not a tier; accepted: " + String.join(", ", tiers.keySet()));
        double keepMargin = real(loop, "loop.keep_margin", 0.0, 0, 1e9);
        boolean microFirst = bool(loop, "loop.micro_first", true);
        String keepRule = string(loop, "loop.keep_rule", "noise");
        if (!List.of("noise", "margin", "sota").contains(keepRule))
            problem("loop.keep_rule", "'" + keepRule + "' is not a rule; accepted: \"noise\" (beat k sigma of the tier's seed noise), \"margin\" (beat keep_margin) or \"sota\" (beat a share of the gap to loop.sota)");
        Double sota = loop.has("sota") ? real(loop, "loop.sota", 0, -1e9, 1e9) : null;
        // the "sota" rule without loop.sota uses the record `caddie frontier sync` found; the loop refuses to start with neither
        double sotaFraction = real(loop, "loop.sota_fraction", 0.1, 0, 1);
        int noiseSeeds = (int) (loop.has("noise_seeds") ? integer(loop, "loop.noise_seeds", 2, 100) : 3);
        double noiseK = real(loop, "loop.noise_k", 2.0, 0, 100);
        double abortK = real(loop, "loop.abort_k", 3.0, 0, 100);
        int maxFailures = (int) (loop.has("max_consecutive_failures") ? integer(loop, "loop.max_consecutive_failures", 0, 1000) : 3);

        JsonNode budgetNode = table(root, "budget", false);
        String promoteTier = string(budgetNode, "budget.promote_tier", tiers.containsKey("official") ? "official" : loopTier);
        if (!tiers.isEmpty() && !tiers.containsKey(promoteTier))
            problem("budget.promote_tier", "'" + promoteTier + "' is not a tier; accepted: " + String.join(", ", tiers.keySet()));
        BudgetSettings budget = new BudgetSettings(real(budgetNode, "budget.dollars", 0.0, 0, 1e9),
                real(budgetNode, "budget.reserve_floor", 0.0, 0, 1e9),
                (int) (budgetNode.has("min_interval_minutes") ? integer(budgetNode, "budget.min_interval_minutes", 0, 100_000) : 0),
                promoteTier, (int) (budgetNode.has("seeds") ? integer(budgetNode, "budget.seeds", 1, 100) : 3));

        Map<String, AgentSpec> agents = new LinkedHashMap<>();
        JsonNode agentsNode = table(root, "agent", false);
        for (Iterator<Map.Entry<String, JsonNode>> it = agentsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = "agent." + e.getKey();
            if (!e.getValue().isObject()) { problem(p, "must be a table [" + p + "]"); continue; }
            JsonNode a = e.getValue();
            String kind = string(a, p + ".kind", null);
            if (kind != null && !AgentSpec.KINDS.contains(kind)) problem(p + ".kind", "'" + kind + "' is not a kind; accepted: " + String.join(", ", AgentSpec.KINDS));
            List<String> agentCommand = strings(a, p + ".command", "generic".equals(kind));
            String model = a.has("model") ? string(a, p + ".model", null) : null;
            long timeout = a.has("timeout_seconds") ? integer(a, p + ".timeout_seconds", 1, 24 * 3600) : 1800;
            List<String> agentPass = a.has("pass_env") ? strings(a, p + ".pass_env", false) : null;
            if (agentPass != null) agentPass.forEach(Secrets::register);
            agents.put(e.getKey(), new AgentSpec(e.getKey(), kind, agentCommand, model, strings(a, p + ".args", false), (int) timeout,
                    stringMap(table(a, p + ".env", false), p + ".env"), agentPass));
        }

        ResearchSettings research = research(table(root, "research", false));
        CriticSettings critic = critic(table(root, "critic", false));
        LlmSettings llm = llm(table(root, "llm", false));
        LedgerSettings ledger = ledger(table(root, "ledger", false));
        SwarmSettings swarm = swarm(table(root, "swarm", false));
        if (!problems.isEmpty()) throw new SpecException(String.join("\n", problems));
        return new TaskSpec(workspace, name, script, editable, command, env, new Metric(metricName, direction.equals("minimize")),
                limits, protectedFiles, tiers, search, new LoopSettings(loopTier, keepMargin, microFirst, keepRule, noiseSeeds, noiseK, abortK, sota, sotaFraction, maxFailures), budget, agents,
                executors, research, critic, llm, ledger, swarm);
    }

    /** [ledger]: a JDBC url and where its credentials are; absent, the workspace's SQLite file. */
    private LedgerSettings ledger(JsonNode l) {
        if (l == null || l.isMissingNode() || l.isNull() || l.isEmpty()) return LedgerSettings.defaults();
        String url = string(l, "ledger.url", null);
        if (url == null) problem("ledger.url", "missing; accepted: \"jdbc:postgresql://HOST:PORT/DB\" or \"jdbc:sqlite:PATH\"");
        else if (!url.startsWith("jdbc:postgresql://") && !url.startsWith("jdbc:sqlite:"))
            problem("ledger.url", "'" + url + "' is not a ledger url; accepted: \"jdbc:postgresql://HOST:PORT/DB\" or \"jdbc:sqlite:PATH\"");
        else if (url.matches("(?i).*[?&]password=.*"))
            problem("ledger.url", "holds a password; name the variable that holds it with ledger.password_env instead (caddie.toml is committed)");
        String user = l.has("user_env") ? string(l, "ledger.user_env", null) : null;
        String pass = l.has("password_env") ? string(l, "ledger.password_env", null) : null;
        if (pass != null) Secrets.register(pass);
        return new LedgerSettings(url, user, pass);
    }

    /** [swarm]: the git remote and the claim timeout ("15m", "900s", "1h" or seconds). */
    private SwarmSettings swarm(JsonNode w) {
        SwarmSettings d = SwarmSettings.defaults();
        if (w == null || w.isMissingNode() || w.isNull() || w.isEmpty()) return d;
        String remote = w.has("remote") ? string(w, "swarm.remote", null) : null;
        long timeout = d.claimTimeoutSec();
        if (w.has("claim_timeout")) {
            JsonNode t = w.get("claim_timeout");
            String text = t.asText().strip();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(s|m|h)?").matcher(text);
            if (!t.isIntegralNumber() && !t.isTextual() || !m.matches())
                problem("swarm.claim_timeout", "'" + text + "' is not a duration; accepted: seconds (900) or a number with s, m or h (\"15m\")");
            else {
                long n = Long.parseLong(m.group(1));
                timeout = n * (m.group(2) == null || m.group(2).equals("s") ? 1 : m.group(2).equals("m") ? 60 : 3600);
                if (timeout < 5 || timeout > 7 * 24 * 3600) problem("swarm.claim_timeout", timeout + " s is out of range; accepted: 5 s to 7 days");
            }
        }
        long beat = w.has("heartbeat_seconds") ? integer(w, "swarm.heartbeat_seconds", 1, 3600) : Math.max(1, Math.min(d.heartbeatSec(), timeout / 5));
        if (beat * 2 > timeout) problem("swarm.heartbeat_seconds", beat + " s leaves a live worker looking dead (claim_timeout is " + timeout + " s); accepted: at most half of it");
        return new SwarmSettings(remote, timeout, beat);
    }

    /** [llm]: an OpenAI-compatible chat-completions endpoint; absent, research works without one. */
    private LlmSettings llm(JsonNode l) {
        if (l == null || l.isMissingNode() || l.isNull() || l.isEmpty()) return LlmSettings.none();
        String url = string(l, "llm.base_url", null);
        if (url == null) problem("llm.base_url", "missing; accepted: the API root, e.g. \"https://api.openai.com/v1\" or \"http://127.0.0.1:8080/v1\"");
        else if (!url.matches("https?://\\S+")) problem("llm.base_url", "'" + url + "' is not an http(s) URL");
        String model = string(l, "llm.model", null);
        if (model == null) problem("llm.model", "missing; accepted: the model name the server expects, e.g. \"gpt-4o-mini\"");
        String keyEnv = l.has("api_key_env") ? string(l, "llm.api_key_env", null) : null;
        if (keyEnv != null && !keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) problem("llm.api_key_env", "'" + keyEnv + "' is not an environment variable name");
        if (keyEnv != null) Secrets.register(keyEnv);
        double dollars = real(l, "llm.dollars", 5.0, 0, 100_000);
        double in = real(l, "llm.input_per_million", 0.0, 0, 10_000);
        double out = real(l, "llm.output_per_million", 0.0, 0, 10_000);
        boolean stream = bool(l, "llm.stream", false);
        int timeout = (int) (l.has("timeout_seconds") ? integer(l, "llm.timeout_seconds", 1, 3600) : 120);
        int concurrency = (int) (l.has("concurrency") ? integer(l, "llm.concurrency", 1, 64) : 4);
        return new LlmSettings(url == null ? null : url.replaceAll("/+$", ""), model, keyEnv, dollars, in, out, stream, timeout, concurrency);
    }

    /** [critic]: limits on a change before it is run; absent, the defaults (400 lines, 0.9 similarity). */
    private CriticSettings critic(JsonNode c) {
        CriticSettings d = CriticSettings.defaults();
        if (c == null || c.isMissingNode() || c.isNull()) return d;
        int lines = (int) (c.has("max_diff_lines") ? integer(c, "critic.max_diff_lines", 1, 1_000_000) : d.maxDiffLines());
        double sim = real(c, "critic.similarity", d.similarity(), 0.5, 1.0);
        boolean on = bool(c, "critic.enabled", true);
        return new CriticSettings(lines, sim, on);
    }

    /** [research]: keywords, arXiv categories, a start date and feeds; an absent table watches nothing. */
    private ResearchSettings research(JsonNode r) {
        if (r == null || r.isMissingNode() || r.isNull() || r.isEmpty()) return ResearchSettings.none();
        List<String> keywords = strings(r, "research.keywords", false);
        List<String> categories = strings(r, "research.categories", false);
        for (String c : categories)
            if (!c.matches("[a-z-]+(\\.[A-Za-z-]+)?")) problem("research.categories", "'" + c + "' is not an arXiv category; accepted: names like cs.LG, cs.CL, stat.ML");
        String since = r.has("since") ? string(r, "research.since", "") : null;
        if (since != null && !since.matches("\\d{4}-\\d{2}-\\d{2}")) problem("research.since", "'" + since + "' is not a date; accepted: YYYY-MM-DD");
        List<String> feeds = strings(r, "research.feeds", false);
        for (String f : feeds)
            if (!f.matches("https?://\\S+")) problem("research.feeds", "'" + f + "' is not an http(s) URL");
        int max = (int) (r.has("max_results") ? integer(r, "research.max_results", 1, 2000) : 20);
        String api = string(r, "research.arxiv_api", ResearchSettings.ARXIV_API);
        if (!api.matches("https?://\\S+")) problem("research.arxiv_api", "'" + api + "' is not an http(s) URL");
        double interval = real(r, "research.arxiv_interval_seconds", 3.0, 0, 60);
        String scholar = string(r, "research.scholar_api", ResearchSettings.SCHOLAR_API);
        if (!scholar.matches("https?://\\S+")) problem("research.scholar_api", "'" + scholar + "' is not an http(s) URL");
        String keyEnv = string(r, "research.scholar_key_env", "S2_API_KEY");
        if (!keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) problem("research.scholar_key_env", "'" + keyEnv + "' is not an environment variable name");
        else dev.caddie.task.Secrets.register(keyEnv);
        double scholarInterval = real(r, "research.scholar_interval_seconds", 1.0, 0, 60);
        String openreview = string(r, "research.openreview_api", ResearchSettings.OPENREVIEW_API);
        if (!openreview.matches("https?://\\S+")) problem("research.openreview_api", "'" + openreview + "' is not an http(s) URL");
        double openreviewInterval = real(r, "research.openreview_interval_seconds", 1.0, 0, 60);
        List<String> repos = strings(r, "research.github_repos", false);
        for (String repo : repos)
            if (!repo.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) problem("research.github_repos", "'" + repo + "' is not owner/name (e.g. KellerJordan/modded-nanogpt)");
        String github = string(r, "research.github_api", ResearchSettings.GITHUB_API);
        if (!github.matches("https?://\\S+")) problem("research.github_api", "'" + github + "' is not an http(s) URL");
        String tokenEnv = string(r, "research.github_token_env", "GITHUB_TOKEN");
        if (!tokenEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) problem("research.github_token_env", "'" + tokenEnv + "' is not an environment variable name");
        else dev.caddie.task.Secrets.register(tokenEnv);
        return new ResearchSettings(keywords, categories, since, feeds, max, api, Math.round(interval * 1000), scholar.replaceAll("/+$", ""), keyEnv,
                Math.round(scholarInterval * 1000), openreview.replaceAll("/+$", ""), Math.round(openreviewInterval * 1000), repos, github.replaceAll("/+$", ""), tokenEnv);
    }

    /** The [executor.NAME] tables: where remote tiers run. */
    private Map<String, ExecutorSpec> executors(JsonNode node) {
        Map<String, ExecutorSpec> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = "executor." + e.getKey();
            if (!e.getValue().isObject()) { problem(p, "must be a table [" + p + "] with kind, host and workdir"); continue; }
            if (!e.getKey().matches("[A-Za-z0-9_.-]+")) problem(p, "'" + e.getKey() + "' is not a usable name; accepted: letters, digits, '-', '_', '.'");
            JsonNode x = e.getValue();
            String kind = string(x, p + ".kind", null);
            if (kind == null) continue;
            if (!ExecutorSpec.KINDS.contains(kind)) {
                problem(p + ".kind", "'" + kind + "' is not an executor kind; accepted: " + String.join(", ", ExecutorSpec.KINDS));
                continue;
            }
            if (kind.equals("runpod")) {
                out.put(e.getKey(), runpod(p, e.getKey(), x));
                continue;
            }
            for (String k : List.of("api_key_env", "gpu_type", "gpu_count", "image", "cloud", "disk_gb", "setup", "max_pod_minutes", "api_url"))
                if (x.has(k)) problem(p + "." + k, "only a runpod executor takes " + k);
            boolean ssh = kind.equals("ssh");
            String wrongHost = ssh ? "ssh_host" : "host";
            if (x.has(wrongHost)) problem(p + "." + wrongHost, "a " + kind + " executor takes " + (ssh ? "host" : "ssh_host (the login node; leave it out to submit on this machine)") + ", not " + wrongHost);
            if (ssh && x.has("sbatch_args")) problem(p + ".sbatch_args", "only a slurm executor takes sbatch_args");
            String host = ssh ? string(x, p + ".host", null) : x.has("ssh_host") ? string(x, p + ".ssh_host", null) : null;
            if (host != null && (host.isBlank() || host.startsWith("-") || host.chars().anyMatch(Character::isWhitespace)))
                problem(p + (ssh ? ".host" : ".ssh_host"), "'" + host + "' is not a host; accepted: what `ssh` takes as its destination, such as gpu1, root@10.0.0.5 or a Host of ~/.ssh/config");
            String workdir = string(x, p + ".workdir", null);
            if (workdir != null && !workdir.startsWith("/") && !workdir.startsWith("~/"))
                problem(p + ".workdir", "'" + workdir + "' is not an absolute path; accepted: a folder on the remote such as /root/caddie-runs or ~/caddie-runs");
            String workspace = x.has("workspace") ? string(x, p + ".workspace", null) : null;
            if (workspace != null && !workspace.startsWith("/") && !workspace.startsWith("~/"))
                problem(p + ".workspace", "'" + workspace + "' is not an absolute path; accepted: the remote folder that holds the task's data, such as /root/parameter-golf");
            for (String f : new String[]{workdir, workspace})
                if (f != null && f.contains("'")) problem(p, "'" + f + "': a remote path may not contain a single quote");
            out.put(e.getKey(), new ExecutorSpec(e.getKey(), kind, host, workdir, workspace, strings(x, p + ".ssh_options", false),
                    strings(x, p + ".sbatch_args", false), bool(x, p + ".keep_runs", false)));
        }
        return out;
    }

    /** A runpod executor: a pod per run, reached over ssh once it runs; the key stays in the environment. */
    private ExecutorSpec runpod(String p, String name, JsonNode x) {
        for (String k : List.of("host", "ssh_host", "sbatch_args"))
            if (x.has(k)) problem(p + "." + k, "a runpod executor takes no " + k + ": the pod's address comes from RunPod's API");
        String keyEnv = x.has("api_key_env") ? string(x, p + ".api_key_env", null) : "RUNPOD_API_KEY";
        if (keyEnv != null && !keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*"))
            problem(p + ".api_key_env", "'" + keyEnv + "' is not an environment variable name; accepted: the name of the variable that holds the key, such as RUNPOD_API_KEY (never the key itself)");
        if (keyEnv != null) Secrets.register(keyEnv);
        String gpu = string(x, p + ".gpu_type", null);
        int count = (int) (x.has("gpu_count") ? integer(x, p + ".gpu_count", 1, 8) : 1);
        String image = string(x, p + ".image", null);
        String cloud = x.has("cloud") ? string(x, p + ".cloud", null) : "SECURE";
        if (cloud != null && !List.of("SECURE", "COMMUNITY").contains(cloud)) problem(p + ".cloud", "'" + cloud + "' is not a cloud; accepted: \"SECURE\" or \"COMMUNITY\"");
        int disk = (int) (x.has("disk_gb") ? integer(x, p + ".disk_gb", 10, 10_000) : 100);
        int minutes = (int) (x.has("max_pod_minutes") ? integer(x, p + ".max_pod_minutes", 5, 24 * 60) : 60);
        String api = x.has("api_url") ? string(x, p + ".api_url", null) : "https://api.runpod.io";
        if (api != null && !api.matches("https?://[^\\s]+")) problem(p + ".api_url", "'" + api + "' is not a URL; accepted: https://api.runpod.io or a mirror's base URL");
        String workdir = x.has("workdir") ? string(x, p + ".workdir", null) : "/workspace/caddie-runs";
        String workspace = x.has("workspace") ? string(x, p + ".workspace", null) : "/workspace/parameter-golf";
        return new ExecutorSpec(name, "runpod", null, workdir, workspace, strings(x, p + ".ssh_options", false), List.of(), bool(x, p + ".keep_runs", false),
                new ExecutorSpec.Pod(keyEnv, gpu, count, image, cloud, disk, strings(x, p + ".setup", false), minutes, api));
    }

    /** A tier's executor: "local", or "KIND:NAME" naming an [executor.NAME] of that kind. */
    private void checkExecutorRef(String path, String ref, Map<String, ExecutorSpec> executors) {
        if (ref == null || ref.equals("local")) return;
        int colon = ref.indexOf(':');
        String kind = colon < 0 ? null : ref.substring(0, colon), name = colon < 0 ? ref : ref.substring(colon + 1);
        ExecutorSpec spec = executors.get(name);
        String defined = executors.isEmpty() ? "none is defined; add an [executor." + name + "] table with kind, host and workdir"
                : "defined: " + String.join(", ", executors.values().stream().map(ExecutorSpec::ref).toList());
        if (spec == null) problem(path, "'" + ref + "' is not an executor; accepted: \"local\" or \"KIND:NAME\" for an [executor.NAME] table (" + defined + ")");
        else if (kind == null || !kind.equals(spec.kind())) problem(path, "'" + ref + "': [executor." + name + "] is of kind " + spec.kind() + "; write \"" + spec.ref() + "\"");
    }

    /** The parser's words ("Newline not permitted here") rarely name the usual slips: say what the line probably lacks. */
    private static String hint(String text, int line) {
        String[] lines = text.split("\n", -1);
        if (line < 1 || line > lines.length) return "";
        String l = lines[line - 1].strip();
        if (l.startsWith("[") && !l.contains("]")) return " (a table header needs its closing bracket, e.g. [loop])";
        if (l.chars().filter(c -> c == '"').count() % 2 == 1) return " (a string is not closed on its line)";
        return "";
    }

    private SearchParam searchParam(String name, JsonNode n) {
        String p = "search." + name;
        if (!n.isObject()) { problem(p, "must be an inline table such as { kind = \"float\", low = 0.01, high = 0.1 }"); return null; }
        String kindWord = string(n, p + ".kind", null);
        if (kindWord == null) return null;
        SearchParam.Kind kind = SearchParam.Kind.parse(kindWord);
        if (kind == null) { problem(p + ".kind", "'" + kindWord + "' is not a kind; accepted: int, float, log-float, categorical"); return null; }
        if (kind == SearchParam.Kind.CATEGORICAL) {
            List<String> choices = strings(n, p + ".choices", true);
            String dflt = n.has("default") ? n.get("default").asText() : choices.isEmpty() ? null : choices.get(0);
            if (dflt != null && !choices.contains(dflt)) problem(p + ".default", "'" + dflt + "' is not one of the choices " + choices);
            return new SearchParam(name, kind, 0, Math.max(choices.size() - 1, 0), choices, dflt);
        }
        double low = real(n, p + ".low", Double.NaN, -1e300, 1e300), high = real(n, p + ".high", Double.NaN, -1e300, 1e300);
        if (!(low < high)) problem(p, "low (" + low + ") must be below high (" + high + ")");
        if (kind == SearchParam.Kind.LOG_FLOAT && !(low > 0)) problem(p + ".low", "a log-float range must be positive; got " + low);
        if (kind == SearchParam.Kind.INT && (low != Math.rint(low) || high != Math.rint(high)))
            problem(p, "an int range needs whole bounds, got " + low + ".." + high + "; use kind = \"float\" for fractions");
        String dflt = null;
        if (n.has("default")) {
            double d = real(n, p + ".default", Double.NaN, -1e300, 1e300);
            if (d < low || d > high) problem(p + ".default", d + " is outside [" + low + ", " + high + "]");
            dflt = n.get("default").asText();
        }
        return new SearchParam(name, kind, low, high, List.of(), dflt);
    }

    /** Files the task names are paths inside the workspace: an edit or a check outside it is never meant. */
    private void inside(String path, String file) {
        if (file == null) return;
        java.nio.file.Path p;
        try {
            p = java.nio.file.Path.of(file);
        } catch (java.nio.file.InvalidPathException e) {
            problem(path, "'" + file + "' is not a valid path");
            return;
        }
        if (file.isEmpty() || p.isAbsolute() || p.normalize().startsWith("..") || p.normalize().toString().isEmpty())
            problem(path, "'" + file + "' is not inside the workspace; accepted: a path relative to the workspace, such as train_gpt.py or data/x.bin");
    }

    private void checkKeys(JsonNode root) {
        for (Map.Entry<String, List<String>> k : KEYS.entrySet()) {
            String[] parts = k.getKey().split("\\.");
            JsonNode section = root.get(parts[0]);
            if (section == null || !section.isObject()) continue;
            if (parts.length == 1) unknownKeys(section, parts[0], k.getValue());
            else for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isObject()) unknownKeys(e.getValue(), parts[0] + "." + e.getKey(), k.getValue());
            }
        }
    }

    private void unknownKeys(JsonNode table, String path, List<String> known) {
        for (Iterator<String> it = table.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (known.contains(key)) continue;
            String near = known.stream().min(java.util.Comparator.comparingInt(c -> closeness(c, key))).orElse(null);
            String hint = near != null && closeness(near, key) <= Math.max(2, key.length() / 3) ? "did you mean '" + near + "'? " : "";
            problem(path + "." + key, "unknown key; " + hint + "accepted: " + String.join(", ", known));
        }
    }

    /** How far a typed key is from a known one, also as a misspelt prefix (timout for timeout_seconds). */
    private static int closeness(String known, String typed) {
        int best = distance(known, typed);
        for (int len = typed.length() - 1; len <= typed.length() + 1; len++)
            if (len > 0 && len < known.length()) best = Math.min(best, distance(known.substring(0, len), typed) + 1);
        return best;
    }

    /** Edit distance with adjacent transpositions, for suggesting the key that was meant. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++)
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        return d[a.length()][b.length()];
    }

    // ---- typed access that records a located problem instead of throwing

    private void problem(String path, String what) { problems.add(fileName + ":" + lines.line(path) + ": " + path + ": " + what); }

    private JsonNode table(JsonNode parent, String path) { return table(parent, path, true); }

    private JsonNode table(JsonNode parent, String path, boolean required) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        JsonNode n = parent == null ? null : parent.get(key);
        if (n == null || n.isNull()) {
            if (required) problem(path, "missing table [" + path + "]");
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!n.isObject()) { problem(path, "must be a table"); return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(); }
        return n;
    }

    private String string(JsonNode parent, String path, String dflt) {
        JsonNode n = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (n == null) {
            if (dflt == null) problem(path, "missing; accepted: a string");
            return dflt;
        }
        if (!n.isTextual()) { problem(path, "must be a string, got " + n); return dflt; }
        return n.asText();
    }

    private List<String> strings(JsonNode parent, String path, boolean required) {
        JsonNode n = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (n == null) { if (required) problem(path, "missing; accepted: an array of strings"); return List.of(); }
        if (!n.isArray()) { problem(path, "must be an array of strings such as [\"a\", \"b\"], got " + n); return List.of(); }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) problem(path, "element " + e + " is not a string");
            else out.add(e.asText());
        }
        if (required && out.isEmpty()) problem(path, "must not be empty");
        return List.copyOf(out);
    }

    private Map<String, String> stringMap(JsonNode table, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isValueNode()) out.put(e.getKey(), v.asText());
            else problem(path + "." + e.getKey(), "must be a string or a number, got " + v);
        }
        return out;
    }

    private boolean bool(JsonNode parent, String path, boolean dflt) {
        JsonNode n = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (n == null) return dflt;
        if (!n.isBoolean()) { problem(path, "must be true or false, got " + n); return dflt; }
        return n.asBoolean();
    }

    private long integer(JsonNode parent, String path, long min, long max) {
        JsonNode n = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (n == null) { problem(path, "missing; accepted: an integer in " + min + ".." + max); return min; }
        if (!n.isIntegralNumber()) { problem(path, "must be an integer, got " + n); return min; }
        if (!n.canConvertToLong()) { problem(path, n + " is out of range; accepted: " + min + ".." + max); return min; }
        long v = n.asLong();
        if (v < min || v > max) problem(path, v + " is out of range; accepted: " + min + ".." + max);
        return v;
    }

    private double real(JsonNode parent, String path, double dflt, double min, double max) {
        JsonNode n = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (n == null) {
            if (Double.isNaN(dflt)) problem(path, "missing; accepted: a number");
            return dflt;
        }
        if (!n.isNumber()) { problem(path, "must be a number, got " + n); return Double.isNaN(dflt) ? 0 : dflt; }
        double v = n.asDouble();
        if (!(v >= min && v <= max)) { // NaN and inf fail this too: TOML accepts nan and inf
            problem(path, v + " is out of range; accepted: a finite number in " + min + ".." + max);
            return Double.isNaN(dflt) ? min : dflt;
        }
        return v;
    }
}
