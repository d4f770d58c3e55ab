package dev.caddie.task;

/**
 * [swarm]: many workers on one ledger.
 *
 * @param remote           the git remote every worker pushes candidate commits to and whose caddie/TAG branch
 *                         advances on keep (a url or a path to a bare repository); null keeps commits local
 * @param claimTimeoutSec  how long a worker may go without a heartbeat before its claims are released and its run
 *                         recorded interrupted (Hive's claims use 15 minutes)
 * @param heartbeatSec     how often a worker says it is alive
 */
public record SwarmSettings(String remote, long claimTimeoutSec, long heartbeatSec) {
    public static SwarmSettings defaults() { return new SwarmSettings(null, 15 * 60, 30); }
}
