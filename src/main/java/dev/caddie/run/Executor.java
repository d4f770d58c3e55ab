package dev.caddie.run;

import java.io.IOException;

/** Where a run happens: a local process now; SSH hosts, Slurm and RunPod plug in behind the same interface. */
public interface Executor {
    String name();

    RunHandle start(RunSpec spec) throws IOException;
}
