package dev.caddie.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What an executor needs to start one run: where, what, with which environment, for how long, logging where. */
public record RunSpec(Path workdir, List<String> command, Map<String, String> env, Duration timeout, Path logFile) {}
